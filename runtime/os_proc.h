/* Process glue for the ferry CLI and the packed-executable stub (DESIGN.md
 * decision 10): what main() and the stub need from the host before the
 * runtime starts. os_proc_posix.c / os_posix.c and os_win32.c /
 * os_fs_win32.c implement it. */
#ifndef FERRY_RUNTIME_OS_PROC_H
#define FERRY_RUNTIME_OS_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/os_fs.h"

/* The running executable's own path (the stub reads its payload from it),
 * NUL-terminated UTF-8 in buf. False when it cannot be found or does not
 * fit. */
bool os_self_exe_path(char *buf, size_t size);

/* Opens an existing file, given by a whole host path (UTF-8), for reading
 * with os_fs_readv/os_fs_preadv/os_fs_fstat; close with os_fs_close. */
int os_file_open_read(const char *path, os_fd *out);

/* Replaces main's argc/argv with the arguments as UTF-8. POSIX passes
 * arguments as bytes already, so it leaves them alone; Windows rebuilds
 * them from the UTF-16 command line (the C runtime's argv is in the ANSI
 * code page and loses characters). The new array lives until exit. Returns
 * false (argv untouched) when that fails; the caller may go on with the
 * original. Call once, at the top of main. */
bool os_args_utf8(int *argc, char ***argv);

/* Puts stdin, stdout and stderr of the C runtime in binary mode so that
 * output bytes are the same on every host (no "\r\n" on Windows). A no-op
 * on POSIX. Call once, at the top of main, before any output. */
void os_stdio_binary(void);

/* Creates or replaces the host file `path` with `size` bytes of data; with
 * `executable`, marks it runnable (mode 0755 on POSIX; Windows runs by the
 * .exe name). Written to a temporary name next to it and renamed over, so
 * a failed write never leaves a half file behind. Returns OS_OK or an os
 * error code. */
int os_file_write(const char *path, const void *data, size_t size,
                  bool executable);

/* The whole contents of the host file `path` (UTF-8), read to its end
 * (pipes and devices too), in a new buffer with one NUL byte after the
 * data (not counted in *size): free it with free(). Returns OS_OK or an os
 * error code. */
int os_file_read_all(const char *path, uint8_t **data, size_t *size);

/* The same from an open handle, reading from where it is to the end; more
 * than `max` bytes give OS_EFBIG. The handle stays open. */
int os_fs_read_all(os_fd fd, size_t max, uint8_t **data, size_t *size);

/* Removes the host file or empty directory `path` (UTF-8). Returns OS_OK
 * or an os error code. */
int os_file_remove(const char *path);

/* What an os error code means, for messages: "no such file or directory"
 * for OS_ENOENT. Never NULL. */
const char *os_error_text(int e);

/* True when host descriptor fd (0 stdin, 1 stdout, 2 stderr) is a
 * terminal: progress output is for people, not for logs and pipes. */
bool os_isatty(int fd);

/* How a child process ended (os_run_child). */
typedef struct {
  int status;           /* exit status; 128 + signal number when killed */
  double seconds;       /* wall clock from start to exit */
  double cpu_seconds;   /* the child's user + system time */
  uint64_t peak_rss_kb; /* the child's peak resident memory, in KiB */
} os_child_result;

/* Runs argv[0] (a path, not searched in PATH) with arguments argv (NULL
 * terminated), stdin empty, stdout written to the host file `stdout_path`
 * (created or truncated; NULL: discarded), stderr inherited, and waits for
 * it. Measured as a separate process so that its time and peak memory are
 * its own (ferry bench). False when it cannot be started. */
bool os_run_child(const char *const *argv, const char *stdout_path,
                  os_child_result *out);

/* Makes a new private directory for temporary files, its path in buf.
 * False on failure. Its files and the directory itself are removed with
 * os_file_remove. */
bool os_temp_dir(char *buf, size_t size);

#endif
