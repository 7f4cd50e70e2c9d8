/* The shared runtime (DESIGN.md decisions 4, 6, 7, 11): engine, store,
 * instances, memories, tables, globals, functions, traps and the one raw
 * calling convention that every boundary uses.
 *
 * Raw calling convention: a function receives one uint64_t array holding its
 * arguments in order, and writes its results to the same array from index 0.
 * i32 values are zero-extended, f32/f64 are stored as their bit patterns,
 * references as pointers (uintptr_t; 0 is null), and a v128 takes two
 * consecutive slots (low 64 bits first). The array must be large enough for
 * max(params, results) slots (see rt_type_slots).
 */
#ifndef FERRY_RUNTIME_RT_H
#define FERRY_RUNTIME_RT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/os.h"
#include "vm/module.h"

/* Memory bounds strategy (DESIGN.md decision 4). On 64-bit hosts each memory
 * reserves RT_MEMORY_RESERVE bytes of address space and an access outside
 * the committed part faults into a trap, so engines emit no bounds checks
 * (RT_GUARD_PAGES 1). Built with -DFERRY_BOUNDS_CHECK (make BOUNDS=check),
 * and always on 32-bit hosts, memory is allocated exactly and engines must
 * check every access with rt_memory_in_bounds (RT_GUARD_PAGES 0). */
#if !defined(FERRY_BOUNDS_CHECK) && UINTPTR_MAX <= 0xffffffffu
#define FERRY_BOUNDS_CHECK 1
#endif
#ifdef FERRY_BOUNDS_CHECK
#define RT_GUARD_PAGES 0
#else
#define RT_GUARD_PAGES 1
/* Any effective address base + u32 + u32 offset (+ 16 bytes of access)
 * stays below base + 8 GiB + 64 KiB (spec 4.4.7: ea = i + memarg.offset). */
#define RT_MEMORY_RESERVE ((UINT64_C(1) << 33) + UINT64_C(65536))
#endif

typedef struct rt_engine rt_engine;
typedef struct rt_store rt_store;
typedef struct rt_instance rt_instance;
typedef struct rt_func rt_func;
typedef struct rt_memory rt_memory;
typedef struct rt_table rt_table;
typedef struct rt_global rt_global;
typedef struct rt_exec rt_exec;

/* ---- traps (spec wording: the suite's assert_trap compares by prefix) ---- */

#define RT_TRAPS(X)                                                       \
  X(NONE, "no trap")                                                      \
  X(UNREACHABLE, "unreachable")                                           \
  X(MEMORY_OOB, "out of bounds memory access")                            \
  X(TABLE_OOB, "out of bounds table access")                              \
  X(UNDEFINED_ELEMENT, "undefined element")                               \
  X(UNINITIALIZED_ELEMENT, "uninitialized element")                       \
  X(INDIRECT_TYPE_MISMATCH, "indirect call type mismatch")                \
  X(INT_OVERFLOW, "integer overflow")                                     \
  X(INT_DIV_ZERO, "integer divide by zero")                               \
  X(INVALID_CONVERSION, "invalid conversion to integer")                  \
  X(STACK_EXHAUSTED, "call stack exhausted")                              \
  X(HOST, "host function failed")                                         \
  X(FUEL, "fuel exhausted") /* the budget of rt_store_set_fuel ran out */ \
  X(EXIT, "program exited") /* proc_exit: not an error, carries a code */

typedef enum {
#define RT_TRAP_ENUM(sym, msg) RT_TRAP_##sym,
  RT_TRAPS(RT_TRAP_ENUM)
#undef RT_TRAP_ENUM
} rt_trap_kind;

const char *rt_trap_message(rt_trap_kind kind);

enum { RT_MAX_BACKTRACE = 32 };

/* What a failed call reports. */
typedef struct {
  rt_trap_kind kind;
  int exit_code;          /* RT_TRAP_EXIT */
  char message[256];      /* the spec wording, or the host's message */
  uint32_t nframes;       /* innermost first */
  struct {
    const rt_instance *inst;
    uint32_t func; /* function index in the instance's module */
  } frames[RT_MAX_BACKTRACE];
} rt_trap_info;

/* ---- execution context: one per host→wasm entry on a thread ----
 *
 * rt_call makes one on its own stack frame and it lives until rt_call
 * returns. A host function that calls back into wasm either uses
 * rt_call_nested with its own `ex` (a trap then unwinds everything up to the
 * outer rt_call) or calls rt_call again (a new exec with `parent` set, which
 * catches traps of that inner call only).
 *
 * Backtraces (rt_trap_info.frames) are the running engine's job, because
 * only it knows its frames. The interpreter fills trap->frames/nframes before
 * it calls rt_trap for a trap it detects itself; rt_trap never touches them.
 * For traps it does not see coming (a host function's rt_trap, a guard-page
 * fault, which jump straight past it) it sets `backtrace`: rt_call calls it
 * after landing, while `interp_stack` is still alive, if nframes is still 0.
 */

/* Host↔wasm re-entry depth at which a call traps with "call stack exhausted"
 * instead of overflowing the native stack. wasm→wasm calls do not count:
 * the interpreter keeps its frames off the native stack. */
enum { RT_MAX_NATIVE_DEPTH = 128 };

struct rt_exec {
  rt_store *store;
  os_jmp_buf *trap_jmp;  /* the landing point of this exec's rt_call */
  rt_trap_info *trap;
  uint32_t depth;        /* native recursion depth (host↔wasm re-entry) */
  void *interp_stack;    /* the interpreter's value/frame stack, lazily made */
  /* Added by the runtime owner (additive, see above): */
  rt_exec *parent;       /* the enclosing rt_call's exec on this thread */
  /* rt_call releases interp_stack when this exec ends (normally or by a
   * trap): with interp_stack_free when set, else with free(). The engine's
   * hook may instead give the stack back to the store's spare slot
   * (rt_store_stack_cache). */
  void (*interp_stack_free)(void *stack);
  void (*backtrace)(rt_exec *ex, rt_trap_info *trap);
  /* The store's fuel counter (see rt_store_set_fuel), never NULL under
   * rt_call. Engines subtract what they charge and trap RT_TRAP_FUEL when
   * it goes negative, after setting it back to 0 so that every later charge
   * traps too. Unlimited is INT64_MAX: ~2^63 charges, never reached. */
  int64_t *fuel;
};

/* The exec of the innermost rt_call running on this thread, or NULL. */
rt_exec *rt_current_exec(void);

/* Raises a trap: records kind and message (not frames) and jumps to the
 * landing point of ex's rt_call. Usable from host functions, the
 * interpreter's helpers and AOT code. */
_Noreturn void rt_trap(rt_exec *ex, rt_trap_kind kind);
_Noreturn void rt_trap_msg(rt_exec *ex, rt_trap_kind kind, const char *msg);
_Noreturn void rt_exit(rt_exec *ex, int code);

/* ---- functions ---- */

/* Host function: reads params from slots[0..], writes results to slots[0..].
 * May call rt_trap. */
typedef void (*rt_host_fn)(rt_exec *ex, uint64_t *slots, void *env);

/* How an engine runs a function: every rt_func has one entry point with the
 * raw convention; the interpreter, AOT code and host wrappers each provide
 * theirs, so any engine can call any function. */
typedef void (*rt_entry_fn)(rt_exec *ex, rt_func *f, uint64_t *slots);

struct rt_func {
  const vm_functype *type; /* the engine's interned copy (rt_engine_intern) */
  uint32_t type_id;       /* engine-wide id of the structural type */
  rt_instance *inst;      /* defining instance; NULL for host functions */
  uint32_t index;         /* function index in inst->module */
  rt_entry_fn entry;
  void *code;             /* engine data (interpreter IR), built lazily */
  rt_host_fn host;
  void *host_env;
  /* How the store releases a non-NULL `code` when it frees the function:
   * this when set, else free(code). */
  void (*code_free)(void *code);
};

/* Slots (uint64_t) a value of this type occupies: 2 for v128, else 1. */
static inline uint32_t rt_value_slots(uint8_t type) {
  return type == VM_V128 ? 2 : 1;
}
/* Slots needed to call a function of this type: max(params, results). */
uint32_t rt_type_slots(const vm_functype *t);

/* ---- memories ---- */

#define RT_PAGE_SIZE 65536u

#define RT_MAX_PAGES 65536u /* 4 GiB: the i32 address space */

struct rt_memory {
  uint8_t *base;       /* size bytes accessible; guard region after */
  uint64_t size;       /* in bytes */
  uint64_t max_pages;  /* declared max, or 65536 */
  size_t reserved;     /* bytes reserved (guard-page build), else 0 */
  bool has_max;        /* a max was declared (import matching, spec 4.5.2) */
};

/* Grows by delta pages; returns the old size in pages, or -1 (spec 4.4.7:
 * failure is not a trap). The base pointer may change in the bounds-checked
 * build: engines reload it after memory.grow and after calls. */
int64_t rt_memory_grow(rt_memory *mem, uint64_t delta);

/* True when [addr, addr+len) lies inside the memory. */
static inline bool rt_memory_in_bounds(const rt_memory *mem, uint64_t addr,
                                       uint64_t len) {
  return addr <= mem->size && len <= mem->size - addr;
}

/* ---- tables ---- */

struct rt_table {
  uintptr_t *elems;    /* references: rt_func* for funcref, or extern values */
  uint32_t size;
  uint32_t max;        /* declared max, or UINT32_MAX */
  uint8_t elemtype;    /* VM_FUNCREF or VM_EXTERNREF */
  bool has_max;        /* a max was declared (import matching, spec 4.5.2) */
};

/* Implementation limit on table sizes (spec appendix A.1 allows one):
 * growing past it fails like growing past the max. */
#define RT_TABLE_LIMIT 10000000u

/* Returns old size or -1 (spec 4.4.6 table.grow). */
int64_t rt_table_grow(rt_table *t, uint32_t delta, uintptr_t init);

/* ---- globals ---- */

struct rt_global {
  uint64_t val[2];     /* val[0] for scalars and refs; v128 uses both */
  vm_globaltype type;
};

/* ---- instances ---- */

/* Runtime state of a passive/active segment: dropped segments have count 0. */
typedef struct {
  uint32_t count;
  uintptr_t *refs; /* element segments: evaluated references */
} rt_elem_inst;

typedef struct {
  const uint8_t *bytes; /* NULL once dropped */
  uint32_t size;
} rt_data_inst;

/* Which engine runs the functions of a module. RT_ENGINE_TIERED starts
 * interpreted (no compile at start-up) and, once the store's tiering budget
 * of back-edges and calls is spent (rt_store_set_tiering), compiles the
 * module with libtcc: later calls run compiled code, and an interpreted
 * function still running moves to it at its next loop back-edge (on-stack
 * replacement). Under a fuel limit it stays interpreted (AOT code is not
 * metered). */
typedef enum { RT_ENGINE_INTERP, RT_ENGINE_AOT, RT_ENGINE_TIERED } rt_engine_kind;

struct rt_instance {
  rt_store *store;
  vm_module *module;       /* shared, owned by the store's module list */
  rt_func **funcs;         /* whole function index space, imports first */
  rt_table **tables;
  rt_memory **memories;
  rt_global **globals;
  rt_elem_inst *elems;
  rt_data_inst *datas;
  /* Cached for engines: memory 0 (or NULL). */
  rt_memory *mem0;
  rt_engine_kind engine;   /* as instantiated (RT_ENGINE_TIERED: see there) */
  /* RT_ENGINE_TIERED once compiled: the AOT state (aot/tier.c), released
   * with tier_free when the instance goes. */
  void *tier;
  void (*tier_free)(void *tier);
};

/* An external value: what imports take and exports give. */
typedef struct {
  uint8_t kind; /* VM_EXT_FUNC, ... */
  union {
    rt_func *func;
    rt_table *table;
    rt_memory *memory;
    rt_global *global;
  } u;
} rt_extern;

/* ---- engine and store ---- */

rt_engine *rt_engine_new(void);
void rt_engine_free(rt_engine *e);
/* Interns a function type; equal types get equal ids (call_indirect).
 * Returns UINT32_MAX when out of memory. */
uint32_t rt_engine_type_id(rt_engine *e, const vm_functype *t);
/* Same, also giving the engine's copy, which lives as long as the engine:
 * equal types give the same pointer. NULL when out of memory. */
const vm_functype *rt_engine_intern(rt_engine *e, const vm_functype *t,
                                    uint32_t *id);

rt_store *rt_store_new(rt_engine *e);

/* Fuel: an optional budget that bounds execution, so an embedder (or a
 * fuzzer) can stop a guest that loops forever. Engines charge one unit per
 * taken loop back-edge and per call of a wasm function (never per
 * instruction, so the cost is one decrement and branch there), and bulk
 * memory/table instructions one unit per 4 KiB they touch. When the budget
 * is spent, the running call traps "fuel exhausted", and so does every
 * later call that charges anything until more fuel is set. The budget
 * belongs to the store and is shared by all calls into it.
 * fuel 0 means unlimited (the default). Only the interpreter charges fuel
 * so far; AOT-compiled code runs unmetered. */
void rt_store_set_fuel(rt_store *s, uint64_t fuel);
/* The fuel left; UINT64_MAX when unlimited. */
uint64_t rt_store_fuel(const rt_store *s);

/* Tiering (RT_ENGINE_TIERED): the store's tiered instances are compiled
 * once `budget` fuel units (back-edges and calls, as above) have run
 * interpreted; the default is RT_TIER_BUDGET. `stress` (for tests) compiles
 * at the first unit and then keeps every function interpreted, so that each
 * loop back-edge taken moves its frame into compiled code. */
enum { RT_TIER_BUDGET = 1 << 17 };
void rt_store_set_tiering(rt_store *s, uint64_t budget, bool stress);

/* For engines, when a charge made the fuel negative: compiles the store's
 * pending tiered instances and refills the counter, returning true, or
 * returns false when the fuel budget is really spent (trap RT_TRAP_FUEL). */
bool rt_fuel_out(rt_exec *ex);
/* For the interpreter, at a back-edge to a loop at operand stack height 0:
 * if f's instance is compiled, runs the rest of f's activation in compiled
 * code from the loop at wasm offset `at`, with the locals of the frame
 * `fp` (raw slot layout), leaving f's results in fp[0..]. False when f has
 * no such entry (keep interpreting). */
bool rt_osr(rt_exec *ex, rt_func *f, uint64_t *fp, uint32_t at);

/* One spare engine stack per store: reserving and releasing the
 * interpreter's stack costs ~20 us, far more than a short rt_call, so the
 * engine takes the spare (leaving stack NULL) the first time an exec needs
 * a stack and puts it back, reset, when the exec ends (interp_stack_free).
 * rt_store_free releases a spare left here with `free`. */
typedef struct {
  void *stack;
  void (*free)(void *stack);
} rt_stack_cache;
rt_stack_cache *rt_store_stack_cache(rt_store *s);
/* Frees the store and everything it owns (instances, memories, ...). */
void rt_store_free(rt_store *s);
rt_engine *rt_store_engine(rt_store *s);

/* Creates a host function owned by the store. `type` is copied. */
rt_func *rt_host_func_new(rt_store *s, const vm_functype *type, rt_host_fn fn,
                          void *env);
/* max_pages >= 65536 means "no max"; rt_memory_new_limits says exactly
 * whether a max was declared (they differ only in import matching). */
rt_memory *rt_memory_new(rt_store *s, uint64_t pages, uint64_t max_pages);
rt_memory *rt_memory_new_limits(rt_store *s, const vm_limits *limits);
/* max == UINT32_MAX means "no max"; see rt_table_new_type. */
rt_table *rt_table_new(rt_store *s, uint8_t elemtype, uint32_t size,
                       uint32_t max, uintptr_t init);
rt_table *rt_table_new_type(rt_store *s, const vm_tabletype *type,
                            uintptr_t init);
rt_global *rt_global_new(rt_store *s, vm_globaltype type, uint64_t lo,
                         uint64_t hi);

/* Instantiates a validated module (spec 4.5.4): checks imports (errors:
 * "unknown import", "incompatible import type"), allocates, evaluates
 * globals, initialises element and data segments in order (trapping ones
 * fail with the trap), runs the start function. The store takes ownership
 * of `module` on success and on failure. Returns NULL on failure with either
 * err (link errors, VM_ERR_INVALID kind is not used: message only) or trap
 * filled; *trapped tells which. `imports` are in the module's import order
 * (the caller resolves names and reports "unknown import"; a NULL entry or
 * a count mismatch gives "unknown import" here too).
 * A trapping instantiation leaves its effects in place (Wasm 2.0: segments
 * before the trapping one stay written, and may have put this instance's
 * functions into imported tables), so the half-made instance stays owned by
 * the store until rt_store_free. RT_ENGINE_AOT fails with a message in a
 * runtime built without libtcc. trap and trapped may be NULL. */
rt_instance *rt_instantiate(rt_store *s, vm_module *module,
                            const rt_extern *imports, uint32_t nimports,
                            rt_engine_kind engine, char *err, size_t err_size,
                            rt_trap_info *trap, bool *trapped);

/* Finds an export by name; false when absent. */
bool rt_instance_export(const rt_instance *inst, const char *name,
                        uint32_t name_len, rt_extern *out);

/* Calls f from the host: sets up the trap landing point, runs the function,
 * returns false with *trap filled when it traps. */
bool rt_call(rt_store *s, rt_func *f, uint64_t *slots, rt_trap_info *trap);

/* Calls f from inside wasm or a host function (already under rt_call).
 * Traps "call stack exhausted" past RT_MAX_NATIVE_DEPTH re-entries. */
void rt_call_nested(rt_exec *ex, rt_func *f, uint64_t *slots);

/* ---- bulk memory and table instructions (spec 4.4.6, 4.4.7) ----
 * Shared by both engines so the bounds rules live in one place: each checks
 * the whole range first and traps (via rt_trap) before writing anything. */
void rt_memory_fill(rt_exec *ex, rt_memory *m, uint64_t d, uint32_t val,
                    uint64_t n);
void rt_memory_copy(rt_exec *ex, rt_memory *dst, rt_memory *src, uint64_t d,
                    uint64_t s, uint64_t n);
void rt_memory_init(rt_exec *ex, rt_instance *inst, uint32_t mem,
                    uint32_t data, uint64_t d, uint64_t s, uint64_t n);
void rt_data_drop(rt_instance *inst, uint32_t data);
void rt_table_fill(rt_exec *ex, rt_table *t, uint64_t d, uintptr_t val,
                   uint64_t n);
void rt_table_copy(rt_exec *ex, rt_table *dst, rt_table *src, uint64_t d,
                   uint64_t s, uint64_t n);
void rt_table_init(rt_exec *ex, rt_instance *inst, uint32_t table,
                   uint32_t elem, uint64_t d, uint64_t s, uint64_t n);
void rt_elem_drop(rt_instance *inst, uint32_t elem);

/* ---- the spec suite's "spectest" module ----
 * Finds `name` among its exports (print*, global_i32/i64/f32/f64, table,
 * memory); each object is made once per store, on first lookup. The print
 * functions do nothing. False when there is no such export (or out of
 * memory). */
bool rt_spectest_lookup(rt_store *s, const char *name, uint32_t len,
                        rt_extern *out);

#endif
