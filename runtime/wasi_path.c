/* WASI path_* functions and the sandboxed path resolution they share
 * (DESIGN.md decision 8).
 *
 * Resolution never hands a multi-component path to the host. It walks the
 * guest path one component at a time from the directory descriptor the
 * guest named, opening each directory relative to the previous one with
 * "no follow", and keeps the stack of directories it went through:
 *   - `..` pops that stack; popping the starting directory is ENOTCAPABLE
 *     (a guest descriptor is the root of what it can reach, witx
 *     path_open: "relative to the directory");
 *   - a symlink is read (readlinkat) and its target spliced in front of
 *     the rest of the path, to be walked the same way: an absolute target
 *     is ENOTCAPABLE, more than MAX_SYMLINKS expansions ELOOP;
 *   - an absolute guest path is ENOTCAPABLE.
 * Because every step is relative to a descriptor ferry holds, renaming or
 * replacing a directory while a guest uses it cannot move the walk outside
 * the tree: the worst a concurrent change does is make a step fail (a
 * component swapped for a symlink fails its no-follow open with ELOOP and
 * is then resolved as a symlink, inside the sandbox). */
#include "runtime/wasi_int.h"

#include <stdlib.h>

/* What POSIX systems allow (SYMLOOP_MAX is at least 8; Linux uses 40). */
enum { MAX_SYMLINKS = 40 };

typedef struct {
  os_fd *dirs;      /* dirs[0] = the guest's directory (borrowed) */
  size_t depth, cap;
  char *buf;        /* owns the storage `name` points into */
  const char *name; /* the final component; "." for the directory itself */
  bool slash;       /* the path ended in '/': the result must be a dir */
} resolved;

static os_fd res_dir(const resolved *r) { return r->dirs[r->depth - 1]; }

static void res_free(resolved *r) {
  for (size_t i = 1; i < r->depth; i++) wasi_vfs_close(r->dirs[i]);
  free(r->dirs);
  free(r->buf);
  memset(r, 0, sizeof *r);
}

static int push_dir(resolved *r, os_fd h) {
  if (r->depth == r->cap) {
    size_t n = r->cap ? r->cap * 2 : 8;
    os_fd *g = realloc(r->dirs, n * sizeof *g);
    if (!g) return WASI_ENOMEM;
    r->dirs = g;
    r->cap = n;
  }
  r->dirs[r->depth++] = h;
  return WASI_ESUCCESS;
}

/* Replaces the walk's remaining path by target + "/" + rest. */
static int splice(char **buf, const char *target, const char *rest) {
  if (target[0] == '/') return WASI_ENOTCAPABLE; /* leads out of the tree */
  size_t tl = strlen(target), rl = strlen(rest);
  char *n = malloc(tl + rl + 2);
  if (!n) return WASI_ENOMEM;
  memcpy(n, target, tl);
  n[tl] = '/';
  memcpy(n + tl + 1, rest, rl + 1);
  if (!rl) n[tl] = 0; /* a final symlink: no slash the link did not have */
  free(*buf);
  *buf = n;
  return WASI_ESUCCESS;
}

/* Resolves `path` from base. On success r->dir (res_dir) is the directory
 * holding the final component r->name, which is looked up by the caller
 * with a no-follow *at call. With follow_final a final symlink is
 * resolved too (r->name is then not a symlink unless it changed since). */
static int resolve(os_fd base, const char *path, bool follow_final,
                   resolved *r) {
  int err = WASI_ESUCCESS;
  unsigned links = 0;
  memset(r, 0, sizeof *r);
  if ((err = push_dir(r, base))) goto fail;
  if (!path[0]) {
    err = WASI_ENOENT; /* POSIX: an empty path names nothing */
    goto fail;
  }
  if (path[0] == '/') {
    err = WASI_ENOTCAPABLE;
    goto fail;
  }
  if (!(r->buf = strdup(path))) {
    err = WASI_ENOMEM;
    goto fail;
  }
  size_t at = 0; /* next unread byte of r->buf */
  for (;;) {
    char *p = r->buf + at;
    while (*p == '/') p++;
    if (!*p) { /* nothing left: the path names the current directory */
      r->name = ".";
      r->slash = true;
      return WASI_ESUCCESS;
    }
    char *end = p;
    while (*end && *end != '/') end++;
    char *next = end;
    while (*next == '/') next++;
    bool last = !*next, slash = *end == '/';
    *end = 0;
    size_t rest_at = (size_t)(next - r->buf);

    if (!strcmp(p, ".") || !strcmp(p, "..")) {
      if (p[1] == '.') {
        if (r->depth == 1) {
          err = WASI_ENOTCAPABLE; /* above the guest's directory */
          goto fail;
        }
        wasi_vfs_close(r->dirs[--r->depth]);
      }
      if (last) {
        r->name = ".";
        r->slash = true;
        return WASI_ESUCCESS;
      }
      at = rest_at;
      continue;
    }

    if (last && !follow_final && !slash) {
      r->name = p;
      r->slash = false;
      return WASI_ESUCCESS;
    }
    os_fd h;
    if (!last) {
      err = wasi_vfs_openat(res_dir(r), p, OS_O_READ | OS_O_DIRECTORY, &h);
      if (!err) {
        if ((err = push_dir(r, h))) {
          wasi_vfs_close(h);
          goto fail;
        }
        at = rest_at;
        continue;
      }
      /* ELOOP (Linux, macOS) or ENOTDIR (some systems) for a symlink
       * opened with no-follow: find out whether it is one. */
      if (err != WASI_ELOOP && err != WASI_ENOTDIR) goto fail;
    }
    char *target = NULL;
    int lerr = wasi_vfs_readlinkat(res_dir(r), p, &target);
    if (lerr) {
      if (!last) goto fail; /* keep the open's error */
      if (lerr != WASI_EINVAL && lerr != WASI_ENOENT) {
        err = lerr;
        goto fail;
      }
      /* Not a symlink (or not there yet): this is the final name. */
      r->name = p;
      r->slash = slash;
      return WASI_ESUCCESS;
    }
    if (++links > MAX_SYMLINKS) {
      free(target);
      err = WASI_ELOOP;
      goto fail;
    }
    /* A final symlink followed because of a trailing slash keeps it, so
     * the target must be a directory too. */
    const char *rest = last ? (slash ? "/" : "") : r->buf + rest_at;
    char *old = r->buf;
    r->buf = NULL;
    char *nbuf = old;
    err = splice(&nbuf, target, rest);
    free(target);
    if (err) {
      r->buf = old;
      goto fail;
    }
    r->buf = nbuf;
    at = 0;
  }
fail:
  res_free(r);
  return err;
}

/* Reads a guest path string (witx `string`: UTF-8, pointer + length). A NUL
 * inside cannot be passed to the host and is refused like bad UTF-8. */
static int read_path(rt_wasi *w, uint32_t ptr, uint32_t len, char **out) {
  const uint8_t *p = wasi_mem(w, ptr, len);
  if (!p) return WASI_EFAULT;
  for (uint32_t i = 0; i < len;) {
    uint8_t c = p[i];
    uint32_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
                 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (!c || !n || len - i < n || (n == 2 && c < 0xc2)) return WASI_EILSEQ;
    for (uint32_t k = 1; k < n; k++)
      if ((p[i + k] & 0xc0) != 0x80) return WASI_EILSEQ;
    i += n;
  }
  char *s = malloc((size_t)len + 1);
  if (!s) return WASI_ENOMEM;
  memcpy(s, p, len);
  s[len] = 0;
  *out = s;
  return WASI_ESUCCESS;
}

/* The common start of a path function: the directory fd with `rights`,
 * the path read and resolved. Files are ENOTDIR (witx: "directory"). */
static int open_path(rt_wasi *w, uint32_t fd, uint64_t rights, uint32_t ptr,
                     uint32_t len, bool follow, resolved *r) {
  wasi_fd *e;
  char *path = NULL;
  if (fd < w->nfds && w->fds[fd] && w->fds[fd]->type != OS_FT_DIRECTORY)
    return WASI_ENOTDIR;
  int err = wasi_fd_get(w, fd, rights, &e);
  if (!err) err = read_path(w, ptr, len, &path);
  if (!err) err = resolve(e->h, path, follow, r);
  free(path);
  return err;
}

/* A trailing slash on a name that is not a directory. */
static int check_slash(const resolved *r) {
  os_stat st;
  if (r->slash && !wasi_vfs_statat(res_dir(r), r->name, &st) &&
      st.type != OS_FT_DIRECTORY)
    return WASI_ENOTDIR;
  return WASI_ESUCCESS;
}

/* ---- path_open ---- */

WASI_FN(path_open) {
  rt_wasi *w = env;
  uint32_t dirfd = A32(0), dirflags = A32(1), oflags = A32(4);
  uint64_t base = A64(5), inh = A64(6);
  uint32_t fdflags = A32(7), result = A32(8);
  resolved r = {0};
  os_fd h = OS_FD_NONE;
  wasi_fd *ent = NULL;
  int err = WASI_ESUCCESS;
  if (oflags > 0xf || fdflags > 0x1f || dirflags > 1 ||
      ((oflags & OFLAG_DIRECTORY) && (oflags & (OFLAG_CREAT | OFLAG_TRUNC)))) {
    err = WASI_EINVAL;
    goto done;
  }
  /* witx path_open: creating needs path_create_file, truncating
   * path_filestat_set_size, on the directory. */
  uint64_t need = WASI_RIGHT(R_PATH_OPEN);
  if (oflags & OFLAG_CREAT) need |= WASI_RIGHT(R_PATH_CREATE_FILE);
  if (oflags & OFLAG_TRUNC) need |= WASI_RIGHT(R_PATH_FILESTAT_SET_SIZE);
  /* O_CREAT|O_EXCL never follows a final symlink (POSIX open). */
  bool follow = (dirflags & LOOKUP_SYMLINK_FOLLOW) &&
                (oflags & (OFLAG_CREAT | OFLAG_EXCL)) != (OFLAG_CREAT | OFLAG_EXCL);
  if (!wasi_mem(w, result, 4)) {
    err = WASI_EFAULT;
    goto done;
  }
  if ((err = open_path(w, dirfd, need, A32(2), A32(3), follow, &r))) goto done;
  wasi_fd *dir = w->fds[dirfd];
  /* Access mode from the rights asked for, the way wasi-libc encodes
   * O_RDONLY/O_WRONLY into rights. */
  const uint64_t wr = WASI_RIGHT(R_FD_WRITE) | WASI_RIGHT(R_FD_DATASYNC) |
                      WASI_RIGHT(R_FD_ALLOCATE) |
                      WASI_RIGHT(R_FD_FILESTAT_SET_SIZE);
  int of = 0;
  if (base & (WASI_RIGHT(R_FD_READ) | WASI_RIGHT(R_FD_READDIR))) of |= OS_O_READ;
  if (base & wr) of |= OS_O_WRITE;
  if (oflags & OFLAG_CREAT) of |= OS_O_CREAT;
  if (oflags & OFLAG_EXCL) of |= OS_O_EXCL;
  if (oflags & OFLAG_TRUNC) of |= OS_O_TRUNC | OS_O_WRITE;
  if ((oflags & OFLAG_DIRECTORY) || r.slash) of |= OS_O_DIRECTORY;
  if (fdflags & FDFLAG_APPEND) of |= OS_O_APPEND;
  if (fdflags & FDFLAG_NONBLOCK) of |= OS_O_NONBLOCK;
  if (fdflags & FDFLAG_DSYNC) of |= OS_O_DSYNC;
  if (fdflags & FDFLAG_RSYNC) of |= OS_O_RSYNC;
  if (fdflags & FDFLAG_SYNC) of |= OS_O_SYNC;
  err = wasi_vfs_openat(res_dir(&r), r.name, of, &h);
  if (err == WASI_EISDIR && !(oflags & (OFLAG_CREAT | OFLAG_TRUNC)) &&
      ((oflags & OFLAG_DIRECTORY) || !(base & WASI_RIGHT(R_FD_WRITE))))
    /* A directory asked for as one, or with "write-ish" rights only
     * (datasync, set_size, as wasi-libc's opendir may): rights the guest
     * asks for are an upper bound, so open it read-only; the write rights
     * are masked off below. Asking for fd_write on a plain open of a
     * directory stays EISDIR, as open(2) with O_WRONLY. */
    err = wasi_vfs_openat(res_dir(&r), r.name, of & ~OS_O_WRITE, &h);
  if (err) goto done;
  os_stat st;
  if ((err = wasi_vfs_fstat(h, &st))) goto done;
  uint64_t mask = st.type == OS_FT_DIRECTORY      ? WASI_RIGHTS_DIR
                  : st.type == OS_FT_REGULAR_FILE ? WASI_RIGHTS_FILE
                  : WASI_RIGHTS_STREAM | WASI_RIGHT(R_FD_SEEK) |
                        WASI_RIGHT(R_FD_TELL);
  /* The new descriptor gets what was asked for, limited by what the
   * directory may hand down (witx rights_inheriting). */
  ent = wasi_fd_new(h, st.type, base & dir->inheriting & mask,
                    inh & dir->inheriting);
  if (!ent) {
    err = WASI_ENOMEM;
    goto done;
  }
  h = OS_FD_NONE;
  uint32_t fd;
  if ((err = wasi_fd_insert(w, ent, &fd))) goto done;
  ent = NULL;
  wasi_store32(w, result, fd);
done:
  if (h != OS_FD_NONE) wasi_vfs_close(h);
  wasi_fd_free(ent);
  res_free(&r);
  RET(err);
}

/* ---- directories, unlink ---- */

WASI_FN(path_create_directory) {
  resolved r;
  int err = open_path(env, A32(0), WASI_RIGHT(R_PATH_CREATE_DIRECTORY), A32(1),
                      A32(2), false, &r);
  if (err) {
    RET(err);
    return;
  }
  RET(strcmp(r.name, ".") ? wasi_vfs_mkdirat(res_dir(&r), r.name) : WASI_EEXIST);
  res_free(&r);
}

WASI_FN(path_remove_directory) {
  resolved r;
  int err = open_path(env, A32(0), WASI_RIGHT(R_PATH_REMOVE_DIRECTORY), A32(1),
                      A32(2), false, &r);
  if (err) {
    RET(err);
    return;
  }
  /* rmdir(".") is EINVAL in POSIX; say so rather than remove our base. */
  RET(strcmp(r.name, ".") ? wasi_vfs_rmdirat(res_dir(&r), r.name) : WASI_EINVAL);
  res_free(&r);
}

WASI_FN(path_unlink_file) {
  resolved r;
  int err = open_path(env, A32(0), WASI_RIGHT(R_PATH_UNLINK_FILE), A32(1),
                      A32(2), false, &r);
  if (err) {
    RET(err);
    return;
  }
  if (!strcmp(r.name, ".")) err = WASI_EISDIR;
  else if (r.slash) {
    /* "file/" names a directory: a file there is ENOTDIR, a real
     * directory is still not unlinkable (EISDIR). */
    os_stat st;
    err = wasi_vfs_statat(res_dir(&r), r.name, &st);
    if (!err) err = st.type == OS_FT_DIRECTORY ? WASI_EISDIR : WASI_ENOTDIR;
  } else
    err = wasi_vfs_unlinkat(res_dir(&r), r.name);
  res_free(&r);
  RET(err);
}

/* ---- status and times ---- */

WASI_FN(path_filestat_get) {
  resolved r;
  os_stat st;
  int err = open_path(env, A32(0), WASI_RIGHT(R_PATH_FILESTAT_GET), A32(2),
                      A32(3), A32(1) & LOOKUP_SYMLINK_FOLLOW, &r);
  if (!err) {
    if (!wasi_mem(env, A32(4), 64)) err = WASI_EFAULT;
    else if (!(err = wasi_vfs_statat(res_dir(&r), r.name, &st))) {
      if (r.slash && st.type != OS_FT_DIRECTORY) err = WASI_ENOTDIR;
      else err = wasi_put_filestat(env, A32(4), &st);
    }
    res_free(&r);
  }
  RET(err);
}

WASI_FN(path_filestat_set_times) {
  resolved r;
  uint64_t a, m;
  int err = wasi_times(A32(6), A64(4), A64(5), &a, &m);
  if (!err)
    err = open_path(env, A32(0), WASI_RIGHT(R_PATH_FILESTAT_SET_TIMES), A32(2),
                    A32(3), A32(1) & LOOKUP_SYMLINK_FOLLOW, &r);
  if (!err) {
    if (!(err = check_slash(&r))) err = wasi_vfs_utimesat(res_dir(&r), r.name, a, m);
    res_free(&r);
  }
  RET(err);
}

/* ---- links and renames ---- */

/* The name a new link or symlink gets: "x/" cannot become a non-directory
 * (EEXIST when something is there, else ENOENT, as link(2) says). */
static int new_name_ok(const resolved *r) {
  os_stat st;
  if (!strcmp(r->name, ".")) return WASI_EEXIST;
  if (r->slash)
    return wasi_vfs_statat(res_dir(r), r->name, &st) ? WASI_ENOENT : WASI_EEXIST;
  return WASI_ESUCCESS;
}

WASI_FN(path_link) {
  resolved from, to;
  int err = open_path(env, A32(0), WASI_RIGHT(R_PATH_LINK_SOURCE), A32(2),
                      A32(3), A32(1) & LOOKUP_SYMLINK_FOLLOW, &from);
  if (err) {
    RET(err);
    return;
  }
  err = open_path(env, A32(4), WASI_RIGHT(R_PATH_LINK_TARGET), A32(5), A32(6),
                  false, &to);
  if (!err) {
    if (!(err = check_slash(&from)) && !(err = new_name_ok(&to)))
      err = wasi_vfs_linkat(res_dir(&from), from.name, res_dir(&to), to.name);
    res_free(&to);
  }
  res_free(&from);
  RET(err);
}

WASI_FN(path_rename) {
  resolved from, to;
  os_stat st;
  int err = open_path(env, A32(0), WASI_RIGHT(R_PATH_RENAME_SOURCE), A32(1),
                      A32(2), false, &from);
  if (err) {
    RET(err);
    return;
  }
  err = open_path(env, A32(3), WASI_RIGHT(R_PATH_RENAME_TARGET), A32(4), A32(5),
                  false, &to);
  if (!err) {
    if (!strcmp(from.name, ".") || !strcmp(to.name, "."))
      err = WASI_EBUSY; /* renaming a directory onto/from itself */
    else if ((from.slash || to.slash) &&
             !(err = wasi_vfs_statat(res_dir(&from), from.name, &st)) &&
             st.type != OS_FT_DIRECTORY)
      err = WASI_ENOTDIR;
    if (!err)
      err = wasi_vfs_renameat(res_dir(&from), from.name, res_dir(&to), to.name);
    res_free(&to);
  }
  res_free(&from);
  RET(err);
}

/* path_symlink(old_path, fd, new_path): old_path is stored as the link's
 * contents. An absolute one could only ever point outside the sandbox, so
 * it is refused (ENOTCAPABLE) rather than left for the host to follow. */
WASI_FN(path_symlink) {
  rt_wasi *w = env;
  resolved r;
  char *target = NULL;
  int err = read_path(w, A32(0), A32(1), &target);
  if (!err && !target[0]) err = WASI_ENOENT;
  if (!err && target[0] == '/') err = WASI_ENOTCAPABLE;
  if (!err) {
    err = open_path(w, A32(2), WASI_RIGHT(R_PATH_SYMLINK), A32(3), A32(4), false,
                    &r);
    if (!err) {
      if (!(err = new_name_ok(&r)))
        err = wasi_vfs_symlinkat(target, res_dir(&r), r.name);
      res_free(&r);
    }
  }
  free(target);
  RET(err);
}

/* path_readlink(fd, path, buf, buf_len, *bufused): the contents without a
 * NUL; a buffer too small for them is ERANGE (as wasmtime; readlink(2)
 * would truncate silently, which a guest cannot detect). */
WASI_FN(path_readlink) {
  rt_wasi *w = env;
  resolved r;
  char *target = NULL;
  int err = open_path(w, A32(0), WASI_RIGHT(R_PATH_READLINK), A32(1), A32(2),
                      false, &r);
  if (err) {
    RET(err);
    return;
  }
  uint8_t *buf = wasi_mem(w, A32(3), A32(4));
  if (!buf || !wasi_mem(w, A32(5), 4)) err = WASI_EFAULT;
  else if (r.slash) err = WASI_ENOTDIR;
  else if (!(err = wasi_vfs_readlinkat(res_dir(&r), r.name, &target))) {
    size_t n = strlen(target);
    if (n > A32(4)) err = WASI_ERANGE;
    else {
      memcpy(buf, target, n);
      wasi_store32(w, A32(5), (uint32_t)n);
    }
  }
  free(target);
  res_free(&r);
  RET(err);
}
