#include "vm/error.h"

#include <stdarg.h>
#include <stdio.h>

int vm_fail(vm_error *err, vm_error_kind kind, size_t offset, const char *fmt,
            ...) {
  if (!err || err->kind != VM_OK) return 0; /* keep the first error */
  err->kind = kind;
  err->offset = offset;
  err->line = err->col = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  return 0;
}

void vm_error_format(const vm_error *err, const char *file, char *buf,
                     size_t size) {
  if (err->line > 0)
    snprintf(buf, size, "%s:%d:%d: %s", file, err->line, err->col, err->msg);
  else if (err->kind == VM_ERR_IO || err->kind == VM_ERR_OOM)
    snprintf(buf, size, "%s: %s", file, err->msg);
  else
    snprintf(buf, size, "%s:0x%zx: %s", file, err->offset, err->msg);
}
