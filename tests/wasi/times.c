/* Timestamps: fd/path filestat get and set (explicit times, "now",
 * omitted), symlinks not followed without the flag, flag checks. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"

#define SEC 1000000000ull

int main(void) {
  int fd = open("t.txt", O_CREAT | O_RDWR, 0644);
  CHECK(fd >= 0);
  CHECK_ERR(write(fd, "12345", 5), 5);
  __wasi_filestat_t st, st2;
  CHECK_ERR(__wasi_fd_filestat_get((__wasi_fd_t)fd, &st), 0);
  CHECK_ERR(st.filetype, __WASI_FILETYPE_REGULAR_FILE);
  CHECK_ERR(st.size, 5);
  CHECK_ERR(st.nlink, 1);
  CHECK(st.ino != 0);
  CHECK(st.mtim > 1577836800ull * SEC);
  /* explicit times, to the nanosecond where the file system keeps them */
  CHECK_ERR(__wasi_fd_filestat_set_times((__wasi_fd_t)fd, 1000 * SEC + 5,
                                         2000 * SEC + 7,
                                         __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM), 0);
  CHECK_ERR(__wasi_fd_filestat_get((__wasi_fd_t)fd, &st), 0);
  CHECK_ERR(st.atim, 1000 * SEC + 5);
  CHECK_ERR(st.mtim, 2000 * SEC + 7);
  /* mtim only: atim stays */
  CHECK_ERR(__wasi_fd_filestat_set_times((__wasi_fd_t)fd, 0, 3000 * SEC,
                                         __WASI_FSTFLAGS_MTIM), 0);
  CHECK_ERR(__wasi_fd_filestat_get((__wasi_fd_t)fd, &st), 0);
  CHECK_ERR(st.atim, 1000 * SEC + 5);
  CHECK_ERR(st.mtim, 3000 * SEC);
  /* now */
  __wasi_timestamp_t now;
  CHECK_ERR(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &now), 0);
  CHECK_ERR(__wasi_path_filestat_set_times(3, 0, "t.txt", 0, 0,
                                           __WASI_FSTFLAGS_MTIM_NOW), 0);
  CHECK_ERR(__wasi_path_filestat_get(3, 0, "t.txt", &st2), 0);
  CHECK(st2.mtim + 5 * SEC > now && st2.mtim < now + 5 * SEC);
  CHECK_ERR(st2.atim, 1000 * SEC + 5);
  CHECK_ERR(st2.ino, st.ino);
  /* both a time and "now" for one stamp: EINVAL; unknown bits too */
  CHECK_ERR(__wasi_fd_filestat_set_times((__wasi_fd_t)fd, 1, 1,
                                         __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
            __WASI_ERRNO_INVAL);
  CHECK_ERR(__wasi_path_filestat_set_times(3, 0, "t.txt", 1, 1,
                                           __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
            __WASI_ERRNO_INVAL);
  CHECK_ERR(__wasi_fd_filestat_set_times((__wasi_fd_t)fd, 1, 1, 0x10), __WASI_ERRNO_INVAL);
  /* libc wrappers */
  struct timespec ts[2] = {{10, 0}, {20, 0}};
  CHECK_ERR(futimens(fd, ts), 0);
  struct stat s;
  CHECK_ERR(fstat(fd, &s), 0);
  CHECK_ERR(s.st_mtim.tv_sec, 20);
  CHECK_ERR(s.st_atim.tv_sec, 10);
  close(fd);
  /* a symlink's own times vs its target's */
  CHECK_ERR(symlink("t.txt", "tl"), 0);
  CHECK_ERR(__wasi_path_filestat_get(3, 0, "tl", &st), 0);
  CHECK_ERR(st.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
  CHECK_ERR(st.size, 5);
  CHECK_ERR(__wasi_path_filestat_get(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "tl", &st), 0);
  CHECK_ERR(st.filetype, __WASI_FILETYPE_REGULAR_FILE);
  CHECK_ERR(st.mtim, 20 * SEC);
  CHECK_ERR(__wasi_path_filestat_set_times(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "tl",
                                           0, 30 * SEC, __WASI_FSTFLAGS_MTIM), 0);
  CHECK_ERR(__wasi_path_filestat_get(3, 0, "t.txt", &st), 0);
  CHECK_ERR(st.mtim, 30 * SEC);
  CHECK_ERR(__wasi_path_filestat_get(3, 0, "missing", &st), __WASI_ERRNO_NOENT);
  CHECK_ERR(__wasi_path_filestat_get(3, 0, "t.txt/", &st), __WASI_ERRNO_NOTDIR);
  CHECK_ERR(__wasi_path_filestat_get(3, 0, ".", &st), 0);
  CHECK_ERR(st.filetype, __WASI_FILETYPE_DIRECTORY);
  unlink("tl");
  unlink("t.txt");
  return t_done("times");
}
