/* A packed executable's bundle as a read-only WASI directory tree
 * (wasi_bundle.h): the tree is checked once when it is mounted, then every
 * operation reads the serialized bytes in place. The wasi_vfs_* functions
 * route each handle either here (bundle handles) or to the OS layer. */
#include "runtime/wasi_bundle.h"

#include <stdlib.h>

#include "runtime/wasi_int.h"

/* The mounted bundle, shared by all handles opened in it (reference
 * counted: the guest may keep files open after closing the directory). */
typedef struct {
  const uint8_t *data;
  size_t size;
  uint32_t n;
  size_t refs;
} bundle;

typedef struct {
  bundle *b;
  uint32_t node;
  uint64_t pos;
} bhandle;

enum { T_DIR = OS_FT_DIRECTORY, T_FILE = OS_FT_REGULAR_FILE };

/* Host handles are never negative but for OS_FD_NONE (fds on POSIX, user
 * space addresses on Win32), so negated addresses name bundle handles. */
static bhandle *as_bundle(os_fd fd) {
  return fd < -1 ? (bhandle *)(uintptr_t)(-fd) : NULL;
}
static os_fd to_fd(bhandle *h) { return -(os_fd)(uintptr_t)h; }

static const uint8_t *ent(const bundle *b, uint32_t i) {
  return b->data + WASI_BUNDLE_HEADER + (size_t)i * WASI_BUNDLE_ENTRY;
}
static uint32_t e_parent(const bundle *b, uint32_t i) { return wasi_get32(ent(b, i)); }
static uint32_t e_type(const bundle *b, uint32_t i) { return wasi_get32(ent(b, i) + 4); }
static const char *e_name(const bundle *b, uint32_t i, uint32_t *len) {
  *len = wasi_get32(ent(b, i) + 12);
  return (const char *)b->data + wasi_get32(ent(b, i) + 8);
}
static uint64_t e_a(const bundle *b, uint32_t i) { return wasi_get64(ent(b, i) + 16); }
static uint64_t e_b(const bundle *b, uint32_t i) { return wasi_get64(ent(b, i) + 24); }

static int name_cmp(const char *a, size_t al, const char *b, size_t bl) {
  int c = memcmp(a, b, al < bl ? al : bl);
  return c ? c : al < bl ? -1 : al > bl;
}

/* Everything a lookup or read relies on, checked up front so that a
 * damaged bundle is refused at mount time, not met halfway through. */
static bool check(const bundle *b) {
  if (b->size < WASI_BUNDLE_HEADER || memcmp(b->data, WASI_BUNDLE_MAGIC, 8))
    return false;
  uint32_t n = wasi_get32(b->data + 8);
  if (!n || n > (b->size - WASI_BUNDLE_HEADER) / WASI_BUNDLE_ENTRY) return false;
  const bundle bb = {b->data, b->size, n, 0};
  if (e_type(&bb, 0) != T_DIR) return false;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t len, type = e_type(&bb, i), parent = e_parent(&bb, i);
    uint64_t off = wasi_get32(ent(&bb, i) + 8);
    const char *name = e_name(&bb, i, &len);
    if (off + len > b->size || parent >= n || (type != T_DIR && type != T_FILE))
      return false;
    if (i && (!len || memchr(name, '/', len) || memchr(name, 0, len) ||
              !name_cmp(name, len, ".", 1) || !name_cmp(name, len, "..", 2)))
      return false;
    uint64_t a = e_a(&bb, i), sz = e_b(&bb, i);
    if (type == T_FILE && (a > b->size || sz > b->size - a)) return false;
    if (type == T_DIR) {
      /* Children come after their parent (so the tree has no cycles), are
       * claimed by it, and are sorted without duplicates. */
      if (sz && (a <= i || a > n || sz > n - a)) return false;
      for (uint64_t k = a; k < a + sz; k++) {
        uint32_t cl, pl;
        if (e_parent(&bb, (uint32_t)k) != i) return false;
        if (k > a) {
          const char *c = e_name(&bb, (uint32_t)k, &cl);
          const char *p = e_name(&bb, (uint32_t)k - 1, &pl);
          if (name_cmp(p, pl, c, cl) >= 0) return false;
        }
      }
    }
    /* Every entry but the root lies in its parent's run of children. */
    if (i && (e_type(&bb, parent) != T_DIR || e_a(&bb, parent) > i ||
              i - e_a(&bb, parent) >= e_b(&bb, parent)))
      return false;
  }
  return true;
}

static int new_handle(bundle *b, uint32_t node, os_fd *out) {
  bhandle *h = calloc(1, sizeof *h);
  if (!h) return OS_ENOMEM;
  h->b = b;
  h->node = node;
  b->refs++;
  *out = to_fd(h);
  return OS_OK;
}

int wasi_bundle_open_root(const void *data, size_t size, os_fd *out) {
  bundle *b = calloc(1, sizeof *b);
  if (!b) return OS_ENOMEM;
  b->data = data;
  b->size = size;
  if (!check(b)) {
    free(b);
    return OS_EINVAL;
  }
  b->n = wasi_get32(b->data + 8);
  int e = new_handle(b, 0, out);
  if (e) free(b);
  return e;
}

/* The child `name` of directory `dir` ("." is the directory itself), by
 * bisection over its sorted children. */
static int lookup(const bundle *b, uint32_t dir, const char *name,
                  uint32_t *out) {
  if (e_type(b, dir) != T_DIR) return OS_ENOTDIR;
  if (!strcmp(name, ".")) {
    *out = dir;
    return OS_OK;
  }
  /* The resolver in wasi_path.c handles "..": it never reaches here. */
  if (!strcmp(name, "..")) return OS_ENOTCAPABLE;
  size_t nl = strlen(name);
  uint64_t lo = e_a(b, dir), hi = lo + e_b(b, dir);
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    uint32_t len;
    const char *s = e_name(b, (uint32_t)mid, &len);
    int c = name_cmp(s, len, name, nl);
    if (!c) {
      *out = (uint32_t)mid;
      return OS_OK;
    }
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return OS_ENOENT;
}

static void node_stat(const bundle *b, uint32_t i, os_stat *st) {
  memset(st, 0, sizeof *st);
  /* One device number for the whole bundle, inode numbers from the entry
   * index: stable across runs, distinct within the tree. */
  st->dev = 0x6665727279ull;
  st->ino = (uint64_t)i + 1;
  st->nlink = 1;
  st->type = (uint8_t)e_type(b, i);
  st->size = st->type == T_FILE ? e_b(b, i) : 0;
}

/* ---- handle operations ---- */

int wasi_vfs_openat(os_fd dir, const char *name, int oflags, os_fd *out) {
  bhandle *d = as_bundle(dir);
  if (!d) return os_fs_openat(dir, name, oflags, out);
  uint32_t node;
  int e = lookup(d->b, d->node, name, &node);
  if (e == OS_ENOENT && (oflags & OS_O_CREAT)) return OS_EROFS;
  if (e) return e;
  if ((oflags & (OS_O_CREAT | OS_O_EXCL)) == (OS_O_CREAT | OS_O_EXCL))
    return OS_EEXIST;
  if (oflags & (OS_O_WRITE | OS_O_CREAT | OS_O_TRUNC | OS_O_APPEND))
    return e_type(d->b, node) == T_DIR ? OS_EISDIR : OS_EROFS;
  if ((oflags & OS_O_DIRECTORY) && e_type(d->b, node) != T_DIR)
    return OS_ENOTDIR;
  return new_handle(d->b, node, out);
}

int wasi_vfs_close(os_fd fd) {
  bhandle *h = as_bundle(fd);
  if (!h) return os_fs_close(fd);
  if (!--h->b->refs) free(h->b);
  free(h);
  return OS_OK;
}

/* Copies from the file at `off` into the buffers. */
static int bundle_read(bhandle *h, const os_iov *iov, size_t n, uint64_t off,
                       size_t *done) {
  const bundle *b = h->b;
  if (e_type(b, h->node) != T_FILE) return OS_EISDIR;
  uint64_t size = e_b(b, h->node);
  const uint8_t *data = b->data + e_a(b, h->node);
  size_t total = 0;
  for (size_t i = 0; i < n && off < size; i++) {
    size_t k = iov[i].len;
    if (k > size - off) k = (size_t)(size - off);
    memcpy(iov[i].base, data + off, k);
    off += k;
    total += k;
  }
  *done = total;
  return OS_OK;
}

int wasi_vfs_readv(os_fd fd, const os_iov *iov, size_t n, size_t *done) {
  bhandle *h = as_bundle(fd);
  if (!h) return os_fs_readv(fd, iov, n, done);
  int e = bundle_read(h, iov, n, h->pos, done);
  if (!e) h->pos += *done;
  return e;
}

int wasi_vfs_preadv(os_fd fd, const os_iov *iov, size_t n, uint64_t off,
                    size_t *done) {
  bhandle *h = as_bundle(fd);
  return h ? bundle_read(h, iov, n, off, done) : os_fs_preadv(fd, iov, n, off, done);
}

int wasi_vfs_writev(os_fd fd, const os_iov *iov, size_t n, size_t *done) {
  return as_bundle(fd) ? OS_EBADF : os_fs_writev(fd, iov, n, done);
}

int wasi_vfs_pwritev(os_fd fd, const os_iov *iov, size_t n, uint64_t off,
                     size_t *done) {
  return as_bundle(fd) ? OS_EBADF : os_fs_pwritev(fd, iov, n, off, done);
}

int wasi_vfs_seek(os_fd fd, int64_t off, int whence, uint64_t *pos) {
  bhandle *h = as_bundle(fd);
  if (!h) return os_fs_seek(fd, off, whence, pos);
  if (e_type(h->b, h->node) != T_FILE) return OS_EISDIR;
  int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t)h->pos
               : whence == 2 ? (int64_t)e_b(h->b, h->node) : -1;
  if (base < 0 || (off < 0 && -off > base) || (off > 0 && off > INT64_MAX - base))
    return OS_EINVAL;
  h->pos = (uint64_t)(base + off);
  *pos = h->pos;
  return OS_OK;
}

int wasi_vfs_sync(os_fd fd, bool data_only) {
  return as_bundle(fd) ? OS_OK : os_fs_sync(fd, data_only);
}

int wasi_vfs_advise(os_fd fd, uint64_t off, uint64_t len, int advice) {
  return as_bundle(fd) ? OS_OK : os_fs_advise(fd, off, len, advice);
}

int wasi_vfs_allocate(os_fd fd, uint64_t off, uint64_t len) {
  return as_bundle(fd) ? OS_EROFS : os_fs_allocate(fd, off, len);
}

int wasi_vfs_readable(os_fd fd, uint64_t *n) {
  bhandle *h = as_bundle(fd);
  if (!h) return os_fs_readable(fd, n);
  uint64_t size = e_type(h->b, h->node) == T_FILE ? e_b(h->b, h->node) : 0;
  *n = size > h->pos ? size - h->pos : 0;
  return OS_OK;
}

int wasi_vfs_fstat(os_fd fd, os_stat *st) {
  bhandle *h = as_bundle(fd);
  if (!h) return os_fs_fstat(fd, st);
  node_stat(h->b, h->node, st);
  return OS_OK;
}

int wasi_vfs_statat(os_fd dir, const char *name, os_stat *st) {
  bhandle *d = as_bundle(dir);
  if (!d) return os_fs_statat(dir, name, st);
  uint32_t node;
  int e = lookup(d->b, d->node, name, &node);
  if (!e) node_stat(d->b, node, st);
  return e;
}

int wasi_vfs_get_flags(os_fd fd, int *oflags) {
  if (!as_bundle(fd)) return os_fs_get_flags(fd, oflags);
  *oflags = 0;
  return OS_OK;
}

int wasi_vfs_set_flags(os_fd fd, int oflags) {
  if (!as_bundle(fd)) return os_fs_set_flags(fd, oflags);
  /* Reads from memory never block; appending is writing. */
  return oflags & OS_O_APPEND ? OS_EROFS : OS_OK;
}

int wasi_vfs_truncate(os_fd fd, uint64_t size) {
  return as_bundle(fd) ? OS_EROFS : os_fs_truncate(fd, size);
}

int wasi_vfs_futimes(os_fd fd, uint64_t atim, uint64_t mtim) {
  return as_bundle(fd) ? OS_EROFS : os_fs_futimes(fd, atim, mtim);
}

int wasi_vfs_utimesat(os_fd dir, const char *name, uint64_t atim,
                      uint64_t mtim) {
  return as_bundle(dir) ? OS_EROFS : os_fs_utimesat(dir, name, atim, mtim);
}

int wasi_vfs_readdir(os_fd dir, os_dirent **ents, size_t *n) {
  bhandle *d = as_bundle(dir);
  if (!d) return os_fs_readdir(dir, ents, n);
  const bundle *b = d->b;
  if (e_type(b, d->node) != T_DIR) return OS_ENOTDIR;
  uint64_t first = e_a(b, d->node), count = e_b(b, d->node);
  /* Same shape as os_fs_readdir, so os_fs_dirents_free releases it. */
  os_dirent *v = calloc((size_t)count + 2, sizeof *v);
  if (!v) return OS_ENOMEM;
  size_t k = 0;
  for (uint64_t i = 0; i < count + 2; i++, k++) {
    uint32_t node, len;
    const char *name;
    if (i < 2) {
      node = i ? e_parent(b, d->node) : d->node;
      name = i ? ".." : ".";
      len = (uint32_t)i + 1;
    } else {
      node = (uint32_t)(first + i - 2);
      name = e_name(b, node, &len);
    }
    if (!(v[k].name = malloc((size_t)len + 1))) {
      os_fs_dirents_free(v, k);
      return OS_ENOMEM;
    }
    memcpy(v[k].name, name, len);
    v[k].name[len] = 0;
    v[k].ino = (uint64_t)node + 1;
    v[k].type = (uint8_t)e_type(b, node);
  }
  *ents = v;
  *n = k;
  return OS_OK;
}

int wasi_vfs_mkdirat(os_fd dir, const char *name) {
  return as_bundle(dir) ? OS_EROFS : os_fs_mkdirat(dir, name);
}

int wasi_vfs_rmdirat(os_fd dir, const char *name) {
  return as_bundle(dir) ? OS_EROFS : os_fs_rmdirat(dir, name);
}

int wasi_vfs_unlinkat(os_fd dir, const char *name) {
  return as_bundle(dir) ? OS_EROFS : os_fs_unlinkat(dir, name);
}

int wasi_vfs_renameat(os_fd odir, const char *oname, os_fd ndir,
                      const char *nname) {
  if (as_bundle(odir) || as_bundle(ndir)) return as_bundle(odir) ? OS_EROFS : OS_EXDEV;
  return os_fs_renameat(odir, oname, ndir, nname);
}

int wasi_vfs_linkat(os_fd odir, const char *oname, os_fd ndir,
                    const char *nname) {
  if (as_bundle(odir) || as_bundle(ndir)) return as_bundle(ndir) ? OS_EROFS : OS_EXDEV;
  return os_fs_linkat(odir, oname, ndir, nname);
}

int wasi_vfs_symlinkat(const char *target, os_fd dir, const char *name) {
  return as_bundle(dir) ? OS_EROFS : os_fs_symlinkat(target, dir, name);
}

int wasi_vfs_readlinkat(os_fd dir, const char *name, char **target) {
  bhandle *d = as_bundle(dir);
  if (!d) return os_fs_readlinkat(dir, name, target);
  /* A bundle holds no symlinks: an existing name is "not a symlink". */
  uint32_t node;
  int e = lookup(d->b, d->node, name, &node);
  return e ? e : OS_EINVAL;
}

/* ---- mounting ---- */

int rt_wasi_preopen_bundle(rt_wasi *w, const void *data, size_t size,
                           const char *guest_path) {
  os_fd h;
  uint32_t fd;
  int e = wasi_bundle_open_root(data, size, &h);
  if (e) return e;
  /* Read-only rights: what lists, stats, opens and reads. Asking for more
   * in path_open gives ENOTCAPABLE before any of the above is reached. */
  const uint64_t dir_rights =
      WASI_RIGHT(R_PATH_OPEN) | WASI_RIGHT(R_FD_READDIR) |
      WASI_RIGHT(R_PATH_READLINK) | WASI_RIGHT(R_PATH_FILESTAT_GET) |
      WASI_RIGHT(R_FD_FILESTAT_GET) | WASI_RIGHT(R_FD_FDSTAT_SET_FLAGS) |
      WASI_RIGHT(R_FD_SYNC) | WASI_RIGHT(R_FD_DATASYNC);
  const uint64_t file_rights =
      WASI_RIGHT(R_FD_READ) | WASI_RIGHT(R_FD_SEEK) | WASI_RIGHT(R_FD_TELL) |
      WASI_RIGHT(R_FD_ADVISE) | WASI_RIGHT(R_FD_FILESTAT_GET) |
      WASI_RIGHT(R_FD_FDSTAT_SET_FLAGS) | WASI_RIGHT(R_FD_SYNC) |
      WASI_RIGHT(R_FD_DATASYNC) | WASI_RIGHT(R_POLL_FD_READWRITE);
  wasi_fd *ent = wasi_fd_new(h, OS_FT_DIRECTORY, dir_rights,
                             dir_rights | file_rights);
  size_t gl = strlen(guest_path);
  if (!ent) {
    wasi_vfs_close(h);
    return WASI_ENOMEM;
  }
  if (!(ent->preopen = malloc(gl + 1))) e = WASI_ENOMEM;
  else memcpy(ent->preopen, guest_path, gl + 1);
  if (!e) e = wasi_fd_insert(w, ent, &fd);
  if (e) wasi_fd_free(ent);
  return e;
}
