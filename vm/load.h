/* Loading a module from bytes or a file, whichever form it is in: a binary
 * (starts with "\0asm") is decoded, anything else is parsed as text and
 * encoded first. Loading always validates (DESIGN.md decision 2). */
#ifndef FERRY_VM_LOAD_H
#define FERRY_VM_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/error.h"
#include "vm/module.h"

/* Reads a whole file into a malloc'ed buffer (NUL-terminated for text use;
 * the NUL is not counted in *size). */
bool vm_read_file(const char *path, uint8_t **data, size_t *size,
                  vm_error *err);

bool vm_is_binary(const uint8_t *bytes, size_t size);

/* Text or binary → decoded module, validated when `validate` is set. */
vm_module *vm_load(const uint8_t *bytes, size_t size, bool validate,
                   vm_error *err);
vm_module *vm_load_file(const char *path, bool validate, vm_error *err);

/* Text or binary → binary bytes (a copy for binaries), not decoded. */
bool vm_to_binary(const uint8_t *bytes, size_t size, uint8_t **out,
                  size_t *out_size, vm_error *err);

#endif
