/* Reads one instruction (opcode and immediates) from a code body. Shared by
 * the decoder (which checks every body is well formed), the validator and the
 * disassembler, so the binary form of an instruction is read in one place. */
#ifndef FERRY_VM_INSTR_H
#define FERRY_VM_INSTR_H

#include <stdint.h>

#include "vm/opcodes.h"
#include "vm/reader.h"

typedef struct {
  uint16_t op;       /* vm_op */
  uint32_t offset;   /* byte offset of the opcode */
  /* Immediates, by vm_imm_kind:
   *   BLOCK:          blocktype in `block` (see below)
   *   LABEL, FUNC, LOCAL, GLOBAL, TABLE, ELEM, DATA, MEMIDX: a
   *   CALL_INDIRECT:  a = type index, b = table index
   *   BR_TABLE:       a = number of labels (not counting the default),
   *                   b = default label, targets_offset = first label LEB
   *   MEMARG:         a = alignment exponent, b = memory index (0),
   *                   offset = offset
   *   MEMARG_LANE:    as MEMARG, plus lane
   *   MEMORY_INIT:    a = data index, b = memory index
   *   MEMORY_COPY:    a = destination memory, b = source memory
   *   TABLE_INIT:     a = elem index, b = table index
   *   TABLE_COPY:     a = destination table, b = source table
   *   I32, I64:       i64 (sign-extended), F32/F64: bits
   *   SELECT_T:       a = number of types, b = first type
   *   REFTYPE:        a = the reference type byte
   *   V128, SHUFFLE:  v128
   *   LANE:           lane
   */
  uint32_t a, b;
  uint64_t offset_imm;
  int64_t i64;
  uint64_t bits;
  int64_t block; /* <0: -0x40 for empty, -(valtype) for one result;
                    >=0: a type index */
  uint32_t targets_offset;
  uint8_t lane;
  uint8_t v128[16];
} vm_instr;

/* Reads the instruction at r->pos. Malformed encodings (unknown opcode,
 * bad LEB128, non-zero reserved byte, ...) fail with the spec's message. */
bool vm_read_instr(vm_reader *r, vm_instr *in);

/* Block type helpers for vm_instr.block. */
#define VM_BLOCK_EMPTY (-0x40)

#endif
