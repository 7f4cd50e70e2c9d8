/* The interface between AOT-generated C and the host (DESIGN.md decisions 5
 * and 6). This header is used twice: host code (the aot/ sources) includes it, and its
 * text, minus the #include lines, is embedded in the prelude of every
 * generated C file, so both sides see one definition of the environment
 * struct and the helper prototypes. Keep it to fixed-width integer types and
 * void pointers: the generated C has no <stdint.h>, only the prelude's own
 * typedefs.
 */
#ifndef FERRY_AOT_ABI_H
#define FERRY_AOT_ABI_H

#include <stdint.h>

#if defined(__GNUC__) && !defined(__TINYC__)
#define AOT_NORETURN __attribute__((noreturn))
#else
#define AOT_NORETURN
#endif

/* What a compiled function works with. A raw-convention wrapper makes one on
 * its stack frame per entry from outside (host, interpreter, another
 * instance) and passes its address down every direct call, so the instance's
 * tables of pointers are one load away. */
typedef struct aot_env {
  void *ex;                   /* rt_exec* of the running call */
  void *inst;                 /* rt_instance* */
  void *ai;                   /* the instance's AOT state: rt_func.code of its
                                 functions (call_indirect fast path) */
  uint8_t *mem;               /* memory 0 base (guard build: never moves) */
  uint64_t **g;               /* rt_global* per global index: val[0] first */
  void **funcs;               /* rt_func* per function index */
  void **tables;              /* rt_table* per table index */
  void *const *fn;            /* the module's C functions, per defined func */
  const uint32_t *type_ids;   /* engine type id per module type index */
  /* vm_simd_fns (vm/simd.h), reached through here because TinyCC's PE
   * target cannot link generated code to a data symbol given with
   * tcc_add_symbol. */
  const void *const *simd;
  uintptr_t stack_limit;      /* a frame below this address traps */
} aot_env;

/* Helpers the generated code calls (host side: aot/rtlib.c). The list is
 * the one source for the prototypes below and for tcc_add_symbol. */
#define AOT_HELPERS(X)                                                    \
  X(aot_rt_enter) X(aot_rt_enter_inst) X(aot_rt_trap) X(aot_rt_trap_elem) X(aot_rt_ea) X(aot_rt_mem_size)          \
  X(aot_rt_mem_grow) X(aot_rt_mem_init) X(aot_rt_data_drop)               \
  X(aot_rt_mem_copy) X(aot_rt_mem_fill) X(aot_rt_table_get)               \
  X(aot_rt_table_set) X(aot_rt_table_size) X(aot_rt_table_grow)           \
  X(aot_rt_table_fill) X(aot_rt_table_copy) X(aot_rt_table_init)          \
  X(aot_rt_elem_drop)

/* Fills *e for a call of rt_func f (whose code is an aot instance). */
void aot_rt_enter(aot_env *e, void *ex, void *f);
/* Same for an instance's AOT state `ai` (on-stack replacement: the running
 * function's rt_func may still point at its interpreter code). */
void aot_rt_enter_inst(aot_env *e, void *ex, void *ai);
AOT_NORETURN void aot_rt_trap(aot_env *e, uint32_t kind);
/* A table trap naming the element ("uninitialized element 2"), as the
 * interpreter and the reference interpreter word it. */
AOT_NORETURN void aot_rt_trap_elem(aot_env *e, uint32_t kind, uint32_t i);
/* Bounds-checked build: the address of [ea, ea+n) in memory 0, or a trap. */
uint8_t *aot_rt_ea(aot_env *e, uint64_t ea, uint32_t n);
uint32_t aot_rt_mem_size(aot_env *e);
uint32_t aot_rt_mem_grow(aot_env *e, uint32_t delta);
void aot_rt_mem_init(aot_env *e, uint32_t seg, uint32_t d, uint32_t s,
                     uint32_t n);
void aot_rt_data_drop(aot_env *e, uint32_t seg);
void aot_rt_mem_copy(aot_env *e, uint32_t d, uint32_t s, uint32_t n);
void aot_rt_mem_fill(aot_env *e, uint32_t d, uint32_t v, uint32_t n);
uintptr_t aot_rt_table_get(aot_env *e, uint32_t t, uint32_t i);
void aot_rt_table_set(aot_env *e, uint32_t t, uint32_t i, uintptr_t v);
uint32_t aot_rt_table_size(aot_env *e, uint32_t t);
uint32_t aot_rt_table_grow(aot_env *e, uint32_t t, uintptr_t init,
                           uint32_t n);
void aot_rt_table_fill(aot_env *e, uint32_t t, uint32_t i, uintptr_t v,
                       uint32_t n);
void aot_rt_table_copy(aot_env *e, uint32_t dt, uint32_t st, uint32_t d,
                       uint32_t s, uint32_t n);
void aot_rt_table_init(aot_env *e, uint32_t t, uint32_t seg, uint32_t d,
                       uint32_t s, uint32_t n);
void aot_rt_elem_drop(aot_env *e, uint32_t seg);

/* A module compiled ahead of time by a native compiler (ferry aot --cc):
 * the generated C defines one of these; the native main hands it to
 * aot_native_main, which runs the module with WASI on these functions. */
typedef void (*aot_wrap_fn)(void *ex, void *f, uint64_t *slots);
/* aotow_N (aot_emit_opts.osr). */
typedef int (*aot_osr_fn)(void *ex, void *ai, uint64_t *slots, uint32_t at);
typedef struct {
  uint32_t nfuncs;            /* defined functions */
  void *const *fn;            /* their C functions */
  const aot_wrap_fn *wrap;    /* their raw-convention entries */
  const uint8_t *wasm;        /* the module binary */
  uint32_t wasm_size;
  uint32_t bounds_check;      /* built for the bounds-checked runtime */
} aot_desc;

int aot_native_main(int argc, char **argv, const aot_desc *d);

#endif
