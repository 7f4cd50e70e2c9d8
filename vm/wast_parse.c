/* The .wast script format of the spec test suite (see the spec
 * interpreter's README, "Scripts"): commands, actions and expected values.
 * Modules are kept as text; the runner encodes them with vm_wat_to_wasm.
 * Tokens and literals come from the text-format lexer (wat_lex.c). */
#include <stdlib.h>
#include <string.h>

#include "vm/module.h"
#include "vm/wast.h"
#include "vm/wat_int.h"

/* A decoded string literal, NUL-terminated (malloc'ed). */
static bool string_lit(wat_parser *p, char **out, uint32_t *len) {
  const wat_tok *t = wat_peek(p, 0);
  if (t->kind != WAT_STRING) return wat_unexpected(p);
  char *s = malloc(t->len + 1);
  if (!s) return wat_oom(p);
  size_t n = vm_wat_string(p->src, t, (uint8_t *)s);
  s[n] = 0;
  free(*out);
  *out = s;
  if (len) *len = (uint32_t)n;
  p->pos++;
  return true;
}

/* Appends the decoded strings that follow (module binary/quote). */
static bool string_list(wat_parser *p, wast_module *m, bool spaces) {
  size_t cap = 0;
  for (const wat_tok *t; (t = wat_peek(p, 0))->kind == WAT_STRING; p->pos++) {
    size_t need = m->size + t->len + 2;
    if (need > cap) {
      size_t nc = cap ? cap * 2 : 256;
      while (nc < need) nc *= 2;
      char *nd = realloc(m->data, nc);
      if (!nd) return wat_oom(p);
      m->data = nd;
      cap = nc;
    }
    /* quoted pieces are joined by a space, so tokens never fuse */
    if (spaces && m->size > 0) m->data[m->size++] = ' ';
    m->size += vm_wat_string(p->src, t, (uint8_t *)m->data + m->size);
  }
  if (!m->data) {
    m->data = malloc(1);
    if (!m->data) return wat_oom(p);
  }
  m->data[m->size] = 0;
  return true;
}

static bool opt_id(wat_parser *p, char **out) {
  const wat_tok *t = wat_peek(p, 0);
  if (t->kind != WAT_ID) return true;
  *out = malloc(t->len + 1);
  if (!*out) return wat_oom(p);
  memcpy(*out, p->src + t->off, t->len);
  (*out)[t->len] = 0;
  p->pos++;
  return true;
}

/* (module $id? ...) in any of its three forms */
static bool module_form(wat_parser *p, wast_module *m) {
  size_t start = p->pos;
  const wat_tok *open = wat_peek(p, 0);
  m->line = open->line;
  if (!wat_expect_lpar(p) || !wat_expect_kw(p, "module") || !opt_id(p, &m->id))
    return false;
  if (wat_atom_is(p, wat_peek(p, 0), "binary") ||
      wat_atom_is(p, wat_peek(p, 0), "quote")) {
    bool quote = wat_atom_is(p, wat_peek(p, 0), "quote");
    m->form = quote ? WAST_FORM_QUOTE : WAST_FORM_BINARY;
    p->pos++;
    return string_list(p, m, quote) && wat_expect_rpar(p);
  }
  /* text: keep the source of the whole form */
  m->form = WAST_FORM_TEXT;
  p->pos = start;
  int depth = 0;
  do {
    const wat_tok *t = wat_peek(p, 0);
    if (t->kind == WAT_EOF) return wat_unexpected(p);
    depth += t->kind == WAT_LPAR ? 1 : t->kind == WAT_RPAR ? -1 : 0;
    p->pos++;
  } while (depth > 0);
  const wat_tok *close = &p->toks[p->pos - 1];
  m->size = close->off + 1 - open->off;
  m->data = malloc(m->size + 1);
  if (!m->data) return wat_oom(p);
  memcpy(m->data, p->src + open->off, m->size);
  m->data[m->size] = 0;
  return true;
}

/* ---- values ------------------------------------------------------------ */

static bool nan_pattern(const wat_parser *p, const wat_tok *t, uint8_t *nan) {
  if (wat_atom_is(p, t, "nan:canonical")) *nan = WAST_NAN_CANONICAL;
  else if (wat_atom_is(p, t, "nan:arithmetic")) *nan = WAST_NAN_ARITHMETIC;
  else return false;
  return true;
}

static bool number(wat_parser *p, int shape, uint8_t *dst, bool result,
                   uint8_t *nan) {
  const wat_tok *t = wat_peek(p, 0);
  if (result && shape >= 4 && nan_pattern(p, t, nan)) {
    p->pos++;
    return true;
  }
  if (t->kind != WAT_ATOM) return wat_unexpected(p);
  wat_num_status st = vm_wat_lane(shape, p->src + t->off, t->len, dst);
  if (st == WAT_NUM_SYNTAX) return wat_unexpected(p);
  if (st == WAT_NUM_RANGE) return wat_fail(p, t, "constant out of range");
  p->pos++;
  return true;
}

/* (i32.const n), (v128.const shape ...), (ref.null t), (ref.extern n)... */
static bool value(wat_parser *p, wast_value *v, bool result) {
  static const struct { const char *kw; uint8_t type; int shape; } scalars[] = {
      {"i32.const", VM_I32, 2}, {"i64.const", VM_I64, 3},
      {"f32.const", VM_F32, 4}, {"f64.const", VM_F64, 5}};
  memset(v, 0, sizeof *v);
  if (!wat_expect_lpar(p)) return false;
  const wat_tok *kw = wat_peek(p, 0);
  p->pos++;
  for (int i = 0; i < 4; i++) {
    if (!wat_atom_is(p, kw, scalars[i].kw)) continue;
    uint8_t bytes[8] = {0};
    v->type = scalars[i].type;
    if (!number(p, scalars[i].shape, bytes, result, &v->nan[0])) return false;
    for (int k = 0; k < 8; k++) v->bits |= (uint64_t)bytes[k] << (8 * k);
    return wat_expect_rpar(p);
  }
  if (wat_atom_is(p, kw, "v128.const")) {
    const wat_tok *t = wat_peek(p, 0);
    int shape = t->kind == WAT_ATOM ? vm_wat_shape(p->src + t->off, t->len) : -1;
    if (shape < 0) return wat_unexpected(p);
    p->pos++;
    v->type = VM_V128;
    v->shape = (uint8_t)shape;
    int lanes = vm_wat_shape_lanes(shape), width = 16 / lanes;
    for (int i = 0; i < lanes; i++)
      if (!number(p, shape, v->v128 + i * width, result, &v->nan[i]))
        return false;
    return wat_expect_rpar(p);
  }
  if (wat_atom_is(p, kw, "ref.null")) {
    if (!wat_heaptype(p, &v->type)) return false;
    v->is_null = true;
    return wat_expect_rpar(p);
  }
  if (wat_atom_is(p, kw, "ref.extern") || wat_atom_is(p, kw, "ref.func")) {
    v->type = wat_atom_is(p, kw, "ref.extern") ? VM_EXTERNREF : VM_FUNCREF;
    const wat_tok *t = wat_peek(p, 0);
    if (result && t->kind == WAT_RPAR) {
      v->any_ref = true;
    } else {
      wat_num_status st = t->kind == WAT_ATOM
          ? vm_wat_nat(p->src + t->off, t->len, UINT32_MAX, &v->bits)
          : WAT_NUM_SYNTAX;
      if (st == WAT_NUM_SYNTAX) return wat_unexpected(p);
      if (st == WAT_NUM_RANGE) return wat_fail(p, t, "constant out of range");
      p->pos++;
    }
    return wat_expect_rpar(p);
  }
  p->pos--;
  return wat_unexpected(p);
}

static bool values(wat_parser *p, wast_value **out, uint32_t *n, bool result) {
  uint32_t cap = 0;
  while (wat_peek(p, 0)->kind == WAT_LPAR) {
    if (*n == cap) {
      uint32_t nc = cap ? cap * 2 : 4;
      wast_value *nv = realloc(*out, nc * sizeof *nv);
      if (!nv) return wat_oom(p);
      *out = nv;
      cap = nc;
    }
    if (!value(p, &(*out)[*n], result)) return false;
    (*n)++;
  }
  return true;
}

/* (invoke $id? "name" value*) | (get $id? "name") */
static bool action(wat_parser *p, wast_action *a) {
  if (!wat_expect_lpar(p)) return false;
  if (wat_atom_is(p, wat_peek(p, 0), "invoke")) a->kind = WAST_INVOKE;
  else if (wat_atom_is(p, wat_peek(p, 0), "get")) a->kind = WAST_GET;
  else return wat_unexpected(p);
  p->pos++;
  if (!opt_id(p, &a->module) || !string_lit(p, &a->name, &a->name_len))
    return false;
  if (a->kind == WAST_INVOKE && !values(p, &a->args, &a->nargs, false))
    return false;
  return wat_expect_rpar(p);
}

/* ---- commands ------------------------------------------------------------ */

static bool command(wat_parser *p, wast_command *c) {
  static const struct { const char *kw; wast_cmd_kind kind; } asserts[] = {
      {"assert_malformed", WAST_CMD_ASSERT_MALFORMED},
      {"assert_invalid", WAST_CMD_ASSERT_INVALID},
      {"assert_unlinkable", WAST_CMD_ASSERT_UNLINKABLE},
      {"assert_uninstantiable", WAST_CMD_ASSERT_UNINSTANTIABLE}};
  const wat_tok *kw = wat_peek(p, 1);
  c->line = wat_peek(p, 0)->line;
  if (wat_peek(p, 0)->kind != WAT_LPAR) return wat_unexpected(p);
  if (wat_atom_is(p, kw, "module")) {
    c->kind = WAST_CMD_MODULE;
    c->has_module = true;
    return module_form(p, &c->module);
  }
  if (wat_atom_is(p, kw, "invoke") || wat_atom_is(p, kw, "get")) {
    c->kind = WAST_CMD_ACTION;
    return action(p, &c->action);
  }
  p->pos += 2;
  if (wat_atom_is(p, kw, "register")) {
    c->kind = WAST_CMD_REGISTER;
    return string_lit(p, &c->text, NULL) && opt_id(p, &c->register_module) &&
           wat_expect_rpar(p);
  }
  if (wat_atom_is(p, kw, "assert_return")) {
    c->kind = WAST_CMD_ASSERT_RETURN;
    return action(p, &c->action) &&
           values(p, &c->expected, &c->nexpected, true) && wat_expect_rpar(p);
  }
  if (wat_atom_is(p, kw, "assert_trap") ||
      wat_atom_is(p, kw, "assert_exhaustion")) {
    c->kind = wat_atom_is(p, kw, "assert_trap") ? WAST_CMD_ASSERT_TRAP
                                                 : WAST_CMD_ASSERT_EXHAUSTION;
    bool ok;
    if (wat_at_field(p, "module")) {
      c->has_module = true;
      ok = module_form(p, &c->module);
    } else {
      ok = action(p, &c->action);
    }
    return ok && string_lit(p, &c->text, NULL) && wat_expect_rpar(p);
  }
  for (size_t i = 0; i < sizeof asserts / sizeof asserts[0]; i++) {
    if (!wat_atom_is(p, kw, asserts[i].kw)) continue;
    c->kind = asserts[i].kind;
    c->has_module = true;
    return module_form(p, &c->module) && string_lit(p, &c->text, NULL) &&
           wat_expect_rpar(p);
  }
  p->pos--;
  return wat_unexpected(p);
}

static void free_action(wast_action *a) {
  free(a->module);
  free(a->name);
  free(a->args);
}

static void free_command(wast_command *c) {
  free(c->module.id);
  free(c->module.data);
  free_action(&c->action);
  free(c->expected);
  free(c->text);
  free(c->register_module);
}

static bool bare_module(const wat_parser *p) {
  static const char *const fields[] = {"type", "import", "func", "table",
                                       "memory", "global", "export", "start",
                                       "elem", "data"};
  if (wat_peek(p, 0)->kind != WAT_LPAR) return false;
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    if (wat_atom_is(p, wat_peek(p, 1), fields[i])) return true;
  return false;
}

bool vm_wast_parse(const char *src, size_t len, wast_script *out,
                   vm_error *err) {
  wat_toks toks;
  wat_parser p;
  size_t cap = 0;
  memset(out, 0, sizeof *out);
  if (!vm_wat_lex(src, len, &toks, err)) return false;
  memset(&p, 0, sizeof p);
  p.src = src;
  p.toks = toks.toks;
  p.ntoks = toks.count;
  p.err = err;
  if (bare_module(&p)) {
    /* a script may also be just the fields of one module (spec interpreter
     * README: "script: <cmd>* | <module field>+") */
    out->cmds = calloc(1, sizeof *out->cmds);
    if (!out->cmds) {
      wat_oom(&p);
      goto fail;
    }
    out->count = 1;
    wast_module *m = &out->cmds[0].module;
    out->cmds[0].kind = WAST_CMD_MODULE;
    out->cmds[0].has_module = true;
    out->cmds[0].line = m->line = 1;
    m->form = WAST_FORM_TEXT;
    m->data = malloc(len + 1);
    if (!m->data) {
      wat_oom(&p);
      goto fail;
    }
    memcpy(m->data, src, len);
    m->data[len] = 0;
    m->size = len;
    vm_wat_toks_free(&toks);
    return true;
  }
  while (wat_peek(&p, 0)->kind != WAT_EOF) {
    if (out->count == cap) {
      size_t nc = cap ? cap * 2 : 64;
      wast_command *ncmds = realloc(out->cmds, nc * sizeof *ncmds);
      if (!ncmds) {
        wat_oom(&p);
        goto fail;
      }
      out->cmds = ncmds;
      cap = nc;
    }
    wast_command *c = &out->cmds[out->count++];
    memset(c, 0, sizeof *c);
    if (!command(&p, c)) goto fail;
  }
  vm_wat_toks_free(&toks);
  return true;
fail:
  vm_wat_toks_free(&toks);
  vm_wast_free(out);
  return false;
}

void vm_wast_free(wast_script *s) {
  for (size_t i = 0; i < s->count; i++) free_command(&s->cmds[i]);
  free(s->cmds);
  s->cmds = NULL;
  s->count = 0;
}
