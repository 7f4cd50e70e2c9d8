/* The in-memory module: what the binary decoder produces (and the text parser,
 * by way of the binary it encodes), what the validator checks, and what every
 * engine instantiates.
 *
 * A module keeps its binary bytes alive: function bodies, constant
 * expressions and data segments are byte ranges into `bytes`, never copies.
 */
#ifndef FERRY_VM_MODULE_H
#define FERRY_VM_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/error.h"

/* Value types, by their binary encoding (spec 5.3.1 and 5.3.3). */
enum {
  VM_I32 = 0x7f,
  VM_I64 = 0x7e,
  VM_F32 = 0x7d,
  VM_F64 = 0x7c,
  VM_V128 = 0x7b,
  VM_FUNCREF = 0x70,
  VM_EXTERNREF = 0x6f,
};

/* External kinds (imports and exports), by their binary encoding. */
enum { VM_EXT_FUNC = 0, VM_EXT_TABLE = 1, VM_EXT_MEMORY = 2, VM_EXT_GLOBAL = 3 };

typedef struct {
  uint32_t nparams, nresults;
  uint8_t *types; /* nparams params, then nresults results */
} vm_functype;

typedef struct {
  uint64_t min, max;
  bool has_max;
  uint32_t offset; /* where the limits start, for error messages */
} vm_limits;

typedef struct {
  uint8_t elemtype; /* VM_FUNCREF or VM_EXTERNREF */
  vm_limits limits;
} vm_tabletype;

typedef struct {
  uint8_t type;
  bool mut;
} vm_globaltype;

/* A constant expression: a byte range of the module ending with `end`. */
typedef struct {
  uint32_t offset, size;
} vm_expr;

typedef struct {
  char *module, *name; /* NUL-terminated copies (valid UTF-8) */
  uint32_t module_len, name_len;
  uint32_t offset;     /* where the entry starts, for error messages */
  uint8_t kind;
  union {
    uint32_t func_type; /* type index */
    vm_tabletype table;
    vm_limits memory;
    vm_globaltype global;
  } desc;
} vm_import;

typedef struct {
  char *name;
  uint32_t name_len;
  uint32_t offset; /* where the entry starts, for error messages */
  uint8_t kind;
  uint32_t index;
} vm_export;

typedef struct {
  uint32_t count;
  uint8_t type;
} vm_local_run;

/* A function defined in the module (imports are not in this array). */
typedef struct {
  uint32_t type;         /* type index */
  uint32_t body_offset;  /* first instruction byte (after the local decls) */
  uint32_t body_size;    /* up to and including the final `end` */
  uint32_t code_offset;  /* the entry's size field, for error messages */
  uint32_t nlocal_runs;  /* local declarations as written (count, type) */
  vm_local_run *local_runs;
  uint32_t nlocals;      /* declared locals, not counting params */
} vm_func;

typedef struct {
  vm_globaltype type;
  vm_expr init;
} vm_global;

enum { VM_SEG_ACTIVE, VM_SEG_PASSIVE, VM_SEG_DECLARATIVE };

typedef struct {
  uint8_t mode;
  uint8_t type;   /* reference type of the items */
  uint32_t table; /* active only */
  vm_expr offset; /* active only */
  uint32_t count;
  /* Either function indices (when encoded as such) or expressions. */
  uint32_t *funcs;
  vm_expr *exprs;
  uint32_t offset_in_file; /* for error messages */
} vm_elem;

typedef struct {
  uint8_t mode;    /* VM_SEG_ACTIVE or VM_SEG_PASSIVE */
  uint32_t memory; /* active only */
  vm_expr offset;  /* active only */
  uint32_t init_offset, init_size;
} vm_data;

typedef struct {
  char *name;
  uint32_t name_len;
  uint32_t offset, size; /* the payload after the name */
} vm_custom;

/* One name from the name section's maps. */
typedef struct {
  uint32_t index;
  char *name;
} vm_name;

typedef struct {
  uint32_t func;
  uint32_t count;
  vm_name *names;
} vm_local_names;

typedef struct vm_module {
  uint8_t *bytes; /* the binary, owned */
  size_t size;

  uint32_t ntypes;
  vm_functype *types;

  uint32_t nimports;
  vm_import *imports;
  /* Counts of imported entities, which come first in each index space. */
  uint32_t nimported_funcs, nimported_tables, nimported_memories,
      nimported_globals;
  /* Import indices grouped by kind (funcs, tables, memories, globals), each
   * group in index order: the import for entity i of a kind in O(1). */
  uint32_t *import_by_kind;

  uint32_t nfuncs; /* defined functions */
  vm_func *funcs;

  uint32_t ntables;
  vm_tabletype *tables;
  uint32_t nmemories;
  vm_limits *memories;
  uint32_t nglobals;
  vm_global *globals;

  uint32_t nexports;
  vm_export *exports;

  bool has_start;
  uint32_t start;
  uint32_t start_offset; /* of the function index, for error messages */

  uint32_t nelems;
  vm_elem *elems;

  bool has_datacount;
  uint32_t datacount;
  uint32_t ndatas;
  vm_data *datas;

  uint32_t ncustoms;
  vm_custom *customs;

  /* From the "name" custom section, when present and well formed. */
  char *name;
  uint32_t nfunc_names;
  vm_name *func_names; /* sorted by index */
  uint32_t nlocal_names;
  vm_local_names *local_names;
} vm_module;

/* Decodes a binary module. On success returns a module owning a copy of the
 * bytes; on failure returns NULL and fills err (VM_ERR_MALFORMED). */
vm_module *vm_decode(const uint8_t *bytes, size_t size, vm_error *err);

/* Same, but takes ownership of a malloc'ed buffer (freed on failure too). */
vm_module *vm_decode_owned(uint8_t *bytes, size_t size, vm_error *err);

/* Same, for a module known to be valid (checked when it was packed, and
 * protected by a checksum since): function bodies are not walked for their
 * syntax, which is most of the decoding time. Every bounds check stays; a
 * malformed body then fails when it is compiled, never reads out of bounds.
 * The body-dependent check "data count section required" is skipped. */
vm_module *vm_decode_owned_trusted(uint8_t *bytes, size_t size,
                                   vm_error *err);

void vm_module_free(vm_module *m);

/* Whole index spaces (imports first). */
uint32_t vm_func_count(const vm_module *m);
uint32_t vm_table_count(const vm_module *m);
uint32_t vm_memory_count(const vm_module *m);
uint32_t vm_global_count(const vm_module *m);

/* Type index of function `idx` in the function index space. */
uint32_t vm_func_type_index(const vm_module *m, uint32_t idx);
const vm_functype *vm_func_type(const vm_module *m, uint32_t idx);
/* Type of table/memory/global `idx` in its index space. */
const vm_tabletype *vm_table_type(const vm_module *m, uint32_t idx);
const vm_limits *vm_memory_type(const vm_module *m, uint32_t idx);
const vm_globaltype *vm_global_type(const vm_module *m, uint32_t idx);

/* Name of function `idx` from the name section, or NULL. */
const char *vm_func_name(const vm_module *m, uint32_t idx);

const char *vm_valtype_name(uint8_t type);

#endif
