/* Text format → binary module: shared parser helpers (buffers, maps,
 * tokens, indices, types). The module fields are in wat_module.c, the
 * instructions in wat_instr.c.
 *
 * Two passes over the token array: the first binds the symbolic identifiers
 * of every module-level index space and reads the explicit type definitions
 * (identifiers may be used before their definition); the second parses each
 * field and appends it to the buffer of its section. The sections are then
 * written in binary order, with canonical (shortest) LEB128s, like wabt's
 * wat2wasm, plus a "name" section last.
 *
 * No validation happens here: numeric indices are not range checked and
 * nothing is type checked, so an invalid module still encodes and the
 * validator reports it. Only text-level errors are ours. */
#include "vm/wat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/module.h"
#include "vm/opcodes.h"
#include "vm/wat_int.h"

/* ---- buffers ------------------------------------------------------- */

static bool buf_grow(wat_buf *b, size_t extra) {
  if (b->oom) return false;
  if (b->cap - b->n >= extra) return true;
  size_t cap = b->cap ? b->cap : 64;
  while (cap - b->n < extra) {
    if (cap > SIZE_MAX / 2) { b->oom = true; return false; }
    cap *= 2;
  }
  uint8_t *np = realloc(b->p, cap);
  if (!np) { b->oom = true; return false; }
  b->p = np;
  b->cap = cap;
  return true;
}

void wat_buf_bytes(wat_buf *b, const void *data, size_t n) {
  if (n == 0 || !buf_grow(b, n)) return;
  memcpy(b->p + b->n, data, n);
  b->n += n;
}

void wat_buf_mark(wat_buf *b, size_t tok) {
  if (b->nmarks == b->cap_marks) {
    size_t cap = b->cap_marks ? b->cap_marks * 2 : 64;
    wat_mark *m = realloc(b->marks, cap * sizeof *m);
    if (!m) {
      b->oom = true;
      return;
    }
    b->marks = m;
    b->cap_marks = cap;
  }
  b->marks[b->nmarks++] = (wat_mark){(uint32_t)b->n, (uint32_t)tok};
}

void wat_buf_append(wat_buf *dst, const wat_buf *src) {
  size_t base = dst->n;
  for (size_t i = 0; i < src->nmarks; i++) {
    if (src->marks[i].offset >= src->n) continue; /* marks no bytes */
    size_t at = dst->nmarks;
    wat_buf_mark(dst, src->marks[i].tok);
    if (dst->nmarks > at) dst->marks[at].offset = (uint32_t)(base + src->marks[i].offset);
  }
  wat_buf_bytes(dst, src->p, src->n);
}

void wat_buf_byte(wat_buf *b, uint8_t v) { wat_buf_bytes(b, &v, 1); }

void wat_buf_u32(wat_buf *b, uint32_t v) {
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    wat_buf_byte(b, (uint8_t)(byte | (v ? 0x80 : 0)));
  } while (v);
}

void wat_buf_s64(wat_buf *b, int64_t v) {
  for (;;) {
    uint8_t byte = (uint8_t)(v & 0x7f);
    /* arithmetic shift of a negative value is implementation-defined in C,
     * so shift the bits and extend the sign by hand */
    uint64_t u = (uint64_t)v >> 7;
    if (v < 0) u |= ~(UINT64_MAX >> 7);
    v = (int64_t)u;
    bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
    wat_buf_byte(b, (uint8_t)(byte | (done ? 0 : 0x80)));
    if (done) break;
  }
}

void wat_buf_free(wat_buf *b) {
  free(b->p);
  free(b->marks);
  b->p = NULL;
  b->marks = NULL;
  b->n = b->cap = b->nmarks = b->cap_marks = 0;
}

/* ---- maps ---------------------------------------------------------- */

static uint32_t hash_str(const char *s, uint32_t len) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < len; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

bool wat_map_get(const wat_map *m, const char *key, uint32_t len,
                 uint32_t *val) {
  if (m->cap == 0) return false;
  for (uint32_t i = hash_str(key, len) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    const wat_map_ent *e = &m->e[i];
    if (!e->key) return false;
    if (e->len == len && memcmp(e->key, key, len) == 0) {
      *val = e->val;
      return true;
    }
  }
}

bool wat_map_put(wat_map *m, const char *key, uint32_t len, uint32_t val) {
  if ((m->count + 1) * 2 > m->cap) {
    uint32_t ncap = m->cap ? m->cap * 2 : 16;
    wat_map_ent *ne = calloc(ncap, sizeof *ne);
    if (!ne) return false;
    for (uint32_t j = 0; j < m->cap; j++) {
      if (!m->e[j].key) continue;
      uint32_t i = hash_str(m->e[j].key, m->e[j].len) & (ncap - 1);
      while (ne[i].key) i = (i + 1) & (ncap - 1);
      ne[i] = m->e[j];
    }
    free(m->e);
    m->e = ne;
    m->cap = ncap;
  }
  uint32_t i = hash_str(key, len) & (m->cap - 1);
  while (m->e[i].key) {
    if (m->e[i].len == len && memcmp(m->e[i].key, key, len) == 0) {
      m->e[i].val = val;
      return true;
    }
    i = (i + 1) & (m->cap - 1);
  }
  m->e[i].key = key;
  m->e[i].len = len;
  m->e[i].val = val;
  m->count++;
  return true;
}

void wat_map_clear(wat_map *m) {
  if (m->e) memset(m->e, 0, m->cap * sizeof *m->e);
  m->count = 0;
}

void wat_map_free(wat_map *m) {
  free(m->e);
  m->e = NULL;
  m->cap = m->count = 0;
}

/* ---- token helpers --------------------------------------------------- */

const wat_tok *wat_peek(const wat_parser *p, size_t ahead) {
  size_t i = p->pos + ahead;
  if (i >= p->ntoks) i = p->ntoks - 1; /* the EOF token */
  return &p->toks[i];
}

bool wat_atom_is(const wat_parser *p, const wat_tok *t, const char *kw) {
  size_t n = strlen(kw);
  return t->kind == WAT_ATOM && t->len == n &&
         memcmp(p->src + t->off, kw, n) == 0;
}

bool wat_at_field(const wat_parser *p, const char *kw) {
  return wat_peek(p, 0)->kind == WAT_LPAR && wat_atom_is(p, wat_peek(p, 1), kw);
}

bool wat_fail(wat_parser *p, const wat_tok *t, const char *fmt, ...) {
  char msg[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (p->err->kind == VM_OK) {
    vm_fail(p->err, VM_ERR_MALFORMED, t->off, "%s", msg);
    p->err->line = t->line;
    p->err->col = t->col;
  }
  return false;
}

bool wat_oom(wat_parser *p) {
  if (p->err->kind == VM_OK) vm_fail(p->err, VM_ERR_OOM, 0, "out of memory");
  return false;
}

/* The reference interpreter's lexer turns any word it does not know into
 * "unknown operator"; a known word in the wrong place is a parse error. */
bool wat_unexpected(wat_parser *p) {
  const wat_tok *t = wat_peek(p, 0);
  const char *s = p->src + t->off;
  if (t->kind == WAT_RESERVED) return wat_fail(p, t, "unknown operator");
  if (t->kind == WAT_ATOM && !vm_wat_is_keyword(s, t->len)) {
    uint64_t bits;
    if (vm_wat_f64(s, t->len, &bits) == WAT_NUM_SYNTAX)
      return wat_fail(p, t, "unknown operator %.*s", (int)t->len, s);
  }
  if (t->kind == WAT_EOF) return wat_fail(p, t, "unexpected end of input");
  return wat_fail(p, t, "unexpected token");
}

bool wat_expect_lpar(wat_parser *p) {
  if (wat_peek(p, 0)->kind != WAT_LPAR) return wat_unexpected(p);
  p->pos++;
  return true;
}

bool wat_expect_rpar(wat_parser *p) {
  if (wat_peek(p, 0)->kind != WAT_RPAR) return wat_unexpected(p);
  p->pos++;
  return true;
}

bool wat_expect_kw(wat_parser *p, const char *kw) {
  if (!wat_atom_is(p, wat_peek(p, 0), kw)) return wat_unexpected(p);
  p->pos++;
  return true;
}

static const char *const space_names[SP_COUNT] = {
    "type", "function", "table", "memory", "global", "elem segment",
    "data segment"};

bool wat_at_index(const wat_parser *p) {
  const wat_tok *t = wat_peek(p, 0);
  if (t->kind == WAT_ID) return true;
  uint64_t v;
  return t->kind == WAT_ATOM &&
         vm_wat_nat(p->src + t->off, t->len, UINT64_MAX, &v) != WAT_NUM_SYNTAX;
}

bool wat_index(wat_parser *p, int sp, uint32_t *out) {
  const wat_tok *t = wat_peek(p, 0);
  const char *s = p->src + t->off;
  if (t->kind == WAT_ID) {
    if (!wat_map_get(&p->names[sp], s, t->len, out))
      return wat_fail(p, t, "unknown %s %.*s", space_names[sp], (int)t->len, s);
    p->pos++;
    return true;
  }
  if (t->kind == WAT_ATOM) {
    uint64_t v;
    wat_num_status st = vm_wat_nat(s, t->len, UINT32_MAX, &v);
    if (st == WAT_NUM_RANGE) return wat_fail(p, t, "i32 constant out of range");
    if (st == WAT_NUM_OK) {
      *out = (uint32_t)v;
      p->pos++;
      return true;
    }
  }
  return wat_unexpected(p);
}

bool wat_valtype(wat_parser *p, uint8_t *out) {
  static const struct { const char *n; uint8_t t; } vt[] = {
      {"i32", VM_I32}, {"i64", VM_I64}, {"f32", VM_F32}, {"f64", VM_F64},
      {"v128", VM_V128}, {"funcref", VM_FUNCREF}, {"externref", VM_EXTERNREF}};
  const wat_tok *t = wat_peek(p, 0);
  for (size_t i = 0; i < sizeof vt / sizeof vt[0]; i++)
    if (wat_atom_is(p, t, vt[i].n)) {
      *out = vt[i].t;
      p->pos++;
      return true;
    }
  return wat_unexpected(p);
}

bool wat_reftype(wat_parser *p, uint8_t *out) {
  const wat_tok *t = wat_peek(p, 0);
  if (wat_atom_is(p, t, "funcref")) *out = VM_FUNCREF;
  else if (wat_atom_is(p, t, "externref")) *out = VM_EXTERNREF;
  else return wat_unexpected(p);
  p->pos++;
  return true;
}

bool wat_heaptype(wat_parser *p, uint8_t *out) {
  const wat_tok *t = wat_peek(p, 0);
  if (wat_atom_is(p, t, "func")) *out = VM_FUNCREF;
  else if (wat_atom_is(p, t, "extern")) *out = VM_EXTERNREF;
  else return wat_unexpected(p);
  p->pos++;
  return true;
}

/* ---- types ----------------------------------------------------------- */

static bool sig_push(wat_sig *s, uint32_t *cap, uint8_t t) {
  uint32_t n = s->np + s->nr;
  if (n == *cap) {
    uint32_t nc = *cap ? *cap * 2 : 8;
    uint8_t *nt = realloc(s->t, nc);
    if (!nt) return false;
    s->t = nt;
    *cap = nc;
  }
  s->t[n] = t;
  return true;
}

static bool sig_eq(const wat_sig *a, const wat_sig *b) {
  return a->np == b->np && a->nr == b->nr &&
         (a->np + a->nr == 0 || memcmp(a->t, b->t, a->np + a->nr) == 0);
}

bool wat_add_type(wat_parser *p, wat_sig *sig) {
  if (p->ntypes == p->cap_types) {
    uint32_t nc = p->cap_types ? p->cap_types * 2 : 16;
    wat_sig *nt = realloc(p->types, nc * sizeof *nt);
    if (!nt) return wat_oom(p);
    p->types = nt;
    p->cap_types = nc;
  }
  p->types[p->ntypes++] = *sig;
  sig->t = NULL; /* ownership moved */
  return true;
}

bool wat_type_for_sig(wat_parser *p, const wat_sig *sig, uint32_t *idx) {
  for (uint32_t i = 0; i < p->ntypes; i++)
    if (sig_eq(&p->types[i], sig)) {
      *idx = i;
      return true;
    }
  wat_sig copy = *sig;
  size_t n = sig->np + sig->nr;
  copy.t = malloc(n ? n : 1);
  if (!copy.t) return wat_oom(p);
  if (n) memcpy(copy.t, sig->t, n);
  *idx = p->ntypes;
  if (!wat_add_type(p, &copy)) {
    free(copy.t);
    return false;
  }
  return true;
}

/* (param ...)* (result ...)*; in TU_FUNC mode param ids become locals. */
bool wat_params_results(wat_parser *p, int mode, wat_sig *sig) {
  uint32_t cap = 0;
  uint8_t t;
  while (wat_at_field(p, "param")) {
    p->pos += 2;
    if (wat_peek(p, 0)->kind == WAT_ID) {
      const wat_tok *id = wat_peek(p, 0);
      if (mode == TU_NO_NAMES) return wat_unexpected(p);
      p->pos++;
      if (!wat_valtype(p, &t)) return false;
      if (!sig_push(sig, &cap, t)) return wat_oom(p);
      sig->np++;
      if (mode == TU_FUNC) {
        uint32_t dummy;
        if (wat_map_get(&p->locals, p->src + id->off, id->len, &dummy))
          return wat_fail(p, id, "duplicate local %.*s", (int)id->len,
                          p->src + id->off);
        if (!wat_map_put(&p->locals, p->src + id->off, id->len, p->nlocals))
          return wat_oom(p);
      }
      if (mode == TU_FUNC) p->nlocals++;
    } else {
      while (wat_peek(p, 0)->kind != WAT_RPAR) {
        if (!wat_valtype(p, &t)) return false;
        if (!sig_push(sig, &cap, t)) return wat_oom(p);
        sig->np++;
        if (mode == TU_FUNC) p->nlocals++;
      }
    }
    if (!wat_expect_rpar(p)) return false;
  }
  while (wat_at_field(p, "result")) {
    p->pos += 2;
    while (wat_peek(p, 0)->kind != WAT_RPAR) {
      if (!wat_valtype(p, &t)) return false;
      if (!sig_push(sig, &cap, t)) return wat_oom(p);
      sig->nr++;
    }
    if (!wat_expect_rpar(p)) return false;
  }
  /* a param after a result is out of order (spec 6.6.3 grammar) */
  if (wat_at_field(p, "param")) {
    p->pos++;
    return wat_unexpected(p);
  }
  return true;
}

bool wat_typeuse_sig(wat_parser *p, int mode, bool *has_type, uint32_t *idx,
                     wat_sig *sig) {
  memset(sig, 0, sizeof *sig);
  *has_type = false;
  const wat_tok *start = wat_peek(p, 0);
  if (wat_at_field(p, "type")) {
    p->pos += 2;
    if (!wat_index(p, SP_TYPE, idx) || !wat_expect_rpar(p)) return false;
    *has_type = true;
  }
  if (!wat_params_results(p, mode, sig)) return false;
  if (*has_type && *idx >= p->ntypes && sig->np + sig->nr > 0)
    return wat_fail(p, start, "unknown type");
  if (*has_type && *idx < p->ntypes) {
    const wat_sig *def = &p->types[*idx];
    /* spec 6.6.3: inline params/results must repeat the referenced type */
    if (sig->np + sig->nr > 0 && !sig_eq(def, sig))
      return wat_fail(p, start, "inline function type");
    if (mode == TU_FUNC && sig->np + sig->nr == 0) p->nlocals = def->np;
  }
  return true;
}

bool wat_typeuse(wat_parser *p, int mode, uint32_t *typeidx) {
  bool has_type;
  wat_sig sig;
  bool ok = wat_typeuse_sig(p, mode, &has_type, typeidx, &sig);
  if (ok && !has_type) ok = wat_type_for_sig(p, &sig, typeidx);
  free(sig.t);
  return ok;
}

