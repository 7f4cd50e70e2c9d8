/* The "spectest" host module that the spec test suite imports from (see the
 * suite's README and the reference interpreter's spectest.ml): print
 * functions of fixed types, four immutable globals holding 666 / 666.6, a
 * funcref table of limits 10..20 and a memory of limits 1..2 pages.
 *
 * The print functions do nothing: the suite only needs them to exist with
 * the right types, and a runner's output stays free of stray lines.
 */
#include <string.h>

#include "runtime/rt_int.h"

static void print_nothing(rt_exec *ex, uint64_t *slots, void *env) {
  (void)ex;
  (void)slots;
  (void)env;
}

enum { K_FUNC, K_GLOBAL, K_TABLE, K_MEMORY };

typedef struct {
  const char *name;
  uint8_t kind;
  uint8_t nparams;
  uint8_t params[2]; /* functions: params; globals: params[0] is the type */
  uint64_t bits;     /* globals: the value's bit pattern */
} spectest_entry;

/* 666.6 as f32 is 0x4426a666, as f64 0x4084d4cccccccccd. */
static const spectest_entry entries[RT_SPECTEST_COUNT] = {
    {"print", K_FUNC, 0, {0, 0}, 0},
    {"print_i32", K_FUNC, 1, {VM_I32, 0}, 0},
    {"print_i64", K_FUNC, 1, {VM_I64, 0}, 0},
    {"print_f32", K_FUNC, 1, {VM_F32, 0}, 0},
    {"print_f64", K_FUNC, 1, {VM_F64, 0}, 0},
    {"print_i32_f32", K_FUNC, 2, {VM_I32, VM_F32}, 0},
    {"print_f64_f64", K_FUNC, 2, {VM_F64, VM_F64}, 0},
    {"global_i32", K_GLOBAL, 0, {VM_I32, 0}, 666},
    {"global_i64", K_GLOBAL, 0, {VM_I64, 0}, 666},
    {"global_f32", K_GLOBAL, 0, {VM_F32, 0}, 0x4426a666u},
    {"global_f64", K_GLOBAL, 0, {VM_F64, 0}, UINT64_C(0x4084d4cccccccccd)},
    {"table", K_TABLE, 0, {0, 0}, 0},
    {"memory", K_MEMORY, 0, {0, 0}, 0},
};

static bool make_entry(rt_store *s, const spectest_entry *e, rt_extern *out) {
  switch (e->kind) {
  case K_FUNC: {
    uint8_t types[2];
    memcpy(types, e->params, sizeof types);
    vm_functype t = {e->nparams, 0, types};
    out->kind = VM_EXT_FUNC;
    out->u.func = rt_host_func_new(s, &t, print_nothing, NULL);
    return out->u.func != NULL;
  }
  case K_GLOBAL: {
    vm_globaltype gt = {e->params[0], false};
    out->kind = VM_EXT_GLOBAL;
    out->u.global = rt_global_new(s, gt, e->bits, 0);
    return out->u.global != NULL;
  }
  case K_TABLE: {
    vm_tabletype tt = {VM_FUNCREF, {.min = 10, .max = 20, .has_max = true}};
    out->kind = VM_EXT_TABLE;
    out->u.table = rt_table_new_type(s, &tt, 0);
    return out->u.table != NULL;
  }
  case K_MEMORY: {
    vm_limits l = {.min = 1, .max = 2, .has_max = true};
    out->kind = VM_EXT_MEMORY;
    out->u.memory = rt_memory_new_limits(s, &l);
    return out->u.memory != NULL;
  }
  }
  return false;
}

bool rt_spectest_lookup(rt_store *s, const char *name, uint32_t len,
                        rt_extern *out) {
  for (uint32_t i = 0; i < RT_SPECTEST_COUNT; i++) {
    const spectest_entry *e = &entries[i];
    if (strlen(e->name) != len || memcmp(e->name, name, len) != 0) continue;
    rt_extern *cached = &s->spectest[i];
    /* Made once per store: every importer shares the same objects, as the
     * suite expects (e.g. writes to spectest.memory are seen by all). */
    if (!cached->u.func && !make_entry(s, e, cached)) {
      memset(cached, 0, sizeof *cached);
      return false;
    }
    *out = *cached;
    return true;
  }
  return false;
}
