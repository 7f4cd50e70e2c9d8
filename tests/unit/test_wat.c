/* The text format encoder: exact bytes for representative modules (checked
 * against wabt's wat2wasm), the name section, and text-level errors with
 * the reference interpreter's wording and line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vm/wat.h"

/* Encodes src and checks the bytes; a trailing custom "name" section (which
 * wat2wasm only writes with --debug-names) is allowed after them. */
static void expect_wasm(const char *src, const char *want, size_t n) {
  uint8_t *out = NULL;
  size_t size = 0;
  vm_error err = {0};
  if (!vm_wat_to_wasm(src, strlen(src), &out, &size, &err))
    fail_msg("%d:%d: %s", err.line, err.col, err.msg);
  assert_true(size >= n);
  assert_memory_equal(out, want, n);
  if (size > n) {
    assert_int_equal(out[n], 0); /* custom section ... */
    assert_true(size >= n + 7);
    assert_memory_equal(out + n + 2, "\x04name", 5); /* ... named "name" */
  }
  free(out);
}
#define EXPECT(src, bytes) expect_wasm(src, bytes, sizeof bytes - 1)

static void expect_error(const char *src, const char *msg, int line, int col) {
  uint8_t *out = NULL;
  size_t size = 0;
  vm_error err = {0};
  assert_false(vm_wat_to_wasm(src, strlen(src), &out, &size, &err));
  assert_null(out);
  assert_int_equal(err.kind, VM_ERR_MALFORMED);
  if (strncmp(err.msg, msg, strlen(msg)) != 0)
    fail_msg("got \"%s\", want \"%s\"", err.msg, msg);
  if (err.line != line || err.col != col)
    fail_msg("%s: at %d:%d, want %d:%d", src, err.line, err.col, line, col);
}

static void minimal_function(void **state) {
  (void)state;
  EXPECT("(module (func (result i32) i32.const 42))",
         "\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x05\x01\x60\x00\x01\x7f\x03"
         "\x02\x01\x00\x0a\x06\x01\x04\x00\x41\x2a\x0b");
  /* bare fields are a module too */
  EXPECT("(func (result i32) i32.const 42)",
         "\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x05\x01\x60\x00\x01\x7f\x03"
         "\x02\x01\x00\x0a\x06\x01\x04\x00\x41\x2a\x0b");
  EXPECT("(module)", "\x00\x61\x73\x6d\x01\x00\x00\x00");
}

static void types_and_locals(void **state) {
  (void)state;
  /* explicit types first, implicit ones appended in order of use; locals
   * grouped in runs of one type */
  EXPECT("(module (type $t (func)) (func (param i32) (local i32 i32 i64 i32))"
         " (func (type $t)) (func (param i64)))",
         "\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x0c\x03\x60\x00\x00\x60\x01"
         "\x7f\x00\x60\x01\x7e\x00\x03\x04\x03\x01\x00\x02\x0a\x10\x03\x08"
         "\x03\x02\x7f\x01\x7e\x01\x7f\x0b\x02\x00\x0b\x02\x00\x0b");
}

static void control_and_labels(void **state) {
  (void)state;
  EXPECT("(module (func (param i32) (result i32) (block $a (result i32)"
         " (if $b (result i32) (local.get 0) (then (br_table $a $b 0"
         " (i32.const 1) (local.get 0))) (else (i32.const 7))))"
         " loop $l br $l end))",
         "\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x06\x01\x60\x01\x7f\x01\x7f"
         "\x03\x02\x01\x00\x0a\x1d\x01\x1b\x00\x02\x7f\x20\x00\x04\x7f\x41"
         "\x01\x20\x00\x0e\x02\x01\x00\x00\x05\x41\x07\x0b\x0b\x03\x40\x0c"
         "\x00\x0b\x0b");
  /* a block with params takes a type index; an empty else is dropped */
  EXPECT("(func (param i32) (result i32) local.get 0"
         " (if (param i32) (result i32) (i32.const 1) (then) (else)))",
         "\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x06\x01\x60\x01\x7f\x01\x7f"
         "\x03\x02\x01\x00\x0a\x0b\x01\x09\x00\x20\x00\x41\x01\x04\x00\x0b"
         "\x0b");
}

static void element_segments(void **state) {
  (void)state;
  /* the forms: 0 (table 0, indices), 1 (passive), 3 (declare), 6 (table 1,
   * expressions), 5 (passive expressions) */
  EXPECT("(module (table $t 2 funcref) (table $u 1 externref) (func $f)"
         " (elem (i32.const 0) $f) (elem $p func $f)"
         " (elem declare funcref (ref.func $f))"
         " (elem (table $u) (offset (i32.const 0)) externref (ref.null extern))"
         " (elem funcref (item ref.null func)))",
         "\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x04\x01\x60\x00\x00\x03\x02"
         "\x01\x00\x04\x07\x02\x70\x00\x02\x6f\x00\x01\x09\x1f\x05\x00\x41"
         "\x00\x0b\x01\x00\x01\x00\x01\x00\x03\x00\x01\x00\x06\x01\x41\x00"
         "\x0b\x6f\x01\xd0\x6f\x0b\x05\x70\x01\xd0\x70\x0b\x0a\x04\x01\x02"
         "\x00\x0b");
}

static void data_segments(void **state) {
  (void)state;
  EXPECT("(module (memory $m 1 2) (data (i32.const 8) \"ab\" \"c\")"
         " (data $p \"\\00\") (func (memory.init $p (i32.const 0)"
         " (i32.const 0) (i32.const 1)) (data.drop $p)) (memory 0)"
         " (data (memory 1) (i32.const 0)))",
         "\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x04\x01\x60\x00\x00\x03\x02"
         "\x01\x00\x05\x06\x02\x01\x01\x02\x00\x00\x0c\x01\x03\x0a\x11\x01"
         "\x0f\x00\x41\x00\x41\x00\x41\x01\xfc\x08\x01\x00\xfc\x09\x01\x0b"
         "\x0b\x12\x03\x00\x41\x08\x0b\x03\x61\x62\x63\x01\x01\x00\x02\x01"
         "\x41\x00\x0b\x00");
  /* (memory (data ...)) rounds the size up to whole pages */
  EXPECT("(memory (data \"x\"))",
         "\x00\x61\x73\x6d\x01\x00\x00\x00\x05\x04\x01\x01\x01\x01\x0b\x07"
         "\x01\x00\x41\x00\x0b\x01\x78");
}

static void simd_and_memarg(void **state) {
  (void)state;
  EXPECT("(module (func (param v128) (result v128) (i8x16.shuffle 0 1 2 3 4"
         " 5 6 7 8 9 10 11 12 13 14 31 (v128.const f32x4 1 -0 nan inf)"
         " (i64x2.replace_lane 1 (local.get 0) (i64.const -1)))) (memory 1)"
         " (func (result i64) (i64.load offset=16 align=4 (i32.const 0))))",
         "\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x0a\x02\x60\x01\x7b\x01\x7b"
         "\x60\x00\x01\x7e\x03\x03\x02\x00\x01\x05\x03\x01\x00\x01\x0a\x37"
         "\x02\x2d\x00\xfd\x0c\x00\x00\x80\x3f\x00\x00\x00\x80\x00\x00\xc0"
         "\x7f\x00\x00\x80\x7f\x20\x00\x42\x7f\xfd\x1e\x01\xfd\x0d\x00\x01"
         "\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x1f\x0b\x07"
         "\x00\x41\x00\x29\x02\x10\x0b");
}

static void imports_exports_start(void **state) {
  (void)state;
  /* not valid (start needs a nullary function), but that is the
   * validator's business: the text still encodes */
  EXPECT("(module (import \"a\" \"b\" (func $i (param i32)))"
         " (func $f (export \"f\") (import \"m\" \"n\") (result i32))"
         " (global $g (mut f64) (f64.const -0x1p-1))"
         " (export \"g\" (global $g)) (start $i))",
         "\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x09\x02\x60\x01\x7f\x00\x60"
         "\x00\x01\x7f\x02\x0d\x02\x01\x61\x01\x62\x00\x00\x01\x6d\x01\x6e"
         "\x00\x01\x06\x0d\x01\x7c\x01\x44\x00\x00\x00\x00\x00\x00\xe0\xbf"
         "\x0b\x07\x09\x02\x01\x66\x00\x01\x01\x67\x03\x00\x08\x01\x00");
}

static void name_section(void **state) {
  (void)state;
  const char *src = "(module $m (func $f (param $x i32) (local i64)"
                    " (local $y i32)) (func (local $z f32)))";
  static const uint8_t want[] =
      "\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x08\x02\x60\x01\x7f\x00\x60\x00"
      "\x00\x03\x03\x02\x00\x01\x0a\x0d\x02\x06\x02\x01\x7e\x01\x7f\x0b\x04"
      "\x01\x01\x7d\x0b"
      /* name: module "m", func 0 "f", locals 0 "x" 2 "y" / 0 "z" */
      "\x00\x1f\x04\x6e\x61\x6d\x65\x00\x02\x01\x6d\x01\x04\x01\x00\x01\x66"
      "\x02\x0e\x02\x00\x02\x00\x01\x78\x02\x01\x79\x01\x01\x00\x01\x7a";
  uint8_t *out;
  size_t size;
  vm_error err = {0};
  assert_true(vm_wat_to_wasm(src, strlen(src), &out, &size, &err));
  assert_int_equal(size, sizeof want - 1);
  assert_memory_equal(out, want, size);
  free(out);
}

static void literal_encodings(void **state) {
  (void)state;
  /* i32 literals are written as signed LEB128 of the bit pattern */
  EXPECT("(func (result i32) i32.const 0xffff_ffff)",
         "\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x05\x01\x60\x00\x01\x7f\x03"
         "\x02\x01\x00\x0a\x06\x01\x04\x00\x41\x7f\x0b");
  EXPECT("(func (result i64) i64.const -9223372036854775808)",
         "\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x05\x01\x60\x00\x01\x7e\x03"
         "\x02\x01\x00\x0a\x0f\x01\x0d\x00\x42\x80\x80\x80\x80\x80\x80\x80"
         "\x80\x80\x7f\x0b");
  /* a NaN payload and sign survive bit-exactly */
  EXPECT("(func (result f32) f32.const -nan:0x200001)",
         "\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x05\x01\x60\x00\x01\x7d\x03"
         "\x02\x01\x00\x0a\x09\x01\x07\x00\x43\x01\x00\xa0\xff\x0b");
}

static void not_validated(void **state) {
  (void)state;
  /* unknown numeric indices and type errors are left to the validator */
  EXPECT("(func (call 7) (drop (i32.add (f32.const 0))))",
         "\x00\x61\x73\x6d\x01\x00\x00\x00\x01\x04\x01\x60\x00\x00\x03\x02"
         "\x01\x00\x0a\x0d\x01\x0b\x00\x10\x07\x43\x00\x00\x00\x00\x6a\x1a"
         "\x0b");
}

static void errors(void **state) {
  (void)state;
  expect_error("(module\n  (func i32.cnst 1))", "unknown operator", 2, 9);
  expect_error("(func (i32.const 0x1_0000_0000) drop)", "constant out of range", 1, 18);
  expect_error("(func (i32.const) drop)", "unexpected token", 1, 17);
  expect_error("(func (f32.const 1e39) drop)", "constant out of range", 1, 18);
  expect_error("(func (f32.const 0x1.g) drop)", "unknown operator", 1, 18);
  expect_error("(func block $a end $b)", "mismatching label", 1, 20);
  expect_error("(func block end $b)", "mismatching label", 1, 17);
  expect_error("(func br $x)", "unknown label", 1, 10);
  expect_error("(func call $nope)", "unknown function $nope", 1, 12);
  expect_error("(func local.get $x)", "unknown local", 1, 17);
  expect_error("(memory 1) (func (drop (i32.load align=3 (i32.const 0))))",
               "alignment must be a power of two", 1, 34);
  expect_error("(func (drop (i32.load offset=4294967296 (i32.const 0))))",
               "i32 constant", 1, 23);
  expect_error("(memory 0x1_0000_0000)", "i32 constant out of range", 1, 9);
  expect_error("(func $f) (func $f)", "duplicate func", 1, 17);
  expect_error("(func (param $a i32) (local $a i32))", "duplicate local", 1, 29);
  expect_error("(func) (import \"\" \"\" (memory 1))", "import after function", 1, 9);
  expect_error("(global i32 (i32.const 0)) (func (import \"\" \"\"))",
               "import after global", 1, 35);
  expect_error("(func) (start 0) (start 0)", "multiple start sections", 1, 18);
  expect_error("(type $t (func (param i32))) (func (type $t) (param i64))",
               "inline function type", 1, 36);
  expect_error("(func (export \"\\ff\"))", "malformed UTF-8 encoding", 1, 15);
  expect_error("(func (v128.const i32x4 0 0 0) drop)",
               "wrong number of lane literals", 1, 25);
  expect_error("(func (result i32) (i8x16.extract_lane_s 256 (v128.const i8x16"
               " 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)))",
               "malformed lane index", 1, 42);
  expect_error("(func (i8x16.shuffle 0 1 2))", "invalid lane length", 1, 8);
  expect_error("(data $l\"a\")", "unknown operator", 1, 7);
  expect_error("(func (block (param $x i32)))", "unexpected token", 1, 21);
  expect_error("(func (nop) (local i32))", "unexpected token", 1, 14);
  expect_error("(module (func)", "unexpected end", 1, 15);
  expect_error("(module (func)) (func)", "unexpected token", 1, 17);
}

static void deep_nesting_is_an_error(void **state) {
  (void)state;
  /* no stack overflow on hostile input */
  size_t depth = 100000, n = 0;
  char *src = malloc(depth * 12 + 16);
  assert_non_null(src);
  n += (size_t)sprintf(src, "(func ");
  for (size_t i = 0; i < depth; i++) n += (size_t)sprintf(src + n, "block ");
  for (size_t i = 0; i < depth; i++) n += (size_t)sprintf(src + n, "end ");
  n += (size_t)sprintf(src + n, ")");
  uint8_t *out;
  size_t size;
  vm_error err = {0};
  assert_false(vm_wat_to_wasm(src, n, &out, &size, &err));
  assert_string_equal(err.msg, "nesting too deep");
  free(src);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(minimal_function),
      cmocka_unit_test(types_and_locals),
      cmocka_unit_test(control_and_labels),
      cmocka_unit_test(element_segments),
      cmocka_unit_test(data_segments),
      cmocka_unit_test(simd_and_memarg),
      cmocka_unit_test(imports_exports_start),
      cmocka_unit_test(name_section),
      cmocka_unit_test(literal_encodings),
      cmocka_unit_test(not_validated),
      cmocka_unit_test(errors),
      cmocka_unit_test(deep_nesting_is_an_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
