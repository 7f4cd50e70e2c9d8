/* Exit status = proc_exit code; run.sh runs `exit_code.wasm N` and
 * expects status N, after output written to stdout and stderr in order. */
#include <unistd.h>

#include "t.h"

int main(int argc, char **argv) {
  CHECK_ERR(raw_proc_raise(6), __WASI_ERRNO_NOSYS);
  CHECK_ERR(__wasi_sched_yield(), 0);
  /* unbuffered writes, interleaved: run.sh checks the order with 2>&1 */
  write(1, "out1\n", 5);
  write(2, "err2\n", 5);
  write(1, "out3\n", 5);
  if (t_failed) return t_done("exit_code");
  int code = argc > 1 ? atoi(argv[1]) : 0;
  if (argc > 2) __wasi_proc_exit((__wasi_exitcode_t)code);
  exit(code);
}
