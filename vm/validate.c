/* Module validation, Wasm 2.0 (spec chapter 3; the code validator follows
 * the appendix's "Validation Algorithm" with its `Unknown` operand type).
 *
 * Messages use the reference interpreter's wording because the spec suite's
 * assert_invalid compares them by prefix. Index errors append the index
 * ("unknown memory 0"), which still matches the suite's shorter forms.
 *
 * Everything the validator allocates is bounded by the module size: index
 * space tables (one entry per declared entity), a bitmap of C.refs, and per
 * function a control stack (one frame per block instruction, each at least
 * two bytes of code) and an operand stack capped at VM_MAX_OPERAND_STACK. */
#include "vm/validate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/instr.h"
#include "vm/opcodes.h"
#include "vm/reader.h"

/* The algorithm's "Unknown" operand: produced by pops from the polymorphic
 * stack after unreachable/br/br_table/return; matches every type. */
#define UNKNOWN 0

#define MAX_PAGES 65536u /* 4 GiB of 64 KiB pages (spec 3.2.4) */

/* Functions with at most this many params + locals get a flat table of
 * local types (one byte each); larger ones, which a few bytes of local
 * declarations can produce, are looked up by binary search over the runs. */
#define LOCALS_FLAT_MAX 65536u

/* A control frame (appendix: ctrl_frame). Label and end types point either
 * into the module's type section or into k_valtypes, so frames stay valid
 * when the control stack is reallocated. */
typedef struct {
  const uint8_t *params, *results;
  uint32_t nparams, nresults;
  uint32_t height; /* operand stack height at block entry */
  uint16_t op;     /* VM_OP_BLOCK/LOOP/IF/ELSE; the function frame is BLOCK */
  bool unreachable;
} ctrl_frame;

typedef struct {
  const vm_module *m;
  vm_error *err;

  /* Index spaces, imports first (spec 3.4.10: the context C). */
  uint32_t nfuncs, ntables, nmems, nglobals, ndatas;
  uint32_t *func_types; /* type index per function */
  vm_tabletype *tables;
  vm_globaltype *globals;
  uint8_t *refs; /* bitmap of C.refs: functions that ref.func may name */

  /* Per-function state, reused across functions. */
  uint8_t *vals;
  uint32_t nvals, cap_vals, max_vals;
  ctrl_frame *ctrls;
  uint32_t nctrls, cap_ctrls;
  uint64_t *run_ends; /* cumulative local counts per declaration run */
  uint32_t cap_runs;
  uint8_t *local_types; /* params + locals, when few enough to expand */
  uint32_t nlocal_types, cap_local_types;
  const vm_functype *ft; /* current function's type */
  const vm_func *fn;
  const vm_instr *in; /* instruction being checked, for messages */
} vctx;

static const uint8_t k_valtypes[] = {VM_I32,  VM_I64,     VM_F32,      VM_F64,
                                     VM_V128, VM_FUNCREF, VM_EXTERNREF};

/* ---- helpers ------------------------------------------------------------ */

static bool fail(vctx *c, size_t off, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static bool fail(vctx *c, size_t off, const char *fmt, ...) {
  char buf[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  vm_fail(c->err, VM_ERR_INVALID, off, "%s", buf);
  return false;
}

static bool oom(vctx *c) {
  vm_fail(c->err, VM_ERR_OOM, 0, "out of memory");
  return false;
}

static const uint8_t *single_type(uint8_t t) {
  for (size_t i = 0; i < sizeof k_valtypes; i++)
    if (k_valtypes[i] == t) return &k_valtypes[i];
  return NULL;
}

static bool is_num(uint8_t t) {
  return t == VM_I32 || t == VM_I64 || t == VM_F32 || t == VM_F64 ||
         t == UNKNOWN;
}
static bool is_vec(uint8_t t) { return t == VM_V128 || t == UNKNOWN; }
static bool is_ref(uint8_t t) {
  return t == VM_FUNCREF || t == VM_EXTERNREF || t == UNKNOWN;
}

static bool ref_mark(vctx *c, uint32_t f) {
  if (f < c->nfuncs) c->refs[f >> 3] |= (uint8_t)(1u << (f & 7));
  return true;
}
static bool ref_has(const vctx *c, uint32_t f) {
  return (c->refs[f >> 3] >> (f & 7)) & 1;
}

static void *grow(void *p, uint32_t *cap, uint32_t need, size_t elem) {
  if (need <= *cap) return p;
  uint64_t n = *cap ? (uint64_t)*cap * 2 : 64;
  while (n < need) n *= 2;
  if (n > UINT32_MAX || n > SIZE_MAX / elem) return NULL;
  void *q = realloc(p, (size_t)n * elem);
  if (q) *cap = (uint32_t)n;
  return q;
}

/* ---- index spaces --------------------------------------------------------- */

static bool check_limits(vctx *c, const vm_limits *l, uint64_t range,
                         const char *msg, size_t off) {
  /* Same order as the reference interpreter: range first, then min <= max. */
  if (l->min > range) return fail(c, off, "%s", msg);
  if (l->has_max) {
    if (l->max > range) return fail(c, off, "%s", msg);
    if (l->min > l->max)
      return fail(c, off, "size minimum must not be greater than maximum");
  }
  return true;
}

static bool check_table_type(vctx *c, const vm_tabletype *t) {
  return check_limits(c, &t->limits, 0xffffffffu,
                      "table size must be at most 2^32-1", t->limits.offset);
}

static bool check_mem_type(vctx *c, const vm_limits *l) {
  return check_limits(c, l, MAX_PAGES,
                      "memory size must be at most 65536 pages (4GiB)", l->offset);
}

/* Where the second memory (imported or defined) is declared. */
static uint32_t second_memory_offset(const vm_module *m) {
  uint32_t seen = 0;
  for (uint32_t i = 0; i < m->nimports; i++)
    if (m->imports[i].kind == VM_EXT_MEMORY && ++seen == 2) return m->imports[i].offset;
  return m->memories[1 - seen].offset;
}

/* Builds the context C from imports and definitions (spec 3.4.10). */
static bool build_context(vctx *c) {
  const vm_module *m = c->m;
  uint64_t nf = (uint64_t)m->nimported_funcs + m->nfuncs;
  uint64_t nt = (uint64_t)m->nimported_tables + m->ntables;
  uint64_t ng = (uint64_t)m->nimported_globals + m->nglobals;
  if (nf > UINT32_MAX || nt > UINT32_MAX || ng > UINT32_MAX)
    return fail(c, 0, "too many definitions");
  c->nfuncs = (uint32_t)nf;
  c->ntables = (uint32_t)nt;
  c->nglobals = (uint32_t)ng;
  c->nmems = m->nimported_memories + m->nmemories;
  c->func_types = malloc((size_t)(nf ? nf : 1) * sizeof *c->func_types);
  c->tables = malloc((size_t)(nt ? nt : 1) * sizeof *c->tables);
  c->globals = malloc((size_t)(ng ? ng : 1) * sizeof *c->globals);
  c->refs = calloc((size_t)(nf / 8 + 1), 1);
  if (!c->func_types || !c->tables || !c->globals || !c->refs) return oom(c);

  uint32_t fi = 0, ti = 0, gi = 0, mi = 0;
  for (uint32_t i = 0; i < m->nimports; i++) {
    const vm_import *im = &m->imports[i];
    switch (im->kind) {
    case VM_EXT_FUNC:
      if (im->desc.func_type >= m->ntypes)
        return fail(c, im->offset, "unknown type %u", im->desc.func_type);
      if (fi < c->nfuncs) c->func_types[fi++] = im->desc.func_type;
      break;
    case VM_EXT_TABLE:
      if (!check_table_type(c, &im->desc.table)) return false;
      if (ti < c->ntables) c->tables[ti++] = im->desc.table;
      break;
    case VM_EXT_MEMORY:
      if (!check_mem_type(c, &im->desc.memory)) return false;
      mi++;
      break;
    case VM_EXT_GLOBAL:
      if (gi < c->nglobals) c->globals[gi++] = im->desc.global;
      break;
    default:
      return fail(c, im->offset, "malformed import kind");
    }
  }
  /* The decoder's counts and the import list must agree; trust neither
   * blindly since a short count would leave entries uninitialized. */
  if (fi != m->nimported_funcs || ti != m->nimported_tables ||
      gi != m->nimported_globals || mi != m->nimported_memories)
    return fail(c, 0, "inconsistent import counts");
  for (uint32_t i = 0; i < m->nfuncs; i++) {
    if (m->funcs[i].type >= m->ntypes)
      return fail(c, m->funcs[i].code_offset, "unknown type %u",
                  m->funcs[i].type);
    c->func_types[fi++] = m->funcs[i].type;
  }
  for (uint32_t i = 0; i < m->ntables; i++) {
    if (!check_table_type(c, &m->tables[i])) return false;
    c->tables[ti++] = m->tables[i];
  }
  for (uint32_t i = 0; i < m->nmemories; i++)
    if (!check_mem_type(c, &m->memories[i])) return false;
  /* Wasm 2.0 has at most one memory (spec 3.4.10); multi-memory is a
   * later proposal. */
  if (c->nmems > 1) return fail(c, second_memory_offset(m), "multiple memories");
  for (uint32_t i = 0; i < m->nglobals; i++)
    c->globals[gi++] = m->globals[i].type;
  /* Without a data count section, memory.init/data.drop are rejected as
   * malformed by the decoder, so ndatas is only a fallback. */
  c->ndatas = m->has_datacount ? m->datacount : m->ndatas;
  return true;
}

/* ---- constant expressions (spec 3.3.10) ----------------------------------- */

/* Validates `e` as a constant expression of type `want`. Constant
 * expressions only see imported globals (spec 3.4.10, context C'), and those
 * must be immutable. Every ref.func found is added to C.refs. */
static bool check_const(vctx *c, const vm_expr *e, uint8_t want) {
  const vm_module *m = c->m;
  vm_reader r;
  if ((uint64_t)e->offset + e->size > m->size)
    return fail(c, e->offset, "constant expression out of bounds");
  vm_reader_init(&r, m->bytes, e->offset, (size_t)e->offset + e->size, c->err);
  uint32_t count = 0;
  uint8_t type = UNKNOWN;
  size_t first_off = e->offset;
  for (;;) {
    vm_instr in;
    if (vm_reader_eof(&r)) {
      vm_fail(c->err, VM_ERR_MALFORMED, r.pos, "END opcode expected");
      return false;
    }
    if (!vm_read_instr(&r, &in)) return false;
    if (in.op == VM_OP_END) break;
    uint8_t t;
    switch (in.op) {
    case VM_OP_I32_CONST: t = VM_I32; break;
    case VM_OP_I64_CONST: t = VM_I64; break;
    case VM_OP_F32_CONST: t = VM_F32; break;
    case VM_OP_F64_CONST: t = VM_F64; break;
    case VM_OP_V128_CONST: t = VM_V128; break;
    case VM_OP_REF_NULL: t = (uint8_t)in.a; break;
    case VM_OP_REF_FUNC:
      if (in.a >= c->nfuncs)
        return fail(c, in.offset, "unknown function %u", in.a);
      ref_mark(c, in.a);
      t = VM_FUNCREF;
      break;
    case VM_OP_GLOBAL_GET:
      if (in.a >= m->nimported_globals)
        return fail(c, in.offset, "unknown global %u", in.a);
      if (c->globals[in.a].mut)
        return fail(c, in.offset, "constant expression required");
      t = c->globals[in.a].type;
      break;
    default:
      return fail(c, in.offset, "constant expression required");
    }
    if (count++ == 0) first_off = in.offset;
    type = t;
  }
  /* All constant instructions push one value and pop none, so the
   * expression types as [] -> [want] iff it is exactly one instruction. */
  if (count != 1 || type != want)
    return fail(c, first_off, "type mismatch: expected [%s] in constant "
                "expression, got %u value(s)%s%s", vm_valtype_name(want), count,
                count == 1 ? " of type " : "", count == 1 ? vm_valtype_name(type) : "");
  return true;
}

/* ---- module-level entities ------------------------------------------------ */

static bool check_globals(vctx *c) {
  for (uint32_t i = 0; i < c->m->nglobals; i++) {
    const vm_global *g = &c->m->globals[i];
    if (!check_const(c, &g->init, g->type.type)) return false;
  }
  return true;
}

static bool check_elems(vctx *c) {
  const vm_module *m = c->m;
  for (uint32_t i = 0; i < m->nelems; i++) {
    const vm_elem *s = &m->elems[i];
    size_t off = s->offset_in_file;
    if (!is_ref(s->type) || s->type == UNKNOWN)
      return fail(c, off, "malformed reference type");
    for (uint32_t k = 0; k < s->count; k++) {
      if (s->funcs) {
        if (s->funcs[k] >= c->nfuncs)
          return fail(c, off, "unknown function %u", s->funcs[k]);
        if (s->type != VM_FUNCREF) return fail(c, off, "type mismatch");
        ref_mark(c, s->funcs[k]);
      } else if (s->exprs) {
        if (!check_const(c, &s->exprs[k], s->type)) return false;
      }
    }
    if (s->mode == VM_SEG_ACTIVE) {
      if (s->table >= c->ntables)
        return fail(c, off, "unknown table %u", s->table);
      if (c->tables[s->table].elemtype != s->type)
        return fail(c, off, "type mismatch: element segment of %s for table "
                    "of %s", vm_valtype_name(s->type),
                    vm_valtype_name(c->tables[s->table].elemtype));
      if (!check_const(c, &s->offset, VM_I32)) return false;
    }
  }
  return true;
}

static bool check_datas(vctx *c) {
  const vm_module *m = c->m;
  for (uint32_t i = 0; i < m->ndatas; i++) {
    const vm_data *d = &m->datas[i];
    if (d->mode != VM_SEG_ACTIVE) continue;
    if (d->memory >= c->nmems)
      return fail(c, d->offset.offset, "unknown memory %u", d->memory);
    if (!check_const(c, &d->offset, VM_I32)) return false;
  }
  return true;
}

static bool check_start(vctx *c) {
  const vm_module *m = c->m;
  if (!m->has_start) return true;
  if (m->start >= c->nfuncs)
    return fail(c, m->start_offset, "unknown function %u", m->start);
  const vm_functype *ft = &m->types[c->func_types[m->start]];
  if (ft->nparams || ft->nresults)
    return fail(c, m->start_offset, "start function must have type [] -> []");
  return true;
}

static int cmp_export(const void *a, const void *b) {
  const vm_export *x = *(const vm_export *const *)a;
  const vm_export *y = *(const vm_export *const *)b;
  if (x->name_len != y->name_len) return x->name_len < y->name_len ? -1 : 1;
  if (x->name_len == 0) return 0;
  return memcmp(x->name, y->name, x->name_len);
}

static bool check_exports(vctx *c) {
  const vm_module *m = c->m;
  bool ok = false;
  const vm_export **sorted = NULL;
  for (uint32_t i = 0; i < m->nexports; i++) {
    const vm_export *e = &m->exports[i];
    switch (e->kind) {
    case VM_EXT_FUNC:
      if (e->index >= c->nfuncs)
        return fail(c, e->offset, "unknown function %u", e->index);
      ref_mark(c, e->index);
      break;
    case VM_EXT_TABLE:
      if (e->index >= c->ntables)
        return fail(c, e->offset, "unknown table %u", e->index);
      break;
    case VM_EXT_MEMORY:
      if (e->index >= c->nmems)
        return fail(c, e->offset, "unknown memory %u", e->index);
      break;
    case VM_EXT_GLOBAL:
      if (e->index >= c->nglobals)
        return fail(c, e->offset, "unknown global %u", e->index);
      break;
    default:
      return fail(c, e->offset, "malformed export kind");
    }
  }
  if (m->nexports < 2) return true;
  /* Sorting keeps name uniqueness O(n log n) for modules with many exports. */
  sorted = malloc(m->nexports * sizeof *sorted);
  if (!sorted) return oom(c);
  for (uint32_t i = 0; i < m->nexports; i++) sorted[i] = &m->exports[i];
  qsort(sorted, m->nexports, sizeof *sorted, cmp_export);
  for (uint32_t i = 1; i < m->nexports; i++)
    if (cmp_export(&sorted[i - 1], &sorted[i]) == 0) {
      /* The later of the two in the file is the duplicate. */
      uint32_t at = sorted[i]->offset > sorted[i - 1]->offset ? sorted[i]->offset
                                                              : sorted[i - 1]->offset;
      fail(c, at, "duplicate export name \"%s\"", sorted[i]->name);
      goto fail;
    }
  ok = true;
fail:
  free(sorted);
  return ok;
}

/* ---- operand and control stacks (appendix, validation algorithm) --------- */

static const char *op_name(const vctx *c) {
  return vm_opinfo_table[c->in->op].name;
}

static bool mismatch(vctx *c, uint8_t want, uint8_t got, bool empty) {
  if (empty)
    return fail(c, c->in->offset,
                "type mismatch: %s requires [%s] but stack is empty",
                op_name(c), want == UNKNOWN ? "any" : vm_valtype_name(want));
  return fail(c, c->in->offset, "type mismatch: %s requires [%s] but stack "
              "has [%s]", op_name(c), want == UNKNOWN ? "any" : vm_valtype_name(want),
              vm_valtype_name(got));
}

static bool push(vctx *c, uint8_t t) {
  if (c->nvals >= c->cap_vals) {
    if (c->nvals >= VM_MAX_OPERAND_STACK)
      return fail(c, c->in->offset, "operand stack exceeds %u values",
                  VM_MAX_OPERAND_STACK);
    uint8_t *p = grow(c->vals, &c->cap_vals, c->nvals + 1, 1);
    if (!p) return oom(c);
    c->vals = p;
  }
  c->vals[c->nvals++] = t;
  if (c->nvals > c->max_vals) c->max_vals = c->nvals;
  return true;
}

static bool push_n(vctx *c, const uint8_t *ts, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (!push(c, ts[i])) return false;
  return true;
}

/* pop_val(expect); `want` UNKNOWN means any type. */
static bool pop(vctx *c, uint8_t want, uint8_t *got) {
  ctrl_frame *f = &c->ctrls[c->nctrls - 1];
  uint8_t t;
  if (c->nvals == f->height) {
    if (!f->unreachable) return mismatch(c, want, UNKNOWN, true);
    t = UNKNOWN;
  } else {
    t = c->vals[--c->nvals];
    if (t != want && t != UNKNOWN && want != UNKNOWN)
      return mismatch(c, want, t, false);
  }
  if (got) *got = t;
  return true;
}

static bool pop_n(vctx *c, const uint8_t *ts, uint32_t n) {
  for (uint32_t i = n; i-- > 0;)
    if (!pop(c, ts[i], NULL)) return false;
  return true;
}

/* push_vals(pop_vals(ts)) without moving anything: used by br_table, where
 * the same operands are checked against several labels. Positions below the
 * frame height in unreachable code would pop as Unknown and be pushed back as
 * Unknown, so they match everything on later checks too. */
static bool peek_n(vctx *c, const uint8_t *ts, uint32_t n) {
  ctrl_frame *f = &c->ctrls[c->nctrls - 1];
  uint32_t avail = c->nvals - f->height;
  for (uint32_t i = 0; i < n; i++) {
    uint8_t want = ts[n - 1 - i];
    if (i >= avail) {
      if (f->unreachable) continue;
      return mismatch(c, want, UNKNOWN, true);
    }
    uint8_t t = c->vals[c->nvals - 1 - i];
    if (t != want && t != UNKNOWN) return mismatch(c, want, t, false);
  }
  return true;
}

static bool push_ctrl(vctx *c, uint16_t op, const uint8_t *params,
                      uint32_t np, const uint8_t *results, uint32_t nr) {
  ctrl_frame *p = grow(c->ctrls, &c->cap_ctrls, c->nctrls + 1, sizeof *p);
  if (!p) return oom(c);
  c->ctrls = p;
  ctrl_frame *f = &c->ctrls[c->nctrls++];
  f->op = op;
  f->params = params;
  f->nparams = np;
  f->results = results;
  f->nresults = nr;
  f->height = c->nvals;
  f->unreachable = false;
  return push_n(c, params, np);
}

/* Pops the frame's results and checks nothing else is left (end / else). */
static bool close_frame(vctx *c) {
  ctrl_frame *f = &c->ctrls[c->nctrls - 1];
  if (!pop_n(c, f->results, f->nresults)) return false;
  if (c->nvals != f->height)
    return fail(c, c->in->offset, "type mismatch: %u extra value(s) on the "
                "stack at the end of the block", c->nvals - f->height);
  return true;
}

static void set_unreachable(vctx *c) {
  ctrl_frame *f = &c->ctrls[c->nctrls - 1];
  c->nvals = f->height;
  f->unreachable = true;
}

static bool label(vctx *c, uint32_t depth, const uint8_t **ts, uint32_t *n) {
  if (depth >= c->nctrls)
    return fail(c, c->in->offset, "unknown label %u", depth);
  const ctrl_frame *f = &c->ctrls[c->nctrls - 1 - depth];
  /* A branch to a loop re-enters it, so it carries the loop's params. */
  if (f->op == VM_OP_LOOP) {
    *ts = f->params;
    *n = f->nparams;
  } else {
    *ts = f->results;
    *n = f->nresults;
  }
  return true;
}

/* ---- instructions --------------------------------------------------------- */

static bool block_type(vctx *c, int64_t bt, const uint8_t **p, uint32_t *np,
                       const uint8_t **r, uint32_t *nr) {
  *p = *r = NULL;
  *np = *nr = 0;
  if (bt == VM_BLOCK_EMPTY) return true;
  if (bt < 0) {
    if (bt < -0xff || !(*r = single_type((uint8_t)-bt)))
      return fail(c, c->in->offset, "malformed block type");
    *nr = 1;
    return true;
  }
  if ((uint64_t)bt >= c->m->ntypes)
    return fail(c, c->in->offset, "unknown type %u", (uint32_t)bt);
  const vm_functype *ft = &c->m->types[bt];
  *p = ft->types;
  *np = ft->nparams;
  *r = ft->types + ft->nparams;
  *nr = ft->nresults;
  return true;
}

static bool need_mem(vctx *c, uint32_t idx) {
  if (idx >= c->nmems)
    return fail(c, c->in->offset, "unknown memory %u", idx);
  return true;
}
static bool need_table(vctx *c, uint32_t idx) {
  if (idx >= c->ntables)
    return fail(c, c->in->offset, "unknown table %u", idx);
  return true;
}
static bool need_elem(vctx *c, uint32_t idx) {
  if (idx >= c->m->nelems)
    return fail(c, c->in->offset, "unknown elem segment %u", idx);
  return true;
}

/* Checks the immediates whose meaning the opcode table fully describes
 * (memory/table/segment indices, alignment, lanes), so every instruction of
 * a kind is checked the same way. Typing happens afterwards. */
static bool check_imm(vctx *c, const vm_instr *in, const vm_opinfo *oi) {
  switch (oi->imm) {
  case VM_IMM_MEMARG:
  case VM_IMM_MEMARG_LANE:
    /* Memory first, then alignment, then lane: the reference's order. */
    if (!need_mem(c, in->b)) return false;
    if (in->a > oi->arg)
      return fail(c, in->offset, "alignment must not be larger than natural");
    if (oi->imm == VM_IMM_MEMARG_LANE && in->lane >= (16u >> oi->arg))
      return fail(c, in->offset, "invalid lane index %u", in->lane);
    return true;
  case VM_IMM_MEMIDX:
    return need_mem(c, in->a);
  case VM_IMM_LANE:
    if (in->lane >= oi->arg)
      return fail(c, in->offset, "invalid lane index %u", in->lane);
    return true;
  case VM_IMM_SHUFFLE:
    for (int i = 0; i < 16; i++)
      if (in->v128[i] >= 32)
        return fail(c, in->offset, "invalid lane index %u", in->v128[i]);
    return true;
  case VM_IMM_DATA:
    if (in->a >= c->ndatas)
      return fail(c, in->offset, "unknown data segment %u", in->a);
    return true;
  case VM_IMM_ELEM:
    return need_elem(c, in->a);
  case VM_IMM_TABLE:
    return need_table(c, in->a);
  case VM_IMM_MEMORY_INIT:
    if (!need_mem(c, in->b)) return false;
    if (in->a >= c->ndatas)
      return fail(c, in->offset, "unknown data segment %u", in->a);
    return true;
  case VM_IMM_MEMORY_COPY:
    return need_mem(c, in->a) && need_mem(c, in->b);
  case VM_IMM_TABLE_INIT:
    if (!need_table(c, in->b) || !need_elem(c, in->a)) return false;
    if (c->tables[in->b].elemtype != c->m->elems[in->a].type)
      return fail(c, in->offset, "type mismatch: table.init of %s segment "
                  "into %s table", vm_valtype_name(c->m->elems[in->a].type),
                  vm_valtype_name(c->tables[in->b].elemtype));
    return true;
  case VM_IMM_TABLE_COPY:
    if (!need_table(c, in->a) || !need_table(c, in->b)) return false;
    if (c->tables[in->a].elemtype != c->tables[in->b].elemtype)
      return fail(c, in->offset, "type mismatch: table.copy from %s table "
                  "to %s table", vm_valtype_name(c->tables[in->b].elemtype),
                  vm_valtype_name(c->tables[in->a].elemtype));
    return true;
  default:
    return true;
  }
}

static bool local_type(vctx *c, uint32_t idx, uint8_t *t) {
  const vm_functype *ft = c->ft;
  if (idx < c->nlocal_types) {
    *t = c->local_types[idx];
    return true;
  }
  if (idx < ft->nparams) {
    *t = ft->types[idx];
    return true;
  }
  uint64_t k = (uint64_t)idx - ft->nparams;
  uint32_t n = c->fn->nlocal_runs;
  if (n == 0 || k >= c->run_ends[n - 1])
    return fail(c, c->in->offset, "unknown local %u", idx);
  /* First run whose cumulative end exceeds k. */
  uint32_t lo = 0, hi = n - 1;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (c->run_ends[mid] > k)
      hi = mid;
    else
      lo = mid + 1;
  }
  *t = c->fn->local_runs[lo].type;
  return true;
}

static bool check_br_table(vctx *c, const vm_instr *in, size_t body_end) {
  const uint8_t *dts, *ts;
  uint32_t arity, n;
  if (!pop(c, VM_I32, NULL)) return false;
  if (!label(c, in->b, &dts, &arity)) return false;
  vm_reader r;
  vm_reader_init(&r, c->m->bytes, in->targets_offset, body_end, c->err);
  for (uint32_t i = 0; i < in->a; i++) {
    uint32_t depth;
    if (!vm_read_u32(&r, &depth)) return false;
    if (!label(c, depth, &ts, &n)) return false;
    /* Spec 3.3.8.8: all labels must have the same arity; the types are
     * checked against the operands separately for each label. */
    if (n != arity)
      return fail(c, in->offset, "type mismatch: br_table label %u has %u "
                  "value(s), default label has %u", depth, n, arity);
    if (!peek_n(c, ts, n)) return false;
  }
  if (!pop_n(c, dts, arity)) return false;
  set_unreachable(c);
  return true;
}

static bool check_select(vctx *c, const vm_instr *in) {
  uint8_t t1, t2;
  if (in->op == VM_OP_SELECT_T) {
    if (in->a != 1)
      return fail(c, in->offset, "invalid result arity");
    uint8_t t = (uint8_t)in->b;
    if (!single_type(t)) return fail(c, in->offset, "malformed value type");
    return pop(c, VM_I32, NULL) && pop(c, t, NULL) && pop(c, t, NULL) &&
           push(c, t);
  }
  /* Untyped select only picks between numbers or vectors (spec 3.3.4):
   * reference operands need `select t` so engines know their type. */
  if (!pop(c, VM_I32, NULL) || !pop(c, UNKNOWN, &t1) || !pop(c, UNKNOWN, &t2))
    return false;
  if (!((is_num(t1) && is_num(t2)) || (is_vec(t1) && is_vec(t2))))
    return fail(c, in->offset, "type mismatch: select on %s and %s needs "
                "a type annotation", vm_valtype_name(t2), vm_valtype_name(t1));
  if (t1 != t2 && t1 != UNKNOWN && t2 != UNKNOWN)
    return fail(c, in->offset, "type mismatch: select on %s and %s",
                vm_valtype_name(t2), vm_valtype_name(t1));
  return push(c, t1 == UNKNOWN ? t2 : t1);
}

/* The instructions the opcode table marks SPECIAL: control, variables,
 * references, parametric and the table ops whose typing depends on the
 * table's element type. */
static bool check_special(vctx *c, const vm_instr *in, size_t body_end) {
  const uint8_t *p, *r;
  uint32_t np, nr;
  uint8_t t;
  switch (in->op) {
  case VM_OP_UNREACHABLE:
    set_unreachable(c);
    return true;
  case VM_OP_BLOCK:
  case VM_OP_LOOP:
    if (!block_type(c, in->block, &p, &np, &r, &nr)) return false;
    return pop_n(c, p, np) && push_ctrl(c, in->op, p, np, r, nr);
  case VM_OP_IF:
    if (!block_type(c, in->block, &p, &np, &r, &nr)) return false;
    return pop(c, VM_I32, NULL) && pop_n(c, p, np) &&
           push_ctrl(c, in->op, p, np, r, nr);
  case VM_OP_ELSE: {
    ctrl_frame *f = &c->ctrls[c->nctrls - 1];
    if (f->op != VM_OP_IF) {
      vm_fail(c->err, VM_ERR_MALFORMED, in->offset, "else without if");
      return false;
    }
    if (!close_frame(c)) return false;
    f->op = VM_OP_ELSE;
    f->unreachable = false;
    return push_n(c, f->params, f->nparams);
  }
  case VM_OP_END: {
    if (!close_frame(c)) return false;
    ctrl_frame f = c->ctrls[--c->nctrls];
    /* An if without else has an implicit empty else branch, which passes
     * the params through: they must equal the results (spec 3.3.8.5). */
    if (f.op == VM_OP_IF &&
        (f.nparams != f.nresults ||
         (f.nparams && memcmp(f.params, f.results, f.nparams) != 0)))
      return fail(c, in->offset, "type mismatch: if without else must have "
                  "matching param and result types");
    if (c->nctrls == 0) return true; /* the function's own end */
    return push_n(c, f.results, f.nresults);
  }
  case VM_OP_BR:
    if (!label(c, in->a, &r, &nr) || !pop_n(c, r, nr)) return false;
    set_unreachable(c);
    return true;
  case VM_OP_BR_IF:
    if (!pop(c, VM_I32, NULL) || !label(c, in->a, &r, &nr)) return false;
    return pop_n(c, r, nr) && push_n(c, r, nr);
  case VM_OP_BR_TABLE:
    return check_br_table(c, in, body_end);
  case VM_OP_RETURN:
    if (!pop_n(c, c->ctrls[0].results, c->ctrls[0].nresults)) return false;
    set_unreachable(c);
    return true;
  case VM_OP_CALL: {
    if (in->a >= c->nfuncs)
      return fail(c, in->offset, "unknown function %u", in->a);
    const vm_functype *ft = &c->m->types[c->func_types[in->a]];
    return pop_n(c, ft->types, ft->nparams) &&
           push_n(c, ft->types + ft->nparams, ft->nresults);
  }
  case VM_OP_CALL_INDIRECT: {
    if (!need_table(c, in->b)) return false;
    if (c->tables[in->b].elemtype != VM_FUNCREF)
      return fail(c, in->offset, "type mismatch: call_indirect on a table "
                  "of %s", vm_valtype_name(c->tables[in->b].elemtype));
    if (in->a >= c->m->ntypes)
      return fail(c, in->offset, "unknown type %u", in->a);
    const vm_functype *ft = &c->m->types[in->a];
    return pop(c, VM_I32, NULL) && pop_n(c, ft->types, ft->nparams) &&
           push_n(c, ft->types + ft->nparams, ft->nresults);
  }
  case VM_OP_DROP:
    return pop(c, UNKNOWN, NULL);
  case VM_OP_SELECT:
  case VM_OP_SELECT_T:
    return check_select(c, in);
  case VM_OP_LOCAL_GET:
    return local_type(c, in->a, &t) && push(c, t);
  case VM_OP_LOCAL_SET:
    return local_type(c, in->a, &t) && pop(c, t, NULL);
  case VM_OP_LOCAL_TEE:
    return local_type(c, in->a, &t) && pop(c, t, NULL) && push(c, t);
  case VM_OP_GLOBAL_GET:
    if (in->a >= c->nglobals)
      return fail(c, in->offset, "unknown global %u", in->a);
    return push(c, c->globals[in->a].type);
  case VM_OP_GLOBAL_SET:
    if (in->a >= c->nglobals)
      return fail(c, in->offset, "unknown global %u", in->a);
    if (!c->globals[in->a].mut)
      return fail(c, in->offset, "global is immutable");
    return pop(c, c->globals[in->a].type, NULL);
  case VM_OP_TABLE_GET:
    return pop(c, VM_I32, NULL) && push(c, c->tables[in->a].elemtype);
  case VM_OP_TABLE_SET:
    return pop(c, c->tables[in->a].elemtype, NULL) && pop(c, VM_I32, NULL);
  case VM_OP_TABLE_GROW:
    return pop(c, VM_I32, NULL) && pop(c, c->tables[in->a].elemtype, NULL) &&
           push(c, VM_I32);
  case VM_OP_TABLE_FILL:
    return pop(c, VM_I32, NULL) && pop(c, c->tables[in->a].elemtype, NULL) &&
           pop(c, VM_I32, NULL);
  case VM_OP_REF_NULL:
    if (in->a != VM_FUNCREF && in->a != VM_EXTERNREF)
      return fail(c, in->offset, "malformed reference type");
    return push(c, (uint8_t)in->a);
  case VM_OP_REF_IS_NULL:
    if (!pop(c, UNKNOWN, &t)) return false;
    if (!is_ref(t))
      return fail(c, in->offset, "type mismatch: ref.is_null requires a "
                  "reference but stack has [%s]", vm_valtype_name(t));
    return push(c, VM_I32);
  case VM_OP_REF_FUNC:
    if (in->a >= c->nfuncs)
      return fail(c, in->offset, "unknown function %u", in->a);
    /* Spec 3.3.3: ref.func may only name functions declared elsewhere in
     * the module (C.refs), so engines know which functions escape. */
    if (!ref_has(c, in->a))
      return fail(c, in->offset, "undeclared function reference");
    return push(c, VM_FUNCREF);
  default:
    return fail(c, in->offset, "unhandled instruction %s", op_name(c));
  }
}

static bool check_func(vctx *c, uint32_t idx, uint32_t *max_out) {
  const vm_module *m = c->m;
  const vm_func *fn = &m->funcs[idx];
  c->fn = fn;
  c->ft = &m->types[fn->type]; /* checked in build_context */
  c->nvals = c->nctrls = c->max_vals = 0;
  if ((uint64_t)fn->body_offset + fn->body_size > m->size)
    return fail(c, fn->code_offset, "function body out of bounds");

  if (fn->nlocal_runs > c->cap_runs) {
    uint64_t *p = grow(c->run_ends, &c->cap_runs, fn->nlocal_runs,
                       sizeof *p);
    if (!p) return oom(c);
    c->run_ends = p;
  }
  uint64_t sum = 0;
  for (uint32_t i = 0; i < fn->nlocal_runs; i++) {
    sum += fn->local_runs[i].count;
    c->run_ends[i] = sum;
  }
  c->nlocal_types = 0;
  if (sum + c->ft->nparams <= LOCALS_FLAT_MAX && sum + c->ft->nparams > 0) {
    uint32_t n = (uint32_t)sum + c->ft->nparams;
    uint8_t *p = grow(c->local_types, &c->cap_local_types, n, 1);
    if (!p) return oom(c);
    c->local_types = p;
    memcpy(p, c->ft->types, c->ft->nparams);
    uint32_t k = c->ft->nparams;
    for (uint32_t i = 0; i < fn->nlocal_runs; i++) {
      memset(p + k, fn->local_runs[i].type, fn->local_runs[i].count);
      k += fn->local_runs[i].count;
    }
    c->nlocal_types = n;
  }

  /* The function body is a block whose label is the function's results. */
  vm_instr fake = {0};
  fake.offset = fn->body_offset;
  c->in = &fake;
  if (!push_ctrl(c, VM_OP_BLOCK, NULL, 0, c->ft->types + c->ft->nparams,
                 c->ft->nresults))
    return false;

  size_t end = (size_t)fn->body_offset + fn->body_size;
  vm_reader r;
  vm_reader_init(&r, m->bytes, fn->body_offset, end, c->err);
  while (c->nctrls > 0) {
    vm_instr in;
    if (vm_reader_eof(&r)) {
      vm_fail(c->err, VM_ERR_MALFORMED, r.pos, "END opcode expected");
      return false;
    }
    if (!vm_read_instr(&r, &in)) return false;
    if (in.op >= VM_OP_COUNT) return fail(c, in.offset, "illegal opcode");
    c->in = &in;
    const vm_opinfo *oi = &vm_opinfo_table[in.op];
    if (!check_imm(c, &in, oi)) return false;
    if (oi->sig == VM_SIG_SPECIAL) {
      if (!check_special(c, &in, end)) return false;
      continue;
    }
    if (oi->sig >= VM_SIG_COUNT) return fail(c, in.offset, "bad signature");
    const vm_sig_info *si = &vm_sig_table[oi->sig];
    if (!pop_n(c, si->params, si->nparams)) return false;
    if (si->result && !push(c, si->result)) return false;
  }
  if (!vm_reader_eof(&r)) {
    vm_fail(c->err, VM_ERR_MALFORMED, r.pos, "section size mismatch");
    return false;
  }
  if (max_out) *max_out = c->max_vals;
  return true;
}

/* ---- entry points --------------------------------------------------------- */

bool vm_validate_ex(const vm_module *m, uint32_t *max_stack, vm_error *err) {
  vctx c;
  bool ok = false;
  memset(&c, 0, sizeof c);
  c.m = m;
  c.err = err;
  /* Order follows the reference interpreter's check_module, so a module
   * with several faults reports the same one. */
  if (!build_context(&c)) goto fail;
  if (!check_globals(&c)) goto fail;
  if (!check_elems(&c)) goto fail;
  if (!check_datas(&c)) goto fail;
  if (!check_start(&c)) goto fail;
  /* Exports complete C.refs, which function bodies need for ref.func. */
  if (!check_exports(&c)) goto fail;
  for (uint32_t i = 0; i < m->nfuncs; i++)
    if (!check_func(&c, i, max_stack ? &max_stack[i] : NULL)) goto fail;
  ok = true;
fail:
  free(c.func_types);
  free(c.tables);
  free(c.globals);
  free(c.refs);
  free(c.vals);
  free(c.ctrls);
  free(c.run_ends);
  free(c.local_types);
  return ok;
}

bool vm_validate(const vm_module *m, vm_error *err) {
  return vm_validate_ex(m, NULL, err);
}
