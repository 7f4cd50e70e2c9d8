/* os_fs.h for Windows, second part: transfers and state of open handles
 * (files, pipes, the console), clocks, randomness, readiness polling and
 * sockets. The first part, os_fs_win32.c, opens things and handles paths
 * and directories. The whole file is Win32-only. */
#ifdef _WIN32

#include "runtime/os_win32_int.h"

#include <bcrypt.h>
#include <stdlib.h>
#include <string.h>

/* ---- transfer ---- */

static int64_t file_pos(HANDLE h) {
  LARGE_INTEGER z = {0}, p;
  return SetFilePointerEx(h, z, &p, FILE_CURRENT) ? p.QuadPart : -1;
}

/* The console speaks UTF-16: UTF-8 from the guest is converted (a
 * sequence cut between two writes waits in carry), so that text shows the
 * same whatever the console's code page. */
static int console_write(whandle *w, const uint8_t *p, size_t len) {
  uint8_t *buf = malloc(len + w->ncarry + 1);
  if (!buf) return OS_ENOMEM;
  memcpy(buf, w->carry, w->ncarry);
  memcpy(buf + w->ncarry, p, len);
  size_t n = len + w->ncarry, cut = n;
  /* keep an incomplete final sequence for the next write */
  size_t k = n;
  while (k > 0 && n - k < 4 && (buf[k - 1] & 0xc0) == 0x80) k--;
  if (k > 0 && buf[k - 1] >= 0xc0) {
    uint8_t c = buf[k - 1];
    size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    if (n - (k - 1) < need) cut = k - 1;
  }
  w->ncarry = (uint8_t)(n - cut);
  memcpy(w->carry, buf + cut, w->ncarry);
  buf[cut] = 0;
  wchar_t *ws = os_win32_wide((char *)buf, 0);
  int e = OS_OK;
  if (!ws) { /* not UTF-8: pass the bytes on, in the console's code page */
    DWORD wr;
    if (!WriteFile(w->h, buf, (DWORD)cut, &wr, NULL)) e = err();
  } else {
    size_t wl = wcslen(ws), at = 0;
    while (at < wl && !e) {
      DWORD wr = 0, chunk = wl - at > 16384 ? 16384 : (DWORD)(wl - at);
      if (!WriteConsoleW(w->h, ws + at, chunk, &wr, NULL) || !wr) e = err();
      at += wr;
    }
  }
  free(ws);
  free(buf);
  return e;
}

static int console_read(whandle *w, uint8_t *p, size_t len, size_t *done) {
  if (!w->ncarry) {
    wchar_t ws[2];
    DWORD got = 0;
    if (!ReadConsoleW(w->h, ws, 1, &got, NULL)) return err();
    if (!got) {
      *done = 0;
      return OS_OK;
    }
    if (ws[0] >= 0xd800 && ws[0] < 0xdc00 && ReadConsoleW(w->h, ws + 1, 1, &got, NULL))
      got = 2;
    if (got == 1 && ws[0] == 26) { /* Ctrl-Z: end of input */
      *done = 0;
      return OS_OK;
    }
    char *u = os_win32_utf8(ws, got);
    if (!u) return OS_ENOMEM;
    size_t ul = strlen(u);
    memcpy(w->carry, u, ul);
    w->ncarry = (uint8_t)ul;
    free(u);
  }
  size_t n = len < w->ncarry ? len : w->ncarry;
  memcpy(p, w->carry, n);
  memmove(w->carry, w->carry + n, w->ncarry - n);
  w->ncarry = (uint8_t)(w->ncarry - n);
  *done = n;
  return OS_OK;
}

/* One buffer; off < 0: at the handle's position (or the end, appending). */
static int io_one(whandle *w, void *buf, size_t len, bool write, int64_t off,
                  size_t *done) {
  *done = 0;
  if (w->kind == K_CONSOLE && off < 0) {
    if (!write) return console_read(w, buf, len, done);
    int e = console_write(w, buf, len);
    if (!e) *done = len;
    return e;
  }
  DWORD n = len > 0x40000000 ? 0x40000000 : (DWORD)len, got = 0;
  OVERLAPPED ov, *pov = NULL;
  memset(&ov, 0, sizeof ov);
  if (off >= 0) {
    ov.Offset = (DWORD)off;
    ov.OffsetHigh = (DWORD)((uint64_t)off >> 32);
    pov = &ov;
  } else if (write && (w->flags & OS_O_APPEND) && w->kind == K_FILE) {
    ov.Offset = ov.OffsetHigh = 0xffffffff; /* at the end, atomically */
    pov = &ov;
  }
  BOOL ok = write ? WriteFile(w->h, buf, n, &got, pov)
                  : ReadFile(w->h, buf, n, &got, pov);
  if (!ok) {
    DWORD e = GetLastError();
    /* A closed pipe's writer or the end of a file is the end of input. */
    if (!write && (e == ERROR_BROKEN_PIPE || e == ERROR_HANDLE_EOF)) return OS_OK;
    /* A handle not opened for this direction: POSIX says EBADF. */
    return e == ERROR_ACCESS_DENIED ? OS_EBADF : os_win32_error(e);
  }
  *done = got;
  return OS_OK;
}

static int transfer(os_fd fd, const os_iov *iov, size_t n, bool write,
                    bool positioned, uint64_t off, size_t *done) {
  whandle *w = WH(fd);
  *done = 0;
  if (w->kind == K_SOCKET)
    return write ? os_sock_send(fd, iov, n, done)
                 : os_sock_recv(fd, iov, n, 0, done);
  if (w->kind == K_DIR) return OS_EISDIR;
  if (positioned && (off > (uint64_t)INT64_MAX || w->kind != K_FILE))
    return positioned && w->kind != K_FILE ? OS_ESPIPE : OS_EINVAL;
  /* pread/pwrite must not move the file position; a synchronous handle's
   * OVERLAPPED transfer does, so it is put back. */
  int64_t saved = positioned ? file_pos(w->h) : -1;
  int e = OS_OK;
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    if (!iov[i].len) continue;
    size_t k;
    e = io_one(w, iov[i].base, iov[i].len, write,
               positioned ? (int64_t)(off + total) : -1, &k);
    if (e) break;
    total += k;
    if (k < iov[i].len) break;
    /* Stop after a pipe or console read gave something: POSIX readv
     * returns what is there rather than wait for every buffer. */
    if (!write && w->kind != K_FILE) break;
  }
  if (write && !positioned && (w->flags & OS_O_APPEND) && w->kind == K_FILE) {
    LARGE_INTEGER z = {0};
    SetFilePointerEx(w->h, z, NULL, FILE_END); /* POSIX: offset at the end */
  }
  if (saved >= 0) {
    LARGE_INTEGER p;
    p.QuadPart = saved;
    SetFilePointerEx(w->h, p, NULL, FILE_BEGIN);
  }
  if (total) e = OS_OK; /* a partial transfer is a success */
  *done = total;
  return e;
}

int os_fs_readv(os_fd fd, const os_iov *iov, size_t n, size_t *done) {
  return transfer(fd, iov, n, false, false, 0, done);
}
int os_fs_writev(os_fd fd, const os_iov *iov, size_t n, size_t *done) {
  return transfer(fd, iov, n, true, false, 0, done);
}
int os_fs_preadv(os_fd fd, const os_iov *iov, size_t n, uint64_t off,
                 size_t *done) {
  return transfer(fd, iov, n, false, true, off, done);
}
int os_fs_pwritev(os_fd fd, const os_iov *iov, size_t n, uint64_t off,
                  size_t *done) {
  return transfer(fd, iov, n, true, true, off, done);
}

int os_fs_seek(os_fd fd, int64_t off, int whence, uint64_t *pos) {
  static const DWORD how[] = {FILE_BEGIN, FILE_CURRENT, FILE_END};
  whandle *w = WH(fd);
  if (whence < 0 || whence > 2) return OS_EINVAL;
  if (w->kind != K_FILE && w->kind != K_DIR) return OS_ESPIPE;
  LARGE_INTEGER d, p;
  d.QuadPart = off;
  if (!SetFilePointerEx(w->h, d, &p, how[whence])) return err();
  *pos = (uint64_t)p.QuadPart;
  return OS_OK;
}

int os_fs_sync(os_fd fd, bool data_only) {
  whandle *w = WH(fd);
  (void)data_only; /* Windows has one flush for data and metadata */
  if (w->kind == K_DIR) return OS_OK; /* directory updates are journaled */
  if (w->kind != K_FILE) return OS_EINVAL;
  return FlushFileBuffers(w->h) ? OS_OK : err();
}

int os_fs_advise(os_fd fd, uint64_t off, uint64_t len, int advice) {
  (void)fd, (void)off, (void)len;
  return advice < 0 || advice > 5 ? OS_EINVAL : OS_OK; /* hints only */
}

int os_fs_allocate(os_fd fd, uint64_t off, uint64_t len) {
  whandle *w = WH(fd);
  if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off)
    return OS_EFBIG;
  if (w->kind != K_FILE) return w->kind == K_DIR ? OS_EBADF : OS_ESPIPE;
  LARGE_INTEGER sz;
  if (!GetFileSizeEx(w->h, &sz)) return err();
  if ((uint64_t)sz.QuadPart >= off + len) return OS_OK;
  return os_win32_set_size(w->h, off + len); /* never shrinks, like posix_fallocate */
}

int os_fs_readable(os_fd fd, uint64_t *n) {
  whandle *w = WH(fd);
  *n = 0;
  switch (w->kind) {
  case K_SOCKET: {
    u_long k = 0;
    if (ioctlsocket(w->s, FIONREAD, &k)) return wsa_err();
    *n = k;
    return OS_OK;
  }
  case K_PIPE: {
    DWORD k = 0;
    if (!PeekNamedPipe(w->h, NULL, 0, NULL, &k, NULL))
      return GetLastError() == ERROR_BROKEN_PIPE ? OS_OK : err();
    *n = k;
    return OS_OK;
  }
  case K_FILE: {
    LARGE_INTEGER sz;
    int64_t p = file_pos(w->h);
    if (p >= 0 && GetFileSizeEx(w->h, &sz) && sz.QuadPart > p)
      *n = (uint64_t)(sz.QuadPart - p);
    return OS_OK;
  }
  case K_CONSOLE: {
    DWORD k = 0;
    GetNumberOfConsoleInputEvents(w->h, &k);
    *n = w->ncarry ? w->ncarry : k ? 1 : 0; /* events, not bytes: a hint */
    return OS_OK;
  }
  default: return OS_OK;
  }
}

int os_fs_get_flags(os_fd fd, int *oflags) {
  *oflags = WH(fd)->flags & (OS_O_APPEND | OS_O_NONBLOCK | OS_O_DSYNC |
                             OS_O_SYNC | OS_O_RSYNC);
  return OS_OK;
}

int os_fs_set_flags(os_fd fd, int oflags) {
  whandle *w = WH(fd);
  if (oflags & ~(OS_O_APPEND | OS_O_NONBLOCK)) return OS_ENOTSUP;
  if (w->kind == K_SOCKET) {
    u_long nb = (oflags & OS_O_NONBLOCK) != 0;
    if (ioctlsocket(w->s, FIONBIO, &nb)) return wsa_err();
  }
  /* Elsewhere non-blocking is recorded only: Windows pipes and consoles
   * have no per-handle non-blocking mode (see os_poll for readiness). */
  w->flags = (w->flags & ~(OS_O_APPEND | OS_O_NONBLOCK)) | oflags;
  return OS_OK;
}

int os_fs_truncate(os_fd fd, uint64_t size) {
  whandle *w = WH(fd);
  if (size > (uint64_t)INT64_MAX) return OS_EFBIG;
  if (w->kind != K_FILE) return w->kind == K_DIR ? OS_EISDIR : OS_EINVAL;
  return os_win32_set_size(w->h, size);
}

/* ---- clocks and randomness ---- */

int os_clock_time(int id, uint64_t *ns) {
  switch (id) {
  case 0: {
    FILETIME ft;
    GetSystemTimePreciseAsFileTime(&ft);
    *ns = os_win32_ft_ns((uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime);
    return OS_OK;
  }
  case 1: {
    LARGE_INTEGER c, f;
    QueryPerformanceCounter(&c);
    QueryPerformanceFrequency(&f);
    uint64_t cv = (uint64_t)c.QuadPart, fv = (uint64_t)f.QuadPart;
    /* split so that counter * 1e9 cannot overflow */
    *ns = cv / fv * 1000000000u + cv % fv * 1000000000u / fv;
    return OS_OK;
  }
  case 2:
  case 3: {
    FILETIME c, x, k, u;
    BOOL ok = id == 2 ? GetProcessTimes(GetCurrentProcess(), &c, &x, &k, &u)
                      : GetThreadTimes(GetCurrentThread(), &c, &x, &k, &u);
    if (!ok) return err();
    uint64_t kv = (uint64_t)k.dwHighDateTime << 32 | k.dwLowDateTime;
    uint64_t uv = (uint64_t)u.dwHighDateTime << 32 | u.dwLowDateTime;
    *ns = (kv + uv) * 100;
    return OS_OK;
  }
  default: return OS_EINVAL;
  }
}

int os_clock_res(int id, uint64_t *ns) {
  if (id == 1) {
    LARGE_INTEGER f;
    QueryPerformanceFrequency(&f);
    *ns = 1000000000u / (uint64_t)f.QuadPart;
    if (!*ns) *ns = 1;
    return OS_OK;
  }
  if (id < 0 || id > 3) return OS_EINVAL;
  *ns = 100; /* FILETIME units (CPU times advance more coarsely) */
  return OS_OK;
}

int os_random(void *buf, size_t len) {
  uint8_t *p = buf;
  while (len) {
    ULONG k = len > 0x10000000 ? 0x10000000 : (ULONG)len;
    if (BCryptGenRandom(NULL, p, k, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
      return OS_EIO;
    p += k;
    len -= k;
  }
  return OS_OK;
}

void os_yield(void) { SwitchToThread(); }

/* ---- readiness ----
 * Windows has no poll over mixed handles: sockets have WSAPoll, consoles
 * are waitable, pipes are neither. So os_poll checks each handle without
 * blocking and, while none is ready, sleeps in short steps (1 ms, growing
 * to 10 ms) until the deadline. Limits: a pipe is always writable (no way
 * to see a full pipe buffer), a console is readable when it has any input
 * event (key releases and focus changes too; reading may then block), and
 * wakeups are late by up to one step plus the system timer's granularity. */

static uint8_t ready_now(os_pollfd *p) {
  whandle *w = WH(p->fd);
  uint8_t r = 0;
  switch (w->kind) {
  case K_SOCKET: {
    WSAPOLLFD q;
    q.fd = w->s;
    q.events = (short)(((p->events & OS_POLL_READ) ? POLLRDNORM : 0) |
                       ((p->events & OS_POLL_WRITE) ? POLLWRNORM : 0));
    q.revents = 0;
    if (WSAPoll(&q, 1, 0) < 0) return OS_POLL_ERR;
    if (q.revents & (POLLRDNORM | POLLRDBAND)) r |= OS_POLL_READ;
    if (q.revents & POLLWRNORM) r |= OS_POLL_WRITE;
    if (q.revents & POLLHUP) r |= OS_POLL_HUP;
    if (q.revents & (POLLERR | POLLNVAL)) r |= OS_POLL_ERR;
    return r;
  }
  case K_PIPE: {
    DWORD k = 0;
    if (p->events & OS_POLL_WRITE) r |= OS_POLL_WRITE;
    if (p->events & OS_POLL_READ) {
      if (!PeekNamedPipe(w->h, NULL, 0, NULL, &k, NULL)) {
        DWORD e = GetLastError();
        /* wine's view of a host (unix) pipe cannot be peeked: with no way
         * to know, it is reported ready, as a file would be. */
        r |= e == ERROR_BROKEN_PIPE ? OS_POLL_HUP
             : e == ERROR_NOT_SUPPORTED ? OS_POLL_READ : OS_POLL_ERR;
      }
      else if (k) r |= OS_POLL_READ;
    }
    return r;
  }
  case K_CONSOLE:
    if (p->events & OS_POLL_WRITE) r |= OS_POLL_WRITE;
    if ((p->events & OS_POLL_READ) &&
        (w->ncarry || WaitForSingleObject(w->h, 0) == WAIT_OBJECT_0))
      r |= OS_POLL_READ;
    return r;
  default: /* files, directories, NUL: always ready, as on POSIX */
    return p->events & (OS_POLL_READ | OS_POLL_WRITE);
  }
}

int os_poll(os_pollfd *fds, size_t n, uint64_t timeout_ns) {
  uint64_t start, now;
  os_clock_time(1, &start);
  DWORD step = 1;
  for (;;) {
    bool any = false;
    for (size_t i = 0; i < n; i++) {
      fds[i].revents = ready_now(&fds[i]);
      if (fds[i].revents) any = true;
    }
    if (any) return OS_OK;
    os_clock_time(1, &now);
    uint64_t spent = now - start;
    if (timeout_ns != UINT64_MAX && spent >= timeout_ns) return OS_OK;
    uint64_t left = timeout_ns == UINT64_MAX ? UINT64_MAX : timeout_ns - spent;
    /* With nothing to watch, sleep the whole time (rounded up). */
    uint64_t ms = n == 0 ? (left + 999999u) / 1000000u : step;
    if (ms > (left + 999999u) / 1000000u) ms = (left + 999999u) / 1000000u;
    Sleep(ms > 0x7fffffff ? 0x7fffffff : (DWORD)ms);
    if (step < 10) step++;
  }
}

/* ---- sockets ---- */

static INIT_ONCE wsa_once = INIT_ONCE_STATIC_INIT;
static BOOL CALLBACK init_wsa(INIT_ONCE *o, void *p, void **c) {
  (void)o, (void)p, (void)c;
  WSADATA d;
  return WSAStartup(MAKEWORD(2, 2), &d) == 0;
}

/* Winsock must be started before the first socket call of the process;
 * it stays up until exit (WSACleanup at exit is optional). */
static bool wsa_ready(void) {
  return InitOnceExecuteOnce(&wsa_once, init_wsa, NULL, NULL);
}

static int wrap_socket(SOCKET s, os_fd *out) {
  whandle *w = os_win32_wrap(INVALID_HANDLE_VALUE, K_SOCKET, 0);
  if (!w) {
    closesocket(s);
    return OS_ENOMEM;
  }
  w->s = s;
  *out = (os_fd)(intptr_t)w;
  return OS_OK;
}

int os_sock_listen(const char *addr, os_fd *out) {
  char host[256];
  if (!wsa_ready()) return OS_ENOSYS;
  const char *colon = strrchr(addr, ':');
  if (!colon || (size_t)(colon - addr) >= sizeof host) return OS_EINVAL;
  memcpy(host, addr, (size_t)(colon - addr));
  host[colon - addr] = 0;
  char *h = host;
  size_t hl = strlen(h);
  if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') { /* "[::1]:80" */
    h[hl - 1] = 0;
    h++;
  }
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  if (getaddrinfo(*h ? h : NULL, colon + 1, &hints, &res) || !res)
    return OS_EINVAL;
  int e = OS_EADDRNOTAVAIL;
  for (struct addrinfo *a = res; a; a = a->ai_next) {
    SOCKET s = WSASocketW(a->ai_family, a->ai_socktype, a->ai_protocol, NULL,
                          0, WSA_FLAG_NO_HANDLE_INHERIT);
    if (s == INVALID_SOCKET) {
      e = wsa_err();
      continue;
    }
    /* No SO_REUSEADDR: on Windows it lets another socket steal the port;
     * the default already allows rebinding past TIME_WAIT. */
    if (bind(s, a->ai_addr, (int)a->ai_addrlen) || listen(s, 64)) {
      e = wsa_err();
      closesocket(s);
      continue;
    }
    e = wrap_socket(s, out);
    break;
  }
  freeaddrinfo(res);
  return e;
}

int os_sock_accept(os_fd fd, bool nonblock, os_fd *out) {
  whandle *w = WH(fd);
  if (w->kind != K_SOCKET) return OS_ENOTSOCK;
  SOCKET s = accept(w->s, NULL, NULL);
  if (s == INVALID_SOCKET) return wsa_err();
  u_long nb = nonblock;
  ioctlsocket(s, FIONBIO, &nb);
  int e = wrap_socket(s, out);
  if (!e && nonblock) WH(*out)->flags |= OS_O_NONBLOCK;
  return e;
}

static WSABUF *wsa_bufs(const os_iov *iov, size_t *n) {
  if (*n > 1024) *n = 1024; /* the rest waits for the next call */
  WSABUF *b = malloc((*n ? *n : 1) * sizeof *b);
  for (size_t i = 0; b && i < *n; i++) {
    b[i].buf = iov[i].base;
    b[i].len = iov[i].len > 0x7fffffff ? 0x7fffffff : (ULONG)iov[i].len;
  }
  return b;
}

int os_sock_recv(os_fd fd, const os_iov *iov, size_t n, int flags,
                 size_t *done) {
  whandle *w = WH(fd);
  *done = 0;
  if (w->kind != K_SOCKET) return OS_ENOTSOCK;
  WSABUF *b = wsa_bufs(iov, &n);
  if (!b) return OS_ENOMEM;
  DWORD got = 0, f = ((flags & 1) ? MSG_PEEK : 0) | ((flags & 2) ? MSG_WAITALL : 0);
  int e = WSARecv(w->s, b, (DWORD)n, &got, &f, NULL, NULL) ? wsa_err() : OS_OK;
  free(b);
  if (!e) *done = got;
  return e;
}

int os_sock_send(os_fd fd, const os_iov *iov, size_t n, size_t *done) {
  whandle *w = WH(fd);
  *done = 0;
  if (w->kind != K_SOCKET) return OS_ENOTSOCK;
  WSABUF *b = wsa_bufs(iov, &n);
  if (!b) return OS_ENOMEM;
  DWORD sent = 0;
  int e = WSASend(w->s, b, (DWORD)n, &sent, 0, NULL, NULL) ? wsa_err() : OS_OK;
  free(b);
  if (!e) *done = sent;
  return e;
}

int os_sock_shutdown(os_fd fd, int how) {
  whandle *w = WH(fd);
  if (w->kind != K_SOCKET) return OS_ENOTSOCK;
  int h = how == 1 ? SD_RECEIVE : how == 2 ? SD_SEND : SD_BOTH;
  return shutdown(w->s, h) ? wsa_err() : OS_OK;
}


#endif /* _WIN32 */
