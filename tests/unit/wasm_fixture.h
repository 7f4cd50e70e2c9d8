/* What the runtime-level unit tests share: an engine and store per test,
 * and modules written in WAT, loaded (encoded, decoded, validated) or the
 * test fails with the stage's message. Include after <cmocka.h>. */
#ifndef FERRY_TESTS_UNIT_WASM_FIXTURE_H
#define FERRY_TESTS_UNIT_WASM_FIXTURE_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt.h"
#include "vm/module.h"
#include "vm/validate.h"
#include "vm/wat.h"

typedef struct {
  rt_engine *engine;
  rt_store *store;
} fixture;

static inline bool fixture_init(fixture *fx) {
  fx->engine = rt_engine_new();
  fx->store = fx->engine ? rt_store_new(fx->engine) : NULL;
  return fx->store != NULL;
}

static inline void fixture_fini(fixture *fx) {
  rt_store_free(fx->store);
  rt_engine_free(fx->engine);
}

/* cmocka setup/teardown forms. */
static inline int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  if (!fx || !fixture_init(fx)) return -1;
  *state = fx;
  return 0;
}

static inline int teardown(void **state) {
  fixture_fini(*state);
  free(*state);
  return 0;
}

static inline vm_module *load_wat(const char *src) {
  uint8_t *bin = NULL;
  size_t n = 0;
  vm_error err;
  memset(&err, 0, sizeof err);
  if (!vm_wat_to_wasm(src, strlen(src), &bin, &n, &err))
    fail_msg("wat: %d:%d: %s", err.line, err.col, err.msg);
  vm_module *m = vm_decode_owned(bin, n, &err);
  if (!m) fail_msg("decode: %s", err.msg);
  if (!vm_validate(m, &err)) fail_msg("validate: %s", err.msg);
  return m;
}

#endif
