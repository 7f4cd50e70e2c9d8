/* os_fs.h for POSIX hosts (Linux, macOS). The whole file is POSIX-only;
 * os_fs_win32.c is its Windows twin. */
#ifndef _WIN32
#define _DEFAULT_SOURCE 1  /* getrandom, FIONREAD, DT_* on glibc */
#define _DARWIN_C_SOURCE 1 /* the same on macOS */

#include "runtime/os_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

#ifndef O_RSYNC
#define O_RSYNC O_SYNC
#endif
#ifndef O_DSYNC
#define O_DSYNC O_SYNC
#endif
#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

/* The one table from host errno to WASI errno numbers. Duplicated host
 * values (EAGAIN/EWOULDBLOCK, ENOTSUP/EOPNOTSUPP on Linux) are harmless:
 * the first match wins. */
static const struct {
  int host, os;
} errno_table[] = {
    {E2BIG, OS_E2BIG}, {EACCES, OS_EACCES}, {EADDRINUSE, OS_EADDRINUSE},
    {EADDRNOTAVAIL, OS_EADDRNOTAVAIL}, {EAFNOSUPPORT, OS_EAFNOSUPPORT},
    {EAGAIN, OS_EAGAIN}, {EWOULDBLOCK, OS_EAGAIN}, {EALREADY, OS_EALREADY},
    {EBADF, OS_EBADF}, {EBADMSG, OS_EBADMSG}, {EBUSY, OS_EBUSY},
    {ECANCELED, OS_ECANCELED}, {ECHILD, OS_ECHILD},
    {ECONNABORTED, OS_ECONNABORTED}, {ECONNREFUSED, OS_ECONNREFUSED},
    {ECONNRESET, OS_ECONNRESET}, {EDEADLK, OS_EDEADLK},
    {EDESTADDRREQ, OS_EDESTADDRREQ}, {EDOM, OS_EDOM}, {EDQUOT, OS_EDQUOT},
    {EEXIST, OS_EEXIST}, {EFAULT, OS_EFAULT}, {EFBIG, OS_EFBIG},
    {EHOSTUNREACH, OS_EHOSTUNREACH}, {EIDRM, OS_EIDRM}, {EILSEQ, OS_EILSEQ},
    {EINPROGRESS, OS_EINPROGRESS}, {EINTR, OS_EINTR}, {EINVAL, OS_EINVAL},
    {EIO, OS_EIO}, {EISCONN, OS_EISCONN}, {EISDIR, OS_EISDIR},
    {ELOOP, OS_ELOOP}, {EMFILE, OS_EMFILE}, {EMLINK, OS_EMLINK},
    {EMSGSIZE, OS_EMSGSIZE}, {EMULTIHOP, OS_EMULTIHOP},
    {ENAMETOOLONG, OS_ENAMETOOLONG}, {ENETDOWN, OS_ENETDOWN},
    {ENETRESET, OS_ENETRESET}, {ENETUNREACH, OS_ENETUNREACH},
    {ENFILE, OS_ENFILE}, {ENOBUFS, OS_ENOBUFS}, {ENODEV, OS_ENODEV},
    {ENOENT, OS_ENOENT}, {ENOEXEC, OS_ENOEXEC}, {ENOLCK, OS_ENOLCK},
    {ENOLINK, OS_ENOLINK}, {ENOMEM, OS_ENOMEM}, {ENOMSG, OS_ENOMSG},
    {ENOPROTOOPT, OS_ENOPROTOOPT}, {ENOSPC, OS_ENOSPC}, {ENOSYS, OS_ENOSYS},
    {ENOTCONN, OS_ENOTCONN}, {ENOTDIR, OS_ENOTDIR},
    {ENOTEMPTY, OS_ENOTEMPTY}, {ENOTRECOVERABLE, OS_ENOTRECOVERABLE},
    {ENOTSOCK, OS_ENOTSOCK}, {ENOTSUP, OS_ENOTSUP}, {EOPNOTSUPP, OS_ENOTSUP},
    {ENOTTY, OS_ENOTTY}, {ENXIO, OS_ENXIO}, {EOVERFLOW, OS_EOVERFLOW},
    {EOWNERDEAD, OS_EOWNERDEAD}, {EPERM, OS_EPERM}, {EPIPE, OS_EPIPE},
    {EPROTO, OS_EPROTO}, {EPROTONOSUPPORT, OS_EPROTONOSUPPORT},
    {EPROTOTYPE, OS_EPROTOTYPE}, {ERANGE, OS_ERANGE}, {EROFS, OS_EROFS},
    {ESPIPE, OS_ESPIPE}, {ESRCH, OS_ESRCH}, {ESTALE, OS_ESTALE},
    {ETIMEDOUT, OS_ETIMEDOUT}, {ETXTBSY, OS_ETXTBSY}, {EXDEV, OS_EXDEV},
};

static int map_errno(int e) {
  for (size_t i = 0; i < sizeof errno_table / sizeof *errno_table; i++)
    if (errno_table[i].host == e) return errno_table[i].os;
  return OS_EIO;
}

static int err(void) { return map_errno(errno); }

static uint8_t mode_type(mode_t m) {
  if (S_ISREG(m)) return OS_FT_REGULAR_FILE;
  if (S_ISDIR(m)) return OS_FT_DIRECTORY;
  if (S_ISLNK(m)) return OS_FT_SYMBOLIC_LINK;
  if (S_ISCHR(m)) return OS_FT_CHARACTER_DEVICE;
  if (S_ISBLK(m)) return OS_FT_BLOCK_DEVICE;
  if (S_ISSOCK(m)) return OS_FT_SOCKET_STREAM;
  return OS_FT_UNKNOWN; /* FIFOs too: WASI has no type for them */
}

static uint64_t ts_ns(struct timespec t) {
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void fill_stat(const struct stat *s, os_stat *st) {
  st->dev = (uint64_t)s->st_dev;
  st->ino = (uint64_t)s->st_ino;
  st->nlink = (uint64_t)s->st_nlink;
  st->size = (uint64_t)s->st_size;
#if defined(__APPLE__)
  st->atim = ts_ns(s->st_atimespec);
  st->mtim = ts_ns(s->st_mtimespec);
  st->ctim = ts_ns(s->st_ctimespec);
#else
  st->atim = ts_ns(s->st_atim);
  st->mtim = ts_ns(s->st_mtim);
  st->ctim = ts_ns(s->st_ctim);
#endif
  st->type = mode_type(s->st_mode);
}

static int host_oflags(int o) {
  int f = O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
  if ((o & OS_O_READ) && (o & OS_O_WRITE)) f |= O_RDWR;
  else if (o & OS_O_WRITE) f |= O_WRONLY;
  else f |= O_RDONLY;
  if (o & OS_O_CREAT) f |= O_CREAT;
  if (o & OS_O_EXCL) f |= O_EXCL;
  if (o & OS_O_TRUNC) f |= O_TRUNC;
  if (o & OS_O_DIRECTORY) f |= O_DIRECTORY;
  if (o & OS_O_APPEND) f |= O_APPEND;
  if (o & OS_O_NONBLOCK) f |= O_NONBLOCK;
  if (o & OS_O_DSYNC) f |= O_DSYNC;
  if (o & OS_O_SYNC) f |= O_SYNC;
  if (o & OS_O_RSYNC) f |= O_RSYNC;
  return f;
}

int os_fs_open_dir(const char *host_path, os_fd *out) {
  int fd = open(host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return err();
  *out = fd;
  return OS_OK;
}

int os_fs_openat(os_fd dir, const char *name, int oflags, os_fd *out) {
  int fd;
  do fd = openat((int)dir, name, host_oflags(oflags), 0666);
  while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    int e = errno;
    /* FreeBSD reports O_NOFOLLOW on a symlink as EMLINK; Linux as ELOOP. */
    if (e == EMLINK) e = ELOOP;
    return map_errno(e);
  }
  *out = fd;
  return OS_OK;
}

int os_fs_close(os_fd fd) { return close((int)fd) ? err() : OS_OK; }

os_fd os_fs_stdio(int i) { return i; }

/* Copies at most IOV_MAX buffers into a host iovec array: a transfer may be
 * partial anyway, so the rest waits for the guest's next call. */
static struct iovec *host_iov(const os_iov *iov, size_t *n) {
  if (*n > IOV_MAX) *n = IOV_MAX;
  struct iovec *h = malloc((*n ? *n : 1) * sizeof *h);
  if (!h) return NULL;
  for (size_t i = 0; i < *n; i++) {
    h[i].iov_base = iov[i].base;
    h[i].iov_len = iov[i].len;
  }
  return h;
}

static int transfer(os_fd fd, const os_iov *iov, size_t n, bool write,
                    bool positioned, uint64_t off, size_t *done) {
  *done = 0;
  if (positioned && off > (uint64_t)INT64_MAX) return OS_EINVAL;
  struct iovec *h = host_iov(iov, &n);
  if (!h) return OS_ENOMEM;
  ssize_t r;
  if (!positioned) {
    do r = write ? writev((int)fd, h, (int)n) : readv((int)fd, h, (int)n);
    while (r < 0 && errno == EINTR);
  } else {
    /* POSIX has no preadv; one buffer at a time, stopping at a short one. */
    r = 0;
    for (size_t i = 0; i < n; i++) {
      ssize_t k;
      do k = write ? pwrite((int)fd, h[i].iov_base, h[i].iov_len,
                            (off_t)(off + (uint64_t)r))
                   : pread((int)fd, h[i].iov_base, h[i].iov_len,
                           (off_t)(off + (uint64_t)r));
      while (k < 0 && errno == EINTR);
      if (k < 0) {
        if (r == 0) r = -1;
        break;
      }
      r += k;
      if ((size_t)k < h[i].iov_len) break;
    }
  }
  int e = r < 0 ? err() : OS_OK;
  free(h);
  if (r >= 0) *done = (size_t)r;
  return e;
}

int os_fs_readv(os_fd fd, const os_iov *iov, size_t n, size_t *done) {
  return transfer(fd, iov, n, false, false, 0, done);
}
int os_fs_writev(os_fd fd, const os_iov *iov, size_t n, size_t *done) {
  return transfer(fd, iov, n, true, false, 0, done);
}
int os_fs_preadv(os_fd fd, const os_iov *iov, size_t n, uint64_t off,
                 size_t *done) {
  return transfer(fd, iov, n, false, true, off, done);
}
int os_fs_pwritev(os_fd fd, const os_iov *iov, size_t n, uint64_t off,
                  size_t *done) {
  return transfer(fd, iov, n, true, true, off, done);
}

int os_fs_seek(os_fd fd, int64_t off, int whence, uint64_t *pos) {
  static const int w[] = {SEEK_SET, SEEK_CUR, SEEK_END};
  if (whence < 0 || whence > 2) return OS_EINVAL;
  off_t r = lseek((int)fd, (off_t)off, w[whence]);
  if (r < 0) return err();
  *pos = (uint64_t)r;
  return OS_OK;
}

int os_fs_sync(os_fd fd, bool data_only) {
#if defined(__APPLE__)
  (void)data_only;
  return fsync((int)fd) ? err() : OS_OK;
#else
  return (data_only ? fdatasync((int)fd) : fsync((int)fd)) ? err() : OS_OK;
#endif
}

int os_fs_advise(os_fd fd, uint64_t off, uint64_t len, int advice) {
#if defined(POSIX_FADV_NORMAL) && !defined(__APPLE__)
  static const int a[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL,
                          POSIX_FADV_RANDOM,   POSIX_FADV_WILLNEED,
                          POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  if (advice < 0 || advice > 5) return OS_EINVAL;
  if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX) return OS_EINVAL;
  int r = posix_fadvise((int)fd, (off_t)off, (off_t)len, a[advice]);
  /* A pipe or a file system without advice support: a hint, so ignored. */
  return r == 0 || r == ESPIPE || r == ENOSYS ? OS_OK : map_errno(r);
#else
  if (advice < 0 || advice > 5) return OS_EINVAL;
  return OS_OK;
#endif
}

int os_fs_allocate(os_fd fd, uint64_t off, uint64_t len) {
  if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off)
    return OS_EFBIG;
  struct stat s;
  if (fstat((int)fd, &s)) return err();
  if ((uint64_t)s.st_size >= off + len) return OS_OK;
  int r = posix_fallocate((int)fd, (off_t)off, (off_t)len);
  if (r == EINVAL || r == EOPNOTSUPP) /* e.g. tmpfs quirks: extend instead */
    r = ftruncate((int)fd, (off_t)(off + len)) ? errno : 0;
  return r ? map_errno(r) : OS_OK;
}

int os_fs_readable(os_fd fd, uint64_t *n) {
  int k = 0;
  if (ioctl((int)fd, FIONREAD, &k) < 0) return err();
  *n = k > 0 ? (uint64_t)k : 0;
  return OS_OK;
}

int os_fs_fstat(os_fd fd, os_stat *st) {
  struct stat s;
  if (fstat((int)fd, &s)) return err();
  fill_stat(&s, st);
  return OS_OK;
}

int os_fs_statat(os_fd dir, const char *name, os_stat *st) {
  struct stat s;
  if (fstatat((int)dir, name, &s, AT_SYMLINK_NOFOLLOW)) return err();
  fill_stat(&s, st);
  return OS_OK;
}

int os_fs_get_flags(os_fd fd, int *oflags) {
  int f = fcntl((int)fd, F_GETFL);
  if (f < 0) return err();
  int o = 0;
  if (f & O_APPEND) o |= OS_O_APPEND;
  if (f & O_NONBLOCK) o |= OS_O_NONBLOCK;
  if ((f & O_SYNC) == O_SYNC) o |= OS_O_SYNC;
  else if (f & O_DSYNC) o |= OS_O_DSYNC;
  *oflags = o;
  return OS_OK;
}

int os_fs_set_flags(os_fd fd, int oflags) {
  if (oflags & ~(OS_O_APPEND | OS_O_NONBLOCK)) return OS_ENOTSUP;
  int f = fcntl((int)fd, F_GETFL);
  if (f < 0) return err();
  f &= ~(O_APPEND | O_NONBLOCK);
  if (oflags & OS_O_APPEND) f |= O_APPEND;
  if (oflags & OS_O_NONBLOCK) f |= O_NONBLOCK;
  return fcntl((int)fd, F_SETFL, f) < 0 ? err() : OS_OK;
}

int os_fs_truncate(os_fd fd, uint64_t size) {
  if (size > (uint64_t)INT64_MAX) return OS_EFBIG;
  return ftruncate((int)fd, (off_t)size) ? err() : OS_OK;
}

static struct timespec time_spec(uint64_t t) {
  struct timespec s = {0, UTIME_OMIT};
  if (t == OS_TIME_NOW) s.tv_nsec = UTIME_NOW;
  else if (t != OS_TIME_OMIT) {
    s.tv_sec = (time_t)(t / 1000000000u);
    s.tv_nsec = (long)(t % 1000000000u);
  }
  return s;
}

int os_fs_futimes(os_fd fd, uint64_t atim, uint64_t mtim) {
  struct timespec t[2] = {time_spec(atim), time_spec(mtim)};
  return futimens((int)fd, t) ? err() : OS_OK;
}

int os_fs_utimesat(os_fd dir, const char *name, uint64_t atim,
                   uint64_t mtim) {
  struct timespec t[2] = {time_spec(atim), time_spec(mtim)};
  return utimensat((int)dir, name, t, AT_SYMLINK_NOFOLLOW) ? err() : OS_OK;
}

void os_fs_dirents_free(os_dirent *ents, size_t n) {
  if (!ents) return;
  for (size_t i = 0; i < n; i++) free(ents[i].name);
  free(ents);
}

int os_fs_readdir(os_fd dir, os_dirent **out, size_t *count) {
  os_dirent *ents = NULL;
  size_t n = 0, cap = 0;
  int e = OS_OK;
  /* fdopendir takes ownership of its fd, so it gets a duplicate; the
   * duplicate shares the offset, hence the rewind. */
  int fd = fcntl((int)dir, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return err();
  DIR *d = fdopendir(fd);
  if (!d) {
    e = err();
    close(fd);
    return e;
  }
  rewinddir(d);
  for (;;) {
    errno = 0;
    struct dirent *de = readdir(d);
    if (!de) {
      if (errno) e = err();
      break;
    }
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 32;
      os_dirent *g = realloc(ents, ncap * sizeof *g);
      if (!g) {
        e = OS_ENOMEM;
        break;
      }
      ents = g;
      cap = ncap;
    }
    os_dirent *ent = &ents[n];
    if (!(ent->name = strdup(de->d_name))) {
      e = OS_ENOMEM;
      break;
    }
    ent->ino = (uint64_t)de->d_ino;
    n++;
    switch (de->d_type) {
    case DT_REG: ent->type = OS_FT_REGULAR_FILE; break;
    case DT_DIR: ent->type = OS_FT_DIRECTORY; break;
    case DT_LNK: ent->type = OS_FT_SYMBOLIC_LINK; break;
    case DT_CHR: ent->type = OS_FT_CHARACTER_DEVICE; break;
    case DT_BLK: ent->type = OS_FT_BLOCK_DEVICE; break;
    case DT_SOCK: ent->type = OS_FT_SOCKET_STREAM; break;
    case DT_FIFO: ent->type = OS_FT_UNKNOWN; break;
    default: {
      struct stat s;
      ent->type = fstatat(fd, de->d_name, &s, AT_SYMLINK_NOFOLLOW)
                      ? OS_FT_UNKNOWN
                      : mode_type(s.st_mode);
    }
    }
  }
  closedir(d);
  if (e) {
    os_fs_dirents_free(ents, n);
    return e;
  }
  *out = ents;
  *count = n;
  return OS_OK;
}

int os_fs_mkdirat(os_fd dir, const char *name) {
  return mkdirat((int)dir, name, 0777) ? err() : OS_OK;
}

int os_fs_rmdirat(os_fd dir, const char *name) {
  return unlinkat((int)dir, name, AT_REMOVEDIR) ? err() : OS_OK;
}

int os_fs_unlinkat(os_fd dir, const char *name) {
  if (!unlinkat((int)dir, name, 0)) return OS_OK;
  /* Linux says EISDIR, POSIX allows EPERM for a directory: WASI programs
   * expect EISDIR (wasmtime normalises it the same way). */
  int e = errno;
  if (e == EPERM) {
    struct stat s;
    if (!fstatat((int)dir, name, &s, AT_SYMLINK_NOFOLLOW) && S_ISDIR(s.st_mode))
      e = EISDIR;
  }
  return map_errno(e);
}

int os_fs_renameat(os_fd odir, const char *oname, os_fd ndir,
                   const char *nname) {
  return renameat((int)odir, oname, (int)ndir, nname) ? err() : OS_OK;
}

int os_fs_linkat(os_fd odir, const char *oname, os_fd ndir,
                 const char *nname) {
  return linkat((int)odir, oname, (int)ndir, nname, 0) ? err() : OS_OK;
}

int os_fs_symlinkat(const char *target, os_fd dir, const char *name) {
  return symlinkat(target, (int)dir, name) ? err() : OS_OK;
}

int os_fs_readlinkat(os_fd dir, const char *name, char **target) {
  size_t cap = 256;
  for (;;) {
    char *buf = malloc(cap);
    if (!buf) return OS_ENOMEM;
    ssize_t r = readlinkat((int)dir, name, buf, cap);
    if (r < 0) {
      int e = err();
      free(buf);
      return e;
    }
    if ((size_t)r < cap) {
      buf[r] = 0;
      *target = buf;
      return OS_OK;
    }
    free(buf); /* possibly truncated: retry bigger */
    if (cap > (1u << 20)) return OS_ENAMETOOLONG;
    cap *= 2;
  }
}

static bool clock_of(int id, clockid_t *c) {
  switch (id) {
  case 0: *c = CLOCK_REALTIME; return true;
  case 1: *c = CLOCK_MONOTONIC; return true;
  case 2: *c = CLOCK_PROCESS_CPUTIME_ID; return true;
  case 3: *c = CLOCK_THREAD_CPUTIME_ID; return true;
  default: return false;
  }
}

int os_clock_time(int id, uint64_t *ns) {
  clockid_t c;
  struct timespec t;
  if (!clock_of(id, &c)) return OS_EINVAL;
  if (clock_gettime(c, &t)) return err();
  *ns = ts_ns(t);
  return OS_OK;
}

int os_clock_res(int id, uint64_t *ns) {
  clockid_t c;
  struct timespec t;
  if (!clock_of(id, &c)) return OS_EINVAL;
  if (clock_getres(c, &t)) return err();
  *ns = ts_ns(t);
  if (*ns == 0) *ns = 1;
  return OS_OK;
}

int os_random(void *buf, size_t len) {
  uint8_t *p = buf;
#if defined(__linux__)
  while (len) {
    ssize_t r = getrandom(p, len, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return err();
    }
    p += r;
    len -= (size_t)r;
  }
  return OS_OK;
#else
  while (len) {
    size_t k = len > 256 ? 256 : len;
    if (getentropy(p, k)) return err();
    p += k;
    len -= k;
  }
  return OS_OK;
#endif
}

void os_yield(void) { sched_yield(); }

int os_poll(os_pollfd *fds, size_t n, uint64_t timeout_ns) {
  int e = OS_OK;
  struct pollfd *p = calloc(n ? n : 1, sizeof *p);
  if (!p) return OS_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    p[i].fd = (int)fds[i].fd;
    p[i].events = (short)(((fds[i].events & OS_POLL_READ) ? POLLIN : 0) |
                          ((fds[i].events & OS_POLL_WRITE) ? POLLOUT : 0));
  }
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    int ms = -1;
    if (timeout_ns != UINT64_MAX) {
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      uint64_t spent = ts_ns(now) - ts_ns(start);
      uint64_t left = spent >= timeout_ns ? 0 : timeout_ns - spent;
      /* Round up so a sleep never ends before its deadline. */
      uint64_t m = (left + 999999u) / 1000000u;
      ms = m > INT_MAX ? INT_MAX : (int)m;
    }
    int r = poll(p, (nfds_t)n, ms);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      e = err();
      break;
    }
    if (r == 0 && timeout_ns != UINT64_MAX) {
      /* poll's millisecond timer may wake a little early: check. */
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      if (ts_ns(now) - ts_ns(start) < timeout_ns) continue;
    }
    for (size_t i = 0; i < n; i++) {
      short re = p[i].revents;
      fds[i].revents = (uint8_t)(((re & POLLIN) ? OS_POLL_READ : 0) |
                                 ((re & POLLOUT) ? OS_POLL_WRITE : 0) |
                                 ((re & POLLHUP) ? OS_POLL_HUP : 0) |
                                 ((re & (POLLERR | POLLNVAL)) ? OS_POLL_ERR : 0));
    }
    break;
  }
  free(p);
  return e;
}

int os_sock_listen(const char *addr, os_fd *out) {
  char host[256];
  const char *colon = strrchr(addr, ':');
  if (!colon || (size_t)(colon - addr) >= sizeof host) return OS_EINVAL;
  memcpy(host, addr, (size_t)(colon - addr));
  host[colon - addr] = 0;
  /* "[::1]:80": strip the brackets of an IPv6 literal. */
  char *h = host;
  size_t hl = strlen(h);
  if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
    h[hl - 1] = 0;
    h++;
  }
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  if (getaddrinfo(*h ? h : NULL, colon + 1, &hints, &res) || !res)
    return OS_EINVAL;
  int e = OS_EADDRNOTAVAIL;
  for (struct addrinfo *a = res; a; a = a->ai_next) {
    int s = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (s < 0) {
      e = err();
      continue;
    }
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s, a->ai_addr, a->ai_addrlen) || listen(s, 64)) {
      e = err();
      close(s);
      continue;
    }
    fcntl(s, F_SETFD, FD_CLOEXEC);
    *out = s;
    e = OS_OK;
    break;
  }
  freeaddrinfo(res);
  return e;
}

int os_sock_accept(os_fd fd, bool nonblock, os_fd *out) {
  int s;
  do s = accept((int)fd, NULL, NULL);
  while (s < 0 && errno == EINTR);
  if (s < 0) return err();
  fcntl(s, F_SETFD, FD_CLOEXEC);
  if (nonblock) fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
  *out = s;
  return OS_OK;
}

int os_sock_recv(os_fd fd, const os_iov *iov, size_t n, int flags,
                 size_t *done) {
  *done = 0;
  struct iovec *h = host_iov(iov, &n);
  if (!h) return OS_ENOMEM;
  struct msghdr m;
  memset(&m, 0, sizeof m);
  m.msg_iov = h;
  m.msg_iovlen = n;
  int f = ((flags & 1) ? MSG_PEEK : 0) | ((flags & 2) ? MSG_WAITALL : 0);
  ssize_t r;
  do r = recvmsg((int)fd, &m, f);
  while (r < 0 && errno == EINTR);
  int e = r < 0 ? err() : OS_OK;
  free(h);
  if (r >= 0) *done = (size_t)r;
  return e;
}

int os_sock_send(os_fd fd, const os_iov *iov, size_t n, size_t *done) {
  *done = 0;
  struct iovec *h = host_iov(iov, &n);
  if (!h) return OS_ENOMEM;
  struct msghdr m;
  memset(&m, 0, sizeof m);
  m.msg_iov = h;
  m.msg_iovlen = n;
  ssize_t r;
#ifdef MSG_NOSIGNAL
  const int f = MSG_NOSIGNAL; /* a closed peer is EPIPE, not a SIGPIPE */
#else
  const int f = 0;
#endif
  do r = sendmsg((int)fd, &m, f);
  while (r < 0 && errno == EINTR);
  int e = r < 0 ? err() : OS_OK;
  free(h);
  if (r >= 0) *done = (size_t)r;
  return e;
}

int os_sock_shutdown(os_fd fd, int how) {
  int h = how == 1 ? SHUT_RD : how == 2 ? SHUT_WR : SHUT_RDWR;
  return shutdown((int)fd, h) ? err() : OS_OK;
}

#endif /* !_WIN32 */
