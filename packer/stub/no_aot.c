/* The AOT hook for stubs built without libtcc (the --mode interp stubs,
 * packer/stubs.mk): runtime/instance.c calls aot_prepare_instance for
 * RT_ENGINE_AOT, and linking this instead of aot/ keeps libtcc and the C
 * emitter out of the stub. A payload packed with --mode tcc then fails
 * with this message instead of running on the wrong engine. */
#include <stdio.h>

#include "aot/aot.h"

bool aot_prepare_instance(rt_instance *inst, char *err, size_t err_size) {
  (void)inst;
  snprintf(err, err_size,
           "this executable's runtime has no libtcc for --mode tcc "
           "(pack with a -tcc stub)");
  return false;
}
