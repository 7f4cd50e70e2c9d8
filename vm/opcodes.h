/* The one opcode table (DESIGN.md decision 1).
 *
 * Every instruction of Wasm 2.0 is listed exactly once, in one of three
 * X-macro lists keyed by its encoding: single-byte opcodes, the 0xFC prefix
 * (saturating truncation, bulk memory, table ops) and the 0xFD prefix (SIMD).
 * Each row is
 *
 *     X(SYM, "text name", code, IMM, SIG, ARG)
 *
 * SYM  names the enum constant VM_OP_SYM;
 * IMM  says which immediates follow the opcode in the binary (vm_imm_kind);
 * SIG  is the operand stack effect for instructions whose typing is fixed
 *      (SIG_<results>_<params>, letters i=i32 l=i64 f=f32 d=f64 v=v128,
 *      0 = nothing), or SPECIAL when the validator types it by hand;
 * ARG  is log2 of the natural alignment for memory accesses, the lane count
 *      for lane instructions, 0 otherwise.
 *
 * Decoder, validator, text parser, disassembler (and later the IR compiler and
 * the AOT emitter) are all generated from these rows.
 */
#ifndef FERRY_VM_OPCODES_H
#define FERRY_VM_OPCODES_H

#include <stdint.h>

#define VM_OPS_SINGLE(X)                                                    \
  X(UNREACHABLE, "unreachable", 0x00, NONE, SPECIAL, 0)                      \
  X(NOP, "nop", 0x01, NONE, 0_, 0)                                           \
  X(BLOCK, "block", 0x02, BLOCK, SPECIAL, 0)                                 \
  X(LOOP, "loop", 0x03, BLOCK, SPECIAL, 0)                                   \
  X(IF, "if", 0x04, BLOCK, SPECIAL, 0)                                       \
  X(ELSE, "else", 0x05, NONE, SPECIAL, 0)                                    \
  X(END, "end", 0x0b, NONE, SPECIAL, 0)                                      \
  X(BR, "br", 0x0c, LABEL, SPECIAL, 0)                                       \
  X(BR_IF, "br_if", 0x0d, LABEL, SPECIAL, 0)                                 \
  X(BR_TABLE, "br_table", 0x0e, BR_TABLE, SPECIAL, 0)                        \
  X(RETURN, "return", 0x0f, NONE, SPECIAL, 0)                                \
  X(CALL, "call", 0x10, FUNC, SPECIAL, 0)                                    \
  X(CALL_INDIRECT, "call_indirect", 0x11, CALL_INDIRECT, SPECIAL, 0)         \
  X(DROP, "drop", 0x1a, NONE, SPECIAL, 0)                                    \
  X(SELECT, "select", 0x1b, NONE, SPECIAL, 0)                                \
  X(SELECT_T, "select", 0x1c, SELECT_T, SPECIAL, 0)                          \
  X(LOCAL_GET, "local.get", 0x20, LOCAL, SPECIAL, 0)                         \
  X(LOCAL_SET, "local.set", 0x21, LOCAL, SPECIAL, 0)                         \
  X(LOCAL_TEE, "local.tee", 0x22, LOCAL, SPECIAL, 0)                         \
  X(GLOBAL_GET, "global.get", 0x23, GLOBAL, SPECIAL, 0)                      \
  X(GLOBAL_SET, "global.set", 0x24, GLOBAL, SPECIAL, 0)                      \
  X(TABLE_GET, "table.get", 0x25, TABLE, SPECIAL, 0)                         \
  X(TABLE_SET, "table.set", 0x26, TABLE, SPECIAL, 0)                         \
  X(I32_LOAD, "i32.load", 0x28, MEMARG, i_i, 2)                              \
  X(I64_LOAD, "i64.load", 0x29, MEMARG, l_i, 3)                              \
  X(F32_LOAD, "f32.load", 0x2a, MEMARG, f_i, 2)                              \
  X(F64_LOAD, "f64.load", 0x2b, MEMARG, d_i, 3)                              \
  X(I32_LOAD8_S, "i32.load8_s", 0x2c, MEMARG, i_i, 0)                        \
  X(I32_LOAD8_U, "i32.load8_u", 0x2d, MEMARG, i_i, 0)                        \
  X(I32_LOAD16_S, "i32.load16_s", 0x2e, MEMARG, i_i, 1)                      \
  X(I32_LOAD16_U, "i32.load16_u", 0x2f, MEMARG, i_i, 1)                      \
  X(I64_LOAD8_S, "i64.load8_s", 0x30, MEMARG, l_i, 0)                        \
  X(I64_LOAD8_U, "i64.load8_u", 0x31, MEMARG, l_i, 0)                        \
  X(I64_LOAD16_S, "i64.load16_s", 0x32, MEMARG, l_i, 1)                      \
  X(I64_LOAD16_U, "i64.load16_u", 0x33, MEMARG, l_i, 1)                      \
  X(I64_LOAD32_S, "i64.load32_s", 0x34, MEMARG, l_i, 2)                      \
  X(I64_LOAD32_U, "i64.load32_u", 0x35, MEMARG, l_i, 2)                      \
  X(I32_STORE, "i32.store", 0x36, MEMARG, 0_ii, 2)                           \
  X(I64_STORE, "i64.store", 0x37, MEMARG, 0_il, 3)                           \
  X(F32_STORE, "f32.store", 0x38, MEMARG, 0_if, 2)                           \
  X(F64_STORE, "f64.store", 0x39, MEMARG, 0_id, 3)                           \
  X(I32_STORE8, "i32.store8", 0x3a, MEMARG, 0_ii, 0)                         \
  X(I32_STORE16, "i32.store16", 0x3b, MEMARG, 0_ii, 1)                       \
  X(I64_STORE8, "i64.store8", 0x3c, MEMARG, 0_il, 0)                         \
  X(I64_STORE16, "i64.store16", 0x3d, MEMARG, 0_il, 1)                       \
  X(I64_STORE32, "i64.store32", 0x3e, MEMARG, 0_il, 2)                       \
  X(MEMORY_SIZE, "memory.size", 0x3f, MEMIDX, i_, 0)                         \
  X(MEMORY_GROW, "memory.grow", 0x40, MEMIDX, i_i, 0)                        \
  X(I32_CONST, "i32.const", 0x41, I32, i_, 0)                                \
  X(I64_CONST, "i64.const", 0x42, I64, l_, 0)                                \
  X(F32_CONST, "f32.const", 0x43, F32, f_, 0)                                \
  X(F64_CONST, "f64.const", 0x44, F64, d_, 0)                                \
  X(I32_EQZ, "i32.eqz", 0x45, NONE, i_i, 0)                                  \
  X(I32_EQ, "i32.eq", 0x46, NONE, i_ii, 0)                                   \
  X(I32_NE, "i32.ne", 0x47, NONE, i_ii, 0)                                   \
  X(I32_LT_S, "i32.lt_s", 0x48, NONE, i_ii, 0)                               \
  X(I32_LT_U, "i32.lt_u", 0x49, NONE, i_ii, 0)                               \
  X(I32_GT_S, "i32.gt_s", 0x4a, NONE, i_ii, 0)                               \
  X(I32_GT_U, "i32.gt_u", 0x4b, NONE, i_ii, 0)                               \
  X(I32_LE_S, "i32.le_s", 0x4c, NONE, i_ii, 0)                               \
  X(I32_LE_U, "i32.le_u", 0x4d, NONE, i_ii, 0)                               \
  X(I32_GE_S, "i32.ge_s", 0x4e, NONE, i_ii, 0)                               \
  X(I32_GE_U, "i32.ge_u", 0x4f, NONE, i_ii, 0)                               \
  X(I64_EQZ, "i64.eqz", 0x50, NONE, i_l, 0)                                  \
  X(I64_EQ, "i64.eq", 0x51, NONE, i_ll, 0)                                   \
  X(I64_NE, "i64.ne", 0x52, NONE, i_ll, 0)                                   \
  X(I64_LT_S, "i64.lt_s", 0x53, NONE, i_ll, 0)                               \
  X(I64_LT_U, "i64.lt_u", 0x54, NONE, i_ll, 0)                               \
  X(I64_GT_S, "i64.gt_s", 0x55, NONE, i_ll, 0)                               \
  X(I64_GT_U, "i64.gt_u", 0x56, NONE, i_ll, 0)                               \
  X(I64_LE_S, "i64.le_s", 0x57, NONE, i_ll, 0)                               \
  X(I64_LE_U, "i64.le_u", 0x58, NONE, i_ll, 0)                               \
  X(I64_GE_S, "i64.ge_s", 0x59, NONE, i_ll, 0)                               \
  X(I64_GE_U, "i64.ge_u", 0x5a, NONE, i_ll, 0)                               \
  X(F32_EQ, "f32.eq", 0x5b, NONE, i_ff, 0)                                   \
  X(F32_NE, "f32.ne", 0x5c, NONE, i_ff, 0)                                   \
  X(F32_LT, "f32.lt", 0x5d, NONE, i_ff, 0)                                   \
  X(F32_GT, "f32.gt", 0x5e, NONE, i_ff, 0)                                   \
  X(F32_LE, "f32.le", 0x5f, NONE, i_ff, 0)                                   \
  X(F32_GE, "f32.ge", 0x60, NONE, i_ff, 0)                                   \
  X(F64_EQ, "f64.eq", 0x61, NONE, i_dd, 0)                                   \
  X(F64_NE, "f64.ne", 0x62, NONE, i_dd, 0)                                   \
  X(F64_LT, "f64.lt", 0x63, NONE, i_dd, 0)                                   \
  X(F64_GT, "f64.gt", 0x64, NONE, i_dd, 0)                                   \
  X(F64_LE, "f64.le", 0x65, NONE, i_dd, 0)                                   \
  X(F64_GE, "f64.ge", 0x66, NONE, i_dd, 0)                                   \
  X(I32_CLZ, "i32.clz", 0x67, NONE, i_i, 0)                                  \
  X(I32_CTZ, "i32.ctz", 0x68, NONE, i_i, 0)                                  \
  X(I32_POPCNT, "i32.popcnt", 0x69, NONE, i_i, 0)                            \
  X(I32_ADD, "i32.add", 0x6a, NONE, i_ii, 0)                                 \
  X(I32_SUB, "i32.sub", 0x6b, NONE, i_ii, 0)                                 \
  X(I32_MUL, "i32.mul", 0x6c, NONE, i_ii, 0)                                 \
  X(I32_DIV_S, "i32.div_s", 0x6d, NONE, i_ii, 0)                             \
  X(I32_DIV_U, "i32.div_u", 0x6e, NONE, i_ii, 0)                             \
  X(I32_REM_S, "i32.rem_s", 0x6f, NONE, i_ii, 0)                             \
  X(I32_REM_U, "i32.rem_u", 0x70, NONE, i_ii, 0)                             \
  X(I32_AND, "i32.and", 0x71, NONE, i_ii, 0)                                 \
  X(I32_OR, "i32.or", 0x72, NONE, i_ii, 0)                                   \
  X(I32_XOR, "i32.xor", 0x73, NONE, i_ii, 0)                                 \
  X(I32_SHL, "i32.shl", 0x74, NONE, i_ii, 0)                                 \
  X(I32_SHR_S, "i32.shr_s", 0x75, NONE, i_ii, 0)                             \
  X(I32_SHR_U, "i32.shr_u", 0x76, NONE, i_ii, 0)                             \
  X(I32_ROTL, "i32.rotl", 0x77, NONE, i_ii, 0)                               \
  X(I32_ROTR, "i32.rotr", 0x78, NONE, i_ii, 0)                               \
  X(I64_CLZ, "i64.clz", 0x79, NONE, l_l, 0)                                  \
  X(I64_CTZ, "i64.ctz", 0x7a, NONE, l_l, 0)                                  \
  X(I64_POPCNT, "i64.popcnt", 0x7b, NONE, l_l, 0)                            \
  X(I64_ADD, "i64.add", 0x7c, NONE, l_ll, 0)                                 \
  X(I64_SUB, "i64.sub", 0x7d, NONE, l_ll, 0)                                 \
  X(I64_MUL, "i64.mul", 0x7e, NONE, l_ll, 0)                                 \
  X(I64_DIV_S, "i64.div_s", 0x7f, NONE, l_ll, 0)                             \
  X(I64_DIV_U, "i64.div_u", 0x80, NONE, l_ll, 0)                             \
  X(I64_REM_S, "i64.rem_s", 0x81, NONE, l_ll, 0)                             \
  X(I64_REM_U, "i64.rem_u", 0x82, NONE, l_ll, 0)                             \
  X(I64_AND, "i64.and", 0x83, NONE, l_ll, 0)                                 \
  X(I64_OR, "i64.or", 0x84, NONE, l_ll, 0)                                   \
  X(I64_XOR, "i64.xor", 0x85, NONE, l_ll, 0)                                 \
  X(I64_SHL, "i64.shl", 0x86, NONE, l_ll, 0)                                 \
  X(I64_SHR_S, "i64.shr_s", 0x87, NONE, l_ll, 0)                             \
  X(I64_SHR_U, "i64.shr_u", 0x88, NONE, l_ll, 0)                             \
  X(I64_ROTL, "i64.rotl", 0x89, NONE, l_ll, 0)                               \
  X(I64_ROTR, "i64.rotr", 0x8a, NONE, l_ll, 0)                               \
  X(F32_ABS, "f32.abs", 0x8b, NONE, f_f, 0)                                  \
  X(F32_NEG, "f32.neg", 0x8c, NONE, f_f, 0)                                  \
  X(F32_CEIL, "f32.ceil", 0x8d, NONE, f_f, 0)                                \
  X(F32_FLOOR, "f32.floor", 0x8e, NONE, f_f, 0)                              \
  X(F32_TRUNC, "f32.trunc", 0x8f, NONE, f_f, 0)                              \
  X(F32_NEAREST, "f32.nearest", 0x90, NONE, f_f, 0)                          \
  X(F32_SQRT, "f32.sqrt", 0x91, NONE, f_f, 0)                                \
  X(F32_ADD, "f32.add", 0x92, NONE, f_ff, 0)                                 \
  X(F32_SUB, "f32.sub", 0x93, NONE, f_ff, 0)                                 \
  X(F32_MUL, "f32.mul", 0x94, NONE, f_ff, 0)                                 \
  X(F32_DIV, "f32.div", 0x95, NONE, f_ff, 0)                                 \
  X(F32_MIN, "f32.min", 0x96, NONE, f_ff, 0)                                 \
  X(F32_MAX, "f32.max", 0x97, NONE, f_ff, 0)                                 \
  X(F32_COPYSIGN, "f32.copysign", 0x98, NONE, f_ff, 0)                       \
  X(F64_ABS, "f64.abs", 0x99, NONE, d_d, 0)                                  \
  X(F64_NEG, "f64.neg", 0x9a, NONE, d_d, 0)                                  \
  X(F64_CEIL, "f64.ceil", 0x9b, NONE, d_d, 0)                                \
  X(F64_FLOOR, "f64.floor", 0x9c, NONE, d_d, 0)                              \
  X(F64_TRUNC, "f64.trunc", 0x9d, NONE, d_d, 0)                              \
  X(F64_NEAREST, "f64.nearest", 0x9e, NONE, d_d, 0)                          \
  X(F64_SQRT, "f64.sqrt", 0x9f, NONE, d_d, 0)                                \
  X(F64_ADD, "f64.add", 0xa0, NONE, d_dd, 0)                                 \
  X(F64_SUB, "f64.sub", 0xa1, NONE, d_dd, 0)                                 \
  X(F64_MUL, "f64.mul", 0xa2, NONE, d_dd, 0)                                 \
  X(F64_DIV, "f64.div", 0xa3, NONE, d_dd, 0)                                 \
  X(F64_MIN, "f64.min", 0xa4, NONE, d_dd, 0)                                 \
  X(F64_MAX, "f64.max", 0xa5, NONE, d_dd, 0)                                 \
  X(F64_COPYSIGN, "f64.copysign", 0xa6, NONE, d_dd, 0)                       \
  X(I32_WRAP_I64, "i32.wrap_i64", 0xa7, NONE, i_l, 0)                        \
  X(I32_TRUNC_F32_S, "i32.trunc_f32_s", 0xa8, NONE, i_f, 0)                  \
  X(I32_TRUNC_F32_U, "i32.trunc_f32_u", 0xa9, NONE, i_f, 0)                  \
  X(I32_TRUNC_F64_S, "i32.trunc_f64_s", 0xaa, NONE, i_d, 0)                  \
  X(I32_TRUNC_F64_U, "i32.trunc_f64_u", 0xab, NONE, i_d, 0)                  \
  X(I64_EXTEND_I32_S, "i64.extend_i32_s", 0xac, NONE, l_i, 0)                \
  X(I64_EXTEND_I32_U, "i64.extend_i32_u", 0xad, NONE, l_i, 0)                \
  X(I64_TRUNC_F32_S, "i64.trunc_f32_s", 0xae, NONE, l_f, 0)                  \
  X(I64_TRUNC_F32_U, "i64.trunc_f32_u", 0xaf, NONE, l_f, 0)                  \
  X(I64_TRUNC_F64_S, "i64.trunc_f64_s", 0xb0, NONE, l_d, 0)                  \
  X(I64_TRUNC_F64_U, "i64.trunc_f64_u", 0xb1, NONE, l_d, 0)                  \
  X(F32_CONVERT_I32_S, "f32.convert_i32_s", 0xb2, NONE, f_i, 0)              \
  X(F32_CONVERT_I32_U, "f32.convert_i32_u", 0xb3, NONE, f_i, 0)              \
  X(F32_CONVERT_I64_S, "f32.convert_i64_s", 0xb4, NONE, f_l, 0)              \
  X(F32_CONVERT_I64_U, "f32.convert_i64_u", 0xb5, NONE, f_l, 0)              \
  X(F32_DEMOTE_F64, "f32.demote_f64", 0xb6, NONE, f_d, 0)                    \
  X(F64_CONVERT_I32_S, "f64.convert_i32_s", 0xb7, NONE, d_i, 0)              \
  X(F64_CONVERT_I32_U, "f64.convert_i32_u", 0xb8, NONE, d_i, 0)              \
  X(F64_CONVERT_I64_S, "f64.convert_i64_s", 0xb9, NONE, d_l, 0)              \
  X(F64_CONVERT_I64_U, "f64.convert_i64_u", 0xba, NONE, d_l, 0)              \
  X(F64_PROMOTE_F32, "f64.promote_f32", 0xbb, NONE, d_f, 0)                  \
  X(I32_REINTERPRET_F32, "i32.reinterpret_f32", 0xbc, NONE, i_f, 0)          \
  X(I64_REINTERPRET_F64, "i64.reinterpret_f64", 0xbd, NONE, l_d, 0)          \
  X(F32_REINTERPRET_I32, "f32.reinterpret_i32", 0xbe, NONE, f_i, 0)          \
  X(F64_REINTERPRET_I64, "f64.reinterpret_i64", 0xbf, NONE, d_l, 0)          \
  X(I32_EXTEND8_S, "i32.extend8_s", 0xc0, NONE, i_i, 0)                      \
  X(I32_EXTEND16_S, "i32.extend16_s", 0xc1, NONE, i_i, 0)                    \
  X(I64_EXTEND8_S, "i64.extend8_s", 0xc2, NONE, l_l, 0)                      \
  X(I64_EXTEND16_S, "i64.extend16_s", 0xc3, NONE, l_l, 0)                    \
  X(I64_EXTEND32_S, "i64.extend32_s", 0xc4, NONE, l_l, 0)                    \
  X(REF_NULL, "ref.null", 0xd0, REFTYPE, SPECIAL, 0)                         \
  X(REF_IS_NULL, "ref.is_null", 0xd1, NONE, SPECIAL, 0)                      \
  X(REF_FUNC, "ref.func", 0xd2, FUNC, SPECIAL, 0)

/* 0xFC prefix: the sub-opcode is a u32 LEB128. */
#define VM_OPS_FC(X)                                                        \
  X(I32_TRUNC_SAT_F32_S, "i32.trunc_sat_f32_s", 0, NONE, i_f, 0)             \
  X(I32_TRUNC_SAT_F32_U, "i32.trunc_sat_f32_u", 1, NONE, i_f, 0)             \
  X(I32_TRUNC_SAT_F64_S, "i32.trunc_sat_f64_s", 2, NONE, i_d, 0)             \
  X(I32_TRUNC_SAT_F64_U, "i32.trunc_sat_f64_u", 3, NONE, i_d, 0)             \
  X(I64_TRUNC_SAT_F32_S, "i64.trunc_sat_f32_s", 4, NONE, l_f, 0)             \
  X(I64_TRUNC_SAT_F32_U, "i64.trunc_sat_f32_u", 5, NONE, l_f, 0)             \
  X(I64_TRUNC_SAT_F64_S, "i64.trunc_sat_f64_s", 6, NONE, l_d, 0)             \
  X(I64_TRUNC_SAT_F64_U, "i64.trunc_sat_f64_u", 7, NONE, l_d, 0)             \
  X(MEMORY_INIT, "memory.init", 8, MEMORY_INIT, 0_iii, 0)                    \
  X(DATA_DROP, "data.drop", 9, DATA, 0_, 0)                                  \
  X(MEMORY_COPY, "memory.copy", 10, MEMORY_COPY, 0_iii, 0)                   \
  X(MEMORY_FILL, "memory.fill", 11, MEMIDX, 0_iii, 0)                        \
  X(TABLE_INIT, "table.init", 12, TABLE_INIT, 0_iii, 0)                      \
  X(ELEM_DROP, "elem.drop", 13, ELEM, 0_, 0)                                 \
  X(TABLE_COPY, "table.copy", 14, TABLE_COPY, 0_iii, 0)                      \
  X(TABLE_GROW, "table.grow", 15, TABLE, SPECIAL, 0)                         \
  X(TABLE_SIZE, "table.size", 16, TABLE, i_, 0)                              \
  X(TABLE_FILL, "table.fill", 17, TABLE, SPECIAL, 0)

/* 0xFD prefix (fixed-width SIMD): the sub-opcode is a u32 LEB128. */
#define VM_OPS_FD(X)                                                        \
  X(V128_LOAD, "v128.load", 0x00, MEMARG, v_i, 4)                            \
  X(V128_LOAD8X8_S, "v128.load8x8_s", 0x01, MEMARG, v_i, 3)                  \
  X(V128_LOAD8X8_U, "v128.load8x8_u", 0x02, MEMARG, v_i, 3)                  \
  X(V128_LOAD16X4_S, "v128.load16x4_s", 0x03, MEMARG, v_i, 3)                \
  X(V128_LOAD16X4_U, "v128.load16x4_u", 0x04, MEMARG, v_i, 3)                \
  X(V128_LOAD32X2_S, "v128.load32x2_s", 0x05, MEMARG, v_i, 3)                \
  X(V128_LOAD32X2_U, "v128.load32x2_u", 0x06, MEMARG, v_i, 3)                \
  X(V128_LOAD8_SPLAT, "v128.load8_splat", 0x07, MEMARG, v_i, 0)              \
  X(V128_LOAD16_SPLAT, "v128.load16_splat", 0x08, MEMARG, v_i, 1)            \
  X(V128_LOAD32_SPLAT, "v128.load32_splat", 0x09, MEMARG, v_i, 2)            \
  X(V128_LOAD64_SPLAT, "v128.load64_splat", 0x0a, MEMARG, v_i, 3)            \
  X(V128_STORE, "v128.store", 0x0b, MEMARG, 0_iv, 4)                         \
  X(V128_CONST, "v128.const", 0x0c, V128, v_, 0)                             \
  X(I8X16_SHUFFLE, "i8x16.shuffle", 0x0d, SHUFFLE, v_vv, 0)                  \
  X(I8X16_SWIZZLE, "i8x16.swizzle", 0x0e, NONE, v_vv, 0)                     \
  X(I8X16_SPLAT, "i8x16.splat", 0x0f, NONE, v_i, 0)                          \
  X(I16X8_SPLAT, "i16x8.splat", 0x10, NONE, v_i, 0)                          \
  X(I32X4_SPLAT, "i32x4.splat", 0x11, NONE, v_i, 0)                          \
  X(I64X2_SPLAT, "i64x2.splat", 0x12, NONE, v_l, 0)                          \
  X(F32X4_SPLAT, "f32x4.splat", 0x13, NONE, v_f, 0)                          \
  X(F64X2_SPLAT, "f64x2.splat", 0x14, NONE, v_d, 0)                          \
  X(I8X16_EXTRACT_LANE_S, "i8x16.extract_lane_s", 0x15, LANE, i_v, 16)       \
  X(I8X16_EXTRACT_LANE_U, "i8x16.extract_lane_u", 0x16, LANE, i_v, 16)       \
  X(I8X16_REPLACE_LANE, "i8x16.replace_lane", 0x17, LANE, v_vi, 16)          \
  X(I16X8_EXTRACT_LANE_S, "i16x8.extract_lane_s", 0x18, LANE, i_v, 8)        \
  X(I16X8_EXTRACT_LANE_U, "i16x8.extract_lane_u", 0x19, LANE, i_v, 8)        \
  X(I16X8_REPLACE_LANE, "i16x8.replace_lane", 0x1a, LANE, v_vi, 8)           \
  X(I32X4_EXTRACT_LANE, "i32x4.extract_lane", 0x1b, LANE, i_v, 4)            \
  X(I32X4_REPLACE_LANE, "i32x4.replace_lane", 0x1c, LANE, v_vi, 4)           \
  X(I64X2_EXTRACT_LANE, "i64x2.extract_lane", 0x1d, LANE, l_v, 2)            \
  X(I64X2_REPLACE_LANE, "i64x2.replace_lane", 0x1e, LANE, v_vl, 2)           \
  X(F32X4_EXTRACT_LANE, "f32x4.extract_lane", 0x1f, LANE, f_v, 4)            \
  X(F32X4_REPLACE_LANE, "f32x4.replace_lane", 0x20, LANE, v_vf, 4)           \
  X(F64X2_EXTRACT_LANE, "f64x2.extract_lane", 0x21, LANE, d_v, 2)            \
  X(F64X2_REPLACE_LANE, "f64x2.replace_lane", 0x22, LANE, v_vd, 2)           \
  X(I8X16_EQ, "i8x16.eq", 0x23, NONE, v_vv, 0)                               \
  X(I8X16_NE, "i8x16.ne", 0x24, NONE, v_vv, 0)                               \
  X(I8X16_LT_S, "i8x16.lt_s", 0x25, NONE, v_vv, 0)                           \
  X(I8X16_LT_U, "i8x16.lt_u", 0x26, NONE, v_vv, 0)                           \
  X(I8X16_GT_S, "i8x16.gt_s", 0x27, NONE, v_vv, 0)                           \
  X(I8X16_GT_U, "i8x16.gt_u", 0x28, NONE, v_vv, 0)                           \
  X(I8X16_LE_S, "i8x16.le_s", 0x29, NONE, v_vv, 0)                           \
  X(I8X16_LE_U, "i8x16.le_u", 0x2a, NONE, v_vv, 0)                           \
  X(I8X16_GE_S, "i8x16.ge_s", 0x2b, NONE, v_vv, 0)                           \
  X(I8X16_GE_U, "i8x16.ge_u", 0x2c, NONE, v_vv, 0)                           \
  X(I16X8_EQ, "i16x8.eq", 0x2d, NONE, v_vv, 0)                               \
  X(I16X8_NE, "i16x8.ne", 0x2e, NONE, v_vv, 0)                               \
  X(I16X8_LT_S, "i16x8.lt_s", 0x2f, NONE, v_vv, 0)                           \
  X(I16X8_LT_U, "i16x8.lt_u", 0x30, NONE, v_vv, 0)                           \
  X(I16X8_GT_S, "i16x8.gt_s", 0x31, NONE, v_vv, 0)                           \
  X(I16X8_GT_U, "i16x8.gt_u", 0x32, NONE, v_vv, 0)                           \
  X(I16X8_LE_S, "i16x8.le_s", 0x33, NONE, v_vv, 0)                           \
  X(I16X8_LE_U, "i16x8.le_u", 0x34, NONE, v_vv, 0)                           \
  X(I16X8_GE_S, "i16x8.ge_s", 0x35, NONE, v_vv, 0)                           \
  X(I16X8_GE_U, "i16x8.ge_u", 0x36, NONE, v_vv, 0)                           \
  X(I32X4_EQ, "i32x4.eq", 0x37, NONE, v_vv, 0)                               \
  X(I32X4_NE, "i32x4.ne", 0x38, NONE, v_vv, 0)                               \
  X(I32X4_LT_S, "i32x4.lt_s", 0x39, NONE, v_vv, 0)                           \
  X(I32X4_LT_U, "i32x4.lt_u", 0x3a, NONE, v_vv, 0)                           \
  X(I32X4_GT_S, "i32x4.gt_s", 0x3b, NONE, v_vv, 0)                           \
  X(I32X4_GT_U, "i32x4.gt_u", 0x3c, NONE, v_vv, 0)                           \
  X(I32X4_LE_S, "i32x4.le_s", 0x3d, NONE, v_vv, 0)                           \
  X(I32X4_LE_U, "i32x4.le_u", 0x3e, NONE, v_vv, 0)                           \
  X(I32X4_GE_S, "i32x4.ge_s", 0x3f, NONE, v_vv, 0)                           \
  X(I32X4_GE_U, "i32x4.ge_u", 0x40, NONE, v_vv, 0)                           \
  X(F32X4_EQ, "f32x4.eq", 0x41, NONE, v_vv, 0)                               \
  X(F32X4_NE, "f32x4.ne", 0x42, NONE, v_vv, 0)                               \
  X(F32X4_LT, "f32x4.lt", 0x43, NONE, v_vv, 0)                               \
  X(F32X4_GT, "f32x4.gt", 0x44, NONE, v_vv, 0)                               \
  X(F32X4_LE, "f32x4.le", 0x45, NONE, v_vv, 0)                               \
  X(F32X4_GE, "f32x4.ge", 0x46, NONE, v_vv, 0)                               \
  X(F64X2_EQ, "f64x2.eq", 0x47, NONE, v_vv, 0)                               \
  X(F64X2_NE, "f64x2.ne", 0x48, NONE, v_vv, 0)                               \
  X(F64X2_LT, "f64x2.lt", 0x49, NONE, v_vv, 0)                               \
  X(F64X2_GT, "f64x2.gt", 0x4a, NONE, v_vv, 0)                               \
  X(F64X2_LE, "f64x2.le", 0x4b, NONE, v_vv, 0)                               \
  X(F64X2_GE, "f64x2.ge", 0x4c, NONE, v_vv, 0)                               \
  X(V128_NOT, "v128.not", 0x4d, NONE, v_v, 0)                                \
  X(V128_AND, "v128.and", 0x4e, NONE, v_vv, 0)                               \
  X(V128_ANDNOT, "v128.andnot", 0x4f, NONE, v_vv, 0)                         \
  X(V128_OR, "v128.or", 0x50, NONE, v_vv, 0)                                 \
  X(V128_XOR, "v128.xor", 0x51, NONE, v_vv, 0)                               \
  X(V128_BITSELECT, "v128.bitselect", 0x52, NONE, v_vvv, 0)                  \
  X(V128_ANY_TRUE, "v128.any_true", 0x53, NONE, i_v, 0)                      \
  X(V128_LOAD8_LANE, "v128.load8_lane", 0x54, MEMARG_LANE, v_iv, 0)          \
  X(V128_LOAD16_LANE, "v128.load16_lane", 0x55, MEMARG_LANE, v_iv, 1)        \
  X(V128_LOAD32_LANE, "v128.load32_lane", 0x56, MEMARG_LANE, v_iv, 2)        \
  X(V128_LOAD64_LANE, "v128.load64_lane", 0x57, MEMARG_LANE, v_iv, 3)        \
  X(V128_STORE8_LANE, "v128.store8_lane", 0x58, MEMARG_LANE, 0_iv, 0)        \
  X(V128_STORE16_LANE, "v128.store16_lane", 0x59, MEMARG_LANE, 0_iv, 1)      \
  X(V128_STORE32_LANE, "v128.store32_lane", 0x5a, MEMARG_LANE, 0_iv, 2)      \
  X(V128_STORE64_LANE, "v128.store64_lane", 0x5b, MEMARG_LANE, 0_iv, 3)      \
  X(V128_LOAD32_ZERO, "v128.load32_zero", 0x5c, MEMARG, v_i, 2)              \
  X(V128_LOAD64_ZERO, "v128.load64_zero", 0x5d, MEMARG, v_i, 3)              \
  X(F32X4_DEMOTE_F64X2_ZERO, "f32x4.demote_f64x2_zero", 0x5e, NONE, v_v, 0)  \
  X(F64X2_PROMOTE_LOW_F32X4, "f64x2.promote_low_f32x4", 0x5f, NONE, v_v, 0)  \
  X(I8X16_ABS, "i8x16.abs", 0x60, NONE, v_v, 0)                              \
  X(I8X16_NEG, "i8x16.neg", 0x61, NONE, v_v, 0)                              \
  X(I8X16_POPCNT, "i8x16.popcnt", 0x62, NONE, v_v, 0)                        \
  X(I8X16_ALL_TRUE, "i8x16.all_true", 0x63, NONE, i_v, 0)                    \
  X(I8X16_BITMASK, "i8x16.bitmask", 0x64, NONE, i_v, 0)                      \
  X(I8X16_NARROW_I16X8_S, "i8x16.narrow_i16x8_s", 0x65, NONE, v_vv, 0)       \
  X(I8X16_NARROW_I16X8_U, "i8x16.narrow_i16x8_u", 0x66, NONE, v_vv, 0)       \
  X(F32X4_CEIL, "f32x4.ceil", 0x67, NONE, v_v, 0)                            \
  X(F32X4_FLOOR, "f32x4.floor", 0x68, NONE, v_v, 0)                          \
  X(F32X4_TRUNC, "f32x4.trunc", 0x69, NONE, v_v, 0)                          \
  X(F32X4_NEAREST, "f32x4.nearest", 0x6a, NONE, v_v, 0)                      \
  X(I8X16_SHL, "i8x16.shl", 0x6b, NONE, v_vi, 0)                             \
  X(I8X16_SHR_S, "i8x16.shr_s", 0x6c, NONE, v_vi, 0)                         \
  X(I8X16_SHR_U, "i8x16.shr_u", 0x6d, NONE, v_vi, 0)                         \
  X(I8X16_ADD, "i8x16.add", 0x6e, NONE, v_vv, 0)                             \
  X(I8X16_ADD_SAT_S, "i8x16.add_sat_s", 0x6f, NONE, v_vv, 0)                 \
  X(I8X16_ADD_SAT_U, "i8x16.add_sat_u", 0x70, NONE, v_vv, 0)                 \
  X(I8X16_SUB, "i8x16.sub", 0x71, NONE, v_vv, 0)                             \
  X(I8X16_SUB_SAT_S, "i8x16.sub_sat_s", 0x72, NONE, v_vv, 0)                 \
  X(I8X16_SUB_SAT_U, "i8x16.sub_sat_u", 0x73, NONE, v_vv, 0)                 \
  X(F64X2_CEIL, "f64x2.ceil", 0x74, NONE, v_v, 0)                            \
  X(F64X2_FLOOR, "f64x2.floor", 0x75, NONE, v_v, 0)                          \
  X(I8X16_MIN_S, "i8x16.min_s", 0x76, NONE, v_vv, 0)                         \
  X(I8X16_MIN_U, "i8x16.min_u", 0x77, NONE, v_vv, 0)                         \
  X(I8X16_MAX_S, "i8x16.max_s", 0x78, NONE, v_vv, 0)                         \
  X(I8X16_MAX_U, "i8x16.max_u", 0x79, NONE, v_vv, 0)                         \
  X(F64X2_TRUNC, "f64x2.trunc", 0x7a, NONE, v_v, 0)                          \
  X(I8X16_AVGR_U, "i8x16.avgr_u", 0x7b, NONE, v_vv, 0)                       \
  X(I16X8_EXTADD_PAIRWISE_I8X16_S, "i16x8.extadd_pairwise_i8x16_s", 0x7c,    \
    NONE, v_v, 0)                                                            \
  X(I16X8_EXTADD_PAIRWISE_I8X16_U, "i16x8.extadd_pairwise_i8x16_u", 0x7d,    \
    NONE, v_v, 0)                                                            \
  X(I32X4_EXTADD_PAIRWISE_I16X8_S, "i32x4.extadd_pairwise_i16x8_s", 0x7e,    \
    NONE, v_v, 0)                                                            \
  X(I32X4_EXTADD_PAIRWISE_I16X8_U, "i32x4.extadd_pairwise_i16x8_u", 0x7f,    \
    NONE, v_v, 0)                                                            \
  X(I16X8_ABS, "i16x8.abs", 0x80, NONE, v_v, 0)                              \
  X(I16X8_NEG, "i16x8.neg", 0x81, NONE, v_v, 0)                              \
  X(I16X8_Q15MULR_SAT_S, "i16x8.q15mulr_sat_s", 0x82, NONE, v_vv, 0)         \
  X(I16X8_ALL_TRUE, "i16x8.all_true", 0x83, NONE, i_v, 0)                    \
  X(I16X8_BITMASK, "i16x8.bitmask", 0x84, NONE, i_v, 0)                      \
  X(I16X8_NARROW_I32X4_S, "i16x8.narrow_i32x4_s", 0x85, NONE, v_vv, 0)       \
  X(I16X8_NARROW_I32X4_U, "i16x8.narrow_i32x4_u", 0x86, NONE, v_vv, 0)       \
  X(I16X8_EXTEND_LOW_I8X16_S, "i16x8.extend_low_i8x16_s", 0x87, NONE, v_v, 0)   \
  X(I16X8_EXTEND_HIGH_I8X16_S, "i16x8.extend_high_i8x16_s", 0x88, NONE, v_v, 0) \
  X(I16X8_EXTEND_LOW_I8X16_U, "i16x8.extend_low_i8x16_u", 0x89, NONE, v_v, 0)   \
  X(I16X8_EXTEND_HIGH_I8X16_U, "i16x8.extend_high_i8x16_u", 0x8a, NONE, v_v, 0) \
  X(I16X8_SHL, "i16x8.shl", 0x8b, NONE, v_vi, 0)                             \
  X(I16X8_SHR_S, "i16x8.shr_s", 0x8c, NONE, v_vi, 0)                         \
  X(I16X8_SHR_U, "i16x8.shr_u", 0x8d, NONE, v_vi, 0)                         \
  X(I16X8_ADD, "i16x8.add", 0x8e, NONE, v_vv, 0)                             \
  X(I16X8_ADD_SAT_S, "i16x8.add_sat_s", 0x8f, NONE, v_vv, 0)                 \
  X(I16X8_ADD_SAT_U, "i16x8.add_sat_u", 0x90, NONE, v_vv, 0)                 \
  X(I16X8_SUB, "i16x8.sub", 0x91, NONE, v_vv, 0)                             \
  X(I16X8_SUB_SAT_S, "i16x8.sub_sat_s", 0x92, NONE, v_vv, 0)                 \
  X(I16X8_SUB_SAT_U, "i16x8.sub_sat_u", 0x93, NONE, v_vv, 0)                 \
  X(F64X2_NEAREST, "f64x2.nearest", 0x94, NONE, v_v, 0)                      \
  X(I16X8_MUL, "i16x8.mul", 0x95, NONE, v_vv, 0)                             \
  X(I16X8_MIN_S, "i16x8.min_s", 0x96, NONE, v_vv, 0)                         \
  X(I16X8_MIN_U, "i16x8.min_u", 0x97, NONE, v_vv, 0)                         \
  X(I16X8_MAX_S, "i16x8.max_s", 0x98, NONE, v_vv, 0)                         \
  X(I16X8_MAX_U, "i16x8.max_u", 0x99, NONE, v_vv, 0)                         \
  X(I16X8_AVGR_U, "i16x8.avgr_u", 0x9b, NONE, v_vv, 0)                       \
  X(I16X8_EXTMUL_LOW_I8X16_S, "i16x8.extmul_low_i8x16_s", 0x9c, NONE, v_vv, 0)   \
  X(I16X8_EXTMUL_HIGH_I8X16_S, "i16x8.extmul_high_i8x16_s", 0x9d, NONE, v_vv, 0) \
  X(I16X8_EXTMUL_LOW_I8X16_U, "i16x8.extmul_low_i8x16_u", 0x9e, NONE, v_vv, 0)   \
  X(I16X8_EXTMUL_HIGH_I8X16_U, "i16x8.extmul_high_i8x16_u", 0x9f, NONE, v_vv, 0) \
  X(I32X4_ABS, "i32x4.abs", 0xa0, NONE, v_v, 0)                              \
  X(I32X4_NEG, "i32x4.neg", 0xa1, NONE, v_v, 0)                              \
  X(I32X4_ALL_TRUE, "i32x4.all_true", 0xa3, NONE, i_v, 0)                    \
  X(I32X4_BITMASK, "i32x4.bitmask", 0xa4, NONE, i_v, 0)                      \
  X(I32X4_EXTEND_LOW_I16X8_S, "i32x4.extend_low_i16x8_s", 0xa7, NONE, v_v, 0)   \
  X(I32X4_EXTEND_HIGH_I16X8_S, "i32x4.extend_high_i16x8_s", 0xa8, NONE, v_v, 0) \
  X(I32X4_EXTEND_LOW_I16X8_U, "i32x4.extend_low_i16x8_u", 0xa9, NONE, v_v, 0)   \
  X(I32X4_EXTEND_HIGH_I16X8_U, "i32x4.extend_high_i16x8_u", 0xaa, NONE, v_v, 0) \
  X(I32X4_SHL, "i32x4.shl", 0xab, NONE, v_vi, 0)                             \
  X(I32X4_SHR_S, "i32x4.shr_s", 0xac, NONE, v_vi, 0)                         \
  X(I32X4_SHR_U, "i32x4.shr_u", 0xad, NONE, v_vi, 0)                         \
  X(I32X4_ADD, "i32x4.add", 0xae, NONE, v_vv, 0)                             \
  X(I32X4_SUB, "i32x4.sub", 0xb1, NONE, v_vv, 0)                             \
  X(I32X4_MUL, "i32x4.mul", 0xb5, NONE, v_vv, 0)                             \
  X(I32X4_MIN_S, "i32x4.min_s", 0xb6, NONE, v_vv, 0)                         \
  X(I32X4_MIN_U, "i32x4.min_u", 0xb7, NONE, v_vv, 0)                         \
  X(I32X4_MAX_S, "i32x4.max_s", 0xb8, NONE, v_vv, 0)                         \
  X(I32X4_MAX_U, "i32x4.max_u", 0xb9, NONE, v_vv, 0)                         \
  X(I32X4_DOT_I16X8_S, "i32x4.dot_i16x8_s", 0xba, NONE, v_vv, 0)             \
  X(I32X4_EXTMUL_LOW_I16X8_S, "i32x4.extmul_low_i16x8_s", 0xbc, NONE, v_vv, 0)   \
  X(I32X4_EXTMUL_HIGH_I16X8_S, "i32x4.extmul_high_i16x8_s", 0xbd, NONE, v_vv, 0) \
  X(I32X4_EXTMUL_LOW_I16X8_U, "i32x4.extmul_low_i16x8_u", 0xbe, NONE, v_vv, 0)   \
  X(I32X4_EXTMUL_HIGH_I16X8_U, "i32x4.extmul_high_i16x8_u", 0xbf, NONE, v_vv, 0) \
  X(I64X2_ABS, "i64x2.abs", 0xc0, NONE, v_v, 0)                              \
  X(I64X2_NEG, "i64x2.neg", 0xc1, NONE, v_v, 0)                              \
  X(I64X2_ALL_TRUE, "i64x2.all_true", 0xc3, NONE, i_v, 0)                    \
  X(I64X2_BITMASK, "i64x2.bitmask", 0xc4, NONE, i_v, 0)                      \
  X(I64X2_EXTEND_LOW_I32X4_S, "i64x2.extend_low_i32x4_s", 0xc7, NONE, v_v, 0)   \
  X(I64X2_EXTEND_HIGH_I32X4_S, "i64x2.extend_high_i32x4_s", 0xc8, NONE, v_v, 0) \
  X(I64X2_EXTEND_LOW_I32X4_U, "i64x2.extend_low_i32x4_u", 0xc9, NONE, v_v, 0)   \
  X(I64X2_EXTEND_HIGH_I32X4_U, "i64x2.extend_high_i32x4_u", 0xca, NONE, v_v, 0) \
  X(I64X2_SHL, "i64x2.shl", 0xcb, NONE, v_vi, 0)                             \
  X(I64X2_SHR_S, "i64x2.shr_s", 0xcc, NONE, v_vi, 0)                         \
  X(I64X2_SHR_U, "i64x2.shr_u", 0xcd, NONE, v_vi, 0)                         \
  X(I64X2_ADD, "i64x2.add", 0xce, NONE, v_vv, 0)                             \
  X(I64X2_SUB, "i64x2.sub", 0xd1, NONE, v_vv, 0)                             \
  X(I64X2_MUL, "i64x2.mul", 0xd5, NONE, v_vv, 0)                             \
  X(I64X2_EQ, "i64x2.eq", 0xd6, NONE, v_vv, 0)                               \
  X(I64X2_NE, "i64x2.ne", 0xd7, NONE, v_vv, 0)                               \
  X(I64X2_LT_S, "i64x2.lt_s", 0xd8, NONE, v_vv, 0)                           \
  X(I64X2_GT_S, "i64x2.gt_s", 0xd9, NONE, v_vv, 0)                           \
  X(I64X2_LE_S, "i64x2.le_s", 0xda, NONE, v_vv, 0)                           \
  X(I64X2_GE_S, "i64x2.ge_s", 0xdb, NONE, v_vv, 0)                           \
  X(I64X2_EXTMUL_LOW_I32X4_S, "i64x2.extmul_low_i32x4_s", 0xdc, NONE, v_vv, 0)   \
  X(I64X2_EXTMUL_HIGH_I32X4_S, "i64x2.extmul_high_i32x4_s", 0xdd, NONE, v_vv, 0) \
  X(I64X2_EXTMUL_LOW_I32X4_U, "i64x2.extmul_low_i32x4_u", 0xde, NONE, v_vv, 0)   \
  X(I64X2_EXTMUL_HIGH_I32X4_U, "i64x2.extmul_high_i32x4_u", 0xdf, NONE, v_vv, 0) \
  X(F32X4_ABS, "f32x4.abs", 0xe0, NONE, v_v, 0)                              \
  X(F32X4_NEG, "f32x4.neg", 0xe1, NONE, v_v, 0)                              \
  X(F32X4_SQRT, "f32x4.sqrt", 0xe3, NONE, v_v, 0)                            \
  X(F32X4_ADD, "f32x4.add", 0xe4, NONE, v_vv, 0)                             \
  X(F32X4_SUB, "f32x4.sub", 0xe5, NONE, v_vv, 0)                             \
  X(F32X4_MUL, "f32x4.mul", 0xe6, NONE, v_vv, 0)                             \
  X(F32X4_DIV, "f32x4.div", 0xe7, NONE, v_vv, 0)                             \
  X(F32X4_MIN, "f32x4.min", 0xe8, NONE, v_vv, 0)                             \
  X(F32X4_MAX, "f32x4.max", 0xe9, NONE, v_vv, 0)                             \
  X(F32X4_PMIN, "f32x4.pmin", 0xea, NONE, v_vv, 0)                           \
  X(F32X4_PMAX, "f32x4.pmax", 0xeb, NONE, v_vv, 0)                           \
  X(F64X2_ABS, "f64x2.abs", 0xec, NONE, v_v, 0)                              \
  X(F64X2_NEG, "f64x2.neg", 0xed, NONE, v_v, 0)                              \
  X(F64X2_SQRT, "f64x2.sqrt", 0xef, NONE, v_v, 0)                            \
  X(F64X2_ADD, "f64x2.add", 0xf0, NONE, v_vv, 0)                             \
  X(F64X2_SUB, "f64x2.sub", 0xf1, NONE, v_vv, 0)                             \
  X(F64X2_MUL, "f64x2.mul", 0xf2, NONE, v_vv, 0)                             \
  X(F64X2_DIV, "f64x2.div", 0xf3, NONE, v_vv, 0)                             \
  X(F64X2_MIN, "f64x2.min", 0xf4, NONE, v_vv, 0)                             \
  X(F64X2_MAX, "f64x2.max", 0xf5, NONE, v_vv, 0)                             \
  X(F64X2_PMIN, "f64x2.pmin", 0xf6, NONE, v_vv, 0)                           \
  X(F64X2_PMAX, "f64x2.pmax", 0xf7, NONE, v_vv, 0)                           \
  X(I32X4_TRUNC_SAT_F32X4_S, "i32x4.trunc_sat_f32x4_s", 0xf8, NONE, v_v, 0)  \
  X(I32X4_TRUNC_SAT_F32X4_U, "i32x4.trunc_sat_f32x4_u", 0xf9, NONE, v_v, 0)  \
  X(F32X4_CONVERT_I32X4_S, "f32x4.convert_i32x4_s", 0xfa, NONE, v_v, 0)      \
  X(F32X4_CONVERT_I32X4_U, "f32x4.convert_i32x4_u", 0xfb, NONE, v_v, 0)      \
  X(I32X4_TRUNC_SAT_F64X2_S_ZERO, "i32x4.trunc_sat_f64x2_s_zero", 0xfc,      \
    NONE, v_v, 0)                                                            \
  X(I32X4_TRUNC_SAT_F64X2_U_ZERO, "i32x4.trunc_sat_f64x2_u_zero", 0xfd,      \
    NONE, v_v, 0)                                                            \
  X(F64X2_CONVERT_LOW_I32X4_S, "f64x2.convert_low_i32x4_s", 0xfe, NONE, v_v, 0) \
  X(F64X2_CONVERT_LOW_I32X4_U, "f64x2.convert_low_i32x4_u", 0xff, NONE, v_v, 0)

/* The opcode enum: single-byte ops first, then 0xFC, then 0xFD. */
typedef enum {
#define VM_OP_ENUM(sym, name, code, imm, sig, arg) VM_OP_##sym,
  VM_OPS_SINGLE(VM_OP_ENUM) VM_OPS_FC(VM_OP_ENUM) VM_OPS_FD(VM_OP_ENUM)
#undef VM_OP_ENUM
  VM_OP_COUNT
} vm_op;

/* Immediate shapes. */
typedef enum {
  VM_IMM_NONE,
  VM_IMM_BLOCK,         /* blocktype: 0x40, a value type, or a s33 type index */
  VM_IMM_LABEL,         /* labelidx */
  VM_IMM_BR_TABLE,      /* vec(labelidx) labelidx */
  VM_IMM_FUNC,          /* funcidx */
  VM_IMM_CALL_INDIRECT, /* typeidx tableidx */
  VM_IMM_LOCAL,         /* localidx */
  VM_IMM_GLOBAL,        /* globalidx */
  VM_IMM_TABLE,         /* tableidx */
  VM_IMM_MEMARG,        /* align offset */
  VM_IMM_MEMIDX,        /* a memory index (must be 0x00 in Wasm 2.0) */
  VM_IMM_I32,           /* i32 (signed LEB128) */
  VM_IMM_I64,           /* i64 (signed LEB128) */
  VM_IMM_F32,           /* 4 bytes little endian */
  VM_IMM_F64,           /* 8 bytes little endian */
  VM_IMM_SELECT_T,      /* vec(valtype) */
  VM_IMM_REFTYPE,       /* reftype */
  VM_IMM_ELEM,          /* elemidx */
  VM_IMM_DATA,          /* dataidx */
  VM_IMM_MEMORY_INIT,   /* dataidx memidx */
  VM_IMM_MEMORY_COPY,   /* memidx memidx */
  VM_IMM_TABLE_INIT,    /* elemidx tableidx */
  VM_IMM_TABLE_COPY,    /* tableidx tableidx */
  VM_IMM_V128,          /* 16 bytes */
  VM_IMM_SHUFFLE,       /* 16 lane indices, one byte each */
  VM_IMM_LANE,          /* one lane index byte */
  VM_IMM_MEMARG_LANE,   /* memarg, then one lane index byte */
} vm_imm_kind;

/* Fixed stack effects, one row per signature: X(result, p1, p2, p3), each a
 * letter (i=i32 l=i64 f=f32 d=f64 v=v128) or empty, 0 for no result. The
 * enum constant is named after them: VM_SIG_<result>_<params>, with the
 * params popped in push order, so X(i, l, l, ) is VM_SIG_i_ll. */
#define VM_SIGS(X)                                                          \
  X(0, , , ) X(0, i, i, ) X(0, i, l, ) X(0, i, f, ) X(0, i, d, )            \
  X(0, i, i, i) X(0, i, v, )                                                \
  X(i, , , ) X(l, , , ) X(f, , , ) X(d, , , ) X(v, , , )                    \
  X(i, i, , ) X(i, i, i, ) X(i, l, , ) X(i, l, l, ) X(i, f, , )             \
  X(i, f, f, ) X(i, d, , ) X(i, d, d, ) X(i, v, , )                         \
  X(l, i, , ) X(l, l, , ) X(l, l, l, ) X(l, f, , ) X(l, d, , ) X(l, v, , )  \
  X(f, i, , ) X(f, l, , ) X(f, f, , ) X(f, f, f, ) X(f, d, , ) X(f, v, , )  \
  X(d, i, , ) X(d, l, , ) X(d, f, , ) X(d, d, , ) X(d, d, d, ) X(d, v, , )  \
  X(v, i, , ) X(v, l, , ) X(v, f, , ) X(v, d, , ) X(v, v, , ) X(v, v, v, )  \
  X(v, v, v, v) X(v, v, i, ) X(v, v, l, ) X(v, v, f, ) X(v, v, d, )        \
  X(v, i, v, )

/* SPECIAL first: the validator types those instructions by hand. */
typedef enum {
  VM_SIG_SPECIAL,
#define VM_SIG_ENUM(r, a, b, c) VM_SIG_##r##_##a##b##c,
  VM_SIGS(VM_SIG_ENUM)
#undef VM_SIG_ENUM
  VM_SIG_COUNT
} vm_sig;

/* A signature's types as value type bytes (0 where there is none). */
typedef struct {
  uint8_t result;
  uint8_t nparams;
  uint8_t params[3]; /* push order */
} vm_sig_info;

extern const vm_sig_info vm_sig_table[VM_SIG_COUNT];

/* What the table says about one opcode. */
typedef struct {
  const char *name;  /* text format mnemonic */
  uint8_t prefix;    /* 0, 0xFC or 0xFD */
  uint8_t code;      /* byte, or sub-opcode for prefixed ops */
  uint8_t imm;       /* vm_imm_kind */
  uint8_t sig;       /* vm_sig */
  uint8_t arg;       /* log2 natural alignment, or lane count */
} vm_opinfo;

extern const vm_opinfo vm_opinfo_table[VM_OP_COUNT];

/* Encoding → opcode, or -1 when the byte (sub-opcode) is not an instruction.
 * The single-byte lookup is inline: it runs for every instruction read, and
 * its table holds the immediate kind too, so the common read is one load. */
typedef struct {
  uint16_t op1; /* op + 1, 0 when the byte is no single-byte opcode */
  uint8_t imm;  /* vm_imm_kind */
} vm_byte_op;
extern const vm_byte_op vm_op_by_byte[256];
static inline int vm_op_from_byte(uint8_t byte) {
  return (int)vm_op_by_byte[byte].op1 - 1;
}
int vm_op_from_fc(uint32_t sub);
int vm_op_from_fd(uint32_t sub);

/* The operand types and result of a fixed signature (vm_sig_table):
 * writes up to three param type bytes to params (push order) and returns
 * how many; *result is the result type byte or 0 for none. -1 for SPECIAL. */
int vm_sig_types(vm_sig sig, uint8_t params[3], uint8_t *result);

#endif
