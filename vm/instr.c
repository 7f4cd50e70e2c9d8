#include "vm/instr.h"

#include <string.h>

/* A reserved memory-index byte: Wasm 2.0 has one memory, encoded as a single
 * zero byte (spec 5.4.6), not as a LEB128. */
static bool read_zero_byte(vm_reader *r, uint32_t *out) {
  uint8_t b;
  size_t at = r->pos;
  if (!vm_read_u8(r, &b)) return false;
  if (b != 0) return vm_fail(r->err, VM_ERR_MALFORMED, at, "zero byte expected");
  *out = 0;
  return true;
}

/* memarg: alignment exponent then offset. Bit 6 of the alignment field would
 * announce a memory index (multi-memory); in Wasm 2.0 the exponent must be
 * below 32 (an exponent of 32 or more is malformed, align.wast; 31 is only
 * invalid). */
static bool read_memarg(vm_reader *r, vm_instr *in) {
  size_t at = r->pos;
  uint32_t align, offset;
  if (!vm_read_u32(r, &align)) return false;
  if (align >= 32)
    return vm_fail(r->err, VM_ERR_MALFORMED, at, "malformed memop flags");
  if (!vm_read_u32(r, &offset)) return false;
  in->a = align;
  in->b = 0;
  in->offset_imm = offset;
  return true;
}

static bool read_block_type(vm_reader *r, vm_instr *in) {
  size_t at = r->pos;
  uint8_t b;
  if (r->pos >= r->end) return vm_read_u8(r, &b); /* reports the eof */
  b = r->base[r->pos];
  switch (b) {
  case 0x40: case 0x7f: case 0x7e: case 0x7d: case 0x7c: case 0x7b:
  case 0x70: case 0x6f:
    r->pos++;
    in->block = -(int64_t)b;
    return true;
  default: {
    int64_t idx;
    if (!vm_read_s33(r, &idx)) return false;
    if (idx < 0)
      return vm_fail(r->err, VM_ERR_MALFORMED, at, "malformed block type");
    in->block = idx;
    return true;
  }
  }
}

/* The opcode after a 0xFC or 0xFD prefix byte, or -1. */
static bool read_prefixed_op(vm_reader *r, uint8_t prefix, int *op) {
  uint32_t sub;
  if (!vm_read_u32(r, &sub)) return false;
  *op = prefix == 0xfc ? vm_op_from_fc(sub) : vm_op_from_fd(sub);
  return true;
}

bool vm_read_instr_slow(vm_reader *r, vm_instr *in) {
  in->offset = (uint32_t)r->pos;
  uint8_t byte;
  if (!vm_read_u8(r, &byte)) return false;
  /* The prefixes are not single-byte ops, so the common case is one lookup. */
  int op = vm_op_from_byte(byte);
  if (op < 0 && (byte == 0xfc || byte == 0xfd) &&
      !read_prefixed_op(r, byte, &op))
    return false;
  if (op < 0) return vm_fail(r->err, VM_ERR_MALFORMED, in->offset, "illegal opcode");
  in->op = (uint16_t)op;

  const vm_opinfo *info = &vm_opinfo_table[op];
  switch ((vm_imm_kind)info->imm) {
  case VM_IMM_NONE:
    return true;
  case VM_IMM_BLOCK:
    return read_block_type(r, in);
  case VM_IMM_LABEL: case VM_IMM_FUNC: case VM_IMM_LOCAL: case VM_IMM_GLOBAL:
  case VM_IMM_TABLE: case VM_IMM_ELEM: case VM_IMM_DATA:
    return vm_read_u32(r, &in->a);
  case VM_IMM_BR_TABLE: {
    if (!vm_read_count(r, 1, &in->a)) return false;
    in->targets_offset = (uint32_t)r->pos;
    uint32_t label;
    for (uint32_t i = 0; i < in->a; i++)
      if (!vm_read_u32(r, &label)) return false;
    return vm_read_u32(r, &in->b);
  }
  case VM_IMM_CALL_INDIRECT:
    return vm_read_u32(r, &in->a) && vm_read_u32(r, &in->b);
  case VM_IMM_MEMARG:
    return read_memarg(r, in);
  case VM_IMM_MEMARG_LANE:
    return read_memarg(r, in) && vm_read_u8(r, &in->lane);
  case VM_IMM_MEMIDX:
    return read_zero_byte(r, &in->a);
  case VM_IMM_I32: {
    int32_t v;
    if (!vm_read_s32(r, &v)) return false;
    in->i64 = v;
    return true;
  }
  case VM_IMM_I64:
    return vm_read_s64(r, &in->i64);
  case VM_IMM_F32: {
    uint32_t bits;
    if (!vm_read_f32(r, &bits)) return false;
    in->bits = bits;
    return true;
  }
  case VM_IMM_F64:
    return vm_read_f64(r, &in->bits);
  case VM_IMM_SELECT_T: {
    if (!vm_read_count(r, 1, &in->a)) return false;
    in->b = 0;
    for (uint32_t i = 0; i < in->a; i++) {
      uint8_t t;
      if (!vm_read_u8(r, &t)) return false;
      if (i == 0) in->b = t;
    }
    return true;
  }
  case VM_IMM_REFTYPE: {
    uint8_t t;
    size_t at = r->pos;
    if (!vm_read_u8(r, &t)) return false;
    if (t != 0x70 && t != 0x6f)
      return vm_fail(r->err, VM_ERR_MALFORMED, at, "malformed reference type");
    in->a = t;
    return true;
  }
  case VM_IMM_MEMORY_INIT:
    return vm_read_u32(r, &in->a) && read_zero_byte(r, &in->b);
  case VM_IMM_MEMORY_COPY:
    return read_zero_byte(r, &in->a) && read_zero_byte(r, &in->b);
  case VM_IMM_TABLE_INIT: case VM_IMM_TABLE_COPY:
    return vm_read_u32(r, &in->a) && vm_read_u32(r, &in->b);
  case VM_IMM_V128: case VM_IMM_SHUFFLE: {
    const uint8_t *p;
    if (!vm_read_bytes(r, 16, &p)) return false;
    memcpy(in->v128, p, 16);
    return true;
  }
  case VM_IMM_LANE:
    return vm_read_u8(r, &in->lane);
  }
  return vm_fail(r->err, VM_ERR_MALFORMED, in->offset, "illegal opcode");
}
