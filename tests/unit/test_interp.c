/* Unit tests for the interpreter (vm/compile.c, vm/interp.c): small WAT
 * modules run end to end (text → binary → decode → validate → instantiate →
 * call), one behaviour per test: arithmetic, multi-value control flow,
 * recursion, stack exhaustion, traps, memory, call_indirect, memory.grow,
 * and the peepholes (retargeted local.set, fused compare+branch). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/rt.h"
#include "vm/interp.h"
#include "vm/module.h"
#include "vm/validate.h"
#include "vm/wat.h"

typedef struct {
  rt_engine *engine;
  rt_store *store;
  rt_instance *inst;
} env;

static void load(env *e, const char *wat) {
  uint8_t *bin;
  size_t size;
  vm_error err = {0};
  if (!vm_wat_to_wasm(wat, strlen(wat), &bin, &size, &err))
    fail_msg("wat: %d:%d: %s", err.line, err.col, err.msg);
  vm_module *m = vm_decode_owned(bin, size, &err);
  if (!m) fail_msg("decode: %s", err.msg);
  if (!vm_validate(m, &err)) fail_msg("validate: %s", err.msg);
  e->engine = rt_engine_new();
  e->store = rt_store_new(e->engine);
  char msg[256] = "";
  rt_trap_info trap;
  bool trapped = false;
  e->inst = rt_instantiate(e->store, m, NULL, 0, RT_ENGINE_INTERP, msg,
                           sizeof msg, &trap, &trapped);
  if (!e->inst) fail_msg("instantiate: %s", trapped ? trap.message : msg);
}

static void unload(env *e) {
  rt_store_free(e->store);
  rt_engine_free(e->engine);
}

static rt_func *func(env *e, const char *name) {
  rt_extern x;
  assert_true(rt_instance_export(e->inst, name, (uint32_t)strlen(name), &x));
  assert_int_equal(x.kind, VM_EXT_FUNC);
  return x.u.func;
}

/* Calls export `name`; slots hold args in, results out. */
static bool call(env *e, const char *name, uint64_t *slots, rt_trap_info *t) {
  return rt_call(e->store, func(e, name), slots, t);
}

static uint64_t call1(env *e, const char *name, uint64_t a, uint64_t b) {
  uint64_t s[4] = {a, b, 0, 0};
  rt_trap_info t;
  if (!call(e, name, s, &t)) fail_msg("%s trapped: %s", name, t.message);
  return s[0];
}

static void expect_trap(env *e, const char *name, uint64_t a, uint64_t b,
                        const char *msg) {
  uint64_t s[4] = {a, b, 0, 0};
  rt_trap_info t;
  assert_false(call(e, name, s, &t));
  assert_true(strncmp(t.message, msg, strlen(msg)) == 0);
}

static void test_arith(void **state) {
  env e;
  load(&e,
       "(module"
       " (func (export \"add\") (param i32 i32) (result i32)"
       "   local.get 0 local.get 1 i32.add)"
       " (func (export \"subk\") (param i32) (result i32)"
       "   i32.const 10 local.get 0 i32.sub)"
       " (func (export \"mul64\") (param i64 i64) (result i64)"
       "   local.get 0 local.get 1 i64.mul)"
       " (func (export \"shr_s\") (param i32 i32) (result i32)"
       "   local.get 0 local.get 1 i32.shr_s)"
       " (func (export \"lt\") (param i32) (result i32)"
       "   i32.const 5 local.get 0 i32.lt_s)"
       " (func (export \"fdiv\") (param f64 f64) (result f64)"
       "   local.get 0 local.get 1 f64.div)"
       " (func (export \"clz\") (param i64) (result i64) local.get 0 i64.clz)"
       " (func (export \"wrap\") (param i64) (result i32)"
       "   local.get 0 i32.wrap_i64))");
  assert_int_equal(call1(&e, "add", 0xffffffff, 2), 1); /* wraps, zero-extended */
  assert_int_equal(call1(&e, "subk", 3, 0), 7);
  assert_int_equal(call1(&e, "mul64", 1ull << 33, 3), 3ull << 33);
  assert_int_equal(call1(&e, "shr_s", 0x80000000u, 4), 0xf8000000u);
  assert_int_equal(call1(&e, "lt", 6, 0), 1); /* 5 < 6, const first */
  assert_int_equal(call1(&e, "lt", 5, 0), 0);
  double a = 1.0, b = 4.0, r;
  uint64_t ab, bb;
  memcpy(&ab, &a, 8);
  memcpy(&bb, &b, 8);
  uint64_t rb = call1(&e, "fdiv", ab, bb);
  memcpy(&r, &rb, 8);
  assert_true(r == 0.25);
  assert_int_equal(call1(&e, "clz", 1, 0), 63);
  assert_int_equal(call1(&e, "wrap", 0x1234567890ull, 0), 0x34567890u);
  unload(&e);
}

static void test_control_multivalue(void **state) {
  env e;
  load(&e,
       "(module"
       " (func $swap (param i32 i32) (result i32 i32) local.get 1 local.get 0)"
       " (func (export \"sub_swapped\") (param i32 i32) (result i32)"
       "   local.get 0 local.get 1 call $swap i32.sub)"
       " (func (export \"blockmv\") (param i32) (result i32)"
       "   (block (result i32 i32) local.get 0 i32.const 1"
       "     local.get 0 br_if 0 drop drop i32.const 100 i32.const 7)"
       "   i32.add)"
       " (func (export \"ifparam\") (param i32) (result i32)"
       "   i32.const 10 local.get 0"
       "   (if (param i32) (result i32) (then i32.const 1 i32.add)"
       "     (else i32.const 2 i32.sub)))"
       " (func (export \"loopsum\") (param i32) (result i32) (local i32)"
       "   (loop $l local.get 1 local.get 0 i32.add local.set 1"
       "     local.get 0 i32.const 1 i32.sub local.tee 0 br_if $l)"
       "   local.get 1)"
       " (func (export \"table\") (param i32) (result i32)"
       "   (block (block (block local.get 0 br_table 0 1 2) i32.const 10 return)"
       "     i32.const 11 return) i32.const 12)"
       " (func (export \"loopmv\") (param i32) (result i32)"
       "   i32.const 0 local.get 0"
       "   (block (param i32 i32) (result i32 i32)"
       "     (loop (param i32 i32) (result i32 i32)"
       "       local.set 0 i32.const 3 i32.add local.get 0 i32.const 1 i32.sub"
       "       local.tee 0 local.get 0 i32.eqz br_if 1 br 0))"
       "   drop))");
  assert_int_equal(call1(&e, "sub_swapped", 3, 10), 7);
  assert_int_equal(call1(&e, "blockmv", 5, 0), 6);
  assert_int_equal(call1(&e, "blockmv", 0, 0), 107);
  assert_int_equal(call1(&e, "ifparam", 1, 0), 11);
  assert_int_equal(call1(&e, "ifparam", 0, 0), 8);
  assert_int_equal(call1(&e, "loopsum", 100, 0), 5050);
  assert_int_equal(call1(&e, "table", 0, 0), 10);
  assert_int_equal(call1(&e, "table", 1, 0), 11);
  assert_int_equal(call1(&e, "table", 2, 0), 12);
  assert_int_equal(call1(&e, "table", 99, 0), 12);
  assert_int_equal(call1(&e, "loopmv", 4, 0), 12);
  unload(&e);
}

static const char *fib_wat =
    "(module"
    " (func $fib (export \"fib\") (param i32) (result i32)"
    "   local.get 0 i32.const 2 i32.lt_u"
    "   (if (result i32) (then local.get 0)"
    "     (else local.get 0 i32.const 1 i32.sub call $fib"
    "       local.get 0 i32.const 2 i32.sub call $fib i32.add)))"
    " (func $deep (export \"deep\") (param i32) (result i32)"
    "   local.get 0 i32.eqz (if (then i32.const 0 return))"
    "   local.get 0 i32.const 1 i32.sub call $deep i32.const 1 i32.add)"
    " (func $inf (export \"inf\") (param i32) (result i32)"
    "   local.get 0 call $inf))";

static void test_recursion(void **state) {
  env e;
  load(&e, fib_wat);
  assert_int_equal(call1(&e, "fib", 20, 0), 6765);
  /* Deep but finite: frames come from the interpreter's stack. */
  assert_int_equal(call1(&e, "deep", 100000, 0), 100000);
  unload(&e);
}

static void test_stack_exhausted(void **state) {
  env e;
  load(&e, fib_wat);
  uint64_t s[2] = {1, 0};
  rt_trap_info t;
  assert_false(call(&e, "inf", s, &t));
  assert_int_equal(t.kind, RT_TRAP_STACK_EXHAUSTED);
  assert_string_equal(t.message, "call stack exhausted");
  assert_true(t.nframes > 0);
  assert_int_equal(t.frames[0].func, 2); /* innermost: $inf */
  /* The store is still usable after the trap. */
  assert_int_equal(call1(&e, "fib", 10, 0), 55);
  unload(&e);
}

static void test_traps(void **state) {
  env e;
  load(&e,
       "(module"
       " (func (export \"div\") (param i32 i32) (result i32)"
       "   local.get 0 local.get 1 i32.div_s)"
       " (func (export \"rem\") (param i32 i32) (result i32)"
       "   local.get 0 local.get 1 i32.rem_s)"
       " (func (export \"trunc\") (param f32) (result i32)"
       "   local.get 0 i32.trunc_f32_s)"
       " (func (export \"unreachable\") unreachable)"
       " (func $inner (unreachable))"
       " (func (export \"nested\") (param i32 i32) call $inner))");
  expect_trap(&e, "div", 1, 0, "integer divide by zero");
  expect_trap(&e, "div", 0x80000000u, 0xffffffffu, "integer overflow");
  assert_int_equal(call1(&e, "rem", 0x80000000u, 0xffffffffu), 0);
  expect_trap(&e, "trunc", 0x7fc00000u, 0, "invalid conversion to integer");
  expect_trap(&e, "trunc", 0x4f000000u, 0, "integer overflow"); /* 2^31 */
  expect_trap(&e, "unreachable", 0, 0, "unreachable");
  uint64_t s[2] = {0, 0};
  rt_trap_info t;
  assert_false(call(&e, "nested", s, &t));
  assert_int_equal(t.nframes, 2); /* $inner, then its caller */
  assert_int_equal(t.frames[0].func, 4);
  assert_int_equal(t.frames[1].func, 5);
  unload(&e);
}

static void test_memory(void **state) {
  env e;
  load(&e,
       "(module (memory 1 3)"
       " (data (i32.const 16) \"\\01\\02\\03\\04\\ff\")"
       " (func (export \"ld\") (param i32) (result i32)"
       "   local.get 0 i32.load offset=16)"
       " (func (export \"ld8s\") (param i32) (result i64)"
       "   local.get 0 i64.load8_s offset=4)"
       " (func (export \"st\") (param i32 i64)"
       "   local.get 0 local.get 1 i64.store offset=1)"
       " (func (export \"ld64\") (param i32) (result i64)"
       "   local.get 0 i64.load offset=1)"
       " (func (export \"grow\") (param i32) (result i32)"
       "   local.get 0 memory.grow)"
       " (func (export \"size\") (result i32) memory.size)"
       " (func (export \"fill\") (param i32 i32 i32)"
       "   local.get 0 local.get 1 local.get 2 memory.fill))");
  assert_int_equal(call1(&e, "ld", 0, 0), 0x04030201u);
  assert_int_equal(call1(&e, "ld8s", 16, 0), 0xffffffffffffffffull);
  call1(&e, "st", 100, 0x1122334455667788ull);
  assert_int_equal(call1(&e, "ld64", 100, 0), 0x1122334455667788ull);
  expect_trap(&e, "ld", 65536 - 19, 0, "out of bounds memory access");
  expect_trap(&e, "ld", 0xffffffffu, 0, "out of bounds memory access");
  assert_int_equal(call1(&e, "size", 0, 0), 1);
  assert_int_equal(call1(&e, "grow", 1, 0), 1);
  assert_int_equal(call1(&e, "size", 0, 0), 2);
  assert_int_equal(call1(&e, "grow", 5, 0), 0xffffffffu); /* past max: -1 */
  /* The grown page is usable. */
  assert_int_equal(call1(&e, "ld", 65536 + 100, 0), 0);
  /* Bulk ops check the whole range; a zero-length op at the end is fine. */
  uint64_t s[3] = {2 * 65536, 7, 0};
  rt_trap_info t;
  assert_true(call(&e, "fill", s, &t));
  uint64_t s2[3] = {2 * 65536 - 1, 7, 2};
  assert_false(call(&e, "fill", s2, &t));
  assert_string_equal(t.message, "out of bounds memory access");
  unload(&e);
}

static void test_call_indirect(void **state) {
  env e;
  load(&e,
       "(module"
       " (type $ii (func (param i32) (result i32)))"
       " (table 4 funcref)"
       " (elem (i32.const 0) $inc $dbl $other)"
       " (func $inc (param i32) (result i32) local.get 0 i32.const 1 i32.add)"
       " (func $dbl (param i32) (result i32) local.get 0 local.get 0 i32.add)"
       " (func $other (param i64) (result i64) local.get 0)"
       " (func (export \"ci\") (param i32 i32) (result i32)"
       "   local.get 1 local.get 0 call_indirect (type $ii)))");
  assert_int_equal(call1(&e, "ci", 0, 41), 42);
  assert_int_equal(call1(&e, "ci", 1, 21), 42);
  expect_trap(&e, "ci", 2, 0, "indirect call type mismatch");
  expect_trap(&e, "ci", 3, 0, "uninitialized element");
  expect_trap(&e, "ci", 4, 0, "undefined element");
  unload(&e);
}

/* The peepholes must not change meaning: a local read before it is
 * overwritten keeps its old value, and a retargeted op may read the local it
 * writes. */
static void test_virtual_operands(void **state) {
  env e;
  load(&e,
       "(module"
       " (func (export \"old\") (param i32) (result i32)"
       "   local.get 0 local.get 0 i32.const 5 i32.add local.set 0"
       "   local.get 0 i32.sub)"
       " (func (export \"tee\") (param i32) (result i32) (local i32)"
       "   local.get 0 i32.const 3 i32.mul local.tee 1 local.get 1 i32.add)"
       " (func (export \"blk\") (param i32) (result i32)"
       "   local.get 0 (block i32.const 9 local.set 0) local.get 0 i32.add)"
       " (func (export \"sel\") (param i32 i32 i32) (result i32)"
       "   local.get 0 local.get 1 local.get 2 select)"
       " (func (export \"ret2\") (param i32 i32) (result i32 i32)"
       "   local.get 1 local.get 0))");
  assert_int_equal(call1(&e, "old", 10, 0), (uint32_t)-5);
  assert_int_equal(call1(&e, "tee", 4, 0), 24);
  assert_int_equal(call1(&e, "blk", 1, 0), 10);
  uint64_t s[3] = {7, 8, 0};
  rt_trap_info t;
  assert_true(call(&e, "sel", s, &t));
  assert_int_equal(s[0], 8);
  uint64_t r[2] = {1, 2};
  assert_true(call(&e, "ret2", r, &t));
  assert_int_equal(r[0], 2);
  assert_int_equal(r[1], 1);
  unload(&e);
}

static void test_dump_ir(void **state) {
  env e;
  load(&e, fib_wat);
  char buf[4096] = "";
  FILE *f = fmemopen(buf, sizeof buf - 1, "w");
  assert_non_null(f);
  assert_true(vm_interp_dump_ir(f, func(&e, "fib")));
  fclose(f);
  /* The compare and the `if` fuse into one branch. */
  assert_non_null(strstr(buf, "br_I32_GE_U_si"));
  unload(&e);
}

/* A guard-page fault jumps straight out of the dispatch loop, so its
 * backtrace comes from the live frame state kept at calls and returns; the
 * innermost function must be the one that faulted. (In the bounds-checked
 * build the loop traps itself: same frames.) */
static void test_fault_backtrace(void **state) {
  env e;
  load(&e,
       "(module (memory 1)"
       " (func $ld (param i32) (result i32) local.get 0 i32.load offset=8)"
       " (func $mid (param i32) (result i32)"
       "   local.get 0 i32.const 1 i32.add call $ld)"
       " (func (export \"top\") (param i32) (result i32)"
       "   local.get 0 call $mid i32.const 1 i32.add)"
       " (func (export \"ok\") (param i32) (result i32)"
       "   local.get 0 call $mid))");
  for (int round = 0; round < 2; round++) { /* the second reuses the stack */
    uint64_t s[2] = {0x10000, 0};
    rt_trap_info t;
    assert_false(call(&e, "top", s, &t));
    assert_int_equal(t.kind, RT_TRAP_MEMORY_OOB);
    assert_string_equal(t.message, "out of bounds memory access");
    assert_int_equal(t.nframes, 3);
    assert_int_equal(t.frames[0].func, 0); /* $ld, innermost */
    assert_int_equal(t.frames[1].func, 1); /* $mid */
    assert_int_equal(t.frames[2].func, 2); /* top */
    assert_ptr_equal(t.frames[0].inst, e.inst);
    /* After returning from a call the live state is the caller's again. */
    assert_int_equal(call1(&e, "ok", 8, 0), 0);
  }
  unload(&e);
}

/* Fuel: charged per taken back-edge and per wasm call, shared by the
 * store's calls, and spent fuel stays spent. */
static void test_fuel(void **state) {
  env e;
  load(&e,
       "(module (memory 1)"
       " (func $nop)"
       " (func (export \"count\") (param i32) (result i32) (local i32)"
       "   (loop $l"
       "     local.get 1 i32.const 1 i32.add local.set 1"
       "     local.get 1 local.get 0 i32.lt_u br_if $l)"
       "   local.get 1)"
       " (func (export \"calls\") (param i32) (local i32)"
       "   (loop $l"
       "     call $nop"
       "     local.get 1 i32.const 1 i32.add local.tee 1"
       "     local.get 0 i32.ne br_if $l))"
       " (func (export \"spin\") (loop $l br $l))"
       " (func (export \"spin_if\") (param i32) (loop $l local.get 0 br_if $l))"
       " (func (export \"spin_table\") (param i32)"
       "   (loop $l local.get 0 br_table $l $l))"
       " (func $rec (export \"rec\") (param i32) (result i32)"
       "   local.get 0 i32.eqz if (result i32) i32.const 0 else"
       "   local.get 0 i32.const 1 i32.sub call $rec"
       "   local.get 0 i32.const 1 i32.sub call $rec i32.add end)"
       " (func (export \"fill\") (param i32) i32.const 0 i32.const 1"
       "   local.get 0 memory.fill))");
  /* Unlimited by default. */
  assert_int_equal(rt_store_fuel(e.store), UINT64_MAX);
  assert_int_equal(call1(&e, "count", 1000000, 0), 1000000);
  /* Exact charges: 9 back-edges for 10 iterations; one more per call. */
  rt_store_set_fuel(e.store, 1000);
  assert_int_equal(call1(&e, "count", 10, 0), 10);
  assert_int_equal(rt_store_fuel(e.store), 1000 - 9);
  call1(&e, "calls", 10, 0);
  assert_int_equal(rt_store_fuel(e.store), 1000 - 9 - 9 - 10);
  /* Bulk memory: one unit per 4 KiB. */
  call1(&e, "fill", 65536, 0);
  assert_int_equal(rt_store_fuel(e.store), 1000 - 28 - 16);
  /* Every kind of back-edge, and call-only recursion, runs out. */
  static const char *const loops[] = {"spin", "spin_if", "spin_table", "rec"};
  for (size_t i = 0; i < sizeof loops / sizeof *loops; i++) {
    rt_store_set_fuel(e.store, 5000);
    uint64_t s[2] = {40, 0};
    rt_trap_info t;
    assert_false(call(&e, loops[i], s, &t));
    assert_int_equal(t.kind, RT_TRAP_FUEL);
    assert_string_equal(t.message, "fuel exhausted");
    assert_true(t.nframes >= 1);
    assert_int_equal(rt_store_fuel(e.store), 0);
  }
  /* Spent stays spent: the next charge traps too... */
  expect_trap(&e, "count", 10, 0, "fuel exhausted");
  /* ...while code that charges nothing still runs; then refill. */
  assert_int_equal(call1(&e, "count", 1, 0), 1);
  rt_store_set_fuel(e.store, 0);
  assert_int_equal(call1(&e, "count", 100, 0), 100);
  unload(&e);
}

/* Host functions for test_reentry: `again` calls back into the instance's
 * export "leaf" with rt_call (a nested exec on the same store); `fail`
 * traps. */
static void host_again(rt_exec *ex, uint64_t *slots, void *envp) {
  env *e = envp;
  uint64_t s[2] = {slots[0], 0};
  rt_trap_info t;
  if (!rt_call(e->store, func(e, "leaf"), s, &t)) rt_trap(ex, t.kind);
  slots[0] = s[0] + 1;
}

static void host_fail(rt_exec *ex, uint64_t *slots, void *envp) {
  (void)slots;
  (void)envp;
  rt_trap_msg(ex, RT_TRAP_HOST, "host says no");
}

/* The store keeps one spare interpreter stack: a nested rt_call (made while
 * the spare is in use) gets its own, and both are released or kept without
 * leaks (ASan); traps in between leave nothing behind. */
static void test_reentry(void **state) {
  const char *wat =
      "(module"
      " (import \"h\" \"again\" (func $again (param i32) (result i32)))"
      " (import \"h\" \"fail\" (func $fail))"
      " (func (export \"leaf\") (param i32) (result i32)"
      "   local.get 0 i32.const 10 i32.mul)"
      " (func (export \"outer\") (param i32) (result i32)"
      "   local.get 0 call $again i32.const 1 i32.add)"
      " (func $mid call $fail)"
      " (func (export \"bad\") call $mid)"
      " (func $inf (export \"inf\") call $inf))";
  uint8_t *bin;
  size_t size;
  vm_error err = {0};
  assert_true(vm_wat_to_wasm(wat, strlen(wat), &bin, &size, &err));
  vm_module *m = vm_decode_owned(bin, size, &err);
  assert_non_null(m);
  assert_true(vm_validate(m, &err));
  env e;
  e.engine = rt_engine_new();
  e.store = rt_store_new(e.engine);
  uint8_t t_ii[] = {VM_I32, VM_I32};
  vm_functype ii = {1, 1, t_ii};
  vm_functype none = {0, 0, NULL};
  rt_extern imp[2];
  imp[0].kind = VM_EXT_FUNC;
  imp[0].u.func = rt_host_func_new(e.store, &ii, host_again, &e);
  imp[1].kind = VM_EXT_FUNC;
  imp[1].u.func = rt_host_func_new(e.store, &none, host_fail, NULL);
  char msg[256] = "";
  e.inst = rt_instantiate(e.store, m, imp, 2, RT_ENGINE_INTERP, msg,
                          sizeof msg, NULL, NULL);
  assert_non_null(e.inst);
  for (int i = 0; i < 1000; i++) {
    assert_int_equal(call1(&e, "outer", 4, 0), 42);
    if (i % 100 == 0) {
      uint64_t s[1] = {0};
      rt_trap_info t;
      assert_false(call(&e, "bad", s, &t));
      assert_string_equal(t.message, "host says no");
      assert_int_equal(t.nframes, 2); /* $mid, bad: from the live state */
      assert_int_equal(t.frames[0].func, 4);
      assert_int_equal(t.frames[1].func, 5);
      expect_trap(&e, "inf", 0, 0, "call stack exhausted");
    }
  }
  rt_store_free(e.store);
  rt_engine_free(e.engine);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_arith),
      cmocka_unit_test(test_control_multivalue),
      cmocka_unit_test(test_recursion),
      cmocka_unit_test(test_stack_exhausted),
      cmocka_unit_test(test_traps),
      cmocka_unit_test(test_memory),
      cmocka_unit_test(test_call_indirect),
      cmocka_unit_test(test_virtual_operands),
      cmocka_unit_test(test_dump_ir),
      cmocka_unit_test(test_fault_backtrace),
      cmocka_unit_test(test_fuel),
      cmocka_unit_test(test_reentry),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
