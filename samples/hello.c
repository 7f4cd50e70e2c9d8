/* The first program: prints a greeting and its arguments.
 *   ferry run samples/hello.wasm world */
#include <stdio.h>

int main(int argc, char **argv) {
  printf("Hello from WebAssembly%s", argc > 1 ? "," : "!\n");
  for (int i = 1; i < argc; i++) printf(" %s%s", argv[i], i + 1 < argc ? "" : "!\n");
  return 0;
}
