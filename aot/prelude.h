/* ---- the AOT prelude proper (text embedded after numeric.h and abi.h;
 * AOT_BOUNDS_CHECK and the AOT_OFF_* layout constants are defined by the
 * emitter before it, from runtime/rt.h via offsetof) ---- */

typedef struct { uint64_t lo, hi; } v128;
typedef void (*aot_simd_fn)(v128 *r, const v128 *a, const v128 *b,
                            const v128 *c, const uint8_t *imm);

#if defined(__GNUC__) && !defined(__TINYC__)
/* Wasm memory is unaligned and untyped: accesses go through types that may
 * alias anything and carry no alignment promise (gcc/clang); tcc does no
 * alias analysis and x86-64/aarch64 load unaligned words natively. */
typedef uint8_t au8 __attribute__((may_alias));
typedef int8_t ai8 __attribute__((may_alias));
typedef uint16_t au16 __attribute__((aligned(1), may_alias));
typedef int16_t ai16 __attribute__((aligned(1), may_alias));
typedef uint32_t au32 __attribute__((aligned(1), may_alias));
typedef int32_t ai32 __attribute__((aligned(1), may_alias));
typedef uint64_t au64 __attribute__((aligned(1), may_alias));
typedef float af32 __attribute__((aligned(1), may_alias));
typedef double af64 __attribute__((aligned(1), may_alias));
typedef uintptr_t aref __attribute__((may_alias));
#define AOT_UNREACHABLE __builtin_unreachable()
#define AOT_FRAME ((uintptr_t)__builtin_frame_address(0))
#define aot_sqrtf(x) __builtin_sqrtf(x)
#define aot_sqrt(x) __builtin_sqrt(x)
#define AOT_LIKELY(x) __builtin_expect(!!(x), 1)
#else
typedef uint8_t au8;
typedef int8_t ai8;
typedef uint16_t au16;
typedef int16_t ai16;
typedef uint32_t au32;
typedef int32_t ai32;
typedef uint64_t au64;
typedef float af32;
typedef double af64;
typedef uintptr_t aref;
#define AOT_UNREACHABLE ((void)0)
#define AOT_FRAME ((uintptr_t)__builtin_frame_address(0))
float sqrtf(float);
double sqrt(double);
#define aot_sqrtf(x) sqrtf(x)
#define aot_sqrt(x) sqrt(x)
#define AOT_LIKELY(x) (x)
#endif

#define LD(T, p) (*(T *)(p))
/* A trapping store writes nothing (spec 4.4.7): a store split into parts
 * that runs past the end of memory must fault before its first part.
 * Reading the last byte first does that (guard-page build; the checked
 * build checks the whole range). SIMD stores are memcpy calls, which may
 * split anywhere; scalar ones only where the compiler splits unaligned
 * stores (GCC's generic RISC-V tuning), which also decides the order: the
 * value is computed first, as wasm does. */
#if AOT_BOUNDS_CHECK
#define AOT_PROBE_LAST(p, n) ((void)0)
#else
#define AOT_PROBE_LAST(p, n) ((void)*(volatile const uint8_t *)((const uint8_t *)(p) + (n) - 1))
#endif
#if defined(__riscv) && !AOT_BOUNDS_CHECK
#define ST(T, p, v) __extension__({ T st_v_ = (v); uint8_t *st_p_ = (uint8_t *)(p); \
  AOT_PROBE_LAST(st_p_, sizeof(T)); *(T *)st_p_ = st_v_; })
#else
#define ST(T, p, v) (*(T *)(p) = (v))
#endif
#define GLOBAL(T, e, i) (*(T *)(e)->g[i])
#define FIELD(T, p, off) (*(T *)((char *)(p) + (off)))

/* Native stack guard: compilers' frames differ in size, so the limit is on
 * the stack address itself, set by aot_rt_enter from the outermost rt_call
 * (see aot/rtlib.c). */
#define AOT_STACK_CHECK(e) \
  if (AOT_FRAME < (e)->stack_limit) aot_rt_trap((e), AOT_TRAP_STACK_EXHAUSTED)

/* Bit casts, as bit operations on the representation (spec 4.3.3: neg, abs
 * and copysign act on the sign bit only, NaN payloads untouched). */
typedef union { float f; uint32_t u; } aot_pun32;
typedef union { double f; uint64_t u; } aot_pun64;
static inline float f32_from(uint32_t u) { aot_pun32 p; p.u = u; return p.f; }
static inline double f64_from(uint64_t u) { aot_pun64 p; p.u = u; return p.f; }
static inline uint32_t f32_bits(float f) { aot_pun32 p; p.f = f; return p.u; }
static inline uint64_t f64_bits(double f) { aot_pun64 p; p.f = f; return p.u; }
static inline float f32_neg(float f) { aot_pun32 p; p.f = f; p.u ^= 0x80000000u; return p.f; }
static inline float f32_abs(float f) { aot_pun32 p; p.f = f; p.u &= 0x7fffffffu; return p.f; }
static inline float f32_copysign(float a, float b) {
  aot_pun32 p, q; p.f = a; q.f = b;
  p.u = (p.u & 0x7fffffffu) | (q.u & 0x80000000u);
  return p.f;
}
static inline double f64_neg(double f) { aot_pun64 p; p.f = f; p.u ^= 0x8000000000000000ull; return p.f; }
static inline double f64_abs(double f) { aot_pun64 p; p.f = f; p.u &= 0x7fffffffffffffffull; return p.f; }
static inline double f64_copysign(double a, double b) {
  aot_pun64 p, q; p.f = a; q.f = b;
  p.u = (p.u & 0x7fffffffffffffffull) | (q.u & 0x8000000000000000ull);
  return p.f;
}

/* Trapping numerics on top of numeric.h: the vm_num_trap codes map to the
 * runtime's trap kinds. */
static inline void aot_num_trap(aot_env *e, vm_num_trap t) {
  aot_rt_trap(e, t == VM_NUM_DIV_ZERO ? AOT_TRAP_INT_DIV_ZERO
                 : t == VM_NUM_OVERFLOW ? AOT_TRAP_INT_OVERFLOW
                                        : AOT_TRAP_INVALID_CONVERSION);
}
#define AOT_CHECKED2(name, T)                                 \
  static inline T aot_##name(aot_env *e, T a, T b) {                 \
    T r = 0;                                                  \
    vm_num_trap t = vm_##name(a, b, &r);                      \
    if (t) aot_num_trap(e, t);                                \
    return r;                                                 \
  }
AOT_CHECKED2(i32_div_s, uint32_t)
AOT_CHECKED2(i32_div_u, uint32_t)
AOT_CHECKED2(i32_rem_s, uint32_t)
AOT_CHECKED2(i32_rem_u, uint32_t)
AOT_CHECKED2(i64_div_s, uint64_t)
AOT_CHECKED2(i64_div_u, uint64_t)
AOT_CHECKED2(i64_rem_s, uint64_t)
AOT_CHECKED2(i64_rem_u, uint64_t)
#define AOT_CHECKED1(name, R, A)                              \
  static inline R aot_##name(aot_env *e, A a) {                      \
    R r = 0;                                                  \
    vm_num_trap t = vm_##name(a, &r);                         \
    if (t) aot_num_trap(e, t);                                \
    return r;                                                 \
  }
AOT_CHECKED1(i32_trunc_f32_s, uint32_t, float)
AOT_CHECKED1(i32_trunc_f32_u, uint32_t, float)
AOT_CHECKED1(i32_trunc_f64_s, uint32_t, double)
AOT_CHECKED1(i32_trunc_f64_u, uint32_t, double)
AOT_CHECKED1(i64_trunc_f32_s, uint64_t, float)
AOT_CHECKED1(i64_trunc_f32_u, uint64_t, float)
AOT_CHECKED1(i64_trunc_f64_s, uint64_t, double)
AOT_CHECKED1(i64_trunc_f64_u, uint64_t, double)

/* Raw calls (imports, call_indirect to code outside this module): the
 * callee's rt_func.entry with the uint64_t slot array. */
typedef void (*aot_entry_fn)(void *ex, void *f, uint64_t *slots);
#define AOT_CALL_RAW(e, f, slots) \
  ((aot_entry_fn)FIELD(void *, (f), AOT_OFF_FUNC_ENTRY))((e)->ex, (f), (slots))

/* Memory 0 effective addresses: ea = i + memarg.offset in 64 bits (spec
 * 4.4.7), so it never wraps. Guard-page build: a plain offset from the
 * cached base, the guard region turns an out-of-bounds access into a trap.
 * Bounds-checked build: checked by the runtime on every access. */
#if AOT_BOUNDS_CHECK
#define EA(addr, off, n) aot_rt_ea(e, (uint64_t)(addr) + (off), (n))
#else
#define EA(addr, off, n) (mem + (uint64_t)(addr) + (off))
#endif
