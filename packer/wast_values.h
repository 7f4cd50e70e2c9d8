/* Script values (vm/wast.h) ↔ raw call slots (runtime/rt.h), and the spec
 * runner's result matching: exact bits, NaN patterns, v128 lanes, refs. */
#ifndef FERRY_PACKER_WAST_VALUES_H
#define FERRY_PACKER_WAST_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/wast.h"

/* Extern references are host values; `ref.extern N` is passed as N + 1 so
 * that ref.extern 0 is not the null reference. Funcrefs are rt_func*. */

/* Writes v to slots (1 slot, or 2 for v128); returns slots used. */
uint32_t wast_value_to_slots(const wast_value *v, uint64_t *slots);

/* Does the result of `type` held at slots match the expected value? */
bool wast_value_matches(const wast_value *expected, uint8_t type,
                        const uint64_t *slots);

/* Formats a result (type + slots) or an expected value, for failures. */
void wast_format_slots(uint8_t type, const uint64_t *slots, char *buf,
                       size_t size);
void wast_format_value(const wast_value *v, char *buf, size_t size);

#endif
