/* Unit tests for vm/validate.c. Modules are assembled directly as vm_module
 * structs over a byte buffer holding the function bodies and constant
 * expressions, so each test states exactly the one rule it breaks and does
 * not depend on the decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "vm/module.h"
#include "vm/validate.h"

enum { I32 = VM_I32, I64 = VM_I64, F32 = VM_F32, F64 = VM_F64, V128 = VM_V128,
       FREF = VM_FUNCREF, XREF = VM_EXTERNREF };

typedef struct {
  vm_module m;
  uint8_t bytes[4096];
  size_t len;
  vm_functype types[8];
  uint8_t typebytes[8][8];
  vm_import imports[8];
  vm_func funcs[8];
  vm_local_run runs[8][4];
  vm_tabletype tables[4];
  vm_limits mems[4];
  vm_global globals[8];
  vm_export exports[8];
  vm_elem elems[4];
  uint32_t elem_funcs[4][4];
  vm_expr elem_exprs[4][4];
  vm_data datas[4];
  uint32_t max_stack[8];
  vm_error err;
} tmod;

static void tm_init(tmod *t) {
  memset(t, 0, sizeof *t);
  t->len = 8; /* room for a fake header, so offsets are never 0 */
  t->m.bytes = t->bytes;
  t->m.types = t->types;
  t->m.imports = t->imports;
  t->m.funcs = t->funcs;
  t->m.tables = t->tables;
  t->m.memories = t->mems;
  t->m.globals = t->globals;
  t->m.exports = t->exports;
  t->m.elems = t->elems;
  t->m.datas = t->datas;
}

/* Appends raw bytes; returns their offset. */
static uint32_t tm_bytes(tmod *t, const uint8_t *b, size_t n) {
  assert_true(t->len + n <= sizeof t->bytes);
  uint32_t off = (uint32_t)t->len;
  memcpy(t->bytes + t->len, b, n);
  t->len += n;
  t->m.size = t->len;
  return off;
}

static vm_expr tm_expr(tmod *t, const uint8_t *b, size_t n) {
  vm_expr e;
  e.offset = tm_bytes(t, b, n);
  e.size = (uint32_t)n;
  return e;
}

/* Adds a function type from two zero-terminated lists of types. */
static uint32_t tm_type(tmod *t, const uint8_t *params, const uint8_t *results) {
  uint32_t i = t->m.ntypes++;
  vm_functype *ft = &t->types[i];
  ft->types = t->typebytes[i];
  while (params && params[ft->nparams]) {
    ft->types[ft->nparams] = params[ft->nparams];
    ft->nparams++;
  }
  while (results && results[ft->nresults]) {
    ft->types[ft->nparams + ft->nresults] = results[ft->nresults];
    ft->nresults++;
  }
  return i;
}

/* Adds a defined function; `locals` is a zero-terminated list of types, one
 * local each. */
static uint32_t tm_func(tmod *t, uint32_t type, const uint8_t *locals,
                        const uint8_t *body, size_t n) {
  uint32_t i = t->m.nfuncs++;
  vm_func *f = &t->funcs[i];
  f->type = type;
  f->local_runs = t->runs[i];
  for (; locals && *locals; locals++) {
    f->local_runs[f->nlocal_runs].type = *locals;
    f->local_runs[f->nlocal_runs].count = 1;
    f->nlocal_runs++;
    f->nlocals++;
  }
  f->body_offset = tm_bytes(t, body, n);
  f->body_size = (uint32_t)n;
  f->code_offset = f->body_offset;
  return t->m.nimported_funcs + i;
}

static void tm_import_func(tmod *t, uint32_t type) {
  vm_import *im = &t->imports[t->m.nimports++];
  im->module = im->name = (char *)"x";
  im->kind = VM_EXT_FUNC;
  im->desc.func_type = type;
  t->m.nimported_funcs++;
}

static void tm_import_global(tmod *t, uint8_t type, bool mut) {
  vm_import *im = &t->imports[t->m.nimports++];
  im->module = im->name = (char *)"g";
  im->kind = VM_EXT_GLOBAL;
  im->desc.global.type = type;
  im->desc.global.mut = mut;
  t->m.nimported_globals++;
}

static void tm_memory(tmod *t, uint64_t min, bool has_max, uint64_t max) {
  vm_limits *l = &t->mems[t->m.nmemories++];
  l->min = min;
  l->has_max = has_max;
  l->max = max;
}

static void tm_table(tmod *t, uint8_t type, uint64_t min) {
  vm_tabletype *tt = &t->tables[t->m.ntables++];
  tt->elemtype = type;
  tt->limits.min = min;
}

static void tm_global(tmod *t, uint8_t type, bool mut, const uint8_t *init,
                      size_t n) {
  vm_global *g = &t->globals[t->m.nglobals++];
  g->type.type = type;
  g->type.mut = mut;
  g->init = tm_expr(t, init, n);
}

static void tm_export(tmod *t, const char *name, uint8_t kind, uint32_t idx) {
  vm_export *e = &t->exports[t->m.nexports++];
  e->name = (char *)name;
  e->name_len = (uint32_t)strlen(name);
  e->kind = kind;
  e->index = idx;
}

static bool tm_valid(tmod *t) {
  memset(&t->err, 0, sizeof t->err);
  bool ok = vm_validate_ex(&t->m, t->max_stack, &t->err);
  if (ok) assert_int_equal(t->err.kind, VM_OK);
  return ok;
}

/* Asserts the module is rejected with a message starting with `prefix`. */
static void tm_invalid(tmod *t, const char *prefix) {
  bool ok = tm_valid(t);
  if (ok) fail_msg("module accepted, expected \"%s\"", prefix);
  assert_int_equal(t->err.kind, VM_ERR_INVALID);
  if (strncmp(t->err.msg, prefix, strlen(prefix)) != 0)
    fail_msg("got \"%s\", expected \"%s\"", t->err.msg, prefix);
}

static const uint8_t T_NONE[] = {0};
static const uint8_t T_I32[] = {I32, 0};
static const uint8_t T_I32I32[] = {I32, I32, 0};

/* One function of type `params -> results` with `body`, expected valid or
 * invalid with `msg`. */
static void one_func(const uint8_t *params, const uint8_t *results,
                     const uint8_t *body, size_t n, const char *msg) {
  tmod t;
  tm_init(&t);
  tm_memory(&t, 1, false, 0);
  uint32_t ty = tm_type(&t, params, results);
  tm_func(&t, ty, NULL, body, n);
  if (msg)
    tm_invalid(&t, msg);
  else if (!tm_valid(&t))
    fail_msg("rejected: %s", t.err.msg);
}
#define VALID(p, r, ...)                                                     \
  do {                                                                       \
    const uint8_t b_[] = {__VA_ARGS__};                                      \
    one_func(p, r, b_, sizeof b_, NULL);                                     \
  } while (0)
#define INVALID(msg, p, r, ...)                                              \
  do {                                                                       \
    const uint8_t b_[] = {__VA_ARGS__};                                      \
    one_func(p, r, b_, sizeof b_, msg);                                      \
  } while (0)

/* ---- tests ---------------------------------------------------------------- */

static void test_numeric(void **state) {
  (void)state;
  VALID(T_NONE, T_I32, 0x41, 1, 0x41, 2, 0x6a, 0x0b);        /* i32.add */
  INVALID("type mismatch", T_NONE, T_I32, 0x43, 0, 0, 0, 0, 0x45, 0x0b);
  INVALID("type mismatch", T_NONE, T_I32, 0x42, 1, 0x0b);    /* i64 result */
  INVALID("type mismatch", T_NONE, T_I32, 0x41, 1, 0x42, 1, 0x6a, 0x0b);
  INVALID("type mismatch", T_NONE, T_NONE, 0x41, 1, 0x0b);   /* extra value */
  INVALID("type mismatch", T_NONE, T_I32, 0x0b);             /* empty stack */
}

static void test_unreachable_polymorphic(void **state) {
  (void)state;
  /* After unreachable the stack is polymorphic: i32.add pops Unknowns. */
  VALID(T_NONE, T_I32, 0x00, 0x6a, 0x0b);
  VALID(T_NONE, T_I32, 0x00, 0x1b, 0x0b);                  /* select */
  VALID(T_NONE, T_I32, 0x00, 0xd1, 0x0b);                  /* ref.is_null */
  /* But values pushed after it are still typed. */
  INVALID("type mismatch", T_NONE, T_I32, 0x00, 0x42, 0, 0x6a, 0x0b);
  /* select on an Unknown and a funcref needs a type annotation. */
  INVALID("type mismatch", T_NONE, T_NONE, 0x00, 0xd0, FREF, 0x41, 0, 0x1b,
          0x1a, 0x0b);
  /* ref.is_null on a number. */
  INVALID("type mismatch", T_NONE, T_I32, 0x41, 0, 0xd1, 0x0b);
  VALID(T_NONE, T_I32, 0xd0, XREF, 0xd1, 0x0b);
  /* return and br make the rest of the block polymorphic too. */
  VALID(T_NONE, T_I32, 0x41, 0, 0x0f, 0x6a, 0x0b);
  INVALID("type mismatch", T_NONE, T_I32, 0x0f, 0x0b);
  VALID(T_NONE, T_I32, 0x02, 0x7f, 0x41, 0, 0x0c, 0, 0x6a, 0x0b, 0x0b);
}

static void test_blocks(void **state) {
  (void)state;
  /* block (result i32) i32.const 1 end */
  VALID(T_NONE, T_I32, 0x02, I32, 0x41, 1, 0x0b, 0x0b);
  INVALID("type mismatch", T_NONE, T_I32, 0x02, I32, 0x0b, 0x0b);
  /* if without else must have params == results */
  INVALID("type mismatch", T_NONE, T_I32, 0x41, 1, 0x04, I32, 0x41, 1, 0x0b,
          0x0b);
  VALID(T_NONE, T_I32, 0x41, 1, 0x04, I32, 0x41, 1, 0x05, 0x41, 2, 0x0b,
        0x0b);
  INVALID("type mismatch", T_NONE, T_I32, 0x41, 1, 0x04, I32, 0x41, 1, 0x05,
          0x42, 2, 0x0b, 0x0b);
  /* loop label carries params: br 0 inside a loop (result i32) needs []. */
  VALID(T_NONE, T_NONE, 0x03, 0x40, 0x0c, 0, 0x0b, 0x0b);
  INVALID("unknown label", T_NONE, T_NONE, 0x0c, 1, 0x0b);
  INVALID("unknown type", T_NONE, T_NONE, 0x02, 5, 0x0b, 0x0b);
}

static void test_multi_value(void **state) {
  (void)state;
  tmod t;
  tm_init(&t);
  uint32_t ty_main = tm_type(&t, T_NONE, T_I32);
  uint32_t ty_blk = tm_type(&t, T_I32I32, T_I32); /* [i32 i32] -> [i32] */
  (void)ty_blk;
  /* i32.const 1 i32.const 2 block (type 1) i32.add end */
  const uint8_t body[] = {0x41, 1, 0x41, 2, 0x02, 1, 0x6a, 0x0b, 0x0b};
  tm_func(&t, ty_main, NULL, body, sizeof body);
  assert_true(tm_valid(&t));
  assert_int_equal(t.max_stack[0], 2);

  tm_init(&t);
  ty_main = tm_type(&t, T_NONE, T_I32);
  tm_type(&t, T_I32I32, T_I32);
  /* Only one param available. */
  const uint8_t bad[] = {0x41, 1, 0x02, 1, 0x6a, 0x0b, 0x0b};
  tm_func(&t, ty_main, NULL, bad, sizeof bad);
  tm_invalid(&t, "type mismatch");
}

static void test_br_table(void **state) {
  (void)state;
  /* block (result i32) block (result i32) i32.const 0 i32.const 0
   *   br_table 0 1 end end */
  VALID(T_NONE, T_I32, 0x02, I32, 0x02, I32, 0x41, 0, 0x41, 0, 0x0e, 1, 0, 1,
        0x0b, 0x0b, 0x0b);
  /* Arity mismatch between labels: block [] and block [i32]. */
  INVALID("type mismatch", T_NONE, T_NONE, 0x02, 0x40, 0x02, I32, 0x41, 0,
          0x41, 0, 0x0e, 1, 0, 1, 0x0b, 0x1a, 0x0b, 0x0b);
  /* Labels of different types in unreachable code are fine. */
  VALID(T_NONE, T_NONE, 0x02, F32, 0x02, I32, 0x00, 0x0e, 1, 0, 1, 0x0b, 0x1a,
        0x43, 0, 0, 0, 0, 0x0b, 0x1a, 0x0b);
  INVALID("unknown label", T_NONE, T_NONE, 0x41, 0, 0x0e, 1, 5, 0, 0x0b);
}

static void test_select(void **state) {
  (void)state;
  VALID(T_NONE, T_I32, 0x41, 1, 0x41, 2, 0x41, 0, 0x1b, 0x0b);
  INVALID("type mismatch", T_NONE, T_I32, 0x41, 1, 0x42, 2, 0x41, 0, 0x1b,
          0x0b);
  /* select t with one type, reference operands */
  VALID(T_NONE, T_NONE, 0xd0, FREF, 0xd0, FREF, 0x41, 0, 0x1c, 1, FREF, 0x1a,
        0x0b);
  INVALID("type mismatch", T_NONE, T_NONE, 0xd0, FREF, 0xd0, FREF, 0x41, 0,
          0x1b, 0x1a, 0x0b);
  INVALID("invalid result arity", T_NONE, T_NONE, 0x41, 1, 0x41, 2, 0x41, 0,
          0x1c, 0, 0x1a, 0x0b);
  INVALID("invalid result arity", T_NONE, T_NONE, 0x41, 1, 0x41, 2, 0x41, 0,
          0x1c, 2, I32, I32, 0x1a, 0x0b);
}

static void test_locals_globals(void **state) {
  (void)state;
  tmod t;
  tm_init(&t);
  uint32_t ty = tm_type(&t, T_I32, T_NONE);
  const uint8_t loc[] = {I64, F32, 0};
  /* local.get 0 drop; local.get 1 i64.eqz drop; local.get 2 f32.neg drop */
  const uint8_t body[] = {0x20, 0, 0x1a, 0x20, 1, 0x50, 0x1a,
                          0x20, 2, 0x8c, 0x1a, 0x0b};
  tm_func(&t, ty, loc, body, sizeof body);
  assert_true(tm_valid(&t));

  tm_init(&t);
  ty = tm_type(&t, T_I32, T_NONE);
  const uint8_t body2[] = {0x20, 3, 0x1a, 0x0b};
  tm_func(&t, ty, loc, body2, sizeof body2);
  tm_invalid(&t, "unknown local");

  tm_init(&t);
  ty = tm_type(&t, T_I32, T_NONE);
  const uint8_t body3[] = {0x42, 0, 0x21, 2, 0x0b}; /* i64 into f32 local */
  tm_func(&t, ty, loc, body3, sizeof body3);
  tm_invalid(&t, "type mismatch");

  /* Many locals (the binary-search path): 70000 i64 then one f64; local
   * 70001 (after the i32 param) is the f64. */
  tm_init(&t);
  ty = tm_type(&t, T_I32, T_NONE);
  const uint8_t big[] = {0x20, 0xf1, 0xa2, 0x04, 0x9a, 0x1a, /* f64.neg */
                         0x20, 0xf0, 0xa2, 0x04, 0x50, 0x1a, /* i64.eqz */
                         0x0b};
  tm_func(&t, ty, NULL, big, sizeof big);
  t.runs[0][0].type = I64;
  t.runs[0][0].count = 70000;
  t.runs[0][1].type = F64;
  t.runs[0][1].count = 1;
  t.funcs[0].nlocal_runs = 2;
  t.funcs[0].nlocals = 70001;
  if (!tm_valid(&t)) fail_msg("rejected: %s", t.err.msg);
  t.runs[0][1].count = 0; /* local 70001 no longer exists */
  tm_invalid(&t, "unknown local 70001");

  const uint8_t c0[] = {0x41, 0, 0x0b};
  tm_init(&t);
  ty = tm_type(&t, T_NONE, T_NONE);
  tm_global(&t, I32, false, c0, sizeof c0);
  const uint8_t set[] = {0x41, 1, 0x24, 0, 0x0b};
  tm_func(&t, ty, NULL, set, sizeof set);
  tm_invalid(&t, "global is immutable");

  tm_init(&t);
  ty = tm_type(&t, T_NONE, T_NONE);
  tm_global(&t, I32, true, c0, sizeof c0);
  tm_func(&t, ty, NULL, set, sizeof set);
  assert_true(tm_valid(&t));
  const uint8_t get[] = {0x23, 1, 0x1a, 0x0b};
  tm_func(&t, ty, NULL, get, sizeof get);
  tm_invalid(&t, "unknown global");
}

static void test_const_exprs(void **state) {
  (void)state;
  tmod t;
  const uint8_t nop[] = {0x01, 0x0b};
  const uint8_t f32c[] = {0x43, 0, 0, 0, 0, 0x0b};
  const uint8_t two[] = {0x41, 0, 0x41, 0, 0x0b};
  const uint8_t add[] = {0x41, 0, 0x41, 0, 0x6a, 0x0b};
  const uint8_t gget0[] = {0x23, 0, 0x0b};
  const uint8_t gget1[] = {0x23, 1, 0x0b};

  tm_init(&t);
  tm_global(&t, I32, false, nop, sizeof nop);
  tm_invalid(&t, "constant expression required");
  tm_init(&t);
  tm_global(&t, I32, false, add, sizeof add);
  tm_invalid(&t, "constant expression required");
  tm_init(&t);
  tm_global(&t, I32, false, f32c, sizeof f32c);
  tm_invalid(&t, "type mismatch");
  tm_init(&t);
  tm_global(&t, I32, false, two, sizeof two);
  tm_invalid(&t, "type mismatch");
  /* global.get: only imported immutable globals (spec 3.4.10, C'). */
  tm_init(&t);
  tm_import_global(&t, I32, false);
  tm_global(&t, I32, false, gget0, sizeof gget0);
  assert_true(tm_valid(&t));
  tm_global(&t, I32, false, gget1, sizeof gget1);
  tm_invalid(&t, "unknown global 1");
  tm_init(&t);
  tm_import_global(&t, I32, true);
  tm_global(&t, I32, false, gget0, sizeof gget0);
  tm_invalid(&t, "constant expression required");
}

static void test_ref_func(void **state) {
  (void)state;
  tmod t;
  const uint8_t body[] = {0xd2, 0, 0x1a, 0x0b}; /* ref.func 0 drop */
  tm_init(&t);
  uint32_t ty = tm_type(&t, T_NONE, T_NONE);
  tm_func(&t, ty, NULL, body, sizeof body);
  tm_invalid(&t, "undeclared function reference");
  /* Declared through an export. */
  tm_export(&t, "f", VM_EXT_FUNC, 0);
  assert_true(tm_valid(&t));
  /* Declared through a global initializer. */
  tm_init(&t);
  ty = tm_type(&t, T_NONE, T_NONE);
  tm_func(&t, ty, NULL, body, sizeof body);
  const uint8_t rf[] = {0xd2, 0, 0x0b};
  tm_global(&t, FREF, false, rf, sizeof rf);
  assert_true(tm_valid(&t));
  /* Declared through a declarative element segment. */
  tm_init(&t);
  ty = tm_type(&t, T_NONE, T_NONE);
  tm_func(&t, ty, NULL, body, sizeof body);
  vm_elem *e = &t.elems[t.m.nelems++];
  e->mode = VM_SEG_DECLARATIVE;
  e->type = FREF;
  e->count = 1;
  e->funcs = t.elem_funcs[0];
  e->funcs[0] = 0;
  assert_true(tm_valid(&t));
  e->funcs[0] = 3;
  tm_invalid(&t, "unknown function 3");
}

static void test_memory(void **state) {
  (void)state;
  /* i32.const 0 i32.load align=2 drop */
  VALID(T_NONE, T_NONE, 0x41, 0, 0x28, 2, 0, 0x1a, 0x0b);
  INVALID("alignment must not be larger than natural", T_NONE, T_NONE, 0x41, 0,
          0x28, 3, 0, 0x1a, 0x0b);
  INVALID("alignment must not be larger than natural", T_NONE, T_NONE, 0x41, 0,
          0x2c, 1, 0, 0x1a, 0x0b); /* i32.load8_s align=1 */
  tmod t;
  tm_init(&t);
  uint32_t ty = tm_type(&t, T_NONE, T_I32);
  const uint8_t size[] = {0x3f, 0, 0x0b};
  tm_func(&t, ty, NULL, size, sizeof size);
  tm_invalid(&t, "unknown memory");

  tm_init(&t);
  tm_memory(&t, 65537, false, 0);
  tm_invalid(&t, "memory size must be at most 65536 pages (4GiB)");
  tm_init(&t);
  tm_memory(&t, 2, true, 1);
  tm_invalid(&t, "size minimum must not be greater than maximum");
  tm_init(&t);
  tm_memory(&t, 1, true, 65536);
  assert_true(tm_valid(&t));
  tm_memory(&t, 1, false, 0);
  tm_invalid(&t, "multiple memories");
}

static void test_simd(void **state) {
  (void)state;
  /* v128.const; i8x16.extract_lane_s 15 */
  VALID(T_NONE, T_I32, 0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0xfd, 0x15, 15, 0x0b);
  INVALID("invalid lane index", T_NONE, T_I32, 0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0,
          0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfd, 0x15, 16, 0x0b);
  /* i64x2.extract_lane 2 */
  INVALID("invalid lane index", T_NONE, T_NONE, 0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0,
          0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfd, 0x1d, 2, 0x1a, 0x0b);
  /* v128.load align=4 ok, align=5 too large */
  VALID(T_NONE, T_NONE, 0x41, 0, 0xfd, 0x00, 4, 0, 0x1a, 0x0b);
  INVALID("alignment must not be larger than natural", T_NONE, T_NONE, 0x41, 0,
          0xfd, 0x00, 5, 0, 0x1a, 0x0b);
  /* v128.load32_lane: lane < 4 */
  INVALID("invalid lane index", T_NONE, T_NONE, 0x41, 0, 0xfd, 0x0c, 0, 0, 0, 0,
          0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfd, 0x56, 2, 0, 4, 0x1a, 0x0b);
  /* shuffle lane 32 */
  INVALID("invalid lane index", T_NONE, T_NONE, 0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0,
          0, 0, 0, 0, 0, 0, 0, 0, 0, 0x41, 0, 0xfd, 0x11, 0xfd, 0x0d, 0, 1, 2,
          3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 32, 0x1a, 0x0b);
  /* i8x16.splat wants i32 */
  INVALID("type mismatch", T_NONE, T_NONE, 0x42, 0, 0xfd, 0x0f, 0x1a, 0x0b);
}

static void test_module_level(void **state) {
  (void)state;
  tmod t;
  const uint8_t end[] = {0x0b};
  tm_init(&t);
  uint32_t ty = tm_type(&t, T_I32, T_NONE);
  tm_func(&t, ty, NULL, end, sizeof end);
  t.m.has_start = true;
  t.m.start = 0;
  tm_invalid(&t, "start function");
  t.m.start = 1;
  tm_invalid(&t, "unknown function");

  tm_init(&t);
  ty = tm_type(&t, T_NONE, T_NONE);
  tm_func(&t, ty, NULL, end, sizeof end);
  tm_export(&t, "a", VM_EXT_FUNC, 0);
  tm_export(&t, "b", VM_EXT_FUNC, 0);
  assert_true(tm_valid(&t));
  tm_export(&t, "a", VM_EXT_FUNC, 0);
  tm_invalid(&t, "duplicate export name");
  tm_init(&t);
  tm_export(&t, "m", VM_EXT_MEMORY, 0);
  tm_invalid(&t, "unknown memory 0");
  tm_init(&t);
  tm_import_func(&t, 3);
  tm_invalid(&t, "unknown type");

  /* Data segment on a missing memory; element segment type vs table. */
  tm_init(&t);
  const uint8_t off[] = {0x41, 0, 0x0b};
  vm_data *d = &t.datas[t.m.ndatas++];
  d->mode = VM_SEG_ACTIVE;
  d->offset = tm_expr(&t, off, sizeof off);
  tm_invalid(&t, "unknown memory 0");
  tm_init(&t);
  tm_table(&t, XREF, 1);
  vm_elem *e = &t.elems[t.m.nelems++];
  e->mode = VM_SEG_ACTIVE;
  e->type = FREF;
  e->offset = tm_expr(&t, off, sizeof off);
  tm_invalid(&t, "type mismatch");
  t.tables[0].elemtype = FREF;
  assert_true(tm_valid(&t));
  const uint8_t off64[] = {0x42, 0, 0x0b};
  e->offset = tm_expr(&t, off64, sizeof off64);
  tm_invalid(&t, "type mismatch");
}

static void test_tables_bulk(void **state) {
  (void)state;
  tmod t;
  tm_init(&t);
  uint32_t ty = tm_type(&t, T_NONE, T_NONE);
  tm_table(&t, FREF, 1);
  tm_table(&t, XREF, 1);
  /* table.get 1 (externref) -> table.set 0 (funcref): mismatch */
  const uint8_t b1[] = {0x41, 0, 0x41, 0, 0x25, 1, 0x26, 0, 0x0b};
  tm_func(&t, ty, NULL, b1, sizeof b1);
  tm_invalid(&t, "type mismatch");
  /* table.copy 0 1: element types differ */
  t.funcs[0].body_offset = tm_bytes(&t, (const uint8_t[]){0x41, 0, 0x41, 0,
                                    0x41, 0, 0xfc, 14, 0, 1, 0x0b}, 11);
  t.funcs[0].body_size = 11;
  tm_invalid(&t, "type mismatch");
  /* call_indirect through an externref table */
  t.funcs[0].body_offset = tm_bytes(&t, (const uint8_t[]){0x41, 0, 0x11, 0, 1,
                                    0x0b}, 6);
  t.funcs[0].body_size = 6;
  tm_invalid(&t, "type mismatch");
  /* table.size 2: unknown table */
  t.funcs[0].body_offset = tm_bytes(&t, (const uint8_t[]){0xfc, 16, 2, 0x1a,
                                    0x0b}, 5);
  t.funcs[0].body_size = 5;
  tm_invalid(&t, "unknown table 2");
  /* elem.drop 0 with no segments, data.drop 1 with datacount 1 */
  t.funcs[0].body_offset = tm_bytes(&t, (const uint8_t[]){0xfc, 13, 0, 0x0b},
                                    4);
  t.funcs[0].body_size = 4;
  tm_invalid(&t, "unknown elem segment 0");
  t.m.has_datacount = true;
  t.m.datacount = 1;
  t.funcs[0].body_offset = tm_bytes(&t, (const uint8_t[]){0xfc, 9, 1, 0x0b},
                                    4);
  t.funcs[0].body_size = 4;
  tm_invalid(&t, "unknown data segment 1");
  t.funcs[0].body_offset = tm_bytes(&t, (const uint8_t[]){0xfc, 9, 0, 0x0b},
                                    4);
  assert_true(tm_valid(&t));
}

static void test_calls(void **state) {
  (void)state;
  tmod t;
  tm_init(&t);
  uint32_t t0 = tm_type(&t, T_I32I32, T_I32);
  uint32_t t1 = tm_type(&t, T_NONE, T_I32);
  tm_import_func(&t, t0);
  /* call 0 with two i32 */
  const uint8_t b[] = {0x41, 1, 0x41, 2, 0x10, 0, 0x0b};
  tm_func(&t, t1, NULL, b, sizeof b);
  assert_true(tm_valid(&t));
  const uint8_t bad[] = {0x41, 1, 0x10, 0, 0x0b};
  tm_func(&t, t1, NULL, bad, sizeof bad);
  tm_invalid(&t, "type mismatch");
  t.m.nfuncs = 1;
  const uint8_t unk[] = {0x10, 9, 0x0b};
  tm_func(&t, t1, NULL, unk, sizeof unk);
  tm_invalid(&t, "unknown function 9");
}

/* Truncated or garbage bodies must be rejected without crashing. */
static void test_robustness(void **state) {
  (void)state;
  tmod t;
  tm_init(&t);
  uint32_t ty = tm_type(&t, T_NONE, T_NONE);
  const uint8_t trunc[] = {0x02, 0x40, 0x0b}; /* block without final end */
  tm_func(&t, ty, NULL, trunc, sizeof trunc);
  assert_false(tm_valid(&t));
  for (unsigned seed = 1; seed < 2000; seed++) {
    uint8_t body[24];
    unsigned x = seed;
    for (size_t i = 0; i < sizeof body; i++) {
      x = x * 1103515245u + 12345u;
      body[i] = (uint8_t)(x >> 16);
    }
    tm_init(&t);
    tm_memory(&t, 1, false, 0);
    ty = tm_type(&t, T_NONE, T_NONE);
    tm_func(&t, ty, NULL, body, sizeof body);
    (void)tm_valid(&t);
  }
}

/* Through the real decoder: a binary module, then the same module with one
 * instruction changed, rejected at the offset of the `end` that finds the
 * wrong result type. */
static void test_decoded(void **state) {
  (void)state;
  uint8_t bin[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                   0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,       /* type */
                   0x03, 0x02, 0x01, 0x00,                         /* func */
                   0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00,        /* export */
                   0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b}; /* code */
  vm_error err;
  memset(&err, 0, sizeof err);
  vm_module *m = vm_decode(bin, sizeof bin, &err);
  assert_non_null(m);
  uint32_t max = 0;
  assert_true(vm_validate_ex(m, &max, &err));
  assert_int_equal(max, 1);
  vm_module_free(m);

  bin[31] = 0x42; /* i64.const */
  memset(&err, 0, sizeof err);
  m = vm_decode(bin, sizeof bin, &err);
  assert_non_null(m);
  assert_false(vm_validate(m, &err));
  assert_int_equal(err.kind, VM_ERR_INVALID);
  assert_int_equal(err.offset, 33);
  assert_true(strncmp(err.msg, "type mismatch", 13) == 0);
  vm_module_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_numeric),
      cmocka_unit_test(test_unreachable_polymorphic),
      cmocka_unit_test(test_blocks),
      cmocka_unit_test(test_multi_value),
      cmocka_unit_test(test_br_table),
      cmocka_unit_test(test_select),
      cmocka_unit_test(test_locals_globals),
      cmocka_unit_test(test_const_exprs),
      cmocka_unit_test(test_ref_func),
      cmocka_unit_test(test_memory),
      cmocka_unit_test(test_simd),
      cmocka_unit_test(test_module_level),
      cmocka_unit_test(test_tables_bulk),
      cmocka_unit_test(test_calls),
      cmocka_unit_test(test_robustness),
      cmocka_unit_test(test_decoded),
  };
  return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
