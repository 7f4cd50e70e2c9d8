/* Text format → binary module: module fields, sections and the entry point
 * vm_wat_to_wasm (spec 6.6, encoded per chapter 5). */
#include <stdlib.h>
#include <string.h>

#include "vm/module.h"
#include "vm/opcodes.h"
#include "vm/wat.h"
#include "vm/wat_int.h"

/* ---- the module ------------------------------------------------------ */

typedef struct {
  wat_buf sec[SP_COUNT]; /* SP_FUNC: function section, SP_TYPE unused */
  uint32_t cnt[SP_COUNT];
  wat_buf imports, exports, code, fnames, lnames;
  uint32_t nimports, nexports, ncode, nfnames, nlnames;
  bool has_start;
  size_t start_tok;
  uint32_t start;
  const wat_tok *module_id;
  uint32_t next[SP_COUNT]; /* next index of each space in pass 2 */
  bool defined[SP_COUNT];  /* a non-import definition was seen (pass 1) */
} wat_module;

static void module_free(wat_module *m) {
  for (int i = 0; i < SP_COUNT; i++) wat_buf_free(&m->sec[i]);
  wat_buf_free(&m->imports);
  wat_buf_free(&m->exports);
  wat_buf_free(&m->code);
  wat_buf_free(&m->fnames);
  wat_buf_free(&m->lnames);
}

static bool bind(wat_parser *p, int sp, const wat_tok *id) {
  const char *s = p->src + id->off;
  uint32_t dummy;
  if (wat_map_get(&p->names[sp], s, id->len, &dummy)) {
    static const char *const dup[SP_COUNT] = {"type", "func", "table",
                                              "memory", "global", "elem",
                                              "data"};
    return wat_fail(p, id, "duplicate %s %.*s", dup[sp], (int)id->len, s);
  }
  if (!wat_map_put(&p->names[sp], s, id->len, p->counts[sp]))
    return wat_oom(p);
  return true;
}

/* Decoded string token; names must be UTF-8 (spec 6.3.3). */
static bool string_tok(wat_parser *p, wat_buf *dst, bool is_name) {
  const wat_tok *t = wat_peek(p, 0);
  if (t->kind != WAT_STRING) return wat_unexpected(p);
  uint8_t *tmp = malloc(t->len ? t->len : 1);
  if (!tmp) return wat_oom(p);
  size_t n = vm_wat_string(p->src, t, tmp);
  if (is_name && !vm_wat_utf8_valid(tmp, n)) {
    free(tmp);
    return wat_fail(p, t, "malformed UTF-8 encoding");
  }
  if (is_name) wat_buf_u32(dst, (uint32_t)n);
  wat_buf_bytes(dst, tmp, n);
  free(tmp);
  p->pos++;
  return true;
}

/* Skips one balanced s-expression starting at '('. */
static bool skip_sexpr(wat_parser *p) {
  int depth = 0;
  do {
    const wat_tok *t = wat_peek(p, 0);
    if (t->kind == WAT_EOF) return wat_unexpected(p);
    if (t->kind == WAT_LPAR) depth++;
    if (t->kind == WAT_RPAR) depth--;
    p->pos++;
  } while (depth > 0);
  return true;
}

/* spec 6.6.13: imports must precede definitions of funcs, tables, memories
 * and globals. */
static bool check_import_order(wat_parser *p, wat_module *m,
                               const wat_tok *at) {
  if (m->defined[SP_FUNC]) return wat_fail(p, at, "import after function");
  if (m->defined[SP_GLOBAL]) return wat_fail(p, at, "import after global");
  if (m->defined[SP_TABLE]) return wat_fail(p, at, "import after table");
  if (m->defined[SP_MEM]) return wat_fail(p, at, "import after memory");
  return true;
}

static bool add_func_name(wat_parser *p, wat_module *m, const wat_tok *id) {
  wat_buf_u32(&m->fnames, p->counts[SP_FUNC]);
  wat_buf_u32(&m->fnames, id->len - 1);
  wat_buf_bytes(&m->fnames, p->src + id->off + 1, id->len - 1);
  m->nfnames++;
  return true;
}

static int field_space(const wat_parser *p, const wat_tok *kw) {
  static const char *const kws[SP_COUNT] = {"type", "func", "table", "memory",
                                            "global", "elem", "data"};
  for (int i = 0; i < SP_COUNT; i++)
    if (wat_atom_is(p, kw, kws[i])) return i;
  return -1;
}

/* Pass 1: binds the identifiers of one field and reads type definitions. */
static bool collect_field(wat_parser *p, wat_module *m) {
  size_t start = p->pos;
  const wat_tok *kw = wat_peek(p, 1);
  int sp = field_space(p, kw);
  if (sp < 0) {
    if (wat_atom_is(p, kw, "import")) {
      p->pos += 2;
      if (!check_import_order(p, m, kw)) return false;
      while (wat_peek(p, 0)->kind == WAT_STRING) p->pos++;
      if (wat_peek(p, 0)->kind == WAT_LPAR) {
        int isp = field_space(p, wat_peek(p, 1));
        if (isp >= SP_FUNC && isp <= SP_GLOBAL) {
          const wat_tok *id = wat_peek(p, 2);
          if (id->kind == WAT_ID) {
            if (!bind(p, isp, id)) return false;
            if (isp == SP_FUNC) add_func_name(p, m, id);
          }
          p->counts[isp]++;
        }
      }
    } else if (!wat_atom_is(p, kw, "export") && !wat_atom_is(p, kw, "start")) {
      p->pos++;
      return wat_unexpected(p);
    }
    p->pos = start;
    return skip_sexpr(p);
  }
  p->pos += 2;
  const wat_tok *id = NULL;
  if (wat_peek(p, 0)->kind == WAT_ID) {
    id = wat_peek(p, 0);
    if (!bind(p, sp, id)) return false;
    p->pos++;
  }
  if (sp == SP_TYPE) {
    wat_sig sig = {0, 0, NULL};
    if (!wat_expect_lpar(p) || !wat_expect_kw(p, "func")) return false;
    bool ok = wat_params_results(p, TU_NAMES_OK, &sig) && wat_expect_rpar(p) &&
              wat_expect_rpar(p) && wat_add_type(p, &sig);
    free(sig.t);
    if (!ok) return false;
    p->nexplicit_types = p->ntypes;
    p->counts[SP_TYPE]++;
    return true;
  }
  if (sp == SP_FUNC && id) add_func_name(p, m, id);
  if (sp >= SP_FUNC && sp <= SP_GLOBAL) {
    while (wat_at_field(p, "export"))
      if (!skip_sexpr(p)) return false;
    if (wat_at_field(p, "import")) {
      if (!check_import_order(p, m, wat_peek(p, 1))) return false;
    } else {
      m->defined[sp] = true;
      /* inline element and data segments take the next segment index */
      if (sp == SP_TABLE && wat_peek(p, 0)->kind == WAT_ATOM &&
          wat_peek(p, 1)->kind == WAT_LPAR &&
          wat_atom_is(p, wat_peek(p, 2), "elem"))
        p->counts[SP_ELEM]++;
      if (sp == SP_MEM && wat_at_field(p, "data")) p->counts[SP_DATA]++;
    }
  }
  p->counts[sp]++;
  p->pos = start;
  return skip_sexpr(p);
}

/* inline (export "name")* for an entity of kind `kind` and index idx */
static bool inline_exports(wat_parser *p, wat_module *m, uint8_t kind,
                           uint32_t idx) {
  while (wat_at_field(p, "export")) {
    p->pos += 2;
    if (!string_tok(p, &m->exports, true)) return false;
    wat_buf_byte(&m->exports, kind);
    wat_buf_u32(&m->exports, idx);
    m->nexports++;
    if (!wat_expect_rpar(p)) return false;
  }
  return true;
}

/* (import "m" "n") inside a definition; returns whether it was there */
static bool inline_import(wat_parser *p, wat_module *m, bool *present) {
  *present = false;
  if (!wat_at_field(p, "import")) return true;
  p->pos += 2;
  if (!string_tok(p, &m->imports, true) || !string_tok(p, &m->imports, true) ||
      !wat_expect_rpar(p))
    return false;
  *present = true;
  m->nimports++;
  return true;
}

static bool limits(wat_parser *p, wat_buf *out) {
  uint64_t min, max = 0;
  bool has_max = false;
  const wat_tok *t = wat_peek(p, 0);
  wat_num_status st = t->kind == WAT_ATOM
                          ? vm_wat_nat(p->src + t->off, t->len, UINT32_MAX, &min)
                          : WAT_NUM_SYNTAX;
  if (st == WAT_NUM_SYNTAX) return wat_unexpected(p);
  if (st == WAT_NUM_RANGE) return wat_fail(p, t, "i32 constant out of range");
  p->pos++;
  t = wat_peek(p, 0);
  if (t->kind == WAT_ATOM) {
    st = vm_wat_nat(p->src + t->off, t->len, UINT32_MAX, &max);
    if (st == WAT_NUM_RANGE) return wat_fail(p, t, "i32 constant out of range");
    if (st == WAT_NUM_OK) {
      has_max = true;
      p->pos++;
    }
  }
  wat_buf_byte(out, has_max ? 1 : 0);
  wat_buf_u32(out, (uint32_t)min);
  if (has_max) wat_buf_u32(out, (uint32_t)max);
  return true;
}

static bool globaltype(wat_parser *p, wat_buf *out) {
  uint8_t t;
  if (wat_at_field(p, "mut")) {
    p->pos += 2;
    if (!wat_valtype(p, &t) || !wat_expect_rpar(p)) return false;
    wat_buf_byte(out, t);
    wat_buf_byte(out, 1);
    return true;
  }
  if (!wat_valtype(p, &t)) return false;
  wat_buf_byte(out, t);
  wat_buf_byte(out, 0);
  return true;
}

static bool tabletype(wat_parser *p, wat_buf *out) {
  wat_buf lim = {0};
  uint8_t rt;
  bool ok = limits(p, &lim) && wat_reftype(p, &rt);
  if (ok) {
    wat_buf_byte(out, rt);
    wat_buf_bytes(out, lim.p, lim.n);
  }
  wat_buf_free(&lim);
  return ok;
}

/* A constant expression: instr* then `end`. */
static bool const_expr(wat_parser *p, wat_buf *out) {
  if (!wat_instrs(p, out)) return false;
  wat_buf_byte(out, 0x0b);
  return true;
}

/* ---- element segments (spec 6.6.12) ---------------------------------- */

/* Items of a segment, each an encoded expression without its `end`. */
typedef struct {
  wat_buf bytes;
  size_t *ends;
  uint32_t n, cap;
} wat_items;

static bool items_close(wat_parser *p, wat_items *it) {
  if (it->n == it->cap) {
    uint32_t nc = it->cap ? it->cap * 2 : 16;
    size_t *ne = realloc(it->ends, nc * sizeof *ne);
    if (!ne) return wat_oom(p);
    it->ends = ne;
    it->cap = nc;
  }
  it->ends[it->n++] = it->bytes.n;
  return true;
}

static void items_free(wat_items *it) {
  wat_buf_free(&it->bytes);
  free(it->ends);
}

/* funcidx* as ref.func expressions */
static bool funcidx_items(wat_parser *p, wat_items *it) {
  while (wat_at_index(p)) {
    uint32_t f;
    if (!wat_index(p, SP_FUNC, &f)) return false;
    wat_buf_byte(&it->bytes, 0xd2); /* ref.func, see opcodes.h */
    wat_buf_u32(&it->bytes, f);
    if (!items_close(p, it)) return false;
  }
  return true;
}

/* elemexpr*: (item instr*) or the abbreviation (instr) */
static bool expr_items(wat_parser *p, wat_items *it) {
  while (wat_peek(p, 0)->kind == WAT_LPAR) {
    if (wat_at_field(p, "item")) {
      p->pos += 2;
      if (!wat_instrs(p, &it->bytes) || !wat_expect_rpar(p)) return false;
    } else if (!wat_instr1(p, &it->bytes)) {
      return false;
    }
    if (!items_close(p, it)) return false;
  }
  return true;
}

/* True when item i is exactly `ref.func x` (then x is encodable as a plain
 * function index, like wabt does). */
static bool item_is_ref_func(const wat_items *it, uint32_t i) {
  size_t s = i ? it->ends[i - 1] : 0, e = it->ends[i];
  const uint8_t *b = it->bytes.p;
  if (e - s < 2 || b[s] != 0xd2) return false;
  for (size_t k = s + 1; k + 1 < e; k++)
    if (!(b[k] & 0x80)) return false;
  return !(b[e - 1] & 0x80);
}

/* Chooses the most compact of the 8 binary forms (spec 5.5.12). */
static void emit_elem(wat_module *m, int mode, uint32_t table,
                      const wat_buf *offset, uint8_t rt, const wat_items *it) {
  wat_buf *out = &m->sec[SP_ELEM];
  bool exprs = rt != VM_FUNCREF;
  for (uint32_t i = 0; i < it->n && !exprs; i++)
    if (!item_is_ref_func(it, i)) exprs = true;
  uint32_t flags = exprs ? 4 : 0;
  if (mode == VM_SEG_PASSIVE) flags |= 1;
  else if (mode == VM_SEG_DECLARATIVE) flags |= 3;
  else if (table != 0 || rt != VM_FUNCREF) flags |= 2;
  wat_buf_u32(out, flags);
  if (mode == VM_SEG_ACTIVE) {
    if (flags & 2) wat_buf_u32(out, table);
    wat_buf_bytes(out, offset->p, offset->n);
  }
  if (flags & 3) wat_buf_byte(out, exprs ? rt : 0x00);
  wat_buf_u32(out, it->n);
  for (uint32_t i = 0; i < it->n; i++) {
    size_t s = i ? it->ends[i - 1] : 0, e = it->ends[i];
    if (exprs) {
      wat_buf_bytes(out, it->bytes.p + s, e - s);
      wat_buf_byte(out, 0x0b);
    } else {
      wat_buf_bytes(out, it->bytes.p + s + 1, e - s - 1);
    }
  }
  m->cnt[SP_ELEM]++;
}

/* `(offset instr*)` or the abbreviation `(instr)`, encoded with `end` */
static bool offset_expr(wat_parser *p, wat_buf *out) {
  if (wat_at_field(p, "offset")) {
    p->pos += 2;
    return const_expr(p, out) && wat_expect_rpar(p);
  }
  if (!wat_instr1(p, out)) return false;
  wat_buf_byte(out, 0x0b);
  return true;
}

static bool elem_field(wat_parser *p, wat_module *m) {
  wat_items it = {{0}, NULL, 0, 0};
  wat_buf offset = {0};
  int mode = VM_SEG_PASSIVE;
  uint32_t table = 0;
  uint8_t rt = VM_FUNCREF;
  bool ok = false;
  p->pos += 2;
  if (wat_peek(p, 0)->kind == WAT_ID) p->pos++;
  if (wat_atom_is(p, wat_peek(p, 0), "declare")) {
    mode = VM_SEG_DECLARATIVE;
    p->pos++;
  } else {
    if (wat_at_field(p, "table")) {
      p->pos += 2;
      if (!wat_index(p, SP_TABLE, &table) || !wat_expect_rpar(p)) goto done;
      mode = VM_SEG_ACTIVE;
    } else if (wat_at_index(p) && wat_peek(p, 1)->kind == WAT_LPAR) {
      /* legacy: a bare table index before the offset */
      if (!wat_index(p, SP_TABLE, &table)) goto done;
      mode = VM_SEG_ACTIVE;
    }
    if (wat_peek(p, 0)->kind == WAT_LPAR) {
      if (!offset_expr(p, &offset)) goto done;
      mode = VM_SEG_ACTIVE;
    } else if (mode == VM_SEG_ACTIVE) {
      wat_unexpected(p);
      goto done;
    }
  }
  if (wat_atom_is(p, wat_peek(p, 0), "func")) {
    p->pos++;
    if (!funcidx_items(p, &it)) goto done;
  } else if (wat_peek(p, 0)->kind == WAT_ATOM && !wat_at_index(p)) {
    if (!wat_reftype(p, &rt) || !expr_items(p, &it)) goto done;
  } else if (mode == VM_SEG_ACTIVE) {
    if (!funcidx_items(p, &it)) goto done; /* spec: (offset e) x* */
  } else if (wat_peek(p, 0)->kind != WAT_RPAR) {
    wat_unexpected(p);
    goto done;
  }
  if (!wat_expect_rpar(p)) goto done;
  emit_elem(m, mode, table, &offset, rt, &it);
  m->next[SP_ELEM]++;
  ok = true;
done:
  items_free(&it);
  wat_buf_free(&offset);
  return ok;
}

/* ---- fields (pass 2) ------------------------------------------------- */

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Local names of the function just parsed, for the name section. */
static bool record_local_names(wat_parser *p, wat_module *m, uint32_t func) {
  if (p->locals.count == 0) return true;
  /* (local index << 32 | map slot), sorted by index */
  uint64_t *order = malloc(p->locals.count * sizeof *order);
  if (!order) return wat_oom(p);
  uint32_t n = 0;
  for (uint32_t i = 0; i < p->locals.cap; i++)
    if (p->locals.e[i].key) order[n++] = ((uint64_t)p->locals.e[i].val << 32) | i;
  qsort(order, n, sizeof *order, cmp_u64);
  wat_buf_u32(&m->lnames, func);
  wat_buf_u32(&m->lnames, n);
  for (uint32_t i = 0; i < n; i++) {
    const wat_map_ent *e = &p->locals.e[(uint32_t)order[i]];
    wat_buf_u32(&m->lnames, e->val);
    wat_buf_u32(&m->lnames, e->len - 1);
    wat_buf_bytes(&m->lnames, e->key + 1, e->len - 1);
  }
  m->nlnames++;
  free(order);
  return true;
}

static bool func_body(wat_parser *p, wat_module *m, uint32_t idx) {
  wat_buf body = {0}, entry = {0};
  uint8_t *ltypes = NULL;
  uint32_t nl = 0, cap = 0, typeidx;
  bool ok = false;
  wat_map_clear(&p->locals);
  p->nlocals = 0;
  p->nlabels = 0;
  p->in_func = true;
  if (!wat_typeuse(p, TU_FUNC, &typeidx)) goto done;
  wat_buf_u32(&m->sec[SP_FUNC], typeidx);
  m->cnt[SP_FUNC]++;
  while (wat_at_field(p, "local")) {
    p->pos += 2;
    bool named = wat_peek(p, 0)->kind == WAT_ID;
    while (wat_peek(p, 0)->kind != WAT_RPAR) {
      uint8_t t;
      if (named) {
        const wat_tok *id = wat_peek(p, 0);
        uint32_t dummy;
        if (wat_map_get(&p->locals, p->src + id->off, id->len, &dummy)) {
          wat_fail(p, id, "duplicate local %.*s", (int)id->len, p->src + id->off);
          goto done;
        }
        if (!wat_map_put(&p->locals, p->src + id->off, id->len, p->nlocals)) {
          wat_oom(p);
          goto done;
        }
        p->pos++;
      }
      if (!wat_valtype(p, &t)) goto done;
      if (nl == cap) {
        uint32_t nc = cap ? cap * 2 : 16;
        uint8_t *nt = realloc(ltypes, nc);
        if (!nt) { wat_oom(p); goto done; }
        ltypes = nt;
        cap = nc;
      }
      ltypes[nl++] = t;
      p->nlocals++;
      if (named) break;
    }
    if (!wat_expect_rpar(p)) goto done;
  }
  wat_buf_mark(&entry, p->pos);
  if (!wat_instrs(p, &body)) goto done;
  size_t end_tok = p->pos;
  if (!wat_expect_rpar(p)) goto done;
  /* locals grouped by runs of the same type (spec 5.5.13) */
  uint32_t runs = 0;
  for (uint32_t i = 0; i < nl; i++)
    if (i == 0 || ltypes[i] != ltypes[i - 1]) runs++;
  wat_buf_u32(&entry, runs);
  for (uint32_t i = 0; i < nl;) {
    uint32_t j = i;
    while (j < nl && ltypes[j] == ltypes[i]) j++;
    wat_buf_u32(&entry, j - i);
    wat_buf_byte(&entry, ltypes[i]);
    i = j;
  }
  wat_buf_append(&entry, &body);
  wat_buf_mark(&entry, end_tok);
  wat_buf_byte(&entry, 0x0b);
  if (entry.oom || body.oom) { wat_oom(p); goto done; }
  wat_buf_u32(&m->code, (uint32_t)entry.n);
  wat_buf_append(&m->code, &entry);
  m->ncode++;
  ok = record_local_names(p, m, idx);
done:
  p->in_func = false;
  free(ltypes);
  wat_buf_free(&body);
  wat_buf_free(&entry);
  return ok;
}

static bool func_field(wat_parser *p, wat_module *m) {
  uint32_t idx = m->next[SP_FUNC]++, ti;
  bool imp;
  p->pos += 2;
  if (wat_peek(p, 0)->kind == WAT_ID) p->pos++;
  if (!inline_exports(p, m, VM_EXT_FUNC, idx) || !inline_import(p, m, &imp))
    return false;
  if (imp) {
    wat_buf_byte(&m->imports, VM_EXT_FUNC);
    if (!wat_typeuse(p, TU_NAMES_OK, &ti)) return false;
    wat_buf_u32(&m->imports, ti);
    return wat_expect_rpar(p);
  }
  return func_body(p, m, idx);
}

static bool table_field(wat_parser *p, wat_module *m) {
  uint32_t idx = m->next[SP_TABLE]++;
  bool imp;
  uint8_t rt;
  p->pos += 2;
  if (wat_peek(p, 0)->kind == WAT_ID) p->pos++;
  if (!inline_exports(p, m, VM_EXT_TABLE, idx) || !inline_import(p, m, &imp))
    return false;
  if (imp) {
    wat_buf_byte(&m->imports, VM_EXT_TABLE);
    return tabletype(p, &m->imports) && wat_expect_rpar(p);
  }
  if (wat_peek(p, 0)->kind == WAT_ATOM && wat_peek(p, 1)->kind == WAT_LPAR) {
    /* (table reftype (elem ...)): spec 6.6.6 abbreviation */
    wat_items it = {{0}, NULL, 0, 0};
    wat_buf offset = {0};
    bool ok = wat_reftype(p, &rt) && wat_expect_lpar(p) &&
              wat_expect_kw(p, "elem");
    if (ok)
      ok = wat_peek(p, 0)->kind == WAT_LPAR ? expr_items(p, &it)
                                            : funcidx_items(p, &it);
    ok = ok && wat_expect_rpar(p) && wat_expect_rpar(p);
    if (ok) {
      wat_buf *t = &m->sec[SP_TABLE];
      wat_buf_byte(t, rt);
      wat_buf_byte(t, 1);
      wat_buf_u32(t, it.n);
      wat_buf_u32(t, it.n);
      m->cnt[SP_TABLE]++;
      wat_buf_byte(&offset, 0x41); /* i32.const 0 end */
      wat_buf_byte(&offset, 0);
      wat_buf_byte(&offset, 0x0b);
      emit_elem(m, VM_SEG_ACTIVE, idx, &offset, rt, &it);
      m->next[SP_ELEM]++;
    }
    items_free(&it);
    wat_buf_free(&offset);
    return ok;
  }
  if (!tabletype(p, &m->sec[SP_TABLE])) return false;
  m->cnt[SP_TABLE]++;
  return wat_expect_rpar(p);
}

static bool strings(wat_parser *p, wat_buf *out) {
  while (wat_peek(p, 0)->kind == WAT_STRING)
    if (!string_tok(p, out, false)) return false;
  return true;
}

static void emit_data(wat_module *m, bool active, uint32_t mem,
                      const wat_buf *offset, const wat_buf *bytes) {
  wat_buf *out = &m->sec[SP_DATA];
  if (!active) {
    wat_buf_byte(out, 1);
  } else if (mem == 0) {
    wat_buf_byte(out, 0);
  } else {
    wat_buf_byte(out, 2);
    wat_buf_u32(out, mem);
  }
  if (active) wat_buf_bytes(out, offset->p, offset->n);
  wat_buf_u32(out, (uint32_t)bytes->n);
  wat_buf_bytes(out, bytes->p, bytes->n);
  m->cnt[SP_DATA]++;
  m->next[SP_DATA]++;
}

static bool memory_field(wat_parser *p, wat_module *m) {
  uint32_t idx = m->next[SP_MEM]++;
  bool imp;
  p->pos += 2;
  if (wat_peek(p, 0)->kind == WAT_ID) p->pos++;
  if (!inline_exports(p, m, VM_EXT_MEMORY, idx) || !inline_import(p, m, &imp))
    return false;
  if (imp) {
    wat_buf_byte(&m->imports, VM_EXT_MEMORY);
    return limits(p, &m->imports) && wat_expect_rpar(p);
  }
  if (wat_at_field(p, "data")) {
    /* (memory (data ...)): spec 6.6.7 abbreviation, pages rounded up */
    wat_buf bytes = {0}, offset = {0};
    p->pos += 2;
    bool ok = strings(p, &bytes) && wat_expect_rpar(p) && wat_expect_rpar(p);
    if (ok) {
      uint32_t pages = (uint32_t)((bytes.n + 65535) / 65536);
      wat_buf *s = &m->sec[SP_MEM];
      wat_buf_byte(s, 1);
      wat_buf_u32(s, pages);
      wat_buf_u32(s, pages);
      m->cnt[SP_MEM]++;
      wat_buf_byte(&offset, 0x41);
      wat_buf_byte(&offset, 0);
      wat_buf_byte(&offset, 0x0b);
      emit_data(m, true, idx, &offset, &bytes);
    }
    wat_buf_free(&bytes);
    wat_buf_free(&offset);
    return ok;
  }
  if (!limits(p, &m->sec[SP_MEM])) return false;
  m->cnt[SP_MEM]++;
  return wat_expect_rpar(p);
}

static bool global_field(wat_parser *p, wat_module *m) {
  uint32_t idx = m->next[SP_GLOBAL]++;
  bool imp;
  p->pos += 2;
  if (wat_peek(p, 0)->kind == WAT_ID) p->pos++;
  if (!inline_exports(p, m, VM_EXT_GLOBAL, idx) || !inline_import(p, m, &imp))
    return false;
  if (imp) {
    wat_buf_byte(&m->imports, VM_EXT_GLOBAL);
    return globaltype(p, &m->imports) && wat_expect_rpar(p);
  }
  if (!globaltype(p, &m->sec[SP_GLOBAL]) ||
      !const_expr(p, &m->sec[SP_GLOBAL]))
    return false;
  m->cnt[SP_GLOBAL]++;
  return wat_expect_rpar(p);
}

static bool data_field(wat_parser *p, wat_module *m) {
  wat_buf bytes = {0}, offset = {0};
  bool active = false, ok = false;
  uint32_t mem = 0;
  p->pos += 2;
  if (wat_peek(p, 0)->kind == WAT_ID) p->pos++;
  if (wat_at_field(p, "memory")) {
    p->pos += 2;
    if (!wat_index(p, SP_MEM, &mem) || !wat_expect_rpar(p)) goto done;
    active = true;
  } else if (wat_at_index(p)) {
    if (!wat_index(p, SP_MEM, &mem)) goto done; /* legacy bare index */
    active = true;
  }
  if (wat_peek(p, 0)->kind == WAT_LPAR) {
    if (!offset_expr(p, &offset)) goto done;
    active = true;
  } else if (active) {
    wat_unexpected(p);
    goto done;
  }
  if (!strings(p, &bytes) || !wat_expect_rpar(p)) goto done;
  emit_data(m, active, mem, &offset, &bytes);
  ok = true;
done:
  wat_buf_free(&bytes);
  wat_buf_free(&offset);
  return ok;
}

static bool import_field(wat_parser *p, wat_module *m) {
  p->pos += 2;
  if (!string_tok(p, &m->imports, true) || !string_tok(p, &m->imports, true))
    return false;
  if (!wat_expect_lpar(p)) return false;
  const wat_tok *kw = wat_peek(p, 0);
  int sp = field_space(p, kw);
  p->pos++;
  if (wat_peek(p, 0)->kind == WAT_ID) p->pos++;
  bool ok;
  uint32_t ti;
  switch (sp) {
  case SP_FUNC:
    wat_buf_byte(&m->imports, VM_EXT_FUNC);
    ok = wat_typeuse(p, TU_NAMES_OK, &ti);
    wat_buf_u32(&m->imports, ti);
    break;
  case SP_TABLE:
    wat_buf_byte(&m->imports, VM_EXT_TABLE);
    ok = tabletype(p, &m->imports);
    break;
  case SP_MEM:
    wat_buf_byte(&m->imports, VM_EXT_MEMORY);
    ok = limits(p, &m->imports);
    break;
  case SP_GLOBAL:
    wat_buf_byte(&m->imports, VM_EXT_GLOBAL);
    ok = globaltype(p, &m->imports);
    break;
  default:
    p->pos--;
    return wat_unexpected(p);
  }
  if (!ok || !wat_expect_rpar(p) || !wat_expect_rpar(p)) return false;
  m->next[sp]++;
  m->nimports++;
  return true;
}

static bool export_field(wat_parser *p, wat_module *m) {
  static const uint8_t kinds[SP_COUNT] = {0, VM_EXT_FUNC, VM_EXT_TABLE,
                                          VM_EXT_MEMORY, VM_EXT_GLOBAL, 0, 0};
  uint32_t idx;
  p->pos += 2;
  if (!string_tok(p, &m->exports, true) || !wat_expect_lpar(p)) return false;
  int sp = field_space(p, wat_peek(p, 0));
  if (sp < SP_FUNC || sp > SP_GLOBAL) return wat_unexpected(p);
  p->pos++;
  if (!wat_index(p, sp, &idx) || !wat_expect_rpar(p) || !wat_expect_rpar(p))
    return false;
  wat_buf_byte(&m->exports, kinds[sp]);
  wat_buf_u32(&m->exports, idx);
  m->nexports++;
  return true;
}

static bool start_field(wat_parser *p, wat_module *m) {
  const wat_tok *at = wat_peek(p, 0);
  m->start_tok = p->pos;
  p->pos += 2;
  if (m->has_start) return wat_fail(p, at, "multiple start sections");
  if (!wat_index(p, SP_FUNC, &m->start) || !wat_expect_rpar(p)) return false;
  m->has_start = true;
  return true;
}

static bool encode_field(wat_parser *p, wat_module *m) {
  const wat_tok *kw = wat_peek(p, 1);
  /* Whatever this field adds to a section starts here (buffers it leaves
   * alone get a mark the next field's overrides at the same offset). */
  for (int i = 0; i < SP_COUNT; i++) wat_buf_mark(&m->sec[i], p->pos);
  wat_buf_mark(&m->imports, p->pos);
  wat_buf_mark(&m->exports, p->pos);
  switch (field_space(p, kw)) {
  case SP_TYPE: return skip_sexpr(p); /* read in pass 1 */
  case SP_FUNC: return func_field(p, m);
  case SP_TABLE: return table_field(p, m);
  case SP_MEM: return memory_field(p, m);
  case SP_GLOBAL: return global_field(p, m);
  case SP_ELEM: return elem_field(p, m);
  case SP_DATA: return data_field(p, m);
  default: break;
  }
  if (wat_atom_is(p, kw, "import")) return import_field(p, m);
  if (wat_atom_is(p, kw, "export")) return export_field(p, m);
  if (wat_atom_is(p, kw, "start")) return start_field(p, m);
  p->pos++;
  return wat_unexpected(p);
}

/* ---- assembling the binary ------------------------------------------- */

static uint32_t leb_size(uint32_t v) {
  uint32_t n = 1;
  while (v >= 0x80) { v >>= 7; n++; }
  return n;
}

static void section(wat_buf *out, uint8_t id, uint32_t count,
                    const wat_buf *body) {
  wat_buf_byte(out, id);
  wat_buf_u32(out, (uint32_t)(leb_size(count) + body->n));
  wat_buf_u32(out, count);
  wat_buf_append(out, body);
}

static void subsection(wat_buf *out, uint8_t id, uint32_t count,
                       const wat_buf *body) {
  section(out, id, count, body);
}

static bool assemble(wat_parser *p, wat_module *m, wat_buf *out) {
  static const uint8_t header[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  wat_buf types = {0}, names = {0}, tmp = {0};
  wat_buf_bytes(out, header, 8);
  for (uint32_t i = 0; i < p->ntypes; i++) {
    const wat_sig *s = &p->types[i];
    wat_buf_byte(&types, 0x60);
    wat_buf_u32(&types, s->np);
    wat_buf_bytes(&types, s->t, s->np);
    wat_buf_u32(&types, s->nr);
    if (s->nr) /* s->t is NULL for the empty signature */
      wat_buf_bytes(&types, s->t + s->np, s->nr);
  }
  if (p->ntypes) section(out, 1, p->ntypes, &types);
  if (m->nimports) section(out, 2, m->nimports, &m->imports);
  if (m->cnt[SP_FUNC]) section(out, 3, m->cnt[SP_FUNC], &m->sec[SP_FUNC]);
  if (m->cnt[SP_TABLE]) section(out, 4, m->cnt[SP_TABLE], &m->sec[SP_TABLE]);
  if (m->cnt[SP_MEM]) section(out, 5, m->cnt[SP_MEM], &m->sec[SP_MEM]);
  if (m->cnt[SP_GLOBAL]) section(out, 6, m->cnt[SP_GLOBAL], &m->sec[SP_GLOBAL]);
  if (m->nexports) section(out, 7, m->nexports, &m->exports);
  if (m->has_start) {
    wat_buf_byte(out, 8);
    wat_buf_u32(out, leb_size(m->start));
    wat_buf_mark(out, m->start_tok);
    wat_buf_u32(out, m->start);
  }
  if (m->cnt[SP_ELEM]) section(out, 9, m->cnt[SP_ELEM], &m->sec[SP_ELEM]);
  /* The data count section is needed when code refers to data segments
   * (spec 5.5.16); like the reference interpreter we emit it even when there
   * are no segments so that the validator reports the unknown segment. */
  if (p->uses_data_count) {
    wat_buf_byte(out, 12);
    wat_buf_u32(out, leb_size(m->cnt[SP_DATA]));
    wat_buf_u32(out, m->cnt[SP_DATA]);
  }
  if (m->ncode) section(out, 10, m->ncode, &m->code);
  if (m->cnt[SP_DATA]) section(out, 11, m->cnt[SP_DATA], &m->sec[SP_DATA]);

  /* name section (custom, last): module, function and local names */
  wat_buf_bytes(&names, "\x04name", 5);
  size_t empty = names.n;
  if (m->module_id) {
    const wat_tok *id = m->module_id;
    wat_buf_byte(&names, 0);
    wat_buf_u32(&names, leb_size(id->len - 1) + id->len - 1);
    wat_buf_u32(&names, id->len - 1);
    wat_buf_bytes(&names, p->src + id->off + 1, id->len - 1);
  }
  if (m->nfnames) subsection(&names, 1, m->nfnames, &m->fnames);
  if (m->nlnames) subsection(&names, 2, m->nlnames, &m->lnames);
  if (names.n > empty) {
    wat_buf_byte(out, 0);
    wat_buf_u32(out, (uint32_t)names.n);
    wat_buf_bytes(out, names.p, names.n);
  }
  bool oom = types.oom || names.oom || tmp.oom || out->oom;
  for (int i = 0; i < SP_COUNT; i++) oom |= m->sec[i].oom;
  oom |= m->imports.oom || m->exports.oom || m->code.oom || m->fnames.oom ||
         m->lnames.oom;
  wat_buf_free(&types);
  wat_buf_free(&names);
  wat_buf_free(&tmp);
  return oom ? wat_oom(p) : true;
}

static void parser_free(wat_parser *p) {
  for (uint32_t i = 0; i < p->ntypes; i++) free(p->types[i].t);
  free(p->types);
  for (int i = 0; i < SP_COUNT; i++) wat_map_free(&p->names[i]);
  wat_map_free(&p->ops);
  wat_map_free(&p->locals);
  free(p->labels);
}

/* The binary's marks as text positions, in offset order. */
static bool make_srcmap(const wat_parser *p, const wat_buf *bin,
                        vm_srcmap *map) {
  map->n = 0;
  map->at = malloc((bin->nmarks ? bin->nmarks : 1) * sizeof *map->at);
  if (!map->at) return false;
  for (size_t i = 0; i < bin->nmarks; i++) {
    const wat_tok *t = &p->toks[bin->marks[i].tok];
    /* Later marks at the same offset describe it better (see encode_field). */
    if (map->n && map->at[map->n - 1].offset == bin->marks[i].offset) map->n--;
    map->at[map->n++] = (vm_srcpos){bin->marks[i].offset, t->line, t->col};
  }
  return true;
}

bool vm_wat_encode(const char *src, size_t len, uint8_t **out,
                   size_t *out_size, vm_srcmap *map, vm_error *err) {
  wat_toks toks;
  wat_parser p;
  wat_module m;
  wat_buf bin = {0};
  bool ok = false, in_module = false;
  memset(&p, 0, sizeof p);
  memset(&m, 0, sizeof m);
  *out = NULL;
  *out_size = 0;
  if (!vm_wat_lex(src, len, &toks, err)) return false;
  p.src = src;
  p.toks = toks.toks;
  p.ntoks = toks.count;
  p.err = err;
  if (!wat_build_op_map(&p)) goto done;
  if (wat_at_field(&p, "module")) {
    in_module = true;
    p.pos = 2;
    if (wat_peek(&p, 0)->kind == WAT_ID) m.module_id = &p.toks[p.pos++];
  }
  size_t fields = p.pos;
  /* pass 1 */
  while (wat_peek(&p, 0)->kind == WAT_LPAR)
    if (!collect_field(&p, &m)) goto done;
  /* pass 2; what follows the fields is checked after it, so that errors
   * inside fields come first, in source order */
  p.pos = fields;
  while (wat_peek(&p, 0)->kind == WAT_LPAR)
    if (!encode_field(&p, &m)) goto done;
  if (in_module && !wat_expect_rpar(&p)) goto done;
  if (wat_peek(&p, 0)->kind != WAT_EOF) {
    wat_unexpected(&p);
    goto done;
  }
  if (!assemble(&p, &m, &bin)) goto done;
  if (map && !make_srcmap(&p, &bin, map)) {
    wat_oom(&p);
    goto done;
  }
  *out = bin.p;
  *out_size = bin.n;
  bin.p = NULL;
  ok = true;
done:
  wat_buf_free(&bin);
  module_free(&m);
  parser_free(&p);
  vm_wat_toks_free(&toks);
  return ok;
}
