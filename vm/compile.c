/* Wasm → register IR (vm/ir.h), one function at a time, on its first call.
 *
 * The compiler walks the validated body once, keeping a compile-time model of
 * the operand stack. Since wasm stack heights are static, every stack position
 * has a fixed frame slot (its "home"). An entry is either
 *   SLOT:  the value is in its home slot,
 *   LOCAL: the value is whatever local L holds (a local.get not yet copied),
 *   CONST: a known constant (not yet stored),
 *   ADDI:  an i32 `slot + imm` not yet computed (slot is a local's or the
 *          entry's own home), so address arithmetic folds into loads and
 *          stores and `local.get; i32.const; i32.add; local.set` is one op.
 * Ops read LOCAL entries straight from the local's slot and CONST entries as
 * immediates where an immediate form exists, so local.get and constants cost
 * nothing at run time. Virtual entries are materialised into their homes when
 * their local is about to be written, at block boundaries and before calls
 * and branches that carry them.
 *
 * Peepholes: local.set/tee after a value op rewrites that op's destination
 * (every value op keeps its destination in ip[1]); br_if/if after an integer
 * compare or eqz becomes one compare-and-branch op.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/instr.h"
#include "vm/interp.h"
#include "vm/ir.h"
#include "vm/simd.h"

enum { K_SLOT, K_LOCAL, K_CONST, K_ADDI };

typedef struct {
  uint8_t type;
  uint8_t kind;
  uint32_t home;
  uint32_t end;  /* home + the type's slots: the next entry's home */
  uint32_t slot; /* K_LOCAL, K_ADDI: the slot read */
  uint64_t val;  /* K_CONST; K_ADDI: the u32 immediate */
} ventry;

enum { F_FUNC, F_BLOCK, F_LOOP, F_IF };

typedef struct {
  uint8_t kind;
  int64_t bt;          /* block type as in vm_instr.block */
  uint32_t height;     /* stack height below the params */
  uint32_t nparams, nresults;
  uint32_t pc;         /* F_LOOP: the loop's first word */
  uint32_t patches;    /* forward jumps to the end: chain of word index + 1 */
  uint32_t else_patch; /* F_IF: word index + 1 of the jump to `else` */
} cframe;

/* The last value op, for the retarget and compare+branch peepholes. */
enum { CMP_NONE = -1, CMP_EQZ = 20, CMP_AND = 21 };
typedef struct {
  bool valid;
  uint32_t start; /* its first word */
  uint32_t sp;    /* stack height right after it */
  int cmp;        /* compare id 0..19 (IR_CMPS order), CMP_EQZ or CMP_NONE */
  bool imm;
  uint64_t a, b;
} lastop;

typedef struct {
  int kind; /* C_NZ, C_Z, C_CMP */
  int cmp;
  bool imm;
  uint64_t a, b;
} cond;
enum { C_NZ, C_Z, C_CMP, C_ANDNZ, C_ANDZ };

typedef struct {
  rt_func *f;
  rt_instance *inst;
  const vm_module *m;
  const void *const *h;
  const vm_functype *ftype;

  ir_code *out; /* the result, compiled in place (code == out->ir) */
  ir_word *code;
  uint32_t n, cap;
  uint32_t *relocs;
  uint32_t nrel, caprel;

  ventry *stk;
  uint32_t sp, stkcap;
  cframe *ctl;
  uint32_t nctl, ctlcap;

  uint8_t *ltype;
  uint32_t *lslot;
  uint32_t nlocals, local_slots, param_slots, result_slots;
  uint32_t max_slot;

  /* Until the first control instruction, which locals still hold their
   * initial zero: storing a constant 0 there is dropped. */
  bool straight;
  uint8_t *zero_known;

  lastop last;
  bool dead;
  uint32_t dead_depth;

  /* Tiered instances: (ir index, wasm offset) of each loop at operand
   * stack height 0, appended to the code at the end (ir_code.nloops). */
  uint32_t *loops;
  uint32_t nloops, caploops;
  bool oom;
} cctx;

/* Compare tables, indexed by compare id (EQ NE LT_S LT_U GT_S GT_U LE_S LE_U
 * GE_S GE_U; +10 for i64): the negation (for `if`, which jumps when the
 * condition is false) and the mirror (operands swapped). */
static const uint8_t cmp_negate[10] = {1, 0, 8, 9, 6, 7, 4, 5, 2, 3};
static const uint8_t cmp_mirror[10] = {0, 1, 4, 5, 2, 3, 8, 9, 6, 7};

static int neg_cmp(int id) { return (id / 10) * 10 + cmp_negate[id % 10]; }
static int mirror_cmp(int id) { return (id / 10) * 10 + cmp_mirror[id % 10]; }

/* vm_op → the IR op of the generated classes (the _SS form for IR_BIN_IMM). */
#define MAP_IMM(n, ...) [VM_OP_##n] = IR_##n##_SS,
#define MAP_ONE(n, ...) [VM_OP_##n] = IR_##n,
static const uint16_t op_ir[VM_OP_COUNT] = {
    IR_BIN_IMM(MAP_IMM) IR_BIN(MAP_ONE) IR_BIN_TRAP(MAP_ONE) IR_UN(MAP_ONE)
    IR_UN_TRAP(MAP_ONE) IR_LOADS(MAP_ONE) IR_STORES(MAP_ONE)};
#undef MAP_IMM
#undef MAP_ONE

/* The other forms of loads and stores (ir.h), + 1. */
#define MAP_X(n, ...) [VM_OP_##n] = IR_##n##_X + 1,
#define MAP_A(n, ...) [VM_OP_##n] = IR_##n##_A + 1,
static const uint16_t map_load_x[VM_OP_COUNT] = {IR_LOADS(MAP_X)};
static const uint16_t map_store_x[VM_OP_COUNT] = {IR_STORES(MAP_X)};
static const uint16_t map_load_a[VM_OP_COUNT] = {IR_LOADS(MAP_A)};
static const uint16_t map_store_a[VM_OP_COUNT] = {IR_STORES(MAP_A)};
#undef MAP_X
#undef MAP_A

/* The result type of an op with a fixed signature. */
static uint8_t result_type(vm_op op) {
  return vm_sig_table[vm_opinfo_table[op].sig].result;
}

static uint32_t nslots(uint8_t type) { return type == VM_V128 ? 2 : 1; }

static uint32_t type_slots(const uint8_t *types, uint32_t n) {
  uint32_t s = 0;
  for (uint32_t i = 0; i < n; i++) s += nslots(types[i]);
  return s;
}

/* ---- emission ---- */

static bool grow(void **p, uint32_t *cap, uint32_t need, size_t elem) {
  if (need <= *cap) return true;
  uint32_t nc = *cap ? *cap : 64;
  while (nc < need) nc *= 2;
  void *q = realloc(*p, (size_t)nc * elem);
  if (!q) return false;
  *p = q;
  *cap = nc;
  return true;
}

/* Makes room for at least 16 more words. The code is compiled straight
 * into the block vm_interp_compile returns, so it grows with the header;
 * jump targets are code indices until the end (relocs), so moving is safe. */
static bool grow_code(cctx *c) {
  uint32_t nc = c->cap + c->cap / 2 + 16;
  ir_code *q = realloc(c->out, sizeof *q + (size_t)nc * sizeof(ir_word));
  if (!q) {
    c->oom = true;
    return false;
  }
  c->out = q;
  c->code = q->ir;
  c->cap = nc;
  return true;
}

/* Inline: the compiler's most frequent call; only growing is out of line. */
static inline void emit_w(cctx *c, uint64_t w) {
  if (c->n == c->cap && !grow_code(c)) return;
  c->code[c->n++] = w;
}

/* Starts an op of nw words (handler included, at most 16) with one
 * capacity check; NULL when out of memory. */
static inline ir_word *emit_words(cctx *c, ir_op op, uint32_t nw) {
  if (c->cap - c->n < nw && !grow_code(c)) return NULL;
  ir_word *w = c->code + c->n;
  c->n += nw;
  c->last.valid = false;
  w[0] = (uint64_t)(uintptr_t)c->h[op];
  return w;
}

/* An op whose operand words follow through emit_w. */
static void emit_op(cctx *c, ir_op op) { emit_words(c, op, 1); }

/* Ops with one to three operand words, each in one call. */
static inline void emit_op1(cctx *c, ir_op op, uint64_t a) {
  ir_word *w = emit_words(c, op, 2);
  if (w) w[1] = a;
}

static inline void emit_op2(cctx *c, ir_op op, uint64_t a, uint64_t b) {
  ir_word *w = emit_words(c, op, 3);
  if (w) w[1] = a, w[2] = b;
}

static inline void emit_op3(cctx *c, ir_op op, uint64_t a, uint64_t b,
                            uint64_t d) {
  ir_word *w = emit_words(c, op, 4);
  if (w) w[1] = a, w[2] = b, w[3] = d;
}

/* A word holding a code index that becomes an absolute address at the end. */
static uint32_t emit_target(cctx *c, uint32_t idx) {
  uint32_t pos = c->n;
  emit_w(c, idx);
  if (!grow((void **)&c->relocs, &c->caprel, c->nrel + 1, sizeof(uint32_t))) {
    c->oom = true;
    return pos;
  }
  c->relocs[c->nrel++] = pos;
  return pos;
}

static void patch_chain(cctx *c, uint32_t chain, uint32_t target) {
  while (chain && !c->oom) {
    uint32_t pos = chain - 1;
    chain = (uint32_t)c->code[pos];
    c->code[pos] = target;
  }
}

/* A jump word to the label of frame fr. */
static void emit_label_ref(cctx *c, cframe *fr) {
  if (fr->kind == F_LOOP) {
    emit_target(c, fr->pc);
  } else {
    uint32_t pos = emit_target(c, fr->patches);
    fr->patches = pos + 1;
  }
}

/* ---- the operand stack model ---- */

static uint32_t home_at(const cctx *c, uint32_t h) {
  return h == 0 ? c->local_slots : c->stk[h - 1].end;
}

static bool grow_stack(cctx *c) {
  if (grow((void **)&c->stk, &c->stkcap, c->sp + 1, sizeof(ventry))) return true;
  c->oom = true;
  c->sp = 0; /* keep going harmlessly; the result is discarded */
  return false;
}

static inline ventry *push(cctx *c, uint8_t type, uint8_t kind) {
  if (c->sp == c->stkcap) grow_stack(c);
  ventry *e = &c->stk[c->sp];
  e->type = type;
  e->kind = kind;
  e->home = home_at(c, c->sp);
  e->end = e->home + nslots(type);
  e->slot = 0;
  e->val = 0;
  c->sp++;
  if (e->end > c->max_slot) c->max_slot = e->end;
  return e;
}

static void push_slot(cctx *c, uint8_t type) { push(c, type, K_SLOT); }

static void push_const(cctx *c, uint8_t type, uint64_t v) {
  push(c, type, K_CONST)->val = v;
}

/* Copies e's value into slot dst (without changing e's kind). */
static void emit_move(cctx *c, const ventry *e, uint32_t dst) {
  if (e->kind == K_CONST) {
    emit_op2(c, IR_CONST, dst, e->val);
    return;
  }
  if (e->kind == K_ADDI) {
    emit_op3(c, IR_I32_ADD_SI, dst, e->slot, e->val);
    return;
  }
  uint32_t src = e->kind == K_LOCAL ? e->slot : e->home;
  if (src == dst) return;
  emit_op2(c, e->type == VM_V128 ? IR_COPY2 : IR_COPY, dst, src);
}

/* Entries whose value depends on another slot (a local) until used. */
static bool reads_slot(const ventry *e) {
  return e->kind == K_LOCAL || e->kind == K_ADDI;
}

static void materialize(cctx *c, uint32_t i) {
  ventry *e = &c->stk[i];
  if (e->kind == K_SLOT) return;
  emit_move(c, e, e->home);
  e->kind = K_SLOT;
}

/* The slot an op reads entry i from (constants get stored first). Inline:
 * every op reads its operands through here. */
static inline uint32_t operand(cctx *c, uint32_t i) {
  ventry *e = &c->stk[i];
  if (e->kind == K_CONST || e->kind == K_ADDI) materialize(c, i);
  return e->kind == K_LOCAL ? e->slot : e->home;
}

/* ---- branches ---- */

static uint32_t label_arity(const cframe *fr) {
  return fr->kind == F_LOOP ? fr->nparams : fr->nresults;
}

/* Do the top values have to move to reach fr's label slots? */
static bool moves_needed(const cctx *c, const cframe *fr) {
  uint32_t n = label_arity(fr);
  uint32_t dst = home_at(c, fr->height);
  for (uint32_t i = c->sp - n; i < c->sp; i++) {
    const ventry *e = &c->stk[i];
    if (e->kind != K_SLOT || e->home != dst) return true;
    dst += nslots(e->type);
  }
  return false;
}

/* Moves the label values into place. Ascending order is safe: a value's
 * source slot is never below its destination, and later sources lie above
 * every earlier destination. The compile-time stack is left unchanged, since
 * these moves may run on one path only (br_if). */
static void emit_label_moves(cctx *c, const cframe *fr) {
  uint32_t n = label_arity(fr);
  uint32_t dst = home_at(c, fr->height);
  for (uint32_t i = c->sp - n; i < c->sp; i++) {
    const ventry *e = &c->stk[i];
    emit_move(c, e, dst);
    dst += nslots(e->type);
  }
}

/* Results go to fp[0..]. That range may overlap the locals, so a result read
 * from a local in that range is first copied to its home slot. */
static void emit_return(cctx *c) {
  uint32_t n = c->ftype->nresults;
  uint32_t total = c->result_slots;
  if (n == 1 && total == 1) {
    const ventry *e = &c->stk[c->sp - 1];
    if (e->kind == K_CONST || e->kind == K_ADDI) {
      emit_move(c, e, 0);
      emit_op(c, IR_RETURN);
    } else {
      emit_op1(c, IR_RET1, e->kind == K_LOCAL ? e->slot : e->home);
    }
    return;
  }
  for (uint32_t i = c->sp - n; i < c->sp; i++) {
    const ventry *e = &c->stk[i];
    if (reads_slot(e) && e->slot < total) emit_move(c, e, e->home);
  }
  uint32_t dst = 0;
  for (uint32_t i = c->sp - n; i < c->sp; i++) {
    ventry e = c->stk[i];
    if (reads_slot(&e) && e.slot < total) e.kind = K_SLOT;
    emit_move(c, &e, dst);
    dst += nslots(e.type);
  }
  emit_op(c, IR_RETURN);
}

/* Unconditional branch to the frame `depth` levels out. */
static void emit_br(cctx *c, uint32_t depth) {
  cframe *fr = &c->ctl[c->nctl - 1 - depth];
  if (fr->kind == F_FUNC) {
    emit_return(c);
    return;
  }
  emit_label_moves(c, fr);
  /* A branch to a loop is a back-edge: its twin charges fuel (ir.h). */
  emit_op(c, fr->kind == F_LOOP ? IR_BR_LOOP : IR_BR);
  emit_label_ref(c, fr);
}

/* Pops an i32 condition; when it was computed by the op just emitted (a
 * compare or eqz), that op is taken back and folded into the branch. */
static cond pop_cond(cctx *c) {
  cond k = {C_NZ, 0, false, 0, 0};
  ventry *top = &c->stk[c->sp - 1];
  if (c->last.valid && c->last.sp == c->sp && top->kind == K_SLOT &&
      c->last.cmp != CMP_NONE) {
    c->n = c->last.start;
    c->last.valid = false;
    if (c->last.cmp == CMP_EQZ) {
      k.kind = C_Z;
      k.a = c->last.a;
    } else if (c->last.cmp == CMP_AND) { /* (x & imm) != 0 */
      k.kind = C_ANDNZ;
      k.a = c->last.a;
      k.b = c->last.b;
    } else {
      k.kind = C_CMP;
      k.cmp = c->last.cmp;
      k.imm = c->last.imm;
      k.a = c->last.a;
      k.b = c->last.b;
    }
  } else {
    k.a = operand(c, c->sp - 1);
  }
  c->sp--;
  return k;
}

/* Emits a jump taken when k holds (or fails, with negate); returns the
 * position of its target word. `back`: the target is a loop label, so the
 * op is the fuel-charging twin (ir.h). */
static uint32_t emit_cond_jump(cctx *c, const cond *k, bool negate,
                               bool back) {
  if (k->kind == C_CMP) {
    int id = negate ? neg_cmp(k->cmp) : k->cmp;
    ir_op base = back ? IR_BRL_I32_EQ_SS : IR_BR_I32_EQ_SS;
    emit_op2(c, (ir_op)(base + 2 * id + (k->imm ? 1 : 0)), k->a, k->b);
  } else if (k->kind == C_ANDNZ || k->kind == C_ANDZ) {
    bool z = (k->kind == C_ANDZ) != negate;
    ir_op op = back ? (z ? IR_BR_ANDZ_LOOP : IR_BR_ANDNZ_LOOP)
                    : (z ? IR_BR_ANDZ : IR_BR_ANDNZ);
    emit_op2(c, op, k->a, k->b);
  } else {
    bool z = (k->kind == C_Z) != negate;
    ir_op op = back ? (z ? IR_BR_Z_LOOP : IR_BR_NZ_LOOP)
                    : (z ? IR_BR_Z : IR_BR_NZ);
    emit_op1(c, op, k->a);
  }
  return emit_target(c, 0);
}

static void emit_br_if(cctx *c, uint32_t depth) {
  cond k = pop_cond(c);
  cframe *fr = &c->ctl[c->nctl - 1 - depth];
  if (fr->kind != F_FUNC && !moves_needed(c, fr)) {
    uint32_t pos = emit_cond_jump(c, &k, false, fr->kind == F_LOOP);
    if (c->oom) return;
    if (fr->kind == F_LOOP) {
      c->code[pos] = fr->pc;
    } else {
      c->code[pos] = fr->patches;
      fr->patches = pos + 1;
    }
    return;
  }
  /* Values must move first: jump over the moves when not taken. */
  uint32_t skip = emit_cond_jump(c, &k, true, false);
  emit_br(c, depth);
  if (!c->oom) c->code[skip] = c->n;
}

static void emit_br_table(cctx *c, const vm_instr *in) {
  uint32_t n = in->a;
  uint32_t idx = operand(c, c->sp - 1);
  c->sp--;
  uint32_t *depths = malloc(((size_t)n + 1) * sizeof *depths);
  uint32_t *stub = calloc(c->nctl, sizeof *stub); /* depth → stub word + 1 */
  if (!depths || !stub) {
    free(depths);
    free(stub);
    c->oom = true;
    return;
  }
  vm_reader r;
  vm_reader_init(&r, c->m->bytes, in->targets_offset, c->m->size, NULL);
  for (uint32_t i = 0; i < n; i++) vm_read_u32(&r, &depths[i]);
  depths[n] = in->b;

  emit_op2(c, IR_BR_TABLE, idx, n);
  uint32_t first = c->n;
  for (uint32_t i = 0; i <= n; i++) {
    cframe *fr = &c->ctl[c->nctl - 1 - depths[i]];
    if (fr->kind == F_FUNC || moves_needed(c, fr))
      emit_target(c, 0); /* a stub, filled below */
    else
      emit_label_ref(c, fr);
  }
  /* One stub per distinct target that needs moves (or is the return). */
  for (uint32_t i = 0; i <= n && !c->oom; i++) {
    cframe *fr = &c->ctl[c->nctl - 1 - depths[i]];
    if (!(fr->kind == F_FUNC || moves_needed(c, fr))) continue;
    if (!stub[depths[i]]) {
      stub[depths[i]] = c->n + 1;
      emit_br(c, depths[i]);
    }
    if (!c->oom) c->code[first + i] = stub[depths[i]] - 1;
  }
  free(depths);
  free(stub);
}

/* ---- blocks ---- */

static void block_sig(const cctx *c, int64_t bt, uint32_t *np, uint32_t *nr) {
  if (bt >= 0) {
    *np = c->m->types[bt].nparams;
    *nr = c->m->types[bt].nresults;
  } else {
    *np = 0;
    *nr = bt == VM_BLOCK_EMPTY ? 0 : 1;
  }
}

static uint8_t block_type_at(const cctx *c, const cframe *fr, bool result,
                             uint32_t i) {
  if (fr->bt >= 0) {
    const vm_functype *t = &c->m->types[fr->bt];
    return t->types[result ? t->nparams + i : i];
  }
  if (fr->kind == F_FUNC) {
    const vm_functype *t = c->ftype;
    return t->types[result ? t->nparams + i : i];
  }
  return (uint8_t)(-fr->bt);
}

static cframe *push_frame(cctx *c, uint8_t kind, int64_t bt) {
  if (!grow((void **)&c->ctl, &c->ctlcap, c->nctl + 1, sizeof(cframe))) {
    c->oom = true;
    return NULL;
  }
  cframe *fr = &c->ctl[c->nctl++];
  memset(fr, 0, sizeof *fr);
  fr->kind = kind;
  fr->bt = bt;
  block_sig(c, bt, &fr->nparams, &fr->nresults);
  fr->height = c->sp - fr->nparams;
  return fr;
}

/* Entering a block: locals read virtually may be written inside (on some
 * path only), and the params must sit in their homes for every entry edge. */
static void materialize_for_block(cctx *c, uint32_t nparams) {
  for (uint32_t i = 0; i < c->sp; i++)
    if (reads_slot(&c->stk[i]) || i >= c->sp - nparams) materialize(c, i);
}

static void reset_stack(cctx *c, const cframe *fr, bool results) {
  c->sp = fr->height;
  uint32_t n = results ? fr->nresults : fr->nparams;
  for (uint32_t i = 0; i < n; i++) push_slot(c, block_type_at(c, fr, results, i));
}

/* The values falling through to the end of fr go to their homes. */
static void fallthrough(cctx *c, const cframe *fr) {
  for (uint32_t i = c->sp - fr->nresults; i < c->sp; i++) materialize(c, i);
}

static void do_else(cctx *c) {
  cframe *fr = &c->ctl[c->nctl - 1];
  if (!c->dead) {
    fallthrough(c, fr);
    emit_op(c, IR_BR);
    emit_label_ref(c, fr);
  }
  if (!c->oom) c->code[fr->else_patch - 1] = c->n;
  fr->else_patch = 0;
  reset_stack(c, fr, false);
  c->dead = false;
  c->last.valid = false;
}

static void do_end(cctx *c) {
  cframe *fr = &c->ctl[c->nctl - 1];
  if (fr->kind == F_FUNC) {
    if (!c->dead) emit_return(c);
    c->nctl--;
    return;
  }
  bool alive = !c->dead;
  if (alive) fallthrough(c, fr);
  if (fr->else_patch) { /* if without else: the false edge lands here */
    if (!c->oom) c->code[fr->else_patch - 1] = c->n;
    alive = true;
  }
  if (fr->patches) {
    patch_chain(c, fr->patches, c->n);
    alive = true;
  }
  reset_stack(c, fr, true);
  c->nctl--;
  c->dead = !alive;
  c->last.valid = false;
}

/* ---- value ops ---- */

static void set_last(cctx *c, uint32_t start, int cmp, bool imm, uint64_t a,
                     uint64_t b) {
  c->last.valid = true;
  c->last.start = start;
  c->last.sp = c->sp;
  c->last.cmp = cmp;
  c->last.imm = imm;
  c->last.a = a;
  c->last.b = b;
}

static bool commutes(ir_op ss) {
  switch (ss) {
  case IR_I32_ADD_SS: case IR_I32_MUL_SS: case IR_I32_AND_SS:
  case IR_I32_OR_SS: case IR_I32_XOR_SS: case IR_I64_ADD_SS:
  case IR_I64_MUL_SS: case IR_I64_AND_SS: case IR_I64_OR_SS:
  case IR_I64_XOR_SS: case IR_F32_ADD_SS: case IR_F32_MUL_SS:
  case IR_F64_ADD_SS: case IR_F64_MUL_SS:
    return true;
  default:
    return false;
  }
}

/* i32.add/sub with a constant operand: folds constants, and otherwise
 * leaves a virtual `slot + imm` entry. Returns false when it does not apply. */
static bool add_imm(cctx *c, ir_op ss) {
  if (ss != IR_I32_ADD_SS && ss != IR_I32_SUB_SS) return false;
  ventry *a = &c->stk[c->sp - 2], *b = &c->stk[c->sp - 1];
  uint32_t k;
  ventry *x;
  if (b->kind == K_CONST) {
    k = ss == IR_I32_SUB_SS ? 0u - (uint32_t)b->val : (uint32_t)b->val;
    x = a;
  } else if (a->kind == K_CONST && ss == IR_I32_ADD_SS) {
    k = (uint32_t)a->val;
    x = b;
  } else {
    return false;
  }
  /* The result lives at a's position: a value held in b's own home would be
   * left above the stack top. */
  if (x == b && (x->kind == K_SLOT || (x->kind == K_ADDI && x->slot == x->home)))
    return false;
  ventry r = *x;
  switch (x->kind) {
  case K_CONST: r.val = (uint32_t)(x->val + k); break;
  case K_ADDI: r.val = (uint32_t)(x->val + k); break;
  case K_LOCAL: r.kind = K_ADDI; r.val = k; break;
  default: /* K_SLOT: reads the value where it is, its own (new) home */
    r.kind = K_ADDI;
    r.slot = x->home;
    r.val = k;
    break;
  }
  c->sp -= 2;
  ventry *e = push(c, VM_I32, r.kind);
  e->slot = r.slot;
  e->val = r.val;
  c->last.valid = false;
  return true;
}

/* Binary op with an immediate form. */
static void bin_imm(cctx *c, ir_op ss, uint8_t rtype) {
  if (add_imm(c, ss)) return;
  int cmp = ss >= IR_I32_EQ_SS ? (int)(ss - IR_I32_EQ_SS) / 2 : CMP_NONE;
  uint32_t ia = c->sp - 2, ib = c->sp - 1;
  bool imm = false;
  uint64_t a, b;
  if (c->stk[ib].kind == K_CONST) {
    imm = true;
    b = c->stk[ib].val;
    a = operand(c, ia);
  } else if (c->stk[ia].kind == K_CONST && (commutes(ss) || cmp >= 0)) {
    imm = true;
    b = c->stk[ia].val;
    a = operand(c, ib);
    if (cmp >= 0) {
      cmp = mirror_cmp(cmp);
      ss = (ir_op)(IR_I32_EQ_SS + 2 * cmp);
    }
  } else {
    a = operand(c, ia);
    b = operand(c, ib);
  }
  c->sp -= 2;
  push_slot(c, rtype);
  uint32_t start = c->n;
  emit_op3(c, (ir_op)(ss + (imm ? 1 : 0)), c->stk[c->sp - 1].home, a, b);
  /* An i32.and with a constant feeds a branch as one test. */
  if (ss == IR_I32_AND_SS && imm) cmp = CMP_AND;
  set_last(c, start, cmp, imm, a, b);
}

static void bin_op(cctx *c, ir_op op, uint8_t rtype) {
  uint64_t a = operand(c, c->sp - 2), b = operand(c, c->sp - 1);
  c->sp -= 2;
  push_slot(c, rtype);
  uint32_t start = c->n;
  emit_op3(c, op, c->stk[c->sp - 1].home, a, b);
  set_last(c, start, CMP_NONE, false, a, b);
}

static void un_op(cctx *c, ir_op op, uint8_t rtype) {
  uint64_t a = operand(c, c->sp - 1);
  c->sp -= 1;
  push_slot(c, rtype);
  uint32_t start = c->n;
  emit_op2(c, op, c->stk[c->sp - 1].home, a);
  bool eqz = op == IR_I32_EQZ || op == IR_I64_EQZ;
  set_last(c, start, eqz ? CMP_EQZ : CMP_NONE, false, a, 0);
}

/* An op with operands popped from the stack (n of them, read in push order)
 * and no result, followed by extra words. */
static void sink_op(cctx *c, ir_op op, uint32_t n, const uint64_t *extra,
                    uint32_t nextra) {
  uint64_t s[3];
  for (uint32_t i = 0; i < n; i++) s[i] = operand(c, c->sp - n + i);
  c->sp -= n;
  emit_op(c, op);
  for (uint32_t i = 0; i < n; i++) emit_w(c, s[i]);
  for (uint32_t i = 0; i < nextra; i++) emit_w(c, extra[i]);
}

/* An op with a result (dst in ip[1]) after n popped operands, then extras. */
static void value_op(cctx *c, ir_op op, uint32_t n, uint8_t rtype,
                     const uint64_t *extra, uint32_t nextra) {
  uint64_t s[3];
  for (uint32_t i = 0; i < n; i++) s[i] = operand(c, c->sp - n + i);
  c->sp -= n;
  push_slot(c, rtype);
  uint32_t start = c->n;
  emit_op(c, op);
  emit_w(c, c->stk[c->sp - 1].home);
  for (uint32_t i = 0; i < n; i++) emit_w(c, s[i]);
  for (uint32_t i = 0; i < nextra; i++) emit_w(c, extra[i]);
  if (rtype != VM_V128) set_last(c, start, CMP_NONE, false, 0, 0);
}

/* Loads and stores pick the form by the address entry: a constant gives a
 * precomputed effective address, a `slot + imm` entry folds its add. */
static void load_op(cctx *c, vm_op op, uint64_t off) {
  uint8_t rt = result_type(op);
  ventry a = c->stk[c->sp - 1];
  if (a.kind == K_CONST) {
    c->sp--;
    push_slot(c, rt);
    uint32_t start = c->n;
    emit_op2(c, (ir_op)(map_load_a[op] - 1), c->stk[c->sp - 1].home,
             (uint32_t)a.val + off);
    set_last(c, start, CMP_NONE, false, 0, 0);
    return;
  }
  if (a.kind == K_ADDI) {
    c->sp--;
    push_slot(c, rt);
    uint32_t start = c->n;
    emit_op(c, (ir_op)(map_load_x[op] - 1));
    emit_w(c, c->stk[c->sp - 1].home);
    emit_w(c, a.slot);
    emit_w(c, off);
    emit_w(c, a.val);
    set_last(c, start, CMP_NONE, false, 0, 0);
    return;
  }
  value_op(c, (ir_op)op_ir[op], 1, rt, &off, 1);
}

static void store_op(cctx *c, vm_op op, uint64_t off) {
  ventry a = c->stk[c->sp - 2];
  if (a.kind != K_CONST && a.kind != K_ADDI) {
    sink_op(c, (ir_op)op_ir[op], 2, &off, 1);
    return;
  }
  uint64_t v = operand(c, c->sp - 1);
  c->sp -= 2;
  if (a.kind == K_CONST) {
    emit_op2(c, (ir_op)(map_store_a[op] - 1), (uint32_t)a.val + off, v);
  } else {
    emit_op(c, (ir_op)(map_store_x[op] - 1));
    emit_w(c, a.slot);
    emit_w(c, v);
    emit_w(c, off);
    emit_w(c, a.val);
  }
}

static void set_local(cctx *c, uint32_t li, bool tee) {
  uint32_t slot = c->lslot[li];
  ventry *top = &c->stk[c->sp - 1];
  if (c->straight) {
    bool zero = top->kind == K_CONST && top->val == 0;
    if (zero && c->zero_known[li] && !tee) {
      c->sp--;
      return;
    }
    c->zero_known[li] = zero;
  }
  if (top->kind == K_LOCAL && top->slot == slot) { /* x = x */
    if (!tee) c->sp--;
    return;
  }
  bool others = false;
  for (uint32_t i = 0; i + 1 < c->sp; i++)
    if (reads_slot(&c->stk[i]) && c->stk[i].slot == slot) others = true;
  if (c->last.valid && c->last.sp == c->sp && top->kind == K_SLOT &&
      top->type != VM_V128 && !others) {
    c->code[c->last.start + 1] = slot;
    c->last.valid = false;
    if (tee) {
      top->kind = K_LOCAL;
      top->slot = slot;
    } else {
      c->sp--;
    }
    return;
  }
  if (others)
    for (uint32_t i = 0; i + 1 < c->sp; i++)
      if (reads_slot(&c->stk[i]) && c->stk[i].slot == slot) materialize(c, i);
  top = &c->stk[c->sp - 1];
  emit_move(c, top, slot);
  c->last.valid = false;
  if (!tee) {
    c->sp--;
  } else if (top->kind == K_ADDI) { /* its input may be the local itself */
    top->kind = K_LOCAL;
    top->slot = slot;
  }
}

/* Materialises the top n values (call arguments) and returns the slot of the
 * first, i.e. where the callee's frame starts. */
static uint32_t call_args(cctx *c, const vm_functype *t) {
  for (uint32_t i = c->sp - t->nparams; i < c->sp; i++) materialize(c, i);
  uint32_t argslot = home_at(c, c->sp - t->nparams);
  c->sp -= t->nparams;
  uint32_t need = argslot + type_slots(t->types, t->nparams);
  uint32_t rs = argslot + type_slots(t->types + t->nparams, t->nresults);
  if (rs > need) need = rs;
  if (need > c->max_slot) c->max_slot = need;
  return argslot;
}

static void call_results(cctx *c, const vm_functype *t) {
  for (uint32_t i = 0; i < t->nresults; i++) push_slot(c, t->types[t->nparams + i]);
}

/* ---- SIMD ---- */

static void simd_op(cctx *c, const vm_instr *in) {
  const vm_opinfo *info = &vm_opinfo_table[in->op];
  uint8_t pt[3], rt;
  int np = vm_sig_types((vm_sig)info->sig, pt, &rt);
  vm_simd_fn fn = vm_simd_fns[in->op];
  uint64_t imm[2] = {0, 0};
  if (info->imm == VM_IMM_SHUFFLE) memcpy(imm, in->v128, 16);
  else if (info->imm == VM_IMM_LANE || info->imm == VM_IMM_MEMARG_LANE) imm[0] = in->lane;

  if (info->imm == VM_IMM_MEMARG || info->imm == VM_IMM_MEMARG_LANE) {
    uint64_t size = 1u << info->arg;
    if (rt == VM_V128) { /* loads: address [, vector] */
      uint64_t addr = operand(c, c->sp - np);
      uint64_t vec = np == 2 ? operand(c, c->sp - 1) : 0;
      c->sp -= (uint32_t)np;
      push_slot(c, VM_V128);
      emit_op(c, IR_SIMD_LOAD);
      emit_w(c, c->stk[c->sp - 1].home);
      emit_w(c, (uint64_t)(uintptr_t)fn);
      emit_w(c, addr);
      emit_w(c, in->offset_imm);
      emit_w(c, vec);
      emit_w(c, size | (np == 2 ? 0x100u : 0));
      emit_w(c, imm[0]);
    } else { /* stores: address, vector */
      uint64_t addr = operand(c, c->sp - 2), vec = operand(c, c->sp - 1);
      c->sp -= 2;
      emit_op(c, IR_SIMD_STORE);
      emit_w(c, (uint64_t)(uintptr_t)fn);
      emit_w(c, addr);
      emit_w(c, vec);
      emit_w(c, in->offset_imm);
      emit_w(c, size);
      emit_w(c, imm[0]);
    }
    return;
  }
  if (in->op == VM_OP_V128_CONST) {
    push_slot(c, VM_V128);
    uint64_t lo, hi;
    memcpy(&lo, in->v128, 8);
    memcpy(&hi, in->v128 + 8, 8);
    emit_op3(c, IR_CONST2, c->stk[c->sp - 1].home, lo, hi);
    return;
  }
  uint64_t s[3] = {0, 0, 0};
  uint64_t shape = 0;
  for (int i = 0; i < np; i++) {
    s[i] = operand(c, c->sp - (uint32_t)np + (uint32_t)i);
    shape |= (uint64_t)nslots(pt[i]) << (2 * i);
  }
  shape |= (uint64_t)nslots(rt) << 6;
  c->sp -= (uint32_t)np;
  push_slot(c, rt);
  emit_op(c, IR_SIMD);
  emit_w(c, c->stk[c->sp - 1].home);
  emit_w(c, (uint64_t)(uintptr_t)fn);
  emit_w(c, s[0]);
  emit_w(c, s[1]);
  emit_w(c, s[2]);
  emit_w(c, shape);
  emit_w(c, imm[0]);
  emit_w(c, imm[1]);
}

/* ---- one instruction ---- */

static void compile_instr(cctx *c, const vm_instr *in) {
  const vm_module *m = c->m;
  rt_instance *inst = c->inst;
  vm_op op = (vm_op)in->op;

  if (c->dead) {
    switch (op) {
    case VM_OP_BLOCK: case VM_OP_LOOP: case VM_OP_IF:
      c->dead_depth++;
      return;
    case VM_OP_ELSE:
      if (c->dead_depth == 0) do_else(c);
      return;
    case VM_OP_END:
      if (c->dead_depth > 0) c->dead_depth--;
      else do_end(c);
      return;
    default:
      return;
    }
  }

  if (c->straight && vm_opinfo_table[op].sig == VM_SIG_SPECIAL &&
      op != VM_OP_LOCAL_GET && op != VM_OP_LOCAL_SET && op != VM_OP_LOCAL_TEE &&
      op != VM_OP_GLOBAL_GET && op != VM_OP_GLOBAL_SET && op != VM_OP_CALL &&
      op != VM_OP_DROP)
    c->straight = false; /* control flow (or anything unusual) from here */

  /* One switch: the generated classes are case lists from ir.h's tables. */
  switch (op) {
#define CASE(n, ...) case VM_OP_##n:
  IR_BIN_IMM(CASE)
    bin_imm(c, (ir_op)op_ir[op], result_type(op));
    return;
  IR_BIN(CASE) IR_BIN_TRAP(CASE)
    bin_op(c, (ir_op)op_ir[op], result_type(op));
    return;
  IR_UN(CASE) IR_UN_TRAP(CASE)
    un_op(c, (ir_op)op_ir[op], result_type(op));
    return;
  IR_LOADS(CASE)
    load_op(c, op, in->offset_imm);
    return;
  IR_STORES(CASE)
    store_op(c, op, in->offset_imm);
    return;
#undef CASE
  case VM_OP_UNREACHABLE:
    emit_op(c, IR_UNREACHABLE);
    c->dead = true;
    return;
  case VM_OP_NOP:
    return;
  case VM_OP_BLOCK: case VM_OP_LOOP: {
    uint32_t np, nr;
    block_sig(c, in->block, &np, &nr);
    materialize_for_block(c, np);
    cframe *fr = push_frame(c, op == VM_OP_BLOCK ? F_BLOCK : F_LOOP, in->block);
    if (fr) fr->pc = c->n;
    c->last.valid = false;
    /* The same loops as the AOT emitter's OSR entries (aot/emit.c). */
    if (op == VM_OP_LOOP && c->sp == 0 && inst->engine == RT_ENGINE_TIERED) {
      if (!grow((void **)&c->loops, &c->caploops, 2 * c->nloops + 2, sizeof(uint32_t))) {
        c->oom = true;
        return;
      }
      c->loops[2 * c->nloops] = c->n;
      c->loops[2 * c->nloops++ + 1] = in->offset;
    }
    return;
  }
  case VM_OP_IF: {
    uint32_t np, nr;
    block_sig(c, in->block, &np, &nr);
    cond k = pop_cond(c);
    materialize_for_block(c, np);
    uint32_t pos = emit_cond_jump(c, &k, true, false);
    cframe *fr = push_frame(c, F_IF, in->block);
    if (fr) fr->else_patch = pos + 1;
    c->last.valid = false;
    return;
  }
  case VM_OP_ELSE:
    do_else(c);
    return;
  case VM_OP_END:
    do_end(c);
    return;
  case VM_OP_BR:
    emit_br(c, in->a);
    c->dead = true;
    return;
  case VM_OP_BR_IF:
    emit_br_if(c, in->a);
    return;
  case VM_OP_BR_TABLE:
    emit_br_table(c, in);
    c->dead = true;
    return;
  case VM_OP_RETURN:
    emit_return(c);
    c->dead = true;
    return;
  case VM_OP_CALL: {
    const vm_functype *t = vm_func_type(m, in->a);
    uint32_t argslot = call_args(c, t);
    rt_func *callee = inst->funcs[in->a];
    /* A tiered callee may switch to compiled code: check at each call. */
    emit_op(c, callee->entry == vm_interp_entry && callee->inst->engine != RT_ENGINE_TIERED
                   ? IR_CALL_INTERP : IR_CALL);
    emit_w(c, argslot);
    emit_w(c, (uint64_t)(uintptr_t)callee);
    call_results(c, t);
    return;
  }
  case VM_OP_CALL_INDIRECT: {
    const vm_functype *t = &m->types[in->a];
    uint32_t idx = operand(c, c->sp - 1);
    c->sp--;
    uint32_t argslot = call_args(c, t);
    uint32_t id = rt_engine_type_id(rt_store_engine(inst->store), t);
    emit_op(c, IR_CALL_INDIRECT);
    emit_w(c, argslot);
    emit_w(c, idx);
    emit_w(c, (uint64_t)(uintptr_t)inst->tables[in->b]);
    emit_w(c, id);
    call_results(c, t);
    return;
  }
  case VM_OP_DROP:
    c->sp--;
    return;
  case VM_OP_SELECT: case VM_OP_SELECT_T: {
    uint8_t t = c->stk[c->sp - 3].type;
    value_op(c, t == VM_V128 ? IR_SELECT2 : IR_SELECT, 3, t, NULL, 0);
    return;
  }
  case VM_OP_LOCAL_GET: {
    ventry *e = push(c, c->ltype[in->a], K_LOCAL);
    e->slot = c->lslot[in->a];
    return;
  }
  case VM_OP_LOCAL_SET:
    set_local(c, in->a, false);
    return;
  case VM_OP_LOCAL_TEE:
    set_local(c, in->a, true);
    return;
  case VM_OP_GLOBAL_GET: {
    rt_global *g = inst->globals[in->a];
    uint64_t p = (uint64_t)(uintptr_t)g->val;
    bool v = g->type.type == VM_V128;
    value_op(c, v ? IR_GLOBAL_GET2 : IR_GLOBAL_GET, 0, g->type.type, &p, 1);
    return;
  }
  case VM_OP_GLOBAL_SET: {
    rt_global *g = inst->globals[in->a];
    uint64_t src = operand(c, c->sp - 1);
    c->sp--;
    emit_op2(c, g->type.type == VM_V128 ? IR_GLOBAL_SET2 : IR_GLOBAL_SET,
             (uint64_t)(uintptr_t)g->val, src);
    return;
  }
  case VM_OP_TABLE_GET: {
    uint64_t t = (uint64_t)(uintptr_t)inst->tables[in->a];
    value_op(c, IR_TABLE_GET, 1, inst->tables[in->a]->elemtype, &t, 1);
    return;
  }
  case VM_OP_TABLE_SET: {
    uint64_t t = (uint64_t)(uintptr_t)inst->tables[in->a];
    sink_op(c, IR_TABLE_SET, 2, &t, 1);
    return;
  }
  case VM_OP_MEMORY_SIZE:
    value_op(c, IR_MEMORY_SIZE, 0, VM_I32, NULL, 0);
    return;
  case VM_OP_MEMORY_GROW:
    value_op(c, IR_MEMORY_GROW, 1, VM_I32, NULL, 0);
    return;
  case VM_OP_I32_CONST:
    push_const(c, VM_I32, (uint32_t)in->i64);
    return;
  case VM_OP_I64_CONST:
    push_const(c, VM_I64, (uint64_t)in->i64);
    return;
  case VM_OP_F32_CONST:
    push_const(c, VM_F32, in->bits);
    return;
  case VM_OP_F64_CONST:
    push_const(c, VM_F64, in->bits);
    return;
  /* Reinterpretations keep the bits: only the static type changes. */
  case VM_OP_I32_REINTERPRET_F32:
    c->stk[c->sp - 1].type = VM_I32;
    c->last.valid = false;
    return;
  case VM_OP_I64_REINTERPRET_F64:
    c->stk[c->sp - 1].type = VM_I64;
    c->last.valid = false;
    return;
  case VM_OP_F32_REINTERPRET_I32:
    c->stk[c->sp - 1].type = VM_F32;
    c->last.valid = false;
    return;
  case VM_OP_F64_REINTERPRET_I64:
    c->stk[c->sp - 1].type = VM_F64;
    c->last.valid = false;
    return;
  case VM_OP_REF_NULL:
    push_const(c, (uint8_t)in->a, 0);
    return;
  case VM_OP_REF_IS_NULL:
    un_op(c, IR_I64_EQZ, VM_I32);
    return;
  case VM_OP_REF_FUNC:
    push_const(c, VM_FUNCREF, (uint64_t)(uintptr_t)inst->funcs[in->a]);
    return;
  case VM_OP_MEMORY_INIT: {
    uint64_t seg = (uint64_t)(uintptr_t)&inst->datas[in->a];
    sink_op(c, IR_MEMORY_INIT, 3, &seg, 1);
    return;
  }
  case VM_OP_DATA_DROP: {
    uint64_t seg = (uint64_t)(uintptr_t)&inst->datas[in->a];
    sink_op(c, IR_DATA_DROP, 0, &seg, 1);
    return;
  }
  case VM_OP_MEMORY_COPY:
    sink_op(c, IR_MEMORY_COPY, 3, NULL, 0);
    return;
  case VM_OP_MEMORY_FILL:
    sink_op(c, IR_MEMORY_FILL, 3, NULL, 0);
    return;
  case VM_OP_TABLE_INIT: {
    uint64_t x[2] = {(uint64_t)(uintptr_t)inst->tables[in->b],
                     (uint64_t)(uintptr_t)&inst->elems[in->a]};
    sink_op(c, IR_TABLE_INIT, 3, x, 2);
    return;
  }
  case VM_OP_ELEM_DROP: {
    uint64_t seg = (uint64_t)(uintptr_t)&inst->elems[in->a];
    sink_op(c, IR_ELEM_DROP, 0, &seg, 1);
    return;
  }
  case VM_OP_TABLE_COPY: {
    uint64_t x[2] = {(uint64_t)(uintptr_t)inst->tables[in->a],
                     (uint64_t)(uintptr_t)inst->tables[in->b]};
    sink_op(c, IR_TABLE_COPY, 3, x, 2);
    return;
  }
  case VM_OP_TABLE_GROW: {
    uint64_t t = (uint64_t)(uintptr_t)inst->tables[in->a];
    value_op(c, IR_TABLE_GROW, 2, VM_I32, &t, 1);
    return;
  }
  case VM_OP_TABLE_SIZE: {
    uint64_t t = (uint64_t)(uintptr_t)inst->tables[in->a];
    value_op(c, IR_TABLE_SIZE, 0, VM_I32, &t, 1);
    return;
  }
  case VM_OP_TABLE_FILL: {
    uint64_t t = (uint64_t)(uintptr_t)inst->tables[in->a];
    sink_op(c, IR_TABLE_FILL, 3, &t, 1);
    return;
  }
  default:
    /* Only SIMD is left: the validator guarantees nothing else gets here. */
    if (vm_opinfo_table[op].prefix == 0xfd) simd_op(c, in);
    else c->oom = true;
    return;
  }
}

/* ---- the function ---- */

/* The three per-local arrays share one block (freed through lslot); the +1
 * keeps it non-empty. */
static bool setup_locals(cctx *c, const vm_func *fn) {
  const vm_functype *t = c->ftype;
  c->nlocals = t->nparams + fn->nlocals;
  size_t n = (size_t)c->nlocals + 1;
  c->lslot = malloc(n * (sizeof *c->lslot + 2));
  if (!c->lslot) return false;
  c->ltype = (uint8_t *)(c->lslot + n);
  c->zero_known = c->ltype + n;
  memset(c->zero_known, 0, n);
  memset(c->zero_known + t->nparams, 1, fn->nlocals);
  c->straight = true;
  uint32_t k = 0, slot = 0;
  for (uint32_t i = 0; i < t->nparams; i++, k++) {
    c->ltype[k] = t->types[i];
    c->lslot[k] = slot;
    slot += nslots(t->types[i]);
  }
  c->param_slots = slot;
  for (uint32_t r = 0; r < fn->nlocal_runs; r++)
    for (uint32_t i = 0; i < fn->local_runs[r].count; i++, k++) {
      c->ltype[k] = fn->local_runs[r].type;
      c->lslot[k] = slot;
      slot += nslots(fn->local_runs[r].type);
    }
  c->local_slots = slot;
  c->result_slots = type_slots(t->types + t->nparams, t->nresults);
  c->max_slot = slot > c->result_slots ? slot : c->result_slots;
  return true;
}

/* The code block and the work arrays start at sizes that fit most
 * functions: typical code compiles to about 0.7 IR words per body byte
 * (samples/hello), so 7/8 of a word per byte rarely needs to grow. */
static bool alloc_scratch(cctx *c, const vm_func *fn) {
  c->cap = fn->body_size - fn->body_size / 8 + 16;
  c->out = malloc(sizeof *c->out + (size_t)c->cap * sizeof(ir_word));
  c->stkcap = 32;
  c->stk = malloc(c->stkcap * sizeof *c->stk);
  c->ctlcap = 16;
  c->ctl = malloc(c->ctlcap * sizeof *c->ctl);
  c->caprel = 16 + fn->body_size / 16;
  c->relocs = malloc(c->caprel * sizeof *c->relocs);
  if (!c->out || !c->stk || !c->ctl || !c->relocs) return false;
  c->code = c->out->ir;
  return true;
}

/* Gives back what the estimate left unused, when that is worth a call;
 * keeps the block if it cannot shrink. */
static ir_code *shrink_code(ir_code *out, uint32_t cap, uint32_t n) {
  if (cap - n < 64) return out;
  ir_code *q = realloc(out, sizeof *q + (size_t)n * sizeof(ir_word));
  return q ? q : out;
}

ir_code *vm_interp_compile(rt_func *f) {
  cctx cc;
  cctx *c = &cc;
  memset(c, 0, sizeof *c);
  c->f = f;
  c->inst = f->inst;
  c->m = f->inst->module;
  c->h = vm_interp_handlers();
  c->ftype = f->type;
  const vm_func *fn = &c->m->funcs[f->index - c->m->nimported_funcs];
  ir_code *out = NULL;

  if (!setup_locals(c, fn) || !alloc_scratch(c, fn)) goto done;
  if (c->local_slots > c->param_slots) {
    emit_op2(c, IR_ENTER, c->param_slots, c->local_slots - c->param_slots);
  }
  cframe *top = push_frame(c, F_FUNC, VM_BLOCK_EMPTY);
  if (!top) goto done;
  top->nresults = c->ftype->nresults;
  top->bt = -1; /* marks "use the function type" (see block_type_at) */
  top->height = 0;

  vm_error err = {0};
  vm_reader r;
  vm_reader_init(&r, c->m->bytes, fn->body_offset,
                 (size_t)fn->body_offset + fn->body_size, &err);
  while (c->nctl > 0 && !c->oom) {
    vm_instr in;
    if (!vm_read_instr(&r, &in)) {
      c->oom = true;
      break;
    }
    compile_instr(c, &in);
  }
  for (uint32_t i = 0; i < 2 * c->nloops; i++) emit_w(c, c->loops[i]);
  if (c->oom) goto done;

  out = shrink_code(c->out, c->cap, c->n);
  c->out = NULL;
  memset(out, 0, sizeof *out);
  out->func = f;
  out->mem = c->inst->mem0 ? c->inst->mem0 : &out->no_mem;
  out->frame_slots = c->max_slot;
  out->param_slots = c->param_slots;
  out->result_slots = c->result_slots;
  out->nwords = c->n - 2 * c->nloops;
  out->nloops = c->nloops;
  for (uint32_t i = 0; i < c->nrel; i++)
    out->ir[c->relocs[i]] = (uint64_t)(uintptr_t)(out->ir + out->ir[c->relocs[i]]);

done:
  free(c->out);
  free(c->relocs);
  free(c->loops);
  free(c->stk);
  free(c->ctl);
  free(c->lslot);
  return out;
}
