/* The OS layer for WASI (DESIGN.md decision 10): files, directories,
 * clocks, randomness, readiness polling and sockets. os_fs_posix.c
 * implements it for Linux and macOS; a Win32 backend implements the same
 * functions with HANDLEs. Nothing here names a platform type: handles are
 * os_fd, metadata is os_stat, and every function returns an os error code
 * numbered exactly like wasi_snapshot_preview1's `errno` (witx
 * typenames.witx), so WASI passes them to the guest unchanged and each
 * backend maps its native errors in one table.
 *
 * Sandboxing is the caller's job (wasi_path.c): the *at functions take one
 * path component (no '/'), never follow a symlink in it, and never resolve
 * anything above `dir`. */
#ifndef FERRY_RUNTIME_OS_FS_H
#define FERRY_RUNTIME_OS_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A host file/directory/socket handle: an fd on POSIX, a HANDLE on Win32. */
typedef intptr_t os_fd;
#define OS_FD_NONE ((os_fd)-1)

/* Error codes: the WASI errno numbering (witx `errno`). */
enum {
  OS_OK = 0, OS_E2BIG = 1, OS_EACCES = 2, OS_EADDRINUSE = 3,
  OS_EADDRNOTAVAIL = 4, OS_EAFNOSUPPORT = 5, OS_EAGAIN = 6, OS_EALREADY = 7,
  OS_EBADF = 8, OS_EBADMSG = 9, OS_EBUSY = 10, OS_ECANCELED = 11,
  OS_ECHILD = 12, OS_ECONNABORTED = 13, OS_ECONNREFUSED = 14,
  OS_ECONNRESET = 15, OS_EDEADLK = 16, OS_EDESTADDRREQ = 17, OS_EDOM = 18,
  OS_EDQUOT = 19, OS_EEXIST = 20, OS_EFAULT = 21, OS_EFBIG = 22,
  OS_EHOSTUNREACH = 23, OS_EIDRM = 24, OS_EILSEQ = 25, OS_EINPROGRESS = 26,
  OS_EINTR = 27, OS_EINVAL = 28, OS_EIO = 29, OS_EISCONN = 30,
  OS_EISDIR = 31, OS_ELOOP = 32, OS_EMFILE = 33, OS_EMLINK = 34,
  OS_EMSGSIZE = 35, OS_EMULTIHOP = 36, OS_ENAMETOOLONG = 37,
  OS_ENETDOWN = 38, OS_ENETRESET = 39, OS_ENETUNREACH = 40, OS_ENFILE = 41,
  OS_ENOBUFS = 42, OS_ENODEV = 43, OS_ENOENT = 44, OS_ENOEXEC = 45,
  OS_ENOLCK = 46, OS_ENOLINK = 47, OS_ENOMEM = 48, OS_ENOMSG = 49,
  OS_ENOPROTOOPT = 50, OS_ENOSPC = 51, OS_ENOSYS = 52, OS_ENOTCONN = 53,
  OS_ENOTDIR = 54, OS_ENOTEMPTY = 55, OS_ENOTRECOVERABLE = 56,
  OS_ENOTSOCK = 57, OS_ENOTSUP = 58, OS_ENOTTY = 59, OS_ENXIO = 60,
  OS_EOVERFLOW = 61, OS_EOWNERDEAD = 62, OS_EPERM = 63, OS_EPIPE = 64,
  OS_EPROTO = 65, OS_EPROTONOSUPPORT = 66, OS_EPROTOTYPE = 67,
  OS_ERANGE = 68, OS_EROFS = 69, OS_ESPIPE = 70, OS_ESRCH = 71,
  OS_ESTALE = 72, OS_ETIMEDOUT = 73, OS_ETXTBSY = 74, OS_EXDEV = 75,
  OS_ENOTCAPABLE = 76
};

/* File types: the WASI `filetype` numbering. */
enum {
  OS_FT_UNKNOWN = 0, OS_FT_BLOCK_DEVICE = 1, OS_FT_CHARACTER_DEVICE = 2,
  OS_FT_DIRECTORY = 3, OS_FT_REGULAR_FILE = 4, OS_FT_SOCKET_DGRAM = 5,
  OS_FT_SOCKET_STREAM = 6, OS_FT_SYMBOLIC_LINK = 7
};

typedef struct {
  uint64_t dev, ino, nlink, size;
  uint64_t atim, mtim, ctim; /* nanoseconds since the Unix epoch */
  uint8_t type;              /* OS_FT_* */
} os_stat;

/* One buffer of a vectored transfer. */
typedef struct {
  void *base;
  size_t len;
} os_iov;

/* ---- opening ---- */

enum {
  OS_O_READ = 1 << 0, OS_O_WRITE = 1 << 1, OS_O_CREAT = 1 << 2,
  OS_O_EXCL = 1 << 3, OS_O_TRUNC = 1 << 4, OS_O_DIRECTORY = 1 << 5,
  OS_O_APPEND = 1 << 6, OS_O_NONBLOCK = 1 << 7, OS_O_DSYNC = 1 << 8,
  OS_O_SYNC = 1 << 9, OS_O_RSYNC = 1 << 10
};

/* Opens a host directory given by the user (--dir): the only function that
 * takes a whole host path. */
int os_fs_open_dir(const char *host_path, os_fd *out);
/* Opens `name` (one component, "." allowed) relative to dir, never
 * following a symlink: a symlink gives OS_ELOOP. */
int os_fs_openat(os_fd dir, const char *name, int oflags, os_fd *out);
int os_fs_close(os_fd fd);
/* The host's standard stream i (0, 1, 2), borrowed: never closed. */
os_fd os_fs_stdio(int i);

/* ---- transfer ---- */

int os_fs_readv(os_fd fd, const os_iov *iov, size_t n, size_t *done);
int os_fs_writev(os_fd fd, const os_iov *iov, size_t n, size_t *done);
int os_fs_preadv(os_fd fd, const os_iov *iov, size_t n, uint64_t off,
                 size_t *done);
int os_fs_pwritev(os_fd fd, const os_iov *iov, size_t n, uint64_t off,
                  size_t *done);
/* whence: 0 set, 1 current, 2 end (the WASI numbering). */
int os_fs_seek(os_fd fd, int64_t off, int whence, uint64_t *pos);
int os_fs_sync(os_fd fd, bool data_only);
/* advice: the WASI `advice` numbering; hints may be ignored. */
int os_fs_advise(os_fd fd, uint64_t off, uint64_t len, int advice);
int os_fs_allocate(os_fd fd, uint64_t off, uint64_t len);
/* Bytes readable without blocking (pipes, sockets, terminals). */
int os_fs_readable(os_fd fd, uint64_t *n);

/* ---- status ---- */

int os_fs_fstat(os_fd fd, os_stat *st);
/* Stats `name` in dir without following a symlink. */
int os_fs_statat(os_fd dir, const char *name, os_stat *st);
/* Current OS_O_APPEND/OS_O_NONBLOCK/OS_O_*SYNC flags of an open handle. */
int os_fs_get_flags(os_fd fd, int *oflags);
/* Changes OS_O_APPEND and OS_O_NONBLOCK (others give OS_ENOTSUP). */
int os_fs_set_flags(os_fd fd, int oflags);
int os_fs_truncate(os_fd fd, uint64_t size);

/* Timestamp updates: OS_TIME_OMIT leaves one unchanged, OS_TIME_NOW sets
 * the current time, anything else is nanoseconds since the epoch. */
#define OS_TIME_OMIT UINT64_MAX
#define OS_TIME_NOW (UINT64_MAX - 1)
int os_fs_futimes(os_fd fd, uint64_t atim, uint64_t mtim);
int os_fs_utimesat(os_fd dir, const char *name, uint64_t atim,
                   uint64_t mtim);

/* ---- directories (names are single components) ---- */

typedef struct {
  char *name;
  uint64_t ino;
  uint8_t type; /* OS_FT_* */
} os_dirent;

/* Lists dir from its start, "." and ".." included, into a new array
 * (free with os_fs_dirents_free). */
int os_fs_readdir(os_fd dir, os_dirent **ents, size_t *n);
void os_fs_dirents_free(os_dirent *ents, size_t n);
int os_fs_mkdirat(os_fd dir, const char *name);
int os_fs_rmdirat(os_fd dir, const char *name);
int os_fs_unlinkat(os_fd dir, const char *name);
int os_fs_renameat(os_fd odir, const char *oname, os_fd ndir,
                   const char *nname);
/* Hard link; a symlink `oname` is linked itself, never followed. */
int os_fs_linkat(os_fd odir, const char *oname, os_fd ndir,
                 const char *nname);
int os_fs_symlinkat(const char *target, os_fd dir, const char *name);
/* Reads a symlink's target into a new NUL-terminated string (free()).
 * OS_EINVAL when `name` is not a symlink. */
int os_fs_readlinkat(os_fd dir, const char *name, char **target);

/* ---- clocks and randomness ---- */

/* id: 0 realtime, 1 monotonic, 2 process CPU, 3 thread CPU (WASI
 * `clockid`); OS_EINVAL for others. */
int os_clock_time(int id, uint64_t *ns);
int os_clock_res(int id, uint64_t *ns);
int os_random(void *buf, size_t len);
void os_yield(void);

/* ---- readiness ---- */

enum { OS_POLL_READ = 1, OS_POLL_WRITE = 2, OS_POLL_HUP = 4, OS_POLL_ERR = 8 };
typedef struct {
  os_fd fd;
  uint8_t events;  /* OS_POLL_READ / OS_POLL_WRITE */
  uint8_t revents; /* set by os_poll */
} os_pollfd;

/* Waits until one handle is ready or timeout_ns passes (UINT64_MAX: no
 * limit). With n == 0 it just sleeps. */
int os_poll(os_pollfd *fds, size_t n, uint64_t timeout_ns);

/* ---- sockets ---- */

/* A listening TCP socket on "HOST:PORT" (--tcplisten). */
int os_sock_listen(const char *addr, os_fd *out);
int os_sock_accept(os_fd fd, bool nonblock, os_fd *out);
/* flags: 1 peek, 2 waitall (WASI `riflags`). */
int os_sock_recv(os_fd fd, const os_iov *iov, size_t n, int flags,
                 size_t *done);
int os_sock_send(os_fd fd, const os_iov *iov, size_t n, size_t *done);
/* how: 1 read side, 2 write side, 3 both (WASI `sdflags`). */
int os_sock_shutdown(os_fd fd, int how);

#endif
