/* Traps and the host→wasm entry (DESIGN.md decision 7).
 *
 * rt_call sets the one landing point (OS_SETJMP) of a host→wasm entry;
 * rt_trap jumps back to it from anywhere below: the interpreter, AOT code, a
 * host function, or the fault signal handler when wasm touches a guard page.
 *
 * The one piece of global mutable state in the runtime is `current`, the
 * innermost rt_exec running on this thread. DESIGN.md decision 11 passes all
 * state explicitly, but a fault signal handler receives only the faulting
 * address: there is no argument through which it could be handed the exec
 * whose landing point it must jump to. A thread-local is the narrowest scope
 * that works — each thread runs its own calls — and it is only ever set and
 * restored by rt_call, strictly nested.
 */
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_int.h"

static _Thread_local rt_exec *current;

rt_exec *rt_current_exec(void) { return current; }

static const char *const trap_messages[] = {
#define RT_TRAP_MSG(sym, msg) msg,
    RT_TRAPS(RT_TRAP_MSG)
#undef RT_TRAP_MSG
};

const char *rt_trap_message(rt_trap_kind kind) {
  if ((unsigned)kind >= sizeof trap_messages / sizeof trap_messages[0])
    return "unknown trap";
  return trap_messages[kind];
}

void rt_trap_set_message(rt_trap_info *t, const char *msg) {
  size_t i = 0;
  for (; msg[i] && i + 1 < sizeof t->message; i++) t->message[i] = msg[i];
  t->message[i] = '\0';
}

static _Noreturn void raise_trap(rt_exec *ex, rt_trap_kind kind,
                                 const char *msg, int code) {
  if (!ex || !ex->trap_jmp) {
    /* A trap outside any rt_call has nowhere to go: a runtime bug. */
    abort();
  }
  /* Frames are left alone: the engine that trapped may have filled them. */
  ex->trap->kind = kind;
  ex->trap->exit_code = code;
  rt_trap_set_message(ex->trap, msg);
  OS_LONGJMP(*ex->trap_jmp, 1);
}

_Noreturn void rt_trap(rt_exec *ex, rt_trap_kind kind) {
  raise_trap(ex, kind, rt_trap_message(kind), 0);
}

_Noreturn void rt_trap_msg(rt_exec *ex, rt_trap_kind kind, const char *msg) {
  raise_trap(ex, kind, msg ? msg : rt_trap_message(kind), 0);
}

_Noreturn void rt_exit(rt_exec *ex, int code) {
  raise_trap(ex, RT_TRAP_EXIT, rt_trap_message(RT_TRAP_EXIT), code);
}

/* ---- guard-page faults ---- */

static bool in_guarded_memory(const rt_store *s, uintptr_t a) {
  for (size_t i = 0; i < s->memories.count; i++) {
    const rt_memory *m = s->memories.items[i];
    uintptr_t base = (uintptr_t)m->base;
    if (m->reserved && a >= base && a - base < m->reserved) return true;
  }
  return false;
}

/* Runs in the signal handler. Only reads plain memory and jumps: nothing
 * here allocates or takes a lock. A fault is ours when wasm is running on
 * this thread and the address lies in a memory reservation of a store on
 * the exec chain; anything else (a bug in ferry, a fault in the embedder)
 * goes on to the previous handler. */
bool rt_fault_callback(void *addr) {
  rt_exec *ex = current;
  if (!ex) return false;
  uintptr_t a = (uintptr_t)addr;
  for (rt_exec *e = ex; e; e = e->parent) {
    if (e->store && in_guarded_memory(e->store, a))
      raise_trap(ex, RT_TRAP_MEMORY_OOB, rt_trap_message(RT_TRAP_MEMORY_OOB),
                 0);
  }
  return false;
}

/* ---- calls ---- */

static void clear_trap(rt_trap_info *t) {
  t->kind = RT_TRAP_NONE;
  t->exit_code = 0;
  t->message[0] = '\0';
  t->nframes = 0;
}

/* Sets the landing point and runs f. Separate from rt_call so that no local
 * or parameter here changes between OS_SETJMP and a jump back (C11
 * 7.13.2.1: such objects would be indeterminate after the jump); `ex` itself
 * is only changed by callees through the pointer. */
static bool enter(rt_exec *ex, rt_func *f, uint64_t *slots) {
  os_jmp_buf landing;
  ex->trap_jmp = &landing;
  if (OS_SETJMP(landing) == 0) {
    f->entry(ex, f, slots);
    return true;
  }
  if (ex->trap->nframes == 0 && ex->backtrace) ex->backtrace(ex, ex->trap);
  return false;
}

bool rt_call(rt_store *s, rt_func *f, uint64_t *slots, rt_trap_info *trap) {
  rt_trap_info local;
  if (!trap) trap = &local;
  clear_trap(trap);
  rt_exec *parent = current;
  uint32_t depth = parent ? parent->depth + 1 : 0;
  if (depth >= RT_MAX_NATIVE_DEPTH) {
    trap->kind = RT_TRAP_STACK_EXHAUSTED;
    rt_trap_set_message(trap, rt_trap_message(RT_TRAP_STACK_EXHAUSTED));
    return false;
  }
  rt_exec ex;
  memset(&ex, 0, sizeof ex);
  ex.store = s;
  ex.trap = trap;
  ex.depth = depth;
  ex.parent = parent;
  ex.fuel = &s->fuel;
  current = &ex;
  bool ok = enter(&ex, f, slots);
  current = parent;
  ex.trap_jmp = NULL; /* the landing point died with enter() */
  if (ex.interp_stack) {
    if (ex.interp_stack_free) ex.interp_stack_free(ex.interp_stack);
    else free(ex.interp_stack);
  }
  return ok;
}

void rt_call_nested(rt_exec *ex, rt_func *f, uint64_t *slots) {
  if (ex->depth + 1 >= RT_MAX_NATIVE_DEPTH)
    rt_trap(ex, RT_TRAP_STACK_EXHAUSTED);
  ex->depth++;
  f->entry(ex, f, slots);
  ex->depth--;
}
