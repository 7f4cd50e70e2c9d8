/* wc: counts lines, words and bytes of the files given as arguments (or
 * of stdin), like `wc`:
 *   ferry run --dir . samples/wc.wasm samples/wc.c samples/cat.c */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  unsigned long long lines, words, bytes;
} counts;

static void count(FILE *f, counts *c) {
  char buf[65536];
  size_t n;
  int in_word = 0;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    c->bytes += n;
    for (size_t i = 0; i < n; i++) {
      unsigned char ch = (unsigned char)buf[i];
      if (ch == '\n') c->lines++;
      if (isspace(ch)) in_word = 0;
      else if (!in_word) {
        in_word = 1;
        c->words++;
      }
    }
  }
}

static void show(const counts *c, const char *name) {
  printf("%7llu %7llu %7llu%s%s\n", c->lines, c->words, c->bytes,
         name ? " " : "", name ? name : "");
}

int main(int argc, char **argv) {
  counts total = {0, 0, 0};
  int status = 0;
  if (argc < 2) {
    count(stdin, &total);
    show(&total, NULL);
    return 0;
  }
  for (int i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    if (!f) {
      fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    counts c = {0, 0, 0};
    count(f, &c);
    fclose(f);
    show(&c, argv[i]);
    total.lines += c.lines;
    total.words += c.words;
    total.bytes += c.bytes;
  }
  if (argc > 2) show(&total, "total");
  return status;
}
