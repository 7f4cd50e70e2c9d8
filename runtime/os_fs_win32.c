/* os_fs.h for Windows (10 and later, x64), first part: opening, status,
 * times, directories and links; os_sys_win32.c has transfers, clocks,
 * polling and sockets. The whole file is Win32-only; os_fs_posix.c is its
 * POSIX twin.
 *
 * An os_fd is a pointer to a `whandle` (os_win32_int.h): the HANDLE (or
 * SOCKET) plus what POSIX keeps in the kernel and Windows does not — the
 * append and non-blocking flags (toggled by fd_fdstat_set_flags), what kind
 * of object it is (file, directory, console, pipe, socket), and a few bytes
 * of UTF-8 carried between console calls.
 *
 * Sandboxing (DESIGN.md decision 8). wasi_path.c walks guest paths one
 * component at a time with *at calls. Win32 has no "open relative to a
 * directory handle" without the NT native API, so each *at call builds the
 * host path from the directory handle's current final path
 * (GetFinalPathNameByHandleW: no reparse points left in it) plus the one
 * component, opens it with FILE_FLAG_OPEN_REPARSE_POINT (a final symlink or
 * junction is opened itself, never followed), then checks that the opened
 * object's final path is directly inside the directory's final path, that
 * the directory's path did not change meanwhile, and that the directory at
 * the object's parent path has the directory handle's file ID. Anything
 * else is refused with OS_ENOTCAPABLE. What remains is a race: the
 * directory renamed away and a stand-in put at its path between the open
 * and the checks, then swapped back before the parent is opened by path for
 * the ID check. Operations that act on the opened handle (stat, times,
 * readlink, unlink, rmdir, and the source of a rename) act on the checked
 * object; mkdir, link, symlink, O_CREAT of a new file and the target name
 * of a rename go through a path built the same way and have the window
 * between reading the directory's path and using it. */
#ifdef _WIN32

#include "runtime/os_win32_int.h"
#include "runtime/os_proc.h"

#include <winioctl.h>

#include <stdio.h> /* _snwprintf */

#include <stdlib.h>
#include <string.h>

/* ---- errors: the one table from Win32 and Winsock errors ---- */

static const struct {
  DWORD host;
  int os;
} error_table[] = {
    {ERROR_FILE_NOT_FOUND, OS_ENOENT}, {ERROR_PATH_NOT_FOUND, OS_ENOENT},
    {ERROR_INVALID_NAME, OS_ENOENT}, {ERROR_BAD_PATHNAME, OS_ENOENT},
    {ERROR_INVALID_DRIVE, OS_ENOENT}, {ERROR_DELETE_PENDING, OS_ENOENT},
    {ERROR_ACCESS_DENIED, OS_EACCES}, {ERROR_SHARING_VIOLATION, OS_EBUSY},
    {ERROR_LOCK_VIOLATION, OS_EBUSY}, {ERROR_CURRENT_DIRECTORY, OS_EBUSY},
    {ERROR_FILE_EXISTS, OS_EEXIST}, {ERROR_ALREADY_EXISTS, OS_EEXIST},
    {ERROR_DIR_NOT_EMPTY, OS_ENOTEMPTY}, {ERROR_DIRECTORY, OS_ENOTDIR},
    {ERROR_NOT_SAME_DEVICE, OS_EXDEV}, {ERROR_INVALID_HANDLE, OS_EBADF},
    {ERROR_NOT_ENOUGH_MEMORY, OS_ENOMEM}, {ERROR_OUTOFMEMORY, OS_ENOMEM},
    {ERROR_BROKEN_PIPE, OS_EPIPE}, {ERROR_NO_DATA, OS_EPIPE},
    {ERROR_DISK_FULL, OS_ENOSPC}, {ERROR_HANDLE_DISK_FULL, OS_ENOSPC},
    {ERROR_FILENAME_EXCED_RANGE, OS_ENAMETOOLONG},
    {ERROR_PRIVILEGE_NOT_HELD, OS_EPERM}, {ERROR_NOT_SUPPORTED, OS_ENOTSUP},
    {ERROR_INVALID_FUNCTION, OS_ENOTSUP}, {ERROR_NEGATIVE_SEEK, OS_EINVAL},
    {ERROR_INVALID_PARAMETER, OS_EINVAL}, {ERROR_TOO_MANY_OPEN_FILES, OS_EMFILE},
    {ERROR_WRITE_PROTECT, OS_EROFS}, {ERROR_CANT_RESOLVE_FILENAME, OS_ELOOP},
    {ERROR_NOT_A_REPARSE_POINT, OS_EINVAL}, {ERROR_SEM_TIMEOUT, OS_ETIMEDOUT},
    {ERROR_NO_UNICODE_TRANSLATION, OS_EILSEQ}, {ERROR_TOO_MANY_LINKS, OS_EMLINK},
    {ERROR_NOACCESS, OS_EFAULT}, {ERROR_NOT_READY, OS_EIO},
    {WSAEWOULDBLOCK, OS_EAGAIN}, {WSAEINPROGRESS, OS_EINPROGRESS},
    {WSAEALREADY, OS_EALREADY}, {WSAENOTSOCK, OS_ENOTSOCK},
    {WSAEDESTADDRREQ, OS_EDESTADDRREQ}, {WSAEMSGSIZE, OS_EMSGSIZE},
    {WSAEPROTOTYPE, OS_EPROTOTYPE}, {WSAENOPROTOOPT, OS_ENOPROTOOPT},
    {WSAEPROTONOSUPPORT, OS_EPROTONOSUPPORT}, {WSAEOPNOTSUPP, OS_ENOTSUP},
    {WSAEAFNOSUPPORT, OS_EAFNOSUPPORT}, {WSAEADDRINUSE, OS_EADDRINUSE},
    {WSAEADDRNOTAVAIL, OS_EADDRNOTAVAIL}, {WSAENETDOWN, OS_ENETDOWN},
    {WSAENETUNREACH, OS_ENETUNREACH}, {WSAENETRESET, OS_ENETRESET},
    {WSAECONNABORTED, OS_ECONNABORTED}, {WSAECONNRESET, OS_ECONNRESET},
    {WSAENOBUFS, OS_ENOBUFS}, {WSAEISCONN, OS_EISCONN},
    {WSAENOTCONN, OS_ENOTCONN}, {WSAESHUTDOWN, OS_EPIPE},
    {WSAETIMEDOUT, OS_ETIMEDOUT}, {WSAECONNREFUSED, OS_ECONNREFUSED},
    {WSAEHOSTUNREACH, OS_EHOSTUNREACH}, {WSAEINTR, OS_EINTR},
    {WSAEBADF, OS_EBADF}, {WSAEACCES, OS_EACCES}, {WSAEFAULT, OS_EFAULT},
    {WSAEINVAL, OS_EINVAL}, {WSAEMFILE, OS_EMFILE},
};

int os_win32_error(DWORD e) {
  for (size_t i = 0; i < sizeof error_table / sizeof *error_table; i++)
    if (error_table[i].host == e) return error_table[i].os;
  return OS_EIO;
}


/* ---- UTF-8 ↔ UTF-16 ----
 * Our own converters rather than MultiByteToWideChar: Windows file names
 * are arbitrary 16-bit units, and a lone surrogate must survive a readdir →
 * open round trip. It is carried as its 3-byte generalised UTF-8 form
 * (WTF-8), which wasi_path.c's check accepts. */

wchar_t *os_win32_wide(const char *s, size_t extra) {
  size_t n = strlen(s);
  wchar_t *w = malloc((n + 1 + extra) * sizeof *w);
  if (!w) return NULL;
  size_t k = 0;
  const uint8_t *p = (const uint8_t *)s;
  for (size_t i = 0; i < n;) {
    uint32_t c = p[i], len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if (c >= 0x80 && c < 0xc0) len = 0;
    if (!len || i + len > n) goto bad;
    if (len > 1) c &= 0xff >> (len + 1);
    for (uint32_t j = 1; j < len; j++) {
      if ((p[i + j] & 0xc0) != 0x80) goto bad;
      c = c << 6 | (p[i + j] & 0x3f);
    }
    i += len;
    if (c >= 0x10000) {
      c -= 0x10000;
      w[k++] = (wchar_t)(0xd800 | c >> 10);
      w[k++] = (wchar_t)(0xdc00 | (c & 0x3ff));
    } else w[k++] = (wchar_t)c;
  }
  w[k] = 0;
  return w;
bad:
  free(w);
  SetLastError(ERROR_NO_UNICODE_TRANSLATION);
  return NULL;
}

char *os_win32_utf8(const wchar_t *w, size_t n) {
  char *s = malloc(n * 3 + 1);
  if (!s) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t c = (uint16_t)w[i];
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < n && (uint16_t)w[i + 1] >= 0xdc00 &&
        (uint16_t)w[i + 1] < 0xe000)
      c = 0x10000 + ((c - 0xd800) << 10) + ((uint16_t)w[++i] - 0xdc00);
    if (c < 0x80) s[k++] = (char)c;
    else if (c < 0x800) {
      s[k++] = (char)(0xc0 | c >> 6);
      s[k++] = (char)(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      s[k++] = (char)(0xe0 | c >> 12);
      s[k++] = (char)(0x80 | (c >> 6 & 0x3f));
      s[k++] = (char)(0x80 | (c & 0x3f));
    } else {
      s[k++] = (char)(0xf0 | c >> 18);
      s[k++] = (char)(0x80 | (c >> 12 & 0x3f));
      s[k++] = (char)(0x80 | (c >> 6 & 0x3f));
      s[k++] = (char)(0x80 | (c & 0x3f));
    }
  }
  s[k] = 0;
  return s;
}

/* ---- handles ---- */

whandle *os_win32_wrap(HANDLE h, uint8_t kind, int flags) {
  whandle *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  w->h = h;
  w->s = INVALID_SOCKET;
  w->kind = kind;
  w->flags = flags;
  return w;
}

static uint8_t kind_of(HANDLE h) {
  DWORD mode;
  switch (GetFileType(h)) {
  case FILE_TYPE_CHAR: return GetConsoleMode(h, &mode) ? K_CONSOLE : K_CHAR;
  case FILE_TYPE_PIPE: return K_PIPE;
  default: {
    BY_HANDLE_FILE_INFORMATION bi;
    if (GetFileInformationByHandle(h, &bi) &&
        (bi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY))
      return K_DIR;
    return K_FILE;
  }
  }
}

/* The borrowed standard streams, set up once (their flags persist). */
static whandle stdio_h[3];
static INIT_ONCE stdio_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK init_stdio(INIT_ONCE *o, void *p, void **c) {
  (void)o, (void)p, (void)c;
  static const DWORD ids[3] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE,
                               STD_ERROR_HANDLE};
  for (int i = 0; i < 3; i++) {
    stdio_h[i].h = GetStdHandle(ids[i]);
    stdio_h[i].s = INVALID_SOCKET;
    stdio_h[i].kind = stdio_h[i].h && stdio_h[i].h != INVALID_HANDLE_VALUE
                          ? kind_of(stdio_h[i].h)
                          : K_CHAR;
  }
  return TRUE;
}

os_fd os_fs_stdio(int i) {
  InitOnceExecuteOnce(&stdio_once, init_stdio, NULL, NULL);
  return (os_fd)(intptr_t)&stdio_h[i];
}

int os_fs_close(os_fd fd) {
  whandle *w = WH(fd);
  int e = OS_OK;
  if (w >= stdio_h && w < stdio_h + 3) return OS_OK; /* borrowed */
  if (w->kind == K_SOCKET) {
    if (closesocket(w->s)) e = wsa_err();
  } else if (!CloseHandle(w->h)) e = err();
  free(w);
  return e;
}

/* ---- paths relative to a directory handle ---- */

/* The directory's final path ("\\?\C:\dir"), without a trailing '\'. */
static wchar_t *dir_path(HANDLE d, size_t *len) {
  DWORD cap = MAX_PATH;
  for (;;) {
    wchar_t *p = malloc((cap + 1) * sizeof *p);
    if (!p) return NULL;
    DWORD n = GetFinalPathNameByHandleW(d, p, cap, FILE_NAME_NORMALIZED);
    if (n == 0) {
      free(p);
      return NULL;
    }
    if (n < cap) {
      while (n > 0 && p[n - 1] == L'\\') n--; /* a volume root "C:\" */
      p[n] = 0;
      *len = n;
      return p;
    }
    free(p);
    cap = n + 1;
  }
}

/* One guest component, as Windows may not read it: '\' (a separator
 * here), ':' (alternate data streams), and characters Win32 refuses. */
static bool name_ok(const char *name) {
  if (!*name || !strcmp(name, "..")) return false;
  for (const char *p = name; *p; p++)
    if ((unsigned char)*p < 32 || strchr("\\:*?\"<>|", *p)) return false;
  return true;
}

/* dir's path + '\' + name; name "." gives the directory's own path. */
static wchar_t *join(HANDLE d, const char *name, wchar_t **dpath,
                     size_t *dlen) {
  if (!name_ok(name)) {
    SetLastError(ERROR_INVALID_NAME);
    return NULL;
  }
  size_t n;
  wchar_t *dp = dir_path(d, &n);
  if (!dp) return NULL;
  wchar_t *w = os_win32_wide(name, n + 1);
  if (!w) {
    free(dp);
    return NULL;
  }
  if (strcmp(name, ".")) {
    size_t wl = wcslen(w);
    memmove(w + n + 1, w, (wl + 1) * sizeof *w);
    memcpy(w, dp, n * sizeof *w);
    w[n] = L'\\';
  } else {
    memcpy(w, dp, (n + 1) * sizeof *w);
  }
  if (dpath) {
    *dpath = dp;
    *dlen = n;
  } else free(dp);
  return w;
}

static bool same_path(const wchar_t *a, size_t an, const wchar_t *b,
                      size_t bn) {
  return an == bn && an < INT_MAX &&
         CompareStringOrdinal(a, (int)an, b, (int)bn, TRUE) == CSTR_EQUAL;
}

static bool same_object(HANDLE a, HANDLE b) {
  BY_HANDLE_FILE_INFORMATION x, y;
  return GetFileInformationByHandle(a, &x) && GetFileInformationByHandle(b, &y) &&
         x.dwVolumeSerialNumber == y.dwVolumeSerialNumber &&
         x.nFileIndexHigh == y.nFileIndexHigh && x.nFileIndexLow == y.nFileIndexLow;
}

/* The check described at the top: h (opened as name in d) lies directly
 * in d's final path dp, which has not changed, and the directory at that
 * path is d itself (same file ID: a path can go stale, an ID cannot). */
static bool in_dir(HANDLE d, const wchar_t *dp, size_t dn, HANDLE h,
                   bool self) {
  size_t hn, dn2;
  bool ok = false;
  wchar_t *hp = dir_path(h, &hn), *dp2 = dir_path(d, &dn2);
  if (hp && dp2 && same_path(dp, dn, dp2, dn2)) {
    if (self) ok = same_path(hp, hn, dp, dn) && same_object(h, d);
    else {
      size_t k = hn;
      while (k > 0 && hp[k - 1] != L'\\') k--;
      ok = k > 0 && k < hn && same_path(hp, k - 1, dp, dn);
      if (ok) {
        hp[k] = 0; /* keep the separator: a volume root needs it */
        HANDLE p = CreateFileW(hp, FILE_READ_ATTRIBUTES,
                               FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                               NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
        ok = p != INVALID_HANDLE_VALUE && same_object(p, d);
        if (p != INVALID_HANDLE_VALUE) CloseHandle(p);
      }
    }
  }
  free(hp);
  free(dp2);
  return ok;
}

/* Opens `name` in d, never following a final reparse point, and checks
 * where it landed. */
static int open_in(HANDLE d, const char *name, DWORD access, DWORD disp,
                   DWORD flags, HANDLE *out) {
  wchar_t *dp = NULL;
  size_t dn = 0;
  wchar_t *path = join(d, name, &dp, &dn);
  if (!path) return err();
  HANDLE h = CreateFileW(path, access | SYNCHRONIZE,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         NULL, disp,
                         flags | FILE_FLAG_BACKUP_SEMANTICS |
                             FILE_FLAG_OPEN_REPARSE_POINT,
                         NULL);
  int e = h == INVALID_HANDLE_VALUE ? err() : OS_OK;
  free(path);
  if (!e && !in_dir(d, dp, dn, h, !strcmp(name, "."))) {
    CloseHandle(h);
    e = OS_ENOTCAPABLE;
  }
  free(dp);
  if (!e) *out = h;
  return e;
}

int os_file_write(const char *path, const void *data, size_t size,
                  bool executable) {
  (void)executable; /* Windows runs a file by its .exe name, not a mode */
  wchar_t *p = os_win32_wide(path, 24);
  if (!p) return err();
  size_t n = wcslen(p);
  wchar_t *tmp = malloc((n + 24) * sizeof *tmp);
  int e = OS_OK;
  if (!tmp) {
    free(p);
    return OS_ENOMEM;
  }
  _snwprintf(tmp, n + 24, L"%ls.tmp%lu", p, (unsigned long)GetCurrentProcessId());
  tmp[n + 23] = 0;
  HANDLE h = CreateFileW(tmp, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                         FILE_ATTRIBUTE_NORMAL, NULL);
  if (h == INVALID_HANDLE_VALUE) e = err();
  for (const uint8_t *q = data; !e && size;) {
    DWORD w = 0, k = size > 0x40000000 ? 0x40000000 : (DWORD)size;
    if (!WriteFile(h, q, k, &w, NULL) || !w) e = err();
    q += w;
    size -= w;
  }
  if (h != INVALID_HANDLE_VALUE && !CloseHandle(h) && !e) e = err();
  /* written in full, then put in place: never a half file at `path` */
  if (!e && !MoveFileExW(tmp, p, MOVEFILE_REPLACE_EXISTING)) e = err();
  if (e && h != INVALID_HANDLE_VALUE) DeleteFileW(tmp);
  free(tmp);
  free(p);
  return e;
}

/* ---- status ---- */

uint64_t os_win32_ft_ns(uint64_t ft) {
  /* FILETIME: 100 ns since 1601; before 1970 clamps to 0 */
  const uint64_t epoch = 116444736000000000u;
  return ft <= epoch ? 0 : (ft - epoch) * 100;
}

static uint64_t li_ns(LARGE_INTEGER t) { return os_win32_ft_ns((uint64_t)t.QuadPart); }

/* A symlink or junction (any name surrogate): the guest sees a symlink. */
static bool is_link(HANDLE h, DWORD attrs) {
  FILE_ATTRIBUTE_TAG_INFO ti;
  if (!(attrs & FILE_ATTRIBUTE_REPARSE_POINT)) return false;
  return GetFileInformationByHandleEx(h, FileAttributeTagInfo, &ti, sizeof ti) &&
         IsReparseTagNameSurrogate(ti.ReparseTag);
}

static int stat_handle(HANDLE h, uint8_t kind, os_stat *st) {
  memset(st, 0, sizeof *st);
  if (kind == K_CONSOLE || kind == K_CHAR) {
    st->type = OS_FT_CHARACTER_DEVICE;
    return OS_OK;
  }
  if (kind == K_PIPE) return OS_OK; /* OS_FT_UNKNOWN, as a POSIX FIFO */
  BY_HANDLE_FILE_INFORMATION bi;
  FILE_BASIC_INFO b;
  if (!GetFileInformationByHandle(h, &bi) ||
      !GetFileInformationByHandleEx(h, FileBasicInfo, &b, sizeof b))
    return err();
  st->dev = bi.dwVolumeSerialNumber;
  st->ino = (uint64_t)bi.nFileIndexHigh << 32 | bi.nFileIndexLow;
  st->nlink = bi.nNumberOfLinks;
  st->size = (uint64_t)bi.nFileSizeHigh << 32 | bi.nFileSizeLow;
  st->atim = li_ns(b.LastAccessTime);
  st->mtim = li_ns(b.LastWriteTime);
  st->ctim = li_ns(b.ChangeTime);
  if (is_link(h, bi.dwFileAttributes)) st->type = OS_FT_SYMBOLIC_LINK;
  else if (bi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
    st->type = OS_FT_DIRECTORY;
    st->size = 0;
  } else st->type = OS_FT_REGULAR_FILE;
  return OS_OK;
}

int os_fs_fstat(os_fd fd, os_stat *st) {
  whandle *w = WH(fd);
  if (w->kind == K_SOCKET) {
    memset(st, 0, sizeof *st);
    int t = 0, tl = sizeof t;
    getsockopt(w->s, SOL_SOCKET, SO_TYPE, (char *)&t, &tl);
    st->type = t == SOCK_DGRAM ? OS_FT_SOCKET_DGRAM : OS_FT_SOCKET_STREAM;
    return OS_OK;
  }
  return stat_handle(w->h, w->kind, st);
}

int os_fs_statat(os_fd dir, const char *name, os_stat *st) {
  HANDLE h;
  int e = open_in(WH(dir)->h, name, FILE_READ_ATTRIBUTES, OPEN_EXISTING, 0, &h);
  if (e) return e;
  e = stat_handle(h, K_FILE, st);
  CloseHandle(h);
  return e;
}

/* ---- opening ---- */

int os_fs_open_dir(const char *host_path, os_fd *out) {
  wchar_t *p = os_win32_wide(host_path, 0);
  if (!p) return err();
  /* The user's own path: reparse points in it are followed. */
  HANDLE h = CreateFileW(p, GENERIC_READ | SYNCHRONIZE,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
  free(p);
  if (h == INVALID_HANDLE_VALUE) return err();
  whandle *w = kind_of(h) == K_DIR ? os_win32_wrap(h, K_DIR, 0) : NULL;
  if (!w) {
    CloseHandle(h);
    return kind_of(h) == K_DIR ? OS_ENOMEM : OS_ENOTDIR;
  }
  *out = (os_fd)(intptr_t)w;
  return OS_OK;
}

int os_win32_set_size(HANDLE h, uint64_t size) {
  FILE_END_OF_FILE_INFO eof;
  eof.EndOfFile.QuadPart = (LONGLONG)size;
  return SetFileInformationByHandle(h, FileEndOfFileInfo, &eof, sizeof eof)
             ? OS_OK
             : err();
}

int os_fs_openat(os_fd dir, const char *name, int oflags, os_fd *out) {
  DWORD access = FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES;
  if (oflags & OS_O_READ) access |= GENERIC_READ;
  if (oflags & OS_O_WRITE) access |= GENERIC_WRITE;
  DWORD disp = OPEN_EXISTING;
  if (oflags & OS_O_CREAT)
    disp = (oflags & OS_O_EXCL) ? CREATE_NEW : OPEN_ALWAYS;
  DWORD flags = (oflags & (OS_O_DSYNC | OS_O_SYNC)) ? FILE_FLAG_WRITE_THROUGH : 0;
  HANDLE h;
  int e = open_in(WH(dir)->h, name, access, disp, flags, &h);
  if (e == OS_EACCES && (access & FILE_WRITE_ATTRIBUTES)) {
    /* A file the user may read but not touch: POSIX would still open it. */
    access &= ~(DWORD)FILE_WRITE_ATTRIBUTES;
    e = open_in(WH(dir)->h, name, access, disp, flags, &h);
  }
  if (e) {
    if (e == OS_EACCES && (oflags & OS_O_WRITE)) {
      os_stat st; /* Windows says "access denied" for writing a directory */
      if (!os_fs_statat(dir, name, &st) && st.type == OS_FT_DIRECTORY)
        e = OS_EISDIR;
    }
    return e;
  }
  os_stat st;
  if ((e = stat_handle(h, K_FILE, &st))) goto fail;
  if (st.type == OS_FT_SYMBOLIC_LINK) e = OS_ELOOP;
  else if ((oflags & OS_O_DIRECTORY) && st.type != OS_FT_DIRECTORY)
    e = OS_ENOTDIR;
  else if (st.type == OS_FT_DIRECTORY && (oflags & (OS_O_WRITE | OS_O_CREAT)))
    e = OS_EISDIR;
  else if ((oflags & OS_O_TRUNC) && st.size) e = os_win32_set_size(h, 0);
  if (e) goto fail;
  uint8_t kind = st.type == OS_FT_DIRECTORY ? K_DIR : kind_of(h);
  whandle *w = os_win32_wrap(h, kind, oflags & (OS_O_APPEND | OS_O_NONBLOCK | OS_O_DSYNC |
                                       OS_O_SYNC | OS_O_RSYNC));
  if (!w) {
    e = OS_ENOMEM;
    goto fail;
  }
  *out = (os_fd)(intptr_t)w;
  return OS_OK;
fail:
  CloseHandle(h);
  return e;
}

int os_file_remove(const char *path) {
  wchar_t *p = os_win32_wide(path, 0);
  if (!p) return err();
  DWORD attr = GetFileAttributesW(p);
  BOOL ok = attr != INVALID_FILE_ATTRIBUTES && (attr & FILE_ATTRIBUTE_DIRECTORY)
                ? RemoveDirectoryW(p)
                : DeleteFileW(p);
  int e = ok ? OS_OK : err();
  free(p);
  return e;
}

int os_file_open_read(const char *path, os_fd *out) {
  wchar_t *p = os_win32_wide(path, 0);
  if (!p) return err();
  HANDLE h = CreateFileW(p, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE |
                                              FILE_SHARE_DELETE,
                         NULL, OPEN_EXISTING, 0, NULL);
  free(p);
  if (h == INVALID_HANDLE_VALUE) return err();
  whandle *w = os_win32_wrap(h, kind_of(h), 0);
  if (!w) {
    CloseHandle(h);
    return OS_ENOMEM;
  }
  if (w->kind == K_DIR) {
    os_fs_close((os_fd)(intptr_t)w);
    return OS_EISDIR;
  }
  *out = (os_fd)(intptr_t)w;
  return OS_OK;
}

/* ---- times ---- */

static bool ft_of(uint64_t t, FILETIME *ft) {
  if (t == OS_TIME_OMIT) return false;
  if (t == OS_TIME_NOW) {
    GetSystemTimePreciseAsFileTime(ft);
    return true;
  }
  /* 100 ns is the finest Windows keeps: the rest is dropped. */
  uint64_t v = t / 100 + 116444736000000000u;
  ft->dwLowDateTime = (DWORD)v;
  ft->dwHighDateTime = (DWORD)(v >> 32);
  return true;
}

static int set_times(HANDLE h, uint64_t atim, uint64_t mtim) {
  FILETIME a, m;
  bool ha = ft_of(atim, &a), hm = ft_of(mtim, &m);
  if (!ha && !hm) return OS_OK;
  return SetFileTime(h, NULL, ha ? &a : NULL, hm ? &m : NULL) ? OS_OK : err();
}

int os_fs_futimes(os_fd fd, uint64_t atim, uint64_t mtim) {
  whandle *w = WH(fd);
  if (w->kind != K_FILE && w->kind != K_DIR) return OS_EINVAL;
  return set_times(w->h, atim, mtim);
}

int os_fs_utimesat(os_fd dir, const char *name, uint64_t atim,
                   uint64_t mtim) {
  HANDLE h;
  int e = open_in(WH(dir)->h, name, FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES,
                  OPEN_EXISTING, 0, &h);
  if (e) return e;
  e = set_times(h, atim, mtim);
  CloseHandle(h);
  return e;
}

/* ---- directories ---- */

void os_fs_dirents_free(os_dirent *ents, size_t n) {
  if (!ents) return;
  for (size_t i = 0; i < n; i++) free(ents[i].name);
  free(ents);
}

static int add_ent(os_dirent **ents, size_t *n, size_t *cap, char *name,
                   uint64_t ino, uint8_t type) {
  if (!name) return OS_ENOMEM;
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 32;
    os_dirent *g = realloc(*ents, nc * sizeof *g);
    if (!g) {
      free(name);
      return OS_ENOMEM;
    }
    *ents = g;
    *cap = nc;
  }
  (*ents)[*n].name = name;
  (*ents)[*n].ino = ino;
  (*ents)[*n].type = type;
  (*n)++;
  return OS_OK;
}

/* Listed through the handle (no path involved): FileIdBothDirectoryInfo
 * gives names, attributes, the reparse tag (in EaSize) and the file ID. */
int os_fs_readdir(os_fd dir, os_dirent **out, size_t *count) {
  whandle *w = WH(dir);
  os_dirent *ents = NULL;
  size_t n = 0, cap = 0;
  bool dot = false, dotdot = false;
  int e = OS_OK;
  enum { BUF = 64 * 1024 };
  uint8_t *buf = malloc(BUF);
  if (!buf) return OS_ENOMEM;
  FILE_INFO_BY_HANDLE_CLASS cls = FileIdBothDirectoryRestartInfo;
  while (!e) {
    if (!GetFileInformationByHandleEx(w->h, cls, buf, BUF)) {
      if (GetLastError() != ERROR_NO_MORE_FILES) e = err();
      break;
    }
    cls = FileIdBothDirectoryInfo;
    for (FILE_ID_BOTH_DIR_INFO *d = (FILE_ID_BOTH_DIR_INFO *)buf;;
         d = (FILE_ID_BOTH_DIR_INFO *)((uint8_t *)d + d->NextEntryOffset)) {
      char *name = os_win32_utf8(d->FileName, d->FileNameLength / sizeof(wchar_t));
      DWORD a = d->FileAttributes;
      uint8_t type = (a & FILE_ATTRIBUTE_REPARSE_POINT) &&
                             IsReparseTagNameSurrogate(d->EaSize)
                         ? OS_FT_SYMBOLIC_LINK
                     : (a & FILE_ATTRIBUTE_DIRECTORY) ? OS_FT_DIRECTORY
                                                      : OS_FT_REGULAR_FILE;
      if (name && !strcmp(name, ".")) dot = true;
      if (name && !strcmp(name, "..")) dotdot = true;
      if ((e = add_ent(&ents, &n, &cap, name, (uint64_t)d->FileId.QuadPart,
                       type)))
        break;
      if (!d->NextEntryOffset) break;
    }
  }
  free(buf);
  /* A volume root lists neither "." nor ".."; POSIX always has both. */
  if (!e && !dot) {
    os_stat st;
    e = add_ent(&ents, &n, &cap, _strdup("."),
                stat_handle(w->h, K_DIR, &st) ? 0 : st.ino, OS_FT_DIRECTORY);
  }
  if (!e && !dotdot) e = add_ent(&ents, &n, &cap, _strdup(".."), 0, OS_FT_DIRECTORY);
  if (e) {
    os_fs_dirents_free(ents, n);
    return e;
  }
  *out = ents;
  *count = n;
  return OS_OK;
}

int os_fs_mkdirat(os_fd dir, const char *name) {
  wchar_t *p = join(WH(dir)->h, name, NULL, NULL);
  if (!p) return err();
  int e = CreateDirectoryW(p, NULL) ? OS_OK : err();
  free(p);
  return e;
}

/* Deletes the object h is open on (opened with DELETE): POSIX semantics
 * when the file system has them (the name goes at once, even while
 * others hold it open), the classic delete-on-last-close otherwise. A
 * read-only attribute does not stop POSIX unlink, so it does not here. */
static int delete_handle(HANDLE h) {
  /* FileDispositionInfoEx (21): the mingw-w64 header hides it behind a
   * mistyped version test. */
  const FILE_INFO_BY_HANDLE_CLASS disposition_ex = (FILE_INFO_BY_HANDLE_CLASS)21;
  FILE_DISPOSITION_INFO_EX dx;
  dx.Flags = FILE_DISPOSITION_FLAG_DELETE | FILE_DISPOSITION_FLAG_POSIX_SEMANTICS |
             FILE_DISPOSITION_FLAG_IGNORE_READONLY_ATTRIBUTE;
  if (SetFileInformationByHandle(h, disposition_ex, &dx, sizeof dx))
    return OS_OK;
  DWORD le = GetLastError();
  if (le == ERROR_DIR_NOT_EMPTY) return OS_ENOTEMPTY;
  FILE_DISPOSITION_INFO d;
  d.DeleteFile = TRUE;
  if (SetFileInformationByHandle(h, FileDispositionInfo, &d, sizeof d))
    return OS_OK;
  le = GetLastError();
  FILE_BASIC_INFO b;
  if (le == ERROR_ACCESS_DENIED &&
      GetFileInformationByHandleEx(h, FileBasicInfo, &b, sizeof b) &&
      (b.FileAttributes & FILE_ATTRIBUTE_READONLY)) {
    b.FileAttributes &= ~(DWORD)FILE_ATTRIBUTE_READONLY;
    if (!b.FileAttributes) b.FileAttributes = FILE_ATTRIBUTE_NORMAL;
    if (SetFileInformationByHandle(h, FileBasicInfo, &b, sizeof b) &&
        SetFileInformationByHandle(h, FileDispositionInfo, &d, sizeof d))
      return OS_OK;
    le = GetLastError();
  }
  return os_win32_error(le);
}

static int remove_at(os_fd dir, const char *name, bool want_dir) {
  HANDLE h;
  int e = open_in(WH(dir)->h, name,
                  DELETE | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES,
                  OPEN_EXISTING, 0, &h);
  if (e) return e;
  os_stat st;
  if (!(e = stat_handle(h, K_FILE, &st))) {
    bool is_dir = st.type == OS_FT_DIRECTORY;
    if (want_dir && !is_dir) e = OS_ENOTDIR;
    else if (!want_dir && is_dir) e = OS_EISDIR;
    else e = delete_handle(h);
  }
  CloseHandle(h);
  return e;
}

int os_fs_rmdirat(os_fd dir, const char *name) { return remove_at(dir, name, true); }
int os_fs_unlinkat(os_fd dir, const char *name) { return remove_at(dir, name, false); }

/* Renames the object h is open on (with DELETE) to nname in ndir, with
 * FILE_RENAME_INFO and a whole NT path (\??\C:\dir\name): the source is
 * the checked handle, the target directory goes through its final path
 * (RootDirectory-relative names are not handled alike by Windows and wine,
 * which resolves them against the current directory). */
static int rename_handle(HANDLE h, HANDLE ndir, const char *nname) {
  wchar_t *wn = join(ndir, nname, NULL, NULL);
  if (!wn) return err();
  /* \\?\C:\... (Win32, unparsed) is \??\C:\... as an NT path */
  if (!wcsncmp(wn, L"\\\\?\\", 4)) wn[1] = L'?';
  size_t wl = wcslen(wn), sz = sizeof(FILE_RENAME_INFO) + (wl + 1) * sizeof(wchar_t);
  FILE_RENAME_INFO *ri = calloc(1, sz);
  int e = OS_ENOMEM;
  if (ri) {
    ri->ReplaceIfExists = TRUE;
    ri->RootDirectory = NULL;
    ri->FileNameLength = (DWORD)(wl * sizeof(wchar_t));
    memcpy(ri->FileName, wn, (wl + 1) * sizeof(wchar_t));
    e = SetFileInformationByHandle(h, FileRenameInfo, ri, (DWORD)sz) ? OS_OK : err();
  }
  free(ri);
  free(wn);
  return e;
}

int os_fs_renameat(os_fd odir, const char *oname, os_fd ndir,
                   const char *nname) {
  HANDLE h, t;
  if (!name_ok(nname) || !strcmp(nname, ".")) return OS_ENOENT;
  int e = open_in(WH(odir)->h, oname, DELETE | FILE_READ_ATTRIBUTES |
                  FILE_WRITE_ATTRIBUTES, OPEN_EXISTING, 0, &h);
  if (e) return e;
  os_stat s, d;
  if ((e = stat_handle(h, K_FILE, &s))) goto done;
  /* POSIX rename's rules for an existing target, which Windows does not
   * check the same way (it refuses to replace any directory). */
  if (!open_in(WH(ndir)->h, nname, DELETE | FILE_READ_ATTRIBUTES, OPEN_EXISTING,
               0, &t)) {
    if (!(e = stat_handle(t, K_FILE, &d))) {
      if (s.dev == d.dev && s.ino == d.ino) e = -1; /* same file: nothing to do */
      else if (s.type == OS_FT_DIRECTORY && d.type != OS_FT_DIRECTORY)
        e = OS_ENOTDIR;
      else if (s.type != OS_FT_DIRECTORY && d.type == OS_FT_DIRECTORY)
        e = OS_EISDIR;
      else if (d.type == OS_FT_DIRECTORY)
        e = delete_handle(t); /* empty, or ENOTEMPTY; then renamed over */
    }
    CloseHandle(t);
    if (e == -1) {
      e = OS_OK;
      goto done;
    }
    if (e) goto done;
  }
  e = rename_handle(h, WH(ndir)->h, nname);
done:
  CloseHandle(h);
  return e;
}

int os_fs_linkat(os_fd odir, const char *oname, os_fd ndir,
                 const char *nname) {
  os_stat st;
  int e = os_fs_statat(odir, oname, &st);
  if (e) return e;
  if (st.type == OS_FT_DIRECTORY) return OS_EPERM; /* POSIX link(2) */
  wchar_t *from = join(WH(odir)->h, oname, NULL, NULL);
  wchar_t *to = from ? join(WH(ndir)->h, nname, NULL, NULL) : NULL;
  if (!to) e = err();
  else if (!CreateHardLinkW(to, from, NULL)) e = err();
  free(from);
  free(to);
  return e;
}

int os_fs_symlinkat(const char *target, os_fd dir, const char *name) {
  wchar_t *t = os_win32_wide(target, 0);
  if (!t) return err();
  for (wchar_t *p = t; *p; p++)
    if (*p == L'/') *p = L'\\';
    else if (*p == L'\\' || *p == L':') { /* no host meaning for the guest */
      free(t);
      return OS_EINVAL;
    }
  wchar_t *dp = NULL;
  size_t dn = 0;
  wchar_t *link = join(WH(dir)->h, name, &dp, &dn);
  int e = OS_OK;
  if (!link) e = err();
  else {
    /* Windows needs to know now whether the target is a directory. */
    DWORD flags = SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE;
    size_t tl = wcslen(t);
    wchar_t *full = malloc((dn + tl + 2) * sizeof *full);
    if (full) {
      memcpy(full, dp, dn * sizeof *full);
      full[dn] = L'\\';
      memcpy(full + dn + 1, t, (tl + 1) * sizeof *full);
      DWORD a = GetFileAttributesW(full);
      if (a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY))
        flags |= SYMBOLIC_LINK_FLAG_DIRECTORY;
      free(full);
    }
    if (GetFileAttributesW(link) != INVALID_FILE_ATTRIBUTES) e = OS_EEXIST;
    else if (!CreateSymbolicLinkW(link, t, flags)) {
      /* Before Windows 10 1703 the unprivileged flag is unknown. */
      if (GetLastError() != ERROR_INVALID_PARAMETER ||
          !CreateSymbolicLinkW(link, t, flags & ~(DWORD)SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE))
        e = err(); /* no privilege (developer mode off): EPERM */
    }
    /* wine 8 reports success and creates nothing: say it is unsupported
     * rather than let the guest find the link missing later. */
    DWORD a = e ? 0 : GetFileAttributesW(link);
    if (!e && (a == INVALID_FILE_ATTRIBUTES || !(a & FILE_ATTRIBUTE_REPARSE_POINT)))
      e = OS_ENOTSUP;
  }
  free(link);
  free(dp);
  free(t);
  return e;
}

/* The reparse data layout (ntifs.h, not in the user-mode headers). */
typedef struct {
  ULONG tag;
  USHORT data_len, reserved;
  USHORT sub_off, sub_len, print_off, print_len;
  ULONG flags;      /* symlinks only: 1 = relative */
  WCHAR path[1];
} reparse_data;

int os_fs_readlinkat(os_fd dir, const char *name, char **target) {
  HANDLE h;
  int e = open_in(WH(dir)->h, name, FILE_READ_ATTRIBUTES, OPEN_EXISTING, 0, &h);
  if (e) return e;
  uint8_t *buf = malloc(MAXIMUM_REPARSE_DATA_BUFFER_SIZE);
  DWORD got = 0;
  if (!buf) e = OS_ENOMEM;
  else if (!DeviceIoControl(h, FSCTL_GET_REPARSE_POINT, NULL, 0, buf,
                            MAXIMUM_REPARSE_DATA_BUFFER_SIZE, &got, NULL))
    e = GetLastError() == ERROR_NOT_A_REPARSE_POINT ||
                GetLastError() == ERROR_INVALID_FUNCTION
            ? OS_EINVAL
            : err();
  CloseHandle(h);
  if (e) {
    free(buf);
    return e;
  }
  const reparse_data *r = (const reparse_data *)buf;
  const WCHAR *p;
  size_t off, len;
  bool relative = false;
  if (r->tag == IO_REPARSE_TAG_SYMLINK) {
    p = r->path;
    relative = r->flags & 1;
  } else if (r->tag == IO_REPARSE_TAG_MOUNT_POINT) {
    p = (const WCHAR *)&r->flags; /* junctions have no flags field */
  } else {
    free(buf);
    return OS_EINVAL; /* another kind of reparse point: not a link */
  }
  off = r->print_len ? r->print_off : r->sub_off;
  len = r->print_len ? r->print_len : r->sub_len;
  if ((uint8_t *)p + off + len > buf + got) {
    free(buf);
    return OS_EIO;
  }
  char *s = os_win32_utf8(p + off / 2, len / 2);
  free(buf);
  if (!s) return OS_ENOMEM;
  for (char *q = s; *q; q++)
    if (*q == '\\') *q = '/';
  if (!relative) {
    /* An absolute host target ("C:\..."): shown with a leading '/', which
     * the sandbox refuses to follow (ENOTCAPABLE), and no drive letter is
     * lost on the way. */
    size_t sl = strlen(s);
    char *a = malloc(sl + 2);
    if (!a) {
      free(s);
      return OS_ENOMEM;
    }
    a[0] = '/';
    memcpy(a + 1, s, sl + 1);
    free(s);
    s = a;
  }
  *target = s;
  return OS_OK;
}

#endif /* _WIN32 */
