/* Shared helpers of the WASI test programs (built with clang-14
 * --target=wasm32-wasi against wasi-libc, run by run.sh under ferry).
 * Each program checks results and exact errno values and exits 0 only
 * when every check passed; a failed check prints file:line and values. */
#ifndef FERRY_TESTS_WASI_T_H
#define FERRY_TESTS_WASI_T_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static int t_failed;

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,    \
              #cond);                                                      \
      t_failed++;                                                          \
    }                                                                      \
  } while (0)

/* Compares a WASI errno (or libc errno) with the expected number. */
#define CHECK_ERR(got, want)                                               \
  do {                                                                     \
    long g_ = (long)(got), w_ = (long)(want);                              \
    if (g_ != w_) {                                                        \
      fprintf(stderr, "%s:%d: %s = %ld, expected %ld\n", __FILE__,        \
              __LINE__, #got, g_, w_);                                     \
      t_failed++;                                                          \
    }                                                                      \
  } while (0)

static inline int t_done(const char *name) {
  fflush(stdout);
  if (t_failed) fprintf(stderr, "%s: %d checks failed\n", name, t_failed);
  return t_failed ? 1 : 0;
}

/* Raw imports, for calls wasi-libc does not expose with explicit lengths
 * (paths with a NUL inside, pointers out of bounds) or at all. */
#define WASI_IMPORT(name)                                                  \
  __attribute__((import_module("wasi_snapshot_preview1"),                  \
                 import_name(#name)))
WASI_IMPORT(path_open)
int raw_path_open(int fd, int dirflags, int path, int len, int oflags,
                  long long base, long long inh, int fdflags, int out);
WASI_IMPORT(path_create_directory)
int raw_path_create_directory(int fd, int path, int len);
WASI_IMPORT(proc_raise) int raw_proc_raise(int sig);
WASI_IMPORT(clock_time_get)
int raw_clock_time_get(int id, long long precision, int out);
WASI_IMPORT(random_get) int raw_random_get(int buf, int len);
WASI_IMPORT(fd_write) int raw_fd_write(int fd, int iovs, int n, int out);
WASI_IMPORT(args_sizes_get) int raw_args_sizes_get(int argc, int size);

/* Opens path under the first preopen (fd 3) with all rights. */
static inline __wasi_errno_t t_open(const char *path, __wasi_oflags_t of,
                                    __wasi_lookupflags_t lf, __wasi_fd_t *fd) {
  return __wasi_path_open(3, lf, path, of, (__wasi_rights_t)-1,
                          (__wasi_rights_t)-1, 0, fd);
}

/* An address past the end of every test's memory. */
#define FAR_PTR 0xfffffff0

#endif
