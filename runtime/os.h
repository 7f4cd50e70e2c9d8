/* The OS layer (DESIGN.md decision 10): every platform call the runtime makes
 * — virtual memory, fault signals, non-local jumps that must survive a
 * signal handler, locks, page size — goes through this interface.
 * os_posix.c implements it for Linux and macOS; a Win32 backend
 * (os_win32.c: VirtualAlloc, vectored exception handler, CRITICAL_SECTION)
 * implements the same functions. This header is the only place that picks a
 * backend's types; no other file tests the platform.
 */
#ifndef FERRY_RUNTIME_OS_H
#define FERRY_RUNTIME_OS_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- non-local jumps ----
 * A trap can be raised from a fault signal handler, so the landing point must
 * be a sigjmp_buf on POSIX. The signal mask is not saved (savemask 0): that
 * would cost a system call on every host→wasm entry, and it is not needed
 * because the fault handler is installed with SA_NODEFER, so jumping out of it
 * leaves the mask as it was. OS_SETJMP must be a macro: the jump buffer is
 * only valid while the function that called it is live. sigjmp_buf is POSIX,
 * not C11: everything including rt.h builds with _POSIX_C_SOURCE (the
 * Makefile's CFLAGS_BASE defines it). */
#if defined(_WIN32)
/* Win32: GCC's builtin setjmp (five words: frame, resume label, stack). A
 * CRT longjmp on x64 unwinds SEH frames between the two points (or, with
 * _setjmp(buf, NULL), depends on which CRT is linked: msvcrt and UCRT differ),
 * and a guard-page trap arrives on a stack the fault handler rewrote (see
 * os_win32.c), where an unwind has nothing trustworthy to walk. The builtin
 * only reloads the frame and stack pointers and jumps; the compiler treats
 * every callee-saved register (xmm6-15 included) as clobbered at the
 * landing point. It returns 1 on every jump: `val` must be 1 (it is at the
 * one jump site, trap.c), and OS_LONGJMP must not be used in the function
 * that called OS_SETJMP (trap.c keeps them in separate functions). */
typedef void *os_jmp_buf[5];
/* The builtin is not a call, so GCC's interprocedural register allocation
 * may conclude that a function using it preserves caller-saved registers,
 * and its callers keep values there — which a jump back through a fault
 * (os_win32.c) has overwritten. A call the compiler cannot see into first
 * makes every caller assume the worst, as a libc setjmp would. */
void os_setjmp_barrier(void);
#define OS_SETJMP(buf) (os_setjmp_barrier(), __builtin_setjmp(buf))
#define OS_LONGJMP(buf, val) __builtin_longjmp((buf), 1)
#else
typedef sigjmp_buf os_jmp_buf;
#define OS_SETJMP(buf) sigsetjmp((buf), 0)
#define OS_LONGJMP(buf, val) siglongjmp((buf), (val))
#endif

/* ---- virtual memory ---- */

size_t os_page_size(void);

/* Reserves `size` bytes of address space with no access (touching them
 * faults). Returns NULL on failure. */
void *os_reserve(size_t size);
/* Makes [addr, addr+size) readable and writable; the range is page aligned
 * and inside a reservation. Fresh pages read as zero. */
bool os_commit(void *addr, size_t size);
/* Releases a whole reservation made by os_reserve. */
void os_release(void *addr, size_t size);

/* ---- fault handling ----
 * The callback runs inside the fault signal handler (SIGSEGV/SIGBUS, or the
 * vectored exception handler on Win32) with the faulting data address. It
 * either does not return (it jumps to a landing point with OS_LONGJMP) or
 * returns false, and the fault goes to whatever handler was installed before
 * ours (or the default action, which ends the process).
 * Installation is reference counted: the first os_fault_install installs the
 * handler, the last os_fault_uninstall restores the previous one. Only one
 * callback exists per process (the runtime's); installing a different one
 * while installed fails. */
typedef bool (*os_fault_fn)(void *addr);
bool os_fault_install(os_fault_fn fn);
void os_fault_uninstall(void);

/* ---- the native stack ---- */

/* The lowest address the calling thread's stack can grow down to (a lower
 * bound of what is usable: guard pages may lie just above it), or 0 when
 * the host cannot tell (an unlimited main-thread stack). Computed once per
 * thread. The AOT engine keeps its frames above it (aot/rtlib.c): a stack
 * smaller than it assumes (ulimit -s, a thread made small) must give "call
 * stack exhausted", not a crash. */
uintptr_t os_stack_low(void);

/* ---- locks (the engine is shared between threads) ---- */

typedef struct os_mutex os_mutex;
os_mutex *os_mutex_new(void);
void os_mutex_free(os_mutex *m);
void os_mutex_lock(os_mutex *m);
void os_mutex_unlock(os_mutex *m);

#endif
