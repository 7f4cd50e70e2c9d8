/* stdin piped in: copies stdin to stdout in odd-sized reads and prints the
 * byte count and a checksum to stderr; run.sh compares. */
#include <unistd.h>

#include "t.h"

int main(void) {
  char buf[777];
  unsigned long total = 0, sum = 0;
  ssize_t n;
  while ((n = read(0, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n; i++) sum = sum * 31 + (unsigned char)buf[i];
    total += (unsigned long)n;
    CHECK_ERR(write(1, buf, (size_t)n), n);
  }
  CHECK_ERR(n, 0);
  /* stdin is not writable, stdout not readable */
  CHECK_ERR(write(0, "x", 1), -1);
  CHECK_ERR(errno, EBADF);
  fprintf(stderr, "bytes %lu sum %lu\n", total, sum);
  /* fd 0 status: a pipe here, so not a character device */
  __wasi_fdstat_t st;
  CHECK_ERR(__wasi_fd_fdstat_get(0, &st), 0);
  CHECK(st.fs_rights_base & __WASI_RIGHTS_FD_READ);
  CHECK_ERR(__wasi_fd_fdstat_get(99, &st), __WASI_ERRNO_BADF);
  return t_done("stdin_echo");
}
