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

/* Tiering needs libtcc too: a tiered instance stays interpreted. */
bool aot_tier_instance(rt_instance *inst, bool keep_interpreted, char *err,
                       size_t err_size) {
  (void)inst;
  (void)keep_interpreted;
  snprintf(err, err_size, "this executable's runtime has no libtcc");
  return false;
}

bool aot_osr(rt_exec *ex, rt_func *f, uint64_t *fp, uint32_t at) {
  (void)ex;
  (void)f;
  (void)fp;
  (void)at;
  return false;
}

/* ferry bench's compile-time column (a ferry built without libtcc, as for
 * the riscv64 spec run, packer/stubs.mk). */
aot_code *aot_compile_tcc(const vm_module *m, os_mutex *lock, bool osr,
                          char *err, size_t err_size) {
  (void)m;
  (void)lock;
  (void)osr;
  snprintf(err, err_size, "this ferry has no libtcc");
  return NULL;
}
