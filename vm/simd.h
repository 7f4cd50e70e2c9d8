/* Semantics of every fixed-width SIMD instruction (the 0xFD rows of
 * opcodes.h; spec 4.4.3 "Vector Instructions" over the lanewise numerics of
 * 4.3), as one function per opcode that both the interpreter and the AOT code
 * call. Memory instructions are split: the engine does the bounds-checked
 * access, these functions do the lane transform.
 *
 * Lanes are stored little-endian (lane 0 = lowest address, spec 4.2.10), which
 * is the union's layout on every host ferry targets (x86-64, aarch64).
 */
#ifndef FERRY_VM_SIMD_H
#define FERRY_VM_SIMD_H

#include <stdint.h>

#include "vm/opcodes.h"

typedef union {
  uint8_t u8[16];
  int8_t i8[16];
  uint16_t u16[8];
  int16_t i16[8];
  uint32_t u32[4];
  int32_t i32[4];
  uint64_t u64[2];
  int64_t i64[2];
  float f32[4];
  double f64[2];
} vm_v128;

/* r = op(a, b, c; imm).
 *
 * Operands are the instruction's stack operands in push order: a is the
 * first (deepest), b the second, c the third. Unused operands and imm may be
 * NULL. r may alias any operand: every function computes into a temporary and
 * stores r last. The whole of *r is written (scalar results clear the rest).
 *
 * Scalars are raw bits in u64[0]: an i32 or f32 operand in the low 32 bits
 * (upper bits ignored), an i64 or f64 in all 64. Scalar results are written to
 * r->u64[0], i32/f32 zero-extended, and r->u64[1] = 0.
 *
 * Groups, by vm_sig / vm_imm_kind in opcodes.h:
 *   v_v, v_vv, v_vvv     a, b, c = vectors (v128.bitselect: c is the mask)
 *   v_i/v_l/v_f/v_d      splat: a->u64[0] = the scalar
 *   i_v                  any_true, all_true, bitmask: a = vector; r->u64[0] = 0/1 or mask
 *   LANE, [ilfd]_v       extract_lane: a = vector, imm[0] = lane; scalar result
 *   LANE, v_v[ilfd]      replace_lane: a = vector, b->u64[0] = scalar, imm[0] = lane
 *   v_vi (shifts)        a = vector, b->u64[0] = count (taken mod lane width)
 *   V128                 v128.const: imm[0..15] = the 16 bytes; r = them
 *   SHUFFLE              i8x16.shuffle: a, b = vectors, imm[0..15] = lane indices
 *
 * Memory, where the address operand's place is taken by memory bytes:
 *   v128.load*, load*_splat, load*_zero (v_i): the engine reads the N accessed
 *     bytes (16 for v128.load, 8 for loadMxN, N/8 for splat and zero) into
 *     a->u8[0..N-1]; the rest of a is ignored. r = the loaded vector.
 *   v128.loadN_lane (v_iv): a->u8[0..N/8-1] = the bytes read, b = the vector
 *     operand, imm[0] = lane; r = b with that lane replaced.
 *   v128.store (0_iv): b = the vector operand (a, the address, is unused);
 *     r = the 16 bytes to write (a copy of b).
 *   v128.storeN_lane (0_iv): b = the vector operand, imm[0] = lane; the engine
 *     writes r->u8[0..N/8-1] (lane imm[0] of b; the rest of r is zero).
 *
 * Lane indices are taken modulo the lane count (the validator already rejects
 * out-of-range ones; the mask only keeps a bad caller in bounds).
 */
typedef void (*vm_simd_fn)(vm_v128 *r, const vm_v128 *a, const vm_v128 *b,
                           const vm_v128 *c, const uint8_t *imm);

/* Indexed by vm_op; NULL for every non-SIMD opcode, non-NULL for every 0xFD
 * opcode (the table is generated from VM_OPS_FD, so it cannot miss one). */
extern const vm_simd_fn vm_simd_fns[VM_OP_COUNT];

#endif
