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
} aot_inst;

struct aot_code {
  uint32_t refs;
  uint32_t nfuncs;
  void **fn;            /* per defined function */
  aot_wrap_fn *wrap;
  bool owned;           /* fn/wrap/regions are ours to free */
  /* Executable regions (os_reserve'd) holding the compiled chunks. */
  uint32_t nregions;
  void **region;
  size_t *region_size;
};

#endif
