/* Internals shared by the Win32 backend of os_fs.h: os_fs_win32.c (files,
 * directories, the handle wrapper, error mapping) and os_sys_win32.c
 * (clocks, randomness, readiness, sockets). Included only by those two. */
#ifndef FERRY_RUNTIME_OS_WIN32_INT_H
#define FERRY_RUNTIME_OS_WIN32_INT_H

#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00
#endif

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>

#include "runtime/os_fs.h"

/* What an os_fd points to (see os_fs_win32.c). */
enum { K_FILE, K_DIR, K_CONSOLE, K_CHAR, K_PIPE, K_SOCKET };

typedef struct {
  HANDLE h;
  SOCKET s;
  uint8_t kind;
  int flags;          /* OS_O_APPEND, OS_O_NONBLOCK, OS_O_*SYNC */
  uint8_t carry[8];   /* console: UTF-8 not yet written / not yet read */
  uint8_t ncarry;
} whandle;

/* os_fd → whandle */
#define WH(fd) ((whandle *)(intptr_t)(fd))

/* Win32 or Winsock error → OS_E* (one table, in os_fs_win32.c). */
int os_win32_error(DWORD e);
static inline int err(void) { return os_win32_error(GetLastError()); }
static inline int wsa_err(void) {
  return os_win32_error((DWORD)WSAGetLastError());
}
/* A new wrapper owning h (NULL when out of memory). */
whandle *os_win32_wrap(HANDLE h, uint8_t kind, int flags);
/* UTF-8 → new UTF-16 string with `extra` spare units (NULL: bad UTF-8
 * or no memory, with the last error set), and n UTF-16 units → new UTF-8
 * string; lone surrogates survive both ways (WTF-8). */
wchar_t *os_win32_wide(const char *s, size_t extra);
char *os_win32_utf8(const wchar_t *w, size_t n);
/* Sets a file's size (FileEndOfFileInfo: the position does not move). */
int os_win32_set_size(HANDLE h, uint64_t size);
/* FILETIME (100 ns since 1601) → ns since the Unix epoch. */
uint64_t os_win32_ft_ns(uint64_t ft);

#endif
