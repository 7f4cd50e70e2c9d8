/* The .wast script language of the spec test suite: parsing only. Running a
 * script (decode, validate, later instantiate and invoke) is the runner's job.
 * Text and quoted modules are kept as source text and encoded by the runner
 * with vm_wat_to_wasm, so that a module that fails to parse is reported by the
 * assertion that expects (or does not expect) that failure. */
#ifndef FERRY_VM_WAST_H
#define FERRY_VM_WAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/error.h"

/* v128 lane shapes of a `(v128.const SHAPE ...)` value. */
typedef enum {
  WAST_I8X16, WAST_I16X8, WAST_I32X4, WAST_I64X2, WAST_F32X4, WAST_F64X2
} wast_shape;

enum { WAST_NAN_NONE = 0, WAST_NAN_CANONICAL = 1, WAST_NAN_ARITHMETIC = 2 };

typedef struct {
  uint8_t type;    /* VM_I32, VM_I64, VM_F32, VM_F64, VM_V128, VM_FUNCREF,
                      VM_EXTERNREF (see vm/module.h) */
  uint8_t shape;   /* wast_shape, v128 only */
  uint8_t nan[16]; /* per lane (scalars use nan[0]); WAST_NAN_*; results only */
  bool is_null;    /* ref.null */
  bool any_ref;    /* `(ref.extern)` / `(ref.func)` without a number in a
                      result: any non-null reference matches */
  uint64_t bits;   /* i32/i64 value, f32/f64 bit pattern, extern ref number */
  uint8_t v128[16];/* v128 bytes, little endian lanes */
} wast_value;

typedef enum { WAST_INVOKE, WAST_GET } wast_action_kind;

typedef struct {
  wast_action_kind kind;
  char *module; /* "$name" of the target module, or NULL for the latest */
  char *name;   /* export name, decoded from its string literal */
  uint32_t name_len;
  uint32_t nargs;
  wast_value *args;
} wast_action;

typedef enum { WAST_FORM_TEXT, WAST_FORM_BINARY, WAST_FORM_QUOTE } wast_form;

typedef struct {
  wast_form form;
  char *id;       /* "$name" or NULL */
  char *data;     /* TEXT: the source of the whole `(module ...)` form;
                     QUOTE: the concatenated, decoded strings;
                     BINARY: the concatenated, decoded bytes */
  size_t size;
  int line;       /* line of `(module` in the script, to offset text errors */
} wast_module;

typedef enum {
  WAST_CMD_MODULE,
  WAST_CMD_REGISTER,      /* register: name = registered name, module = id */
  WAST_CMD_ACTION,        /* a bare invoke / get */
  WAST_CMD_ASSERT_RETURN,
  WAST_CMD_ASSERT_TRAP,   /* action, or a module when has_module */
  WAST_CMD_ASSERT_EXHAUSTION,
  WAST_CMD_ASSERT_MALFORMED,
  WAST_CMD_ASSERT_INVALID,
  WAST_CMD_ASSERT_UNLINKABLE,
  WAST_CMD_ASSERT_UNINSTANTIABLE,
} wast_cmd_kind;

typedef struct {
  wast_cmd_kind kind;
  int line; /* 1-based line of the command in the script */
  bool has_module;   /* assert_trap: on a module rather than an action */
  wast_module module;
  wast_action action;
  uint32_t nexpected; /* assert_return results */
  wast_value *expected;
  char *text;         /* expected failure message, or the registered name */
  char *register_module; /* register: the "$id" or NULL for the latest */
} wast_command;

typedef struct {
  size_t count;
  wast_command *cmds;
} wast_script;

/* Parses a whole script. Errors (VM_ERR_MALFORMED, line:col) are for the
 * script syntax itself, not for modules inside it. */
bool vm_wast_parse(const char *src, size_t len, wast_script *out,
                   vm_error *err);
void vm_wast_free(wast_script *s);

#endif
