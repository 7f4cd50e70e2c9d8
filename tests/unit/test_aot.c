/* Unit tests for the AOT engine (aot/): WAT snippets are instantiated,
 * compiled with libtcc (aot_prepare_instance, what rt_instantiate calls for
 * RT_ENGINE_AOT), run through rt_call and compared with the expected results
 * and traps; mixed execution checks AOT code and the interpreter calling
 * each other through imports and tables; the emitter's C also compiles
 * with gcc -O2 -Wall. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aot/aot.h"
#include "aot/emit.h"
#include "vm/validate.h"
#include "vm/wat.h"

#include "tests/unit/wasm_fixture.h"

/* cmocka installs its own SIGSEGV handler around each setup, test and
 * teardown call, so the engine (whose guard-page handler must sit on top)
 * is made inside the test body, as test_runtime.c does. */
#define FIXTURE(fx)        \
  fixture fxs_, *fx = &fxs_; \
  assert_true(fixture_init(fx))

static rt_instance *inst_new(rt_store *s, const char *wat, bool aot,
                             const rt_extern *imports, uint32_t n) {
  char err[256] = "";
  rt_trap_info trap;
  bool trapped = false;
  rt_instance *inst = rt_instantiate(s, load_wat(wat), imports, n,
                                     RT_ENGINE_INTERP, err, sizeof err, &trap,
                                     &trapped);
  if (!inst) fail_msg("instantiate: %s", trapped ? trap.message : err);
  if (aot && !aot_prepare_instance(inst, err, sizeof err))
    fail_msg("aot: %s", err);
  return inst;
}

static rt_func *func(rt_instance *inst, const char *name) {
  rt_extern e;
  assert_true(rt_instance_export(inst, name, (uint32_t)strlen(name), &e));
  assert_int_equal(e.kind, VM_EXT_FUNC);
  return e.u.func;
}

/* Calls name(args...) and returns slot 0, or fails on a trap. */
static uint64_t call(rt_store *s, rt_instance *inst, const char *name, int n,
                     ...) {
  uint64_t slots[8] = {0};
  va_list ap;
  va_start(ap, n);
  for (int i = 0; i < n; i++) slots[i] = va_arg(ap, uint64_t);
  va_end(ap);
  rt_trap_info trap;
  if (!rt_call(s, func(inst, name), slots, &trap))
    fail_msg("%s trapped: %s", name, trap.message);
  return slots[0];
}

static const char *call_trap(rt_store *s, rt_instance *inst, const char *name,
                             uint64_t arg, rt_trap_info *trap) {
  uint64_t slots[8] = {arg};
  assert_false(rt_call(s, func(inst, name), slots, trap));
  return trap->message;
}

static const char arith_wat[] =
    "(module (memory 1)"
    " (func $fib (export \"fib\") (param i32) (result i32)"
    "  (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))"
    "   (then (local.get 0))"
    "   (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))"
    "                  (call $fib (i32.sub (local.get 0) (i32.const 2)))))))"
    " (func (export \"div\") (param i32 i32) (result i32)"
    "  (i32.div_s (local.get 0) (local.get 1)))"
    " (func (export \"rotl\") (param i64 i64) (result i64)"
    "  (i64.rotl (local.get 0) (local.get 1)))"
    " (func (export \"fneg\") (param f32) (result f32) (f32.neg (local.get 0)))"
    " (func (export \"fmin\") (param f64 f64) (result f64)"
    "  (f64.min (local.get 0) (local.get 1)))"
    " (func (export \"trunc\") (param f64) (result i32)"
    "  (i32.trunc_f64_u (local.get 0)))"
    " (func (export \"conv\") (param i64) (result f32)"
    "  (f32.convert_i64_u (local.get 0)))"
    " (func (export \"mem\") (param i32 i32) (result i32)"
    "  (i32.store offset=3 (local.get 0) (local.get 1))"
    "  (i32.load8_s offset=4 (local.get 0)))"
    " (func (export \"dead_load\") (param i32)"
    "  (drop (i64.load (local.get 0))))"
    " (func (export \"grow\") (param i32) (result i32)"
    "  (drop (memory.grow (local.get 0))) (memory.size))"
    " (func (export \"swap\") (param i32 i32) (result i32 i32)"
    "  (local.get 1) (local.get 0))"
    " (func (export \"sub_swap\") (param i32 i32) (result i32)"
    "  (call 10 (local.get 0) (local.get 1)) (i32.sub))"
    " (func (export \"sel\") (param i32) (result i64)"
    "  (block $a (block $b (block $c"
    "   (br_table $c $b $a (local.get 0)))"
    "   (return (i64.const 1))) (return (i64.const 2))) (i64.const 7))"
    " (func $inf (export \"inf\") (call $inf))"
    " (func (export \"unr\") (unreachable))"
    " (func (export \"simd\") (param i32) (result i32)"
    "  (i32x4.extract_lane 2 (i32x4.add (i32x4.splat (local.get 0))"
    "   (v128.const i32x4 1 2 3 4))))"
    ")";

static void test_arith(void **state) {
  FIXTURE(fx);
  rt_instance *i = inst_new(fx->store, arith_wat, true, NULL, 0);
  assert_int_equal(call(fx->store, i, "fib", 1, (uint64_t)20), 6765);
  assert_int_equal(call(fx->store, i, "div", 2, (uint64_t)(uint32_t)-7, (uint64_t)2),
                   (uint32_t)-3);
  assert_int_equal(call(fx->store, i, "rotl", 2, (uint64_t)0x8000000000000001ull,
                        (uint64_t)65),
                   0x0000000000000003ull);
  /* neg flips the sign bit only, NaN payload kept */
  assert_int_equal(call(fx->store, i, "fneg", 1, (uint64_t)0x7fa00001u), 0xffa00001u);
  /* min(-0, +0) = -0 */
  assert_int_equal(call(fx->store, i, "fmin", 2, 0ull, 0x8000000000000000ull),
                   0x8000000000000000ull);
  assert_int_equal(call(fx->store, i, "trunc", 1, 0x41efffffffe00000ull), 0xffffffffu);
  assert_int_equal(call(fx->store, i, "conv", 1, UINT64_MAX), 0x5f800000u);
  assert_int_equal(call(fx->store, i, "mem", 2, (uint64_t)100, (uint64_t)0x8000ff00u),
                   0xffffffffu);
  assert_int_equal(call(fx->store, i, "grow", 1, (uint64_t)2), 3);
  uint64_t slots[2] = {5, 9};
  assert_true(rt_call(fx->store, func(i, "swap"), slots, NULL));
  assert_int_equal(slots[0], 9);
  assert_int_equal(slots[1], 5);
  assert_int_equal(call(fx->store, i, "sub_swap", 2, (uint64_t)5, (uint64_t)9), 4);
  assert_int_equal(call(fx->store, i, "sel", 1, (uint64_t)0), 1);
  assert_int_equal(call(fx->store, i, "sel", 1, (uint64_t)1), 2);
  assert_int_equal(call(fx->store, i, "sel", 1, (uint64_t)9), 7);
  assert_int_equal(call(fx->store, i, "simd", 1, (uint64_t)10), 13);
  fixture_fini(fx);
}

static void test_traps(void **state) {
  FIXTURE(fx);
  rt_instance *i = inst_new(fx->store, arith_wat, true, NULL, 0);
  rt_trap_info t;
  assert_string_equal(call_trap(fx->store, i, "div", 0, &t), "integer divide by zero");
  assert_string_equal(call_trap(fx->store, i, "trunc", 0x41f0000000000000ull, &t),
                      "integer overflow");
  assert_string_equal(call_trap(fx->store, i, "dead_load", 65535, &t),
                      "out of bounds memory access");
  assert_string_equal(call_trap(fx->store, i, "inf", 0, &t), "call stack exhausted");
  assert_string_equal(call_trap(fx->store, i, "unr", 0, &t), "unreachable");
  /* still usable after traps */
  assert_int_equal(call(fx->store, i, "fib", 1, (uint64_t)10), 55);
  fixture_fini(fx);
}

/* Deep recursion on a thread whose stack is far smaller than the AOT
 * engine's budget must trap, not run off the end of the stack. */
typedef struct {
  fixture *fx;
  rt_instance *inst;
  const char *message;
} small_stack_run;

static void *recurse_on_thread(void *arg) {
  small_stack_run *r = arg;
  rt_trap_info t;
  uint64_t slots[8] = {0};
  r->message = rt_call(r->fx->store, func(r->inst, "inf"), slots, &t)
                   ? "returned" : t.message;
  return NULL;
}

static void test_small_thread_stack(void **state) {
  FIXTURE(fx);
  small_stack_run r = {fx, inst_new(fx->store, arith_wat, true, NULL, 0), NULL};
  pthread_attr_t a;
  pthread_t th;
  assert_int_equal(pthread_attr_init(&a), 0);
  assert_int_equal(pthread_attr_setstacksize(&a, 512 << 10), 0);
  assert_int_equal(pthread_create(&th, &a, recurse_on_thread, &r), 0);
  assert_int_equal(pthread_join(th, NULL), 0);
  pthread_attr_destroy(&a);
  assert_string_equal(r.message, "call stack exhausted");
  fixture_fini(fx);
}

/* AOT code calling interpreted code through an import and a table, and
 * the interpreter calling AOT code back: results must agree. */
static const char lib_wat[] =
    "(module (func (export \"twice\") (param i32) (result i32)"
    "  (i32.mul (local.get 0) (i32.const 2)))"
    " (table (export \"t\") 2 funcref) (elem (i32.const 0) 0))";

static const char user_wat[] =
    "(module (import \"l\" \"twice\" (func $tw (param i32) (result i32)))"
    " (import \"l\" \"t\" (table 2 funcref))"
    " (type $ii (func (param i32) (result i32)))"
    " (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))"
    " (elem (i32.const 1) $inc)"
    " (func (export \"run\") (param i32) (result i32)"
    "  (call_indirect (type $ii) (call $tw (local.get 0)) (i32.const 0)))"
    " (func (export \"ind\") (param i32 i32) (result i32)"
    "  (call_indirect (type $ii) (local.get 0) (local.get 1)))"
    " (func (export \"bad\") (result i32)"
    "  (call_indirect (type $ii) (i32.const 1) (i32.const 5))))";

static void mixed(void **state, bool lib_aot, bool user_aot) {
  FIXTURE(fx);
  rt_instance *lib = inst_new(fx->store, lib_wat, lib_aot, NULL, 0);
  rt_extern imp[2];
  assert_true(rt_instance_export(lib, "twice", 5, &imp[0]));
  assert_true(rt_instance_export(lib, "t", 1, &imp[1]));
  rt_instance *user = inst_new(fx->store, user_wat, user_aot, imp, 2);
  assert_int_equal(call(fx->store, user, "run", 1, (uint64_t)5), 20);
  assert_int_equal(call(fx->store, user, "ind", 2, (uint64_t)5, (uint64_t)1), 6);
  rt_trap_info t;
  assert_string_equal(call_trap(fx->store, user, "bad", 0, &t), "undefined element 5");
  fixture_fini(fx);
}

static void test_mixed_aot_interp(void **state) { mixed(state, false, true); }
static void test_mixed_interp_aot(void **state) { mixed(state, true, false); }
static void test_mixed_aot_aot(void **state) { mixed(state, true, true); }

/* The emitted C is also valid for an optimizing compiler (ferry aot --cc),
 * warning-free apart from what generated code has by nature: unused
 * variables and labels, and whatever recursion the wasm contains. */
static void test_gcc_compiles(void **state) {
  (void)state;
  vm_module *m = load_wat(arith_wat);
  aot_buf c = {0};
  char err[256];
  aot_emit_opts o = {.first = 0, .count = m->nfuncs, .bounds_check = false,
                     .native_main = true};
  assert_true(aot_emit(m, &o, &c, err, sizeof err));
  char path[] = "/tmp/ferry_test_aot_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *fp = fdopen(fd, "wb");
  assert_non_null(fp);
  assert_int_equal(fwrite(c.data, 1, c.len, fp), c.len);
  fclose(fp);
  char cmd[512];
  snprintf(cmd, sizeof cmd,
           "gcc -x c -std=c99 -O2 -Wall -Werror -Wno-unused -Wno-infinite-recursion -c %s -o /dev/null",
           path);
  int rc = system(cmd);
  remove(path);
  aot_buf_free(&c);
  vm_module_free(m);
  assert_int_equal(rc, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_arith),
      cmocka_unit_test(test_traps),
      cmocka_unit_test(test_small_thread_stack),
      cmocka_unit_test(test_mixed_aot_interp),
      cmocka_unit_test(test_mixed_interp_aot),
      cmocka_unit_test(test_mixed_aot_aot),
      cmocka_unit_test(test_gcc_compiles),
  };
  return cmocka_run_group_tests_name("aot", tests, NULL, NULL);
}
