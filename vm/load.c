#include "vm/load.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/os_proc.h"
#include "vm/validate.h"
#include "vm/wat.h"

bool vm_read_file(const char *path, uint8_t **data, size_t *size,
                  vm_error *err) {
  int e = os_file_read_all(path, data, size);
  if (e == OS_ENOMEM) return vm_fail(err, VM_ERR_OOM, 0, "out of memory reading the file");
  if (e) return vm_fail(err, VM_ERR_IO, 0, "cannot open: %s", os_error_text(e));
  return true;
}

bool vm_is_binary(const uint8_t *bytes, size_t size) {
  return size >= 4 && memcmp(bytes, "\0asm", 4) == 0;
}

bool vm_to_binary(const uint8_t *bytes, size_t size, uint8_t **out,
                  size_t *out_size, vm_error *err) {
  if (vm_is_binary(bytes, size)) {
    *out = malloc(size ? size : 1);
    if (!*out) return vm_fail(err, VM_ERR_OOM, 0, "out of memory");
    memcpy(*out, bytes, size);
    *out_size = size;
    return true;
  }
  return vm_wat_to_wasm((const char *)bytes, size, out, out_size, err);
}

vm_module *vm_load(const uint8_t *bytes, size_t size, bool validate,
                   vm_error *err) {
  vm_module *m;
  vm_srcmap map = {0};
  if (vm_is_binary(bytes, size)) {
    m = vm_decode(bytes, size, err);
  } else {
    uint8_t *bin;
    size_t bin_size;
    if (!vm_wat_encode((const char *)bytes, size, &bin, &bin_size, &map, err))
      return NULL;
    m = vm_decode_owned(bin, bin_size, err);
  }
  if (m && validate && !vm_validate(m, err)) {
    vm_module_free(m);
    m = NULL;
  }
  /* A text module's errors point at its text, not at the encoded bytes. */
  if (!m) vm_srcmap_locate(&map, err);
  vm_srcmap_free(&map);
  return m;
}

vm_module *vm_load_file(const char *path, bool validate, vm_error *err) {
  uint8_t *data;
  size_t size;
  if (!vm_read_file(path, &data, &size, err)) return NULL;
  vm_module *m = vm_load(data, size, validate, err);
  free(data);
  return m;
}
