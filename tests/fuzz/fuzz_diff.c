/* libFuzzer differential harness: the interpreter and the AOT engine must
 * agree (DESIGN.md decision 6: results bit-identical whichever engine runs).
 *
 * An input is either a module (it starts with "\0asm": the spec suite's
 * modules seed the corpus) or, far more often once mutated, the choices of
 * a small typed generator that writes a valid module from them (gen_module).
 * The module is instantiated twice, in separate stores, on RT_ENGINE_INTERP
 * and on RT_ENGINE_AOT, with identical stand-ins for its imports (host
 * functions returning zeros; memories, tables and globals of the imported
 * type). Every exported function is called on both with the same arguments,
 * and any difference in results, trap kind, memory contents or globals
 * aborts.
 *
 * Termination: AOT code has no fuel, so the interpreter always runs first
 * under a fuel budget. When it runs out, the module may loop forever and
 * the comparison stops there (the AOT side is never started); when it
 * finishes, the AOT code computes the same and finishes too, unless it is
 * wrong, which libFuzzer's -timeout reports. Generated code loops only on
 * counters it does not otherwise touch and calls only lower-numbered
 * functions, so it always terminates and fuel rarely cuts it short.
 *
 * Allowed differences: "call stack exhausted" happens at engine-specific
 * depths, so it ends the comparison (state may legitimately differ after
 * it); NaN results compare by NaN-ness (spec 4.3.3: NaN payloads of
 * arithmetic results are nondeterministic). NaN bits must not reach state
 * either: the generator canonicalizes every float before it becomes bits
 * (gen_canon), and raw modules with NaN-producing float arithmetic have
 * only their results and traps compared (has_nan_arith).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt.h"
#include "vm/instr.h"
#include "vm/module.h"
#include "vm/validate.h"

#include "tests/fuzz/stand_in.h"

enum { FUZZ_FUEL = 200000, FUZZ_MAX_PAGES = 16 };

/* ---- input bytes as a stream of choices ---- */

typedef struct {
  const uint8_t *p;
  size_t n, at;
} choices;

static uint32_t pick8(choices *c) { return c->at < c->n ? c->p[c->at++] : 0; }

/* A number in [0, n). Out of input, 0: the smallest choice, so every input
 * ends in a short, valid module. */
static uint32_t pick(choices *c, uint32_t n) { return n ? pick8(c) % n : 0; }

static uint64_t pick64(choices *c) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = v << 8 | pick8(c);
  return v;
}

/* Values that find edge cases (bounds, signs, NaN, infinities, rounding)
 * more often than uniform bits do. */
static uint64_t pick_bits(choices *c, uint8_t type) {
  static const uint64_t i32s[] = {0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff,
                                  0xfffe, 0x10000, 31, 32, 0xfff0};
  static const uint64_t i64s[] = {0, 1, 0x7fffffffffffffffull,
                                  0x8000000000000000ull, UINT64_MAX, 63, 64,
                                  0x100000000ull, 0xffffffffull};
  static const uint64_t f32s[] = {0, 0x80000000, 0x3f800000, 0xbf800000,
                                  0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000,
                                  0x7fa00001, 0x4f000000, 0xcf000000, 0x5f000000,
                                  0x3f000000, 0x00000001, 0x4effffff};
  static const uint64_t f64s[] = {0, 0x8000000000000000ull, 0x3ff0000000000000ull,
                                  0xbff0000000000000ull, 0x7ff0000000000000ull,
                                  0xfff0000000000000ull, 0x7ff8000000000000ull,
                                  0x7ff4000000000001ull, 0x41e0000000000000ull,
                                  0xc1e0000000000000ull, 0x43e0000000000000ull,
                                  0x3fe0000000000000ull, 0x41efffffffe00000ull};
#define PICK_FROM(a) a[pick(c, sizeof a / sizeof a[0])]
  uint32_t how = pick(c, 4);
  switch (type) {
  case VM_I32: return how ? PICK_FROM(i32s) : (uint32_t)pick64(c);
  case VM_I64: return how ? PICK_FROM(i64s) : pick64(c);
  case VM_F32: return how ? PICK_FROM(f32s) : (uint32_t)pick64(c);
  case VM_F64: return how ? PICK_FROM(f64s) : pick64(c);
  default: return 0;
  }
#undef PICK_FROM
}

/* ---- byte buffers with LEB128 ---- */

typedef struct {
  uint8_t *p;
  size_t n, cap;
  bool oom;
} bytes;

static void put(bytes *b, uint8_t v) {
  if (b->n == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 256;
    uint8_t *p = realloc(b->p, cap);
    if (!p) {
      b->oom = true;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  b->p[b->n++] = v;
}

static void put_u(bytes *b, uint64_t v) {
  do {
    uint8_t x = v & 0x7f;
    v >>= 7;
    put(b, (uint8_t)(x | (v ? 0x80 : 0)));
  } while (v);
}

static void put_s(bytes *b, int64_t v) {
  for (;;) {
    uint8_t x = v & 0x7f;
    v >>= 7; /* arithmetic on every compiler this builds with */
    bool done = (v == 0 && !(x & 0x40)) || (v == -1 && (x & 0x40));
    put(b, (uint8_t)(x | (done ? 0 : 0x80)));
    if (done) return;
  }
}

static void put_bytes(bytes *b, const void *p, size_t n) {
  for (size_t i = 0; i < n; i++) put(b, ((const uint8_t *)p)[i]);
}

static void put_name(bytes *b, const char *s) {
  put_u(b, strlen(s));
  put_bytes(b, s, strlen(s));
}

static void put_section(bytes *m, uint8_t id, bytes *body) {
  put(m, id);
  put_u(m, body->n);
  put_bytes(m, body->p, body->n);
  body->n = 0;
}

/* ---- the generator ---- */

enum {
  MAX_FUNCS = 5,       /* defined functions */
  MAX_PARAMS = 3,
  MAX_RESULTS = 2,
  NCOUNTERS = 3,       /* loop counters per function: loops nest this deep */
  EXTRA_LOCALS = 2,    /* per numeric type */
  MAX_DEPTH = 5,       /* expression nesting */
  MAX_STMTS = 6,
  BUDGET = 400,        /* instructions per function, roughly */
};

static const uint8_t num_types[4] = {VM_I32, VM_I64, VM_F32, VM_F64};

typedef struct {
  uint8_t np, nr;
  uint8_t p[MAX_PARAMS], r[MAX_RESULTS];
} gtype;

typedef struct {
  choices *c;
  bytes *code;
  gtype types[MAX_FUNCS + 1]; /* function i's type (0: the import) */
  uint32_t nfuncs;            /* whole index space, the import included */
  uint32_t self;              /* function being generated */
  uint8_t ltypes[MAX_PARAMS + 4 * EXTRA_LOCALS + NCOUNTERS];
  uint32_t nlocals, first_counter, counters_used;
  uint32_t scratch_f32, scratch_f64; /* gen_canon's locals, after counters */
  uint32_t budget;
  uint32_t blocks;            /* enclosing labels */
} gen;

static void gen_expr(gen *g, uint8_t t, uint32_t depth);
static void gen_stmts(gen *g, uint32_t depth);

static int type_index(uint8_t t) {
  for (int i = 0; i < 4; i++)
    if (num_types[i] == t) return i;
  return 0;
}

static void gen_const(gen *g, uint8_t t) {
  uint64_t v = pick_bits(g->c, t);
  switch (t) {
  case VM_I32: put(g->code, 0x41); put_s(g->code, (int32_t)(uint32_t)v); break;
  case VM_I64: put(g->code, 0x42); put_s(g->code, (int64_t)v); break;
  case VM_F32: {
    uint32_t x = (uint32_t)v;
    put(g->code, 0x43);
    put_bytes(g->code, &x, 4); /* little-endian hosts only, as ferry */
    break;
  }
  default: put(g->code, 0x44); put_bytes(g->code, &v, 8); break;
  }
}

/* A local of type t that is not a loop counter, or -1. */
static int pick_local(gen *g, uint8_t t) {
  uint32_t n = 0, cand[32];
  for (uint32_t i = 0; i < g->first_counter; i++)
    if (g->ltypes[i] == t) cand[n++] = i;
  return n ? (int)cand[pick(g->c, n)] : -1;
}

static void gen_leaf(gen *g, uint8_t t) {
  switch (pick(g->c, 3)) {
  case 1: {
    int l = pick_local(g, t);
    if (l >= 0) {
      put(g->code, 0x20);
      put_u(g->code, (uint32_t)l);
      return;
    }
    break;
  }
  case 2: /* globals 0..3: one mutable global per numeric type */
    put(g->code, 0x23);
    put_u(g->code, (uint32_t)type_index(t) + 1); /* 0 is the import */
    return;
  default: break;
  }
  gen_const(g, t);
}

/* Canonicalizes the f32/f64 value on top of the stack (other types are left
 * alone): x -> (select x nan (t.eq x x)). Spec 4.3.3 lets either engine
 * give any NaN (payload and sign) for an arithmetic result, so a NaN's bits
 * may differ legitimately; before a float becomes observable as bits (a
 * store, a reinterpret, a global, the sign source of copysign) it is
 * replaced by the positive canonical NaN, which compares exactly. Non-NaN
 * values pass unchanged, and the scratch local is dead right after, so
 * nested uses (inside x) cannot clobber it. */
static void gen_canon(gen *g, uint8_t t) {
  if (t != VM_F32 && t != VM_F64) return;
  uint32_t s = t == VM_F32 ? g->scratch_f32 : g->scratch_f64;
  put(g->code, 0x22); /* local.tee */
  put_u(g->code, s);
  if (t == VM_F32) {
    uint32_t nan = 0x7fc00000u;
    put(g->code, 0x43);
    put_bytes(g->code, &nan, 4);
  } else {
    uint64_t nan = 0x7ff8000000000000ull;
    put(g->code, 0x44);
    put_bytes(g->code, &nan, 8);
  }
  put(g->code, 0x20);
  put_u(g->code, s);
  put(g->code, 0x20);
  put_u(g->code, s);
  put(g->code, t == VM_F32 ? 0x5b : 0x61); /* f32.eq / f64.eq */
  put(g->code, 0x1b);                      /* select */
}

/* An address for an access of n bytes: usually masked into the first page
 * (a trap only at its very end), sometimes anything (mostly traps). */
static void gen_addr(gen *g, uint32_t depth) {
  gen_expr(g, VM_I32, depth + 1);
  if (pick(g->c, 8)) {
    put(g->code, 0x41);
    put_s(g->code, pick(g->c, 2) ? 0xff : 0xffff);
    put(g->code, 0x71); /* i32.and */
  }
}

static void gen_memarg(gen *g) {
  put_u(g->code, 0); /* align 1: always valid, and wasm ignores it anyway */
  put_u(g->code, pick(g->c, 4) ? pick(g->c, 9) : pick8(g->c) << 8);
}

typedef struct {
  uint8_t op;
  uint8_t from; /* operand type */
} conv;

/* Conversions to each type (the opcode and its operand's type). */
static const conv convs_i32[] = {
    {0xa7, VM_I64}, {0xa8, VM_F32}, {0xa9, VM_F32}, {0xaa, VM_F64},
    {0xab, VM_F64}, {0xbc, VM_F32}, {0xc0, VM_I32}, {0xc1, VM_I32},
    {0x45, VM_I32}, {0x50, VM_I64}, {0x67, VM_I32}, {0x68, VM_I32},
    {0x69, VM_I32}};
static const conv convs_i64[] = {
    {0xac, VM_I32}, {0xad, VM_I32}, {0xae, VM_F32}, {0xaf, VM_F32},
    {0xb0, VM_F64}, {0xb1, VM_F64}, {0xbd, VM_F64}, {0xc2, VM_I64},
    {0xc3, VM_I64}, {0xc4, VM_I64}, {0x79, VM_I64}, {0x7a, VM_I64},
    {0x7b, VM_I64}};
static const conv convs_f32[] = {
    {0xb2, VM_I32}, {0xb3, VM_I32}, {0xb4, VM_I64}, {0xb5, VM_I64},
    {0xb6, VM_F64}, {0xbe, VM_I32}, {0x8b, VM_F32}, {0x8c, VM_F32},
    {0x8d, VM_F32}, {0x8e, VM_F32}, {0x8f, VM_F32}, {0x90, VM_F32},
    {0x91, VM_F32}};
static const conv convs_f64[] = {
    {0xb7, VM_I32}, {0xb8, VM_I32}, {0xb9, VM_I64}, {0xba, VM_I64},
    {0xbb, VM_F32}, {0xbf, VM_I64}, {0x99, VM_F64}, {0x9a, VM_F64},
    {0x9b, VM_F64}, {0x9c, VM_F64}, {0x9d, VM_F64}, {0x9e, VM_F64},
    {0x9f, VM_F64}};

static void gen_unary(gen *g, uint8_t t, uint32_t depth) {
  const conv *cs;
  uint32_t n;
  switch (t) {
  case VM_I32: cs = convs_i32; n = sizeof convs_i32 / sizeof *cs; break;
  case VM_I64: cs = convs_i64; n = sizeof convs_i64 / sizeof *cs; break;
  case VM_F32: cs = convs_f32; n = sizeof convs_f32 / sizeof *cs; break;
  default: cs = convs_f64; n = sizeof convs_f64 / sizeof *cs; break;
  }
  /* Saturating truncations (0xfc 0..7) are the integer types' extra ops. */
  if ((t == VM_I32 || t == VM_I64) && !pick(g->c, 5)) {
    uint32_t k = pick(g->c, 4);
    gen_expr(g, (k & 2) ? VM_F64 : VM_F32, depth + 1);
    put(g->code, 0xfc);
    put_u(g->code, (t == VM_I64 ? 4 : 0) + k);
    return;
  }
  const conv *cv = &cs[pick(g->c, n)];
  gen_expr(g, cv->from, depth + 1);
  /* i32.reinterpret_f32, i64.reinterpret_f64: the float's bits become an
   * integer, compared exactly from then on. */
  if (cv->op == 0xbc || cv->op == 0xbd) gen_canon(g, cv->from);
  put(g->code, cv->op);
}

static void gen_binary(gen *g, uint8_t t, uint32_t depth) {
  /* First opcode and count of each type's binary operators. */
  static const uint8_t first[4] = {0x6a, 0x7c, 0x92, 0xa0};
  static const uint8_t count[4] = {15, 15, 7, 7};
  int k = type_index(t);
  gen_expr(g, t, depth + 1);
  gen_expr(g, t, depth + 1);
  uint8_t op = (uint8_t)(first[k] + pick(g->c, count[k]));
  /* copysign (f32 0x98, f64 0xa6) makes its second operand's sign bit
   * observable on a non-NaN result, and a NaN's sign is nondeterministic. */
  if (op == 0x98 || op == 0xa6) gen_canon(g, t);
  put(g->code, op);
}

static void gen_compare(gen *g, uint32_t depth) {
  static const uint8_t first[4] = {0x46, 0x51, 0x5b, 0x61};
  static const uint8_t count[4] = {10, 10, 6, 6};
  int k = (int)pick(g->c, 4);
  gen_expr(g, num_types[k], depth + 1);
  gen_expr(g, num_types[k], depth + 1);
  put(g->code, (uint8_t)(first[k] + pick(g->c, count[k])));
}

static void gen_load(gen *g, uint8_t t, uint32_t depth) {
  static const uint8_t i32_ops[] = {0x28, 0x2c, 0x2d, 0x2e, 0x2f};
  static const uint8_t i64_ops[] = {0x29, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35};
  gen_addr(g, depth);
  switch (t) {
  case VM_I32: put(g->code, i32_ops[pick(g->c, sizeof i32_ops)]); break;
  case VM_I64: put(g->code, i64_ops[pick(g->c, sizeof i64_ops)]); break;
  case VM_F32: put(g->code, 0x2a); break;
  default: put(g->code, 0x2b); break;
  }
  gen_memarg(g);
}

static void gen_store(gen *g, uint32_t depth) {
  static const struct { uint8_t op, t; } ops[] = {
      {0x36, VM_I32}, {0x37, VM_I64}, {0x38, VM_F32}, {0x39, VM_F64},
      {0x3a, VM_I32}, {0x3b, VM_I32}, {0x3c, VM_I64}, {0x3d, VM_I64},
      {0x3e, VM_I64}};
  uint32_t k = pick(g->c, sizeof ops / sizeof *ops);
  gen_addr(g, depth);
  gen_expr(g, ops[k].t, depth + 1);
  gen_canon(g, ops[k].t); /* f32/f64.store: memory is compared bytewise */
  put(g->code, ops[k].op);
  gen_memarg(g);
}

static void put_blocktype(gen *g, int t) {
  put(g->code, t < 0 ? 0x40 : (uint8_t)t);
}

/* Arguments of a call to function f, then the call (direct, or through the
 * table at an index below self so that the call graph has no cycles). */
static void gen_call(gen *g, uint32_t f, uint32_t depth) {
  const gtype *ty = &g->types[f];
  for (uint32_t i = 0; i < ty->np; i++) gen_expr(g, ty->p[i], depth + 1);
  if (pick(g->c, 3)) {
    put(g->code, 0x10);
    put_u(g->code, f);
    return;
  }
  /* call_indirect: mostly slot f itself, else any lower slot (a type
   * mismatch traps), rarely one past the table (undefined element). */
  switch (pick(g->c, 4)) {
  case 0:
    gen_expr(g, VM_I32, depth + 1);
    put(g->code, 0x41);
    put_s(g->code, (int32_t)g->self);
    put(g->code, 0x70); /* i32.rem_u */
    break;
  case 1:
    put(g->code, 0x41);
    put_s(g->code, pick(g->c, 2) ? (int32_t)g->nfuncs : -1);
    break;
  default:
    put(g->code, 0x41);
    put_s(g->code, (int32_t)f);
    break;
  }
  put(g->code, 0x11);
  put_u(g->code, f); /* type f is function f's type */
  put_u(g->code, 0);
}

/* A callee below self with exactly one result of type t, or -1. */
static int pick_callee(gen *g, uint8_t t, bool any) {
  uint32_t n = 0, cand[MAX_FUNCS + 1];
  for (uint32_t f = 0; f < g->self; f++)
    if (any || (g->types[f].nr == 1 && g->types[f].r[0] == t)) cand[n++] = f;
  return n ? (int)cand[pick(g->c, n)] : -1;
}

static void gen_expr(gen *g, uint8_t t, uint32_t depth) {
  if (g->budget) g->budget--;
  if (depth >= MAX_DEPTH || !g->budget || !pick(g->c, 4)) {
    gen_leaf(g, t);
    return;
  }
  switch (pick(g->c, 12)) {
  case 0:
  case 1:
  case 2: gen_binary(g, t, depth); return;
  case 3: gen_unary(g, t, depth); return;
  case 4:
    if (t == VM_I32) {
      gen_compare(g, depth);
      return;
    }
    gen_binary(g, t, depth);
    return;
  case 5: gen_load(g, t, depth); return;
  case 6: /* select */
    gen_expr(g, t, depth + 1);
    gen_expr(g, t, depth + 1);
    gen_expr(g, VM_I32, depth + 1);
    put(g->code, 0x1b);
    return;
  case 7: /* if with a result; statements inside the arms */
    gen_expr(g, VM_I32, depth + 1);
    put(g->code, 0x04);
    put_blocktype(g, t);
    g->blocks++;
    gen_stmts(g, depth + 1);
    gen_expr(g, t, depth + 1);
    put(g->code, 0x05);
    gen_stmts(g, depth + 1);
    gen_expr(g, t, depth + 1);
    put(g->code, 0x0b);
    g->blocks--;
    return;
  case 8: /* block whose value may leave early through br_if */
    put(g->code, 0x02);
    put_blocktype(g, t);
    g->blocks++;
    gen_expr(g, t, depth + 1);
    gen_expr(g, VM_I32, depth + 1);
    put(g->code, 0x0d);
    put_u(g->code, 0);
    put(g->code, 0x1a); /* drop */
    gen_stmts(g, depth + 1);
    gen_expr(g, t, depth + 1);
    put(g->code, 0x0b);
    g->blocks--;
    return;
  case 9: {
    int f = pick_callee(g, t, false);
    if (f >= 0) {
      gen_call(g, (uint32_t)f, depth);
      return;
    }
    gen_binary(g, t, depth);
    return;
  }
  case 10: {
    int l = pick_local(g, t);
    if (l >= 0) {
      gen_expr(g, t, depth + 1);
      put(g->code, 0x22); /* local.tee */
      put_u(g->code, (uint32_t)l);
      return;
    }
    gen_binary(g, t, depth);
    return;
  }
  default:
    if (t == VM_I32) {
      if (pick(g->c, 2)) {
        put(g->code, 0x3f);
        put(g->code, 0);
      } else {
        gen_expr(g, VM_I32, depth + 1);
        put(g->code, 0x41);
        put_s(g->code, 3);
        put(g->code, 0x71); /* at most 3 pages: the max is small */
        put(g->code, 0x40);
        put(g->code, 0);
      }
      return;
    }
    gen_unary(g, t, depth);
    return;
  }
}

static void gen_stmt(gen *g, uint32_t depth) {
  if (g->budget) g->budget--;
  uint32_t what = depth >= MAX_DEPTH || !g->budget ? pick(g->c, 3) : pick(g->c, 12);
  switch (what) {
  case 0: { /* local.set */
    uint8_t t = num_types[pick(g->c, 4)];
    int l = pick_local(g, t);
    if (l < 0) break;
    gen_expr(g, t, depth + 1);
    put(g->code, 0x21);
    put_u(g->code, (uint32_t)l);
    return;
  }
  case 1: { /* global.set */
    uint32_t k = pick(g->c, 5); /* 4: the imported i64 global */
    gen_expr(g, k == 4 ? VM_I64 : num_types[k], depth + 1);
    gen_canon(g, k == 4 ? VM_I64 : num_types[k]); /* globals: bit-exact */
    put(g->code, 0x24);
    put_u(g->code, k == 4 ? 0 : k + 1);
    return;
  }
  case 2: gen_store(g, depth); return;
  case 3: { /* a loop on a counter of its own: at most 1..8 rounds */
    if (g->counters_used == NCOUNTERS) break;
    uint32_t ctr = g->first_counter + g->counters_used++;
    put(g->code, 0x41);
    put_s(g->code, 1 + pick(g->c, 8));
    put(g->code, 0x21);
    put_u(g->code, ctr);
    put(g->code, 0x03);
    put(g->code, 0x40);
    g->blocks++;
    gen_stmts(g, depth + 1);
    put(g->code, 0x20);
    put_u(g->code, ctr);
    put(g->code, 0x41);
    put_s(g->code, 1);
    put(g->code, 0x6b); /* i32.sub */
    put(g->code, 0x22);
    put_u(g->code, ctr);
    put(g->code, 0x0d);
    put_u(g->code, 0);
    put(g->code, 0x0b);
    g->blocks--;
    g->counters_used--;
    return;
  }
  case 4: /* if/else of statements */
    gen_expr(g, VM_I32, depth + 1);
    put(g->code, 0x04);
    put(g->code, 0x40);
    g->blocks++;
    gen_stmts(g, depth + 1);
    if (pick(g->c, 2)) {
      put(g->code, 0x05);
      gen_stmts(g, depth + 1);
    }
    put(g->code, 0x0b);
    g->blocks--;
    return;
  case 5: /* block left early by br_if, or by br_table to it or outwards */
    put(g->code, 0x02);
    put(g->code, 0x40);
    g->blocks++;
    gen_stmts(g, depth + 1);
    gen_expr(g, VM_I32, depth + 1);
    if (pick(g->c, 2)) {
      put(g->code, 0x0d);
      put_u(g->code, 0);
    } else {
      /* Every target is this block: a loop label would restart a round
       * without counting it down (the counter is tested at the bottom). */
      put(g->code, 0x0e);
      uint32_t n = pick(g->c, 4);
      put_u(g->code, n);
      for (uint32_t i = 0; i <= n; i++) put_u(g->code, 0);
    }
    gen_stmts(g, depth + 1);
    put(g->code, 0x0b);
    g->blocks--;
    return;
  case 6: { /* a call, results dropped */
    int f = pick_callee(g, 0, true);
    if (f < 0) break;
    gen_call(g, (uint32_t)f, depth);
    for (uint32_t i = 0; i < g->types[f].nr; i++) put(g->code, 0x1a);
    return;
  }
  case 7: /* bulk memory, short lengths */
    gen_addr(g, depth);
    if (pick(g->c, 2)) {
      gen_expr(g, VM_I32, depth + 1);
      put(g->code, 0x41);
      put_s(g->code, pick(g->c, 40));
      put(g->code, 0xfc);
      put_u(g->code, 11); /* memory.fill */
      put(g->code, 0);
    } else {
      gen_addr(g, depth);
      put(g->code, 0x41);
      put_s(g->code, pick(g->c, 40));
      put(g->code, 0xfc);
      put_u(g->code, 10); /* memory.copy */
      put(g->code, 0);
      put(g->code, 0);
    }
    return;
  case 8: { /* return, rarely: the rest of the block is dead code */
    if (pick(g->c, 3)) break;
    const gtype *ty = &g->types[g->self];
    for (uint32_t i = 0; i < ty->nr; i++) gen_expr(g, ty->r[i], depth + 1);
    put(g->code, 0x0f);
    return;
  }
  default: break;
  }
  gen_expr(g, num_types[pick(g->c, 4)], depth + 1);
  put(g->code, 0x1a);
}

static void gen_stmts(gen *g, uint32_t depth) {
  uint32_t n = depth >= MAX_DEPTH ? pick(g->c, 2) : pick(g->c, MAX_STMTS);
  for (uint32_t i = 0; i < n; i++) gen_stmt(g, depth);
}

static void gen_functype(choices *c, gtype *t) {
  t->np = (uint8_t)pick(c, MAX_PARAMS + 1);
  t->nr = (uint8_t)pick(c, MAX_RESULTS + 1);
  for (uint32_t i = 0; i < t->np; i++) t->p[i] = num_types[pick(c, 4)];
  for (uint32_t i = 0; i < t->nr; i++) t->r[i] = num_types[pick(c, 4)];
}

/* Writes a module: type i is function i's type; function 0 is the import
 * env.f; globals: 0 the imported mutable i64, 1..4 mutable i32 i64 f32
 * f64; one memory (1 page, max 3) with a data segment; one table holding
 * function i at slot i; every defined function exported. */
static bool gen_module(choices *c, bytes *out) {
  gen g;
  memset(&g, 0, sizeof g);
  g.c = c;
  g.nfuncs = 2 + pick(c, MAX_FUNCS);
  for (uint32_t i = 0; i < g.nfuncs; i++) gen_functype(c, &g.types[i]);
  bytes sec = {0}, code = {0};
  put_bytes(out, "\0asm\1\0\0\0", 8);

  put_u(&sec, g.nfuncs);
  for (uint32_t i = 0; i < g.nfuncs; i++) {
    put(&sec, 0x60);
    put_u(&sec, g.types[i].np);
    put_bytes(&sec, g.types[i].p, g.types[i].np);
    put_u(&sec, g.types[i].nr);
    put_bytes(&sec, g.types[i].r, g.types[i].nr);
  }
  put_section(out, 1, &sec);

  put_u(&sec, 2);
  put_name(&sec, "env");
  put_name(&sec, "f");
  put(&sec, 0);
  put_u(&sec, 0);
  put_name(&sec, "env");
  put_name(&sec, "g");
  put(&sec, 3);
  put(&sec, VM_I64);
  put(&sec, 1);
  put_section(out, 2, &sec);

  put_u(&sec, g.nfuncs - 1);
  for (uint32_t i = 1; i < g.nfuncs; i++) put_u(&sec, i);
  put_section(out, 3, &sec);

  put_u(&sec, 1);
  put(&sec, 0x70);
  put(&sec, 1);
  put_u(&sec, g.nfuncs);
  put_u(&sec, g.nfuncs);
  put_section(out, 4, &sec);

  put_u(&sec, 1);
  put(&sec, 1);
  put_u(&sec, 1);
  put_u(&sec, 3);
  put_section(out, 5, &sec);

  put_u(&sec, 4);
  for (int k = 0; k < 4; k++) {
    put(&sec, num_types[k]);
    put(&sec, 1);
    bytes *save = g.code;
    g.code = &sec;
    gen_const(&g, num_types[k]);
    g.code = save;
    put(&sec, 0x0b);
  }
  put_section(out, 6, &sec);

  put_u(&sec, g.nfuncs + 3);
  for (uint32_t i = 1; i < g.nfuncs; i++) {
    char name[16];
    snprintf(name, sizeof name, "f%u", i);
    put_name(&sec, name);
    put(&sec, 0);
    put_u(&sec, i);
  }
  put_name(&sec, "mem");
  put(&sec, 2);
  put_u(&sec, 0);
  put_name(&sec, "g1");
  put(&sec, 3);
  put_u(&sec, 1);
  put_name(&sec, "g4");
  put(&sec, 3);
  put_u(&sec, 4);
  put_name(&sec, "tab");
  put(&sec, 1);
  put_u(&sec, 0);
  put_section(out, 7, &sec);

  put_u(&sec, 1);
  put(&sec, 0);
  put(&sec, 0x41);
  put(&sec, 0);
  put(&sec, 0x0b);
  put_u(&sec, g.nfuncs);
  for (uint32_t i = 0; i < g.nfuncs; i++) put_u(&sec, i);
  put_section(out, 9, &sec);

  put_u(&sec, g.nfuncs - 1);
  for (uint32_t f = 1; f < g.nfuncs; f++) {
    const gtype *ty = &g.types[f];
    g.self = f;
    g.nlocals = 0;
    for (uint32_t i = 0; i < ty->np; i++) g.ltypes[g.nlocals++] = ty->p[i];
    for (int k = 0; k < 4; k++)
      for (int j = 0; j < EXTRA_LOCALS; j++) g.ltypes[g.nlocals++] = num_types[k];
    g.first_counter = g.nlocals;
    for (int j = 0; j < NCOUNTERS; j++) g.ltypes[g.nlocals++] = VM_I32;
    /* Not in ltypes: pick_local never hands them out. */
    g.scratch_f32 = g.nlocals;
    g.scratch_f64 = g.nlocals + 1;
    g.counters_used = 0;
    g.budget = BUDGET;
    g.blocks = 0;
    code.n = 0;
    g.code = &code;
    put_u(&code, 7);
    for (int k = 0; k < 4; k++) {
      put_u(&code, EXTRA_LOCALS);
      put(&code, num_types[k]);
    }
    put_u(&code, NCOUNTERS);
    put(&code, VM_I32);
    put_u(&code, 1);
    put(&code, VM_F32); /* scratch_f32 */
    put_u(&code, 1);
    put(&code, VM_F64); /* scratch_f64 */
    gen_stmts(&g, 0);
    for (uint32_t i = 0; i < ty->nr; i++) gen_expr(&g, ty->r[i], 0);
    put(&code, 0x0b);
    put_u(&sec, code.n);
    put_bytes(&sec, code.p, code.n);
  }
  put_section(out, 10, &sec);

  uint32_t nd = pick(c, 64);
  put_u(&sec, 1);
  put(&sec, 0);
  put(&sec, 0x41);
  put_s(&sec, pick(c, 256));
  put(&sec, 0x0b);
  put_u(&sec, nd);
  for (uint32_t i = 0; i < nd; i++) put(&sec, (uint8_t)pick8(c));
  put_section(out, 11, &sec);

  bool ok = !sec.oom && !code.oom && !out->oom;
  free(sec.p);
  free(code.p);
  return ok;
}

/* ---- running one engine ---- */

typedef struct {
  rt_engine *engine;
  rt_store *store;
  rt_instance *inst;
  bool trapped;   /* instantiation trapped (inst then NULL) */
  rt_trap_kind trap;
  char err[256];
} side;

typedef enum { SETUP_OK, SETUP_SKIP, SETUP_FAILED } setup_result;

/* Decodes, caps and instantiates the module on one engine. SKIP: not a
 * module this harness can run (invalid, too large a memory). */
static setup_result setup(side *sd, const uint8_t *wasm, size_t size,
                          rt_engine_kind kind) {
  memset(sd, 0, sizeof *sd);
  vm_error err = {0};
  vm_module *m = vm_decode(wasm, size, &err);
  if (!m) return SETUP_SKIP;
  if (!vm_validate(m, &err)) {
    vm_module_free(m);
    return SETUP_SKIP;
  }
  for (uint32_t i = 0; i < m->nmemories; i++)
    if (!fuzz_cap_memory(&m->memories[i], FUZZ_MAX_PAGES)) {
      vm_module_free(m);
      return SETUP_SKIP;
    }
  sd->engine = rt_engine_new();
  sd->store = sd->engine ? rt_store_new(sd->engine) : NULL;
  rt_extern *imports = calloc(m->nimports + 1, sizeof *imports);
  setup_result r = SETUP_SKIP;
  if (!sd->store || !imports) goto fail;
  for (uint32_t i = 0; i < m->nimports; i++)
    if (!fuzz_stand_in(sd->store, m, &m->imports[i], FUZZ_MAX_PAGES,
                       &imports[i]))
      goto fail;
  /* The start function runs under fuel on the interpreter only (AOT code
   * has none: 0 is unlimited). */
  rt_store_set_fuel(sd->store, kind == RT_ENGINE_INTERP ? FUZZ_FUEL : 0);
  rt_trap_info trap;
  uint32_t nimports = m->nimports;
  sd->inst = rt_instantiate(sd->store, m, imports, nimports, kind, sd->err,
                            sizeof sd->err, &trap, &sd->trapped);
  m = NULL; /* the store owns it now */
  if (sd->trapped) sd->trap = trap.kind;
  r = SETUP_OK;
fail:
  vm_module_free(m);
  free(imports);
  return r;
}

static void teardown(side *sd) {
  rt_store_free(sd->store);
  rt_engine_free(sd->engine);
}

/* ---- comparing ---- */

static _Noreturn void differ(const char *what, const char *detail) {
  fprintf(stderr, "fuzz_diff: interpreter and AOT differ: %s%s%s\n", what,
          detail ? ": " : "", detail ? detail : "");
  abort();
}

/* Two values of type t (raw slots) are the same: bit-exact, but NaNs only
 * by NaN-ness (spec 4.3.3), and function references by function index. */
static bool same_value(uint8_t t, const uint64_t *a, const uint64_t *b) {
  switch (t) {
  case VM_F32: {
    uint32_t x = (uint32_t)a[0], y = (uint32_t)b[0];
    bool nx = (x & 0x7fffffffu) > 0x7f800000u, ny = (y & 0x7fffffffu) > 0x7f800000u;
    return nx || ny ? nx == ny : x == y;
  }
  case VM_F64: {
    uint64_t m = 0x7fffffffffffffffull, inf = 0x7ff0000000000000ull;
    bool nx = (a[0] & m) > inf, ny = (b[0] & m) > inf;
    return nx || ny ? nx == ny : a[0] == b[0];
  }
  case VM_V128: return a[0] == b[0] && a[1] == b[1];
  case VM_FUNCREF: {
    const rt_func *x = (const rt_func *)(uintptr_t)a[0];
    const rt_func *y = (const rt_func *)(uintptr_t)b[0];
    if (!x || !y) return x == y;
    return x->index == y->index && !x->inst == !y->inst;
  }
  case VM_I32: return (uint32_t)a[0] == (uint32_t)b[0];
  default: return a[0] == b[0];
  }
}

/* Whether any function body has an instruction whose result may be a NaN
 * with a nondeterministic payload or sign (spec 4.3.3: arithmetic, rounding,
 * sqrt, min/max, promote/demote, scalar or SIMD). abs, neg, copysign and
 * pmin/pmax only move bits, and loads, constants and reinterprets carry
 * them exactly, so they do not count. */
static bool has_nan_arith(const vm_module *m) {
  for (uint32_t f = 0; f < m->nfuncs; f++) {
    const vm_func *fn = &m->funcs[f];
    vm_error err = {0};
    vm_reader r;
    vm_reader_init(&r, m->bytes, fn->body_offset,
                   (size_t)fn->body_offset + fn->body_size, &err);
    vm_instr in;
    while (r.pos < r.end) {
      /* Validated already: a read failure would be a decoder bug; be
       * conservative and treat the module as having NaN arithmetic. */
      if (!vm_read_instr(&r, &in)) return true;
      switch (in.op) {
      case VM_OP_F32_CEIL: case VM_OP_F32_FLOOR: case VM_OP_F32_TRUNC:
      case VM_OP_F32_NEAREST: case VM_OP_F32_SQRT: case VM_OP_F32_ADD:
      case VM_OP_F32_SUB: case VM_OP_F32_MUL: case VM_OP_F32_DIV:
      case VM_OP_F32_MIN: case VM_OP_F32_MAX:
      case VM_OP_F64_CEIL: case VM_OP_F64_FLOOR: case VM_OP_F64_TRUNC:
      case VM_OP_F64_NEAREST: case VM_OP_F64_SQRT: case VM_OP_F64_ADD:
      case VM_OP_F64_SUB: case VM_OP_F64_MUL: case VM_OP_F64_DIV:
      case VM_OP_F64_MIN: case VM_OP_F64_MAX:
      case VM_OP_F32_DEMOTE_F64: case VM_OP_F64_PROMOTE_F32:
      case VM_OP_F32X4_CEIL: case VM_OP_F32X4_FLOOR: case VM_OP_F32X4_TRUNC:
      case VM_OP_F32X4_NEAREST: case VM_OP_F32X4_SQRT: case VM_OP_F32X4_ADD:
      case VM_OP_F32X4_SUB: case VM_OP_F32X4_MUL: case VM_OP_F32X4_DIV:
      case VM_OP_F32X4_MIN: case VM_OP_F32X4_MAX:
      case VM_OP_F64X2_CEIL: case VM_OP_F64X2_FLOOR: case VM_OP_F64X2_TRUNC:
      case VM_OP_F64X2_NEAREST: case VM_OP_F64X2_SQRT: case VM_OP_F64X2_ADD:
      case VM_OP_F64X2_SUB: case VM_OP_F64X2_MUL: case VM_OP_F64X2_DIV:
      case VM_OP_F64X2_MIN: case VM_OP_F64X2_MAX:
      case VM_OP_F32X4_DEMOTE_F64X2_ZERO: case VM_OP_F64X2_PROMOTE_LOW_F32X4:
        return true;
      default: break;
      }
    }
  }
  return false;
}

/* Compares memories and globals only when `bits` (their bytes may hold
 * NaNs whose bits legitimately differ otherwise: see run); table sizes
 * always. */
static void compare_state(const side *a, const side *b, bool bits) {
  const vm_module *m = a->inst->module;
  uint32_t nmem = bits ? m->nimported_memories + m->nmemories : 0;
  for (uint32_t i = 0; i < nmem; i++) {
    const rt_memory *x = a->inst->memories[i], *y = b->inst->memories[i];
    if (x->size != y->size) differ("memory size", NULL);
    for (uint64_t k = 0; k < x->size; k++)
      if (x->base[k] != y->base[k]) {
        char at[64];
        snprintf(at, sizeof at, "memory %u byte 0x%llx: %02x vs %02x", i,
                 (unsigned long long)k, x->base[k], y->base[k]);
        differ("memory contents", at);
      }
  }
  uint32_t ng = bits ? m->nimported_globals + m->nglobals : 0;
  for (uint32_t i = 0; i < ng; i++) {
    const rt_global *x = a->inst->globals[i], *y = b->inst->globals[i];
    if (!same_value(x->type.type, x->val, y->val)) {
      char at[96];
      snprintf(at, sizeof at, "global %u: 0x%llx vs 0x%llx", i,
               (unsigned long long)x->val[0], (unsigned long long)y->val[0]);
      differ("global", at);
    }
  }
  uint32_t nt = m->nimported_tables + m->ntables;
  for (uint32_t i = 0; i < nt; i++)
    if (a->inst->tables[i]->size != b->inst->tables[i]->size)
      differ("table size", NULL);
}

static void fill_args(choices *c, const vm_functype *t, uint64_t *slots) {
  uint32_t k = 0;
  for (uint32_t i = 0; i < t->nparams; i++) {
    uint8_t ty = t->types[i];
    if (ty == VM_V128) {
      slots[k++] = pick64(c);
      slots[k++] = pick64(c);
    } else if (ty == VM_FUNCREF || ty == VM_EXTERNREF) {
      slots[k++] = 0; /* a null reference: the only one valid in both */
    } else {
      slots[k++] = pick_bits(c, ty);
    }
  }
}

/* Calls every exported function on both sides with the same arguments.
 * False when the comparison had to stop (fuel, stack exhaustion). */
static bool call_exports(side *a, side *b, choices *c, bool bits) {
  const vm_module *m = a->inst->module;
  for (uint32_t i = 0; i < m->nexports; i++) {
    if (m->exports[i].kind != VM_EXT_FUNC) continue;
    rt_func *fa = a->inst->funcs[m->exports[i].index];
    rt_func *fb = b->inst->funcs[m->exports[i].index];
    const vm_functype *t = fa->type;
    uint32_t n = rt_type_slots(t);
    uint64_t *sa = calloc(n + 1, sizeof *sa), *sb = calloc(n + 1, sizeof *sb);
    if (!sa || !sb) {
      free(sa);
      free(sb);
      return false;
    }
    fill_args(c, t, sa);
    memcpy(sb, sa, (n + 1) * sizeof *sa);
    rt_trap_info ta, tb;
    rt_store_set_fuel(a->store, FUZZ_FUEL);
    bool oka = rt_call(a->store, fa, sa, &ta);
    if (!oka && (ta.kind == RT_TRAP_FUEL || ta.kind == RT_TRAP_STACK_EXHAUSTED)) {
      free(sa);
      free(sb);
      return false;
    }
    bool okb = rt_call(b->store, fb, sb, &tb);
    if (!okb && tb.kind == RT_TRAP_STACK_EXHAUSTED) {
      free(sa);
      free(sb);
      return false;
    }
    char what[160];
    snprintf(what, sizeof what, "export \"%.*s\"", (int)m->exports[i].name_len,
             m->exports[i].name);
    if (oka != okb) {
      fprintf(stderr, "fuzz_diff: %s: interp %s, aot %s\n", what,
              oka ? "returned" : ta.message, okb ? "returned" : tb.message);
      differ("trap vs return", what);
    }
    if (!oka && ta.kind != tb.kind) {
      fprintf(stderr, "fuzz_diff: %s: interp \"%s\", aot \"%s\"\n", what,
              ta.message, tb.message);
      differ("trap kind", what);
    }
    if (oka) {
      uint32_t k = 0;
      for (uint32_t r = 0; r < t->nresults; r++) {
        uint8_t ty = t->types[t->nparams + r];
        /* A v128's lanes may hold NaNs whose bits are nondeterministic; its
         * shape is unknown here, so it is compared only when bits are. */
        if ((bits || ty != VM_V128) && !same_value(ty, sa + k, sb + k)) {
          fprintf(stderr, "fuzz_diff: %s result %u: interp 0x%llx, aot 0x%llx\n",
                  what, r, (unsigned long long)sa[k], (unsigned long long)sb[k]);
          differ("result", what);
        }
        k += rt_value_slots(ty);
      }
    }
    free(sa);
    free(sb);
    compare_state(a, b, bits);
  }
  return true;
}

/* raw: the module came as it is (not from gen_module), so NaN bits may
 * reach memory and globals unchecked. Such modules (mostly the spec suite's)
 * get memories and globals compared only when they have no NaN-producing
 * float arithmetic; otherwise a mismatch there cannot be told from a
 * legitimate NaN difference, and re-running would not help, so only results
 * and traps are compared. Generated modules canonicalize NaNs themselves. */
static void run(const uint8_t *wasm, size_t size, choices *args, bool raw) {
  side a, b;
  setup_result ra = setup(&a, wasm, size, RT_ENGINE_INTERP);
  if (ra != SETUP_OK) {
    teardown(&a);
    return;
  }
  /* The start function ran out of fuel (or stack): it might not end. */
  if (a.trapped && (a.trap == RT_TRAP_FUEL || a.trap == RT_TRAP_STACK_EXHAUSTED)) {
    teardown(&a);
    return;
  }
  setup_result rb = setup(&b, wasm, size, RT_ENGINE_AOT);
  if (rb != SETUP_OK) differ("setup", NULL);
  if (!a.inst != !b.inst || a.trapped != b.trapped) {
    fprintf(stderr, "fuzz_diff: instantiation: interp %s, aot %s\n",
            a.inst ? "ok" : a.err, b.inst ? "ok" : b.err);
    differ("instantiation", NULL);
  }
  if (a.trapped && a.trap != b.trap && b.trap != RT_TRAP_STACK_EXHAUSTED)
    differ("start function trap", NULL);
  if (a.inst && b.inst &&
      call_exports(&a, &b, args, !raw || !has_nan_arith(a.inst->module))) {
    /* Every call compared; state was compared after each. */
  }
  teardown(&a);
  teardown(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size >= 4 && !memcmp(data, "\0asm", 4)) {
    /* A module as it is; arguments from the same bytes. */
    choices args = {data, size, 0};
    run(data, size, &args, true);
    return 0;
  }
  choices c = {data, size, 0};
  bytes wasm = {0};
  if (gen_module(&c, &wasm)) {
    /* The generator only writes valid modules: anything else is its bug. */
    vm_error err = {0};
    vm_module *m = vm_decode(wasm.p, wasm.n, &err);
    if (!m || !vm_validate(m, &err)) {
      fprintf(stderr, "fuzz_diff: generated an invalid module: %s\n", err.msg);
      FILE *fp = fopen("fuzz_diff_invalid.wasm", "wb");
      if (fp) {
        fwrite(wasm.p, 1, wasm.n, fp);
        fclose(fp);
      }
      abort();
    }
    vm_module_free(m);
    /* To reproduce a finding as a module: FUZZ_DIFF_DUMP=out.wasm. */
    const char *dump = getenv("FUZZ_DIFF_DUMP");
    FILE *fp = dump ? fopen(dump, "wb") : NULL;
    if (fp) {
      fwrite(wasm.p, 1, wasm.n, fp);
      fclose(fp);
    }
    run(wasm.p, wasm.n, &c, false);
  }
  free(wasm.p);
  return 0;
}
