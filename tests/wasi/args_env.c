/* args and environ round trip: run.sh passes `ferry run --env FOO=bar
 * --env EMPTY= -- args_env.wasm "a b" c ''` and checks nothing else of the
 * host environment leaks in. */
#include "t.h"

extern char **environ;

int main(int argc, char **argv) {
  CHECK_ERR(argc, 4);
  if (argc == 4) {
    CHECK(strstr(argv[0], "args_env") != NULL);
    CHECK(!strcmp(argv[1], "a b"));
    CHECK(!strcmp(argv[2], "c"));
    CHECK(!strcmp(argv[3], ""));
  }
  CHECK(getenv("FOO") && !strcmp(getenv("FOO"), "bar"));
  CHECK(getenv("EMPTY") && !strcmp(getenv("EMPTY"), ""));
  CHECK(getenv("PATH") == NULL); /* only what was granted */
  int n = 0;
  for (char **e = environ; *e; e++) n++;
  CHECK_ERR(n, 2);
  /* sizes agree with the strings */
  __wasi_size_t count, size;
  CHECK_ERR(__wasi_args_sizes_get(&count, &size), 0);
  CHECK_ERR(count, 4);
  size_t total = 0;
  for (int i = 0; i < argc; i++) total += strlen(argv[i]) + 1;
  CHECK_ERR(size, total);
  CHECK_ERR(__wasi_environ_sizes_get(&count, &size), 0);
  CHECK_ERR(count, 2);
  CHECK_ERR(size, sizeof "FOO=bar" + sizeof "EMPTY=");
  /* out-of-bounds result pointers: EFAULT, nothing written */
  CHECK_ERR(raw_args_sizes_get(FAR_PTR, (int)&size), __WASI_ERRNO_FAULT);
  return t_done("args_env");
}
