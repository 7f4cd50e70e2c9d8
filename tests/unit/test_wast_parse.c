/* The .wast script parser: every command kind, module forms, values with
 * NaN patterns and v128 lanes, and script syntax errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vm/module.h"
#include "vm/wast.h"

static wast_script parse_ok(const char *src) {
  wast_script s;
  vm_error err = {0};
  if (!vm_wast_parse(src, strlen(src), &s, &err))
    fail_msg("%d:%d: %s", err.line, err.col, err.msg);
  return s;
}

static void module_forms(void **state) {
  (void)state;
  const char *src =
      ";; comment\n"
      "(module $a (func (export \"f\")))\n"
      "(module binary \"\\00asm\" \"\\01\\00\\00\\00\")\n"
      "(module $q quote \"(func\" \"(nop))\")\n"
      "(register \"lib\" $a)\n"
      "(register \"last\")\n";
  wast_script s = parse_ok(src);
  assert_int_equal(s.count, 5);
  wast_command *c = s.cmds;
  assert_int_equal(c[0].kind, WAST_CMD_MODULE);
  assert_int_equal(c[0].module.form, WAST_FORM_TEXT);
  assert_string_equal(c[0].module.id, "$a");
  assert_string_equal(c[0].module.data, "(module $a (func (export \"f\")))");
  assert_int_equal(c[0].module.line, 2);
  assert_int_equal(c[1].module.form, WAST_FORM_BINARY);
  assert_int_equal(c[1].module.size, 8);
  assert_memory_equal(c[1].module.data, "\0asm\1\0\0\0", 8);
  assert_null(c[1].module.id);
  assert_int_equal(c[2].module.form, WAST_FORM_QUOTE);
  assert_string_equal(c[2].module.data, "(func (nop))");
  assert_int_equal(c[3].kind, WAST_CMD_REGISTER);
  assert_string_equal(c[3].text, "lib");
  assert_string_equal(c[3].register_module, "$a");
  assert_null(c[4].register_module);
  assert_int_equal(c[4].line, 6);
  vm_wast_free(&s);
}

static void actions_and_values(void **state) {
  (void)state;
  const char *src =
      "(invoke $m \"f\\u{e9}\" (i32.const -1) (i64.const 0x10) (f32.const -0)"
      " (f64.const nan:0x1) (ref.null extern) (ref.extern 7))\n"
      "(get \"g\")\n"
      "(assert_return (invoke \"h\") (f32.const nan:canonical)"
      " (f64.const nan:arithmetic) (ref.extern) (ref.func) (ref.null func)"
      " (v128.const f32x4 1 nan:canonical -inf nan:arithmetic)"
      " (v128.const i16x8 -1 2 3 4 5 6 7 0xffff))\n";
  wast_script s = parse_ok(src);
  assert_int_equal(s.count, 3);
  wast_action *a = &s.cmds[0].action;
  assert_int_equal(s.cmds[0].kind, WAST_CMD_ACTION);
  assert_int_equal(a->kind, WAST_INVOKE);
  assert_string_equal(a->module, "$m");
  assert_int_equal(a->name_len, 3);
  assert_memory_equal(a->name, "f\xc3\xa9", 3);
  assert_int_equal(a->nargs, 6);
  assert_int_equal(a->args[0].type, VM_I32);
  assert_true(a->args[0].bits == 0xffffffffu);
  assert_true(a->args[1].bits == 0x10);
  assert_int_equal(a->args[2].type, VM_F32);
  assert_true(a->args[2].bits == 0x80000000u);
  assert_true(a->args[3].bits == 0x7ff0000000000001u);
  assert_int_equal(a->args[4].type, VM_EXTERNREF);
  assert_true(a->args[4].is_null);
  assert_int_equal(a->args[5].type, VM_EXTERNREF);
  assert_false(a->args[5].is_null);
  assert_true(a->args[5].bits == 7);

  assert_int_equal(s.cmds[1].action.kind, WAST_GET);
  assert_string_equal(s.cmds[1].action.name, "g");

  wast_command *r = &s.cmds[2];
  assert_int_equal(r->kind, WAST_CMD_ASSERT_RETURN);
  assert_int_equal(r->nexpected, 7);
  assert_int_equal(r->expected[0].nan[0], WAST_NAN_CANONICAL);
  assert_int_equal(r->expected[1].nan[0], WAST_NAN_ARITHMETIC);
  assert_true(r->expected[2].any_ref);
  assert_int_equal(r->expected[2].type, VM_EXTERNREF);
  assert_true(r->expected[3].any_ref);
  assert_int_equal(r->expected[3].type, VM_FUNCREF);
  assert_true(r->expected[4].is_null);
  wast_value *v = &r->expected[5];
  assert_int_equal(v->type, VM_V128);
  assert_int_equal(v->shape, WAST_F32X4);
  assert_int_equal(v->nan[0], WAST_NAN_NONE);
  assert_int_equal(v->nan[1], WAST_NAN_CANONICAL);
  assert_int_equal(v->nan[3], WAST_NAN_ARITHMETIC);
  assert_memory_equal(v->v128, "\x00\x00\x80\x3f", 4);
  assert_memory_equal(v->v128 + 8, "\x00\x00\x80\xff", 4);
  v = &r->expected[6];
  assert_int_equal(v->shape, WAST_I16X8);
  assert_memory_equal(v->v128, "\xff\xff\x02\x00", 4);
  assert_memory_equal(v->v128 + 14, "\xff\xff", 2);
  vm_wast_free(&s);
}

static void assertions(void **state) {
  (void)state;
  const char *src =
      "(assert_trap (invoke \"t\" (i32.const 0)) \"unreachable\")\n"
      "(assert_trap (module (func $s unreachable) (start $s)) \"unreachable\")\n"
      "(assert_exhaustion (invoke \"r\") \"call stack exhausted\")\n"
      "(assert_malformed (module quote \"(func i32.cnst)\") \"unknown operator\")\n"
      "(assert_invalid (module (func (result i32))) \"type mismatch\")\n"
      "(assert_unlinkable (module (import \"x\" \"y\" (func))) \"unknown import\")\n"
      "(assert_uninstantiable (module binary \"\") \"x\")\n";
  wast_script s = parse_ok(src);
  static const wast_cmd_kind kinds[] = {
      WAST_CMD_ASSERT_TRAP,       WAST_CMD_ASSERT_TRAP,
      WAST_CMD_ASSERT_EXHAUSTION, WAST_CMD_ASSERT_MALFORMED,
      WAST_CMD_ASSERT_INVALID,    WAST_CMD_ASSERT_UNLINKABLE,
      WAST_CMD_ASSERT_UNINSTANTIABLE};
  assert_int_equal(s.count, 7);
  for (size_t i = 0; i < 7; i++) {
    assert_int_equal(s.cmds[i].kind, kinds[i]);
    assert_int_equal(s.cmds[i].line, (int)i + 1);
  }
  assert_false(s.cmds[0].has_module);
  assert_int_equal(s.cmds[0].action.nargs, 1);
  assert_true(s.cmds[1].has_module);
  assert_int_equal(s.cmds[1].module.form, WAST_FORM_TEXT);
  assert_string_equal(s.cmds[1].text, "unreachable");
  assert_string_equal(s.cmds[3].module.data, "(func i32.cnst)");
  assert_string_equal(s.cmds[3].text, "unknown operator");
  assert_int_equal(s.cmds[6].module.form, WAST_FORM_BINARY);
  assert_int_equal(s.cmds[6].module.size, 0);
  vm_wast_free(&s);
}

static void bare_module_script(void **state) {
  (void)state;
  /* a script can be the fields of a single module (inline-module.wast) */
  wast_script s = parse_ok("(func) (memory 0) (func (export \"f\"))\n");
  assert_int_equal(s.count, 1);
  assert_int_equal(s.cmds[0].kind, WAST_CMD_MODULE);
  assert_int_equal(s.cmds[0].module.form, WAST_FORM_TEXT);
  assert_string_equal(s.cmds[0].module.data,
                      "(func) (memory 0) (func (export \"f\"))\n");
  vm_wast_free(&s);
}

static void script_errors(void **state) {
  (void)state;
  static const struct { const char *src, *msg; int line, col; } cases[] = {
      {"(assert_return (invoke \"f\") (i32.const 1.5))", "unexpected token", 1, 40},
      {"(assert_return (invoke \"f\") (i32.const 0x1_0000_0000))",
       "constant out of range", 1, 40},
      {"\n  (frobnicate)", "unknown operator", 2, 4},
      {"(module", "unexpected end", 1, 8},
      {"(invoke \"f\" (v128.const i8x16 0))", "unexpected token", 1, 32},
      {"(assert_trap (invoke \"f\"))", "unexpected token", 1, 26},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    wast_script s;
    vm_error err = {0};
    assert_false(vm_wast_parse(cases[i].src, strlen(cases[i].src), &s, &err));
    assert_int_equal(err.kind, VM_ERR_MALFORMED);
    if (strncmp(err.msg, cases[i].msg, strlen(cases[i].msg)) != 0 ||
        err.line != cases[i].line || err.col != cases[i].col)
      fail_msg("%s: got %d:%d %s", cases[i].src, err.line, err.col, err.msg);
    assert_int_equal(s.count, 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(module_forms),
      cmocka_unit_test(actions_and_values),
      cmocka_unit_test(assertions),
      cmocka_unit_test(bare_module_script),
      cmocka_unit_test(script_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
