/* The read-only in-memory directory tree behind rt_wasi_preopen_bundle (a
 * packed executable's --bundle), and the handle layer WASI uses so that a
 * bundle looks like any preopened directory to the guest.
 *
 * Serialized form, written by `ferry pack` (cmd_pack.c) and read here in place (no
 * copies, no temporary files):
 *
 *   header  "FBUNDLE1", u32 entry count, u32 0                (16 bytes)
 *   entries fixed 32 bytes each, entry 0 the root directory:
 *             u32 parent entry, u32 type (3 directory, 4 regular file:
 *             the WASI filetype numbers), u32 name offset, u32 name length,
 *             u64 a, u64 b: for a file its data offset and size, for a
 *             directory its first child's entry index and child count
 *   names, then file data, at the offsets the entries give.
 *
 * All integers little-endian, offsets from the start of the bundle. The
 * children of a directory are one run of entries sorted by name (bytewise),
 * so lookups bisect and listings come in a stable order.
 *
 * Handles: WASI code calls wasi_vfs_* instead of os_fs_* for every
 * operation on an open handle. A bundle handle is a negative os_fd (the
 * negated address of its state; host handles are never negative except
 * OS_FD_NONE), served from memory here; any other handle goes to os_fs
 * unchanged. Everything that would modify the tree fails with EROFS. */
#ifndef FERRY_RUNTIME_WASI_BUNDLE_H
#define FERRY_RUNTIME_WASI_BUNDLE_H

#include "runtime/os_fs.h"

#define WASI_BUNDLE_MAGIC "FBUNDLE1"
enum { WASI_BUNDLE_HEADER = 16, WASI_BUNDLE_ENTRY = 32 };
/* Largest bundle accepted (and packed): 1 GiB. */
#define WASI_BUNDLE_MAX (UINT64_C(1) << 30)

/* Checks a serialized bundle completely (every offset, count and name) and
 * opens a handle on its root directory. data must outlive every handle. */
int wasi_bundle_open_root(const void *data, size_t size, os_fd *out);

int wasi_vfs_openat(os_fd dir, const char *name, int oflags, os_fd *out);
int wasi_vfs_close(os_fd fd);
int wasi_vfs_readv(os_fd fd, const os_iov *iov, size_t n, size_t *done);
int wasi_vfs_writev(os_fd fd, const os_iov *iov, size_t n, size_t *done);
int wasi_vfs_preadv(os_fd fd, const os_iov *iov, size_t n, uint64_t off,
                    size_t *done);
int wasi_vfs_pwritev(os_fd fd, const os_iov *iov, size_t n, uint64_t off,
                     size_t *done);
int wasi_vfs_seek(os_fd fd, int64_t off, int whence, uint64_t *pos);
int wasi_vfs_sync(os_fd fd, bool data_only);
int wasi_vfs_advise(os_fd fd, uint64_t off, uint64_t len, int advice);
int wasi_vfs_allocate(os_fd fd, uint64_t off, uint64_t len);
int wasi_vfs_readable(os_fd fd, uint64_t *n);
int wasi_vfs_fstat(os_fd fd, os_stat *st);
int wasi_vfs_statat(os_fd dir, const char *name, os_stat *st);
int wasi_vfs_get_flags(os_fd fd, int *oflags);
int wasi_vfs_set_flags(os_fd fd, int oflags);
int wasi_vfs_truncate(os_fd fd, uint64_t size);
int wasi_vfs_futimes(os_fd fd, uint64_t atim, uint64_t mtim);
int wasi_vfs_utimesat(os_fd dir, const char *name, uint64_t atim,
                      uint64_t mtim);
int wasi_vfs_readdir(os_fd dir, os_dirent **ents, size_t *n);
int wasi_vfs_mkdirat(os_fd dir, const char *name);
int wasi_vfs_rmdirat(os_fd dir, const char *name);
int wasi_vfs_unlinkat(os_fd dir, const char *name);
int wasi_vfs_renameat(os_fd odir, const char *oname, os_fd ndir,
                      const char *nname);
int wasi_vfs_linkat(os_fd odir, const char *oname, os_fd ndir,
                    const char *nname);
int wasi_vfs_symlinkat(const char *target, os_fd dir, const char *name);
int wasi_vfs_readlinkat(os_fd dir, const char *name, char **target);

#endif
