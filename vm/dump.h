/* Printing modules: the `ferry inspect` summary, and a canonical dump of the
 * whole decoded module (every entity and every instruction, no byte
 * offsets) so that two encodings of one module print the same text. */
#ifndef FERRY_VM_DUMP_H
#define FERRY_VM_DUMP_H

#include <stdio.h>

#include "vm/instr.h"
#include "vm/module.h"

void vm_dump_functype(FILE *out, const vm_functype *t);
/* One instruction: mnemonic and immediates, text-format style. */
void vm_dump_instr(FILE *out, const vm_module *m, const vm_instr *in);
void vm_dump_canonical(FILE *out, const vm_module *m);
void vm_dump_summary(FILE *out, const vm_module *m);

#endif
