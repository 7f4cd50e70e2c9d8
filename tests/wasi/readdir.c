/* Directory listing with many entries: libc readdir, and raw fd_readdir
 * paging by cookie through a small buffer (entries cut at the end of a
 * buffer are read again from their cookie). Preopen "." on an empty dir. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"

enum { N = 300 };

int main(void) {
  char name[64];
  CHECK_ERR(mkdir("big", 0755), 0);
  for (int i = 0; i < N; i++) {
    snprintf(name, sizeof name, "big/entry-with-a-longish-name-%03d", i);
    int fd = open(name, O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0);
    close(fd);
  }
  CHECK_ERR(mkdir("big/subdir", 0755), 0);
  /* libc */
  static unsigned char seen[N];
  DIR *d = opendir("big");
  CHECK(d != NULL);
  int files = 0, dots = 0, dirs = 0;
  struct dirent *de;
  while (d && (de = readdir(d))) {
    int k;
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
      dots++;
      CHECK_ERR(de->d_type, DT_DIR);
    } else if (!strcmp(de->d_name, "subdir")) {
      dirs++;
      CHECK_ERR(de->d_type, DT_DIR);
    } else if (sscanf(de->d_name, "entry-with-a-longish-name-%d", &k) == 1 &&
               k >= 0 && k < N) {
      CHECK(!seen[k]);
      seen[k] = 1;
      files++;
      CHECK_ERR(de->d_type, DT_REG);
    } else {
      CHECK(!"unexpected entry");
    }
  }
  if (d) closedir(d);
  CHECK_ERR(files, N);
  CHECK_ERR(dots, 2);
  CHECK_ERR(dirs, 1);

  /* raw paging: a 100-byte buffer holds two entries and part of a third */
  __wasi_fd_t dfd;
  CHECK_ERR(__wasi_path_open(3, 0, "big", __WASI_OFLAGS_DIRECTORY,
                             __WASI_RIGHTS_FD_READDIR, 0, 0, &dfd), 0);
  unsigned char buf[100];
  __wasi_dircookie_t cookie = 0;
  int total = 0, calls = 0;
  for (;;) {
    __wasi_size_t used;
    CHECK_ERR(__wasi_fd_readdir(dfd, buf, sizeof buf, cookie, &used), 0);
    calls++;
    size_t at = 0;
    int whole = 0;
    while (at + sizeof(__wasi_dirent_t) <= used) {
      __wasi_dirent_t ent;
      memcpy(&ent, buf + at, sizeof ent);
      if (at + sizeof ent + ent.d_namlen > used) break; /* cut: re-read */
      CHECK(ent.d_namlen > 0 && ent.d_namlen < 64);
      CHECK(ent.d_next > cookie);
      cookie = ent.d_next;
      at += sizeof ent + ent.d_namlen;
      whole++;
      total++;
    }
    if (used < sizeof buf) break;
    CHECK(whole > 0);
    if (!whole || calls > 10 * N) break;
  }
  CHECK_ERR(total, N + 3);
  CHECK(calls > 100);
  /* past the end: nothing; a file is not a directory */
  __wasi_size_t used;
  CHECK_ERR(__wasi_fd_readdir(dfd, buf, sizeof buf, cookie + 5, &used), 0);
  CHECK_ERR(used, 0);
  CHECK_ERR(__wasi_fd_readdir(dfd, (uint8_t *)FAR_PTR, 100, 0, &used),
            __WASI_ERRNO_FAULT);
  (void)__wasi_fd_close(dfd);
  int f = open("big/entry-with-a-longish-name-000", O_RDONLY);
  CHECK_ERR(__wasi_fd_readdir((__wasi_fd_t)f, buf, sizeof buf, 0, &used),
            __WASI_ERRNO_NOTDIR);
  close(f);
  /* a descriptor without fd_readdir */
  CHECK_ERR(__wasi_path_open(3, 0, "big", __WASI_OFLAGS_DIRECTORY,
                             __WASI_RIGHTS_PATH_OPEN, 0, 0, &dfd), 0);
  CHECK_ERR(__wasi_fd_readdir(dfd, buf, sizeof buf, 0, &used),
            __WASI_ERRNO_NOTCAPABLE);
  (void)__wasi_fd_close(dfd);
  return t_done("readdir");
}
