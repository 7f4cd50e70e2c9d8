/* The runtime side of the generated C: the helpers listed in abi.h
 * (AOT_HELPERS). Everything here that can fail traps through rt_trap, so the
 * bounds and trap rules stay the runtime's (spec 4.4.6, 4.4.7). */
#include <stdio.h>

#include "aot/aot_int.h"

/* Native stack the AOT code of one host→wasm entry may use before "call
 * stack exhausted". Counted from the outermost rt_call's exec, which lives
 * on that call's frame, so nested host↔wasm re-entries share one budget.
 * Well under the 8 MiB a Linux main thread (and glibc's default thread
 * stack) gets, leaving room for the interpreter and host functions. */
#define AOT_STACK_BUDGET ((uintptr_t)3 << 20)
/* On a smaller stack (ulimit -s, a small thread), the budget ends this far
 * above the stack's end instead: room for a host function, the trap path,
 * a fault handler and the guard pages. */
#define AOT_STACK_RESERVE ((uintptr_t)256 << 10)

static uintptr_t stack_limit(rt_exec *ex) {
  rt_exec *root = ex;
  while (root->parent) root = root->parent;
  uintptr_t top = (uintptr_t)root;
  uintptr_t here = (uintptr_t)&root; /* this frame: below the root */
  if (here > top) top = here;
  uintptr_t limit = top > AOT_STACK_BUDGET ? top - AOT_STACK_BUDGET : 0;
  uintptr_t low = os_stack_low();
  if (low && low < UINTPTR_MAX - AOT_STACK_RESERVE && low + AOT_STACK_RESERVE > limit)
    limit = low + AOT_STACK_RESERVE;
  return limit;
}

void aot_rt_enter_inst(aot_env *e, void *ex, void *ai) {
  *e = ((const aot_inst *)ai)->tmpl;
  e->ex = ex;
  e->stack_limit = stack_limit(ex);
}

void aot_rt_enter(aot_env *e, void *ex, void *f) {
  aot_rt_enter_inst(e, ex, ((rt_func *)f)->code);
}

void aot_rt_trap(aot_env *e, uint32_t kind) {
  rt_trap(e->ex, (rt_trap_kind)kind);
}

void aot_rt_trap_elem(aot_env *e, uint32_t kind, uint32_t i) {
  char msg[64];
  snprintf(msg, sizeof msg, "%s %u", rt_trap_message((rt_trap_kind)kind), i);
  rt_trap_msg(e->ex, (rt_trap_kind)kind, msg);
}

static rt_instance *inst_of(aot_env *e) { return e->inst; }

uint8_t *aot_rt_ea(aot_env *e, uint64_t ea, uint32_t n) {
  rt_memory *m = inst_of(e)->mem0;
  if (!rt_memory_in_bounds(m, ea, n)) rt_trap(e->ex, RT_TRAP_MEMORY_OOB);
  return m->base + ea;
}

uint32_t aot_rt_mem_size(aot_env *e) {
  return (uint32_t)(inst_of(e)->mem0->size / RT_PAGE_SIZE);
}

uint32_t aot_rt_mem_grow(aot_env *e, uint32_t delta) {
  rt_memory *m = inst_of(e)->mem0;
  int64_t r = rt_memory_grow(m, delta);
  e->mem = m->base; /* may move in the bounds-checked build */
  return (uint32_t)r; /* -1 is 0xffffffff */
}

void aot_rt_mem_init(aot_env *e, uint32_t seg, uint32_t d, uint32_t s,
                     uint32_t n) {
  rt_memory_init(e->ex, inst_of(e), 0, seg, d, s, n);
}

void aot_rt_data_drop(aot_env *e, uint32_t seg) {
  rt_data_drop(inst_of(e), seg);
}

void aot_rt_mem_copy(aot_env *e, uint32_t d, uint32_t s, uint32_t n) {
  rt_memory *m = inst_of(e)->mem0;
  rt_memory_copy(e->ex, m, m, d, s, n);
}

void aot_rt_mem_fill(aot_env *e, uint32_t d, uint32_t v, uint32_t n) {
  rt_memory_fill(e->ex, inst_of(e)->mem0, d, v, n);
}

static rt_table *table(aot_env *e, uint32_t t) {
  return inst_of(e)->tables[t];
}

uintptr_t aot_rt_table_get(aot_env *e, uint32_t t, uint32_t i) {
  rt_table *tb = table(e, t);
  if (i >= tb->size) rt_trap(e->ex, RT_TRAP_TABLE_OOB);
  return tb->elems[i];
}

void aot_rt_table_set(aot_env *e, uint32_t t, uint32_t i, uintptr_t v) {
  rt_table *tb = table(e, t);
  if (i >= tb->size) rt_trap(e->ex, RT_TRAP_TABLE_OOB);
  tb->elems[i] = v;
}

uint32_t aot_rt_table_size(aot_env *e, uint32_t t) { return table(e, t)->size; }

uint32_t aot_rt_table_grow(aot_env *e, uint32_t t, uintptr_t init,
                           uint32_t n) {
  return (uint32_t)rt_table_grow(table(e, t), n, init);
}

void aot_rt_table_fill(aot_env *e, uint32_t t, uint32_t i, uintptr_t v,
                       uint32_t n) {
  rt_table_fill(e->ex, table(e, t), i, v, n);
}

void aot_rt_table_copy(aot_env *e, uint32_t dt, uint32_t st, uint32_t d,
                       uint32_t s, uint32_t n) {
  rt_table_copy(e->ex, table(e, dt), table(e, st), d, s, n);
}

void aot_rt_table_init(aot_env *e, uint32_t t, uint32_t seg, uint32_t d,
                       uint32_t s, uint32_t n) {
  rt_table_init(e->ex, inst_of(e), t, seg, d, s, n);
}

void aot_rt_elem_drop(aot_env *e, uint32_t seg) { rt_elem_drop(inst_of(e), seg); }
