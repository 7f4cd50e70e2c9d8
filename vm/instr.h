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
 * bad LEB128, non-zero reserved byte, ...) fail with the spec's message.
 * vm_read_instr is inline (below) for the shapes most instructions have;
 * every other shape and every error is read by vm_read_instr_slow. */
bool vm_read_instr_slow(vm_reader *r, vm_instr *in);

/* Block type helpers for vm_instr.block. */
#define VM_BLOCK_EMPTY (-0x40)

/* The fast shapes: a single-byte opcode with no immediate, an empty block
 * type, or one index, an i32 constant or a memarg whose LEB128s are each one
 * byte. */
static inline bool vm_read_instr(vm_reader *r, vm_instr *in) {
  size_t p = r->pos;
  if (r->end - p < 3) return vm_read_instr_slow(r, in);
  const uint8_t *b = r->base + p;
  const vm_byte_op *bo = &vm_op_by_byte[b[0]];
  if (!bo->op1) return vm_read_instr_slow(r, in);
  in->offset = (uint32_t)p;
  in->op = (uint16_t)(bo->op1 - 1);
  switch (bo->imm) {
  case VM_IMM_NONE:
    r->pos = p + 1;
    return true;
  case VM_IMM_BLOCK:
    if (b[1] != 0x40) break;
    in->block = VM_BLOCK_EMPTY;
    r->pos = p + 2;
    return true;
  case VM_IMM_LABEL: case VM_IMM_FUNC: case VM_IMM_LOCAL: case VM_IMM_GLOBAL:
    if (b[1] >= 0x80) break;
    in->a = b[1];
    r->pos = p + 2;
    return true;
  case VM_IMM_I32:
    if (b[1] >= 0x80) break;
    in->i64 = (int8_t)(b[1] << 1) >> 1; /* sign-extend bit 6 */
    r->pos = p + 2;
    return true;
  case VM_IMM_MEMARG:
    if (b[1] >= 32 || b[2] >= 0x80) break; /* see read_memarg (instr.c) */
    in->a = b[1];
    in->b = 0;
    in->offset_imm = b[2];
    r->pos = p + 3;
    return true;
  default:
    break;
  }
  return vm_read_instr_slow(r, in);
}

#endif
