/* Internals shared by emit.c (functions, control flow, calls) and
 * emit_ops.c (the per-opcode templates). */
#ifndef FERRY_AOT_EMIT_INT_H
#define FERRY_AOT_EMIT_INT_H

#include "aot/emit.h"
#include "vm/instr.h"

/* One operand stack position. A value is either pending (expr != NULL: a C
 * expression not yet evaluated, folded into its consumer so that TCC keeps
 * the whole computation in registers) or materialized in the position's C
 * variable s<height><type letter>. */
typedef struct {
  uint8_t type;
  const char *expr;  /* pending expression, or NULL */
  const char *cond;  /* same value as a C truth value (comparisons), or NULL */
  bool trap;         /* evaluating expr may trap */
  bool atom;         /* expr is a name or literal: may be repeated */
  bool is_const;
  bool ternary;      /* expr is a C conditional expression (a select) */
  uint64_t cval;
  uint64_t locals;   /* bloom set of the locals expr reads (bit i % 64) */
  /* 1 + the highest stack slot s<h> expr reads (0: none). A pending value
   * may read slots above its own height (the materialized operands it
   * consumed); those slots are reused by later pushes, so it must be
   * evaluated before any of them is written again (aot_claim). */
  uint32_t slot_top;
} aot_sval;

/* Expression text lives in an arena released per function. */
typedef struct aot_arena_blk aot_arena_blk;

typedef struct {
  const vm_module *m;
  const aot_emit_opts *o;
  aot_buf *out;           /* body of the current function */
  aot_arena_blk *arena;
  aot_buf scratch;        /* aot_strf's formatting buffer */
  aot_sval *stack;
  uint32_t sp, cap;
  uint8_t *slot_used;     /* [height * 6 + type class] */
  uint32_t slot_cap;
  bool uses_mem, uses_simd, uses_ci;
  bool uses_call;         /* calls wasm code or an import (may recurse) */
  uint32_t raw_slots;     /* size of the raw[] call array needed */
  uint32_t mr_slots;      /* size of the mr[] multi-result array needed */
  const char *fail;       /* an error message */
  aot_sval sink;          /* what aot_push returns when out of memory */
} aot_fctx;

/* Type classes for slot names: i l f d v r. */
int aot_tclass(uint8_t t);
const char *aot_ctype(uint8_t t);

const char *aot_strf(aot_fctx *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *aot_slot(aot_fctx *f, uint32_t h, uint8_t t);

/* Stack primitives. */
aot_sval *aot_push(aot_fctx *f, uint8_t type, const char *expr);
void aot_flush(aot_fctx *f, uint32_t i);
void aot_flush_below(aot_fctx *f, uint32_t n);
/* Keeps C's unspecified evaluation order from reordering traps: among the
 * top n operands at most the last trapping one stays pending (all of them
 * when `strict`, for consumers whose own check C may evaluate first). */
void aot_order_operands(aot_fctx *f, uint32_t n, bool strict);
/* Evaluates, in stack order, the pending entries below the top n that may
 * trap. Call before building an entry that may trap: wasm traps in stack
 * order, and a trapping entry left pending below would be evaluated after
 * it. Keeps the invariant that below a pending trapping entry no pending
 * entry traps, so flushing a single entry never reorders traps. */
void aot_settle_below(aot_fctx *f, uint32_t n);
/* Text of entry i as an operand (parenthesized unless an atom). */
const char *aot_operand(aot_fctx *f, uint32_t i);
/* What entry i contributes to a consumer's slot_top. */
uint32_t aot_slot_top(const aot_fctx *f, uint32_t i);
/* Evaluates the pending values that read slots at or above the stack top:
 * call before writing the slot of a new value at height f->sp. aot_push
 * calls it too. */
void aot_claim(aot_fctx *f);
/* Forces entry i to be an atom (materialized when pending and not one). */
void aot_make_atom(aot_fctx *f, uint32_t i);

/* emit_ops.c: the ops that are one C expression or statement, keyed by
 * opcode. Returns false when `in->op` is not one of them. */
bool aot_emit_simple(aot_fctx *f, const vm_instr *in);
/* Effective address text of a memory access with the address at entry i. */
const char *aot_ea(aot_fctx *f, uint32_t i, uint64_t off, uint32_t n);

#endif
