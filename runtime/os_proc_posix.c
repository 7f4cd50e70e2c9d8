/* os_proc.h for POSIX hosts: the executable's path from /proc/self/exe on
 * Linux (readlink: the kernel's answer, immune to a relative argv[0] or a
 * changed working directory) and _NSGetExecutablePath on macOS. */
#define _DEFAULT_SOURCE 1
#define _DARWIN_C_SOURCE 1

#include "runtime/os_proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__APPLE__)
#include <mach-o/dyld.h>
#include <stdint.h>
#endif

bool os_self_exe_path(char *buf, size_t size) {
  if (!size) return false;
#if defined(__APPLE__)
  uint32_t n = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
  return _NSGetExecutablePath(buf, &n) == 0;
#else
  ssize_t n = readlink("/proc/self/exe", buf, size);
  /* readlink does not terminate, and a full buffer may be a cut path. */
  if (n <= 0 || (size_t)n >= size) return false;
  buf[n] = '\0';
  return true;
#endif
}

int os_file_open_read(const char *path, os_fd *out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? OS_ENOENT : errno == EACCES ? OS_EACCES
           : errno == EISDIR ? OS_EISDIR : OS_EIO;
  *out = fd;
  return OS_OK;
}

int os_file_remove(const char *path) {
  if (remove(path) == 0) return OS_OK;
  return errno == ENOENT ? OS_ENOENT : errno == EACCES || errno == EPERM ? OS_EACCES
         : errno == ENOTEMPTY || errno == EEXIST ? OS_ENOTEMPTY
         : errno == EBUSY ? OS_EBUSY : errno == EROFS ? OS_EROFS : OS_EIO;
}

int os_file_write(const char *path, const void *data, size_t size,
                  bool executable) {
  size_t n = strlen(path);
  char *tmp = malloc(n + 16);
  if (!tmp) return OS_ENOMEM;
  snprintf(tmp, n + 16, "%s.tmp%ld", path, (long)getpid());
  int e = OS_OK;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                executable ? 0755 : 0644);
  if (fd < 0) {
    e = errno == EACCES ? OS_EACCES : errno == ENOENT ? OS_ENOENT : OS_EIO;
    goto fail;
  }
  for (const char *p = data; size;) {
    ssize_t w = write(fd, p, size);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      e = errno == ENOSPC ? OS_ENOSPC : OS_EIO;
      close(fd);
      unlink(tmp);
      goto fail;
    }
    p += w;
    size -= (size_t)w;
  }
  if (close(fd) || rename(tmp, path)) {
    e = OS_EIO;
    unlink(tmp);
  }
fail:
  free(tmp);
  return e;
}

bool os_isatty(int fd) { return isatty(fd) == 1; }

extern char **environ;

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool os_run_child(const char *const *argv, const char *stdout_path,
                  os_child_result *out) {
  posix_spawn_file_actions_t fa;
  if (posix_spawn_file_actions_init(&fa)) return false;
  bool ok = false;
  if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) ||
      posix_spawn_file_actions_addopen(&fa, 1, stdout_path ? stdout_path : "/dev/null",
                                       O_WRONLY | O_CREAT | O_TRUNC, 0644))
    goto out;
  double start = now_seconds();
  pid_t pid;
  /* posix_spawn's argv is char *const[] for historical reasons; it does
   * not write to the strings. */
  if (posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ))
    goto out;
  int st;
  struct rusage ru;
  pid_t r;
  do {
    /* wait4: the rusage of exactly this child, not of all children. */
    r = wait4(pid, &st, 0, &ru);
  } while (r < 0 && errno == EINTR);
  if (r != pid) goto out;
  out->seconds = now_seconds() - start;
  out->cpu_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
                     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
  out->status = WIFEXITED(st) ? WEXITSTATUS(st)
                : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
#if defined(__APPLE__)
  out->peak_rss_kb = (uint64_t)ru.ru_maxrss / 1024; /* bytes on macOS */
#else
  out->peak_rss_kb = (uint64_t)ru.ru_maxrss; /* KiB on Linux */
#endif
  ok = true;
out:
  posix_spawn_file_actions_destroy(&fa);
  return ok;
}

bool os_temp_dir(char *buf, size_t size) {
  const char *base = getenv("TMPDIR");
  if (!base || !*base) base = "/tmp";
  int n = snprintf(buf, size, "%s/ferry-XXXXXX", base);
  if (n < 0 || (size_t)n >= size) return false;
  return mkdtemp(buf) != NULL;
}
