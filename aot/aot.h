/* The AOT engine (DESIGN.md decisions 5 and 6): a module's functions
 * translated to C (emit.h), compiled in memory by libtcc (tcc.c) or ahead
 * of time by a native compiler (ferry aot --cc), and run on the shared
 * runtime: every defined function gets a raw-convention rt_func.entry, so
 * the interpreter, host functions and other instances call AOT code and
 * back without knowing which engine runs what. */
#ifndef FERRY_AOT_AOT_H
#define FERRY_AOT_AOT_H

#include <stdbool.h>
#include <stddef.h>

#include "aot/abi.h"
#include "runtime/rt.h"

/* Compiled code for one module: C functions and raw entries per defined
 * function, reference counted (instances using it hold references). */
typedef struct aot_code aot_code;

/* The runtime's hook for RT_ENGINE_AOT. Call it in rt_instantiate after
 * functions, memories, tables and globals are allocated and before element
 * segments are applied or the start function runs: compiles inst->module
 * with libtcc (under the engine's lock) and points every defined function's
 * entry/code at the compiled code (code_free releases it). False with a
 * message in err on failure; functions already pointed at the code are
 * released by the store as usual. */
bool aot_prepare_instance(rt_instance *inst, char *err, size_t err_size);

/* The hooks of RT_ENGINE_TIERED (runtime/tier.c). aot_tier_instance
 * compiles inst's module with on-stack-replacement entries and points the
 * defined functions at the compiled code, keeping their interpreter IR
 * alive for activations still running it; with keep_interpreted (tests)
 * only the OSR entries are installed. aot_osr runs the rest of an
 * interpreted activation of f in compiled code from the loop at wasm
 * offset `at` (see rt_osr); false when there is no entry there. */
bool aot_tier_instance(rt_instance *inst, bool keep_interpreted, char *err,
                       size_t err_size);
bool aot_osr(rt_exec *ex, rt_func *f, uint64_t *fp, uint32_t at);

/* Compiles a validated module with libtcc. `lock` (may be NULL) is held
 * around every use of libtcc, which is not thread-safe. `osr`: with the
 * entries tiering needs (aot_emit_opts.osr). */
aot_code *aot_compile_tcc(const vm_module *m, os_mutex *lock, bool osr,
                          char *err, size_t err_size);
/* Wraps the tables of a natively compiled module (not copied, not freed). */
aot_code *aot_code_from_desc(const aot_desc *d);
void aot_code_release(aot_code *c);

/* Points the instance's defined functions at `code` (compiled from the
 * same module); takes a reference. */
bool aot_attach(rt_instance *inst, aot_code *code, char *err,
                size_t err_size);

#endif
