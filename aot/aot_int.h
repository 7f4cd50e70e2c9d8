/* AOT internals shared by the aot/ sources. */
#ifndef FERRY_AOT_AOT_INT_H
#define FERRY_AOT_AOT_INT_H

#include "aot/aot.h"

/* One instance's AOT state: rt_func.code of each of its defined functions.
 * `tmpl` is copied into the aot_env of every entry (aot_rt_enter). */
typedef struct {
  aot_env tmpl;
  aot_code *code;
  uint32_t refs;       /* functions pointing here */
  uint32_t *type_ids;
  /* Tiering: the interpreter IR the functions had (rt_func.code and
   * code_free), kept for activations still running it. */
  uint32_t nkept;
  void **kept;
  void (**kept_free)(void *);
} aot_inst;

struct aot_code {
  uint32_t refs;
  uint32_t nfuncs;
  void **fn;            /* per defined function */
  aot_wrap_fn *wrap;
  aot_osr_fn *osr;      /* per defined function, NULL where none (tiering) */
  bool owned;           /* fn/wrap/regions are ours to free */
  /* Executable regions (os_reserve'd) holding the compiled chunks. */
  uint32_t nregions;
  void **region;
  size_t *region_size;
};

/* aot_tier_instance's second half: makes `code` (with OSR entries) inst's
 * tier state, and unless keep_interpreted points the defined functions at
 * it, keeping their interpreter IR. */
bool aot_attach_tiered(rt_instance *inst, aot_code *code,
                       bool keep_interpreted, char *err, size_t err_size);

/* aot_compile_tcc of inst's module under its engine's libtcc lock. */
aot_code *aot_compile_instance(rt_instance *inst, bool osr, char *err,
                               size_t err_size);

#endif
