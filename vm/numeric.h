/* Scalar numerics of WebAssembly (spec 4.3 "Numerics"), as static inline
 * helpers shared by the interpreter and the SIMD library.
 *
 * This header is meant to be shared with the AOT prelude later: it depends
 * only on <stdint.h> and <string.h> (memcpy for bit casts), uses no libm, no
 * compiler builtins outside an #if, and nothing of the FP environment beyond
 * the default round-to-nearest-even mode of plain C conversions, so the same text can be pasted into the C that
 * libtcc compiles. Keep it that way.
 *
 * Conventions: wasm integers are passed as raw bits in uint32_t / uint64_t
 * (signedness is an interpretation, spec 4.3.2); helpers that can trap return
 * a vm_num_trap and write their result through a pointer only on VM_NUM_OK.
 *
 * NaN results (spec 4.3.3 "NaN propagation"): where an operation's result is a
 * NaN, the spec allows any NaN that is canonical when all NaN inputs are
 * canonical, and arithmetic (quiet bit set) otherwise. The helpers here that
 * must produce a NaN by hand return the first NaN operand with its quiet bit
 * set, which satisfies both and is the same on every host.
 */
#ifndef FERRY_VM_NUMERIC_H
#define FERRY_VM_NUMERIC_H

#include <stdint.h>
#include <string.h>

typedef enum {
  VM_NUM_OK = 0,
  VM_NUM_DIV_ZERO,     /* "integer divide by zero" */
  VM_NUM_OVERFLOW,     /* "integer overflow" (div_s INT_MIN/-1, trunc out of range) */
  VM_NUM_INVALID_CONV, /* "invalid conversion to integer" (trunc of NaN) */
} vm_num_trap;

/* ---- bit casts ---------------------------------------------------------- */

static inline uint32_t vm_f32_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float vm_f32_from_bits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint64_t vm_f64_bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static inline double vm_f64_from_bits(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }

#define VM_F32_SIGN 0x80000000u
#define VM_F32_QUIET 0x00400000u
#define VM_F32_CANON_NAN 0x7fc00000u
#define VM_F64_SIGN 0x8000000000000000ull
#define VM_F64_QUIET 0x0008000000000000ull
#define VM_F64_CANON_NAN 0x7ff8000000000000ull

static inline int vm_f32_isnan(float f) {
  return (vm_f32_bits(f) & ~VM_F32_SIGN) > 0x7f800000u;
}
static inline int vm_f64_isnan(double d) {
  return (vm_f64_bits(d) & ~VM_F64_SIGN) > 0x7ff0000000000000ull;
}

/* A NaN input, made quiet: canonical stays canonical, anything else becomes
 * arithmetic (spec 4.3.3 nans_N). */
static inline float vm_f32_quiet(float f) {
  return vm_f32_from_bits(vm_f32_bits(f) | VM_F32_QUIET);
}
static inline double vm_f64_quiet(double d) {
  return vm_f64_from_bits(vm_f64_bits(d) | VM_F64_QUIET);
}

/* ---- sign operations: pure bit operations, never touch NaN payloads
 * (spec 4.3.3 fabs / fneg / fcopysign are defined on the sign bit). ------- */

static inline float vm_f32_abs(float f) { return vm_f32_from_bits(vm_f32_bits(f) & ~VM_F32_SIGN); }
static inline float vm_f32_neg(float f) { return vm_f32_from_bits(vm_f32_bits(f) ^ VM_F32_SIGN); }
static inline float vm_f32_copysign(float a, float b) {
  return vm_f32_from_bits((vm_f32_bits(a) & ~VM_F32_SIGN) | (vm_f32_bits(b) & VM_F32_SIGN));
}
static inline double vm_f64_abs(double d) { return vm_f64_from_bits(vm_f64_bits(d) & ~VM_F64_SIGN); }
static inline double vm_f64_neg(double d) { return vm_f64_from_bits(vm_f64_bits(d) ^ VM_F64_SIGN); }
static inline double vm_f64_copysign(double a, double b) {
  return vm_f64_from_bits((vm_f64_bits(a) & ~VM_F64_SIGN) | (vm_f64_bits(b) & VM_F64_SIGN));
}

/* ---- min / max (spec 4.3.3 fmin / fmax): a NaN operand gives a NaN; -0 is
 * less than +0. C's fmin and x86 minss get both of these wrong, so compare
 * by hand. ----------------------------------------------------------------- */

static inline float vm_f32_min(float a, float b) {
  if (vm_f32_isnan(a)) return vm_f32_quiet(a);
  if (vm_f32_isnan(b)) return vm_f32_quiet(b);
  if (a == b) /* equal, or +0/-0: OR of the bits picks -0 */
    return vm_f32_from_bits(vm_f32_bits(a) | vm_f32_bits(b));
  return a < b ? a : b;
}
static inline float vm_f32_max(float a, float b) {
  if (vm_f32_isnan(a)) return vm_f32_quiet(a);
  if (vm_f32_isnan(b)) return vm_f32_quiet(b);
  if (a == b) /* AND of the bits picks +0 */
    return vm_f32_from_bits(vm_f32_bits(a) & vm_f32_bits(b));
  return a > b ? a : b;
}
static inline double vm_f64_min(double a, double b) {
  if (vm_f64_isnan(a)) return vm_f64_quiet(a);
  if (vm_f64_isnan(b)) return vm_f64_quiet(b);
  if (a == b) return vm_f64_from_bits(vm_f64_bits(a) | vm_f64_bits(b));
  return a < b ? a : b;
}
static inline double vm_f64_max(double a, double b) {
  if (vm_f64_isnan(a)) return vm_f64_quiet(a);
  if (vm_f64_isnan(b)) return vm_f64_quiet(b);
  if (a == b) return vm_f64_from_bits(vm_f64_bits(a) & vm_f64_bits(b));
  return a > b ? a : b;
}

/* ---- rounding to integral (spec 4.3.3 fceil / ffloor / ftrunc / fnearest).
 * Done on the bits so no libm is needed and no FP mode matters. All preserve the sign of zero: ceil(-0.5) = -0, nearest(-0.5) = -0.
 */

static inline float vm_f32_trunc(float f) {
  uint32_t u = vm_f32_bits(f);
  int e = (int)((u >> 23) & 0xff) - 127;
  if (e >= 23) return vm_f32_isnan(f) ? vm_f32_quiet(f) : f; /* integral, inf, NaN */
  if (e < 0) return vm_f32_from_bits(u & VM_F32_SIGN);       /* |f| < 1 */
  return vm_f32_from_bits(u & ~(0x007fffffu >> e));
}
static inline float vm_f32_floor(float f) {
  float t = vm_f32_trunc(f);
  /* t - 1 is exact: |t| < 2^23 whenever t != f */
  return (f < 0 && t != f) ? t - 1.0f : t;
}
static inline float vm_f32_ceil(float f) {
  float t = vm_f32_trunc(f);
  return (f > 0 && t != f) ? t + 1.0f : t;
}
/* nearest on the bits: round the fraction half to even by hand, so the result
 * does not depend on how the compiler evaluates float expressions (the
 * add-2^23 trick breaks under x87-style excess precision). A carry out of the
 * mantissa correctly bumps the exponent. */
static inline float vm_f32_nearest(float f) {
  uint32_t u = vm_f32_bits(f), mag = u & ~VM_F32_SIGN;
  int e = (int)(mag >> 23) - 127;
  if (e >= 23) return vm_f32_isnan(f) ? vm_f32_quiet(f) : f;
  if (e < -1) return vm_f32_from_bits(u & VM_F32_SIGN);   /* |f| < 0.5 */
  if (e == -1) /* 0.5 <= |f| < 1: the tie 0.5 goes to even 0 */
    return vm_f32_from_bits((u & VM_F32_SIGN) | (mag > 0x3f000000u ? 0x3f800000u : 0));
  uint32_t one = 0x00800000u >> e, frac = u & (one - 1), half = one >> 1;
  u &= ~(one - 1);
  if (frac > half || (frac == half && (u & one))) u += one;
  return vm_f32_from_bits(u);
}

static inline double vm_f64_trunc(double d) {
  uint64_t u = vm_f64_bits(d);
  int e = (int)((u >> 52) & 0x7ff) - 1023;
  if (e >= 52) return vm_f64_isnan(d) ? vm_f64_quiet(d) : d;
  if (e < 0) return vm_f64_from_bits(u & VM_F64_SIGN);
  return vm_f64_from_bits(u & ~(0x000fffffffffffffull >> e));
}
static inline double vm_f64_floor(double d) {
  double t = vm_f64_trunc(d);
  return (d < 0 && t != d) ? t - 1.0 : t;
}
static inline double vm_f64_ceil(double d) {
  double t = vm_f64_trunc(d);
  return (d > 0 && t != d) ? t + 1.0 : t;
}
static inline double vm_f64_nearest(double d) {
  uint64_t u = vm_f64_bits(d), mag = u & ~VM_F64_SIGN;
  int e = (int)(mag >> 52) - 1023;
  if (e >= 52) return vm_f64_isnan(d) ? vm_f64_quiet(d) : d;
  if (e < -1) return vm_f64_from_bits(u & VM_F64_SIGN);
  if (e == -1)
    return vm_f64_from_bits((u & VM_F64_SIGN) |
                            (mag > 0x3fe0000000000000ull ? 0x3ff0000000000000ull : 0));
  uint64_t one = 0x0010000000000000ull >> e, frac = u & (one - 1), half = one >> 1;
  u &= ~(one - 1);
  if (frac > half || (frac == half && (u & one))) u += one;
  return vm_f64_from_bits(u);
}

/* ---- float <-> float (spec 4.3.3 fdemote / fpromote). A NaN keeps its sign
 * and the top payload bits and is made quiet, as x86 and ARM hardware do; done
 * by hand so the result is identical on every host. ------------------------ */

static inline float vm_f32_demote_f64(double d) {
  if (vm_f64_isnan(d)) {
    uint64_t u = vm_f64_bits(d);
    return vm_f32_from_bits((uint32_t)(u >> 32 & VM_F32_SIGN) | VM_F32_CANON_NAN |
                            (uint32_t)((u >> 29) & 0x003fffffu));
  }
  return (float)d;
}
static inline double vm_f64_promote_f32(float f) {
  if (vm_f32_isnan(f)) {
    uint32_t u = vm_f32_bits(f);
    return vm_f64_from_bits((uint64_t)(u & VM_F32_SIGN) << 32 | VM_F64_CANON_NAN |
                            (uint64_t)(u & 0x003fffffu) << 29);
  }
  return (double)f;
}

/* ---- int -> float (spec 4.3.3 fconvert_u / fconvert_s). ----------------- */

/* u64 has no direct hardware conversion on x86-64 and TCC gets it wrong; a
 * value >= 2^63 is halved with the lost bit kept as a sticky bit, so the one
 * rounding of the signed conversion rounds as the exact value would. */
static inline float vm_f32_convert_u64(uint64_t x) {
  if (x < 0x8000000000000000ull) return (float)(int64_t)x;
  float f = (float)(int64_t)((x >> 1) | (x & 1));
  return f + f;
}
static inline double vm_f64_convert_u64(uint64_t x) {
  if (x < 0x8000000000000000ull) return (double)(int64_t)x;
  double d = (double)(int64_t)((x >> 1) | (x & 1));
  return d + d;
}
/* Signed conversions: the C casts are single correctly-rounded conversions. */
static inline float vm_f32_convert_s64(uint64_t x) { return (float)(int64_t)x; }
static inline double vm_f64_convert_s64(uint64_t x) { return (double)(int64_t)x; }
static inline float vm_f32_convert_s32(uint32_t x) { return (float)(int32_t)x; }
static inline double vm_f64_convert_s32(uint32_t x) { return (double)(int32_t)x; }
/* Through i64 so the conversion is a single rounding of the exact value. */
static inline float vm_f32_convert_u32(uint32_t x) { return (float)(int64_t)x; }
static inline double vm_f64_convert_u32(uint32_t x) { return (double)x; }

/* ---- float -> int with traps (spec 4.3.3 trunc_u / trunc_s): NaN is an
 * invalid conversion; a value whose truncation is not representable is an
 * integer overflow. The bounds are exact powers of two (and -2^31 - 1 for
 * f64, which can represent it), so the comparisons are exact and the C casts
 * below only ever see in-range values. ------------------------------------ */

#define VM_TRUNC_CHECKED(name, ftype, rtype, ctype, lo_ok, hi)       \
  static inline vm_num_trap name(ftype x, rtype *out) {             \
    if (x != x) return VM_NUM_INVALID_CONV;                         \
    if (!(lo_ok) || !(x < (hi))) return VM_NUM_OVERFLOW;            \
    *out = (rtype)(ctype)x;                                         \
    return VM_NUM_OK;                                               \
  }
VM_TRUNC_CHECKED(vm_i32_trunc_f32_s, float, uint32_t, int32_t, x >= -2147483648.0f, 2147483648.0f)
VM_TRUNC_CHECKED(vm_i32_trunc_f32_u, float, uint32_t, uint32_t, x > -1.0f, 4294967296.0f)
VM_TRUNC_CHECKED(vm_i32_trunc_f64_s, double, uint32_t, int32_t, x > -2147483649.0, 2147483648.0)
VM_TRUNC_CHECKED(vm_i32_trunc_f64_u, double, uint32_t, uint32_t, x > -1.0, 4294967296.0)
VM_TRUNC_CHECKED(vm_i64_trunc_f32_s, float, uint64_t, int64_t,
                 x >= -9223372036854775808.0f, 9223372036854775808.0f)
VM_TRUNC_CHECKED(vm_i64_trunc_f32_u, float, uint64_t, uint64_t, x > -1.0f, 18446744073709551616.0f)
VM_TRUNC_CHECKED(vm_i64_trunc_f64_s, double, uint64_t, int64_t,
                 x >= -9223372036854775808.0, 9223372036854775808.0)
VM_TRUNC_CHECKED(vm_i64_trunc_f64_u, double, uint64_t, uint64_t, x > -1.0, 18446744073709551616.0)
#undef VM_TRUNC_CHECKED

/* Saturating variants (spec 4.3.3 trunc_sat_u / trunc_sat_s): NaN gives 0,
 * out of range clamps to the nearest bound. */
#define VM_TRUNC_SAT(name, ftype, rtype, ctype, lo_ok, lo_val, hi, hi_val) \
  static inline rtype name(ftype x) {                                     \
    if (x != x) return 0;                                                 \
    if (!(lo_ok)) return (rtype)(lo_val);                                 \
    if (!(x < (hi))) return (rtype)(hi_val);                              \
    return (rtype)(ctype)x;                                               \
  }
VM_TRUNC_SAT(vm_i32_trunc_sat_f32_s, float, uint32_t, int32_t, x >= -2147483648.0f,
             0x80000000u, 2147483648.0f, 0x7fffffffu)
VM_TRUNC_SAT(vm_i32_trunc_sat_f32_u, float, uint32_t, uint32_t, x > -1.0f, 0u,
             4294967296.0f, 0xffffffffu)
VM_TRUNC_SAT(vm_i32_trunc_sat_f64_s, double, uint32_t, int32_t, x > -2147483649.0,
             0x80000000u, 2147483648.0, 0x7fffffffu)
VM_TRUNC_SAT(vm_i32_trunc_sat_f64_u, double, uint32_t, uint32_t, x > -1.0, 0u,
             4294967296.0, 0xffffffffu)
VM_TRUNC_SAT(vm_i64_trunc_sat_f32_s, float, uint64_t, int64_t, x >= -9223372036854775808.0f,
             0x8000000000000000ull, 9223372036854775808.0f, 0x7fffffffffffffffull)
VM_TRUNC_SAT(vm_i64_trunc_sat_f32_u, float, uint64_t, uint64_t, x > -1.0f, 0u,
             18446744073709551616.0f, 0xffffffffffffffffull)
VM_TRUNC_SAT(vm_i64_trunc_sat_f64_s, double, uint64_t, int64_t, x >= -9223372036854775808.0,
             0x8000000000000000ull, 9223372036854775808.0, 0x7fffffffffffffffull)
VM_TRUNC_SAT(vm_i64_trunc_sat_f64_u, double, uint64_t, uint64_t, x > -1.0, 0u,
             18446744073709551616.0, 0xffffffffffffffffull)
#undef VM_TRUNC_SAT

/* ---- integer bit counting (spec 4.3.2 iclz / ictz / ipopcnt) ------------ */

#if defined(__GNUC__) && !defined(__TINYC__)
static inline uint32_t vm_i32_clz(uint32_t x) { return x ? (uint32_t)__builtin_clz(x) : 32; }
static inline uint32_t vm_i32_ctz(uint32_t x) { return x ? (uint32_t)__builtin_ctz(x) : 32; }
static inline uint32_t vm_i32_popcnt(uint32_t x) { return (uint32_t)__builtin_popcount(x); }
static inline uint64_t vm_i64_clz(uint64_t x) { return x ? (uint64_t)__builtin_clzll(x) : 64; }
static inline uint64_t vm_i64_ctz(uint64_t x) { return x ? (uint64_t)__builtin_ctzll(x) : 64; }
static inline uint64_t vm_i64_popcnt(uint64_t x) { return (uint64_t)__builtin_popcountll(x); }
#else
static inline uint64_t vm_i64_clz(uint64_t x) {
  uint64_t n = 0;
  if (!x) return 64;
  while (!(x & 0x8000000000000000ull)) { x <<= 1; n++; }
  return n;
}
static inline uint64_t vm_i64_ctz(uint64_t x) {
  uint64_t n = 0;
  if (!x) return 64;
  while (!(x & 1)) { x >>= 1; n++; }
  return n;
}
static inline uint64_t vm_i64_popcnt(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return (x * 0x0101010101010101ull) >> 56;
}
static inline uint32_t vm_i32_clz(uint32_t x) { return (uint32_t)vm_i64_clz(x) - 32; }
static inline uint32_t vm_i32_ctz(uint32_t x) { return x ? (uint32_t)vm_i64_ctz(x) : 32; }
static inline uint32_t vm_i32_popcnt(uint32_t x) { return (uint32_t)vm_i64_popcnt(x); }
#endif

/* ---- shifts and rotates: the count is taken modulo the width (spec 4.3.2
 * ishl / ishr / irotl), which also keeps the C shifts defined. ------------- */

static inline uint32_t vm_i32_shl(uint32_t x, uint32_t n) { return x << (n & 31); }
static inline uint32_t vm_i32_shr_u(uint32_t x, uint32_t n) { return x >> (n & 31); }
/* Right shift of a negative signed value is implementation-defined in C, so
 * shift the complement instead: ~(~x >> n) fills with ones. */
static inline uint32_t vm_i32_shr_s(uint32_t x, uint32_t n) {
  n &= 31;
  return (x & 0x80000000u) ? ~(~x >> n) : x >> n;
}
static inline uint32_t vm_i32_rotl(uint32_t x, uint32_t n) {
  return (x << (n & 31)) | (x >> ((32 - n) & 31));
}
static inline uint32_t vm_i32_rotr(uint32_t x, uint32_t n) {
  return (x >> (n & 31)) | (x << ((32 - n) & 31));
}
static inline uint64_t vm_i64_shl(uint64_t x, uint64_t n) { return x << (n & 63); }
static inline uint64_t vm_i64_shr_u(uint64_t x, uint64_t n) { return x >> (n & 63); }
static inline uint64_t vm_i64_shr_s(uint64_t x, uint64_t n) {
  n &= 63;
  return (x & 0x8000000000000000ull) ? ~(~x >> n) : x >> n;
}
static inline uint64_t vm_i64_rotl(uint64_t x, uint64_t n) {
  return (x << (n & 63)) | (x >> ((64 - n) & 63));
}
static inline uint64_t vm_i64_rotr(uint64_t x, uint64_t n) {
  return (x >> (n & 63)) | (x << ((64 - n) & 63));
}

/* ---- sign extension (spec 4.3.2 iextend_s): xor-subtract in unsigned
 * arithmetic avoids implementation-defined narrowing casts. --------------- */

static inline uint32_t vm_i32_extend8_s(uint32_t x) { return ((x & 0xffu) ^ 0x80u) - 0x80u; }
static inline uint32_t vm_i32_extend16_s(uint32_t x) { return ((x & 0xffffu) ^ 0x8000u) - 0x8000u; }
static inline uint64_t vm_i64_extend8_s(uint64_t x) { return ((x & 0xffu) ^ 0x80u) - 0x80u; }
static inline uint64_t vm_i64_extend16_s(uint64_t x) { return ((x & 0xffffu) ^ 0x8000u) - 0x8000u; }
static inline uint64_t vm_i64_extend32_s(uint64_t x) {
  return ((x & 0xffffffffull) ^ 0x80000000ull) - 0x80000000ull;
}

/* ---- division (spec 4.3.2 idiv / irem): divide by zero traps; div_s of
 * INT_MIN by -1 overflows and traps; rem_s of INT_MIN by -1 is 0 (and must
 * not be computed in C, where it is undefined). ------------------------------ */

static inline vm_num_trap vm_i32_div_s(uint32_t a, uint32_t b, uint32_t *out) {
  if (b == 0) return VM_NUM_DIV_ZERO;
  if (a == 0x80000000u && b == 0xffffffffu) return VM_NUM_OVERFLOW;
  *out = (uint32_t)((int32_t)a / (int32_t)b);
  return VM_NUM_OK;
}
static inline vm_num_trap vm_i32_div_u(uint32_t a, uint32_t b, uint32_t *out) {
  if (b == 0) return VM_NUM_DIV_ZERO;
  *out = a / b;
  return VM_NUM_OK;
}
static inline vm_num_trap vm_i32_rem_s(uint32_t a, uint32_t b, uint32_t *out) {
  if (b == 0) return VM_NUM_DIV_ZERO;
  *out = (b == 0xffffffffu) ? 0 : (uint32_t)((int32_t)a % (int32_t)b);
  return VM_NUM_OK;
}
static inline vm_num_trap vm_i32_rem_u(uint32_t a, uint32_t b, uint32_t *out) {
  if (b == 0) return VM_NUM_DIV_ZERO;
  *out = a % b;
  return VM_NUM_OK;
}
static inline vm_num_trap vm_i64_div_s(uint64_t a, uint64_t b, uint64_t *out) {
  if (b == 0) return VM_NUM_DIV_ZERO;
  if (a == 0x8000000000000000ull && b == 0xffffffffffffffffull) return VM_NUM_OVERFLOW;
  *out = (uint64_t)((int64_t)a / (int64_t)b);
  return VM_NUM_OK;
}
static inline vm_num_trap vm_i64_div_u(uint64_t a, uint64_t b, uint64_t *out) {
  if (b == 0) return VM_NUM_DIV_ZERO;
  *out = a / b;
  return VM_NUM_OK;
}
static inline vm_num_trap vm_i64_rem_s(uint64_t a, uint64_t b, uint64_t *out) {
  if (b == 0) return VM_NUM_DIV_ZERO;
  *out = (b == 0xffffffffffffffffull) ? 0 : (uint64_t)((int64_t)a % (int64_t)b);
  return VM_NUM_OK;
}
static inline vm_num_trap vm_i64_rem_u(uint64_t a, uint64_t b, uint64_t *out) {
  if (b == 0) return VM_NUM_DIV_ZERO;
  *out = a % b;
  return VM_NUM_OK;
}

#endif
