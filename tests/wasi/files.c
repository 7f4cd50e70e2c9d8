/* Files: create, write, read, seek/tell, pread/pwrite, append, truncate,
 * allocate, advise, sync, rename, link, unlink, directories, fdstat and
 * rights, renumber, readlink; results and errno values. Runs with one
 * preopen "." (fd 3) on an empty directory. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "t.h"

static void basic_io(void) {
  int fd = open("a.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
  CHECK(fd >= 0);
  CHECK_ERR(write(fd, "hello world", 11), 11);
  CHECK_ERR(lseek(fd, 0, SEEK_CUR), 11);
  CHECK_ERR(lseek(fd, 6, SEEK_SET), 6);
  char buf[32] = {0};
  CHECK_ERR(read(fd, buf, sizeof buf), 5);
  CHECK(!memcmp(buf, "world", 5));
  CHECK_ERR(read(fd, buf, sizeof buf), 0); /* EOF */
  CHECK_ERR(lseek(fd, -5, SEEK_END), 6);
  CHECK_ERR(lseek(fd, -100, SEEK_SET), -1);
  CHECK_ERR(errno, EINVAL);
  __wasi_filesize_t pos;
  CHECK_ERR(__wasi_fd_seek((__wasi_fd_t)fd, 0, 3, &pos), __WASI_ERRNO_INVAL);
  CHECK_ERR(__wasi_fd_tell((__wasi_fd_t)fd, &pos), 0);
  CHECK_ERR(pos, 6);
  /* pread/pwrite leave the position alone */
  CHECK_ERR(pwrite(fd, "HELLO", 5, 0), 5);
  CHECK_ERR(pread(fd, buf, 11, 0), 11);
  CHECK(!memcmp(buf, "HELLO world", 11));
  CHECK_ERR(lseek(fd, 0, SEEK_CUR), 6);
  /* vectored */
  __wasi_ciovec_t ci[3] = {{(const uint8_t *)"ab", 2}, {(const uint8_t *)"", 0},
                           {(const uint8_t *)"cd", 2}};
  __wasi_size_t n;
  CHECK_ERR(__wasi_fd_pwrite((__wasi_fd_t)fd, ci, 3, 20, &n), 0);
  CHECK_ERR(n, 4);
  struct stat st;
  CHECK_ERR(fstat(fd, &st), 0);
  CHECK_ERR(st.st_size, 24); /* the gap reads as zeros */
  char v1[3], v2[30];
  __wasi_iovec_t io[2] = {{(uint8_t *)v1, 3}, {(uint8_t *)v2, 30}};
  CHECK_ERR(__wasi_fd_pread((__wasi_fd_t)fd, io, 2, 0, &n), 0);
  CHECK_ERR(n, 24);
  CHECK(!memcmp(v1, "HEL", 3) && v2[10] == 0 && !memcmp(v2 + 17, "abcd", 4));
  /* bad iovec pointers: EFAULT, nothing transferred */
  CHECK_ERR(__wasi_fd_read((__wasi_fd_t)fd, (__wasi_iovec_t *)FAR_PTR, 1, &n),
            __WASI_ERRNO_FAULT);
  __wasi_iovec_t bad = {(uint8_t *)FAR_PTR, 100};
  CHECK_ERR(__wasi_fd_read((__wasi_fd_t)fd, &bad, 1, &n), __WASI_ERRNO_FAULT);
  /* truncate and grow */
  CHECK_ERR(ftruncate(fd, 5), 0);
  CHECK_ERR(fstat(fd, &st), 0);
  CHECK_ERR(st.st_size, 5);
  CHECK_ERR(__wasi_fd_filestat_set_size((__wasi_fd_t)fd, 100), 0);
  CHECK_ERR(fstat(fd, &st), 0);
  CHECK_ERR(st.st_size, 100);
  CHECK_ERR(__wasi_fd_allocate((__wasi_fd_t)fd, 0, 4096), 0);
  CHECK_ERR(fstat(fd, &st), 0);
  CHECK_ERR(st.st_size, 4096);
  CHECK_ERR(__wasi_fd_advise((__wasi_fd_t)fd, 0, 0, __WASI_ADVICE_SEQUENTIAL), 0);
  CHECK_ERR(__wasi_fd_advise((__wasi_fd_t)fd, 0, 0, 6), __WASI_ERRNO_INVAL);
  CHECK_ERR(__wasi_fd_sync((__wasi_fd_t)fd), 0);
  CHECK_ERR(__wasi_fd_datasync((__wasi_fd_t)fd), 0);
  CHECK_ERR(close(fd), 0);
  CHECK_ERR(close(fd), -1);
  CHECK_ERR(errno, EBADF);
}

static void append_and_flags(void) {
  int fd = open("log.txt", O_CREAT | O_WRONLY | O_APPEND, 0644);
  CHECK(fd >= 0);
  CHECK_ERR(write(fd, "one\n", 4), 4);
  CHECK_ERR(lseek(fd, 0, SEEK_SET), 0);
  CHECK_ERR(write(fd, "two\n", 4), 4);
  __wasi_fdstat_t fs;
  CHECK_ERR(__wasi_fd_fdstat_get((__wasi_fd_t)fd, &fs), 0);
  CHECK_ERR(fs.fs_filetype, __WASI_FILETYPE_REGULAR_FILE);
  CHECK(fs.fs_flags & __WASI_FDFLAGS_APPEND);
  CHECK(fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE);
  CHECK(!(fs.fs_rights_base & __WASI_RIGHTS_FD_READ));
  /* not open for reading: EBADF like read(2) */
  char b[8];
  CHECK_ERR(read(fd, b, 8), -1);
  CHECK_ERR(errno, EBADF);
  CHECK_ERR(__wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, 0), 0);
  CHECK_ERR(__wasi_fd_fdstat_get((__wasi_fd_t)fd, &fs), 0);
  CHECK(!(fs.fs_flags & __WASI_FDFLAGS_APPEND));
  CHECK_ERR(__wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, 0x40), __WASI_ERRNO_INVAL);
  /* rights only shrink, and are then enforced */
  CHECK_ERR(__wasi_fd_fdstat_set_rights((__wasi_fd_t)fd,
                                        fs.fs_rights_base & ~__WASI_RIGHTS_FD_SEEK,
                                        0), 0);
  __wasi_filesize_t pos;
  CHECK_ERR(__wasi_fd_seek((__wasi_fd_t)fd, 0, __WASI_WHENCE_SET, &pos),
            __WASI_ERRNO_NOTCAPABLE);
  CHECK_ERR(__wasi_fd_tell((__wasi_fd_t)fd, &pos), 0);
  CHECK_ERR(__wasi_fd_fdstat_set_rights((__wasi_fd_t)fd, fs.fs_rights_base, 0),
            __WASI_ERRNO_NOTCAPABLE);
  close(fd);
  FILE *f = fopen("log.txt", "r");
  CHECK(f != NULL);
  char line[64] = {0};
  CHECK(f && fread(line, 1, sizeof line - 1, f) == 8 && !strcmp(line, "one\ntwo\n"));
  if (f) fclose(f);
}

static void names(void) {
  /* open errors */
  CHECK_ERR(open("missing", O_RDONLY), -1);
  CHECK_ERR(errno, ENOENT);
  CHECK(close(open("x", O_CREAT | O_WRONLY, 0644)) == 0);
  CHECK_ERR(open("x", O_CREAT | O_EXCL | O_WRONLY, 0644), -1);
  CHECK_ERR(errno, EEXIST);
  CHECK_ERR(open("x/", O_RDONLY), -1);
  CHECK_ERR(errno, ENOTDIR);
  __wasi_fd_t fd;
  CHECK_ERR(t_open("x", __WASI_OFLAGS_DIRECTORY, 0, &fd), __WASI_ERRNO_NOTDIR);
  CHECK_ERR(t_open("", 0, 0, &fd), __WASI_ERRNO_NOENT);
  CHECK_ERR(raw_path_open(3, 0, (int)"x\0y", 3, 0, -1, -1, 0, (int)&fd),
            __WASI_ERRNO_ILSEQ);
  CHECK_ERR(raw_path_open(3, 0, FAR_PTR, 10, 0, -1, -1, 0, (int)&fd),
            __WASI_ERRNO_FAULT);
  CHECK_ERR(raw_path_open(3, 0, (int)"x", 1, 0, -1, -1, 0, FAR_PTR),
            __WASI_ERRNO_FAULT);
  CHECK_ERR(t_open("x", 0x10, 0, &fd), __WASI_ERRNO_INVAL);
  CHECK_ERR(__wasi_path_open(77, 0, "x", 0, 0, 0, 0, &fd), __WASI_ERRNO_BADF);
  CHECK_ERR(__wasi_path_open(1, 0, "x", 0, 0, 0, 0, &fd), __WASI_ERRNO_NOTDIR);

  /* directories */
  CHECK_ERR(mkdir("d", 0755), 0);
  CHECK_ERR(mkdir("d", 0755), -1);
  CHECK_ERR(errno, EEXIST);
  CHECK_ERR(mkdir("d/e/f", 0755), -1);
  CHECK_ERR(errno, ENOENT);
  CHECK_ERR(mkdir("d/e", 0755), 0);
  CHECK_ERR(rmdir("d"), -1);
  CHECK_ERR(errno, ENOTEMPTY);
  CHECK_ERR(unlink("d"), -1);
  CHECK_ERR(errno, EISDIR);
  CHECK_ERR(rmdir("x"), -1);
  CHECK_ERR(errno, ENOTDIR);
  int dfd = open("d", O_RDONLY | O_DIRECTORY);
  CHECK(dfd >= 0);
  char b[4];
  CHECK_ERR(read(dfd, b, 4), -1);
  CHECK_ERR(errno, EBADF);
  CHECK_ERR(__wasi_fd_write((__wasi_fd_t)dfd, NULL, 0, NULL), __WASI_ERRNO_BADF);
  __wasi_fdstat_t fs;
  CHECK_ERR(__wasi_fd_fdstat_get((__wasi_fd_t)dfd, &fs), 0);
  CHECK_ERR(fs.fs_filetype, __WASI_FILETYPE_DIRECTORY);
  /* a directory's own descriptor is the root of what it reaches */
  CHECK_ERR(__wasi_path_open((__wasi_fd_t)dfd, 0, "e/../..", 0, 0, 0, 0, &fd),
            __WASI_ERRNO_NOTCAPABLE);
  CHECK_ERR(__wasi_path_open((__wasi_fd_t)dfd, 0, "e/..", __WASI_OFLAGS_DIRECTORY,
                             0, 0, 0, &fd), 0);
  close((int)fd);
  close(dfd);
  CHECK_ERR(rmdir("d/e/"), 0);
  CHECK_ERR(rmdir("d"), 0);

  /* rename, link, unlink */
  CHECK_ERR(rename("x", "y"), 0);
  CHECK_ERR(access("x", F_OK), -1);
  CHECK_ERR(access("y", F_OK), 0);
  CHECK_ERR(mkdir("dd", 0755), 0);
  CHECK_ERR(rename("y", "dd"), -1);
  CHECK_ERR(errno, EISDIR);
  CHECK_ERR(rename("y", "dd/y"), 0);
  CHECK_ERR(rename("dd/y/", "z"), -1);
  CHECK_ERR(errno, ENOTDIR);
  CHECK_ERR(link("dd/y", "hard"), 0);
  struct stat st;
  CHECK_ERR(stat("hard", &st), 0);
  CHECK_ERR(st.st_nlink, 2);
  CHECK_ERR(link("dd/y", "hard"), -1);
  CHECK_ERR(errno, EEXIST);
  CHECK_ERR(unlink("hard"), 0);
  CHECK_ERR(unlink("hard"), -1);
  CHECK_ERR(errno, ENOENT);
  CHECK_ERR(unlink("dd/y/"), -1);
  CHECK_ERR(errno, ENOTDIR);
  CHECK_ERR(unlink("dd/y"), 0);
  CHECK_ERR(rmdir("dd"), 0);

  /* symlinks inside the tree */
  CHECK(close(open("target", O_CREAT | O_WRONLY, 0644)) == 0);
  CHECK_ERR(symlink("target", "ln"), 0);
  char lb[64];
  CHECK_ERR(readlink("ln", lb, sizeof lb), 6);
  CHECK(!memcmp(lb, "target", 6));
  __wasi_size_t used;
  CHECK_ERR(__wasi_path_readlink(3, "ln", (uint8_t *)lb, 3, &used), __WASI_ERRNO_RANGE);
  CHECK_ERR(__wasi_path_readlink(3, "target", (uint8_t *)lb, 64, &used), __WASI_ERRNO_INVAL);
  CHECK_ERR(lstat("ln", &st), 0);
  CHECK(S_ISLNK(st.st_mode));
  CHECK_ERR(stat("ln", &st), 0);
  CHECK(S_ISREG(st.st_mode));
  /* not followed without the lookup flag: ELOOP */
  CHECK_ERR(t_open("ln", 0, 0, &fd), __WASI_ERRNO_LOOP);
  CHECK_ERR(t_open("ln", 0, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, &fd), 0);
  close((int)fd);
  CHECK_ERR(symlink("target", "ln"), -1);
  CHECK_ERR(errno, EEXIST);
  CHECK_ERR(unlink("ln"), 0);
  CHECK_ERR(access("target", F_OK), 0); /* the link went, not the target */
  CHECK_ERR(symlink("nowhere", "dangling"), 0);
  int cfd = open("dangling", O_CREAT | O_WRONLY, 0644); /* creates nowhere */
  CHECK(cfd >= 0);
  close(cfd);
  CHECK_ERR(access("nowhere", F_OK), 0);
  CHECK_ERR(unlink("dangling"), 0);
  CHECK_ERR(unlink("nowhere"), 0);
  CHECK_ERR(unlink("target"), 0);
}

static void renumber_and_prestat(void) {
  int a = open("r1", O_CREAT | O_RDWR, 0644), b = open("r2", O_CREAT | O_RDWR, 0644);
  CHECK(a >= 0 && b >= 0);
  CHECK_ERR(write(a, "A", 1), 1);
  CHECK_ERR(__wasi_fd_renumber((__wasi_fd_t)a, (__wasi_fd_t)b), 0);
  CHECK_ERR(write(b, "B", 1), 1); /* goes to r1 */
  CHECK_ERR(close(a), -1);
  CHECK_ERR(__wasi_fd_renumber((__wasi_fd_t)b, 99), __WASI_ERRNO_BADF);
  close(b);
  struct stat st;
  CHECK_ERR(stat("r1", &st), 0);
  CHECK_ERR(st.st_size, 2);
  CHECK_ERR(stat("r2", &st), 0);
  CHECK_ERR(st.st_size, 0);
  unlink("r1");
  unlink("r2");
  __wasi_prestat_t ps;
  CHECK_ERR(__wasi_fd_prestat_get(3, &ps), 0);
  CHECK_ERR(ps.u.dir.pr_name_len, 1);
  char name[4] = {0};
  CHECK_ERR(__wasi_fd_prestat_dir_name(3, (uint8_t *)name, 0), __WASI_ERRNO_NAMETOOLONG);
  CHECK_ERR(__wasi_fd_prestat_dir_name(3, (uint8_t *)name, 4), 0);
  CHECK(!strcmp(name, "."));
  CHECK_ERR(__wasi_fd_prestat_get(0, &ps), __WASI_ERRNO_BADF);
  CHECK_ERR(__wasi_fd_prestat_get(4, &ps), __WASI_ERRNO_BADF);
}

int main(void) {
  basic_io();
  append_and_flags();
  names();
  renumber_and_prestat();
  return t_done("files");
}
