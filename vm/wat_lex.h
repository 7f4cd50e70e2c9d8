/* Lexer and literal decoding for the WebAssembly text format (spec 6.3),
 * shared by the module parser (wat.c, wat_instr.c) and the script parser
 * (wast_parse.c). */
#ifndef FERRY_VM_WAT_LEX_H
#define FERRY_VM_WAT_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/error.h"

typedef enum {
  WAT_EOF,
  WAT_LPAR,
  WAT_RPAR,
  WAT_ATOM,     /* keyword or number: a run of idchars not starting with $ */
  WAT_ID,       /* $name */
  WAT_STRING,   /* "...", already checked for valid escapes */
  WAT_RESERVED, /* any other run of idchars and strings (spec 6.3.5) */
} wat_tok_kind;

typedef struct {
  uint8_t kind;      /* wat_tok_kind */
  uint32_t off, len; /* bytes in the source, quotes included for strings */
  int line, col;     /* 1-based */
} wat_tok;

typedef struct {
  wat_tok *toks; /* always ends with a WAT_EOF token */
  size_t count;
} wat_toks;

/* Splits src into tokens; comments and white space are dropped. Lexical
 * errors are VM_ERR_MALFORMED with line:col. */
bool vm_wat_lex(const char *src, size_t len, wat_toks *out, vm_error *err);
void vm_wat_toks_free(wat_toks *t);

/* Decodes a string token (validated by the lexer) into out, which must hold
 * at least tok->len bytes; returns the decoded length. */
size_t vm_wat_string(const char *src, const wat_tok *tok, uint8_t *out);

/* True when the bytes are well-formed UTF-8 (spec 6.3.3: names are strings
 * that denote valid Unicode). */
bool vm_wat_utf8_valid(const uint8_t *s, size_t n);

/* Literal parsing: results of the number parsers. */
typedef enum {
  WAT_NUM_OK,
  WAT_NUM_SYNTAX, /* not a number of that class (text error: the token is an
                     "unknown operator" in the reference interpreter) */
  WAT_NUM_RANGE,  /* well formed, but does not fit */
} wat_num_status;

/* u32 `nat` (indices, limits, lane indices); no sign allowed. */
wat_num_status vm_wat_nat(const char *s, size_t n, uint64_t max,
                          uint64_t *out);
/* An integer literal of `bits` (8, 16, 32 or 64) that may be written signed
 * (-2^(bits-1) ..) or unsigned (.. 2^bits-1); out holds the bits. */
wat_num_status vm_wat_int(const char *s, size_t n, unsigned bits,
                          uint64_t *out);
wat_num_status vm_wat_f32(const char *s, size_t n, uint32_t *out);
wat_num_status vm_wat_f64(const char *s, size_t n, uint64_t *out);

/* v128 shapes (spec 6.5.13), numbered like wast_shape in vm/wast.h:
 * i8x16 i16x8 i32x4 i64x2 f32x4 f64x2. Returns -1 for anything else. */
int vm_wat_shape(const char *s, size_t n);
int vm_wat_shape_lanes(int shape); /* 16, 8, 4, 2, 4, 2 */
/* One lane literal of the shape, written little endian at dst. */
wat_num_status vm_wat_lane(int shape, const char *s, size_t n, uint8_t *dst);

/* True when the atom text is a word the text format knows (an instruction
 * or a keyword), so that a misplaced one is an "unexpected token" rather
 * than an "unknown operator". */
bool vm_wat_is_keyword(const char *s, size_t n);

#endif
