/* The OS layer for POSIX hosts (Linux, macOS): mmap/mprotect for guarded
 * memories, sigaction for fault signals, pthread mutexes. See os.h. The
 * whole file is POSIX-only; os_win32.c is its Windows twin. */
#ifndef _WIN32
#define _GNU_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE, pthread_getattr_np */
#define _DARWIN_C_SOURCE

#include "runtime/os.h"
#include "runtime/os_proc.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

size_t os_page_size(void) {
  long n = sysconf(_SC_PAGESIZE);
  return n > 0 ? (size_t)n : 4096;
}

void *os_reserve(size_t size) {
  int flags = MAP_PRIVATE | MAP_ANONYMOUS;
#ifdef MAP_NORESERVE
  /* Only the committed part should count against overcommit accounting. */
  flags |= MAP_NORESERVE;
#endif
  void *p = mmap(NULL, size, PROT_NONE, flags, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

bool os_commit(void *addr, size_t size) {
  if (size == 0) return true;
  return mprotect(addr, size, PROT_READ | PROT_WRITE) == 0;
}

void os_release(void *addr, size_t size) {
  if (addr) munmap(addr, size);
}

/* The main thread's stack grows on demand up to RLIMIT_STACK below its top,
 * which lies a little above any of its frames: counting from the frame of
 * the first call is conservative by what was on the stack before it. Other
 * threads have a fixed mapping, which pthread_getattr_np reports (for the
 * main thread, musl's reports only the part mapped so far). */
static uintptr_t stack_low(void) {
#if defined(__APPLE__)
  pthread_t self = pthread_self();
  uintptr_t top = (uintptr_t)pthread_get_stackaddr_np(self);
  size_t size = pthread_get_stacksize_np(self);
  return top > size ? top - size : 0;
#else
  if (getpid() == (pid_t)syscall(SYS_gettid)) {
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur >= here)
      return 0;
    return here - (uintptr_t)rl.rlim_cur;
  }
  pthread_attr_t a;
  void *addr = NULL;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &a)) return 0;
  int e = pthread_attr_getstack(&a, &addr, &size);
  pthread_attr_destroy(&a);
  return e ? 0 : (uintptr_t)addr;
#endif
}

uintptr_t os_stack_low(void) {
  static _Thread_local bool known;
  static _Thread_local uintptr_t low;
  if (!known) {
    low = stack_low();
    known = true;
  }
  return low;
}

/* ---- fault handling ----
 * Signal dispositions are process-wide in the kernel, so the bookkeeping that
 * chains to the previous handler is process-wide too: it is the OS layer's
 * mirror of kernel state, not runtime state, and every write to it is under
 * install_lock. The handler only reads it. */

static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;
static int install_count;
static os_fault_fn fault_fn;
static struct sigaction prev_segv, prev_bus;

static void restore_default(int sig) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_DFL;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

static void on_fault(int sig, siginfo_t *info, void *uctx) {
  os_fault_fn fn = fault_fn;
  /* A handled fault does not come back here: the callback jumps away. */
  if (fn && fn(info->si_addr)) return;
  const struct sigaction *prev = sig == SIGBUS ? &prev_bus : &prev_segv;
  if (prev->sa_flags & SA_SIGINFO) {
    prev->sa_sigaction(sig, info, uctx);
    return;
  }
  if (prev->sa_handler == SIG_DFL || prev->sa_handler == SIG_IGN) {
    /* Returning re-executes the faulting instruction, which now meets the
     * default action (a core dump), as if we had never been installed. An
     * ignored SIGSEGV would loop forever, so it is treated as default. */
    restore_default(sig);
    return;
  }
  prev->sa_handler(sig);
}

bool os_fault_install(os_fault_fn fn) {
  bool ok = true;
  pthread_mutex_lock(&install_lock);
  if (install_count > 0) {
    if (fault_fn != fn) ok = false;
    else install_count++;
    goto done;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  /* SA_NODEFER: the handler leaves by siglongjmp without restoring a signal
   * mask (see OS_SETJMP), so the signal must not be blocked while it runs. */
  sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  fault_fn = fn;
  if (sigaction(SIGSEGV, &sa, &prev_segv) != 0) {
    ok = false;
    goto done;
  }
  if (sigaction(SIGBUS, &sa, &prev_bus) != 0) {
    sigaction(SIGSEGV, &prev_segv, NULL);
    ok = false;
    goto done;
  }
  install_count = 1;
done:
  if (!ok && install_count == 0) fault_fn = NULL;
  pthread_mutex_unlock(&install_lock);
  return ok;
}

void os_fault_uninstall(void) {
  pthread_mutex_lock(&install_lock);
  if (install_count > 0 && --install_count == 0) {
    sigaction(SIGSEGV, &prev_segv, NULL);
    sigaction(SIGBUS, &prev_bus, NULL);
    fault_fn = NULL;
  }
  pthread_mutex_unlock(&install_lock);
}

/* ---- locks ---- */

struct os_mutex {
  pthread_mutex_t m;
};

os_mutex *os_mutex_new(void) {
  os_mutex *m = malloc(sizeof *m);
  if (!m) return NULL;
  if (pthread_mutex_init(&m->m, NULL) != 0) {
    free(m);
    return NULL;
  }
  return m;
}

void os_mutex_free(os_mutex *m) {
  if (!m) return;
  pthread_mutex_destroy(&m->m);
  free(m);
}

void os_mutex_lock(os_mutex *m) { pthread_mutex_lock(&m->m); }
void os_mutex_unlock(os_mutex *m) { pthread_mutex_unlock(&m->m); }

/* ---- process glue (os_proc.h) ----
 * POSIX hands main its arguments as bytes, which is what the guest gets;
 * and stdio never translates line ends. */

bool os_args_utf8(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return true;
}

void os_stdio_binary(void) {}

#endif /* !_WIN32 */
