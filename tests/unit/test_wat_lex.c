/* The text-format lexer and literal decoding (spec 6.3): token kinds and
 * positions, comments, string escapes, integer and float literals with
 * their range rules, v128 lanes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vm/wat_lex.h"

static wat_toks lex_ok(const char *s) {
  wat_toks t;
  vm_error err = {0};
  assert_true(vm_wat_lex(s, strlen(s), &t, &err));
  return t;
}

static void tokens_and_positions(void **state) {
  (void)state;
  const char *src = "(module $m\n  (func \"a\\n\") 0x1_0 ) ;; x\n";
  wat_toks t = lex_ok(src);
  static const uint8_t kinds[] = {WAT_LPAR, WAT_ATOM,   WAT_ID,   WAT_LPAR,
                                  WAT_ATOM, WAT_STRING, WAT_RPAR, WAT_ATOM,
                                  WAT_RPAR, WAT_EOF};
  assert_int_equal(t.count, sizeof kinds);
  for (size_t i = 0; i < t.count; i++) assert_int_equal(t.toks[i].kind, kinds[i]);
  assert_int_equal(t.toks[2].line, 1);
  assert_int_equal(t.toks[2].col, 9);
  assert_int_equal(t.toks[4].line, 2);
  assert_int_equal(t.toks[4].col, 4);
  assert_int_equal(t.toks[7].len, 5); /* 0x1_0 */
  vm_wat_toks_free(&t);
}

static void comments_nest(void **state) {
  (void)state;
  wat_toks t = lex_ok("(; a (; b ;) c ;) nop;;x\n(;;)end");
  assert_int_equal(t.count, 3);
  assert_int_equal(t.toks[0].kind, WAT_ATOM);
  assert_int_equal(t.toks[1].kind, WAT_ATOM);
  assert_int_equal(t.toks[1].line, 2);
  assert_int_equal(t.toks[1].col, 5);
  vm_wat_toks_free(&t);

  vm_error err = {0};
  assert_false(vm_wat_lex("(; (; ;)", 8, &t, &err));
  assert_int_equal(err.kind, VM_ERR_MALFORMED);
  assert_string_equal(err.msg, "unclosed comment");
}

static void reserved_tokens(void **state) {
  (void)state;
  /* spec 6.3.5: strings and idchars that touch form one reserved token */
  wat_toks t = lex_ok("$l\"a\" \"a\"\"b\" $ 0$l $l$l");
  assert_int_equal(t.toks[0].kind, WAT_RESERVED);
  assert_int_equal(t.toks[1].kind, WAT_RESERVED);
  assert_int_equal(t.toks[2].kind, WAT_RESERVED);
  assert_int_equal(t.toks[3].kind, WAT_ATOM);
  assert_int_equal(t.toks[4].kind, WAT_ID);
  vm_wat_toks_free(&t);
}

static void string_escapes(void **state) {
  (void)state;
  const char *src = "\"\\t\\n\\r\\\\\\'\\\"\\00\\fF\\u{41}\\u{1F600}\\u{e9}é\"";
  wat_toks t = lex_ok(src);
  uint8_t out[64];
  size_t n = vm_wat_string(src, &t.toks[0], out);
  static const uint8_t want[] = {'\t', '\n', '\r', '\\', '\'', '"', 0x00,
                                 0xff, 'A',  0xf0, 0x9f, 0x98, 0x80, 0xc3,
                                 0xa9, 0xc3, 0xa9};
  assert_int_equal(n, sizeof want);
  assert_memory_equal(out, want, n);
  vm_wat_toks_free(&t);

  vm_error err = {0};
  assert_false(vm_wat_lex("\"\\u{d800}\"", 10, &t, &err));
  assert_string_equal(err.msg, "illegal escape");
  memset(&err, 0, sizeof err);
  assert_false(vm_wat_lex("\"\\q\"", 4, &t, &err));
  assert_string_equal(err.msg, "illegal escape");
  memset(&err, 0, sizeof err);
  assert_false(vm_wat_lex("x \"abc", 6, &t, &err));
  assert_string_equal(err.msg, "unclosed string literal");
  assert_int_equal(err.line, 1);
  assert_int_equal(err.col, 3);
  memset(&err, 0, sizeof err);
  assert_false(vm_wat_lex("\"\xff\"", 3, &t, &err));
  assert_string_equal(err.msg, "malformed UTF-8 encoding");
}

static void utf8_validation(void **state) {
  (void)state;
  assert_true(vm_wat_utf8_valid((const uint8_t *)"a\xc3\xa9\xf0\x9f\x98\x80", 7));
  assert_false(vm_wat_utf8_valid((const uint8_t *)"\xc0\x80", 2));     /* overlong */
  assert_false(vm_wat_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3)); /* surrogate */
  assert_false(vm_wat_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4));
  assert_false(vm_wat_utf8_valid((const uint8_t *)"\xe2\x82", 2));     /* truncated */
}

#define INT(s, bits, st, v)                                                    \
  do {                                                                         \
    uint64_t out_ = 0;                                                         \
    assert_int_equal(vm_wat_int(s, strlen(s), bits, &out_), st);               \
    if (st == WAT_NUM_OK) assert_true(out_ == (uint64_t)(v));                  \
  } while (0)

static void integers(void **state) {
  (void)state;
  INT("0", 32, WAT_NUM_OK, 0);
  INT("4294967295", 32, WAT_NUM_OK, 0xffffffffu);
  INT("-2147483648", 32, WAT_NUM_OK, 0x80000000u);
  INT("-0x8000_0000", 32, WAT_NUM_OK, 0x80000000u);
  INT("+0x7fff_ffff", 32, WAT_NUM_OK, 0x7fffffffu);
  INT("-1", 32, WAT_NUM_OK, 0xffffffffu);
  INT("4294967296", 32, WAT_NUM_RANGE, 0);
  INT("-2147483649", 32, WAT_NUM_RANGE, 0);
  INT("0x100000000", 32, WAT_NUM_RANGE, 0);
  INT("18446744073709551615", 64, WAT_NUM_OK, UINT64_MAX);
  INT("-9223372036854775808", 64, WAT_NUM_OK, 0x8000000000000000u);
  INT("18446744073709551616", 64, WAT_NUM_RANGE, 0);
  INT("-0x8000000000000001", 64, WAT_NUM_RANGE, 0);
  INT("255", 8, WAT_NUM_OK, 255);
  INT("-128", 8, WAT_NUM_OK, 0x80);
  INT("256", 8, WAT_NUM_RANGE, 0);
  INT("-129", 8, WAT_NUM_RANGE, 0);
  /* underscores only between digits */
  INT("1__0", 32, WAT_NUM_SYNTAX, 0);
  INT("_1", 32, WAT_NUM_SYNTAX, 0);
  INT("1_", 32, WAT_NUM_SYNTAX, 0);
  INT("0x", 32, WAT_NUM_SYNTAX, 0);
  INT("0xg", 32, WAT_NUM_SYNTAX, 0);
  INT("1x", 32, WAT_NUM_SYNTAX, 0);
  INT("1.0", 32, WAT_NUM_SYNTAX, 0);
  uint64_t v;
  assert_int_equal(vm_wat_nat("+1", 2, UINT32_MAX, &v), WAT_NUM_SYNTAX);
  assert_int_equal(vm_wat_nat("0x1_0000_0000", 13, UINT32_MAX, &v), WAT_NUM_RANGE);
}

#define F32(s, st, bits)                                                       \
  do {                                                                         \
    uint32_t out_ = 0;                                                         \
    assert_int_equal(vm_wat_f32(s, strlen(s), &out_), st);                     \
    if (st == WAT_NUM_OK) assert_int_equal(out_, bits);                        \
  } while (0)
#define F64(s, st, bits)                                                       \
  do {                                                                         \
    uint64_t out_ = 0;                                                         \
    assert_int_equal(vm_wat_f64(s, strlen(s), &out_), st);                     \
    if (st == WAT_NUM_OK) assert_true(out_ == (uint64_t)(bits));               \
  } while (0)

static void floats(void **state) {
  (void)state;
  F32("0", WAT_NUM_OK, 0);
  F32("-0.0", WAT_NUM_OK, 0x80000000u);
  F32("1", WAT_NUM_OK, 0x3f800000u);
  F32("0x1p-149", WAT_NUM_OK, 1);          /* smallest subnormal */
  F32("0x1.fffffep127", WAT_NUM_OK, 0x7f7fffffu);
  F32("1e_1", WAT_NUM_SYNTAX, 0);
  F32("1_000.000_1", WAT_NUM_OK, 0x447a0002u); /* nearest: 2 ulps up */
  /* ties-to-even at the f32 rounding boundary: 1 + 2^-24 rounds to 1 */
  F32("0x1.000001p0", WAT_NUM_OK, 0x3f800000u);
  F32("0x1.000003p0", WAT_NUM_OK, 0x3f800002u);
  F32("0x1.ffffffp127", WAT_NUM_RANGE, 0);
  F32("1e39", WAT_NUM_RANGE, 0);
  F32("inf", WAT_NUM_OK, 0x7f800000u);
  F32("-inf", WAT_NUM_OK, 0xff800000u);
  F32("nan", WAT_NUM_OK, 0x7fc00000u);
  F32("-nan", WAT_NUM_OK, 0xffc00000u);
  F32("nan:0x1", WAT_NUM_OK, 0x7f800001u);
  F32("-nan:0x7f_ffff", WAT_NUM_OK, 0xffffffffu);
  F32("nan:0x0", WAT_NUM_RANGE, 0);
  F32("nan:0x80_0000", WAT_NUM_RANGE, 0);
  F32("nan:1", WAT_NUM_SYNTAX, 0);
  F32(".0", WAT_NUM_SYNTAX, 0);
  F32("0.0e", WAT_NUM_SYNTAX, 0);
  F32("0x0.0p", WAT_NUM_SYNTAX, 0);
  F32("1.", WAT_NUM_OK, 0x3f800000u);
  F32("0x1.p1", WAT_NUM_OK, 0x40000000u);
  F64("0x1.fffffffffffffp1023", WAT_NUM_OK, 0x7fefffffffffffffu);
  F64("0x1.fffffffffffff8p1023", WAT_NUM_RANGE, 0);
  F64("1e309", WAT_NUM_RANGE, 0);
  F64("4.9406564584124654e-324", WAT_NUM_OK, 1);
  F64("nan:0xf_ffff_ffff_ffff", WAT_NUM_OK, 0x7fffffffffffffffu);
  F64("nan:0x10_0000_0000_0000", WAT_NUM_RANGE, 0);
  F64("-nan", WAT_NUM_OK, 0xfff8000000000000u);
  F64("0.1", WAT_NUM_OK, 0x3fb999999999999au);
}

static void lanes_and_keywords(void **state) {
  (void)state;
  uint8_t b[8] = {0};
  assert_int_equal(vm_wat_shape("f32x4", 5), 4);
  assert_int_equal(vm_wat_shape("i8x17", 5), -1);
  assert_int_equal(vm_wat_shape_lanes(1), 8);
  assert_int_equal(vm_wat_lane(1, "-1", 2, b), WAT_NUM_OK);
  assert_int_equal(b[0], 0xff);
  assert_int_equal(b[1], 0xff);
  assert_int_equal(vm_wat_lane(1, "65536", 5, b), WAT_NUM_RANGE);
  assert_int_equal(vm_wat_lane(5, "1", 1, b), WAT_NUM_OK);
  assert_int_equal(b[7], 0x3f);
  assert_int_equal(b[6], 0xf0);
  assert_true(vm_wat_is_keyword("i32.add", 7));
  assert_true(vm_wat_is_keyword("then", 4));
  assert_true(vm_wat_is_keyword("offset=8", 8));
  assert_false(vm_wat_is_keyword("get_local", 9));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(tokens_and_positions),
      cmocka_unit_test(comments_nest),
      cmocka_unit_test(reserved_tokens),
      cmocka_unit_test(string_escapes),
      cmocka_unit_test(utf8_validation),
      cmocka_unit_test(integers),
      cmocka_unit_test(floats),
      cmocka_unit_test(lanes_and_keywords),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
