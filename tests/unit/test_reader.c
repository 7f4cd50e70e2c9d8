/* The bounded reader: LEB128 edge cases of spec 5.2.2 (length limit, unused
 * bits of the last byte, signed ranges), counts, names and UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vm/reader.h"

/* A reader over `n` bytes of `s` with a fresh error. */
#define READER(r, err, s, n)                                                   \
  vm_error err = {0};                                                          \
  vm_reader r;                                                                 \
  vm_reader_init(&r, (const uint8_t *)(s), 0, (n), &err)

static void u32_valid_encodings(void **state) {
  (void)state;
  uint32_t v;
  {
    READER(r, err, "\x00", 1);
    assert_true(vm_read_u32(&r, &v));
    assert_int_equal(v, 0);
  }
  {
    /* a padded zero is fine while it stays within 5 bytes */
    READER(r, err, "\x80\x80\x80\x80\x00", 5);
    assert_true(vm_read_u32(&r, &v));
    assert_int_equal(v, 0);
    assert_int_equal(r.pos, 5);
  }
  {
    READER(r, err, "\xff\xff\xff\xff\x0f", 5);
    assert_true(vm_read_u32(&r, &v));
    assert_int_equal(v, UINT32_MAX);
  }
  {
    READER(r, err, "\xe5\x8e\x26", 3);
    assert_true(vm_read_u32(&r, &v));
    assert_int_equal(v, 624485);
  }
}

static void u32_too_long(void **state) {
  (void)state;
  uint32_t v;
  READER(r, err, "\x80\x80\x80\x80\x80\x00", 6);
  assert_false(vm_read_u32(&r, &v));
  assert_int_equal(err.kind, VM_ERR_MALFORMED);
  assert_string_equal(err.msg, "integer representation too long");
  assert_int_equal(err.offset, 0);
}

static void u32_unused_bits(void **state) {
  (void)state;
  uint32_t v;
  /* bit 32 set in the fifth byte */
  READER(r, err, "\x80\x80\x80\x80\x10", 5);
  assert_false(vm_read_u32(&r, &v));
  assert_string_equal(err.msg, "integer too large");
  READER(r2, err2, "\xff\xff\xff\xff\x7f", 5);
  assert_false(vm_read_u32(&r2, &v));
  assert_string_equal(err2.msg, "integer too large");
}

static void u32_truncated(void **state) {
  (void)state;
  uint32_t v;
  READER(r, err, "\x80\x80", 2);
  r.eof_msg = "unexpected end of section or function";
  assert_false(vm_read_u32(&r, &v));
  assert_string_equal(err.msg, "unexpected end of section or function");
}

static void s32_ranges(void **state) {
  (void)state;
  int32_t v;
  {
    READER(r, err, "\x7f", 1);
    assert_true(vm_read_s32(&r, &v));
    assert_int_equal(v, -1);
  }
  {
    READER(r, err, "\x80\x80\x80\x80\x78", 5); /* INT32_MIN */
    assert_true(vm_read_s32(&r, &v));
    assert_int_equal(v, INT32_MIN);
  }
  {
    READER(r, err, "\xff\xff\xff\xff\x07", 5); /* INT32_MAX */
    assert_true(vm_read_s32(&r, &v));
    assert_int_equal(v, INT32_MAX);
  }
  {
    /* positive value whose unused bits are not a sign extension */
    READER(r, err, "\xff\xff\xff\xff\x0f", 5);
    assert_false(vm_read_s32(&r, &v));
    assert_string_equal(err.msg, "integer too large");
  }
  {
    READER(r, err, "\x80\x80\x80\x80\x70", 5);
    assert_false(vm_read_s32(&r, &v));
    assert_string_equal(err.msg, "integer too large");
  }
  {
    /* padded -1 within 5 bytes is fine */
    READER(r, err, "\xff\xff\xff\xff\x7f", 5);
    assert_true(vm_read_s32(&r, &v));
    assert_int_equal(v, -1);
  }
  {
    READER(r, err, "\xff\xff\xff\xff\xff\x7f", 6);
    assert_false(vm_read_s32(&r, &v));
    assert_string_equal(err.msg, "integer representation too long");
  }
}

static void s64_ranges(void **state) {
  (void)state;
  int64_t v;
  {
    READER(r, err, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f", 10);
    assert_true(vm_read_s64(&r, &v));
    assert_true(v == INT64_MIN);
  }
  {
    READER(r, err, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00", 10);
    assert_true(vm_read_s64(&r, &v));
    assert_true(v == INT64_MAX);
  }
  {
    READER(r, err, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10);
    assert_false(vm_read_s64(&r, &v));
    assert_string_equal(err.msg, "integer too large");
  }
  {
    READER(r, err, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", 11);
    assert_false(vm_read_s64(&r, &v));
    assert_string_equal(err.msg, "integer representation too long");
  }
}

static void s33_block_type_range(void **state) {
  (void)state;
  int64_t v;
  READER(r, err, "\xff\xff\xff\xff\x0f", 5); /* 2^32-1, fits 33 bits */
  assert_true(vm_read_s33(&r, &v));
  assert_true(v == (int64_t)UINT32_MAX);
  READER(r2, err2, "\xff\xff\xff\xff\x1f", 5); /* bit 33 set: too large */
  assert_false(vm_read_s33(&r2, &v));
  assert_string_equal(err2.msg, "integer too large");
}

static void u64_limits(void **state) {
  (void)state;
  uint64_t v;
  READER(r, err, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10);
  assert_true(vm_read_u64(&r, &v));
  assert_true(v == UINT64_MAX);
  READER(r2, err2, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x03", 10);
  assert_false(vm_read_u64(&r2, &v));
  assert_string_equal(err2.msg, "integer too large");
}

static void floats_little_endian(void **state) {
  (void)state;
  uint32_t f;
  uint64_t d;
  READER(r, err, "\x00\x00\x80\x3f\x00\x00\x00\x00\x00\x00\xf0\x3f", 12);
  assert_true(vm_read_f32(&r, &f));
  assert_int_equal(f, 0x3f800000u);
  assert_true(vm_read_f64(&r, &d));
  assert_true(d == 0x3ff0000000000000ull);
  assert_false(vm_read_f32(&r, &f));
}

static void count_bounded_by_input(void **state) {
  (void)state;
  uint32_t n;
  /* 4 billion elements announced with 3 bytes left */
  READER(r, err, "\xff\xff\xff\xff\x0f\x00\x00\x00", 8);
  assert_false(vm_read_count(&r, 1, &n));
  assert_int_equal(err.kind, VM_ERR_MALFORMED);
  READER(r2, err2, "\x03\x00\x00\x00", 4);
  assert_true(vm_read_count(&r2, 1, &n));
  assert_int_equal(n, 3);
}

static void names_and_utf8(void **state) {
  (void)state;
  const uint8_t *s;
  uint32_t len;
  {
    READER(r, err, "\x03\x61\xc3\xa9", 4);
    assert_true(vm_read_name(&r, &s, &len));
    assert_int_equal(len, 3);
    assert_memory_equal(s, "a\xc3\xa9", 3);
  }
  {
    READER(r, err, "\x05\x61", 2);
    assert_false(vm_read_name(&r, &s, &len));
    assert_string_equal(err.msg, "length out of bounds");
  }
  {
    READER(r, err, "\x02\xc0\x80", 3); /* overlong NUL */
    assert_false(vm_read_name(&r, &s, &len));
    assert_string_equal(err.msg, "malformed UTF-8 encoding");
  }
  assert_false(vm_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3)); /* D800 */
  assert_false(vm_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4));
  assert_true(vm_utf8_valid((const uint8_t *)"\xf4\x8f\xbf\xbf", 4));
  assert_false(vm_utf8_valid((const uint8_t *)"\xe2\x82", 2)); /* cut */
  assert_false(vm_utf8_valid((const uint8_t *)"\x80", 1));
  assert_false(vm_utf8_valid((const uint8_t *)"\xf8\x88\x80\x80\x80", 5));
}

static void first_error_is_kept(void **state) {
  (void)state;
  uint8_t b;
  READER(r, err, "", 0);
  assert_false(vm_read_u8(&r, &b));
  assert_string_equal(err.msg, "unexpected end");
  r.eof_msg = "other";
  assert_false(vm_read_u8(&r, &b));
  assert_string_equal(err.msg, "unexpected end");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(u32_valid_encodings),
      cmocka_unit_test(u32_too_long),
      cmocka_unit_test(u32_unused_bits),
      cmocka_unit_test(u32_truncated),
      cmocka_unit_test(s32_ranges),
      cmocka_unit_test(s64_ranges),
      cmocka_unit_test(s33_block_type_range),
      cmocka_unit_test(u64_limits),
      cmocka_unit_test(floats_little_endian),
      cmocka_unit_test(count_bounded_by_input),
      cmocka_unit_test(names_and_utf8),
      cmocka_unit_test(first_error_is_kept),
  };
  return cmocka_run_group_tests_name("reader", tests, NULL, NULL);
}
