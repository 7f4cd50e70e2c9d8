/* ls: an `ls -l`-like listing of the directories given as arguments
 * (default "."), with -R to walk subdirectories:
 *   ferry run --dir . samples/ls.wasm -R samples */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int recursive;

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static char type_char(mode_t m) {
  return S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISCHR(m) ? 'c' : S_ISBLK(m) ? 'b'
       : S_ISSOCK(m) ? 's' : S_ISREG(m) ? '-' : '?';
}

static int list(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "ls: %s: %s\n", dir, strerror(errno));
    return 1;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      char **g = realloc(names, cap * sizeof *g);
      if (!g) break;
      names = g;
    }
    names[n++] = strdup(de->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, by_name);
  if (recursive) printf("%s:\n", dir);
  int status = 0;
  for (size_t i = 0; i < n; i++) {
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    if (lstat(path, &st)) {
      fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
      status = 1;
      continue;
    }
    char when[32];
    time_t t = st.st_mtim.tv_sec;
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", gmtime(&t));
    printf("%c %3llu %10llu %s %s", type_char(st.st_mode),
           (unsigned long long)st.st_nlink, (unsigned long long)st.st_size,
           when, names[i]);
    if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t k = readlink(path, target, sizeof target - 1);
      if (k >= 0) {
        target[k] = 0;
        printf(" -> %s", target);
      }
    }
    printf("\n");
  }
  if (recursive)
    for (size_t i = 0; i < n; i++) {
      char path[4096];
      struct stat st;
      snprintf(path, sizeof path, "%s/%s", dir, names[i]);
      if (!lstat(path, &st) && S_ISDIR(st.st_mode)) {
        printf("\n");
        status |= list(path);
      }
    }
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  return status;
}

int main(int argc, char **argv) {
  int status = 0, dirs = 0;
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "-R")) recursive = 1;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-R")) continue;
    status |= list(argv[i]);
    dirs++;
  }
  if (!dirs) status = list(".");
  return status;
}
