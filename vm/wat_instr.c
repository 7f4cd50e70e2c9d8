/* Instructions of the text format (spec 6.5), encoded per spec 5.4.
 * Names and encodings come from the opcode table (vm/opcodes.h). */
#include <stdlib.h>
#include <string.h>

#include "vm/module.h"
#include "vm/opcodes.h"
#include "vm/wat_int.h"

bool wat_build_op_map(wat_parser *p) {
  for (int i = 0; i < VM_OP_COUNT; i++) {
    const char *name = vm_opinfo_table[i].name;
    uint32_t dummy;
    /* "select" has two rows (0x1b, 0x1c); the untyped one comes first */
    if (wat_map_get(&p->ops, name, (uint32_t)strlen(name), &dummy)) continue;
    if (!wat_map_put(&p->ops, name, (uint32_t)strlen(name), (uint32_t)i))
      return wat_oom(p);
  }
  return true;
}

static void emit_op(wat_buf *out, int op) {
  const vm_opinfo *info = &vm_opinfo_table[op];
  if (info->prefix) {
    wat_buf_byte(out, info->prefix);
    wat_buf_u32(out, info->code);
  } else {
    wat_buf_byte(out, info->code);
  }
}

static bool lookup_op(const wat_parser *p, const wat_tok *t, int *op) {
  uint32_t v;
  if (t->kind != WAT_ATOM || !wat_map_get(&p->ops, p->src + t->off, t->len, &v))
    return false;
  *op = (int)v;
  return true;
}

/* ---- labels and locals ------------------------------------------------ */

static bool push_label(wat_parser *p, uint32_t tok) {
  if (p->nlabels == p->cap_labels) {
    uint32_t nc = p->cap_labels ? p->cap_labels * 2 : 16;
    uint32_t *nl = realloc(p->labels, nc * sizeof *nl);
    if (!nl) return wat_oom(p);
    p->labels = nl;
    p->cap_labels = nc;
  }
  p->labels[p->nlabels++] = tok;
  return true;
}

static bool same_id(const wat_parser *p, uint32_t a, const wat_tok *b) {
  const wat_tok *t = &p->toks[a];
  return t->len == b->len && memcmp(p->src + t->off, p->src + b->off, t->len) == 0;
}

/* Symbolic labels resolve to the innermost enclosing block of that name
 * (spec 6.5.1: a label id shadows outer ones). */
static bool label_index(wat_parser *p, uint32_t *out) {
  const wat_tok *t = wat_peek(p, 0);
  if (t->kind == WAT_ID) {
    for (uint32_t i = p->nlabels; i-- > 0;)
      if (p->labels[i] != WAT_NO_LABEL && same_id(p, p->labels[i], t)) {
        *out = p->nlabels - 1 - i;
        p->pos++;
        return true;
      }
    return wat_fail(p, t, "unknown label %.*s", (int)t->len, p->src + t->off);
  }
  return wat_index(p, SP_TYPE, out); /* numeric: no lookup happens */
}

static bool local_index(wat_parser *p, uint32_t *out) {
  const wat_tok *t = wat_peek(p, 0);
  if (t->kind == WAT_ID) {
    if (!wat_map_get(&p->locals, p->src + t->off, t->len, out))
      return wat_fail(p, t, "unknown local %.*s", (int)t->len, p->src + t->off);
    p->pos++;
    return true;
  }
  return wat_index(p, SP_TYPE, out);
}

/* ---- immediates -------------------------------------------------------- */

static bool memarg(wat_parser *p, unsigned natural_log2, wat_buf *out) {
  uint64_t offset = 0, align_log2 = natural_log2;
  const wat_tok *t = wat_peek(p, 0);
  if (t->kind == WAT_ATOM && t->len > 7 &&
      memcmp(p->src + t->off, "offset=", 7) == 0) {
    wat_num_status st =
        vm_wat_nat(p->src + t->off + 7, t->len - 7, UINT32_MAX, &offset);
    if (st == WAT_NUM_RANGE) return wat_fail(p, t, "i32 constant out of range");
    if (st == WAT_NUM_SYNTAX) return wat_fail(p, t, "unknown operator");
    p->pos++;
    t = wat_peek(p, 0);
  }
  if (t->kind == WAT_ATOM && t->len > 6 &&
      memcmp(p->src + t->off, "align=", 6) == 0) {
    uint64_t a;
    wat_num_status st = vm_wat_nat(p->src + t->off + 6, t->len - 6, UINT32_MAX, &a);
    if (st == WAT_NUM_RANGE) return wat_fail(p, t, "i32 constant out of range");
    if (st == WAT_NUM_SYNTAX) return wat_fail(p, t, "unknown operator");
    if (a == 0 || (a & (a - 1)) != 0)
      return wat_fail(p, t, "alignment must be a power of two");
    for (align_log2 = 0; ((uint64_t)1 << align_log2) < a; align_log2++) {}
    p->pos++;
  }
  wat_buf_u32(out, (uint32_t)align_log2);
  wat_buf_u32(out, (uint32_t)offset);
  return true;
}

static bool lane_index(wat_parser *p, wat_buf *out) {
  const wat_tok *t = wat_peek(p, 0);
  uint64_t v;
  wat_num_status st = t->kind == WAT_ATOM
                          ? vm_wat_nat(p->src + t->off, t->len, 255, &v)
                          : WAT_NUM_SYNTAX;
  if (st == WAT_NUM_RANGE) return wat_fail(p, t, "malformed lane index");
  if (st == WAT_NUM_SYNTAX) return wat_unexpected(p);
  wat_buf_byte(out, (uint8_t)v);
  p->pos++;
  return true;
}

static bool shuffle_lanes(wat_parser *p, const wat_tok *op, wat_buf *out) {
  uint8_t lanes[16];
  int n = 0;
  for (;;) {
    const wat_tok *t = wat_peek(p, 0);
    uint64_t v;
    if (t->kind != WAT_ATOM) break;
    wat_num_status st = vm_wat_nat(p->src + t->off, t->len, 255, &v);
    if (st == WAT_NUM_SYNTAX &&
        vm_wat_f64(p->src + t->off, t->len, &v) != WAT_NUM_SYNTAX)
      st = WAT_NUM_RANGE; /* a signed or float number is no lane index */
    if (st == WAT_NUM_RANGE) return wat_fail(p, t, "malformed lane index");
    if (st == WAT_NUM_SYNTAX) break;
    if (n == 16) return wat_fail(p, op, "invalid lane length");
    lanes[n++] = (uint8_t)v;
    p->pos++;
  }
  if (n != 16) return wat_fail(p, op, "invalid lane length");
  wat_buf_bytes(out, lanes, 16);
  return true;
}

bool wat_v128_lanes(wat_parser *p, int shape, uint8_t out[16]) {
  int lanes = vm_wat_shape_lanes(shape), width = 16 / lanes, n = 0;
  /* the count is checked before the literals, as the reference does */
  while (n <= lanes && wat_peek(p, (size_t)n)->kind == WAT_ATOM) n++;
  if (n != lanes)
    return wat_fail(p, wat_peek(p, 0), "wrong number of lane literals");
  for (int i = 0; i < lanes; i++) {
    const wat_tok *t = wat_peek(p, 0);
    wat_num_status st = vm_wat_lane(shape, p->src + t->off, t->len, out + i * width);
    if (st == WAT_NUM_SYNTAX) return wat_unexpected(p);
    if (st == WAT_NUM_RANGE) return wat_fail(p, t, "constant out of range");
    p->pos++;
  }
  return true;
}

static bool literal(wat_parser *p, int op, wat_buf *out) {
  const wat_tok *t = wat_peek(p, 0);
  const char *s = p->src + t->off;
  wat_num_status st = WAT_NUM_SYNTAX;
  uint64_t v = 0;
  uint32_t f = 0;
  if (t->kind == WAT_ATOM) {
    switch (op) {
    case VM_OP_I32_CONST: st = vm_wat_int(s, t->len, 32, &v); break;
    case VM_OP_I64_CONST: st = vm_wat_int(s, t->len, 64, &v); break;
    case VM_OP_F32_CONST: st = vm_wat_f32(s, t->len, &f); break;
    default: st = vm_wat_f64(s, t->len, &v); break;
    }
  }
  if (st == WAT_NUM_SYNTAX) return wat_unexpected(p);
  if (st == WAT_NUM_RANGE) return wat_fail(p, t, "constant out of range");
  p->pos++;
  emit_op(out, op);
  uint8_t bytes[8];
  switch (op) {
  case VM_OP_I32_CONST: wat_buf_s64(out, (int32_t)(uint32_t)v); break;
  case VM_OP_I64_CONST: wat_buf_s64(out, (int64_t)v); break;
  case VM_OP_F32_CONST:
    for (int i = 0; i < 4; i++) bytes[i] = (uint8_t)(f >> (8 * i));
    wat_buf_bytes(out, bytes, 4);
    break;
  default:
    for (int i = 0; i < 8; i++) bytes[i] = (uint8_t)(v >> (8 * i));
    wat_buf_bytes(out, bytes, 8);
  }
  return true;
}

/* The block type: empty, one result type, or a type index (spec 5.4.1). */
static bool blocktype(wat_parser *p, wat_buf *out) {
  bool has_type;
  uint32_t idx = 0;
  wat_sig sig;
  bool ok = wat_typeuse_sig(p, TU_NO_NAMES, &has_type, &idx, &sig);
  if (ok) {
    const wat_sig *def = has_type && idx < p->ntypes ? &p->types[idx] : NULL;
    if (def && def->np == 0 && def->nr <= 1) {
      /* wabt writes the short form for a referenced type that has one */
      wat_buf_byte(out, def->nr ? def->t[0] : 0x40);
    } else if (has_type) {
      wat_buf_s64(out, idx);
    } else if (sig.np == 0 && sig.nr == 0) {
      wat_buf_byte(out, 0x40);
    } else if (sig.np == 0 && sig.nr == 1) {
      wat_buf_byte(out, sig.t[0]);
    } else if ((ok = wat_type_for_sig(p, &sig, &idx))) {
      wat_buf_s64(out, idx);
    }
  }
  free(sig.t);
  return ok;
}

/* Opcode and immediates of a non-block instruction. */
static bool immediates(wat_parser *p, int op, const wat_tok *optok,
                       wat_buf *out) {
  const vm_opinfo *info = &vm_opinfo_table[op];
  uint32_t x = 0, y = 0;
  switch (info->imm) {
  case VM_IMM_NONE:
    if (op == VM_OP_SELECT && wat_at_field(p, "result")) {
      wat_sig sig = {0, 0, NULL};
      bool ok = wat_params_results(p, TU_NO_NAMES, &sig);
      if (ok) {
        emit_op(out, VM_OP_SELECT_T);
        wat_buf_u32(out, sig.nr);
        wat_buf_bytes(out, sig.t, sig.nr);
      }
      free(sig.t);
      return ok;
    }
    emit_op(out, op);
    return true;
  case VM_IMM_LABEL:
    if (!label_index(p, &x)) return false;
    emit_op(out, op);
    wat_buf_u32(out, x);
    return true;
  case VM_IMM_BR_TABLE: {
    wat_buf labels = {0};
    uint32_t n = 0;
    while (wat_at_index(p)) {
      if (!label_index(p, &x)) { wat_buf_free(&labels); return false; }
      wat_buf_u32(&labels, x);
      n++;
    }
    if (n == 0) return wat_unexpected(p);
    emit_op(out, op);
    wat_buf_u32(out, n - 1); /* the last one is the default */
    wat_buf_bytes(out, labels.p, labels.n);
    bool oom = labels.oom;
    wat_buf_free(&labels);
    return oom ? wat_oom(p) : true;
  }
  case VM_IMM_FUNC:
    if (!wat_index(p, SP_FUNC, &x)) return false;
    emit_op(out, op);
    wat_buf_u32(out, x);
    return true;
  case VM_IMM_CALL_INDIRECT:
    if (wat_at_index(p) && !wat_index(p, SP_TABLE, &y)) return false;
    if (!wat_typeuse(p, TU_NO_NAMES, &x)) return false;
    emit_op(out, op);
    wat_buf_u32(out, x);
    wat_buf_u32(out, y);
    return true;
  case VM_IMM_LOCAL:
    if (!local_index(p, &x)) return false;
    emit_op(out, op);
    wat_buf_u32(out, x);
    return true;
  case VM_IMM_GLOBAL:
  case VM_IMM_ELEM:
  case VM_IMM_DATA:
    if (!wat_index(p, info->imm == VM_IMM_GLOBAL ? SP_GLOBAL
                      : info->imm == VM_IMM_ELEM ? SP_ELEM : SP_DATA, &x))
      return false;
    if (info->imm == VM_IMM_DATA) p->uses_data_count = true;
    emit_op(out, op);
    wat_buf_u32(out, x);
    return true;
  case VM_IMM_TABLE:
    if (wat_at_index(p) && !wat_index(p, SP_TABLE, &x)) return false;
    emit_op(out, op);
    wat_buf_u32(out, x);
    return true;
  case VM_IMM_MEMARG:
  case VM_IMM_MEMARG_LANE:
    emit_op(out, op);
    if (!memarg(p, info->arg, out)) return false;
    return info->imm == VM_IMM_MEMARG || lane_index(p, out);
  case VM_IMM_MEMIDX:
    emit_op(out, op);
    wat_buf_byte(out, 0);
    return true;
  case VM_IMM_I32:
  case VM_IMM_I64:
  case VM_IMM_F32:
  case VM_IMM_F64:
    return literal(p, op, out);
  case VM_IMM_REFTYPE: {
    uint8_t t;
    if (!wat_heaptype(p, &t)) return false;
    emit_op(out, op);
    wat_buf_byte(out, t);
    return true;
  }
  case VM_IMM_MEMORY_INIT:
    if (!wat_index(p, SP_DATA, &x)) return false;
    p->uses_data_count = true;
    emit_op(out, op);
    wat_buf_u32(out, x);
    wat_buf_byte(out, 0);
    return true;
  case VM_IMM_MEMORY_COPY:
    emit_op(out, op);
    wat_buf_byte(out, 0);
    wat_buf_byte(out, 0);
    return true;
  case VM_IMM_TABLE_INIT: {
    /* table.init x? y: with one index it is the element segment */
    size_t save = p->pos;
    if (wat_at_index(p) && (p->pos++, wat_at_index(p))) {
      p->pos = save;
      if (!wat_index(p, SP_TABLE, &y)) return false;
    } else {
      p->pos = save;
    }
    if (!wat_index(p, SP_ELEM, &x)) return false;
    emit_op(out, op);
    wat_buf_u32(out, x);
    wat_buf_u32(out, y);
    return true;
  }
  case VM_IMM_TABLE_COPY:
    if (wat_at_index(p) &&
        (!wat_index(p, SP_TABLE, &x) || !wat_index(p, SP_TABLE, &y)))
      return false;
    emit_op(out, op);
    wat_buf_u32(out, x);
    wat_buf_u32(out, y);
    return true;
  case VM_IMM_V128: {
    const wat_tok *t = wat_peek(p, 0);
    int shape = t->kind == WAT_ATOM ? vm_wat_shape(p->src + t->off, t->len) : -1;
    uint8_t bytes[16];
    if (shape < 0) return wat_unexpected(p);
    p->pos++;
    if (!wat_v128_lanes(p, shape, bytes)) return false;
    emit_op(out, op);
    wat_buf_bytes(out, bytes, 16);
    return true;
  }
  case VM_IMM_SHUFFLE:
    emit_op(out, op);
    return shuffle_lanes(p, optok, out);
  case VM_IMM_LANE:
    emit_op(out, op);
    return lane_index(p, out);
  default: /* VM_IMM_BLOCK, VM_IMM_SELECT_T: handled by the callers */
    return wat_unexpected(p);
  }
}

/* ---- structured instructions -------------------------------------------- */

static bool instr(wat_parser *p, wat_buf *out);

/* optional label id; returns its token index or WAT_NO_LABEL */
static uint32_t opt_label(wat_parser *p) {
  if (wat_peek(p, 0)->kind != WAT_ID) return WAT_NO_LABEL;
  return (uint32_t)p->pos++;
}

/* `end $l` / `else $l`: the id must repeat the block's label (6.5.2) */
static bool closing_label(wat_parser *p, uint32_t label) {
  const wat_tok *t = wat_peek(p, 0);
  if (t->kind != WAT_ID) return true;
  if (label == WAT_NO_LABEL || !same_id(p, label, t))
    return wat_fail(p, t, "mismatching label");
  p->pos++;
  return true;
}

/* Drops a trailing `else` with nothing after it, as wabt does. */
static void else_body_done(wat_buf *out, size_t else_end) {
  if (out->n == else_end) out->n--;
}

static bool block_plain(wat_parser *p, int op, wat_buf *out) {
  wat_buf_mark(out, p->pos - 1); /* the op */
  uint32_t label = opt_label(p);
  emit_op(out, op);
  if (!blocktype(p, out) || !push_label(p, label) || !wat_instrs(p, out))
    return false;
  if (op == VM_OP_IF && wat_atom_is(p, wat_peek(p, 0), "else")) {
    p->pos++;
    if (!closing_label(p, label)) return false;
    emit_op(out, VM_OP_ELSE);
    size_t mark = out->n;
    if (!wat_instrs(p, out)) return false;
    else_body_done(out, mark);
  }
  wat_buf_mark(out, p->pos);
  if (!wat_expect_kw(p, "end") || !closing_label(p, label)) return false;
  emit_op(out, VM_OP_END);
  p->nlabels--;
  return true;
}

static bool block_folded(wat_parser *p, int op, wat_buf *out) {
  size_t op_tok = p->pos - 1;
  uint32_t label = opt_label(p);
  if (op != VM_OP_IF) {
    wat_buf_mark(out, op_tok);
    emit_op(out, op);
    if (!blocktype(p, out) || !push_label(p, label) || !wat_instrs(p, out))
      return false;
    wat_buf_mark(out, p->pos);
    if (!wat_expect_rpar(p)) return false;
    emit_op(out, VM_OP_END);
    p->nlabels--;
    return true;
  }
  /* (if label bt cond* (then ...) (else ...)?): the condition comes first */
  wat_buf head = {0};
  wat_buf_mark(&head, op_tok);
  emit_op(&head, op);
  bool ok = blocktype(p, &head);
  while (ok && wat_peek(p, 0)->kind == WAT_LPAR && !wat_at_field(p, "then"))
    ok = instr(p, out);
  wat_buf_append(out, &head);
  ok = ok && !head.oom;
  wat_buf_free(&head);
  if (!ok || !push_label(p, label)) return false;
  if (!wat_at_field(p, "then")) return wat_unexpected(p);
  p->pos += 2;
  if (!wat_instrs(p, out) || !wat_expect_rpar(p)) return false;
  if (wat_at_field(p, "else")) {
    p->pos += 2;
    emit_op(out, VM_OP_ELSE);
    size_t mark = out->n;
    if (!wat_instrs(p, out) || !wat_expect_rpar(p)) return false;
    else_body_done(out, mark);
  }
  wat_buf_mark(out, p->pos);
  if (!wat_expect_rpar(p)) return false;
  emit_op(out, VM_OP_END);
  p->nlabels--;
  return true;
}

static bool is_block_op(int op) {
  return op == VM_OP_BLOCK || op == VM_OP_LOOP || op == VM_OP_IF;
}

static bool instr_inner(wat_parser *p, wat_buf *out) {
  const wat_tok *t = wat_peek(p, 0);
  int op;
  if (t->kind == WAT_LPAR) {
    /* folded: (op imm* folded*) encodes the operands first (6.5.9) */
    p->pos++;
    t = wat_peek(p, 0);
    if (!lookup_op(p, t, &op)) return wat_unexpected(p);
    p->pos++;
    if (is_block_op(op)) return block_folded(p, op, out);
    wat_buf imm = {0};
    wat_buf_mark(&imm, p->pos - 1);
    bool ok = immediates(p, op, t, &imm);
    while (ok && wat_peek(p, 0)->kind == WAT_LPAR) ok = instr(p, out);
    ok = ok && wat_expect_rpar(p);
    if (ok) wat_buf_append(out, &imm);
    ok = ok && !imm.oom;
    wat_buf_free(&imm);
    return ok;
  }
  if (!lookup_op(p, t, &op)) return wat_unexpected(p);
  p->pos++;
  if (is_block_op(op)) return block_plain(p, op, out);
  wat_buf_mark(out, p->pos - 1);
  return immediates(p, op, t, out);
}

static bool instr(wat_parser *p, wat_buf *out) {
  if (p->depth >= WAT_MAX_DEPTH)
    return wat_fail(p, wat_peek(p, 0), "nesting too deep");
  p->depth++;
  bool ok = instr_inner(p, out);
  p->depth--;
  return ok;
}

bool wat_instr1(wat_parser *p, wat_buf *out) { return instr(p, out); }

bool wat_instrs(wat_parser *p, wat_buf *out) {
  for (;;) {
    const wat_tok *t = wat_peek(p, 0);
    if (t->kind == WAT_RPAR || t->kind == WAT_EOF) return true;
    if (wat_atom_is(p, t, "end") || wat_atom_is(p, t, "else")) return true;
    if (!instr(p, out)) return false;
    if (out->oom) return wat_oom(p);
  }
}
