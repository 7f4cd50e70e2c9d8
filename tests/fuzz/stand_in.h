/* Import stand-ins shared by the execution fuzzers: every import a fuzzed
 * module asks for gets a real object of the right type (functions return
 * zeros), and memories are capped so the fuzzer's memory limit is not what
 * gets tested. Header-only: each harness is one translation unit. */
#ifndef FERRY_TESTS_FUZZ_STAND_IN_H
#define FERRY_TESTS_FUZZ_STAND_IN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "runtime/rt.h"
#include "vm/module.h"

/* The stand-in for imported functions: all results zero (env: the type). */
static void fuzz_zero_results(rt_exec *ex, uint64_t *slots, void *env) {
  (void)ex;
  const vm_functype *t = env;
  memset(slots, 0, rt_type_slots(t) * sizeof *slots);
}

/* Caps a memory's limits at max_pages; false when its minimum alone is
 * larger. */
static bool fuzz_cap_memory(vm_limits *l, uint64_t max_pages) {
  if (l->min > max_pages) return false;
  if (!l->has_max || l->max > max_pages) l->max = max_pages;
  l->has_max = true;
  return true;
}

/* Makes a stand-in for one import; false when that is impossible. */
static bool fuzz_stand_in(rt_store *s, const vm_module *m,
                          const vm_import *imp, uint64_t max_pages,
                          rt_extern *out) {
  out->kind = imp->kind;
  switch (imp->kind) {
  case VM_EXT_FUNC: {
    const vm_functype *t = &m->types[imp->desc.func_type];
    out->u.func = rt_host_func_new(s, t, fuzz_zero_results, (void *)t);
    return out->u.func != NULL;
  }
  case VM_EXT_TABLE:
    out->u.table = rt_table_new_type(s, &imp->desc.table, 0);
    return out->u.table != NULL;
  case VM_EXT_MEMORY: {
    vm_limits l = imp->desc.memory;
    if (!fuzz_cap_memory(&l, max_pages)) return false;
    out->u.memory = rt_memory_new_limits(s, &l);
    return out->u.memory != NULL;
  }
  case VM_EXT_GLOBAL:
    out->u.global = rt_global_new(s, imp->desc.global, 0, 0);
    return out->u.global != NULL;
  default:
    return false;
  }
}

#endif
