/* Unit tests for the shared runtime (runtime/): type interning, memories
 * (grow limits, guard-page faults), tables, instantiation per spec 4.5.4
 * (import matching, constant expressions, segment order and traps, start
 * function), traps and nested calls, spectest.
 *
 * Modules are written in WAT and go through the real text parser, decoder
 * and validator. Function bodies need an engine to run, so calls here go to
 * host functions; start functions are imported host functions. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/rt.h"
#include "vm/interp.h"
#include "vm/validate.h"
#include "vm/wat.h"

#include "tests/unit/wasm_fixture.h"

typedef struct {
  rt_instance *inst;
  char err[256];
  rt_trap_info trap;
  bool trapped;
} inst_result;

static inst_result instantiate(rt_store *s, const char *wat,
                               const rt_extern *imports, uint32_t n) {
  inst_result r;
  memset(&r, 0, sizeof r);
  r.inst = rt_instantiate(s, load_wat(wat), imports, n, RT_ENGINE_INTERP,
                          r.err, sizeof r.err, &r.trap, &r.trapped);
  return r;
}

static rt_extern get_export(const rt_instance *inst, const char *name) {
  rt_extern e;
  memset(&e, 0, sizeof e);
  assert_true(rt_instance_export(inst, name, (uint32_t)strlen(name), &e));
  return e;
}

/* ---- host functions used as imports ---- */

static void host_nop(rt_exec *ex, uint64_t *slots, void *env) {
  (void)ex;
  (void)slots;
  if (env) ++*(int *)env;
}

static void host_trap(rt_exec *ex, uint64_t *slots, void *env) {
  (void)slots;
  (void)env;
  rt_trap(ex, RT_TRAP_UNREACHABLE);
}

static const vm_functype type_void = {0, 0, NULL};

/* ---- engine ---- */

static void test_type_interning(void **state) {
  fixture *fx = *state;
  uint8_t a[] = {VM_I32, VM_I64, VM_F32};
  uint8_t b[] = {VM_I32, VM_I64, VM_F32};
  uint8_t c[] = {VM_I32, VM_F32, VM_I64};
  vm_functype ta = {2, 1, a}, tb = {2, 1, b}, tc = {2, 1, c},
              td = {1, 2, a};
  uint32_t ia = rt_engine_type_id(fx->engine, &ta);
  assert_int_equal(rt_engine_type_id(fx->engine, &tb), ia);
  assert_int_not_equal(rt_engine_type_id(fx->engine, &tc), ia);
  assert_int_not_equal(rt_engine_type_id(fx->engine, &td), ia);
  uint32_t id;
  const vm_functype *p = rt_engine_intern(fx->engine, &tb, &id);
  assert_int_equal(id, ia);
  assert_ptr_not_equal(p->types, b); /* a copy */
  /* Many distinct types: the hash table grows and ids stay stable. */
  uint8_t many[64];
  memset(many, VM_I32, sizeof many);
  for (uint32_t n = 0; n < 64; n++) {
    vm_functype t = {n, 0, many};
    uint32_t i1 = rt_engine_type_id(fx->engine, &t);
    assert_int_equal(rt_engine_type_id(fx->engine, &t), i1);
  }
  assert_int_equal(rt_engine_type_id(fx->engine, &ta), ia);
  assert_int_equal(rt_type_slots(&ta), 2);
  uint8_t v[] = {VM_I32, VM_V128, VM_V128};
  vm_functype tv = {1, 2, v};
  assert_int_equal(rt_type_slots(&tv), 4);
}

/* ---- memories ---- */

static void test_memory_grow(void **state) {
  fixture *fx = *state;
  vm_limits l = {.min = 1, .max = 3, .has_max = true};
  rt_memory *m = rt_memory_new_limits(fx->store, &l);
  assert_non_null(m);
  assert_int_equal(m->size, RT_PAGE_SIZE);
  assert_true(m->has_max);
  m->base[0] = 7;
  m->base[RT_PAGE_SIZE - 1] = 8;
  assert_int_equal(rt_memory_grow(m, 0), 1);
  assert_int_equal(rt_memory_grow(m, 2), 1);
  assert_int_equal(m->size, 3 * RT_PAGE_SIZE);
  assert_int_equal(m->base[0], 7); /* old contents kept */
  assert_int_equal(m->base[RT_PAGE_SIZE - 1], 8);
  for (uint64_t i = RT_PAGE_SIZE; i < m->size; i += 4096)
    assert_int_equal(m->base[i], 0); /* new pages are zero */
  assert_int_equal(rt_memory_grow(m, 1), -1); /* at max */
  assert_int_equal(rt_memory_grow(m, UINT64_MAX), -1);
  assert_int_equal(rt_memory_grow(m, 0), 3);

  /* No max: the limit is 65536 pages. */
  rt_memory *u = rt_memory_new(fx->store, 0, RT_MAX_PAGES);
  assert_non_null(u);
  assert_false(u->has_max);
  assert_int_equal(u->max_pages, RT_MAX_PAGES);
  assert_int_equal(rt_memory_grow(u, RT_MAX_PAGES + 1), -1);
  assert_int_equal(rt_memory_grow(u, 1), 0);
  assert_int_equal(rt_memory_grow(u, RT_MAX_PAGES), -1);
  /* min above max cannot be made */
  assert_null(rt_memory_new(fx->store, 2, 1));
#if RT_GUARD_PAGES
  assert_int_equal(m->reserved, RT_MEMORY_RESERVE);
#endif
}

#if RT_GUARD_PAGES
typedef struct {
  rt_memory *mem;
  uint64_t offset;
  int reached;
} poke_env;

static void host_poke(rt_exec *ex, uint64_t *slots, void *env) {
  (void)ex;
  (void)slots;
  poke_env *p = env;
  volatile uint8_t *addr = p->mem->base + p->offset;
  *addr = 1; /* faults when offset >= size (guard-page build) */
  p->reached++;
}
#endif

/* Runs without a fixture: cmocka installs its own SIGSEGV handler around
 * each setup, test and teardown call, so the engine (which installs ours on
 * top, chaining to cmocka's) must be made inside the test body. */
static void test_guard_page_trap(void **state) {
#if RT_GUARD_PAGES
  fixture fxs, *fx = &fxs;
  assert_int_equal(setup(state), 0);
  fxs = *(fixture *)*state;
  free(*state);
  rt_memory *m = rt_memory_new(fx->store, 1, 2);
  assert_non_null(m);
  poke_env p = {m, 0, 0};
  rt_func *f = rt_host_func_new(fx->store, &type_void, host_poke, &p);
  uint64_t slots[1];
  rt_trap_info trap;
  assert_true(rt_call(fx->store, f, slots, &trap));
  assert_int_equal(p.reached, 1);
  /* Just past the end, far into the reservation, and at the last byte any
   * i32 address + offset can reach. */
  uint64_t offsets[] = {RT_PAGE_SIZE, 0xffffffffu, RT_MEMORY_RESERVE - 1};
  for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
    p.offset = offsets[i];
    assert_false(rt_call(fx->store, f, slots, &trap));
    assert_int_equal(trap.kind, RT_TRAP_MEMORY_OOB);
    assert_string_equal(trap.message, "out of bounds memory access");
  }
  assert_int_equal(p.reached, 1);
  /* After growing, the page is committed and the same access succeeds; the
   * base did not move. */
  uint8_t *base = m->base;
  assert_int_equal(rt_memory_grow(m, 1), 1);
  assert_ptr_equal(m->base, base);
  p.offset = RT_PAGE_SIZE;
  assert_true(rt_call(fx->store, f, slots, &trap));
  assert_int_equal(p.reached, 2);
  /* Traps again and again: the handler stays usable (signal mask). */
  for (int i = 0; i < 3; i++) {
    p.offset = 2 * RT_PAGE_SIZE;
    assert_false(rt_call(fx->store, f, slots, &trap));
    assert_int_equal(trap.kind, RT_TRAP_MEMORY_OOB);
  }
  rt_store_free(fx->store);
  rt_engine_free(fx->engine);
#else
  (void)state;
  skip();
#endif
}

/* Runs one bulk memory step per call, as an engine's handler would. */
typedef struct {
  rt_instance *inst;
  rt_memory *m;
  int op;
} bulk_env;

static void bulk_host(rt_exec *ex, uint64_t *slots, void *env) {
  (void)slots;
  bulk_env *b = env;
  switch (b->op) {
  case 0: rt_memory_init(ex, b->inst, 0, 0, 0, 0, 3); break;
  case 1: rt_memory_init(ex, b->inst, 0, 0, 0, 3, 3); break; /* past data */
  case 2:
    rt_memory_fill(ex, b->m, 100, 0x1ab, 10); /* only the low byte counts */
    rt_memory_init(ex, b->inst, 0, 0, 200, 0, 5);
    break;
  case 3: rt_memory_fill(ex, b->m, RT_PAGE_SIZE - 1, 1, 2); break;
  case 4: rt_memory_copy(ex, b->m, b->m, 202, 200, 5); break; /* overlap */
  case 5:
    rt_data_drop(b->inst, 0);
    rt_memory_init(ex, b->inst, 0, 0, 0, 0, 0); /* ok: n = 0 */
    rt_memory_init(ex, b->inst, 0, 0, 0, 0, 1); /* dropped */
    break;
  case 6: rt_memory_copy(ex, b->m, b->m, RT_PAGE_SIZE, 0, 0); break; /* ok */
  case 7: rt_memory_copy(ex, b->m, b->m, 0, RT_PAGE_SIZE + 1, 0); break;
  }
}

/* A fault that is not ours (outside any rt_call here) goes to the handler
 * that was installed before the engine's. */
static sigjmp_buf chain_jmp;
static volatile sig_atomic_t chain_hits;

static void chain_handler(int sig, siginfo_t *info, void *uctx) {
  (void)sig;
  (void)info;
  (void)uctx;
  chain_hits++;
  siglongjmp(chain_jmp, 1);
}

static void test_fault_chaining(void **state) {
  (void)state;
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = chain_handler;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  assert_int_equal(sigaction(SIGSEGV, &sa, &old), 0);
  rt_engine *e = rt_engine_new();
  rt_store *s = rt_store_new(e);
  rt_memory *m = rt_memory_new(s, 1, 1);
  assert_non_null(m);
  size_t page = os_page_size();
  uint8_t *other = os_reserve(page); /* inaccessible, but no wasm memory */
  assert_non_null(other);
  chain_hits = 0;
  if (sigsetjmp(chain_jmp, 0) == 0) {
    volatile uint8_t *p = other;
    *p = 1;
    fail_msg("store to a PROT_NONE page did not fault");
  }
  assert_int_equal(chain_hits, 1);
#if RT_GUARD_PAGES
  /* A wasm memory's guard region outside rt_call is not ours either. */
  if (sigsetjmp(chain_jmp, 0) == 0) {
    volatile uint8_t *p = m->base + RT_PAGE_SIZE;
    *p = 1;
    fail_msg("store to a guard page did not fault");
  }
  assert_int_equal(chain_hits, 2);
#endif
  os_release(other, page);
  rt_store_free(s);
  rt_engine_free(e);
  assert_int_equal(sigaction(SIGSEGV, &old, NULL), 0);
}

static void test_bulk_memory(void **state) {
  fixture *fx = *state;
  rt_trap_info trap;
  inst_result r = instantiate(fx->store,
                              "(module (memory (export \"m\") 1)"
                              "  (data \"hello\"))",
                              NULL, 0);
  assert_non_null(r.inst);
  rt_memory *m = get_export(r.inst, "m").u.memory;
  bulk_env b = {r.inst, m, 0};
  rt_func *f = rt_host_func_new(fx->store, &type_void, bulk_host, &b);
  uint64_t slots[1];
  /* Even steps succeed, odd ones trap having written nothing. */
  for (b.op = 0; b.op < 8; b.op++) {
    bool ok = rt_call(fx->store, f, slots, &trap);
    assert_int_equal(ok, b.op % 2 == 0);
    if (!ok) assert_int_equal(trap.kind, RT_TRAP_MEMORY_OOB);
  }
  assert_memory_equal(m->base, "hel", 3);
  assert_int_equal(m->base[100], 0xab);
  assert_int_equal(m->base[109], 0xab);
  assert_int_equal(m->base[110], 0);
  assert_int_equal(m->base[RT_PAGE_SIZE - 1], 0);
  assert_memory_equal(m->base + 200, "hehello", 7);
}

/* ---- tables ---- */

static void test_table_grow(void **state) {
  fixture *fx = *state;
  rt_table *t = rt_table_new(fx->store, VM_EXTERNREF, 2, 5, 42);
  assert_non_null(t);
  assert_true(t->has_max);
  assert_int_equal(t->elems[1], 42);
  assert_int_equal(rt_table_grow(t, 3, 7), 2);
  assert_int_equal(t->size, 5);
  assert_int_equal(t->elems[4], 7);
  assert_int_equal(t->elems[0], 42);
  assert_int_equal(rt_table_grow(t, 1, 0), -1);
  assert_int_equal(rt_table_grow(t, 0, 0), 5);
  rt_table *u = rt_table_new(fx->store, VM_FUNCREF, 16, UINT32_MAX, 0);
  assert_false(u->has_max);
  /* Would overflow u32 (table_grow.wast "outside i32 value range"). */
  assert_int_equal(rt_table_grow(u, 0xfffffff0u, 0), -1);
  assert_int_equal(rt_table_grow(u, 800, 0), 16);
}

typedef struct {
  rt_instance *inst;
  rt_table *t;
  int op;
} tbulk_env;

static void tbulk_host(rt_exec *ex, uint64_t *slots, void *env) {
  (void)slots;
  tbulk_env *b = env;
  switch (b->op) {
  case 0: rt_table_init(ex, b->inst, 0, 0, 1, 0, 2); break;
  case 1: rt_table_init(ex, b->inst, 0, 0, 3, 0, 2); break; /* past table */
  case 2: rt_table_copy(ex, b->t, b->t, 2, 1, 2); break;    /* overlap */
  case 3: rt_table_copy(ex, b->t, b->t, 0, 3, 2); break;    /* past src */
  case 4: rt_table_fill(ex, b->t, 0, 0, 1); break;
  case 5: rt_table_fill(ex, b->t, 4, 0, 1); break;
  case 6:
    rt_elem_drop(b->inst, 0);
    rt_table_init(ex, b->inst, 0, 0, 4, 0, 0); /* ok: n = 0 at the end */
    break;
  case 7: rt_table_init(ex, b->inst, 0, 0, 0, 0, 1); break; /* dropped */
  }
}

static void test_bulk_table(void **state) {
  fixture *fx = *state;
  inst_result r = instantiate(fx->store,
                              "(module (table (export \"t\") 4 funcref)"
                              "  (func $a) (func $b)"
                              "  (elem $p func $a $b))",
                              NULL, 0);
  assert_non_null(r.inst);
  rt_table *t = get_export(r.inst, "t").u.table;
  uintptr_t fa = (uintptr_t)r.inst->funcs[0], fb = (uintptr_t)r.inst->funcs[1];
  tbulk_env b = {r.inst, t, 0};
  rt_func *f = rt_host_func_new(fx->store, &type_void, tbulk_host, &b);
  uint64_t slots[1];
  rt_trap_info trap;
  for (b.op = 0; b.op < 8; b.op++) {
    bool ok = rt_call(fx->store, f, slots, &trap);
    assert_int_equal(ok, b.op % 2 == 0);
    if (!ok) assert_int_equal(trap.kind, RT_TRAP_TABLE_OOB);
  }
  /* init: [0 a b 0]; copy 2<-1 (2): [0 a a b]; fill 0 (1): same. */
  assert_int_equal(t->elems[0], 0);
  assert_int_equal(t->elems[1], fa);
  assert_int_equal(t->elems[2], fa);
  assert_int_equal(t->elems[3], fb);
}

/* ---- instantiation ---- */

static void test_globals(void **state) {
  fixture *fx = *state;
  vm_globaltype gt = {VM_I32, false};
  rt_global *imp = rt_global_new(fx->store, gt, 41, 0);
  rt_extern imports[1] = {{VM_EXT_GLOBAL, {.global = imp}}};
  inst_result r = instantiate(
      fx->store,
      "(module"
      "  (import \"env\" \"g\" (global $g i32))"
      "  (global (export \"a\") i32 (global.get $g))"
      "  (global (export \"b\") (mut i64) (i64.const -5))"
      "  (global (export \"c\") f32 (f32.const 1.5))"
      "  (global (export \"d\") f64 (f64.const -0.25))"
      "  (global (export \"v\") v128 (v128.const i32x4 1 2 3 4))"
      "  (global (export \"r\") funcref (ref.func $f))"
      "  (global (export \"n\") externref (ref.null extern))"
      "  (func $f (export \"f\")))",
      imports, 1);
  assert_non_null(r.inst);
  assert_false(r.trapped);
  assert_int_equal(get_export(r.inst, "a").u.global->val[0], 41);
  rt_global *b = get_export(r.inst, "b").u.global;
  assert_int_equal(b->val[0], (uint64_t)-5);
  assert_true(b->type.mut);
  assert_int_equal(get_export(r.inst, "c").u.global->val[0], 0x3fc00000u);
  assert_int_equal(get_export(r.inst, "d").u.global->val[0],
                   UINT64_C(0xbfd0000000000000));
  rt_global *v = get_export(r.inst, "v").u.global;
  assert_int_equal(v->val[0], UINT64_C(0x0000000200000001));
  assert_int_equal(v->val[1], UINT64_C(0x0000000400000003));
  rt_extern f = get_export(r.inst, "f");
  assert_int_equal(f.kind, VM_EXT_FUNC);
  assert_int_equal(get_export(r.inst, "r").u.global->val[0],
                   (uintptr_t)f.u.func);
  assert_ptr_equal(f.u.func->inst, r.inst);
  assert_int_equal(f.u.func->index, 0);
  assert_int_equal(get_export(r.inst, "n").u.global->val[0], 0);
  rt_extern none;
  assert_false(rt_instance_export(r.inst, "zz", 2, &none));
  assert_false(rt_instance_export(r.inst, "a", 0, &none));
}

static void test_segments(void **state) {
  fixture *fx = *state;
  inst_result r = instantiate(
      fx->store,
      "(module"
      "  (table (export \"t\") 10 funcref)"
      "  (memory (export \"m\") 1)"
      "  (global $off i32 (i32.const 0))"
      "  (func $a) (func $b) (func $c)"
      "  (elem (i32.const 2) $a $b)"
      "  (elem (i32.const 3) $c)"                        /* overwrites $b */
      "  (elem $p funcref (ref.func $c) (ref.null func))" /* passive */
      "  (elem declare func $a)"
      "  (data (i32.const 16) \"abcd\")"
      "  (data (i32.const 18) \"XY\")"
      "  (data $q \"passive\")"
      "  (data (i32.const 65535) \"z\")"
      "  (data (i32.const 65536) \"\"))",                /* n = 0 at end: ok */
      NULL, 0);
  assert_non_null(r.inst);
  rt_instance *inst = r.inst;
  rt_table *t = get_export(inst, "t").u.table;
  rt_memory *m = get_export(inst, "m").u.memory;
  assert_ptr_equal(inst->mem0, m);
  assert_int_equal(t->elems[0], 0);
  assert_int_equal(t->elems[2], (uintptr_t)inst->funcs[0]);
  assert_int_equal(t->elems[3], (uintptr_t)inst->funcs[2]);
  assert_int_equal(t->elems[4], 0);
  assert_memory_equal(m->base + 16, "abXY", 4);
  assert_int_equal(m->base[65535], 'z');
  /* Active and declarative segments are dropped, passive ones kept. */
  assert_int_equal(inst->elems[0].count, 0);
  assert_int_equal(inst->elems[1].count, 0);
  assert_int_equal(inst->elems[2].count, 2);
  assert_int_equal(inst->elems[2].refs[0], (uintptr_t)inst->funcs[2]);
  assert_int_equal(inst->elems[2].refs[1], 0);
  assert_int_equal(inst->elems[3].count, 0);
  assert_null(inst->datas[0].bytes);
  assert_int_equal(inst->datas[2].size, 7);
  assert_memory_equal(inst->datas[2].bytes, "passive", 7);
}

/* Wasm 2.0: segments are applied one by one; a trapping one fails the
 * instantiation but what earlier segments wrote stays (linking.wast). */
static void test_segment_traps(void **state) {
  fixture *fx = *state;
  rt_memory *mem = rt_memory_new(fx->store, 1, RT_MAX_PAGES);
  rt_table *tab = rt_table_new(fx->store, VM_FUNCREF, 4, UINT32_MAX, 0);
  rt_extern imports[2] = {{VM_EXT_MEMORY, {.memory = mem}},
                          {VM_EXT_TABLE, {.table = tab}}};
  const char *mod_head =
      "(module (import \"e\" \"m\" (memory 1)) (import \"e\" \"t\" (table 4 "
      "funcref)) (func $f)";
  char src[512];

  snprintf(src, sizeof src,
           "%s (data (i32.const 0) \"ok\") (data (i32.const 65535) \"no\")"
           " (data (i32.const 4) \"never\"))",
           mod_head);
  inst_result r = instantiate(fx->store, src, imports, 2);
  assert_null(r.inst);
  assert_true(r.trapped);
  assert_int_equal(r.trap.kind, RT_TRAP_MEMORY_OOB);
  assert_string_equal(r.trap.message, "out of bounds memory access");
  assert_memory_equal(mem->base, "ok", 2);
  assert_int_equal(mem->base[4], 0);
  assert_int_equal(mem->base[65535], 0); /* the trapping one wrote nothing */

  /* Element segments come before data segments. */
  snprintf(src, sizeof src,
           "%s (elem (i32.const 1) $f) (elem (i32.const 3) $f $f)"
           " (data (i32.const 8) \"data\"))",
           mod_head);
  r = instantiate(fx->store, src, imports, 2);
  assert_null(r.inst);
  assert_true(r.trapped);
  assert_int_equal(r.trap.kind, RT_TRAP_TABLE_OOB);
  assert_string_equal(r.trap.message, "out of bounds table access");
  /* The failed instance's function stays callable through the table. */
  assert_int_not_equal(tab->elems[1], 0);
  rt_func *kept = (rt_func *)tab->elems[1];
  assert_non_null(kept->inst);
  assert_int_equal(tab->elems[3], 0);
  assert_int_equal(mem->base[8], 0);

  /* Offset past the end with n = 0 still traps (d > size). */
  snprintf(src, sizeof src, "%s (elem (i32.const 5)))", mod_head);
  r = instantiate(fx->store, src, imports, 2);
  assert_true(r.trapped);
  assert_int_equal(r.trap.kind, RT_TRAP_TABLE_OOB);
  snprintf(src, sizeof src, "%s (data (i32.const 65537) \"\"))", mod_head);
  r = instantiate(fx->store, src, imports, 2);
  assert_true(r.trapped);
  assert_int_equal(r.trap.kind, RT_TRAP_MEMORY_OOB);
  /* Offsets are unsigned: -1 is 4 GiB - 1. */
  snprintf(src, sizeof src, "%s (data (i32.const -1) \"x\"))", mod_head);
  r = instantiate(fx->store, src, imports, 2);
  assert_true(r.trapped);
}

static void expect_link_error(rt_store *s, const char *wat,
                              const rt_extern *imports, uint32_t n,
                              const char *msg) {
  inst_result r = instantiate(s, wat, imports, n);
  assert_null(r.inst);
  assert_false(r.trapped);
  assert_string_equal(r.err, msg);
}

static void test_import_matching(void **state) {
  fixture *fx = *state;
  rt_store *s = fx->store;
  uint8_t i32[] = {VM_I32};
  vm_functype t_i = {1, 0, i32};
  rt_func *f_void = rt_host_func_new(s, &type_void, host_nop, NULL);
  rt_func *f_i = rt_host_func_new(s, &t_i, host_nop, NULL);
  rt_extern fv = {VM_EXT_FUNC, {.func = f_void}};
  rt_extern fi = {VM_EXT_FUNC, {.func = f_i}};
  const char *imp_f = "(module (import \"e\" \"f\" (func (param i32))))";
  inst_result ok = instantiate(s, imp_f, &fi, 1);
  assert_non_null(ok.inst);
  assert_ptr_equal(ok.inst->funcs[0], f_i); /* the same object */
  expect_link_error(s, imp_f, &fv, 1, "incompatible import type");
  expect_link_error(s, imp_f, NULL, 0, "unknown import");
  rt_extern null_func = {VM_EXT_FUNC, {.func = NULL}};
  expect_link_error(s, imp_f, &null_func, 1, "unknown import");

  /* Kind mismatch. */
  rt_memory *mem = rt_memory_new(s, 2, 4); /* limits 2..4 */
  rt_extern em = {VM_EXT_MEMORY, {.memory = mem}};
  expect_link_error(s, imp_f, &em, 1, "incompatible import type");

  /* Memory limits: min <= actual size, max required and not larger. */
  const char *ok_mems[] = {
      "(module (import \"e\" \"m\" (memory 1)))",
      "(module (import \"e\" \"m\" (memory 2 4)))",
      "(module (import \"e\" \"m\" (memory 0 5)))",
  };
  for (size_t i = 0; i < 3; i++)
    assert_non_null(instantiate(s, ok_mems[i], &em, 1).inst);
  expect_link_error(s, "(module (import \"e\" \"m\" (memory 3)))", &em, 1,
                    "incompatible import type");
  expect_link_error(s, "(module (import \"e\" \"m\" (memory 1 3)))", &em, 1,
                    "incompatible import type");
  /* Growing the memory raises its current size, which is what is matched. */
  assert_int_equal(rt_memory_grow(mem, 1), 2);
  assert_non_null(
      instantiate(s, "(module (import \"e\" \"m\" (memory 3)))", &em, 1).inst);
  rt_memory *nomax = rt_memory_new(s, 1, RT_MAX_PAGES);
  rt_extern enm = {VM_EXT_MEMORY, {.memory = nomax}};
  expect_link_error(s, "(module (import \"e\" \"m\" (memory 1 65536)))", &enm,
                    1, "incompatible import type");

  /* Tables: element type and limits. */
  rt_table *tab = rt_table_new(s, VM_FUNCREF, 10, 20, 0);
  rt_extern et = {VM_EXT_TABLE, {.table = tab}};
  assert_non_null(
      instantiate(s, "(module (import \"e\" \"t\" (table 10 20 funcref)))",
                  &et, 1).inst);
  assert_non_null(
      instantiate(s, "(module (import \"e\" \"t\" (table 5 funcref)))", &et, 1)
          .inst);
  expect_link_error(s, "(module (import \"e\" \"t\" (table 10 externref)))",
                    &et, 1, "incompatible import type");
  expect_link_error(s, "(module (import \"e\" \"t\" (table 11 funcref)))", &et,
                    1, "incompatible import type");
  expect_link_error(s, "(module (import \"e\" \"t\" (table 10 15 funcref)))",
                    &et, 1, "incompatible import type");

  /* Globals: type and mutability equal. */
  vm_globaltype g_i32 = {VM_I32, false}, g_mut = {VM_I32, true};
  rt_extern gi = {VM_EXT_GLOBAL, {.global = rt_global_new(s, g_i32, 1, 0)}};
  rt_extern gm = {VM_EXT_GLOBAL, {.global = rt_global_new(s, g_mut, 1, 0)}};
  const char *imp_g = "(module (import \"e\" \"g\" (global i32)))";
  const char *imp_gm = "(module (import \"e\" \"g\" (global (mut i32))))";
  assert_non_null(instantiate(s, imp_g, &gi, 1).inst);
  assert_non_null(instantiate(s, imp_gm, &gm, 1).inst);
  expect_link_error(s, imp_g, &gm, 1, "incompatible import type");
  expect_link_error(s, imp_gm, &gi, 1, "incompatible import type");
  expect_link_error(s, "(module (import \"e\" \"g\" (global i64)))", &gi, 1,
                    "incompatible import type");
}

static void test_start(void **state) {
  fixture *fx = *state;
  int calls = 0;
  rt_extern ok = {VM_EXT_FUNC,
                  {.func = rt_host_func_new(fx->store, &type_void, host_nop,
                                            &calls)}};
  rt_extern bad = {VM_EXT_FUNC,
                   {.func = rt_host_func_new(fx->store, &type_void, host_trap,
                                             NULL)}};
  const char *wat =
      "(module (import \"e\" \"s\" (func $s)) (memory (export \"m\") 1)"
      " (data (i32.const 0) \"x\") (start $s))";
  inst_result r = instantiate(fx->store, wat, &ok, 1);
  assert_non_null(r.inst);
  assert_int_equal(calls, 1);
  r = instantiate(fx->store, wat, &bad, 1);
  assert_null(r.inst);
  assert_true(r.trapped);
  assert_int_equal(r.trap.kind, RT_TRAP_UNREACHABLE);
  assert_string_equal(r.trap.message, "unreachable");
  /* A failed link does not run the start function. */
  rt_extern wrong = {VM_EXT_FUNC,
                     {.func = rt_host_func_new(fx->store, &(vm_functype){1, 0,
                                               (uint8_t[]){VM_I64}},
                                               host_nop, &calls)}};
  expect_link_error(fx->store, wat, &wrong, 1, "incompatible import type");
  assert_int_equal(calls, 1);
}

/* RT_ENGINE_AOT: the same instantiation, with defined functions pointed at
 * compiled code instead of the interpreter. */
static void test_aot_engine(void **state) {
  fixture *fx = *state;
  char err[128];
  bool trapped = true;
  rt_instance *inst = rt_instantiate(
      fx->store,
      load_wat("(module (func (export \"f\") (result i32) i32.const 7))"),
      NULL, 0, RT_ENGINE_AOT, err, sizeof err, NULL, &trapped);
  assert_non_null(inst);
  rt_extern f;
  assert_true(rt_instance_export(inst, "f", 1, &f));
  assert_true(f.u.func->entry != vm_interp_entry);
  uint64_t slots[1] = {0};
  rt_trap_info trap;
  assert_true(rt_call(fx->store, f.u.func, slots, &trap));
  assert_int_equal(slots[0], 7);
}

/* ---- traps and calls ---- */

typedef struct {
  rt_func *inner;     /* what to call back */
  bool use_rt_call;   /* a fresh landing point instead of rt_call_nested */
  bool inner_ok;
  rt_trap_info inner_trap;
  uint32_t depth_seen;
} reenter_env;

static void host_reenter(rt_exec *ex, uint64_t *slots, void *env) {
  reenter_env *r = env;
  r->depth_seen = ex->depth;
  assert_ptr_equal(rt_current_exec(), ex);
  if (r->use_rt_call) {
    r->inner_ok = rt_call(ex->store, r->inner, slots, &r->inner_trap);
    assert_ptr_equal(rt_current_exec(), ex); /* restored */
    slots[0] = 99;
  } else {
    rt_call_nested(ex, r->inner, slots);
    slots[0] = 98; /* not reached when inner traps */
  }
}

static void host_set7(rt_exec *ex, uint64_t *slots, void *env) {
  (void)ex;
  (void)env;
  slots[0] = 7;
}

static void test_nested_calls(void **state) {
  fixture *fx = *state;
  rt_store *s = fx->store;
  uint8_t r_i32[] = {VM_I32};
  vm_functype t_r = {0, 1, r_i32};
  rt_func *trapper = rt_host_func_new(s, &t_r, host_trap, NULL);
  rt_func *seven = rt_host_func_new(s, &t_r, host_set7, NULL);
  reenter_env env;
  memset(&env, 0, sizeof env);
  rt_func *outer = rt_host_func_new(s, &t_r, host_reenter, &env);
  uint64_t slots[1] = {0};
  rt_trap_info trap;

  assert_null(rt_current_exec());
  env.inner = seven;
  assert_true(rt_call(s, outer, slots, &trap));
  assert_int_equal(slots[0], 98);
  assert_int_equal(trap.kind, RT_TRAP_NONE);

  /* rt_call_nested: the inner trap unwinds to the outer rt_call. */
  env.inner = trapper;
  assert_false(rt_call(s, outer, slots, &trap));
  assert_int_equal(trap.kind, RT_TRAP_UNREACHABLE);
  assert_null(rt_current_exec());

  /* rt_call from a host function: the inner call has its own landing
   * point; the outer call goes on and succeeds. */
  env.use_rt_call = true;
  assert_true(rt_call(s, outer, slots, &trap));
  assert_false(env.inner_ok);
  assert_int_equal(env.inner_trap.kind, RT_TRAP_UNREACHABLE);
  assert_int_equal(slots[0], 99);
  assert_int_equal(trap.kind, RT_TRAP_NONE);
  assert_int_equal(env.depth_seen, 0);
}

/* Unbounded host↔wasm re-entry ends in "call stack exhausted", not a crash,
 * through either way of calling back. */
static void host_recurse(rt_exec *ex, uint64_t *slots, void *env) {
  reenter_env *r = env;
  r->depth_seen = ex->depth > r->depth_seen ? ex->depth : r->depth_seen;
  if (r->use_rt_call) {
    if (!rt_call(ex->store, r->inner, slots, &r->inner_trap))
      rt_trap_msg(ex, r->inner_trap.kind, r->inner_trap.message);
  } else {
    rt_call_nested(ex, r->inner, slots);
  }
}

static void test_depth_limit(void **state) {
  fixture *fx = *state;
  for (int mode = 0; mode < 2; mode++) {
    reenter_env env;
    memset(&env, 0, sizeof env);
    env.use_rt_call = mode == 1;
    rt_func *f = rt_host_func_new(fx->store, &type_void, host_recurse, &env);
    env.inner = f;
    uint64_t slots[1];
    rt_trap_info trap;
    assert_false(rt_call(fx->store, f, slots, &trap));
    assert_int_equal(trap.kind, RT_TRAP_STACK_EXHAUSTED);
    assert_string_equal(trap.message, "call stack exhausted");
    assert_int_equal(env.depth_seen, RT_MAX_NATIVE_DEPTH - 1);
    assert_null(rt_current_exec());
  }
}

static void host_exit(rt_exec *ex, uint64_t *slots, void *env) {
  (void)slots;
  (void)env;
  rt_exit(ex, 3);
}

static void host_msg(rt_exec *ex, uint64_t *slots, void *env) {
  (void)slots;
  (void)env;
  rt_trap_msg(ex, RT_TRAP_HOST, "custom failure");
}

static void fake_backtrace(rt_exec *ex, rt_trap_info *trap) {
  (void)ex;
  trap->nframes = 1;
  trap->frames[0].inst = NULL;
  trap->frames[0].func = 5;
}

static void host_with_backtrace(rt_exec *ex, uint64_t *slots, void *env) {
  (void)slots;
  (void)env;
  ex->backtrace = fake_backtrace;
  rt_trap(ex, RT_TRAP_INT_DIV_ZERO);
}

static void test_traps(void **state) {
  fixture *fx = *state;
  rt_store *s = fx->store;
  uint64_t slots[1];
  rt_trap_info trap;
  assert_false(
      rt_call(s, rt_host_func_new(s, &type_void, host_exit, NULL), slots, &trap));
  assert_int_equal(trap.kind, RT_TRAP_EXIT);
  assert_int_equal(trap.exit_code, 3);
  assert_false(
      rt_call(s, rt_host_func_new(s, &type_void, host_msg, NULL), slots, &trap));
  assert_int_equal(trap.kind, RT_TRAP_HOST);
  assert_string_equal(trap.message, "custom failure");
  assert_int_equal(trap.nframes, 0);
  assert_false(rt_call(s, rt_host_func_new(s, &type_void, host_with_backtrace,
                                           NULL),
                       slots, &trap));
  assert_int_equal(trap.kind, RT_TRAP_INT_DIV_ZERO);
  assert_string_equal(trap.message, "integer divide by zero");
  assert_int_equal(trap.nframes, 1);
  assert_int_equal(trap.frames[0].func, 5);
  /* A NULL trap pointer is allowed. */
  assert_false(
      rt_call(s, rt_host_func_new(s, &type_void, host_trap, NULL), slots, NULL));

  assert_string_equal(rt_trap_message(RT_TRAP_INDIRECT_TYPE_MISMATCH),
                      "indirect call type mismatch");
  assert_string_equal(rt_trap_message(RT_TRAP_UNINITIALIZED_ELEMENT),
                      "uninitialized element");
  assert_string_equal(rt_trap_message((rt_trap_kind)1000), "unknown trap");
}

/* ---- spectest ---- */

static void test_spectest(void **state) {
  fixture *fx = *state;
  rt_store *s = fx->store;
  rt_extern a, b;
  assert_true(rt_spectest_lookup(s, "memory", 6, &a));
  assert_true(rt_spectest_lookup(s, "memory", 6, &b));
  assert_int_equal(a.kind, VM_EXT_MEMORY);
  assert_ptr_equal(a.u.memory, b.u.memory); /* made once */
  assert_int_equal(a.u.memory->size, RT_PAGE_SIZE);
  assert_int_equal(a.u.memory->max_pages, 2);
  assert_true(rt_spectest_lookup(s, "table", 5, &a));
  assert_int_equal(a.u.table->size, 10);
  assert_int_equal(a.u.table->max, 20);
  assert_int_equal(a.u.table->elemtype, VM_FUNCREF);
  assert_true(rt_spectest_lookup(s, "global_i32", 10, &a));
  assert_int_equal(a.u.global->val[0], 666);
  assert_false(a.u.global->type.mut);
  assert_true(rt_spectest_lookup(s, "global_f64", 10, &a));
  assert_int_equal(a.u.global->val[0], UINT64_C(0x4084d4cccccccccd));
  assert_false(rt_spectest_lookup(s, "print_i32x", 10, &a));
  assert_false(rt_spectest_lookup(s, "print", 3, &a)); /* prefix only */
  assert_false(rt_spectest_lookup(s, "nothing", 7, &a));

  /* A module importing everything the suite uses links against them. */
  const char *names[] = {"print", "print_i32", "print_i64", "print_f32",
                         "print_f64", "print_i32_f32", "print_f64_f64",
                         "global_i32", "global_i64", "global_f32",
                         "global_f64", "table", "memory"};
  rt_extern imps[13];
  for (int i = 0; i < 13; i++)
    assert_true(rt_spectest_lookup(s, names[i], (uint32_t)strlen(names[i]),
                                   &imps[i]));
  inst_result r = instantiate(
      s,
      "(module"
      " (import \"spectest\" \"print\" (func))"
      " (import \"spectest\" \"print_i32\" (func (param i32)))"
      " (import \"spectest\" \"print_i64\" (func (param i64)))"
      " (import \"spectest\" \"print_f32\" (func (param f32)))"
      " (import \"spectest\" \"print_f64\" (func (param f64)))"
      " (import \"spectest\" \"print_i32_f32\" (func (param i32 f32)))"
      " (import \"spectest\" \"print_f64_f64\" (func (param f64 f64)))"
      " (import \"spectest\" \"global_i32\" (global i32))"
      " (import \"spectest\" \"global_i64\" (global i64))"
      " (import \"spectest\" \"global_f32\" (global f32))"
      " (import \"spectest\" \"global_f64\" (global f64))"
      " (import \"spectest\" \"table\" (table 10 20 funcref))"
      " (import \"spectest\" \"memory\" (memory 1 2)))",
      imps, 13);
  assert_non_null(r.inst);
  uint64_t slots[2] = {1, 2};
  assert_true(rt_call(s, imps[5].u.func, slots, NULL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_type_interning, setup, teardown),
      cmocka_unit_test_setup_teardown(test_memory_grow, setup, teardown),
      cmocka_unit_test(test_guard_page_trap),
      cmocka_unit_test(test_fault_chaining),
      cmocka_unit_test_setup_teardown(test_bulk_memory, setup, teardown),
      cmocka_unit_test_setup_teardown(test_table_grow, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bulk_table, setup, teardown),
      cmocka_unit_test_setup_teardown(test_globals, setup, teardown),
      cmocka_unit_test_setup_teardown(test_segments, setup, teardown),
      cmocka_unit_test_setup_teardown(test_segment_traps, setup, teardown),
      cmocka_unit_test_setup_teardown(test_import_matching, setup, teardown),
      cmocka_unit_test_setup_teardown(test_start, setup, teardown),
      cmocka_unit_test_setup_teardown(test_aot_engine, setup, teardown),
      cmocka_unit_test_setup_teardown(test_nested_calls, setup, teardown),
      cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_traps, setup, teardown),
      cmocka_unit_test_setup_teardown(test_spectest, setup, teardown),
  };
  return cmocka_run_group_tests_name("runtime", tests, NULL, NULL);
}
