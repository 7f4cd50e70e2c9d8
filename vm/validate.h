/* Module validation (spec chapter 3, algorithm of appendix "Validation
 * Algorithm"). Runs once per load, after vm_decode, before any engine sees
 * the module: engines may then assume well-typed code. */
#ifndef FERRY_VM_VALIDATE_H
#define FERRY_VM_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/error.h"
#include "vm/module.h"

/* Upper bound on the operand stack height of one function, in values. The
 * spec lets implementations limit this (appendix "Implementation
 * Limitations"); it bounds the validator's memory whatever the input. */
#define VM_MAX_OPERAND_STACK (1u << 20)

/* Validates the whole module. On failure fills err (VM_ERR_INVALID with the
 * reference interpreter's wording, VM_ERR_OOM when memory runs out) and
 * returns false. */
bool vm_validate(const vm_module *m, vm_error *err);

/* Same; when max_stack is not NULL it must hold m->nfuncs entries and
 * receives, for each defined function (imports excluded), the maximum
 * operand stack height in values (a v128 counts as one value), not counting
 * params and locals. Engines use it to size frames. */
bool vm_validate_ex(const vm_module *m, uint32_t *max_stack, vm_error *err);

#endif
