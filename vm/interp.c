/* The dispatch loop (DESIGN.md decision 3): threaded code over the register
 * IR of vm/ir.h, with computed goto (GCC/clang labels-as-values).
 *
 * The hot state (ip, fp, the memory base) lives in locals of one function so
 * the compiler keeps it in registers. Handler bodies are written with the
 * OP/NEXT/JUMP macros only, so a tail-call build (one function per handler,
 * clang musttail) can be generated from the same text later.
 *
 * Calls between interpreted functions push a frame record and continue in
 * the same loop; the callee's frame starts at the caller's argument slots, so
 * arguments and results are never copied. Frames and frame records live in
 * ex->interp_stack with fixed limits: exhausting them is the trap "call stack
 * exhausted", whatever the native stack size.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/os.h"
#include "vm/interp.h"
#include "vm/ir.h"
#include "vm/numeric.h"
#include "vm/simd.h"

/* Slot access by value type. i32/f32 slots hold zero-extended bits (the raw
 * calling convention's rule), so a 32-bit read is a truncation. */
#define CT_I32 uint32_t
#define CT_I64 uint64_t
#define CT_F32 float
#define CT_F64 double
#define RD_I32(k) ((uint32_t)fp[k])
#define RD_I64(k) (fp[k])
#define RD_F32(k) vm_f32_from_bits((uint32_t)fp[k])
#define RD_F64(k) vm_f64_from_bits(fp[k])
#define IM_I32(w) ((uint32_t)(w))
#define IM_I64(w) ((uint64_t)(w))
#define IM_F32(w) vm_f32_from_bits((uint32_t)(w))
#define IM_F64(w) vm_f64_from_bits(w)
#define WR_I32(k, v) (fp[k] = (uint32_t)(v))
#define WR_I64(k, v) (fp[k] = (uint64_t)(v))
#define WR_F32(k, v) (fp[k] = vm_f32_bits(v))
#define WR_F64(k, v) (fp[k] = vm_f64_bits(v))

/* ---- dispatch macros ---- */
#define OP(name) L_##name:
#define DISPATCH() goto *(void *)(uintptr_t)ip[0]
#define NEXT(n)                                                              \
  do {                                                                       \
    ip += (n);                                                               \
    DISPATCH();                                                              \
  } while (0)
#define JUMP(target)                                                         \
  do {                                                                       \
    ip = (const ir_word *)(uintptr_t)(target);                               \
    DISPATCH();                                                              \
  } while (0)
#define TRAP(kind) trap_now(ex, st, code, frp, (kind))
/* Fuel (rt_store_set_fuel): charged at back-edges, calls and per 4 KiB of
 * bulk operations, never per instruction. The same counter runs down the
 * tiering budget (runtime/tier.c): when it goes negative, rt_fuel_out
 * either compiles the tiered instances and refills it, or says the fuel is
 * spent. After compiling, a back-edge moves the frame to compiled code
 * where its loop has an entry (on-stack replacement). */
#define CHARGE(units)                                                        \
  do {                                                                       \
    if ((*fuel -= (int64_t)(units)) < 0 && !rt_fuel_out(ex)) goto out_of_fuel; \
  } while (0)
#define BACK_EDGE(target)                                                    \
  do {                                                                       \
    if (--*fuel < 0) {                                                       \
      if (!rt_fuel_out(ex)) goto out_of_fuel;                                \
      if (osr(ex, st, code, frp, fp, (target))) goto do_return;              \
    }                                                                        \
    JUMP(target);                                                            \
  } while (0)
#define PTR(type, w) ((type)(uintptr_t)(w))

/* The memory base (and size) are cached; reload after anything that may
 * move or grow the memory: memory.grow, calls. */
#ifdef FERRY_BOUNDS_CHECK
#define RELOAD_MEM()                                                         \
  do {                                                                       \
    mb = mem->base;                                                          \
    msize = mem->size;                                                       \
  } while (0)
#define CHECKED(ea, expr, n)                                                 \
  uint64_t ea = (expr);                                                      \
  if (ea + (n) > msize) TRAP(RT_TRAP_MEMORY_OOB)
#else
#define RELOAD_MEM() (mb = mem->base)
/* No check: the runtime reserves 8 GiB + guard per memory, which covers any
 * u32 address plus u32 offset, and turns the fault into a trap. */
#define CHECKED(ea, expr, n) uint64_t ea = (expr)
#endif
/* A trapping store writes nothing (spec 4.4.7). A store split into parts
 * that runs past the end of memory would write its first parts before the
 * guard page faults; reading its last byte first faults before anything
 * is written. Scalar stores are single instructions except where the
 * compiler splits unaligned ones (GCC's generic RISC-V tuning: under qemu
 * memory_trap.wast caught it); SIMD stores go through memcpy everywhere. */
#ifdef FERRY_BOUNDS_CHECK
#define PROBE_LAST(p, n) ((void)0)
#else
#define PROBE_LAST(p, n) ((void)*(volatile const uint8_t *)((p) + (n) - 1))
#endif
#if defined(__riscv)
#define SCALAR_STORE_PROBE(p, n) PROBE_LAST(p, n)
#else
#define SCALAR_STORE_PROBE(p, n) ((void)0)
#endif

/* Effective address of a slot address plus offset (spec 4.4.7: computed
 * without wrapping, the u32 offset added to the u32 address). */
#define EFFECTIVE(ea, slot, off, n) CHECKED(ea, (uint64_t)RD_I32(slot) + (off), n)
/* Same with an i32.add of an immediate folded in: that add wraps. */
#define EFFECTIVE_X(ea, slot, imm, off, n)                                   \
  CHECKED(ea, (uint64_t)(uint32_t)(RD_I32(slot) + (uint32_t)(imm)) + (off), n)

static void fill_backtrace(rt_exec *ex, interp_stack *st, ir_code *code,
                           interp_frame *frp) {
  rt_trap_info *t = ex->trap;
  if (!t) return;
  uint32_t n = 0;
  if (code) {
    t->frames[n].inst = code->func->inst;
    t->frames[n].func = code->func->index;
    n++;
  }
  for (interp_frame *p = frp; p > st->frames && n < RT_MAX_BACKTRACE;) {
    p--;
    if (p->ret_ip == st->exit_ir) continue; /* an activation's entry */
    t->frames[n].inst = p->code->func->inst;
    t->frames[n].func = p->code->func->index;
    n++;
  }
  t->nframes = n;
}

static _Noreturn void trap_now(rt_exec *ex, interp_stack *st, ir_code *code,
                               interp_frame *frp, rt_trap_kind kind) {
  fill_backtrace(ex, st, code, frp);
  rt_trap(ex, kind);
}

/* Table traps name the element, as the reference interpreter does
 * ("uninitialized element 2"); the runner compares by prefix. */
static _Noreturn void trap_elem(rt_exec *ex, interp_stack *st, ir_code *code,
                                interp_frame *frp, rt_trap_kind kind,
                                uint32_t i) {
  char msg[64];
  snprintf(msg, sizeof msg, "%s %u", rt_trap_message(kind), i);
  fill_backtrace(ex, st, code, frp);
  rt_trap_msg(ex, kind, msg);
}

static bool stack_grow(interp_stack *st, const interp_frame *frp,
                       const uint64_t *top);

static rt_trap_kind num_trap(vm_num_trap t) {
  switch (t) {
  case VM_NUM_DIV_ZERO: return RT_TRAP_INT_DIV_ZERO;
  case VM_NUM_OVERFLOW: return RT_TRAP_INT_OVERFLOW;
  default: return RT_TRAP_INVALID_CONVERSION;
  }
}

static ir_code *ensure_code(rt_exec *ex, rt_func *f) {
  if (!f->code) {
    f->code = vm_interp_compile(f);
    if (!f->code) rt_trap_msg(ex, RT_TRAP_HOST, "interpreter: out of memory");
  }
  return f->code;
}

/* A back-edge to `target` after tiering: if the loop there has a compiled
 * entry, runs the rest of this activation in compiled code, which leaves
 * the results in fp[0..] as a return does. */
static bool osr(rt_exec *ex, interp_stack *st, ir_code *code,
                interp_frame *frp, uint64_t *fp, ir_word target) {
  const ir_word *loops = code->ir + code->nwords;
  uint64_t at = (const ir_word *)(uintptr_t)target - code->ir;
  for (uint32_t i = 0; i < code->nloops; i++) {
    if (loops[2 * i] != at) continue;
    /* As for a host call: what the compiled code re-enters stacks above. */
    st->slot_top = fp + code->frame_slots;
    st->frame_top = frp;
    return rt_osr(ex, code->func, fp, (uint32_t)loops[2 * i + 1]);
  }
  return false;
}

/* A SIMD operand of n slots (0: unused, 1: a scalar, 2: a vector). */
static inline void simd_in(vm_v128 *v, const uint64_t *fp, uint64_t slot,
                           uint64_t n) {
  v->u64[0] = n ? fp[slot] : 0;
  v->u64[1] = n == 2 ? fp[slot + 1] : 0;
}

static void run(rt_exec *ex, interp_stack *st, ir_code *code, uint64_t *fp,
                interp_frame *frp, const void *const **labels_out) {
  static const void *const labels[IR_OP_COUNT] = {
#define L_FIXED(n, f) [IR_##n] = &&L_##n,
#define L_IMM(n, r, t, e) [IR_##n##_SS] = &&L_##n##_SS, [IR_##n##_SI] = &&L_##n##_SI,
#define L_BR(n, r, t, e) [IR_BR_##n##_SS] = &&L_BR_##n##_SS, [IR_BR_##n##_SI] = &&L_BR_##n##_SI,
#define L_BRL(n, r, t, e) [IR_BRL_##n##_SS] = &&L_BRL_##n##_SS, [IR_BRL_##n##_SI] = &&L_BRL_##n##_SI,
#define L_ONE(n, ...) [IR_##n] = &&L_##n,
#define L_X(n, ...) [IR_##n##_X] = &&L_##n##_X,
#define L_A(n, ...) [IR_##n##_A] = &&L_##n##_A,
      IR_FIXED(L_FIXED) IR_BIN_IMM(L_IMM) IR_CMPS(L_BR) IR_BIN(L_ONE)
      IR_BIN_TRAP(L_ONE) IR_UN(L_ONE) IR_UN_TRAP(L_ONE) IR_LOADS(L_ONE)
      IR_STORES(L_ONE) IR_LOADS(L_X) IR_STORES(L_X) IR_LOADS(L_A)
      IR_STORES(L_A) IR_CMPS(L_BRL)
#undef L_BRL
#undef L_X
#undef L_A
#undef L_FIXED
#undef L_IMM
#undef L_BR
#undef L_ONE
  };
  if (labels_out) {
    *labels_out = labels;
    return;
  }
  const ir_word *ip = code->ir;
  rt_memory *mem = code->mem;
  int64_t *const fuel = ex->fuel;
  uint8_t *mb;
#ifdef FERRY_BOUNDS_CHECK
  uint64_t msize;
#endif
  RELOAD_MEM();
  rt_func *callee;
  uint64_t *nfp;
  const ir_word *ret_ip;
  DISPATCH();

  /* ---- generated numeric handlers ---- */
#define H_IMM(n, R, T, e)                                                    \
  OP(n##_SS) {                                                               \
    CT_##T a = RD_##T(ip[2]), b = RD_##T(ip[3]);                             \
    WR_##R(ip[1], e);                                                        \
    NEXT(4);                                                                 \
  }                                                                          \
  OP(n##_SI) {                                                               \
    CT_##T a = RD_##T(ip[2]), b = IM_##T(ip[3]);                             \
    WR_##R(ip[1], e);                                                        \
    NEXT(4);                                                                 \
  }
  IR_BIN_IMM(H_IMM)
#undef H_IMM

#define H_BR(n, R, T, e)                                                     \
  OP(BR_##n##_SS) {                                                          \
    CT_##T a = RD_##T(ip[1]), b = RD_##T(ip[2]);                             \
    if (e) JUMP(ip[3]);                                                      \
    NEXT(4);                                                                 \
  }                                                                          \
  OP(BR_##n##_SI) {                                                          \
    CT_##T a = RD_##T(ip[1]), b = IM_##T(ip[2]);                             \
    if (e) JUMP(ip[3]);                                                      \
    NEXT(4);                                                                 \
  }
  IR_CMPS(H_BR)
#undef H_BR

  /* The same as back-edges (see ir.h): charge fuel only when taken. */
#define H_BRL(n, R, T, e)                                                    \
  OP(BRL_##n##_SS) {                                                         \
    CT_##T a = RD_##T(ip[1]), b = RD_##T(ip[2]);                             \
    if (e) BACK_EDGE(ip[3]);                                                 \
    NEXT(4);                                                                 \
  }                                                                          \
  OP(BRL_##n##_SI) {                                                         \
    CT_##T a = RD_##T(ip[1]), b = IM_##T(ip[2]);                             \
    if (e) BACK_EDGE(ip[3]);                                                 \
    NEXT(4);                                                                 \
  }
  IR_CMPS(H_BRL)
#undef H_BRL

#define H_BIN(n, R, T, e)                                                    \
  OP(n) {                                                                    \
    CT_##T a = RD_##T(ip[2]), b = RD_##T(ip[3]);                             \
    WR_##R(ip[1], e);                                                        \
    NEXT(4);                                                                 \
  }
  IR_BIN(H_BIN)
#undef H_BIN

#define H_BIN_TRAP(n, R, T, fn)                                              \
  OP(n) {                                                                    \
    CT_##R r;                                                                \
    vm_num_trap t = fn(RD_##T(ip[2]), RD_##T(ip[3]), &r);                    \
    if (t != VM_NUM_OK) TRAP(num_trap(t));                                   \
    WR_##R(ip[1], r);                                                        \
    NEXT(4);                                                                 \
  }
  IR_BIN_TRAP(H_BIN_TRAP)
#undef H_BIN_TRAP

#define H_UN(n, R, T, e)                                                     \
  OP(n) {                                                                    \
    CT_##T a = RD_##T(ip[2]);                                                \
    WR_##R(ip[1], e);                                                        \
    NEXT(3);                                                                 \
  }
  IR_UN(H_UN)
#undef H_UN

#define H_UN_TRAP(n, R, T, fn)                                               \
  OP(n) {                                                                    \
    CT_##R r;                                                                \
    vm_num_trap t = fn(RD_##T(ip[2]), &r);                                   \
    if (t != VM_NUM_OK) TRAP(num_trap(t));                                   \
    WR_##R(ip[1], r);                                                        \
    NEXT(3);                                                                 \
  }
  IR_UN_TRAP(H_UN_TRAP)
#undef H_UN_TRAP

  /* Loads [dst][addr][offset], stores [addr][value][offset]: unaligned
   * accesses through memcpy, which compilers turn into single moves. */
#define H_LOAD(n, T, e)                                                      \
  OP(n) {                                                                    \
    EFFECTIVE(ea, ip[2], ip[3], sizeof(T));                                  \
    T v;                                                                     \
    memcpy(&v, mb + ea, sizeof v);                                           \
    fp[ip[1]] = (uint64_t)(e);                                               \
    NEXT(4);                                                                 \
  }
  IR_LOADS(H_LOAD)
#undef H_LOAD

#define H_LOAD_X(n, T, e)                                                    \
  OP(n##_X) {                                                                \
    EFFECTIVE_X(ea, ip[2], ip[4], ip[3], sizeof(T));                         \
    T v;                                                                     \
    memcpy(&v, mb + ea, sizeof v);                                           \
    fp[ip[1]] = (uint64_t)(e);                                               \
    NEXT(5);                                                                 \
  }
  IR_LOADS(H_LOAD_X)
#undef H_LOAD_X

#define H_LOAD_A(n, T, e)                                                    \
  OP(n##_A) {                                                                \
    CHECKED(ea, ip[2], sizeof(T));                                           \
    T v;                                                                     \
    memcpy(&v, mb + ea, sizeof v);                                           \
    fp[ip[1]] = (uint64_t)(e);                                               \
    NEXT(3);                                                                 \
  }
  IR_LOADS(H_LOAD_A)
#undef H_LOAD_A

#define H_STORE(n, T)                                                        \
  OP(n) {                                                                    \
    EFFECTIVE(ea, ip[1], ip[3], sizeof(T));                                  \
    T v = (T)fp[ip[2]];                                                      \
    SCALAR_STORE_PROBE(mb + ea, sizeof v);                                   \
    memcpy(mb + ea, &v, sizeof v);                                           \
    NEXT(4);                                                                 \
  }
  IR_STORES(H_STORE)
#undef H_STORE

#define H_STORE_X(n, T)                                                      \
  OP(n##_X) {                                                                \
    EFFECTIVE_X(ea, ip[1], ip[4], ip[3], sizeof(T));                         \
    T v = (T)fp[ip[2]];                                                      \
    SCALAR_STORE_PROBE(mb + ea, sizeof v);                                   \
    memcpy(mb + ea, &v, sizeof v);                                           \
    NEXT(5);                                                                 \
  }
  IR_STORES(H_STORE_X)
#undef H_STORE_X

#define H_STORE_A(n, T)                                                      \
  OP(n##_A) {                                                                \
    CHECKED(ea, ip[1], sizeof(T));                                           \
    T v = (T)fp[ip[2]];                                                      \
    SCALAR_STORE_PROBE(mb + ea, sizeof v);                                   \
    memcpy(mb + ea, &v, sizeof v);                                           \
    NEXT(3);                                                                 \
  }
  IR_STORES(H_STORE_A)
#undef H_STORE_A

  /* ---- control ---- */
  OP(UNREACHABLE) { TRAP(RT_TRAP_UNREACHABLE); }
  OP(ENTER) {
    memset(fp + ip[1], 0, ip[2] * sizeof(uint64_t));
    NEXT(3);
  }
  OP(CONST) {
    fp[ip[1]] = ip[2];
    NEXT(3);
  }
  OP(CONST2) {
    fp[ip[1]] = ip[2];
    fp[ip[1] + 1] = ip[3];
    NEXT(4);
  }
  OP(COPY) {
    fp[ip[1]] = fp[ip[2]];
    NEXT(3);
  }
  OP(COPY2) {
    uint64_t lo = fp[ip[2]], hi = fp[ip[2] + 1];
    fp[ip[1]] = lo;
    fp[ip[1] + 1] = hi;
    NEXT(3);
  }
  OP(BR) { JUMP(ip[1]); }
  OP(BR_Z) {
    if (fp[ip[1]] == 0) JUMP(ip[2]);
    NEXT(3);
  }
  OP(BR_NZ) {
    if (fp[ip[1]] != 0) JUMP(ip[2]);
    NEXT(3);
  }
  OP(BR_ANDZ) {
    if ((fp[ip[1]] & ip[2]) == 0) JUMP(ip[3]);
    NEXT(4);
  }
  OP(BR_ANDNZ) {
    if ((fp[ip[1]] & ip[2]) != 0) JUMP(ip[3]);
    NEXT(4);
  }
  OP(BR_LOOP) { BACK_EDGE(ip[1]); }
  OP(BR_Z_LOOP) {
    if (fp[ip[1]] == 0) BACK_EDGE(ip[2]);
    NEXT(3);
  }
  OP(BR_NZ_LOOP) {
    if (fp[ip[1]] != 0) BACK_EDGE(ip[2]);
    NEXT(3);
  }
  OP(BR_ANDZ_LOOP) {
    if ((fp[ip[1]] & ip[2]) == 0) BACK_EDGE(ip[3]);
    NEXT(4);
  }
  OP(BR_ANDNZ_LOOP) {
    if ((fp[ip[1]] & ip[2]) != 0) BACK_EDGE(ip[3]);
    NEXT(4);
  }
  OP(BR_TABLE) {
    CHARGE(1); /* any entry may be a back-edge */
    uint64_t i = RD_I32(ip[1]);
    if (i > ip[2]) i = ip[2]; /* the last entry is the default */
    JUMP(ip[3 + i]);
  }
  OP(RET1) {
    fp[0] = fp[ip[1]];
    goto do_return;
  }
  OP(RETURN) {
  do_return:
    frp--;
    ip = frp->ret_ip;
    fp = frp->fp;
    code = frp->code;
    st->live_code = code;
    st->live_frp = frp;
    mem = code->mem;
    RELOAD_MEM();
    DISPATCH();
  }
  OP(EXIT) { return; }
out_of_fuel:
  *fuel = 0; /* stays spent: every later charge traps too */
  TRAP(RT_TRAP_FUEL);
  OP(CALL) {
    callee = PTR(rt_func *, ip[2]);
    nfp = fp + ip[1];
    ret_ip = ip + 3;
    goto do_call;
  }
  /* The callee is known to be interpreted (fixed at instantiation). */
  OP(CALL_INTERP) {
    callee = PTR(rt_func *, ip[2]);
    nfp = fp + ip[1];
    ret_ip = ip + 3;
    goto interp_call;
  }
  OP(CALL_INDIRECT) {
    rt_table *t = PTR(rt_table *, ip[3]);
    uint32_t i = RD_I32(ip[2]);
    if (i >= t->size)
      trap_elem(ex, st, code, frp, RT_TRAP_UNDEFINED_ELEMENT, i);
    callee = PTR(rt_func *, t->elems[i]);
    if (!callee) trap_elem(ex, st, code, frp, RT_TRAP_UNINITIALIZED_ELEMENT, i);
    if (callee->type_id != (uint32_t)ip[4]) TRAP(RT_TRAP_INDIRECT_TYPE_MISMATCH);
    nfp = fp + ip[1];
    ret_ip = ip + 5;
    goto do_call;
  }
do_call:
  if (callee->entry == vm_interp_entry) {
  interp_call:;
    ir_code *cc = callee->code ? callee->code : ensure_code(ex, callee);
    CHARGE(1);
    if ((frp >= st->frames_end || nfp + cc->frame_slots > st->slots_end) &&
        !stack_grow(st, frp, nfp + cc->frame_slots))
      TRAP(RT_TRAP_STACK_EXHAUSTED);
    frp->ret_ip = ret_ip;
    frp->fp = fp;
    frp->code = code;
    frp++;
    st->live_code = cc;
    st->live_frp = frp;
    fp = nfp;
    code = cc;
    ip = cc->ir;
    mem = cc->mem;
    RELOAD_MEM();
    DISPATCH();
  }
  /* Host or compiled callee: it may re-enter the interpreter, which then
   * stacks its frames above ours. */
  st->slot_top = fp + code->frame_slots;
  st->frame_top = frp;
  callee->entry(ex, callee, nfp);
  RELOAD_MEM();
  ip = ret_ip;
  DISPATCH();

  OP(SELECT) {
    fp[ip[1]] = RD_I32(ip[4]) ? fp[ip[2]] : fp[ip[3]];
    NEXT(5);
  }
  OP(SELECT2) {
    uint64_t s = RD_I32(ip[4]) ? ip[2] : ip[3];
    uint64_t lo = fp[s], hi = fp[s + 1];
    fp[ip[1]] = lo;
    fp[ip[1] + 1] = hi;
    NEXT(5);
  }
  OP(GLOBAL_GET) {
    fp[ip[1]] = *PTR(const uint64_t *, ip[2]);
    NEXT(3);
  }
  OP(GLOBAL_SET) {
    *PTR(uint64_t *, ip[1]) = fp[ip[2]];
    NEXT(3);
  }
  OP(GLOBAL_GET2) {
    const uint64_t *g = PTR(const uint64_t *, ip[2]);
    fp[ip[1]] = g[0];
    fp[ip[1] + 1] = g[1];
    NEXT(3);
  }
  OP(GLOBAL_SET2) {
    uint64_t *g = PTR(uint64_t *, ip[1]);
    g[0] = fp[ip[2]];
    g[1] = fp[ip[2] + 1];
    NEXT(3);
  }

  /* ---- memory (spec 4.4.7): bulk ops check the whole range first, so a
   * failing one writes nothing; zero-length accesses at the end are fine. */
  OP(MEMORY_SIZE) {
    WR_I32(ip[1], mem->size / RT_PAGE_SIZE);
    NEXT(2);
  }
  OP(MEMORY_GROW) {
    int64_t r = rt_memory_grow(mem, RD_I32(ip[2]));
    WR_I32(ip[1], (uint32_t)r);
    RELOAD_MEM();
    NEXT(3);
  }
  OP(MEMORY_FILL) {
    uint64_t d = RD_I32(ip[1]), n = RD_I32(ip[3]);
    CHARGE(n >> 12);
    if (!rt_memory_in_bounds(mem, d, n)) TRAP(RT_TRAP_MEMORY_OOB);
    if (n) memset(mb + d, (int)(uint8_t)fp[ip[2]], n);
    NEXT(4);
  }
  OP(MEMORY_COPY) {
    uint64_t d = RD_I32(ip[1]), s = RD_I32(ip[2]), n = RD_I32(ip[3]);
    CHARGE(n >> 12);
    if (!rt_memory_in_bounds(mem, d, n) || !rt_memory_in_bounds(mem, s, n))
      TRAP(RT_TRAP_MEMORY_OOB);
    if (n) memmove(mb + d, mb + s, n);
    NEXT(4);
  }
  OP(MEMORY_INIT) {
    const rt_data_inst *seg = PTR(const rt_data_inst *, ip[4]);
    uint64_t d = RD_I32(ip[1]), s = RD_I32(ip[2]), n = RD_I32(ip[3]);
    uint64_t segsize = seg->bytes ? seg->size : 0;
    CHARGE(n >> 12);
    if (s > segsize || n > segsize - s || !rt_memory_in_bounds(mem, d, n))
      TRAP(RT_TRAP_MEMORY_OOB);
    if (n) memcpy(mb + d, seg->bytes + s, n);
    NEXT(5);
  }
  OP(DATA_DROP) {
    rt_data_inst *seg = PTR(rt_data_inst *, ip[1]);
    seg->bytes = NULL;
    seg->size = 0;
    NEXT(2);
  }

  /* ---- tables (spec 4.4.6) ---- */
  OP(TABLE_GET) {
    rt_table *t = PTR(rt_table *, ip[3]);
    uint32_t i = RD_I32(ip[2]);
    if (i >= t->size) TRAP(RT_TRAP_TABLE_OOB);
    fp[ip[1]] = t->elems[i];
    NEXT(4);
  }
  OP(TABLE_SET) {
    rt_table *t = PTR(rt_table *, ip[3]);
    uint32_t i = RD_I32(ip[1]);
    if (i >= t->size) TRAP(RT_TRAP_TABLE_OOB);
    t->elems[i] = (uintptr_t)fp[ip[2]];
    NEXT(4);
  }
  OP(TABLE_SIZE) {
    WR_I32(ip[1], PTR(rt_table *, ip[2])->size);
    NEXT(3);
  }
  OP(TABLE_GROW) {
    CHARGE(RD_I32(ip[3]) >> 9);
    int64_t r = rt_table_grow(PTR(rt_table *, ip[4]), RD_I32(ip[3]),
                              (uintptr_t)fp[ip[2]]);
    WR_I32(ip[1], (uint32_t)r);
    NEXT(5);
  }
  OP(TABLE_FILL) {
    rt_table *t = PTR(rt_table *, ip[4]);
    uint64_t i = RD_I32(ip[1]), n = RD_I32(ip[3]);
    CHARGE(n >> 9);
    if (i + n > t->size) TRAP(RT_TRAP_TABLE_OOB);
    for (uint64_t k = 0; k < n; k++) t->elems[i + k] = (uintptr_t)fp[ip[2]];
    NEXT(5);
  }
  OP(TABLE_COPY) {
    rt_table *dt = PTR(rt_table *, ip[4]), *stb = PTR(rt_table *, ip[5]);
    uint64_t d = RD_I32(ip[1]), s = RD_I32(ip[2]), n = RD_I32(ip[3]);
    CHARGE(n >> 9);
    if (d + n > dt->size || s + n > stb->size) TRAP(RT_TRAP_TABLE_OOB);
    if (n) memmove(dt->elems + d, stb->elems + s, n * sizeof(uintptr_t));
    NEXT(6);
  }
  OP(TABLE_INIT) {
    rt_table *t = PTR(rt_table *, ip[4]);
    const rt_elem_inst *seg = PTR(const rt_elem_inst *, ip[5]);
    uint64_t d = RD_I32(ip[1]), s = RD_I32(ip[2]), n = RD_I32(ip[3]);
    CHARGE(n >> 9);
    if (s + n > seg->count || d + n > t->size) TRAP(RT_TRAP_TABLE_OOB);
    if (n) memcpy(t->elems + d, seg->refs + s, n * sizeof(uintptr_t));
    NEXT(6);
  }
  OP(ELEM_DROP) {
    PTR(rt_elem_inst *, ip[1])->count = 0;
    NEXT(2);
  }

  /* ---- SIMD: vm_simd_fns does the lane work; here only slots and memory.
   * SIMD [dst][fn][a][b][c][shape][imm 16 bytes]; shape has 2 bits of slot
   * count per operand (a, b, c) and for the result (bits 6-7). */
  OP(SIMD) {
    vm_simd_fn fn = PTR(vm_simd_fn, ip[2]);
    uint64_t shape = ip[6];
    vm_v128 a, b, c, r;
    simd_in(&a, fp, ip[3], shape & 3);
    simd_in(&b, fp, ip[4], (shape >> 2) & 3);
    simd_in(&c, fp, ip[5], (shape >> 4) & 3);
    fn(&r, &a, &b, &c, (const uint8_t *)&ip[7]);
    fp[ip[1]] = r.u64[0];
    if ((shape >> 6) == 2) fp[ip[1] + 1] = r.u64[1];
    NEXT(9);
  }
  /* SIMD_LOAD [dst][fn][addr][offset][vector][size | 0x100 if vector][lane] */
  OP(SIMD_LOAD) {
    vm_simd_fn fn = PTR(vm_simd_fn, ip[2]);
    uint64_t size = ip[6] & 0xff;
    EFFECTIVE(ea, ip[3], ip[4], size);
    vm_v128 a, b, r;
    memset(&a, 0, sizeof a);
    memcpy(a.u8, mb + ea, size);
    simd_in(&b, fp, ip[5], (ip[6] & 0x100) ? 2 : 0);
    fn(&r, &a, &b, NULL, (const uint8_t *)&ip[7]);
    fp[ip[1]] = r.u64[0];
    fp[ip[1] + 1] = r.u64[1];
    NEXT(8);
  }
  /* SIMD_STORE [fn][addr][vector][offset][size][lane] */
  OP(SIMD_STORE) {
    vm_simd_fn fn = PTR(vm_simd_fn, ip[1]);
    uint64_t size = ip[5];
    EFFECTIVE(ea, ip[2], ip[4], size);
    vm_v128 b, r;
    simd_in(&b, fp, ip[3], 2);
    fn(&r, NULL, &b, NULL, (const uint8_t *)&ip[6]);
    PROBE_LAST(mb + ea, size);
    memcpy(mb + ea, r.u8, size);
    NEXT(7);
  }
}

const void *const *vm_interp_handlers(void) {
  const void *const *labels = NULL;
  run(NULL, NULL, NULL, NULL, NULL, &labels);
  return labels;
}

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

/* Commits enough of the reservation that frame record `frp` and slot `top`
 * exist. False when that is beyond the fixed maximum (or the OS refuses). */
static bool stack_grow(interp_stack *st, const interp_frame *frp,
                       const uint64_t *top) {
  enum { CHUNK = 1u << 20 };
  if (frp >= st->frames + INTERP_MAX_FRAMES ||
      top > st->slots + INTERP_MAX_SLOTS)
    return false;
  size_t page = os_page_size();
  if (frp >= st->frames_end) {
    size_t have = (size_t)((char *)st->frames_end - (char *)st->frames);
    size_t want = round_up(have + CHUNK, page);
    size_t max = round_up(INTERP_MAX_FRAMES * sizeof(interp_frame), page);
    if (want > max) want = max;
    if (!os_commit(st->frames, want)) return false;
    st->frames_end = st->frames + want / sizeof(interp_frame);
    if (st->frames_end > st->frames + INTERP_MAX_FRAMES)
      st->frames_end = st->frames + INTERP_MAX_FRAMES;
  }
  while (top > st->slots_end) {
    size_t have = (size_t)((char *)st->slots_end - (char *)st->slots);
    size_t want = round_up(have * 2 > CHUNK ? have * 2 : CHUNK, page);
    size_t max = INTERP_MAX_SLOTS * sizeof(uint64_t);
    if (want > max) want = max;
    if (!os_commit(st->slots, want)) return false;
    st->slots_end = st->slots + want / sizeof(uint64_t);
  }
  return true;
}

static void stack_free(void *p) {
  interp_stack *st = p;
  os_release(st->region, st->region_size);
  free(st);
}

/* An empty stack: what a new exec starts from. Committed pages stay
 * committed (that is what the store's spare saves). */
static void stack_reset(interp_stack *st) {
  st->slot_top = st->slots;
  st->frame_top = st->frames;
  st->live_code = NULL;
  st->live_frp = st->frames;
}

/* ex->interp_stack_free: gives the stack back to its store's spare slot
 * when that is empty (a nested rt_call holds a second stack while its
 * outer one is in use), else releases it. A trap may have left tops and
 * live state anywhere, so it is reset here. */
static void stack_release(void *p) {
  interp_stack *st = p;
  rt_stack_cache *cache = rt_store_stack_cache(st->store);
  if (cache->stack) {
    stack_free(st);
    return;
  }
  stack_reset(st);
  cache->stack = st;
  cache->free = stack_free;
}

/* Names the frames of a trap the loop did not see coming (a host function's
 * rt_trap, a guard-page fault): the live state kept at calls and returns. */
static void stack_backtrace(rt_exec *ex, rt_trap_info *trap) {
  (void)trap;
  interp_stack *st = ex->interp_stack;
  if (st && st->live_code) fill_backtrace(ex, st, st->live_code, st->live_frp);
}

static interp_stack *stack_new(void) {
  interp_stack *st = calloc(1, sizeof *st);
  if (!st) return NULL;
  size_t page = os_page_size();
  size_t fbytes = round_up(INTERP_MAX_FRAMES * sizeof(interp_frame), page);
  st->region_size = fbytes + (size_t)INTERP_MAX_SLOTS * sizeof(uint64_t);
  st->region = os_reserve(st->region_size);
  if (!st->region) {
    free(st);
    return NULL;
  }
  st->frames = st->region;
  st->slots = (uint64_t *)((char *)st->region + fbytes);
  st->frames_end = st->frames;
  st->slots_end = st->slots;
  stack_reset(st);
  st->exit_ir[0] = (uint64_t)(uintptr_t)vm_interp_handlers()[IR_EXIT];
  return st;
}

void vm_interp_entry(rt_exec *ex, rt_func *f, uint64_t *slots) {
  interp_stack *st = ex->interp_stack;
  if (!st) {
    /* The store's spare first (reset when it was put there). */
    rt_stack_cache *cache = rt_store_stack_cache(ex->store);
    st = cache->stack;
    cache->stack = NULL;
    if (!st) st = stack_new();
    if (!st) rt_trap_msg(ex, RT_TRAP_HOST, "interpreter: out of memory");
    st->store = ex->store;
    ex->interp_stack = st;
    ex->interp_stack_free = stack_release;
    ex->backtrace = stack_backtrace;
  }
  ir_code *code = ensure_code(ex, f);
  uint64_t *fp = st->slot_top;
  interp_frame *frp = st->frame_top;
  if ((frp >= st->frames_end || fp + code->frame_slots > st->slots_end) &&
      !stack_grow(st, frp, fp + code->frame_slots))
    trap_now(ex, st, NULL, frp, RT_TRAP_STACK_EXHAUSTED);
  memmove(fp, slots, code->param_slots * sizeof(uint64_t));
  frp->ret_ip = st->exit_ir;
  frp->fp = fp;
  frp->code = code;
  /* A nested activation (host → wasm) runs above its caller's frames; the
   * caller's live state comes back when it returns. */
  ir_code *outer_code = st->live_code;
  interp_frame *outer_frp = st->live_frp;
  st->live_code = code;
  st->live_frp = frp + 1;
  run(ex, st, code, fp, frp + 1, NULL);
  memmove(slots, fp, code->result_slots * sizeof(uint64_t));
  st->slot_top = fp;
  st->frame_top = frp;
  st->live_code = outer_code;
  st->live_frp = outer_frp;
}

/* ---- IR dump ---- */

static const char *const ir_names[IR_OP_COUNT] = {
#define N_FIXED(n, f) [IR_##n] = #n,
#define N_IMM(n, r, t, e) [IR_##n##_SS] = #n "_ss", [IR_##n##_SI] = #n "_si",
#define N_BR(n, r, t, e) [IR_BR_##n##_SS] = "br_" #n "_ss", [IR_BR_##n##_SI] = "br_" #n "_si",
#define N_BRL(n, r, t, e) [IR_BRL_##n##_SS] = "brl_" #n "_ss", [IR_BRL_##n##_SI] = "brl_" #n "_si",
#define N_ONE(n, ...) [IR_##n] = #n,
#define N_X(n, ...) [IR_##n##_X] = #n "_x",
#define N_A(n, ...) [IR_##n##_A] = #n "_a",
    IR_FIXED(N_FIXED) IR_BIN_IMM(N_IMM) IR_CMPS(N_BR) IR_BIN(N_ONE)
    IR_BIN_TRAP(N_ONE) IR_UN(N_ONE) IR_UN_TRAP(N_ONE) IR_LOADS(N_ONE)
    IR_STORES(N_ONE) IR_LOADS(N_X) IR_STORES(N_X) IR_LOADS(N_A) IR_STORES(N_A)
    IR_CMPS(N_BRL)
#undef N_BRL
#undef N_X
#undef N_A
#undef N_FIXED
#undef N_IMM
#undef N_BR
#undef N_ONE
};

/* Operand formats (see IR_FIXED); generated ops are all "d s s|I" shapes. */
static const char *ir_format(ir_op op) {
  static const char *const fixed[] = {
#define F_FIXED(n, f) [IR_##n] = f,
      IR_FIXED(F_FIXED)
#undef F_FIXED
  };
  if ((size_t)op < sizeof fixed / sizeof *fixed) return fixed[op];
  if (op >= IR_BRL_I32_EQ_SS) return ((op - IR_BRL_I32_EQ_SS) & 1) ? "sIj" : "ssj";
  if (op < IR_BR_I32_EQ_SS) return ((op - IR_I32_ADD_SS) & 1) ? "dsI" : "dss";
  if (op < IR_F32_MIN) return ((op - IR_BR_I32_EQ_SS) & 1) ? "sIj" : "ssj";
  if (op < IR_I32_EQZ) return "dss"; /* IR_BIN, IR_BIN_TRAP */
  if (op < IR_I32_LOAD) return "ds"; /* IR_UN, IR_UN_TRAP */
  if (op < IR_I32_STORE) return "dsI";
  if (op < IR_I32_LOAD_X) return "ssI";
  if (op < IR_I32_STORE_X) return "dsII";
  if (op < IR_I32_LOAD_A) return "ssII";
  if (op < IR_I32_STORE_A) return "dI";
  return "Is";
}

bool vm_interp_dump_ir(FILE *out, rt_func *f) {
  if (f->entry != vm_interp_entry) return false;
  if (!f->code && !(f->code = vm_interp_compile(f))) return false;
  const ir_code *c = f->code;
  const void *const *h = vm_interp_handlers();
  fprintf(out, "func %u: %u words, frame %u slots (params %u, results %u)\n",
          f->index, c->nwords, c->frame_slots, c->param_slots, c->result_slots);
  uint32_t pos = 0;
  while (pos < c->nwords) {
    int op = -1;
    for (int k = 0; k < IR_OP_COUNT; k++)
      if ((uint64_t)(uintptr_t)h[k] == c->ir[pos]) op = k;
    if (op < 0) {
      fprintf(out, "  %5u: ??? %#llx\n", pos, (unsigned long long)c->ir[pos]);
      pos++;
      continue;
    }
    fprintf(out, "  %5u: %s", pos, ir_names[op]);
    const char *fmt = ir_format((ir_op)op);
    uint32_t k = pos + 1;
    for (const char *p = fmt; *p; p++, k++) {
      unsigned long long w = c->ir[k];
      switch (*p) {
      case 'd': fprintf(out, " ->%llu", w); break;
      case 's': fprintf(out, " %%%llu", w); break;
      case 'j':
        fprintf(out, " @%ld", (long)(PTR(const ir_word *, w) - c->ir));
        break;
      case 'f': case 'p': fprintf(out, " <%#llx>", w); break;
      default: fprintf(out, " %#llx", w); break;
      }
    }
    if (op == IR_BR_TABLE) {
      uint64_t n = c->ir[pos + 2];
      for (uint64_t i = 0; i <= n; i++, k++)
        fprintf(out, " @%ld", (long)(PTR(const ir_word *, c->ir[k]) - c->ir));
    }
    fputc('\n', out);
    pos = k;
  }
  return true;
}
