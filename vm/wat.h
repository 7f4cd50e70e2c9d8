/* The text format (spec chapter 6): a WAT module becomes a binary module,
 * which the decoder then reads like any .wasm file. */
#ifndef FERRY_VM_WAT_H
#define FERRY_VM_WAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/error.h"

/* Parses `(module ...)` (optionally named) or a bare sequence of module
 * fields, and encodes it as a binary module in a malloc'ed buffer.
 * Errors are VM_ERR_MALFORMED with line:col (1-based) of the offending token
 * and the spec interpreter's wording ("unexpected token", "unknown operator",
 * "unknown label", "alignment", "constant out of range", ...).
 * When map is not NULL it receives where each instruction and field of the
 * binary came from (vm_srcmap_locate), for errors found after encoding;
 * free it with vm_srcmap_free. */
bool vm_wat_encode(const char *src, size_t len, uint8_t **out,
                   size_t *out_size, vm_srcmap *map, vm_error *err);
static inline bool vm_wat_to_wasm(const char *src, size_t len, uint8_t **out,
                                  size_t *out_size, vm_error *err) {
  return vm_wat_encode(src, len, out, out_size, NULL, err);
}

#endif
