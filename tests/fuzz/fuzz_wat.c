/* libFuzzer harness: arbitrary text through the WAT parser, and whatever it
 * encodes through the decoder and validator. */
#include <stdlib.h>

#include "vm/module.h"
#include "vm/validate.h"
#include "vm/wat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *bin;
  size_t bin_size;
  vm_error err = {0};
  if (!vm_wat_to_wasm((const char *)data, size, &bin, &bin_size, &err))
    return 0;
  vm_module *m = vm_decode_owned(bin, bin_size, &err);
  if (!m) return 0;
  vm_validate(m, &err);
  vm_module_free(m);
  return 0;
}
