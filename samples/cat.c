/* cat: copies the files given as arguments (or stdin) to stdout. Files
 * are only reachable inside directories granted with --dir:
 *   ferry run --dir . samples/cat.wasm README.md
 *   echo hi | ferry run samples/cat.wasm */
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int copy(FILE *in, const char *name) {
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, n, stdout) != n) return 1;
  if (ferror(in)) {
    fprintf(stderr, "cat: %s: read error\n", name);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  int status = 0;
  if (argc < 2) return copy(stdin, "stdin");
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-")) {
      status |= copy(stdin, "stdin");
      continue;
    }
    FILE *f = fopen(argv[i], "rb");
    if (!f) {
      fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    status |= copy(f, argv[i]);
    fclose(f);
  }
  return status;
}
