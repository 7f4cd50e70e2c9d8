/* The entry of a --mode native executable. `ferry pack --mode native`
 * translates the module to C (aot/emit.c), whose generated main calls
 * aot_native_main with the compiled functions; this definition (linked in
 * place of aot/native.c, packer/stubs.mk) runs them the way every packed
 * executable runs: payload, baked-in defaults, FERRY_* variables, pk_run. */
#include <stdio.h>

#include "aot/aot.h"
#include "packer/payload.h"

static bool attach(rt_instance *inst, const void *native, char *err,
                   size_t err_size) {
  aot_code *code = aot_code_from_desc(native);
  if (!code) {
    snprintf(err, err_size, "out of memory");
    return false;
  }
  bool ok = aot_attach(inst, code, err, err_size);
  aot_code_release(code); /* the instance holds its own reference */
  return ok;
}

int aot_native_main(int argc, char **argv, const aot_desc *d) {
  return pk_stub_native_main(argc, argv, d, attach);
}
