/* Internal interface of the text-format parser, shared by wat.c (module
 * fields and sections), wat_instr.c (instructions) and wast_parse.c (script
 * values). Not a public API. */
#ifndef FERRY_VM_WAT_INT_H
#define FERRY_VM_WAT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/error.h"
#include "vm/wat_lex.h"

/* A growable byte buffer; allocation failure is sticky (oom) and checked
 * once where the buffer is consumed. */
typedef struct {
  uint32_t offset; /* in the buffer */
  uint32_t tok;    /* the token whose encoding starts there */
} wat_mark;

typedef struct {
  uint8_t *p;
  size_t n, cap;
  bool oom;
  /* Source positions of what was encoded here (vm_srcmap): they travel
   * with the bytes when a buffer is appended to another. */
  wat_mark *marks;
  size_t nmarks, cap_marks;
} wat_buf;

void wat_buf_bytes(wat_buf *b, const void *data, size_t n);
void wat_buf_byte(wat_buf *b, uint8_t v);
void wat_buf_u32(wat_buf *b, uint32_t v); /* unsigned LEB128, shortest */
void wat_buf_s64(wat_buf *b, int64_t v);  /* signed LEB128, shortest */
void wat_buf_free(wat_buf *b);
/* Records that what is encoded next into b comes from token tok. */
void wat_buf_mark(wat_buf *b, size_t tok);
/* Appends src's bytes and marks to dst. */
void wat_buf_append(wat_buf *dst, const wat_buf *src);

/* String → u32 map (open addressing); keys point into the source. */
typedef struct {
  const char *key;
  uint32_t len, val;
} wat_map_ent;

typedef struct {
  wat_map_ent *e;
  uint32_t cap, count;
} wat_map;

bool wat_map_get(const wat_map *m, const char *key, uint32_t len,
                 uint32_t *val);
/* false on allocation failure */
bool wat_map_put(wat_map *m, const char *key, uint32_t len, uint32_t val);
void wat_map_clear(wat_map *m);
void wat_map_free(wat_map *m);

/* A function type: np params then nr results in t. */
typedef struct {
  uint32_t np, nr;
  uint8_t *t;
} wat_sig;

/* Index spaces with symbolic identifiers (spec 6.6.1 "identifier context"). */
enum {
  SP_TYPE, SP_FUNC, SP_TABLE, SP_MEM, SP_GLOBAL, SP_ELEM, SP_DATA, SP_COUNT
};

#define WAT_NO_LABEL UINT32_MAX
#define WAT_MAX_DEPTH 1000 /* s-expression and block nesting */

typedef struct wat_parser {
  const char *src;
  wat_tok *toks;
  size_t ntoks, pos;
  vm_error *err;
  int depth;

  wat_map ops; /* instruction name → vm_op */
  wat_map names[SP_COUNT];
  uint32_t counts[SP_COUNT];

  wat_sig *types; /* explicit definitions first, then implicit ones */
  uint32_t ntypes, cap_types, nexplicit_types;

  /* the function being parsed (or none, in constant expressions) */
  bool in_func;
  wat_map locals;
  uint32_t nlocals; /* params + locals */
  uint32_t *labels; /* token index of each open label's id, or WAT_NO_LABEL */
  uint32_t nlabels, cap_labels;

  bool uses_data_count; /* memory.init or data.drop appear in code */
} wat_parser;

/* ---- helpers (wat.c) ---- */
const wat_tok *wat_peek(const wat_parser *p, size_t ahead);
bool wat_atom_is(const wat_parser *p, const wat_tok *t, const char *kw);
/* current is '(' followed by the keyword kw */
bool wat_at_field(const wat_parser *p, const char *kw);
bool wat_fail(wat_parser *p, const wat_tok *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* "unexpected token" / "unknown operator" at the current token */
bool wat_unexpected(wat_parser *p);
bool wat_expect_lpar(wat_parser *p);
bool wat_expect_rpar(wat_parser *p);
bool wat_expect_kw(wat_parser *p, const char *kw);
bool wat_oom(wat_parser *p);

/* An index: symbolic $id (resolved in space sp) or a u32. */
bool wat_index(wat_parser *p, int sp, uint32_t *out);
bool wat_at_index(const wat_parser *p);
bool wat_valtype(wat_parser *p, uint8_t *out);
bool wat_reftype(wat_parser *p, uint8_t *out); /* funcref | externref */
bool wat_heaptype(wat_parser *p, uint8_t *out); /* func | extern */

enum { TU_FUNC, TU_NAMES_OK, TU_NO_NAMES };
/* `(type x)? (param ...)* (result ...)*`: the type index, looked up or
 * added as the spec's implicit type-use rule says (6.6.3). */
bool wat_typeuse(wat_parser *p, int mode, uint32_t *typeidx);
/* Same, but also reports whether anything was written and the inline sig
 * (for block types, which have a short form); sig->t is malloc'ed. */
bool wat_typeuse_sig(wat_parser *p, int mode, bool *has_type, uint32_t *idx,
                     wat_sig *sig);
/* (param ...)* (result ...)* appended to sig (sig->t malloc'ed) */
bool wat_params_results(wat_parser *p, int mode, wat_sig *sig);
/* appends sig to the type list, taking ownership of sig->t */
bool wat_add_type(wat_parser *p, wat_sig *sig);
bool wat_type_for_sig(wat_parser *p, const wat_sig *sig, uint32_t *idx);

/* ---- instructions (wat_instr.c) ---- */
bool wat_build_op_map(wat_parser *p);
/* instr* up to (not including) ')' ; encodes into out (without `end`) */
bool wat_instrs(wat_parser *p, wat_buf *out);
/* exactly one instruction, plain or folded */
bool wat_instr1(wat_parser *p, wat_buf *out);
/* A 16-byte v128 lane list after the shape keyword (spec 6.5.13). */
bool wat_v128_lanes(wat_parser *p, int shape, uint8_t out[16]);

#endif
