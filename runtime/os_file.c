/* The host-independent part of os_proc.h's whole-file helpers, built on
 * the OS layer so that host paths are UTF-8 everywhere (on Windows the C
 * runtime's fopen reads them in the ANSI code page and cannot open a name
 * with characters outside it). */
#include "runtime/os_proc.h"

#include <stdint.h>
#include <stdlib.h>

int os_fs_read_all(os_fd fd, size_t max, uint8_t **data, size_t *size) {
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0;
  int e = OS_OK;
  /* Read to the end rather than trusting the size fstat gives: pipes and
   * /dev/stdin have none. */
  for (;;) {
    if (cap - len < 65536) {
      size_t ncap = cap ? cap * 2 : 65536;
      uint8_t *nbuf = realloc(buf, ncap + 1);
      if (!nbuf) {
        e = OS_ENOMEM;
        break;
      }
      buf = nbuf;
      cap = ncap;
    }
    os_iov iov = {buf + len, cap - len};
    size_t done = 0;
    e = os_fs_readv(fd, &iov, 1, &done);
    if (e || !done) break;
    len += done;
    if (len > max) {
      e = OS_EFBIG;
      break;
    }
  }
  if (e) {
    free(buf);
    return e;
  }
  buf[len] = 0;
  *data = buf;
  *size = len;
  return OS_OK;
}

int os_file_read_all(const char *path, uint8_t **data, size_t *size) {
  os_fd fd;
  int e = os_file_open_read(path, &fd);
  if (e) return e;
  e = os_fs_read_all(fd, SIZE_MAX - 1, data, size);
  os_fs_close(fd);
  return e;
}

const char *os_error_text(int e) {
  switch (e) {
  case OS_OK: return "no error";
  case OS_EACCES: return "permission denied";
  case OS_EPERM: return "operation not permitted";
  case OS_ENOENT: return "no such file or directory";
  case OS_ENOTDIR: return "not a directory";
  case OS_EISDIR: return "is a directory";
  case OS_EEXIST: return "file exists";
  case OS_ENOTEMPTY: return "directory not empty";
  case OS_ENAMETOOLONG: return "file name too long";
  case OS_EILSEQ: return "file name is not valid UTF-8";
  case OS_ELOOP: return "too many levels of symbolic links";
  case OS_ENOSPC: return "no space left on device";
  case OS_EDQUOT: return "disk quota exceeded";
  case OS_EROFS: return "read-only file system";
  case OS_EFBIG: return "file too large";
  case OS_EBUSY: return "device or resource busy";
  case OS_ETXTBSY: return "text file busy";
  case OS_EMFILE: case OS_ENFILE: return "too many open files";
  case OS_ENOMEM: return "out of memory";
  case OS_EINVAL: return "invalid argument";
  case OS_EXDEV: return "cross-device link";
  case OS_EIO: return "input/output error";
  default: return "system error";
  }
}
