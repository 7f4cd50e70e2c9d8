/* WASI fd_* functions: transfers, positions, status, flags and rights,
 * directory listing, preopen queries, close and renumber. Layouts and
 * numbers are witx's (typenames.witx, wasi_snapshot_preview1.witx). */
#include "runtime/wasi_int.h"

#include <stdlib.h>

/* Looks up an fd for a byte-stream operation: directories are not streams
 * (EBADF, as wasmtime and as read(2) on a directory fd would have it:
 * POSIX says EISDIR but WASI programs test for EBADF). */
static int get_stream(rt_wasi *w, uint32_t fd, uint64_t rights, wasi_fd **out) {
  if (fd < w->nfds && w->fds[fd] && w->fds[fd]->type == OS_FT_DIRECTORY)
    return WASI_EBADF;
  return wasi_fd_get(w, fd, rights, out);
}

/* ---- transfers ---- */

/* One vectored transfer; `positioned` for pread/pwrite (which witx gives
 * the fd_seek right as well, since they use the file position's domain). */
static int transfer(rt_wasi *w, uint64_t *slots, bool write, bool positioned) {
  uint32_t fd = A32(0), iovs = A32(1), n = A32(2);
  uint32_t result = positioned ? A32(4) : A32(3);
  uint64_t off = positioned ? A64(3) : 0;
  uint64_t need = WASI_RIGHT(write ? R_FD_WRITE : R_FD_READ);
  if (positioned) need |= WASI_RIGHT(R_FD_SEEK);
  wasi_fd *e = NULL;
  os_iov *v = NULL;
  size_t done = 0;
  int err = get_stream(w, fd, need, &e);
  if (err == WASI_ENOTCAPABLE && positioned &&
      w->fds[fd]->type != OS_FT_REGULAR_FILE)
    err = WASI_ESPIPE; /* a stream without positions: what pread(2) says */
  if (err) return err;
  if (!wasi_mem(w, result, 4)) return WASI_EFAULT;
  if ((err = wasi_iovs(w, iovs, n, &v))) return err;
  if (positioned && off > (uint64_t)INT64_MAX) err = WASI_EINVAL;
  else if (write)
    err = positioned ? wasi_vfs_pwritev(e->h, v, n, off, &done)
                     : wasi_vfs_writev(e->h, v, n, &done);
  else
    err = positioned ? wasi_vfs_preadv(e->h, v, n, off, &done)
                     : wasi_vfs_readv(e->h, v, n, &done);
  free(v);
  if (!err) wasi_store32(w, result, (uint32_t)done);
  return err;
}

WASI_FN(fd_read) { RET(transfer(env, slots, false, false)); }
WASI_FN(fd_write) { RET(transfer(env, slots, true, false)); }
WASI_FN(fd_pread) { RET(transfer(env, slots, false, true)); }
WASI_FN(fd_pwrite) { RET(transfer(env, slots, true, true)); }

/* ---- positions ---- */

/* fd_seek(fd, offset: filedelta, whence, *newoffset). witx: a seek by 0
 * from the current position needs only fd_tell. Terminals and pipes have
 * no positions: ESPIPE, as lseek(2) says. */
static int seek(rt_wasi *w, uint32_t fd, int64_t off, uint32_t whence,
                uint32_t result) {
  wasi_fd *e = NULL;
  if (whence > 2) return WASI_EINVAL;
  uint64_t need = off == 0 && whence == 1 ? WASI_RIGHT(R_FD_TELL)
                                          : WASI_RIGHT(R_FD_SEEK);
  int err = get_stream(w, fd, need, &e);
  if (err == WASI_ENOTCAPABLE && w->fds[fd]->type != OS_FT_REGULAR_FILE)
    return WASI_ESPIPE;
  if (err) return err;
  if (!wasi_mem(w, result, 8)) return WASI_EFAULT;
  uint64_t pos;
  if ((err = wasi_vfs_seek(e->h, off, (int)whence, &pos))) return err;
  wasi_store64(w, result, pos);
  return WASI_ESUCCESS;
}

WASI_FN(fd_seek) {
  RET(seek(env, A32(0), (int64_t)A64(1), A32(2), A32(3)));
}
WASI_FN(fd_tell) { RET(seek(env, A32(0), 0, 1, A32(1))); }

/* ---- sync, advise, allocate ---- */

static int sync_fd(rt_wasi *w, uint32_t fd, bool data) {
  wasi_fd *e;
  int err = wasi_fd_get(w, fd, WASI_RIGHT(data ? R_FD_DATASYNC : R_FD_SYNC), &e);
  return err ? err : wasi_vfs_sync(e->h, data);
}

WASI_FN(fd_sync) { RET(sync_fd(env, A32(0), false)); }
WASI_FN(fd_datasync) { RET(sync_fd(env, A32(0), true)); }

/* fd_advise(fd, offset, len, advice): advice > noreuse is EINVAL. */
WASI_FN(fd_advise) {
  wasi_fd *e;
  int err = get_stream(env, A32(0), WASI_RIGHT(R_FD_ADVISE), &e);
  if (!err && A32(3) > 5) err = WASI_EINVAL;
  if (!err && (A64(1) > (uint64_t)INT64_MAX || A64(2) > (uint64_t)INT64_MAX))
    err = WASI_EINVAL;
  RET(err ? err : wasi_vfs_advise(e->h, A64(1), A64(2), (int)A32(3)));
}

WASI_FN(fd_allocate) {
  wasi_fd *e;
  int err = get_stream(env, A32(0), WASI_RIGHT(R_FD_ALLOCATE), &e);
  RET(err ? err : wasi_vfs_allocate(e->h, A64(1), A64(2)));
}

/* ---- status ---- */

/* fdstat (witx): filetype u8 @0, flags u16 @2, rights_base u64 @8,
 * rights_inheriting u64 @16; 24 bytes. */
WASI_FN(fd_fdstat_get) {
  rt_wasi *w = env;
  wasi_fd *e;
  int err = wasi_fd_get(w, A32(0), 0, &e);
  if (err) {
    RET(err);
    return;
  }
  uint8_t *p = wasi_mem(w, A32(1), 24);
  if (!p) {
    RET(WASI_EFAULT);
    return;
  }
  int of = 0;
  uint16_t flags = 0;
  if (e->type != OS_FT_DIRECTORY && !wasi_vfs_get_flags(e->h, &of)) {
    if (of & OS_O_APPEND) flags |= FDFLAG_APPEND;
    if (of & OS_O_NONBLOCK) flags |= FDFLAG_NONBLOCK;
    if (of & OS_O_DSYNC) flags |= FDFLAG_DSYNC;
    if (of & OS_O_SYNC) flags |= FDFLAG_SYNC | FDFLAG_DSYNC | FDFLAG_RSYNC;
  }
  memset(p, 0, 24);
  p[0] = e->type;
  wasi_put16(p + 2, flags);
  wasi_put64(p + 8, e->rights);
  wasi_put64(p + 16, e->inheriting);
  RET(WASI_ESUCCESS);
}

/* Only append and nonblock can change on an open descriptor (POSIX fcntl
 * F_SETFL); asking for the sync flags is ENOTSUP. */
WASI_FN(fd_fdstat_set_flags) {
  wasi_fd *e;
  uint32_t f = A32(1);
  int err = wasi_fd_get(env, A32(0), WASI_RIGHT(R_FD_FDSTAT_SET_FLAGS), &e);
  if (!err && f > 0x1f) err = WASI_EINVAL;
  if (!err && e->type == OS_FT_DIRECTORY && f) err = WASI_EBADF;
  if (!err && (f & (FDFLAG_DSYNC | FDFLAG_RSYNC | FDFLAG_SYNC))) err = WASI_ENOTSUP;
  if (!err)
    err = wasi_vfs_set_flags(e->h, ((f & FDFLAG_APPEND) ? OS_O_APPEND : 0) |
                                    ((f & FDFLAG_NONBLOCK) ? OS_O_NONBLOCK : 0));
  RET(err);
}

/* Rights can only shrink (witx: "may only be used to remove rights"). */
WASI_FN(fd_fdstat_set_rights) {
  wasi_fd *e;
  int err = wasi_fd_get(env, A32(0), 0, &e);
  if (!err && ((A64(1) & ~e->rights) || (A64(2) & ~e->inheriting)))
    err = WASI_ENOTCAPABLE;
  if (!err) {
    e->rights = A64(1);
    e->inheriting = A64(2);
  }
  RET(err);
}

WASI_FN(fd_filestat_get) {
  wasi_fd *e;
  os_stat st;
  int err = wasi_fd_get(env, A32(0), WASI_RIGHT(R_FD_FILESTAT_GET), &e);
  if (!err && !wasi_mem(env, A32(1), 64)) err = WASI_EFAULT;
  if (!err) err = wasi_vfs_fstat(e->h, &st);
  if (!err) {
    /* The guest sees its own idea of the type (a pipe is "unknown"). */
    if (st.type == OS_FT_UNKNOWN) st.type = e->type;
    err = wasi_put_filestat(env, A32(1), &st);
  }
  RET(err);
}

WASI_FN(fd_filestat_set_size) {
  wasi_fd *e;
  int err = get_stream(env, A32(0), WASI_RIGHT(R_FD_FILESTAT_SET_SIZE), &e);
  RET(err ? err : wasi_vfs_truncate(e->h, A64(1)));
}

WASI_FN(fd_filestat_set_times) {
  wasi_fd *e;
  uint64_t a, m;
  int err = wasi_fd_get(env, A32(0), WASI_RIGHT(R_FD_FILESTAT_SET_TIMES), &e);
  if (!err) err = wasi_times(A32(3), A64(1), A64(2), &a, &m);
  RET(err ? err : wasi_vfs_futimes(e->h, a, m));
}

/* ---- directories ---- */

/* fd_readdir(fd, buf, buf_len, cookie, *bufused). Each entry is a 24-byte
 * dirent (d_next u64 @0, d_ino u64 @8, d_namlen u32 @16, d_type u8 @20)
 * followed by the name without NUL. witx: the last entry is truncated to
 * fill the buffer exactly, and bufused == buf_len tells the caller that
 * there may be more. Cookies are entry indexes into a snapshot of the
 * directory taken whenever the guest starts over at cookie 0, so paging
 * with the cookies it got is stable even while the directory changes. */
WASI_FN(fd_readdir) {
  rt_wasi *w = env;
  uint32_t fd = A32(0), buf = A32(1), len = A32(2), used = A32(4);
  uint64_t cookie = A64(3);
  wasi_fd *e;
  int err;
  if (fd < w->nfds && w->fds[fd] && w->fds[fd]->type != OS_FT_DIRECTORY)
    err = WASI_ENOTDIR;
  else
    err = wasi_fd_get(w, fd, WASI_RIGHT(R_FD_READDIR), &e);
  if (err) goto done;
  uint8_t *out = wasi_mem(w, buf, len);
  if (!out || !wasi_mem(w, used, 4)) {
    err = WASI_EFAULT;
    goto done;
  }
  if (cookie == 0 || !e->has_ents) {
    os_dirent *ents;
    size_t n;
    if ((err = wasi_vfs_readdir(e->h, &ents, &n))) goto done;
    os_fs_dirents_free(e->ents, e->nents);
    e->ents = ents;
    e->nents = n;
    e->has_ents = true;
  }
  uint32_t at = 0;
  for (uint64_t i = cookie; i < e->nents && at < len; i++) {
    const os_dirent *d = &e->ents[i];
    size_t nlen = strlen(d->name);
    uint8_t head[24];
    memset(head, 0, sizeof head);
    wasi_put64(head, i + 1);
    wasi_put64(head + 8, d->ino);
    wasi_put32(head + 16, (uint32_t)nlen);
    head[20] = d->type;
    uint32_t k = len - at < 24 ? len - at : 24;
    memcpy(out + at, head, k);
    at += k;
    k = len - at < nlen ? len - at : (uint32_t)nlen;
    memcpy(out + at, d->name, k);
    at += k;
  }
  wasi_store32(w, used, at);
done:
  RET(err);
}

/* prestat (witx): tag u8 @0 (0 = dir), pr_name_len u32 @4; 8 bytes.
 * Descriptors that are not preopened directories are EBADF: that is how
 * wasi-libc finds the end of the preopen list. */
WASI_FN(fd_prestat_get) {
  rt_wasi *w = env;
  wasi_fd *e;
  int err = wasi_fd_get(w, A32(0), 0, &e);
  if (!err && !e->preopen) err = WASI_EBADF;
  uint8_t *p = err ? NULL : wasi_mem(w, A32(1), 8);
  if (!err && !p) err = WASI_EFAULT;
  if (!err) {
    memset(p, 0, 8);
    wasi_put32(p + 4, (uint32_t)strlen(e->preopen));
  }
  RET(err);
}

/* Writes the name without a NUL; a buffer shorter than the name is
 * ENAMETOOLONG (as wasmtime). */
WASI_FN(fd_prestat_dir_name) {
  rt_wasi *w = env;
  wasi_fd *e;
  int err = wasi_fd_get(w, A32(0), 0, &e);
  if (!err && !e->preopen) err = WASI_EBADF;
  if (!err) {
    size_t n = strlen(e->preopen);
    uint8_t *p = wasi_mem(w, A32(1), A32(2));
    if (!p) err = WASI_EFAULT;
    else if (A32(2) < n) err = WASI_ENAMETOOLONG;
    else memcpy(p, e->preopen, n);
  }
  RET(err);
}

/* ---- close, renumber ---- */

WASI_FN(fd_close) {
  rt_wasi *w = env;
  wasi_fd *e;
  int err = wasi_fd_get(w, A32(0), 0, &e);
  if (!err) {
    w->fds[A32(0)] = NULL;
    wasi_fd_free(e);
  }
  RET(err);
}

/* fd_renumber(from, to): `to` must be open (witx: "atomically replaces");
 * it is closed and `from` takes its number. */
WASI_FN(fd_renumber) {
  rt_wasi *w = env;
  wasi_fd *from, *to;
  int err = wasi_fd_get(w, A32(0), 0, &from);
  if (!err) err = wasi_fd_get(w, A32(1), 0, &to);
  if (!err && from != to) {
    wasi_fd_free(to);
    w->fds[A32(1)] = from;
    w->fds[A32(0)] = NULL;
  }
  RET(err);
}
