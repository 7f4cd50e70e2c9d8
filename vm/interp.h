/* The interpreter: ferry's default engine (DESIGN.md decision 3).
 *
 * A function is compiled to register IR (vm/ir.h) on its first call and run
 * by a threaded dispatch loop. wasm→wasm calls stay inside the loop (frame
 * records on the interpreter's own stack), so neither calls nor loops grow
 * the native stack; running out of interpreter stack is the trap "call stack
 * exhausted" whatever the native stack size.
 *
 * Ownership, for the runtime:
 *   - f->code (set on first call) is one malloc block: the store releases it
 *     with free(f->code) when it frees the function.
 *   - ex->interp_stack (taken from the store's spare, rt_store_stack_cache,
 *     or made on first use) is an address-space reservation committed on
 *     demand; the interpreter sets ex->interp_stack_free, which rt_call uses
 *     to give it back to the store's spare (or release it when the spare is
 *     taken), and ex->backtrace, which names the wasm frames of a trap the
 *     dispatch loop did not raise itself (a host function's rt_trap, a
 *     guard-page fault).
 *   - Fuel (rt_store_set_fuel) is charged at taken back-edges, calls
 *     between wasm functions and per 4 KiB of bulk memory/table work.
 */
#ifndef FERRY_VM_INTERP_H
#define FERRY_VM_INTERP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "runtime/rt.h"

/* rt_func.entry of interpreted functions (raw convention: arguments in
 * slots[0..], results written to slots[0..]). Traps with rt_trap. */
void vm_interp_entry(rt_exec *ex, rt_func *f, uint64_t *slots);

/* Compiles f when needed and prints its IR (ferry run --dump-ir). False
 * when f is not an interpreted function or memory runs out. */
bool vm_interp_dump_ir(FILE *out, rt_func *f);

#endif
