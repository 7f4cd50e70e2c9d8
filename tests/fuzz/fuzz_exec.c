/* libFuzzer harness: runs fuzzed valid modules in the interpreter.
 *
 * Bytes that decode and validate are instantiated with every import
 * satisfied by a stand-in of the right type (host functions returning
 * zeros, fresh memories, tables and globals), so modules that import —
 * most of the spec suite's, which seed the corpus — still execute. Then
 * every exported function is called with zero arguments. Each call, and the
 * start function, runs under a fuel budget so that no input can hang; traps
 * are expected and fine. Nothing may crash, leak or touch memory it does
 * not own (ASan/UBSan).
 *
 * Memories are capped (FUZZ_MAX_PAGES) by tightening the module's declared
 * maximum: semantics do not matter here, and an uncapped memory.grow loop
 * would make the fuzzer's RSS limit, not ferry, the thing under test.
 */
#include <stdlib.h>
#include <string.h>

#include "runtime/rt.h"
#include "vm/module.h"
#include "vm/validate.h"

#include "tests/fuzz/stand_in.h"

enum { FUZZ_FUEL = 100000, FUZZ_MAX_PAGES = 256 };

/* Calls every exported function twice: with all-zero arguments, then with
 * every number 1 (as bits: 1, a denormal float, a v128 with low lane 1) to
 * reach other paths. References stay null: a funcref must be a real
 * function. */
static void call_exports(rt_store *s, rt_instance *inst) {
  const vm_module *m = inst->module;
  for (uint32_t i = 0; i < m->nexports; i++) {
    if (m->exports[i].kind != VM_EXT_FUNC) continue;
    rt_func *f = inst->funcs[m->exports[i].index];
    const vm_functype *t = f->type;
    uint32_t n = rt_type_slots(t);
    uint64_t *slots = calloc(n ? n : 1, sizeof *slots);
    if (!slots) return;
    for (int round = 0; round < 2; round++) {
      memset(slots, 0, (n ? n : 1) * sizeof *slots);
      for (uint32_t k = 0, at = 0; round && k < t->nparams; k++) {
        uint8_t ty = t->types[k];
        if (ty != VM_FUNCREF && ty != VM_EXTERNREF) slots[at] = 1;
        at += rt_value_slots(ty);
      }
      rt_trap_info trap;
      rt_store_set_fuel(s, FUZZ_FUEL);
      rt_call(s, f, slots, &trap); /* a trap is a fine outcome */
    }
    free(slots);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vm_error err = {0};
  vm_module *m = vm_decode(data, size, &err);
  if (!m) return 0;
  if (!vm_validate(m, &err)) {
    vm_module_free(m);
    return 0;
  }
  for (uint32_t i = 0; i < m->nmemories; i++) {
    if (!fuzz_cap_memory(&m->memories[i], FUZZ_MAX_PAGES)) {
      vm_module_free(m);
      return 0;
    }
  }
  rt_engine *e = rt_engine_new();
  rt_store *s = e ? rt_store_new(e) : NULL;
  rt_extern *imports = calloc(m->nimports ? m->nimports : 1, sizeof *imports);
  if (!s || !imports) goto done;
  for (uint32_t i = 0; i < m->nimports; i++)
    if (!fuzz_stand_in(s, m, &m->imports[i], FUZZ_MAX_PAGES, &imports[i]))
      goto done;

  char msg[256];
  rt_trap_info trap;
  bool trapped = false;
  rt_store_set_fuel(s, FUZZ_FUEL); /* for the start function */
  uint32_t nimports = m->nimports;
  /* The store owns m from here on, whatever happens. */
  rt_instance *inst = rt_instantiate(s, m, imports, nimports,
                                     RT_ENGINE_INTERP, msg, sizeof msg, &trap,
                                     &trapped);
  m = NULL;
  if (inst) call_exports(s, inst);

done:
  vm_module_free(m);
  free(imports);
  rt_store_free(s);
  rt_engine_free(e);
  return 0;
}
