/* A directory renamed during use: the guest holds box/inner open, run.sh
 * moves it out of the preopen (to outside/inner) while the guest waits,
 * then the guest tries to reach outside/ through it. Everything must be
 * refused. Files: root/box/inner/file.txt, root/box/inner/up -> ..,
 * outside/secret.txt. */
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "t.h"

#define ALL ((__wasi_rights_t)-1)
#define NOTCAP __WASI_ERRNO_NOTCAPABLE

int main(void) {
  __wasi_fd_t inner, f;
  CHECK_ERR(__wasi_path_open(3, 0, "box/inner", __WASI_OFLAGS_DIRECTORY, ALL, ALL,
                             0, &inner), 0);
  int r = open("ready", O_CREAT | O_WRONLY, 0644);
  CHECK(r >= 0);
  close(r);
  int waited = 0;
  while (access("go", F_OK) != 0 && waited < 500) {
    poll(NULL, 0, 20);
    waited++;
  }
  CHECK(waited < 500);
  /* the move happened: the old path is gone */
  CHECK_ERR(__wasi_path_open(3, 0, "box/inner/file.txt", 0, ALL, ALL, 0, &f),
            __WASI_ERRNO_NOENT);
  /* through the held descriptor, nothing above it */
  CHECK_ERR(__wasi_path_open(inner, 0, "../secret.txt", 0, ALL, ALL, 0, &f), NOTCAP);
  CHECK_ERR(__wasi_path_open(inner, 0, "..", __WASI_OFLAGS_DIRECTORY, ALL, ALL, 0, &f),
            NOTCAP);
  CHECK_ERR(__wasi_path_open(inner, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "up/secret.txt",
                             0, ALL, ALL, 0, &f), NOTCAP);
  CHECK_ERR(__wasi_path_open(inner, 0, "./../../root", __WASI_OFLAGS_DIRECTORY, ALL,
                             ALL, 0, &f), NOTCAP);
  __wasi_filestat_t st;
  CHECK_ERR(__wasi_path_filestat_get(inner, 0, "../secret.txt", &st), NOTCAP);
  CHECK_ERR(__wasi_path_unlink_file(inner, "../secret.txt"), NOTCAP);
  /* what it holds is still its own */
  CHECK_ERR(__wasi_path_open(inner, 0, "file.txt", 0, ALL, ALL, 0, &f), 0);
  char buf[16] = {0};
  CHECK(read((int)f, buf, sizeof buf) == 6 && !memcmp(buf, "inner\n", 6));
  (void)__wasi_fd_close(f);
  /* and the preopen still cannot see outside/ */
  CHECK_ERR(__wasi_path_open(3, 0, "../outside/inner", __WASI_OFLAGS_DIRECTORY, ALL,
                             ALL, 0, &f), NOTCAP);
  return t_done("renamed");
}
