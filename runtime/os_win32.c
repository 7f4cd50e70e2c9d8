/* The OS layer for Windows x64 (see os.h): VirtualAlloc for guarded
 * memories, a vectored exception handler for guard-page faults, SRW locks,
 * and the process glue of os_proc.h (UTF-8 arguments, binary stdio).
 * The whole file is Win32-only; os_posix.c is its POSIX twin. */
#ifdef _WIN32

#include "runtime/os.h"
#include "runtime/os_proc.h"

#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <shellapi.h>
#include <psapi.h>
#include <wchar.h>

/* See os.h (OS_SETJMP): an opaque call. noipa keeps GCC from looking
 * into it even with LTO; clang has no interprocedural register allocation. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((noipa))
#endif
void os_setjmp_barrier(void) {}

size_t os_page_size(void) {
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  return si.dwPageSize ? (size_t)si.dwPageSize : 4096;
}

void *os_reserve(size_t size) {
  /* Reserved, not committed: costs address space only, and any touch is an
   * access violation, which the handler below turns into a trap. */
  return VirtualAlloc(NULL, size, MEM_RESERVE, PAGE_NOACCESS);
}

bool os_commit(void *addr, size_t size) {
  if (size == 0) return true;
  /* Committing already-committed pages is allowed and keeps their data, as
   * mprotect does on POSIX; fresh pages are zero. */
  return VirtualAlloc(addr, size, MEM_COMMIT, PAGE_READWRITE) != NULL;
}

void os_release(void *addr, size_t size) {
  (void)size; /* MEM_RELEASE frees the whole reservation; size must be 0 */
  if (addr) VirtualFree(addr, 0, MEM_RELEASE);
}

/* The reservation of the thread's stack, guard pages included (it is all
 * fixed at thread creation: 8 MiB for ferry's main thread, WIN_STACK). */
uintptr_t os_stack_low(void) {
  ULONG_PTR low = 0, high = 0;
  GetCurrentThreadStackLimits(&low, &high);
  return (uintptr_t)low;
}

/* ---- fault handling ----
 * A vectored handler runs on the faulting thread, below the faulting
 * frame, in the middle of the system's exception dispatch. Jumping out of it
 * with longjmp would skip the dispatcher's own frames, which x64 SEH does not
 * tolerate reliably. So the handler only rewrites the thread's CONTEXT: the
 * instruction pointer goes to `landing`, the stack pointer a little below
 * the faulting frame, and it returns EXCEPTION_CONTINUE_EXECUTION. The
 * thread then resumes in `landing` as if it had been called there, outside
 * any dispatch (its frames are gone by then), and the runtime's callback may
 * jump to its landing point (os.h). The handler itself writes nothing to
 * that stack: the dispatcher's records (the CONTEXT it will resume from
 * among them) live right below the faulting frame until it returns.
 *
 * When the callback declines (a fault that is not wasm's), `landing` puts
 * the original CONTEXT (kept per thread in `saved`) back with
 * RtlRestoreContext after marking the fault in `passing`: the instruction
 * faults again, the handler sees the mark and lets the exception go on to
 * the next handler (or the default crash), as if we were not installed.
 *
 * The bookkeeping mirrors process-wide OS state (one vectored handler) and
 * is written only under install_lock; `saved` and `passing` are per thread
 * because each thread faults on its own. */

static SRWLOCK install_lock = SRWLOCK_INIT;
static int install_count;
static os_fault_fn fault_fn;
static void *veh_cookie;

typedef struct {
  void *addr; /* the fault being passed on, so it is not caught twice */
  DWORD64 rip;
} passing_fault;
static _Thread_local passing_fault passing;
static _Thread_local CONTEXT saved; /* 16-byte aligned, as the type says */

/* Entered through a rewritten CONTEXT with the faulting data address as
 * its argument; never called, never returns. */
static __attribute__((noinline, noreturn)) void landing(void *addr) {
  os_fault_fn fn = fault_fn;
  if (fn) fn(addr); /* jumps away when the fault is wasm's */
  passing.addr = addr;
  passing.rip = saved.Rip;
  RtlRestoreContext(&saved, NULL);
  abort(); /* not reached: RtlRestoreContext does not return */
}

static LONG CALLBACK on_exception(EXCEPTION_POINTERS *ep) {
  EXCEPTION_RECORD *er = ep->ExceptionRecord;
  CONTEXT *c = ep->ContextRecord;
  if (er->ExceptionCode != EXCEPTION_ACCESS_VIOLATION ||
      er->NumberParameters < 2 || !fault_fn)
    return EXCEPTION_CONTINUE_SEARCH;
  void *addr = (void *)er->ExceptionInformation[1];
  if (passing.addr == addr && passing.rip == c->Rip) {
    passing.addr = NULL;
    passing.rip = 0;
    return EXCEPTION_CONTINUE_SEARCH;
  }
  saved = *c;
  /* Extended (AVX) state lives outside the CONTEXT record, so the copy
   * cannot carry it; restoring it is not needed to fault again. */
  saved.ContextFlags = CONTEXT_FULL | CONTEXT_SEGMENTS;
  /* 256 bytes below the faulting frame (it may keep data just under its
   * stack pointer), then aligned as at a function's entry: RSP ≡ 8 (mod 16),
   * as if a call had pushed a return address; the 32-byte home space the
   * x64 convention gives a callee lies above it, inside the gap. */
  uintptr_t sp = (((uintptr_t)c->Rsp - 256) & ~(uintptr_t)15) - 8;
  c->Rsp = sp;
  c->Rip = (DWORD64)(uintptr_t)landing;
  c->Rcx = (DWORD64)(uintptr_t)addr;
  return EXCEPTION_CONTINUE_EXECUTION;
}

bool os_fault_install(os_fault_fn fn) {
  bool ok = true;
  AcquireSRWLockExclusive(&install_lock);
  if (install_count > 0) {
    if (fault_fn != fn) ok = false;
    else install_count++;
    goto done;
  }
  fault_fn = fn;
  /* First in the chain: a fault in wasm memory must become a trap before
   * any other vectored handler (a debugger's aside) sees it. */
  veh_cookie = AddVectoredExceptionHandler(1, on_exception);
  if (!veh_cookie) {
    fault_fn = NULL;
    ok = false;
    goto done;
  }
  install_count = 1;
done:
  ReleaseSRWLockExclusive(&install_lock);
  return ok;
}

void os_fault_uninstall(void) {
  AcquireSRWLockExclusive(&install_lock);
  if (install_count > 0 && --install_count == 0) {
    RemoveVectoredExceptionHandler(veh_cookie);
    veh_cookie = NULL;
    fault_fn = NULL;
  }
  ReleaseSRWLockExclusive(&install_lock);
}

/* ---- locks ----
 * SRW locks: no destruction needed, no kernel object, and the engine's locks
 * are never taken recursively. */

struct os_mutex {
  SRWLOCK l;
};

os_mutex *os_mutex_new(void) {
  os_mutex *m = malloc(sizeof *m);
  if (m) InitializeSRWLock(&m->l);
  return m;
}

void os_mutex_free(os_mutex *m) { free(m); }
void os_mutex_lock(os_mutex *m) { AcquireSRWLockExclusive(&m->l); }
void os_mutex_unlock(os_mutex *m) { ReleaseSRWLockExclusive(&m->l); }

/* ---- process glue (os_proc.h) ---- */

/* UTF-16 → UTF-8 into a new string; lone surrogates become U+FFFD (an
 * argument is text, and the guest's args must be valid UTF-8). */
static char *utf8_of(const wchar_t *w) {
  int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
  if (n <= 0) return NULL;
  char *s = malloc((size_t)n);
  if (s && WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) != n) {
    free(s);
    s = NULL;
  }
  return s;
}

bool os_args_utf8(int *argc, char ***argv) {
  /* The C runtime's argv is in the ANSI code page, which loses every
   * character outside it; the wide command line has them all. */
  int n = 0;
  wchar_t **wv = CommandLineToArgvW(GetCommandLineW(), &n);
  if (!wv || n < 1) {
    if (wv) LocalFree(wv);
    return false;
  }
  char **v = calloc((size_t)n + 1, sizeof *v);
  bool ok = v != NULL;
  for (int i = 0; ok && i < n; i++) ok = (v[i] = utf8_of(wv[i])) != NULL;
  LocalFree(wv);
  if (!ok) {
    if (v)
      for (int i = 0; i < n; i++) free(v[i]);
    free(v);
    return false;
  }
  /* Kept for the life of the process, like the C runtime's own argv. */
  *argc = n;
  *argv = v;
  return true;
}

bool os_self_exe_path(char *buf, size_t size) {
  /* GetModuleFileNameW truncates silently: grow until it fits (Windows
   * paths may exceed MAX_PATH). */
  for (DWORD cap = MAX_PATH; cap <= 32768; cap *= 2) {
    wchar_t *w = malloc(cap * sizeof *w);
    if (!w) return false;
    DWORD n = GetModuleFileNameW(NULL, w, cap);
    if (n == 0) {
      free(w);
      return false;
    }
    if (n < cap) {
      char *s = utf8_of(w);
      free(w);
      if (!s) return false;
      size_t len = strlen(s);
      bool ok = len < size;
      if (ok) memcpy(buf, s, len + 1);
      free(s);
      return ok;
    }
    free(w);
  }
  return false;
}

bool os_isatty(int fd) {
  static const DWORD ids[3] = {STD_INPUT_HANDLE, STD_OUTPUT_HANDLE,
                               STD_ERROR_HANDLE};
  DWORD mode;
  if (fd < 0 || fd > 2) return false;
  HANDLE h = GetStdHandle(ids[fd]);
  /* NUL is a character device too; only a console has a console mode */
  return h && h != INVALID_HANDLE_VALUE && GetFileType(h) == FILE_TYPE_CHAR &&
         GetConsoleMode(h, &mode);
}

/* UTF-8 → new UTF-16 string (NULL when not UTF-8 or out of memory). */
static wchar_t *wide_of(const char *s) {
  int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
  if (n <= 0) return NULL;
  wchar_t *w = malloc((size_t)n * sizeof *w);
  if (w && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
    free(w);
    w = NULL;
  }
  return w;
}

bool os_temp_dir(char *buf, size_t size) {
  wchar_t base[MAX_PATH + 1], path[MAX_PATH + 32];
  DWORD n = GetTempPathW(MAX_PATH + 1, base); /* ends in '\' */
  if (n == 0 || n > MAX_PATH) return false;
  for (int tries = 0; tries < 100; tries++) {
    LARGE_INTEGER c;
    QueryPerformanceCounter(&c);
    unsigned tag = (unsigned)(c.QuadPart ^ (GetCurrentProcessId() << 16)) + (unsigned)tries;
    _snwprintf(path, sizeof path / sizeof *path, L"%lsferry-%08x", base, tag);
    path[sizeof path / sizeof *path - 1] = 0;
    if (CreateDirectoryW(path, NULL)) {
      char *s = utf8_of(path);
      bool ok = s && strlen(s) < size;
      if (ok) memcpy(buf, s, strlen(s) + 1);
      free(s);
      return ok;
    }
    if (GetLastError() != ERROR_ALREADY_EXISTS) return false;
  }
  return false;
}

/* Appends one argument to a command line so that CommandLineToArgvW (and
 * the C runtime) give it back unchanged: quotes around it when needed, a
 * backslash run doubled before a quote or the closing quote. */
static wchar_t *append_arg(wchar_t *cl, size_t *len, const wchar_t *a) {
  size_t al = wcslen(a);
  wchar_t *g = realloc(cl, (*len + al * 2 + 4) * sizeof *g);
  if (!g) {
    free(cl);
    return NULL;
  }
  cl = g;
  size_t k = *len;
  if (k) cl[k++] = L' ';
  bool quote = !al || wcspbrk(a, L" \t\n\v\"") != NULL;
  if (quote) cl[k++] = L'"';
  for (size_t i = 0; i < al; i++) {
    size_t bs = 0;
    while (i < al && a[i] == L'\\') bs++, i++;
    bool before_quote = i == al ? quote : a[i] == L'"';
    for (size_t j = 0; j < (before_quote ? bs * 2 : bs); j++) cl[k++] = L'\\';
    if (i == al) break;
    if (a[i] == L'"') cl[k++] = L'\\';
    cl[k++] = a[i];
  }
  if (quote) cl[k++] = L'"';
  cl[k] = 0;
  *len = k;
  return cl;
}

bool os_run_child(const char *const *argv, const char *stdout_path,
                  os_child_result *out) {
  bool ok = false;
  size_t len = 0;
  wchar_t *cl = NULL, *exe = wide_of(argv[0]), *outp = NULL;
  HANDLE in = INVALID_HANDLE_VALUE, o = INVALID_HANDLE_VALUE;
  PROCESS_INFORMATION pi = {0};
  if (!exe) goto done;
  for (size_t i = 0; argv[i]; i++) {
    wchar_t *w = wide_of(argv[i]);
    if (!w) goto done;
    cl = append_arg(cl, &len, w);
    free(w);
    if (!cl) goto done;
  }
  if (!cl) goto done;
  SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE}; /* inherited by the child */
  in = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
                   OPEN_EXISTING, 0, NULL);
  outp = stdout_path ? wide_of(stdout_path) : NULL;
  o = CreateFileW(outp ? outp : L"NUL", GENERIC_WRITE, FILE_SHARE_READ, &sa,
                  outp ? CREATE_ALWAYS : OPEN_EXISTING, 0, NULL);
  if (in == INVALID_HANDLE_VALUE || o == INVALID_HANDLE_VALUE ||
      (stdout_path && !outp))
    goto done;
  STARTUPINFOW si;
  memset(&si, 0, sizeof si);
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = in;
  si.hStdOutput = o;
  si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  LARGE_INTEGER f, t0, t1;
  QueryPerformanceFrequency(&f);
  QueryPerformanceCounter(&t0);
  if (!CreateProcessW(exe, cl, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))
    goto done;
  WaitForSingleObject(pi.hProcess, INFINITE);
  QueryPerformanceCounter(&t1);
  DWORD code = 1;
  GetExitCodeProcess(pi.hProcess, &code);
  FILETIME c, x, k, u;
  double cpu = 0;
  if (GetProcessTimes(pi.hProcess, &c, &x, &k, &u))
    cpu = ((double)((uint64_t)k.dwHighDateTime << 32 | k.dwLowDateTime) +
           (double)((uint64_t)u.dwHighDateTime << 32 | u.dwLowDateTime)) * 1e-7;
  PROCESS_MEMORY_COUNTERS pmc;
  memset(&pmc, 0, sizeof pmc);
  K32GetProcessMemoryInfo(pi.hProcess, &pmc, sizeof pmc);
  out->status = (int)code; /* a crash shows as its NTSTATUS, e.g. 0xC0000005 */
  out->seconds = (double)(t1.QuadPart - t0.QuadPart) / (double)f.QuadPart;
  out->cpu_seconds = cpu;
  out->peak_rss_kb = (uint64_t)pmc.PeakWorkingSetSize / 1024;
  ok = true;
done:
  if (pi.hProcess) CloseHandle(pi.hProcess);
  if (pi.hThread) CloseHandle(pi.hThread);
  if (in != INVALID_HANDLE_VALUE) CloseHandle(in);
  if (o != INVALID_HANDLE_VALUE) CloseHandle(o);
  free(cl);
  free(exe);
  free(outp);
  return ok;
}

void os_stdio_binary(void) {
  /* Text mode would turn "\n" into "\r\n" in ferry's own output (the
   * guest's goes through os_fs, which never translates): bytes must be the
   * same as on POSIX. */
  _setmode(_fileno(stdin), _O_BINARY);
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);
}

#endif /* _WIN32 */
