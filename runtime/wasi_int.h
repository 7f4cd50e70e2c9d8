/* WASI internals shared by wasi.c (core, args, clocks, proc), wasi_fd.c,
 * wasi_path.c (sandboxed path resolution) and wasi_poll.c (poll, sockets).
 * Names, numbers and layouts follow wasi_snapshot_preview1's witx
 * (typenames.witx); every guest pointer goes through wasi_mem. */
#ifndef FERRY_RUNTIME_WASI_INT_H
#define FERRY_RUNTIME_WASI_INT_H

#include <string.h>

#include "runtime/os_fs.h"
#include "runtime/wasi.h"
#include "runtime/wasi_bundle.h" /* wasi_vfs_*: every handle operation */

/* errno: the same numbers as the OS layer's codes. */
enum {
  WASI_ESUCCESS = OS_OK, WASI_EBADF = OS_EBADF, WASI_EFAULT = OS_EFAULT,
  WASI_EINVAL = OS_EINVAL, WASI_ENOMEM = OS_ENOMEM, WASI_ENOSYS = OS_ENOSYS,
  WASI_ENOTCAPABLE = OS_ENOTCAPABLE, WASI_ESPIPE = OS_ESPIPE,
  WASI_ENOTSOCK = OS_ENOTSOCK, WASI_ENOTDIR = OS_ENOTDIR,
  WASI_EISDIR = OS_EISDIR, WASI_ELOOP = OS_ELOOP, WASI_ENOENT = OS_ENOENT,
  WASI_EEXIST = OS_EEXIST, WASI_ERANGE = OS_ERANGE,
  WASI_ENAMETOOLONG = OS_ENAMETOOLONG, WASI_EOVERFLOW = OS_EOVERFLOW,
  WASI_ENOTSUP = OS_ENOTSUP, WASI_EILSEQ = OS_EILSEQ, WASI_EBUSY = OS_EBUSY
};

/* rights (witx `rights`, bit numbers in declaration order). */
#define WASI_RIGHT(n) (UINT64_C(1) << (n))
enum {
  R_FD_DATASYNC = 0, R_FD_READ, R_FD_SEEK, R_FD_FDSTAT_SET_FLAGS, R_FD_SYNC,
  R_FD_TELL, R_FD_WRITE, R_FD_ADVISE, R_FD_ALLOCATE, R_PATH_CREATE_DIRECTORY,
  R_PATH_CREATE_FILE, R_PATH_LINK_SOURCE, R_PATH_LINK_TARGET, R_PATH_OPEN,
  R_FD_READDIR, R_PATH_READLINK, R_PATH_RENAME_SOURCE, R_PATH_RENAME_TARGET,
  R_PATH_FILESTAT_GET, R_PATH_FILESTAT_SET_SIZE, R_PATH_FILESTAT_SET_TIMES,
  R_FD_FILESTAT_GET, R_FD_FILESTAT_SET_SIZE, R_FD_FILESTAT_SET_TIMES,
  R_PATH_SYMLINK, R_PATH_REMOVE_DIRECTORY, R_PATH_UNLINK_FILE,
  R_POLL_FD_READWRITE, R_SOCK_SHUTDOWN, R_SOCK_ACCEPT, R_COUNT
};
#define WASI_RIGHTS_ALL (WASI_RIGHT(R_COUNT) - 1)
/* Rights that make sense on a regular file / a directory / a stream. */
#define WASI_RIGHTS_FILE                                                     \
  (WASI_RIGHT(R_FD_DATASYNC) | WASI_RIGHT(R_FD_READ) | WASI_RIGHT(R_FD_SEEK) | \
   WASI_RIGHT(R_FD_FDSTAT_SET_FLAGS) | WASI_RIGHT(R_FD_SYNC) |                \
   WASI_RIGHT(R_FD_TELL) | WASI_RIGHT(R_FD_WRITE) | WASI_RIGHT(R_FD_ADVISE) | \
   WASI_RIGHT(R_FD_ALLOCATE) | WASI_RIGHT(R_FD_FILESTAT_GET) |                \
   WASI_RIGHT(R_FD_FILESTAT_SET_SIZE) | WASI_RIGHT(R_FD_FILESTAT_SET_TIMES) | \
   WASI_RIGHT(R_POLL_FD_READWRITE))
#define WASI_RIGHTS_DIR                                                      \
  (WASI_RIGHT(R_FD_FDSTAT_SET_FLAGS) | WASI_RIGHT(R_FD_SYNC) |               \
   WASI_RIGHT(R_FD_DATASYNC) | WASI_RIGHT(R_PATH_CREATE_DIRECTORY) |         \
   WASI_RIGHT(R_PATH_CREATE_FILE) | WASI_RIGHT(R_PATH_LINK_SOURCE) |         \
   WASI_RIGHT(R_PATH_LINK_TARGET) | WASI_RIGHT(R_PATH_OPEN) |                \
   WASI_RIGHT(R_FD_READDIR) | WASI_RIGHT(R_PATH_READLINK) |                  \
   WASI_RIGHT(R_PATH_RENAME_SOURCE) | WASI_RIGHT(R_PATH_RENAME_TARGET) |     \
   WASI_RIGHT(R_PATH_FILESTAT_GET) | WASI_RIGHT(R_PATH_FILESTAT_SET_SIZE) |  \
   WASI_RIGHT(R_PATH_FILESTAT_SET_TIMES) | WASI_RIGHT(R_FD_FILESTAT_GET) |   \
   WASI_RIGHT(R_FD_FILESTAT_SET_TIMES) | WASI_RIGHT(R_PATH_SYMLINK) |        \
   WASI_RIGHT(R_PATH_REMOVE_DIRECTORY) | WASI_RIGHT(R_PATH_UNLINK_FILE))
#define WASI_RIGHTS_STREAM                                                   \
  (WASI_RIGHT(R_FD_READ) | WASI_RIGHT(R_FD_WRITE) |                          \
   WASI_RIGHT(R_FD_FDSTAT_SET_FLAGS) | WASI_RIGHT(R_FD_FILESTAT_GET) |       \
   WASI_RIGHT(R_POLL_FD_READWRITE))
#define WASI_RIGHTS_SOCKET                                                   \
  (WASI_RIGHTS_STREAM | WASI_RIGHT(R_SOCK_SHUTDOWN) | WASI_RIGHT(R_SOCK_ACCEPT))

/* fdflags, oflags, lookupflags, fstflags (witx). */
enum { FDFLAG_APPEND = 1, FDFLAG_DSYNC = 2, FDFLAG_NONBLOCK = 4,
       FDFLAG_RSYNC = 8, FDFLAG_SYNC = 16 };
enum { OFLAG_CREAT = 1, OFLAG_DIRECTORY = 2, OFLAG_EXCL = 4, OFLAG_TRUNC = 8 };
enum { LOOKUP_SYMLINK_FOLLOW = 1 };
enum { FST_ATIM = 1, FST_ATIM_NOW = 2, FST_MTIM = 4, FST_MTIM_NOW = 8 };

/* One entry of ferry's descriptor table. */
typedef struct {
  os_fd h;
  uint8_t type;           /* OS_FT_* (= WASI filetype) */
  bool borrowed;          /* the host's stdio: never closed */
  bool listener;          /* a preopened listening socket */
  uint64_t rights, inheriting;
  char *preopen;          /* guest name of a preopened directory, or NULL */
  /* fd_readdir snapshot, taken when cookie 0 is read (see wasi_fd.c). */
  os_dirent *ents;
  size_t nents;
  bool has_ents;
} wasi_fd;

struct rt_wasi {
  char **argv, **env;
  int argc, envc;
  rt_memory *memory;      /* the guest's exported memory */
  wasi_fd **fds;          /* NULL = free slot */
  uint32_t nfds;
};

/* ---- guest memory: NULL when [addr, addr+len) is not all inside ---- */

static inline uint8_t *wasi_mem(rt_wasi *w, uint64_t addr, uint64_t len) {
  if (!w->memory || !rt_memory_in_bounds(w->memory, addr, len)) return NULL;
  return w->memory->base + addr;
}

static inline void wasi_put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static inline void wasi_put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void wasi_put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint16_t wasi_get16(const uint8_t *p) {
  return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t wasi_get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}
static inline uint64_t wasi_get64(const uint8_t *p) {
  return (uint64_t)wasi_get32(p) | (uint64_t)wasi_get32(p + 4) << 32;
}

/* Writes a u32/u64 result; false (EFAULT) when out of bounds. */
static inline bool wasi_store32(rt_wasi *w, uint64_t addr, uint32_t v) {
  uint8_t *p = wasi_mem(w, addr, 4);
  if (p) wasi_put32(p, v);
  return p != NULL;
}
static inline bool wasi_store64(rt_wasi *w, uint64_t addr, uint64_t v) {
  uint8_t *p = wasi_mem(w, addr, 8);
  if (p) wasi_put64(p, v);
  return p != NULL;
}

/* Host-function argument i as u32 / u64, and the errno result. */
#define A32(i) ((uint32_t)slots[i])
#define A64(i) (slots[i])
#define RET(e) (slots[0] = (uint32_t)(e))

/* ---- descriptor table (wasi.c) ---- */

/* Looks fd up and checks that it has all of `rights`. EBADF when there is
 * no such fd; ENOTCAPABLE when a right is missing, except fd_read and
 * fd_write, which give EBADF like a host read(2) on a descriptor not open
 * for it (and like wasmtime). */
int wasi_fd_get(rt_wasi *w, uint32_t fd, uint64_t rights, wasi_fd **out);
/* Puts ent at the lowest free index. On failure ent is not consumed. */
int wasi_fd_insert(rt_wasi *w, wasi_fd *ent, uint32_t *fd);
/* Closes the handle (unless borrowed) and frees the entry. */
void wasi_fd_free(wasi_fd *ent);
wasi_fd *wasi_fd_new(os_fd h, uint8_t type, uint64_t rights,
                     uint64_t inheriting);

/* Reads a guest iovec/ciovec array (witx `iovec`: u32 buf, u32 buf_len)
 * into a new os_iov array (free()), checking every buffer. */
int wasi_iovs(rt_wasi *w, uint32_t iovs, uint32_t n, os_iov **out);

/* Writes a filestat (64 bytes) at addr. */
int wasi_put_filestat(rt_wasi *w, uint32_t addr, const os_stat *st);

/* Converts fstflags + times to OS_TIME_* values; EINVAL when both a time
 * and _NOW are given for one stamp (witx fstflags). */
int wasi_times(uint32_t fst, uint64_t atim, uint64_t mtim, uint64_t *a,
               uint64_t *m);

/* ---- host functions, by file ---- */

#define WASI_FN(name) void wasi_##name(rt_exec *ex, uint64_t *slots, void *env)
WASI_FN(fd_advise); WASI_FN(fd_allocate); WASI_FN(fd_close);
WASI_FN(fd_datasync); WASI_FN(fd_fdstat_get); WASI_FN(fd_fdstat_set_flags);
WASI_FN(fd_fdstat_set_rights); WASI_FN(fd_filestat_get);
WASI_FN(fd_filestat_set_size); WASI_FN(fd_filestat_set_times);
WASI_FN(fd_pread); WASI_FN(fd_prestat_get); WASI_FN(fd_prestat_dir_name);
WASI_FN(fd_pwrite); WASI_FN(fd_read); WASI_FN(fd_readdir);
WASI_FN(fd_renumber); WASI_FN(fd_seek); WASI_FN(fd_sync); WASI_FN(fd_tell);
WASI_FN(fd_write);
WASI_FN(path_create_directory); WASI_FN(path_filestat_get);
WASI_FN(path_filestat_set_times); WASI_FN(path_link); WASI_FN(path_open);
WASI_FN(path_readlink); WASI_FN(path_remove_directory); WASI_FN(path_rename);
WASI_FN(path_symlink); WASI_FN(path_unlink_file);
WASI_FN(poll_oneoff); WASI_FN(sock_accept); WASI_FN(sock_recv);
WASI_FN(sock_send); WASI_FN(sock_shutdown);

#endif
