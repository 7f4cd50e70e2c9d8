/* libFuzzer harness: arbitrary bytes through the decoder, the validator and
 * the canonical dump. Nothing may crash, leak or read out of bounds. */
#include <stdio.h>

#include "vm/dump.h"
#include "vm/module.h"
#include "vm/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vm_error err = {0};
  vm_module *m = vm_decode(data, size, &err);
  if (!m) return 0;
  if (vm_validate(m, &err)) {
    FILE *sink = fopen("/dev/null", "w");
    if (sink) {
      vm_dump_canonical(sink, m);
      fclose(sink);
    }
  }
  vm_module_free(m);
  return 0;
}
