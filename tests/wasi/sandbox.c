/* Sandbox escapes, all refused. run.sh builds root/ (preopen ".") next to
 * outside/ (never granted) with these symlinks in root/:
 *   out_rel -> ../outside/secret.txt   out_dir -> ../outside
 *   out_abs -> <absolute path of outside/secret.txt>
 *   loop1 -> loop2, loop2 -> loop1, self -> self
 *   chain1 -> chain2, chain2 -> sub/../chain3, chain3 -> ../outside/secret.txt
 *   ok_link -> sub/../inside.txt, sub/up -> .., sub/upup -> ../..
 * and afterwards checks that nothing in outside/ changed. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "t.h"

#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define ALL ((__wasi_rights_t)-1)
#define NOTCAP __WASI_ERRNO_NOTCAPABLE

static __wasi_errno_t op(const char *path, __wasi_lookupflags_t lf,
                         __wasi_oflags_t of) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(3, lf, path, of, ALL, ALL, 0, &fd);
  if (!e) (void)__wasi_fd_close(fd);
  return e;
}

static void reads(void) {
  const char *out[] = {"..", "../outside/secret.txt", "sub/../../outside/secret.txt",
                       "sub/../..", "./../root", "sub/upup/outside/secret.txt",
                       "out_dir/secret.txt", "out_dir/", "/etc/passwd", "/",
                       "//etc", "sub/up/../outside"};
  for (size_t i = 0; i < sizeof out / sizeof *out; i++) {
    CHECK_ERR(op(out[i], 0, 0), NOTCAP);
    CHECK_ERR(op(out[i], FOLLOW, 0), NOTCAP);
  }
  /* symlinks leading out, followed */
  CHECK_ERR(op("out_rel", FOLLOW, 0), NOTCAP);
  CHECK_ERR(op("out_abs", FOLLOW, 0), NOTCAP);
  CHECK_ERR(op("chain1", FOLLOW, 0), NOTCAP);
  CHECK_ERR(op("out_dir", FOLLOW, 0), NOTCAP);
  CHECK_ERR(op("out_rel/", 0, 0), NOTCAP); /* a trailing slash follows */
  /* ... and not followed: the link itself, which open refuses with ELOOP */
  CHECK_ERR(op("out_rel", 0, 0), __WASI_ERRNO_LOOP);
  CHECK_ERR(op("loop1", FOLLOW, 0), __WASI_ERRNO_LOOP);
  CHECK_ERR(op("self", FOLLOW, 0), __WASI_ERRNO_LOOP);
  CHECK_ERR(op("loop1/x", 0, 0), __WASI_ERRNO_LOOP);
  /* what stays inside works */
  CHECK_ERR(op("ok_link", FOLLOW, 0), 0);
  CHECK_ERR(op("sub/up/inside.txt", 0, 0), 0);
  CHECK_ERR(op("sub/../sub/./../inside.txt", 0, 0), 0);
  FILE *f = fopen("ok_link", "r");
  char buf[32] = {0};
  CHECK(f && fgets(buf, sizeof buf, f) && !strcmp(buf, "inside\n"));
  if (f) fclose(f);
  /* libc, absolute and relative */
  CHECK(fopen("/etc/passwd", "r") == NULL);
  CHECK(fopen("../outside/secret.txt", "r") == NULL);
  CHECK(fopen("out_rel", "r") == NULL);
  CHECK_ERR(errno, ENOTCAPABLE);
  /* status through links */
  __wasi_filestat_t st;
  CHECK_ERR(__wasi_path_filestat_get(3, FOLLOW, "out_rel", &st), NOTCAP);
  CHECK_ERR(__wasi_path_filestat_get(3, FOLLOW, "out_dir/secret.txt", &st), NOTCAP);
  CHECK_ERR(__wasi_path_filestat_get(3, 0, "../outside", &st), NOTCAP);
  CHECK_ERR(__wasi_path_filestat_get(3, 0, "out_rel", &st), 0);
  CHECK_ERR(st.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
  CHECK_ERR(__wasi_path_filestat_get(3, FOLLOW, "loop1", &st), __WASI_ERRNO_LOOP);
  char link[256];
  __wasi_size_t used;
  CHECK_ERR(__wasi_path_readlink(3, "../outside/secret.txt", (uint8_t *)link,
                                 sizeof link, &used), NOTCAP);
  /* a preopen's prestat name cannot be used to climb either */
  __wasi_fd_t d;
  CHECK_ERR(__wasi_path_open(3, 0, "sub", __WASI_OFLAGS_DIRECTORY, ALL, ALL, 0, &d), 0);
  CHECK_ERR(__wasi_path_open(d, 0, "..", __WASI_OFLAGS_DIRECTORY, ALL, ALL, 0, &d), NOTCAP);
  CHECK_ERR(__wasi_path_open(d, FOLLOW, "up", __WASI_OFLAGS_DIRECTORY, ALL, ALL, 0, &d), NOTCAP);
}

static void writes(void) {
  CHECK_ERR(op("../outside/new.txt", 0, __WASI_OFLAGS_CREAT), NOTCAP);
  CHECK_ERR(op("out_dir/new.txt", FOLLOW, __WASI_OFLAGS_CREAT), NOTCAP);
  CHECK_ERR(op("out_rel", FOLLOW, __WASI_OFLAGS_TRUNC), NOTCAP);
  CHECK_ERR(op("out_rel", FOLLOW, __WASI_OFLAGS_CREAT), NOTCAP);
  CHECK_ERR(op("chain1", FOLLOW, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC), NOTCAP);
  CHECK_ERR(__wasi_path_create_directory(3, "../outside/d"), NOTCAP);
  CHECK_ERR(__wasi_path_create_directory(3, "out_dir/d"), NOTCAP);
  CHECK_ERR(__wasi_path_create_directory(3, "/tmp/ferry-escape"), NOTCAP);
  CHECK_ERR(__wasi_path_unlink_file(3, "../outside/secret.txt"), NOTCAP);
  CHECK_ERR(__wasi_path_unlink_file(3, "out_dir/secret.txt"), NOTCAP);
  CHECK_ERR(__wasi_path_unlink_file(3, "sub/upup/outside/secret.txt"), NOTCAP);
  CHECK_ERR(__wasi_path_remove_directory(3, "../outside"), NOTCAP);
  CHECK_ERR(__wasi_path_remove_directory(3, ".."), NOTCAP);
  CHECK_ERR(__wasi_path_rename(3, "inside.txt", 3, "../outside/stolen"), NOTCAP);
  CHECK_ERR(__wasi_path_rename(3, "out_dir/secret.txt", 3, "got.txt"), NOTCAP);
  CHECK_ERR(__wasi_path_rename(3, "inside.txt", 3, "out_dir/stolen"), NOTCAP);
  CHECK_ERR(__wasi_path_link(3, 0, "out_dir/secret.txt", 3, "got"), NOTCAP);
  CHECK_ERR(__wasi_path_link(3, FOLLOW, "out_rel", 3, "got"), NOTCAP);
  CHECK_ERR(__wasi_path_link(3, 0, "inside.txt", 3, "../outside/hard"), NOTCAP);
  CHECK_ERR(__wasi_path_symlink("/etc/passwd", 3, "abs"), NOTCAP);
  CHECK_ERR(__wasi_path_symlink("x", 3, "../outside/ln"), NOTCAP);
  CHECK_ERR(__wasi_path_filestat_set_times(3, FOLLOW, "out_rel", 0, 0,
                                           __WASI_FSTFLAGS_MTIM_NOW), NOTCAP);
  CHECK_ERR(__wasi_path_filestat_set_times(3, 0, "../outside/secret.txt", 0, 0,
                                           __WASI_FSTFLAGS_MTIM_NOW), NOTCAP);
  /* a link the guest makes pointing out is stored, but never followed */
  CHECK_ERR(__wasi_path_symlink("../outside/secret.txt", 3, "mine"), 0);
  CHECK_ERR(op("mine", FOLLOW, __WASI_OFLAGS_TRUNC), NOTCAP);
  CHECK_ERR(__wasi_path_unlink_file(3, "mine"), 0);
  /* rights: a directory opened without path_create_file cannot create */
  __wasi_fd_t d;
  CHECK_ERR(__wasi_path_open(3, 0, "sub", __WASI_OFLAGS_DIRECTORY,
                             __WASI_RIGHTS_PATH_OPEN, __WASI_RIGHTS_FD_READ, 0, &d), 0);
  __wasi_fd_t f;
  CHECK_ERR(__wasi_path_open(d, 0, "new", __WASI_OFLAGS_CREAT, ALL, ALL, 0, &f), NOTCAP);
  CHECK_ERR(__wasi_path_create_directory(d, "nd"), NOTCAP);
  /* inherited rights are capped by the directory's inheriting set */
  CHECK_ERR(__wasi_path_open(d, 0, "../sub/up/inside.txt", 0, ALL, ALL, 0, &f), NOTCAP);
  CHECK_ERR(__wasi_path_open(d, FOLLOW, "up", __WASI_OFLAGS_DIRECTORY, ALL, ALL, 0, &f), NOTCAP);
  (void)__wasi_fd_close(d);
}

int main(void) {
  reads();
  writes();
  return t_done("sandbox");
}
