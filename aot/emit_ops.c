/* The per-opcode C of every instruction that is a single expression or
 * statement, as templates keyed by opcode (DESIGN.md decision 1: the
 * operand and result types come from the opcode table's signature, the
 * names of helper functions from its text names, so no opcode is spelled
 * here beyond its key).
 *
 * Template language:
 *   $0 $1 $2  the operands in push order (parenthesized unless atoms; an
 *             operand used twice is first made an atom)
 *   $a        the effective address of a memory access (operand 0, the
 *             memarg offset, the access size from the table's alignment)
 *   @         the op's text name with '.' as '_' (numeric.h and prelude
 *             helpers are named after the instruction: vm_f32_min, ...)
 *   e         the aot_env pointer of the generated function
 */
#include <string.h>

#include "aot/emit_int.h"

enum {
  T_CMP = 1,      /* a truth value: also usable as a C condition */
  T_TRAP = 2,     /* the expression may trap */
  T_LOAD = 4,     /* reads memory (may trap) */
  T_STORE = 8,    /* a statement writing memory */
  T_DIVC_U = 16,  /* `alt` is valid when $1 is a non-zero constant */
  T_DIVC_S = 32,  /* ... and not -1 */
  T_EQZ = 64,     /* x == 0: the negation of a condition operand */
  /* A C operator some constant operand makes independent of the other
   * (x & 0, x * 0, x | -1, x % 1, 0 << x, 0 >> x, -1 >> x): TCC folds
   * those to the constant and drops the other operand, trapping load or
   * not; the constant may be one TCC itself folded (l0 & 0u), so trapping
   * operands are never embedded (found by fuzz_diff,
   * tests/regress/aot_absorbing_const_trap.wast). */
  T_ABSORB = 128,
  /* Casts its last operand to a narrower type: TCC narrows a memory lvalue
   * cast (`(uint8_t)LD(au64, p)`, also through the `x + 0` it folds) to a
   * narrower load, which misses the guard page an access at the end of
   * memory must hit (found by fuzz_diff,
   * tests/regress/aot_narrowed_load_trap.wast). */
  T_NARROW = 256,
};

typedef struct {
  const char *x;
  const char *alt;
  uint16_t flags;
} tmpl;

#define OP(sym) [VM_OP_##sym]
#define CMP(s) {s, NULL, T_CMP}
#define E(s) {s, NULL, 0}
#define TRAPPING {"aot_@(e, $0)", NULL, T_TRAP}
#define VMH1 {"vm_@($0)", NULL, 0}
#define VMH2 {"vm_@($0, $1)", NULL, 0}
#define LOAD(s) {s, NULL, T_LOAD}
#define STORE(s) {s, NULL, T_STORE}

static const tmpl tmpls[VM_OP_COUNT] = {
    OP(I32_EQZ) = {"$0 == 0", NULL, T_CMP | T_EQZ},
    OP(I32_EQ) = CMP("$0 == $1"),
    OP(I32_NE) = CMP("$0 != $1"),
    OP(I32_LT_S) = CMP("(int32_t)$0 < (int32_t)$1"),
    OP(I32_LT_U) = CMP("$0 < $1"),
    OP(I32_GT_S) = CMP("(int32_t)$0 > (int32_t)$1"),
    OP(I32_GT_U) = CMP("$0 > $1"),
    OP(I32_LE_S) = CMP("(int32_t)$0 <= (int32_t)$1"),
    OP(I32_LE_U) = CMP("$0 <= $1"),
    OP(I32_GE_S) = CMP("(int32_t)$0 >= (int32_t)$1"),
    OP(I32_GE_U) = CMP("$0 >= $1"),
    OP(I64_EQZ) = CMP("$0 == 0"),
    OP(I64_EQ) = CMP("$0 == $1"),
    OP(I64_NE) = CMP("$0 != $1"),
    OP(I64_LT_S) = CMP("(int64_t)$0 < (int64_t)$1"),
    OP(I64_LT_U) = CMP("$0 < $1"),
    OP(I64_GT_S) = CMP("(int64_t)$0 > (int64_t)$1"),
    OP(I64_GT_U) = CMP("$0 > $1"),
    OP(I64_LE_S) = CMP("(int64_t)$0 <= (int64_t)$1"),
    OP(I64_LE_U) = CMP("$0 <= $1"),
    OP(I64_GE_S) = CMP("(int64_t)$0 >= (int64_t)$1"),
    OP(I64_GE_U) = CMP("$0 >= $1"),
    /* C float comparisons are IEEE's: false on NaN except != (4.3.3). */
    OP(F32_EQ) = CMP("$0 == $1"),
    OP(F32_NE) = CMP("$0 != $1"),
    OP(F32_LT) = CMP("$0 < $1"),
    OP(F32_GT) = CMP("$0 > $1"),
    OP(F32_LE) = CMP("$0 <= $1"),
    OP(F32_GE) = CMP("$0 >= $1"),
    OP(F64_EQ) = CMP("$0 == $1"),
    OP(F64_NE) = CMP("$0 != $1"),
    OP(F64_LT) = CMP("$0 < $1"),
    OP(F64_GT) = CMP("$0 > $1"),
    OP(F64_LE) = CMP("$0 <= $1"),
    OP(F64_GE) = CMP("$0 >= $1"),

    OP(I32_CLZ) = VMH1, OP(I32_CTZ) = VMH1, OP(I32_POPCNT) = VMH1,
    OP(I32_ADD) = E("$0 + $1"),
    OP(I32_SUB) = E("$0 - $1"),
    OP(I32_MUL) = {"$0 * $1", NULL, T_ABSORB},
    OP(I32_DIV_S) = {"aot_@(e, $0, $1)", "(uint32_t)((int32_t)$0 / (int32_t)$1)",
                     T_TRAP | T_DIVC_S},
    OP(I32_DIV_U) = {"aot_@(e, $0, $1)", "$0 / $1", T_TRAP | T_DIVC_U},
    OP(I32_REM_S) = {"aot_@(e, $0, $1)", "(uint32_t)((int32_t)$0 % (int32_t)$1)",
                     T_TRAP | T_ABSORB | T_DIVC_S},
    OP(I32_REM_U) = {"aot_@(e, $0, $1)", "$0 % $1", T_TRAP | T_ABSORB | T_DIVC_U},
    OP(I32_AND) = {"$0 & $1", NULL, T_ABSORB},
    OP(I32_OR) = {"$0 | $1", NULL, T_ABSORB},
    OP(I32_XOR) = E("$0 ^ $1"),
    /* Shift counts modulo the width (4.3.2); right shift of a negative
     * signed value is arithmetic on every compiler the prelude allows. */
    OP(I32_SHL) = {"$0 << ($1 & 31)", NULL, T_ABSORB},
    OP(I32_SHR_S) = {"(uint32_t)((int32_t)$0 >> ($1 & 31))", NULL, T_ABSORB},
    OP(I32_SHR_U) = {"$0 >> ($1 & 31)", NULL, T_ABSORB},
    OP(I32_ROTL) = {"($0 << ($1 & 31) | $0 >> ((0u - $1) & 31))", NULL, T_ABSORB},
    OP(I32_ROTR) = {"($0 >> ($1 & 31) | $0 << ((0u - $1) & 31))", NULL, T_ABSORB},
    OP(I64_CLZ) = VMH1, OP(I64_CTZ) = VMH1, OP(I64_POPCNT) = VMH1,
    OP(I64_ADD) = E("$0 + $1"),
    OP(I64_SUB) = E("$0 - $1"),
    OP(I64_MUL) = {"$0 * $1", NULL, T_ABSORB},
    OP(I64_DIV_S) = {"aot_@(e, $0, $1)", "(uint64_t)((int64_t)$0 / (int64_t)$1)",
                     T_TRAP | T_DIVC_S},
    OP(I64_DIV_U) = {"aot_@(e, $0, $1)", "$0 / $1", T_TRAP | T_DIVC_U},
    OP(I64_REM_S) = {"aot_@(e, $0, $1)", "(uint64_t)((int64_t)$0 % (int64_t)$1)",
                     T_TRAP | T_ABSORB | T_DIVC_S},
    OP(I64_REM_U) = {"aot_@(e, $0, $1)", "$0 % $1", T_TRAP | T_ABSORB | T_DIVC_U},
    OP(I64_AND) = {"$0 & $1", NULL, T_ABSORB},
    OP(I64_OR) = {"$0 | $1", NULL, T_ABSORB},
    OP(I64_XOR) = E("$0 ^ $1"),
    OP(I64_SHL) = {"$0 << ($1 & 63)", NULL, T_ABSORB},
    OP(I64_SHR_S) = {"(uint64_t)((int64_t)$0 >> ($1 & 63))", NULL, T_ABSORB},
    OP(I64_SHR_U) = {"$0 >> ($1 & 63)", NULL, T_ABSORB},
    OP(I64_ROTL) = {"($0 << ($1 & 63) | $0 >> ((0u - $1) & 63))", NULL, T_ABSORB},
    OP(I64_ROTR) = {"($0 >> ($1 & 63) | $0 << ((0u - $1) & 63))", NULL, T_ABSORB},

    /* Sign operations on the bits (prelude f32_neg etc.). */
    OP(F32_ABS) = E("f32_abs($0)"),
    OP(F32_NEG) = E("f32_neg($0)"),
    OP(F32_CEIL) = VMH1, OP(F32_FLOOR) = VMH1, OP(F32_TRUNC) = VMH1,
    OP(F32_NEAREST) = VMH1,
    OP(F32_SQRT) = E("aot_sqrtf($0)"),
    OP(F32_ADD) = E("$0 + $1"),
    OP(F32_SUB) = E("$0 - $1"),
    OP(F32_MUL) = E("$0 * $1"),
    OP(F32_DIV) = E("$0 / $1"),
    OP(F32_MIN) = VMH2, OP(F32_MAX) = VMH2,
    OP(F32_COPYSIGN) = E("f32_copysign($0, $1)"),
    OP(F64_ABS) = E("f64_abs($0)"),
    OP(F64_NEG) = E("f64_neg($0)"),
    OP(F64_CEIL) = VMH1, OP(F64_FLOOR) = VMH1, OP(F64_TRUNC) = VMH1,
    OP(F64_NEAREST) = VMH1,
    OP(F64_SQRT) = E("aot_sqrt($0)"),
    OP(F64_ADD) = E("$0 + $1"),
    OP(F64_SUB) = E("$0 - $1"),
    OP(F64_MUL) = E("$0 * $1"),
    OP(F64_DIV) = E("$0 / $1"),
    OP(F64_MIN) = VMH2, OP(F64_MAX) = VMH2,
    OP(F64_COPYSIGN) = E("f64_copysign($0, $1)"),

    OP(I32_WRAP_I64) = {"(uint32_t)$0", NULL, T_NARROW},
    OP(I32_TRUNC_F32_S) = TRAPPING, OP(I32_TRUNC_F32_U) = TRAPPING,
    OP(I32_TRUNC_F64_S) = TRAPPING, OP(I32_TRUNC_F64_U) = TRAPPING,
    OP(I64_EXTEND_I32_S) = E("(uint64_t)(int64_t)(int32_t)$0"),
    OP(I64_EXTEND_I32_U) = E("(uint64_t)$0"),
    OP(I64_TRUNC_F32_S) = TRAPPING, OP(I64_TRUNC_F32_U) = TRAPPING,
    OP(I64_TRUNC_F64_S) = TRAPPING, OP(I64_TRUNC_F64_U) = TRAPPING,
    /* Signed and u32 conversions are one correctly rounded C conversion
     * (numeric.h); u64 needs the helper. */
    OP(F32_CONVERT_I32_S) = E("(float)(int32_t)$0"),
    OP(F32_CONVERT_I32_U) = E("(float)(int64_t)$0"),
    OP(F32_CONVERT_I64_S) = E("(float)(int64_t)$0"),
    OP(F32_CONVERT_I64_U) = E("vm_f32_convert_u64($0)"),
    OP(F32_DEMOTE_F64) = VMH1,
    OP(F64_CONVERT_I32_S) = E("(double)(int32_t)$0"),
    OP(F64_CONVERT_I32_U) = E("(double)$0"),
    OP(F64_CONVERT_I64_S) = E("(double)(int64_t)$0"),
    OP(F64_CONVERT_I64_U) = E("vm_f64_convert_u64($0)"),
    OP(F64_PROMOTE_F32) = VMH1,
    OP(I32_REINTERPRET_F32) = E("f32_bits($0)"),
    OP(I64_REINTERPRET_F64) = E("f64_bits($0)"),
    OP(F32_REINTERPRET_I32) = E("f32_from($0)"),
    OP(F64_REINTERPRET_I64) = E("f64_from($0)"),
    OP(I32_EXTEND8_S) = {"(uint32_t)(int32_t)(int8_t)$0", NULL, T_NARROW},
    OP(I32_EXTEND16_S) = {"(uint32_t)(int32_t)(int16_t)$0", NULL, T_NARROW},
    OP(I64_EXTEND8_S) = {"(uint64_t)(int64_t)(int8_t)$0", NULL, T_NARROW},
    OP(I64_EXTEND16_S) = {"(uint64_t)(int64_t)(int16_t)$0", NULL, T_NARROW},
    OP(I64_EXTEND32_S) = {"(uint64_t)(int64_t)(int32_t)$0", NULL, T_NARROW},
    OP(I32_TRUNC_SAT_F32_S) = VMH1, OP(I32_TRUNC_SAT_F32_U) = VMH1,
    OP(I32_TRUNC_SAT_F64_S) = VMH1, OP(I32_TRUNC_SAT_F64_U) = VMH1,
    OP(I64_TRUNC_SAT_F32_S) = VMH1, OP(I64_TRUNC_SAT_F32_U) = VMH1,
    OP(I64_TRUNC_SAT_F64_S) = VMH1, OP(I64_TRUNC_SAT_F64_U) = VMH1,

    OP(I32_LOAD) = LOAD("LD(au32, $a)"),
    OP(I64_LOAD) = LOAD("LD(au64, $a)"),
    OP(F32_LOAD) = LOAD("LD(af32, $a)"),
    OP(F64_LOAD) = LOAD("LD(af64, $a)"),
    OP(I32_LOAD8_S) = LOAD("(uint32_t)(int32_t)LD(ai8, $a)"),
    OP(I32_LOAD8_U) = LOAD("(uint32_t)LD(au8, $a)"),
    OP(I32_LOAD16_S) = LOAD("(uint32_t)(int32_t)LD(ai16, $a)"),
    OP(I32_LOAD16_U) = LOAD("(uint32_t)LD(au16, $a)"),
    OP(I64_LOAD8_S) = LOAD("(uint64_t)(int64_t)LD(ai8, $a)"),
    OP(I64_LOAD8_U) = LOAD("(uint64_t)LD(au8, $a)"),
    OP(I64_LOAD16_S) = LOAD("(uint64_t)(int64_t)LD(ai16, $a)"),
    OP(I64_LOAD16_U) = LOAD("(uint64_t)LD(au16, $a)"),
    OP(I64_LOAD32_S) = LOAD("(uint64_t)(int64_t)LD(ai32, $a)"),
    OP(I64_LOAD32_U) = LOAD("(uint64_t)LD(au32, $a)"),
    OP(I32_STORE) = STORE("ST(au32, $a, $1)"),
    OP(I64_STORE) = STORE("ST(au64, $a, $1)"),
    OP(F32_STORE) = STORE("ST(af32, $a, $1)"),
    OP(F64_STORE) = STORE("ST(af64, $a, $1)"),
    OP(I32_STORE8) = {"ST(au8, $a, (uint8_t)$1)", NULL, T_STORE | T_NARROW},
    OP(I32_STORE16) = {"ST(au16, $a, (uint16_t)$1)", NULL, T_STORE | T_NARROW},
    OP(I64_STORE8) = {"ST(au8, $a, (uint8_t)$1)", NULL, T_STORE | T_NARROW},
    OP(I64_STORE16) = {"ST(au16, $a, (uint16_t)$1)", NULL, T_STORE | T_NARROW},
    OP(I64_STORE32) = {"ST(au32, $a, (uint32_t)$1)", NULL, T_STORE | T_NARROW},
};

const char *aot_ea(aot_fctx *f, uint32_t i, uint64_t off, uint32_t n) {
  f->uses_mem = true;
  const char *a = aot_operand(f, i);
  if (f->o->bounds_check)
    return aot_strf(f, "EA(%s, %lluu, %u)", a, (unsigned long long)off, n);
  if (!off) return aot_strf(f, "(mem + (uint64_t)%s)", a);
  return aot_strf(f, "(mem + (uint64_t)%s + %llu)", a, (unsigned long long)off);
}

static void mangle(char *dst, size_t n, const char *name) {
  size_t i = 0;
  for (; name[i] && i + 1 < n; i++) dst[i] = name[i] == '.' ? '_' : name[i];
  dst[i] = '\0';
}

bool aot_emit_simple(aot_fctx *f, const vm_instr *in) {
  const tmpl *t = &tmpls[in->op];
  if (!t->x) return false;
  const vm_opinfo *oi = &vm_opinfo_table[in->op];
  uint8_t params[3], result;
  int n = vm_sig_types((vm_sig)oi->sig, params, &result);
  if (n < 0 || (uint32_t)n > f->sp) {
    f->fail = "operand stack underflow";
    return true;
  }
  uint32_t base = f->sp - (uint32_t)n;
  const char *x = t->x;
  if ((t->flags & (T_DIVC_U | T_DIVC_S)) && f->stack[base + 1].is_const) {
    uint64_t c = f->stack[base + 1].cval;
    uint64_t ones = params[1] == VM_I32 ? 0xffffffffu : UINT64_MAX;
    if (c != 0 && (!(t->flags & T_DIVC_S) || c != ones)) x = t->alt;
  }
  bool store = (t->flags & T_STORE) != 0;
  bool trap = (t->flags & (T_TRAP | T_LOAD)) != 0;
  for (int k = 0; k < n; k++) trap |= f->stack[base + (uint32_t)k].trap;
  if (store) aot_flush_below(f, (uint32_t)n);
  else if (trap) aot_settle_below(f, (uint32_t)n);
  /* The remainder helpers are calls, which TCC does not fold. */
  bool absorb = (t->flags & T_ABSORB) &&
                (x == t->alt || !(t->flags & (T_DIVC_U | T_DIVC_S)));
  /* The bounds-checked EA() checks the whole access whatever TCC narrows. */
  bool narrow = (t->flags & T_NARROW) && !f->o->bounds_check &&
                f->stack[f->sp - 1].expr && f->stack[f->sp - 1].trap;
  aot_order_operands(f, (uint32_t)n,
                     absorb || narrow || (store && f->o->bounds_check));
  /* Operands the template repeats must be atoms. */
  for (int k = 0; k < n; k++) {
    int uses = 0;
    for (const char *p = x; (p = strchr(p, '$')); p++)
      if (p[1] == '0' + k) uses++;
    if (uses > 1) aot_make_atom(f, base + (uint32_t)k);
  }
  char name[64];
  mangle(name, sizeof name, oi->name);
  trap = (t->flags & (T_TRAP | T_LOAD)) != 0;
  uint64_t locals = 0;
  uint32_t top = 0;
  for (int k = 0; k < n; k++) {
    trap |= f->stack[base + (uint32_t)k].trap;
    locals |= f->stack[base + (uint32_t)k].locals;
    uint32_t st = aot_slot_top(f, base + (uint32_t)k);
    if (st > top) top = st;
  }
  aot_buf b = {0};
  if ((t->flags & T_EQZ) && f->stack[base].cond) {
    aot_buf_printf(&b, "!%s", f->stack[base].cond);
  } else {
    for (const char *p = x; *p; p++) {
      if (*p == '$' && p[1] >= '0' && p[1] <= '2') {
        aot_buf_puts(&b, aot_operand(f, base + (uint32_t)(p[1] - '0')));
        p++;
      } else if (*p == '$' && p[1] == 'a') {
        aot_buf_puts(&b, aot_ea(f, base, in->offset_imm, 1u << oi->arg));
        p++;
      } else if (*p == '@') {
        aot_buf_puts(&b, name);
      } else {
        char c[2] = {*p, 0};
        aot_buf_puts(&b, c);
      }
    }
  }
  if (b.oom) {
    f->fail = "out of memory";
    return true;
  }
  f->sp = base;
  if (store) {
    aot_buf_printf(f->out, "  %s;\n", b.data);
  } else {
    aot_sval *v;
    if (t->flags & T_CMP) {
      const char *c = aot_strf(f, "(%s)", b.data);
      v = aot_push(f, result, aot_strf(f, "(uint32_t)%s", c));
      v->cond = c;
    } else {
      v = aot_push(f, result, aot_strf(f, "%s", b.data));
    }
    v->trap = trap;
    v->locals = locals;
    v->slot_top = top;
    /* Bound the text of deeply nested expressions. */
    if (b.len > 600) aot_flush(f, f->sp - 1);
  }
  aot_buf_free(&b);
  return true;
}
