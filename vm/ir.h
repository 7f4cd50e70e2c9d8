/* The interpreter's register IR (DESIGN.md decision 3), shared by the
 * compiler (compile.c), the dispatch loop (interp.c) and the IR dump.
 *
 * A function compiles to one array of 64-bit words. An op is its handler
 * address followed by its operands: frame slot indices (a frame is
 * [params][locals][operand stack temps], each value one 8-byte slot, a v128
 * two), immediates, pointers resolved at compile time (globals, tables,
 * memories, callees) and absolute jump targets. Nothing is decoded at run
 * time: a handler reads ip[1..] and jumps to the next handler.
 *
 * Every op that produces a value has its destination slot in ip[1], so the
 * compiler can retarget the last op's destination to a local (local.set).
 */
#ifndef FERRY_VM_IR_H
#define FERRY_VM_IR_H

#include <stdint.h>

#include "runtime/rt.h"

typedef uint64_t ir_word;

/* ---- numeric op lists: NAME (wasm op), result type, operand type, C
 * expression over `a` (and `b`). Types: I32 I64 F32 F64 (see interp.c). */

/* Binary ops that also get a slot-immediate form (b constant). */
#define IR_BIN_IMM(X)                                                       \
  X(I32_ADD, I32, I32, a + b)                                               \
  X(I32_SUB, I32, I32, a - b)                                               \
  X(I32_MUL, I32, I32, a * b)                                               \
  X(I32_AND, I32, I32, a & b)                                               \
  X(I32_OR, I32, I32, a | b)                                                \
  X(I32_XOR, I32, I32, a ^ b)                                               \
  X(I32_SHL, I32, I32, vm_i32_shl(a, b))                                    \
  X(I32_SHR_S, I32, I32, vm_i32_shr_s(a, b))                                \
  X(I32_SHR_U, I32, I32, vm_i32_shr_u(a, b))                                \
  X(I32_ROTL, I32, I32, vm_i32_rotl(a, b))                                  \
  X(I32_ROTR, I32, I32, vm_i32_rotr(a, b))                                  \
  X(I64_ADD, I64, I64, a + b)                                               \
  X(I64_SUB, I64, I64, a - b)                                               \
  X(I64_MUL, I64, I64, a * b)                                               \
  X(I64_AND, I64, I64, a & b)                                               \
  X(I64_OR, I64, I64, a | b)                                                \
  X(I64_XOR, I64, I64, a ^ b)                                               \
  X(I64_SHL, I64, I64, vm_i64_shl(a, b))                                    \
  X(I64_SHR_S, I64, I64, vm_i64_shr_s(a, b))                                \
  X(I64_SHR_U, I64, I64, vm_i64_shr_u(a, b))                                \
  X(I64_ROTL, I64, I64, vm_i64_rotl(a, b))                                  \
  X(I64_ROTR, I64, I64, vm_i64_rotr(a, b))                                  \
  X(F32_ADD, F32, F32, a + b)                                               \
  X(F32_SUB, F32, F32, a - b)                                               \
  X(F32_MUL, F32, F32, a * b)                                               \
  X(F32_DIV, F32, F32, a / b)                                               \
  X(F64_ADD, F64, F64, a + b)                                               \
  X(F64_SUB, F64, F64, a - b)                                               \
  X(F64_MUL, F64, F64, a * b)                                               \
  X(F64_DIV, F64, F64, a / b)                                               \
  IR_CMPS(X)

/* Integer compares, in the order the compiler's negate/mirror tables use:
 * EQ NE LT_S LT_U GT_S GT_U LE_S LE_U GE_S GE_U, i32 then i64. They also get
 * fused compare-and-branch forms. */
#define IR_CMPS(X)                                                          \
  X(I32_EQ, I32, I32, a == b)                                               \
  X(I32_NE, I32, I32, a != b)                                               \
  X(I32_LT_S, I32, I32, (int32_t)a < (int32_t)b)                            \
  X(I32_LT_U, I32, I32, a < b)                                              \
  X(I32_GT_S, I32, I32, (int32_t)a > (int32_t)b)                            \
  X(I32_GT_U, I32, I32, a > b)                                              \
  X(I32_LE_S, I32, I32, (int32_t)a <= (int32_t)b)                           \
  X(I32_LE_U, I32, I32, a <= b)                                             \
  X(I32_GE_S, I32, I32, (int32_t)a >= (int32_t)b)                           \
  X(I32_GE_U, I32, I32, a >= b)                                             \
  X(I64_EQ, I32, I64, a == b)                                               \
  X(I64_NE, I32, I64, a != b)                                               \
  X(I64_LT_S, I32, I64, (int64_t)a < (int64_t)b)                            \
  X(I64_LT_U, I32, I64, a < b)                                              \
  X(I64_GT_S, I32, I64, (int64_t)a > (int64_t)b)                            \
  X(I64_GT_U, I32, I64, a > b)                                              \
  X(I64_LE_S, I32, I64, (int64_t)a <= (int64_t)b)                           \
  X(I64_LE_U, I32, I64, a <= b)                                             \
  X(I64_GE_S, I32, I64, (int64_t)a >= (int64_t)b)                           \
  X(I64_GE_U, I32, I64, a >= b)

/* Binary float ops (slot-slot only). */
#define IR_BIN(X)                                                           \
  X(F32_MIN, F32, F32, vm_f32_min(a, b))                                    \
  X(F32_MAX, F32, F32, vm_f32_max(a, b))                                    \
  X(F32_COPYSIGN, F32, F32, vm_f32_copysign(a, b))                          \
  X(F32_EQ, I32, F32, a == b)                                               \
  X(F32_NE, I32, F32, a != b)                                               \
  X(F32_LT, I32, F32, a < b)                                                \
  X(F32_GT, I32, F32, a > b)                                                \
  X(F32_LE, I32, F32, a <= b)                                               \
  X(F32_GE, I32, F32, a >= b)                                               \
  X(F64_MIN, F64, F64, vm_f64_min(a, b))                                    \
  X(F64_MAX, F64, F64, vm_f64_max(a, b))                                    \
  X(F64_COPYSIGN, F64, F64, vm_f64_copysign(a, b))                          \
  X(F64_EQ, I32, F64, a == b)                                               \
  X(F64_NE, I32, F64, a != b)                                               \
  X(F64_LT, I32, F64, a < b)                                                \
  X(F64_GT, I32, F64, a > b)                                                \
  X(F64_LE, I32, F64, a <= b)                                               \
  X(F64_GE, I32, F64, a >= b)

/* Binary ops that can trap: the helper returns a vm_num_trap. */
#define IR_BIN_TRAP(X)                                                      \
  X(I32_DIV_S, I32, I32, vm_i32_div_s)                                      \
  X(I32_DIV_U, I32, I32, vm_i32_div_u)                                      \
  X(I32_REM_S, I32, I32, vm_i32_rem_s)                                      \
  X(I32_REM_U, I32, I32, vm_i32_rem_u)                                      \
  X(I64_DIV_S, I64, I64, vm_i64_div_s)                                      \
  X(I64_DIV_U, I64, I64, vm_i64_div_u)                                      \
  X(I64_REM_S, I64, I64, vm_i64_rem_s)                                      \
  X(I64_REM_U, I64, I64, vm_i64_rem_u)

/* Unary ops. Reinterpretations are not here: they only retype a value. */
#define IR_UN(X)                                                            \
  X(I32_EQZ, I32, I32, a == 0)                                              \
  X(I32_CLZ, I32, I32, vm_i32_clz(a))                                       \
  X(I32_CTZ, I32, I32, vm_i32_ctz(a))                                       \
  X(I32_POPCNT, I32, I32, vm_i32_popcnt(a))                                 \
  X(I32_EXTEND8_S, I32, I32, vm_i32_extend8_s(a))                           \
  X(I32_EXTEND16_S, I32, I32, vm_i32_extend16_s(a))                         \
  X(I64_EQZ, I32, I64, a == 0)                                              \
  X(I64_CLZ, I64, I64, vm_i64_clz(a))                                       \
  X(I64_CTZ, I64, I64, vm_i64_ctz(a))                                       \
  X(I64_POPCNT, I64, I64, vm_i64_popcnt(a))                                 \
  X(I64_EXTEND8_S, I64, I64, vm_i64_extend8_s(a))                           \
  X(I64_EXTEND16_S, I64, I64, vm_i64_extend16_s(a))                         \
  X(I64_EXTEND32_S, I64, I64, vm_i64_extend32_s(a))                         \
  X(F32_ABS, F32, F32, vm_f32_abs(a))                                       \
  X(F32_NEG, F32, F32, vm_f32_neg(a))                                       \
  X(F32_CEIL, F32, F32, vm_f32_ceil(a))                                     \
  X(F32_FLOOR, F32, F32, vm_f32_floor(a))                                   \
  X(F32_TRUNC, F32, F32, vm_f32_trunc(a))                                   \
  X(F32_NEAREST, F32, F32, vm_f32_nearest(a))                               \
  X(F32_SQRT, F32, F32, sqrtf(a))                                           \
  X(F64_ABS, F64, F64, vm_f64_abs(a))                                       \
  X(F64_NEG, F64, F64, vm_f64_neg(a))                                       \
  X(F64_CEIL, F64, F64, vm_f64_ceil(a))                                     \
  X(F64_FLOOR, F64, F64, vm_f64_floor(a))                                   \
  X(F64_TRUNC, F64, F64, vm_f64_trunc(a))                                   \
  X(F64_NEAREST, F64, F64, vm_f64_nearest(a))                               \
  X(F64_SQRT, F64, F64, sqrt(a))                                            \
  X(I32_WRAP_I64, I32, I64, (uint32_t)a)                                    \
  X(I64_EXTEND_I32_S, I64, I32, vm_i64_extend32_s(a))                       \
  X(I64_EXTEND_I32_U, I64, I32, a)                                          \
  X(F32_CONVERT_I32_S, F32, I32, vm_f32_convert_s32(a))                     \
  X(F32_CONVERT_I32_U, F32, I32, vm_f32_convert_u32(a))                     \
  X(F32_CONVERT_I64_S, F32, I64, vm_f32_convert_s64(a))                     \
  X(F32_CONVERT_I64_U, F32, I64, vm_f32_convert_u64(a))                     \
  X(F32_DEMOTE_F64, F32, F64, vm_f32_demote_f64(a))                         \
  X(F64_CONVERT_I32_S, F64, I32, vm_f64_convert_s32(a))                     \
  X(F64_CONVERT_I32_U, F64, I32, vm_f64_convert_u32(a))                     \
  X(F64_CONVERT_I64_S, F64, I64, vm_f64_convert_s64(a))                     \
  X(F64_CONVERT_I64_U, F64, I64, vm_f64_convert_u64(a))                     \
  X(F64_PROMOTE_F32, F64, F32, vm_f64_promote_f32(a))                       \
  X(I32_TRUNC_SAT_F32_S, I32, F32, vm_i32_trunc_sat_f32_s(a))               \
  X(I32_TRUNC_SAT_F32_U, I32, F32, vm_i32_trunc_sat_f32_u(a))               \
  X(I32_TRUNC_SAT_F64_S, I32, F64, vm_i32_trunc_sat_f64_s(a))               \
  X(I32_TRUNC_SAT_F64_U, I32, F64, vm_i32_trunc_sat_f64_u(a))               \
  X(I64_TRUNC_SAT_F32_S, I64, F32, vm_i64_trunc_sat_f32_s(a))               \
  X(I64_TRUNC_SAT_F32_U, I64, F32, vm_i64_trunc_sat_f32_u(a))               \
  X(I64_TRUNC_SAT_F64_S, I64, F64, vm_i64_trunc_sat_f64_s(a))               \
  X(I64_TRUNC_SAT_F64_U, I64, F64, vm_i64_trunc_sat_f64_u(a))

/* Unary ops that can trap (float → int truncation). */
#define IR_UN_TRAP(X)                                                       \
  X(I32_TRUNC_F32_S, I32, F32, vm_i32_trunc_f32_s)                          \
  X(I32_TRUNC_F32_U, I32, F32, vm_i32_trunc_f32_u)                          \
  X(I32_TRUNC_F64_S, I32, F64, vm_i32_trunc_f64_s)                          \
  X(I32_TRUNC_F64_U, I32, F64, vm_i32_trunc_f64_u)                          \
  X(I64_TRUNC_F32_S, I64, F32, vm_i64_trunc_f32_s)                          \
  X(I64_TRUNC_F32_U, I64, F32, vm_i64_trunc_f32_u)                          \
  X(I64_TRUNC_F64_S, I64, F64, vm_i64_trunc_f64_s)                          \
  X(I64_TRUNC_F64_U, I64, F64, vm_i64_trunc_f64_u)

/* Loads: NAME, C type read from memory, result expression over `v`
 * (always a zero-extended 64-bit slot value). */
#define IR_LOADS(X)                                                         \
  X(I32_LOAD, uint32_t, v)                                                  \
  X(I64_LOAD, uint64_t, v)                                                  \
  X(F32_LOAD, uint32_t, v)                                                  \
  X(F64_LOAD, uint64_t, v)                                                  \
  X(I32_LOAD8_S, uint8_t, vm_i32_extend8_s(v))                              \
  X(I32_LOAD8_U, uint8_t, v)                                                \
  X(I32_LOAD16_S, uint16_t, vm_i32_extend16_s(v))                           \
  X(I32_LOAD16_U, uint16_t, v)                                              \
  X(I64_LOAD8_S, uint8_t, vm_i64_extend8_s(v))                              \
  X(I64_LOAD8_U, uint8_t, v)                                                \
  X(I64_LOAD16_S, uint16_t, vm_i64_extend16_s(v))                           \
  X(I64_LOAD16_U, uint16_t, v)                                              \
  X(I64_LOAD32_S, uint32_t, vm_i64_extend32_s(v))                           \
  X(I64_LOAD32_U, uint32_t, v)

/* Stores: NAME, C type written (the slot value truncated to it).
 *
 * Memory ops come in three forms: NAME [dst|addr][..][offset] with the
 * address in a slot; NAME_X with the address `slot + imm` computed in 32 bits
 * (an i32.add folded in, wrapping exactly as wasm does) — loads
 * [dst][slot][offset][imm], stores [slot][value][offset][imm]; NAME_A with a
 * constant address, the effective address precomputed — loads [dst][ea],
 * stores [ea][value]. */
#define IR_STORES(X)                                                        \
  X(I32_STORE, uint32_t)                                                    \
  X(I64_STORE, uint64_t)                                                    \
  X(F32_STORE, uint32_t)                                                    \
  X(F64_STORE, uint64_t)                                                    \
  X(I32_STORE8, uint8_t)                                                    \
  X(I32_STORE16, uint16_t)                                                  \
  X(I64_STORE8, uint8_t)                                                    \
  X(I64_STORE16, uint16_t)                                                  \
  X(I64_STORE32, uint32_t)

/* ---- the other ops: NAME, operand format for the dump.
 * Branches to a loop label (back-edges) have _LOOP twins (and the fused
 * compares BRL_ twins) that charge one unit of fuel when taken: a loop is
 * the only way to run long without calls, so charging there and at calls
 * bounds execution while straight-line code pays nothing. BR_TABLE always
 * charges (it may be a back-edge; it is rarely in the tightest loops). 
 * Format letters: d dst slot, s src slot, I 64-bit immediate, j jump target,
 * p pointer (global value, table, memory segment), f function, n count.
 * BR_TABLE is variable length: [idx][n][n+1 targets]. */
#define IR_FIXED(X)                                                         \
  X(UNREACHABLE, "")                                                        \
  X(ENTER, "sn")                                                            \
  X(CONST, "dI")                                                            \
  X(CONST2, "dII")                                                          \
  X(COPY, "ds")                                                             \
  X(COPY2, "ds")                                                            \
  X(BR, "j")                                                                \
  X(BR_Z, "sj")                                                             \
  X(BR_NZ, "sj")                                                            \
  X(BR_ANDZ, "sIj")                                                         \
  X(BR_ANDNZ, "sIj")                                                        \
  X(BR_LOOP, "j")                                                           \
  X(BR_Z_LOOP, "sj")                                                        \
  X(BR_NZ_LOOP, "sj")                                                       \
  X(BR_ANDZ_LOOP, "sIj")                                                    \
  X(BR_ANDNZ_LOOP, "sIj")                                                   \
  X(BR_TABLE, "sn")                                                         \
  X(RETURN, "")                                                             \
  X(RET1, "s")                                                              \
  X(CALL, "sf")                                                             \
  X(CALL_INTERP, "sf")                                                      \
  X(CALL_INDIRECT, "sspn")                                                  \
  X(EXIT, "")                                                               \
  X(SELECT, "dsss")                                                         \
  X(SELECT2, "dsss")                                                        \
  X(GLOBAL_GET, "dp")                                                       \
  X(GLOBAL_SET, "ps")                                                       \
  X(GLOBAL_GET2, "dp")                                                      \
  X(GLOBAL_SET2, "ps")                                                      \
  X(MEMORY_SIZE, "d")                                                       \
  X(MEMORY_GROW, "ds")                                                      \
  X(MEMORY_FILL, "sss")                                                     \
  X(MEMORY_COPY, "sss")                                                     \
  X(MEMORY_INIT, "sssp")                                                    \
  X(DATA_DROP, "p")                                                         \
  X(TABLE_GET, "dsp")                                                       \
  X(TABLE_SET, "ssp")                                                       \
  X(TABLE_SIZE, "dp")                                                       \
  X(TABLE_GROW, "dssp")                                                     \
  X(TABLE_FILL, "sssp")                                                     \
  X(TABLE_COPY, "ssspp")                                                    \
  X(TABLE_INIT, "ssspp")                                                    \
  X(ELEM_DROP, "p")                                                         \
  X(SIMD, "dfsssnII")                                                       \
  X(SIMD_LOAD, "dfsIsnI")                                                   \
  X(SIMD_STORE, "fssInI")

typedef enum {
#define IR_E_FIXED(n, f) IR_##n,
#define IR_E_IMM(n, r, t, e) IR_##n##_SS, IR_##n##_SI,
#define IR_E_ONE(n, ...) IR_##n,
#define IR_E_BR(n, r, t, e) IR_BR_##n##_SS, IR_BR_##n##_SI,
#define IR_E_BRL(n, r, t, e) IR_BRL_##n##_SS, IR_BRL_##n##_SI,
#define IR_E_X(n, ...) IR_##n##_X,
#define IR_E_A(n, ...) IR_##n##_A,
  IR_FIXED(IR_E_FIXED)
  IR_BIN_IMM(IR_E_IMM)
  IR_CMPS(IR_E_BR)
  IR_BIN(IR_E_ONE)
  IR_BIN_TRAP(IR_E_ONE)
  IR_UN(IR_E_ONE)
  IR_UN_TRAP(IR_E_ONE)
  IR_LOADS(IR_E_ONE)
  IR_STORES(IR_E_ONE)
  IR_LOADS(IR_E_X)
  IR_STORES(IR_E_X)
  IR_LOADS(IR_E_A)
  IR_STORES(IR_E_A)
  IR_CMPS(IR_E_BRL)
#undef IR_E_FIXED
#undef IR_E_BRL
#undef IR_E_IMM
#undef IR_E_ONE
#undef IR_E_BR
#undef IR_E_X
#undef IR_E_A
  IR_OP_COUNT
} ir_op;

/* Compiled code of one function: one malloc block, so the store frees it
 * with free(f->code). */
typedef struct ir_code {
  rt_func *func;
  rt_memory *mem;        /* memory 0 of the instance, or &no_mem */
  rt_memory no_mem;      /* an empty memory for modules without one */
  uint32_t frame_slots;  /* params + locals + temps */
  uint32_t param_slots, result_slots;
  uint32_t nwords;
  /* Tiered instances: ir[nwords .. nwords + 2 * nloops) lists the loops at
   * operand stack height 0 as pairs (ir index of the loop header, wasm
   * offset of the `loop`), where a running activation can move to
   * compiled code (rt_osr). */
  uint32_t nloops;
  ir_word ir[];
} ir_code;

/* A frame record of the interpreter's call stack: where to continue in the
 * caller. The record of an activation's entry holds code == NULL and
 * ret_ip pointing at an EXIT op. */
typedef struct {
  const ir_word *ret_ip;
  uint64_t *fp;
  ir_code *code;
} interp_frame;

/* ex->interp_stack. Frame records and slots live in one address-space
 * reservation that is committed on demand, so an entry costs nothing until
 * the stack is used, and exhaustion is a compare against the committed end
 * (the slow path commits more up to the fixed maximum, then traps). */
enum { INTERP_MAX_FRAMES = 1u << 17, INTERP_MAX_SLOTS = 4u << 20 };
typedef struct {
  uint64_t *slots_end;       /* committed end */
  interp_frame *frames_end;  /* committed end */
  uint64_t *slot_top;        /* where a nested activation starts */
  interp_frame *frame_top;
  /* The innermost running function and its frame-record top, updated at
   * calls, returns and activation entry/exit (never per instruction), so
   * that a trap the loop does not see (a guard-page fault, a host
   * function's rt_trap) still gets a wasm backtrace. */
  ir_code *live_code;
  interp_frame *live_frp;
  rt_store *store;           /* whose spare slot the stack goes back to */
  ir_word exit_ir[1];        /* the EXIT op that ends an activation */
  interp_frame *frames;      /* INTERP_MAX_FRAMES records */
  uint64_t *slots;           /* INTERP_MAX_SLOTS slots */
  void *region;
  size_t region_size;
} interp_stack;

/* interp.c: the handler address of every op (index: ir_op). */
const void *const *vm_interp_handlers(void);
/* compile.c: compiles f (validated, instantiated); NULL when out of memory. */
ir_code *vm_interp_compile(rt_func *f);

#endif
