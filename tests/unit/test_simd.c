/* SIMD semantics (vm/simd.c) and scalar numerics (vm/numeric.h).
 *
 * Expected values are taken from the spec suite's simd_*.wast assert_return
 * lines where they exist (file named next to the check), plus the edge cases
 * the spec's numerics chapter (4.3) singles out: saturation bounds, INT_MIN,
 * -0 versus +0, NaN propagation, ties-to-even and conversion boundaries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vm/numeric.h"
#include "vm/opcodes.h"
#include "vm/simd.h"

/* ---- helpers ------------------------------------------------------------ */

#define U8(...) ((vm_v128){.u8 = {__VA_ARGS__}})
#define I8(...) ((vm_v128){.i8 = {__VA_ARGS__}})
#define U16(...) ((vm_v128){.u16 = {__VA_ARGS__}})
#define I16(...) ((vm_v128){.i16 = {__VA_ARGS__}})
#define U32(...) ((vm_v128){.u32 = {__VA_ARGS__}})
#define I32(...) ((vm_v128){.i32 = {__VA_ARGS__}})
#define U64(...) ((vm_v128){.u64 = {__VA_ARGS__}})
#define I64(...) ((vm_v128){.i64 = {__VA_ARGS__}})
#define F32(...) ((vm_v128){.f32 = {__VA_ARGS__}})
#define F64(...) ((vm_v128){.f64 = {__VA_ARGS__}})
#define SCALAR(x) U64((uint64_t)(x), 0)
#define ZERO U64(0, 0)

static vm_v128 run3(vm_op op, vm_v128 a, vm_v128 b, vm_v128 c, const uint8_t *imm) {
  vm_v128 r;
  memset(&r, 0xcc, sizeof r); /* garbage: every op must write all of r */
  assert_non_null(vm_simd_fns[op]);
  vm_simd_fns[op](&r, &a, &b, &c, imm);
  return r;
}
static vm_v128 run2(vm_op op, vm_v128 a, vm_v128 b) { return run3(op, a, b, ZERO, NULL); }
static vm_v128 run1(vm_op op, vm_v128 a) { return run3(op, a, ZERO, ZERO, NULL); }
static vm_v128 run_lane(vm_op op, vm_v128 a, vm_v128 b, uint8_t lane) {
  return run3(op, a, b, ZERO, &lane);
}

static void vec_eq(vm_v128 got, vm_v128 want, const char *what, int line) {
  if (memcmp(&got, &want, sizeof got) != 0) {
    char g[40], w[40];
    for (int i = 0; i < 16; i++) {
      snprintf(g + 2 * i, 3, "%02x", got.u8[i]);
      snprintf(w + 2 * i, 3, "%02x", want.u8[i]);
    }
    fail_msg("line %d: %s\n  got  %s\n  want %s", line, what, g, w);
  }
}
#define EXPECT(got, want) vec_eq((got), (want), #got, __LINE__)

static uint32_t f32b(float f) { return vm_f32_bits(f); }
static uint64_t f64b(double d) { return vm_f64_bits(d); }
static int f32_canonical(uint32_t b) { return (b & 0x7fffffffu) == 0x7fc00000u; }
static int f32_arithmetic(uint32_t b) { return (b & 0x7fc00000u) == 0x7fc00000u; }
static int f64_canonical(uint64_t b) { return (b & ~VM_F64_SIGN) == VM_F64_CANON_NAN; }

/* ---- table -------------------------------------------------------------- */

static void table_has_every_simd_op(void **state) {
  (void)state;
  int n = 0;
  for (int op = 0; op < VM_OP_COUNT; op++) {
    int simd = vm_opinfo_table[op].prefix == 0xfd;
    assert_int_equal(vm_simd_fns[op] != NULL, simd);
    n += simd;
  }
  assert_int_equal(n, 236);
}

/* ---- memory transforms -------------------------------------------------- */

static void loads_and_stores(void **state) {
  (void)state;
  vm_v128 mem = U8(0x80, 0x81, 0x02, 0x83, 4, 5, 6, 0xf7, 8, 9, 10, 11, 12, 13, 14, 15);
  vm_v128 vec = U32(0x11111111, 0x22222222, 0x33333333, 0x44444444);
  EXPECT(run1(VM_OP_V128_LOAD, mem), mem);
  EXPECT(run1(VM_OP_V128_LOAD8X8_S, mem), I16(-128, -127, 2, -125, 4, 5, 6, -9));
  EXPECT(run1(VM_OP_V128_LOAD8X8_U, mem), U16(0x80, 0x81, 2, 0x83, 4, 5, 6, 0xf7));
  EXPECT(run1(VM_OP_V128_LOAD16X4_S, mem), I32(-32384, -31998, 0x0504, -2298));
  EXPECT(run1(VM_OP_V128_LOAD16X4_U, mem), U32(0x8180, 0x8302, 0x0504, 0xf706));
  EXPECT(run1(VM_OP_V128_LOAD32X2_S, mem), U64(0xffffffff83028180ull, 0xfffffffff7060504ull));
  EXPECT(run1(VM_OP_V128_LOAD32X2_U, mem), U64(0x83028180u, 0xf7060504u));
  EXPECT(run1(VM_OP_V128_LOAD8_SPLAT, mem), U8(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                               0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80));
  EXPECT(run1(VM_OP_V128_LOAD16_SPLAT, mem), U16(0x8180, 0x8180, 0x8180, 0x8180, 0x8180, 0x8180,
                                                 0x8180, 0x8180));
  EXPECT(run1(VM_OP_V128_LOAD32_SPLAT, mem), U32(0x83028180, 0x83028180, 0x83028180, 0x83028180));
  EXPECT(run1(VM_OP_V128_LOAD64_SPLAT, mem), U64(0xf706050483028180ull, 0xf706050483028180ull));
  /* Bytes beyond the access are ignored by *_zero. */
  EXPECT(run1(VM_OP_V128_LOAD32_ZERO, mem), U32(0x83028180, 0, 0, 0));
  EXPECT(run1(VM_OP_V128_LOAD64_ZERO, mem), U64(0xf706050483028180ull, 0));

  EXPECT(run_lane(VM_OP_V128_LOAD8_LANE, mem, vec, 5),
         U32(0x11111111, 0x22228022, 0x33333333, 0x44444444));
  EXPECT(run_lane(VM_OP_V128_LOAD16_LANE, mem, vec, 7),
         U32(0x11111111, 0x22222222, 0x33333333, 0x81804444));
  EXPECT(run_lane(VM_OP_V128_LOAD32_LANE, mem, vec, 2),
         U32(0x11111111, 0x22222222, 0x83028180, 0x44444444));
  EXPECT(run_lane(VM_OP_V128_LOAD64_LANE, mem, vec, 0),
         U32(0x83028180, 0xf7060504, 0x33333333, 0x44444444));

  EXPECT(run2(VM_OP_V128_STORE, ZERO, vec), vec);
  EXPECT(run_lane(VM_OP_V128_STORE8_LANE, ZERO, mem, 3), U8(0x83));
  EXPECT(run_lane(VM_OP_V128_STORE16_LANE, ZERO, mem, 3), U16(0xf706));
  EXPECT(run_lane(VM_OP_V128_STORE32_LANE, ZERO, vec, 3), U32(0x44444444));
  EXPECT(run_lane(VM_OP_V128_STORE64_LANE, ZERO, vec, 1), U64(0x4444444433333333ull));
}

/* ---- const, shuffle, swizzle, splat, lanes ------------------------------- */

static void const_shuffle_swizzle(void **state) {
  (void)state;
  const uint8_t bytes[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  EXPECT(run3(VM_OP_V128_CONST, ZERO, ZERO, ZERO, bytes),
         U8(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16));

  vm_v128 a = U8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  vm_v128 b = U8(16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);
  const uint8_t pat[16] = {31, 0, 30, 2, 29, 4, 28, 6, 27, 8, 26, 10, 25, 12, 24, 14};
  EXPECT(run3(VM_OP_I8X16_SHUFFLE, a, b, ZERO, pat),
         U8(31, 0, 30, 2, 29, 4, 28, 6, 27, 8, 26, 10, 25, 12, 24, 14));

  /* simd_lane.wast: indices >= 16 (including 255) select 0. */
  vm_v128 t = U8(100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115);
  EXPECT(run2(VM_OP_I8X16_SWIZZLE, t, U8(15, 14, 16, 255, 0, 1, 2, 3, 128, 17, 4, 4, 4, 4, 4, 5)),
         U8(115, 114, 0, 0, 100, 101, 102, 103, 0, 0, 104, 104, 104, 104, 104, 105));
}

static void splat_extract_replace(void **state) {
  (void)state;
  /* Scalars are raw bits; upper bits of an i32 operand are ignored. */
  EXPECT(run1(VM_OP_I8X16_SPLAT, SCALAR(0xdeadbeefffffff80ull)),
         U8(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
            0x80, 0x80));
  EXPECT(run1(VM_OP_I16X8_SPLAT, SCALAR(65537)), U16(1, 1, 1, 1, 1, 1, 1, 1));
  EXPECT(run1(VM_OP_I32X4_SPLAT, SCALAR(0xfffffffeu)), I32(-2, -2, -2, -2));
  EXPECT(run1(VM_OP_I64X2_SPLAT, SCALAR(0x8000000000000000ull)),
         U64(0x8000000000000000ull, 0x8000000000000000ull));
  EXPECT(run1(VM_OP_F32X4_SPLAT, SCALAR(0x7fa00001u)), /* sNaN bits pass untouched */
         U32(0x7fa00001u, 0x7fa00001u, 0x7fa00001u, 0x7fa00001u));
  EXPECT(run1(VM_OP_F64X2_SPLAT, SCALAR(f64b(-1.5))), F64(-1.5, -1.5));

  vm_v128 v = I8(-128, 127, 1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -2);
  /* simd_lane.wast: extract_lane_s of 0x80 is -128, _u is 128; i32 results
   * are zero-extended into u64[0]. */
  EXPECT(run_lane(VM_OP_I8X16_EXTRACT_LANE_S, v, ZERO, 0), SCALAR(0xffffff80u));
  EXPECT(run_lane(VM_OP_I8X16_EXTRACT_LANE_U, v, ZERO, 0), SCALAR(0x80));
  EXPECT(run_lane(VM_OP_I8X16_EXTRACT_LANE_S, v, ZERO, 15), SCALAR(0xfffffffeu));
  vm_v128 h = I16(0, -32768, 0, 0, 0, 0, 0, 32767);
  EXPECT(run_lane(VM_OP_I16X8_EXTRACT_LANE_S, h, ZERO, 1), SCALAR(0xffff8000u));
  EXPECT(run_lane(VM_OP_I16X8_EXTRACT_LANE_U, h, ZERO, 1), SCALAR(0x8000));
  EXPECT(run_lane(VM_OP_I32X4_EXTRACT_LANE, I32(0, 0, 0, -1), ZERO, 3), SCALAR(0xffffffffu));
  EXPECT(run_lane(VM_OP_I64X2_EXTRACT_LANE, I64(0, -1), ZERO, 1), SCALAR(0xffffffffffffffffull));
  EXPECT(run_lane(VM_OP_F32X4_EXTRACT_LANE, F32(0, 0, -0.0f, 0), ZERO, 2), SCALAR(0x80000000u));
  EXPECT(run_lane(VM_OP_F64X2_EXTRACT_LANE, F64(0, 1e308), ZERO, 1), SCALAR(f64b(1e308)));

  EXPECT(run_lane(VM_OP_I8X16_REPLACE_LANE, ZERO, SCALAR(0x1ff), 15),
         U8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff));
  EXPECT(run_lane(VM_OP_I16X8_REPLACE_LANE, ZERO, SCALAR(0x12345), 0), U16(0x2345));
  EXPECT(run_lane(VM_OP_I32X4_REPLACE_LANE, I32(1, 2, 3, 4), SCALAR(0xffffffffffffffffull), 1),
         I32(1, -1, 3, 4));
  EXPECT(run_lane(VM_OP_I64X2_REPLACE_LANE, I64(1, 2), SCALAR(7), 1), I64(1, 7));
  EXPECT(run_lane(VM_OP_F32X4_REPLACE_LANE, F32(1, 2, 3, 4), SCALAR(f32b(-0.0f)), 3),
         F32(1, 2, 3, -0.0f));
  EXPECT(run_lane(VM_OP_F64X2_REPLACE_LANE, F64(1, 2), SCALAR(f64b(0.5)), 0), F64(0.5, 2));
}

/* ---- comparisons and bitwise -------------------------------------------- */

static void comparisons(void **state) {
  (void)state;
  vm_v128 a = I8(-128, -1, 0, 1, 127, 5, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0);
  vm_v128 b = I8(0, 0, 0, 0, 0, 5, 6, 4, 0, 0, 0, 0, 0, 0, 0, 0);
  EXPECT(run2(VM_OP_I8X16_LT_S, a, b), U8(0xff, 0xff, 0, 0, 0, 0, 0xff, 0));
  EXPECT(run2(VM_OP_I8X16_LT_U, a, b), U8(0, 0, 0, 0, 0, 0, 0xff, 0));
  EXPECT(run2(VM_OP_I8X16_GE_U, a, b), U8(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
  EXPECT(run2(VM_OP_I16X8_GT_S, I16(-32768, 32767), I16(32767, -32768)), U16(0, 0xffff));
  EXPECT(run2(VM_OP_I16X8_GT_U, I16(-32768, 32767), I16(32767, -32768)), U16(0xffff, 0));
  EXPECT(run2(VM_OP_I32X4_LE_S, I32(-1, 0, 1, 2), I32(0, 0, 0, 0)), U32(~0u, ~0u, 0, 0));
  EXPECT(run2(VM_OP_I32X4_LE_U, I32(-1, 0, 1, 2), I32(0, 0, 0, 0)), U32(0, ~0u, 0, 0));
  EXPECT(run2(VM_OP_I64X2_LT_S, I64(-1, 1), I64(0, 0)), U64(~0ull, 0));
  EXPECT(run2(VM_OP_I64X2_NE, I64(-1, 1), I64(-1, 0)), U64(0, ~0ull));

  /* IEEE: NaN is unordered (only ne holds); -0 == +0. */
  vm_v128 nan4 = U32(0x7fc00000u, 0xffc00000u, 0x7fa00000u, 0);
  EXPECT(run2(VM_OP_F32X4_EQ, nan4, nan4), U32(0, 0, 0, ~0u));
  EXPECT(run2(VM_OP_F32X4_NE, nan4, nan4), U32(~0u, ~0u, ~0u, 0));
  EXPECT(run2(VM_OP_F32X4_EQ, F32(-0.0f, 1, 2, 3), F32(0.0f, 1, 3, 2)), U32(~0u, ~0u, 0, 0));
  EXPECT(run2(VM_OP_F32X4_LT, F32(1, 2, 3, 4), F32(2, 2, 2, 2)), U32(~0u, 0, 0, 0));
  EXPECT(run2(VM_OP_F32X4_GE, F32(1, 2, 3, 4), F32(2, 2, 2, 2)), U32(0, ~0u, ~0u, ~0u));
  EXPECT(run2(VM_OP_F64X2_LE, U64(VM_F64_CANON_NAN, f64b(1)), F64(1, 1)), U64(0, ~0ull));
  EXPECT(run2(VM_OP_F64X2_GT, F64(2, -1), F64(1, -0.5)), U64(~0ull, 0));
}

static void bitwise_and_tests(void **state) {
  (void)state;
  vm_v128 a = U64(0xff00ff00ff00ff00ull, 0x0123456789abcdefull);
  vm_v128 b = U64(0x0ff00ff00ff00ff0ull, 0xffffffff00000000ull);
  EXPECT(run1(VM_OP_V128_NOT, a), U64(0x00ff00ff00ff00ffull, 0xfedcba9876543210ull));
  EXPECT(run2(VM_OP_V128_AND, a, b), U64(0x0f000f000f000f00ull, 0x0123456700000000ull));
  EXPECT(run2(VM_OP_V128_ANDNOT, a, b), U64(0xf000f000f000f000ull, 0x0000000089abcdefull));
  EXPECT(run2(VM_OP_V128_OR, a, b), U64(0xfff0fff0fff0fff0ull, 0xffffffff89abcdefull));
  EXPECT(run2(VM_OP_V128_XOR, a, b), U64(0xf0f0f0f0f0f0f0f0ull, 0xfedcba9889abcdefull));
  /* bitselect takes a's bits where the mask is 1, b's where it is 0. */
  EXPECT(run3(VM_OP_V128_BITSELECT, U32(0xaaaaaaaa, 0xaaaaaaaa, 0xaaaaaaaa, 0xaaaaaaaa),
              U32(0x55555555, 0x55555555, 0x55555555, 0x55555555),
              U32(0x00112345, 0xf00fffff, 0x10112021, 0xbbaabbaa), NULL),
         U32(0x55447610, 0xa55aaaaa, 0x45447574, 0xeeffeeff));

  EXPECT(run1(VM_OP_V128_ANY_TRUE, U64(0, 1ull << 63)), SCALAR(1));
  EXPECT(run1(VM_OP_V128_ANY_TRUE, ZERO), SCALAR(0));
  EXPECT(run1(VM_OP_I8X16_ALL_TRUE, U8(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0x80)), SCALAR(1));
  EXPECT(run1(VM_OP_I8X16_ALL_TRUE, U8(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0)), SCALAR(0));
  EXPECT(run1(VM_OP_I16X8_ALL_TRUE, U16(1, 1, 1, 1, 1, 1, 1, 0x100)), SCALAR(1));
  EXPECT(run1(VM_OP_I32X4_ALL_TRUE, U32(1, 0, 1, 1)), SCALAR(0));
  EXPECT(run1(VM_OP_I64X2_ALL_TRUE, U64(1ull << 40, 1)), SCALAR(1));
  EXPECT(run1(VM_OP_I8X16_BITMASK, I8(-1, 0, 1, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1)),
         SCALAR(0x8009));
  EXPECT(run1(VM_OP_I16X8_BITMASK, I16(-1, 0, 0, 0, 0, 0, 0, -32768)), SCALAR(0x81));
  EXPECT(run1(VM_OP_I32X4_BITMASK, I32(0, -1, 0, -1)), SCALAR(0xa));
  EXPECT(run1(VM_OP_I64X2_BITMASK, I64(-1, 1)), SCALAR(1));
}

/* ---- integer arithmetic -------------------------------------------------- */

static void integer_arith(void **state) {
  (void)state;
  /* Wrapping add/sub/neg; abs(INT_MIN) = INT_MIN (spec 4.3.2 iabs). */
  EXPECT(run2(VM_OP_I8X16_ADD, U8(0xff, 0x7f), U8(1, 1)), U8(0, 0x80));
  EXPECT(run2(VM_OP_I16X8_SUB, U16(0), U16(1)), U16(0xffff));
  EXPECT(run1(VM_OP_I8X16_ABS, I8(-128, -1, 1, 0, 127)), I8(-128, 1, 1, 0, 127));
  EXPECT(run1(VM_OP_I16X8_ABS, I16(-32768, -5)), I16(-32768, 5));
  EXPECT(run1(VM_OP_I32X4_ABS, I32(-2147483647 - 1, -7, 7, 0)), I32(-2147483647 - 1, 7, 7, 0));
  EXPECT(run1(VM_OP_I64X2_ABS, I64(INT64_MIN, -3)), I64(INT64_MIN, 3));
  EXPECT(run1(VM_OP_I32X4_NEG, I32(-2147483647 - 1, 1, 0, -1)), I32(-2147483647 - 1, -1, 0, 1));
  EXPECT(run1(VM_OP_I64X2_NEG, I64(INT64_MIN, 5)), I64(INT64_MIN, -5));

  /* simd_i8x16_sat_arith.wast / simd_i16x8_sat_arith.wast */
  EXPECT(run2(VM_OP_I8X16_ADD_SAT_S, I8(126, -127, 64, -64), I8(2, -2, 64, -65)),
         I8(127, -128, 127, -128));
  EXPECT(run2(VM_OP_I8X16_ADD_SAT_U, U8(0xfe, 1), U8(2, 1)), U8(0xff, 2));
  EXPECT(run2(VM_OP_I8X16_SUB_SAT_S, I8(-128, 127), I8(1, -1)), I8(-128, 127));
  EXPECT(run2(VM_OP_I8X16_SUB_SAT_U, U8(1, 0x80), U8(2, 0x7f)), U8(0, 1));
  EXPECT(run2(VM_OP_I16X8_ADD_SAT_S, I16(32767, -32768), I16(1, -1)), I16(32767, -32768));
  EXPECT(run2(VM_OP_I16X8_ADD_SAT_U, U16(65535, 1), U16(1, 1)), U16(65535, 2));
  EXPECT(run2(VM_OP_I16X8_SUB_SAT_S, I16(-32768, 32767), I16(1, -1)), I16(-32768, 32767));
  EXPECT(run2(VM_OP_I16X8_SUB_SAT_U, U16(0, 65535), U16(1, 65534)), U16(0, 1));

  /* avgr_u rounds up: (x + y + 1) / 2 without overflow (simd_i8x16_arith2.wast). */
  EXPECT(run2(VM_OP_I8X16_AVGR_U, U8(0, 1, 255, 254), U8(1, 2, 255, 255)), U8(1, 2, 255, 255));
  EXPECT(run2(VM_OP_I16X8_AVGR_U, U16(0, 65535, 3), U16(1, 65535, 4)), U16(1, 65535, 4));

  /* Multiplies wrap; the 16-bit product of two 0xffff lanes must not overflow int. */
  EXPECT(run2(VM_OP_I16X8_MUL, U16(0xffff, 0x4000, 300), U16(0xffff, 4, 300)), U16(1, 0, 0x5f90));
  EXPECT(run2(VM_OP_I32X4_MUL, U32(0xffffffffu, 0x10000), U32(0xffffffffu, 0x10000)), U32(1, 0));
  EXPECT(run2(VM_OP_I64X2_MUL, I64(INT64_MIN, -1), I64(-1, -1)), I64(INT64_MIN, 1));

  /* simd_i16x8_q15mulr_sat_s.wast: only (-32768)^2 saturates; rounding is +2^14. */
  EXPECT(run2(VM_OP_I16X8_Q15MULR_SAT_S, I16(-32768, 32767, 16384, -16384, 1, -1, 6, 0),
              I16(-32768, 32767, 16384, 16384, 16384, 16384, 5461, 0)),
         I16(32767, 32766, 8192, -8192, 1, 0, 1, 0));

  /* Shift counts are taken modulo the lane width (simd_bit_shift.wast). */
  EXPECT(run2(VM_OP_I8X16_SHL, U8(0x81, 1), SCALAR(9)), U8(0x02, 2));
  EXPECT(run2(VM_OP_I8X16_SHR_S, I8(-128, 64), SCALAR(8 + 7)), I8(-1, 0));
  EXPECT(run2(VM_OP_I8X16_SHR_U, U8(0x80, 0xff), SCALAR(7)), U8(1, 1));
  EXPECT(run2(VM_OP_I16X8_SHR_S, I16(-32768, -1, 4), SCALAR(17)), I16(-16384, -1, 2));
  EXPECT(run2(VM_OP_I16X8_SHL, U16(0x8001), SCALAR(16)), U16(0x8001));
  EXPECT(run2(VM_OP_I32X4_SHR_S, I32(-2147483647 - 1, 8), SCALAR(0xffffffffu)), I32(-1, 0));
  EXPECT(run2(VM_OP_I32X4_SHR_U, U32(0x80000000u, 8), SCALAR(33)), U32(0x40000000u, 4));
  EXPECT(run2(VM_OP_I64X2_SHL, U64(1, 3), SCALAR(65)), U64(2, 6));
  EXPECT(run2(VM_OP_I64X2_SHR_S, I64(INT64_MIN, 1024), SCALAR(63)), I64(-1, 0));

  EXPECT(run2(VM_OP_I8X16_MIN_S, I8(-128, 127), I8(0, 0)), I8(-128, 0));
  EXPECT(run2(VM_OP_I8X16_MIN_U, I8(-128, 127), I8(0, 0)), I8(0, 0));
  EXPECT(run2(VM_OP_I16X8_MAX_S, I16(-1, 1), I16(0, 0)), I16(0, 1));
  EXPECT(run2(VM_OP_I16X8_MAX_U, I16(-1, 1), I16(0, 0)), I16(-1, 1));
  EXPECT(run2(VM_OP_I32X4_MIN_U, I32(-1, 3, 0, 0), I32(1, 2, 0, 0)), I32(1, 2, 0, 0));
  EXPECT(run2(VM_OP_I32X4_MAX_S, I32(-1, 3, 0, 0), I32(1, 2, 0, 0)), I32(1, 3, 0, 0));

  EXPECT(run1(VM_OP_I8X16_POPCNT, U8(0, 1, 0xff, 0x80, 0x55, 0x0f)), U8(0, 1, 8, 1, 4, 4));
}

static void widening_and_narrowing(void **state) {
  (void)state;
  /* simd_i32x4_dot_i16x8.wast: (-32768)^2 * 2 wraps to INT_MIN. */
  EXPECT(run2(VM_OP_I32X4_DOT_I16X8_S, I16(-32768, -32768, 1, 2, 32767, 32767, -1, 1),
              I16(-32768, -32768, 3, 4, 32767, 32767, 5, 5)),
         I32(-2147483647 - 1, 11, 2147352578, 0));

  EXPECT(run1(VM_OP_I16X8_EXTADD_PAIRWISE_I8X16_S, I8(-128, -128, 127, 127, -1, 1, 0, 0)),
         I16(-256, 254, 0, 0));
  EXPECT(run1(VM_OP_I16X8_EXTADD_PAIRWISE_I8X16_U, U8(0xff, 0xff, 1, 2)), U16(510, 3));
  EXPECT(run1(VM_OP_I32X4_EXTADD_PAIRWISE_I16X8_S, I16(-32768, -32768, 32767, 32767)),
         I32(-65536, 65534));
  EXPECT(run1(VM_OP_I32X4_EXTADD_PAIRWISE_I16X8_U, U16(0xffff, 0xffff)), U32(0x1fffe));

  vm_v128 b8 = I8(-128, -1, 0, 127, 1, 2, 3, 4, -5, -6, -7, -8, 9, 10, 11, 12);
  EXPECT(run2(VM_OP_I16X8_EXTMUL_LOW_I8X16_S, b8, b8), I16(16384, 1, 0, 16129, 1, 4, 9, 16));
  EXPECT(run2(VM_OP_I16X8_EXTMUL_HIGH_I8X16_S, b8, I8(0, 0, 0, 0, 0, 0, 0, 0, 1, -1, 2, -2)),
         I16(-5, 6, -14, 16, 0, 0, 0, 0));
  EXPECT(run2(VM_OP_I16X8_EXTMUL_LOW_I8X16_U, b8, b8), U16(16384, 65025, 0, 16129, 1, 4, 9, 16));
  EXPECT(run2(VM_OP_I32X4_EXTMUL_LOW_I16X8_S, I16(-32768, 32767), I16(-32768, -32768)),
         I32(1073741824, -1073709056));
  EXPECT(run2(VM_OP_I32X4_EXTMUL_HIGH_I16X8_U, U16(0, 0, 0, 0, 0xffff), U16(0, 0, 0, 0, 0xffff)),
         U32(0xfffe0001u));
  EXPECT(run2(VM_OP_I64X2_EXTMUL_LOW_I32X4_S, I32(-2147483647 - 1, 2), I32(-2147483647 - 1, -3)),
         I64(4611686018427387904ll, -6));
  EXPECT(run2(VM_OP_I64X2_EXTMUL_HIGH_I32X4_U, U32(0, 0, 0xffffffffu, 2), U32(0, 0, 0xffffffffu, 3)),
         U64(0xfffffffe00000001ull, 6));

  EXPECT(run1(VM_OP_I16X8_EXTEND_HIGH_I8X16_S, I8(0, 0, 0, 0, 0, 0, 0, 0, -128, 127, -1)),
         I16(-128, 127, -1, 0, 0, 0, 0, 0));
  EXPECT(run1(VM_OP_I16X8_EXTEND_LOW_I8X16_U, I8(-128, 127, -1)), I16(128, 127, 255));
  EXPECT(run1(VM_OP_I32X4_EXTEND_LOW_I16X8_S, I16(-1, 2)), I32(-1, 2, 0, 0));
  EXPECT(run1(VM_OP_I32X4_EXTEND_HIGH_I16X8_U, I16(0, 0, 0, 0, -1)), I32(65535, 0, 0, 0));
  EXPECT(run1(VM_OP_I64X2_EXTEND_HIGH_I32X4_S, I32(0, 0, -1, 5)), I64(-1, 5));
  EXPECT(run1(VM_OP_I64X2_EXTEND_LOW_I32X4_U, I32(-1, 5)), I64(0xffffffffll, 5));

  /* Narrowing saturates signed inputs; lanes from a then b. */
  EXPECT(run2(VM_OP_I8X16_NARROW_I16X8_S, I16(-129, 128, -128, 127, 0, 1, -1, 300),
              I16(32767, -32768)),
         I8(-128, 127, -128, 127, 0, 1, -1, 127, 127, -128, 0, 0, 0, 0, 0, 0));
  EXPECT(run2(VM_OP_I8X16_NARROW_I16X8_U, I16(-1, 256, 255, 0), I16(128)),
         U8(0, 255, 255, 0, 0, 0, 0, 0, 128));
  EXPECT(run2(VM_OP_I16X8_NARROW_I32X4_S, I32(-32769, 32768, 5, -5), I32(70000)),
         I16(-32768, 32767, 5, -5, 32767));
  EXPECT(run2(VM_OP_I16X8_NARROW_I32X4_U, I32(-1, 65536, 65535, 1), I32(0)),
         U16(0, 65535, 65535, 1));
}

/* ---- float arithmetic ---------------------------------------------------- */

static void float_arith(void **state) {
  (void)state;
  EXPECT(run2(VM_OP_F32X4_ADD, F32(1, 0.1f, 1e38f, -0.0f), F32(2, 0.2f, 1e38f, -0.0f)),
         F32(3, 0.1f + 0.2f, (float)1e38f * 2, -0.0f));
  EXPECT(run2(VM_OP_F64X2_DIV, F64(1, -1), F64(3, 0)), F64(1.0 / 3, -1.0 / 0.0));
  EXPECT(run1(VM_OP_F32X4_SQRT, F32(4, 2, 0, -0.0f)), F32(2, 1.41421353816986083984375f, 0, -0.0f));
  EXPECT(run1(VM_OP_F64X2_SQRT, F64(2, 1e-300)), F64(1.4142135623730951, 1e-150));

  /* inf - inf and sqrt(-1) produce a canonical NaN (any sign). */
  vm_v128 r = run2(VM_OP_F32X4_SUB, F32(1.0f / 0.0f), F32(1.0f / 0.0f));
  assert_true(f32_canonical(r.u32[0]));
  r = run1(VM_OP_F64X2_SQRT, F64(-1, 1));
  assert_true(f64_canonical(r.u64[0]));
  /* An arithmetic NaN input gives an arithmetic NaN out. */
  r = run2(VM_OP_F32X4_MUL, U32(0x7fa00000u), F32(2));
  assert_true(f32_arithmetic(r.u32[0]));

  /* abs/neg only touch the sign bit, even of NaN payloads. */
  EXPECT(run1(VM_OP_F32X4_NEG, U32(0x7fa00001u, 0, 0x80000000u, f32b(1))),
         U32(0xffa00001u, 0x80000000u, 0, f32b(-1)));
  EXPECT(run1(VM_OP_F64X2_ABS, U64(0xfff4000000000001ull, f64b(-0.0))),
         U64(0x7ff4000000000001ull, 0));

  /* min/max: -0 < +0 in either order; NaN in either position wins. */
  EXPECT(run2(VM_OP_F32X4_MIN, F32(-0.0f, 0.0f, 1, -1), F32(0.0f, -0.0f, 2, -2)),
         F32(-0.0f, -0.0f, 1, -2));
  EXPECT(run2(VM_OP_F32X4_MAX, F32(-0.0f, 0.0f, 1, -1), F32(0.0f, -0.0f, 2, -2)),
         F32(0.0f, 0.0f, 2, -1));
  r = run2(VM_OP_F32X4_MIN, U32(0x7fc00000u, f32b(1), 0xffc00000u, 0x7fa00000u),
           U32(f32b(1), 0x7fc00000u, f32b(-1.0f / 0.0f), f32b(0)));
  assert_true(f32_canonical(r.u32[0]) && f32_canonical(r.u32[1]) && f32_canonical(r.u32[2]));
  assert_true(f32_arithmetic(r.u32[3]));
  EXPECT(run2(VM_OP_F64X2_MIN, F64(-0.0, 0.0), F64(0.0, -0.0)), F64(-0.0, -0.0));
  EXPECT(run2(VM_OP_F64X2_MAX, F64(-0.0, 0.0), F64(0.0, -0.0)), F64(0.0, 0.0));
  r = run2(VM_OP_F64X2_MAX, U64(f64b(1), 0x7ff4000000000000ull), U64(VM_F64_CANON_NAN, f64b(1)));
  assert_true(f64_canonical(r.u64[0]));
  assert_int_equal(r.u64[1], 0x7ffc000000000000ull);

  /* pmin/pmax are `b < a ? b : a` / `a < b ? b : a` (simd_f32x4_pmin_pmax.wast):
   * NaN and signed zeros give back the first operand. */
  vm_v128 pa = U32(0x7fc00000u, f32b(1), f32b(-0.0f), f32b(0.0f));
  vm_v128 pb = U32(f32b(1), 0x7fc00000u, f32b(0.0f), f32b(-0.0f));
  EXPECT(run2(VM_OP_F32X4_PMIN, pa, pb), pa);
  EXPECT(run2(VM_OP_F32X4_PMAX, pa, pb), pa);
  EXPECT(run2(VM_OP_F32X4_PMIN, F32(1, 2, 3, 4), F32(2, 1, 3, -4)), F32(1, 1, 3, -4));
  EXPECT(run2(VM_OP_F64X2_PMAX, F64(1, -0.0), F64(2, 0.0)), F64(2, -0.0));
  EXPECT(run2(VM_OP_F64X2_PMIN, F64(1, -0.0), F64(2, 0.0)), F64(1, -0.0));
}

static void float_rounding(void **state) {
  (void)state;
  /* simd_f32x4_rounding.wast; the sign of zero is kept. */
  EXPECT(run1(VM_OP_F32X4_CEIL, F32(-0.5f, 0.5f, -1.5f, 8388607.5f)), F32(-0.0f, 1, -1, 8388608));
  EXPECT(run1(VM_OP_F32X4_FLOOR, F32(-0.5f, 0.5f, -1.5f, -0.0f)), F32(-1, 0, -2, -0.0f));
  EXPECT(run1(VM_OP_F32X4_TRUNC, F32(-0.5f, 0.9f, -1.5f, 1e30f)), F32(-0.0f, 0, -1, 1e30f));
  EXPECT(run1(VM_OP_F32X4_NEAREST, F32(-0.5f, 0.5f, 2.5f, -3.5f)), F32(-0.0f, 0, 2, -4));
  EXPECT(run1(VM_OP_F32X4_NEAREST, F32(8388607.5f, 4194304.5f, 1.0f / 0.0f, -1.49999988f)),
         F32(8388608, 4194304, 1.0f / 0.0f, -1));
  EXPECT(run1(VM_OP_F64X2_CEIL, F64(-0.5, 4503599627370495.5)), F64(-0.0, 4503599627370496.0));
  EXPECT(run1(VM_OP_F64X2_FLOOR, F64(-0.25, 1e300)), F64(-1, 1e300));
  EXPECT(run1(VM_OP_F64X2_TRUNC, F64(-0.99, 2.5)), F64(-0.0, 2));
  EXPECT(run1(VM_OP_F64X2_NEAREST, F64(-0.5, 4503599627370495.5)), F64(-0.0, 4503599627370496.0));
  EXPECT(run1(VM_OP_F64X2_NEAREST, F64(2.5, -1.5)), F64(2, -2));
  /* A NaN input comes back quiet. */
  vm_v128 r = run1(VM_OP_F32X4_FLOOR, U32(0x7fa00000u, 0x7fc00000u));
  assert_int_equal(r.u32[0], 0x7fe00000u);
  assert_int_equal(r.u32[1], 0x7fc00000u);
}

static void conversions(void **state) {
  (void)state;
  /* simd_i32x4_trunc_sat_f32x4.wast: NaN -> 0, saturate at the bounds. */
  EXPECT(run1(VM_OP_I32X4_TRUNC_SAT_F32X4_S, U32(0x7fc00000u, f32b(3e9f), f32b(-3e9f), f32b(-1.9f))),
         I32(0, 2147483647, -2147483647 - 1, -1));
  EXPECT(run1(VM_OP_I32X4_TRUNC_SAT_F32X4_U, F32(-0.9f, 4294967296.0f, 4294967040.0f, -1)),
         U32(0, 0xffffffffu, 0xffffff00u, 0));
  EXPECT(run1(VM_OP_I32X4_TRUNC_SAT_F64X2_S_ZERO, F64(-2147483648.9, 2147483647.9)),
         I32(-2147483647 - 1, 2147483647, 0, 0));
  EXPECT(run1(VM_OP_I32X4_TRUNC_SAT_F64X2_U_ZERO, U64(VM_F64_CANON_NAN, f64b(4294967295.9))),
         U32(0, 0xffffffffu, 0, 0));

  /* simd_conversions.wast: u32 -> f32 rounds to nearest even. */
  EXPECT(run1(VM_OP_F32X4_CONVERT_I32X4_U, U32(0xffffffffu, 16777217, 16777219, 0x80000080u)),
         F32(4294967296.0f, 16777216.0f, 16777220.0f, 2147483648.0f));
  EXPECT(run1(VM_OP_F32X4_CONVERT_I32X4_S, I32(-2147483647 - 1, -16777217, 1, -1)),
         F32(-2147483648.0f, -16777216.0f, 1, -1));
  EXPECT(run1(VM_OP_F64X2_CONVERT_LOW_I32X4_S, I32(-1, -2147483647 - 1, 99, 99)),
         F64(-1, -2147483648.0));
  EXPECT(run1(VM_OP_F64X2_CONVERT_LOW_I32X4_U, I32(-1, 7, 99, 99)), F64(4294967295.0, 7));

  EXPECT(run1(VM_OP_F32X4_DEMOTE_F64X2_ZERO, F64(0.1, 1e300)),
         F32((float)0.1, 1.0f / 0.0f, 0, 0));
  EXPECT(run1(VM_OP_F64X2_PROMOTE_LOW_F32X4, F32(0.1f, -0.0f, 5, 5)), F64((double)0.1f, -0.0));
  vm_v128 r = run1(VM_OP_F32X4_DEMOTE_F64X2_ZERO, U64(VM_F64_CANON_NAN, 0x7ff4000000000000ull));
  assert_true(f32_canonical(r.u32[0]));
  assert_true(f32_arithmetic(r.u32[1]));
  r = run1(VM_OP_F64X2_PROMOTE_LOW_F32X4, U32(0xffc00000u, 0x7fa00000u));
  assert_true(f64_canonical(r.u64[0]));
  assert_int_equal(r.u64[1], 0x7ffc000000000000ull);
}

/* r may be the same object as an operand: the engines write results in place. */
static void result_may_alias_operands(void **state) {
  (void)state;
  vm_v128 v = I32(1, 2, 3, 4);
  vm_simd_fns[VM_OP_I32X4_ADD](&v, &v, &v, NULL, NULL);
  EXPECT(v, I32(2, 4, 6, 8));
  vm_v128 s = U8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  vm_v128 idx = U8(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  vm_simd_fns[VM_OP_I8X16_SWIZZLE](&s, &s, &idx, NULL, NULL);
  EXPECT(s, U8(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
  vm_v128 n = I16(1, 2, 3, 4, 5, 6, 7, 8);
  vm_simd_fns[VM_OP_I8X16_NARROW_I16X8_S](&n, &n, &n, NULL, NULL);
  EXPECT(n, I8(1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8));
  uint8_t lane = 1;
  vm_v128 m = U8(0xaa), w = U32(1, 2, 3, 4);
  vm_simd_fns[VM_OP_V128_LOAD8_LANE](&w, &m, &w, NULL, &lane);
  EXPECT(w, U32(0xaa01, 2, 3, 4));
}

/* ---- numeric.h ----------------------------------------------------------- */

static void numeric_trunc_boundaries(void **state) {
  (void)state;
  uint32_t r32 = 0;
  uint64_t r64 = 0;
  /* spec 4.3.3 trunc: the exact edges of each range. */
  assert_int_equal(vm_i32_trunc_f32_s(-2147483648.0f, &r32), VM_NUM_OK);
  assert_int_equal(r32, 0x80000000u);
  assert_int_equal(vm_i32_trunc_f32_s(2147483648.0f, &r32), VM_NUM_OVERFLOW);
  assert_int_equal(vm_i32_trunc_f32_s(2147483520.0f, &r32), VM_NUM_OK);
  assert_int_equal(r32, 2147483520u);
  assert_int_equal(vm_i32_trunc_f32_s(-2147483904.0f, &r32), VM_NUM_OVERFLOW);
  assert_int_equal(vm_i32_trunc_f32_s(vm_f32_from_bits(0x7fc00000u), &r32), VM_NUM_INVALID_CONV);
  assert_int_equal(vm_i32_trunc_f32_u(-0.99999994f, &r32), VM_NUM_OK);
  assert_int_equal(r32, 0);
  assert_int_equal(vm_i32_trunc_f32_u(-1.0f, &r32), VM_NUM_OVERFLOW);
  assert_int_equal(vm_i32_trunc_f32_u(4294967040.0f, &r32), VM_NUM_OK);
  assert_int_equal(r32, 4294967040u);
  assert_int_equal(vm_i32_trunc_f32_u(4294967296.0f, &r32), VM_NUM_OVERFLOW);
  assert_int_equal(vm_i32_trunc_f64_s(-2147483648.9, &r32), VM_NUM_OK);
  assert_int_equal(r32, 0x80000000u);
  assert_int_equal(vm_i32_trunc_f64_s(-2147483649.0, &r32), VM_NUM_OVERFLOW);
  assert_int_equal(vm_i32_trunc_f64_s(2147483647.9, &r32), VM_NUM_OK);
  assert_int_equal(r32, 0x7fffffffu);
  assert_int_equal(vm_i32_trunc_f64_s(2147483648.0, &r32), VM_NUM_OVERFLOW);
  assert_int_equal(vm_i32_trunc_f64_u(4294967295.9, &r32), VM_NUM_OK);
  assert_int_equal(r32, 0xffffffffu);
  assert_int_equal(vm_i32_trunc_f64_u(4294967296.0, &r32), VM_NUM_OVERFLOW);
  assert_int_equal(vm_i32_trunc_f64_u(-0.9, &r32), VM_NUM_OK);
  assert_int_equal(vm_i32_trunc_f64_u(-1.0, &r32), VM_NUM_OVERFLOW);
  assert_int_equal(vm_i64_trunc_f32_s(-9223372036854775808.0f, &r64), VM_NUM_OK);
  assert_int_equal(r64, 0x8000000000000000ull);
  assert_int_equal(vm_i64_trunc_f32_s(9223372036854775808.0f, &r64), VM_NUM_OVERFLOW);
  assert_int_equal(vm_i64_trunc_f32_u(18446742974197923840.0f, &r64), VM_NUM_OK);
  assert_int_equal(r64, 18446742974197923840ull);
  assert_int_equal(vm_i64_trunc_f32_u(18446744073709551616.0f, &r64), VM_NUM_OVERFLOW);
  assert_int_equal(vm_i64_trunc_f64_s(9223372036854774784.0, &r64), VM_NUM_OK);
  assert_int_equal(r64, 9223372036854774784ull);
  assert_int_equal(vm_i64_trunc_f64_s(9223372036854775808.0, &r64), VM_NUM_OVERFLOW);
  assert_int_equal(vm_i64_trunc_f64_s(-9223372036854775808.0, &r64), VM_NUM_OK);
  assert_int_equal(vm_i64_trunc_f64_s(-9223372036854777856.0, &r64), VM_NUM_OVERFLOW);
  assert_int_equal(vm_i64_trunc_f64_u(18446744073709549568.0, &r64), VM_NUM_OK);
  assert_int_equal(r64, 18446744073709549568ull);
  assert_int_equal(vm_i64_trunc_f64_u(18446744073709551616.0, &r64), VM_NUM_OVERFLOW);
  assert_int_equal(vm_i64_trunc_f64_u(vm_f64_from_bits(0xfff0000000000001ull), &r64),
                   VM_NUM_INVALID_CONV);
  assert_int_equal(vm_i64_trunc_f64_s(-1.0 / 0.0, &r64), VM_NUM_OVERFLOW);

  /* Saturating forms (spec 4.3.3 trunc_sat). */
  assert_int_equal(vm_i32_trunc_sat_f32_s(vm_f32_from_bits(0xffc00000u)), 0);
  assert_int_equal(vm_i32_trunc_sat_f32_s(1.0f / 0.0f), 0x7fffffffu);
  assert_int_equal(vm_i32_trunc_sat_f32_s(-1.0f / 0.0f), 0x80000000u);
  assert_int_equal(vm_i32_trunc_sat_f64_u(-1e10), 0);
  assert_int_equal(vm_i32_trunc_sat_f64_u(1e10), 0xffffffffu);
  assert_int_equal(vm_i64_trunc_sat_f32_s(-1e30f), 0x8000000000000000ull);
  assert_int_equal(vm_i64_trunc_sat_f64_s(1e30), 0x7fffffffffffffffull);
  assert_int_equal(vm_i64_trunc_sat_f64_s(-7.9), (uint64_t)-7);
  assert_int_equal(vm_i64_trunc_sat_f32_u(1e30f), 0xffffffffffffffffull);
  assert_int_equal(vm_i64_trunc_sat_f64_u(vm_f64_from_bits(VM_F64_CANON_NAN)), 0);
}

static void numeric_float(void **state) {
  (void)state;
  /* nearest: ties to even, sign of zero kept (spec 4.3.3 fnearest). */
  assert_int_equal(f32b(vm_f32_nearest(-0.5f)), 0x80000000u);
  assert_int_equal(f32b(vm_f32_nearest(0.5f)), 0);
  assert_true(vm_f32_nearest(1.5f) == 2.0f && vm_f32_nearest(2.5f) == 2.0f);
  assert_true(vm_f32_nearest(-2.5f) == -2.0f && vm_f32_nearest(-3.5f) == -4.0f);
  assert_true(vm_f32_nearest(8388607.5f) == 8388608.0f);
  assert_int_equal(f64b(vm_f64_nearest(-0.5)), VM_F64_SIGN);
  assert_int_equal(f64b(vm_f64_nearest(-0.0)), VM_F64_SIGN);
  assert_true(vm_f64_nearest(4503599627370495.5) == 4503599627370496.0);
  assert_true(vm_f64_nearest(-4503599627370497.0) == -4503599627370497.0);
  assert_int_equal(f32b(vm_f32_ceil(-0.5f)), 0x80000000u);
  assert_true(vm_f32_floor(-0.5f) == -1.0f);
  assert_int_equal(f64b(vm_f64_trunc(-0.7)), VM_F64_SIGN);
  assert_true(vm_f64_floor(-4503599627370495.5) == -4503599627370496.0);

  /* min/max: -0 < +0; NaN propagates quieted (spec 4.3.3 fmin/fmax). */
  assert_int_equal(f32b(vm_f32_min(-0.0f, 0.0f)), 0x80000000u);
  assert_int_equal(f32b(vm_f32_min(0.0f, -0.0f)), 0x80000000u);
  assert_int_equal(f32b(vm_f32_max(-0.0f, 0.0f)), 0);
  assert_int_equal(f64b(vm_f64_min(0.0, -0.0)), VM_F64_SIGN);
  assert_int_equal(f64b(vm_f64_max(0.0, -0.0)), 0);
  assert_int_equal(f32b(vm_f32_max(vm_f32_from_bits(0x7f800001u), 1.0f)), 0x7fc00001u);
  assert_int_equal(f32b(vm_f32_min(1.0f, vm_f32_from_bits(0xffc00000u))), 0xffc00000u);
  assert_int_equal(f64b(vm_f64_max(-1.0 / 0.0, vm_f64_from_bits(VM_F64_CANON_NAN))),
                   VM_F64_CANON_NAN);
  assert_true(vm_f64_min(-1.0 / 0.0, 5.0) == -1.0 / 0.0);

  /* Sign operations are bit operations, NaN payloads untouched. */
  assert_int_equal(f32b(vm_f32_neg(vm_f32_from_bits(0x7fa00000u))), 0xffa00000u);
  assert_int_equal(f32b(vm_f32_abs(vm_f32_from_bits(0xffa00000u))), 0x7fa00000u);
  assert_int_equal(f32b(vm_f32_copysign(vm_f32_from_bits(0x7fa00000u), -0.0f)), 0xffa00000u);
  assert_int_equal(f64b(vm_f64_copysign(1.0, -0.0)), f64b(-1.0));
  assert_int_equal(f64b(vm_f64_neg(0.0)), VM_F64_SIGN);

  /* demote/promote keep NaN-ness and make it quiet. */
  assert_int_equal(f32b(vm_f32_demote_f64(vm_f64_from_bits(0x7ff4000000000000ull))), 0x7fe00000u);
  assert_int_equal(f32b(vm_f32_demote_f64(vm_f64_from_bits(0xfff8000000000000ull))), 0xffc00000u);
  assert_int_equal(f64b(vm_f64_promote_f32(vm_f32_from_bits(0x7fa00000u))), 0x7ffc000000000000ull);
  /* simd_conversions.wast: just below half an ulp past FLT_MAX rounds down, the
   * exact tie rounds to even, which is infinity. */
  assert_int_equal(f32b(vm_f32_demote_f64(0x1.fffffefffffffp+127)), 0x7f7fffffu);
  assert_int_equal(f32b(vm_f32_demote_f64(0x1.ffffffp+127)), 0x7f800000u);
  assert_int_equal(f32b(vm_f32_demote_f64(1e-50)), 0);

  /* u64 -> float rounds the exact value once: the sticky bit matters. */
  assert_int_equal(f32b(vm_f32_convert_u64(0xffffffffffffffffull)), 0x5f800000u); /* 2^64 */
  assert_int_equal(f32b(vm_f32_convert_u64(0x8000008000000001ull)), 0x5f000001u);
  assert_int_equal(f32b(vm_f32_convert_u64(0x8000008000000000ull)), 0x5f000000u);
  assert_int_equal(f64b(vm_f64_convert_u64(0x8000000000000401ull)), 0x43e0000000000001ull);
  assert_int_equal(f64b(vm_f64_convert_u64(0x8000000000000400ull)), 0x43e0000000000000ull);
  assert_int_equal(f64b(vm_f64_convert_u64(0x8000000000000c00ull)), 0x43e0000000000002ull);
  assert_true(vm_f64_convert_u64(12345) == 12345.0);
  assert_true(vm_f32_convert_u32(0xffffffffu) == 4294967296.0f);
  assert_true(vm_f32_convert_s64(0x8000000000000000ull) == -9223372036854775808.0f);
  assert_true(vm_f64_convert_s32(0xffffffffu) == -1.0);
}

static void numeric_integer(void **state) {
  (void)state;
  uint32_t r32 = 7;
  uint64_t r64 = 7;
  assert_int_equal(vm_i32_div_s(1, 0, &r32), VM_NUM_DIV_ZERO);
  assert_int_equal(vm_i32_div_s(0x80000000u, 0xffffffffu, &r32), VM_NUM_OVERFLOW);
  assert_int_equal(vm_i32_div_s((uint32_t)-7, 2, &r32), VM_NUM_OK);
  assert_int_equal(r32, (uint32_t)-3); /* truncates toward zero */
  assert_int_equal(vm_i32_div_u(0xffffffffu, 2, &r32), VM_NUM_OK);
  assert_int_equal(r32, 0x7fffffffu);
  assert_int_equal(vm_i32_rem_s(0x80000000u, 0xffffffffu, &r32), VM_NUM_OK);
  assert_int_equal(r32, 0);
  assert_int_equal(vm_i32_rem_s((uint32_t)-7, 2, &r32), VM_NUM_OK);
  assert_int_equal(r32, (uint32_t)-1); /* sign of the dividend */
  assert_int_equal(vm_i32_rem_u(7, 0, &r32), VM_NUM_DIV_ZERO);
  assert_int_equal(vm_i64_div_s(0x8000000000000000ull, ~0ull, &r64), VM_NUM_OVERFLOW);
  assert_int_equal(vm_i64_div_u(5, 0, &r64), VM_NUM_DIV_ZERO);
  assert_int_equal(vm_i64_rem_s(0x8000000000000000ull, ~0ull, &r64), VM_NUM_OK);
  assert_int_equal(r64, 0);
  assert_int_equal(vm_i64_rem_s(0, 0, &r64), VM_NUM_DIV_ZERO);
  assert_int_equal(vm_i64_rem_u(~0ull, 10, &r64), VM_NUM_OK);
  assert_int_equal(r64, 5);
  assert_int_equal(vm_i64_div_s(~0ull, 2, &r64), VM_NUM_OK);
  assert_int_equal(r64, 0);

  assert_int_equal(vm_i32_clz(0), 32);
  assert_int_equal(vm_i32_clz(1), 31);
  assert_int_equal(vm_i32_ctz(0), 32);
  assert_int_equal(vm_i32_ctz(0x80000000u), 31);
  assert_int_equal(vm_i32_popcnt(0xffffffffu), 32);
  assert_int_equal(vm_i64_clz(0), 64);
  assert_int_equal(vm_i64_ctz(0), 64);
  assert_int_equal(vm_i64_clz(0x00008000ull), 48);
  assert_int_equal(vm_i64_popcnt(0x8000000000000001ull), 2);
  assert_int_equal(vm_i32_rotl(0xabcd9876u, 1), 0x579b30edu);
  assert_int_equal(vm_i32_rotl(0x12345678u, 32), 0x12345678u);
  assert_int_equal(vm_i32_rotr(0xb0c1d2e3u, 0x0005u), 0x1d860e97u);
  assert_int_equal(vm_i64_rotl(0xabd1234ef567809cull, 63), 0x55e891a77ab3c04eull);
  assert_int_equal(vm_i64_rotr(1, 1), 0x8000000000000000ull);
  assert_int_equal(vm_i32_shr_s(0x80000000u, 31), 0xffffffffu);
  assert_int_equal(vm_i32_shr_s(0x40000000u, 62), 1);
  assert_int_equal(vm_i32_shl(1, 33), 2);
  assert_int_equal(vm_i64_shr_s(0x8000000000000000ull, 64), 0x8000000000000000ull);
  assert_int_equal(vm_i64_shr_u(0x8000000000000000ull, 127), 1);
  assert_int_equal(vm_i32_extend8_s(0x80), 0xffffff80u);
  assert_int_equal(vm_i32_extend16_s(0x12347fffu), 0x7fff);
  assert_int_equal(vm_i64_extend32_s(0x80000000ull), 0xffffffff80000000ull);
  assert_int_equal(vm_i64_extend8_s(0x17f), 0x7f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(table_has_every_simd_op),
      cmocka_unit_test(loads_and_stores),
      cmocka_unit_test(const_shuffle_swizzle),
      cmocka_unit_test(splat_extract_replace),
      cmocka_unit_test(comparisons),
      cmocka_unit_test(bitwise_and_tests),
      cmocka_unit_test(integer_arith),
      cmocka_unit_test(widening_and_narrowing),
      cmocka_unit_test(float_arith),
      cmocka_unit_test(float_rounding),
      cmocka_unit_test(conversions),
      cmocka_unit_test(result_may_alias_operands),
      cmocka_unit_test(numeric_trunc_boundaries),
      cmocka_unit_test(numeric_float),
      cmocka_unit_test(numeric_integer),
  };
  return cmocka_run_group_tests_name("simd", tests, NULL, NULL);
}
