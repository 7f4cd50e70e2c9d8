/* The main of a natively compiled module (ferry aot --cc): the module
 * binary and its compiled functions come from the generated C (aot_desc);
 * this links WASI, instantiates, attaches the code and runs `_start`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/aot_int.h"
#include "runtime/wasi.h"
#include "vm/validate.h"

enum { EXIT_TRAP = 134 }; /* as `ferry run` */

int aot_native_main(int argc, char **argv, const aot_desc *d) {
  int status = 1;
  rt_engine *engine = rt_engine_new();
  rt_store *store = engine ? rt_store_new(engine) : NULL;
  rt_wasi *wasi = rt_wasi_new(argc, argv, 0, NULL);
  rt_extern *imports = NULL;
  aot_code *code = NULL;
  vm_error verr;
  memset(&verr, 0, sizeof verr);
  if (!store || !wasi) {
    fprintf(stderr, "%s: out of memory\n", argv[0]);
    goto out;
  }
  vm_module *m = vm_decode(d->wasm, d->wasm_size, &verr);
  if (!m || !vm_validate(m, &verr)) {
    fprintf(stderr, "%s: bad embedded module: %s\n", argv[0], verr.msg);
    vm_module_free(m);
    goto out;
  }
  imports = calloc(m->nimports + 1, sizeof *imports);
  if (!imports) {
    vm_module_free(m);
    goto out;
  }
  for (uint32_t i = 0; i < m->nimports; i++) {
    const vm_import *im = &m->imports[i];
    if (strcmp(im->module, "wasi_snapshot_preview1") ||
        !rt_wasi_lookup(wasi, store, im->name, im->name_len, &imports[i])) {
      fprintf(stderr, "%s: unknown import %s.%s\n", argv[0], im->module, im->name);
      vm_module_free(m);
      goto out;
    }
  }
  char err[256];
  rt_trap_info trap;
  bool trapped = false;
  /* Instantiated on the interpreter (a start function, if any, runs
   * there), then every function is switched to the native code. */
  rt_instance *inst = rt_instantiate(store, m, imports, m->nimports,
                                     RT_ENGINE_INTERP, err, sizeof err, &trap,
                                     &trapped);
  if (!inst) {
    fprintf(stderr, "%s: %s\n", argv[0], trapped ? trap.message : err);
    status = trapped ? EXIT_TRAP : 1;
    goto out;
  }
  code = aot_code_from_desc(d);
  if (!code || !aot_attach(inst, code, err, sizeof err)) {
    fprintf(stderr, "%s: %s\n", argv[0], code ? err : "out of memory");
    goto out;
  }
  rt_wasi_bind(wasi, inst);
  rt_extern start;
  if (!rt_instance_export(inst, "_start", 6, &start) || start.kind != VM_EXT_FUNC) {
    fprintf(stderr, "%s: no _start export\n", argv[0]);
    goto out;
  }
  uint64_t slots[2] = {0, 0};
  if (rt_call(store, start.u.func, slots, &trap)) {
    status = 0;
  } else if (trap.kind == RT_TRAP_EXIT) {
    status = trap.exit_code;
  } else {
    rt_wasi_flush(wasi);
    fprintf(stderr, "%s: trap: %s\n", argv[0], trap.message);
    status = EXIT_TRAP;
  }
out:
  if (wasi) rt_wasi_flush(wasi);
  aot_code_release(code);
  free(imports);
  rt_store_free(store);
  if (wasi) rt_wasi_free(wasi);
  rt_engine_free(engine);
  return status;
}
