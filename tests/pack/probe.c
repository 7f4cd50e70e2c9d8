/* A small WASI program for the packer tests (tests/pack/run.sh): each
 * command exercises one thing a packed executable must pass through.
 *   probe args A B...   prints its arguments after the program name
 *   probe env NAME...   prints NAME=VALUE or NAME unset
 *   probe cat PATH...   prints files (from a --dir grant or the bundle)
 *   probe ls DIR        lists a directory, sorted
 *   probe write PATH    tries to create PATH; prints the outcome
 *   probe exit N        exits with status N
 *   probe trap          traps (unreachable) */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "probe: no command\n");
    return 2;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "args")) {
    for (int i = 2; i < argc; i++) printf("[%s]\n", argv[i]);
  } else if (!strcmp(cmd, "env")) {
    for (int i = 2; i < argc; i++) {
      const char *v = getenv(argv[i]);
      if (v) printf("%s=%s\n", argv[i], v);
      else printf("%s unset\n", argv[i]);
    }
  } else if (!strcmp(cmd, "cat")) {
    for (int i = 2; i < argc; i++) {
      FILE *f = fopen(argv[i], "rb");
      if (!f) {
        printf("%s: %s\n", argv[i], strerror(errno));
        return 1;
      }
      char buf[4096];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stdout);
      fclose(f);
    }
  } else if (!strcmp(cmd, "ls") && argc > 2) {
    DIR *d = opendir(argv[2]);
    if (!d) {
      printf("%s: %s\n", argv[2], strerror(errno));
      return 1;
    }
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256)
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
        names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, by_name);
    for (int i = 0; i < n; i++) printf("%s\n", names[i]);
  } else if (!strcmp(cmd, "write") && argc > 2) {
    FILE *f = fopen(argv[2], "wb");
    printf("write %s: %s\n", argv[2], f ? "ok" : strerror(errno));
    if (f) fclose(f);
  } else if (!strcmp(cmd, "exit") && argc > 2) {
    return atoi(argv[2]);
  } else if (!strcmp(cmd, "trap")) {
    fflush(stdout);
    __builtin_trap();
  } else {
    fprintf(stderr, "probe: unknown command %s\n", cmd);
    return 2;
  }
  return 0;
}
