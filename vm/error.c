#include "vm/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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

void vm_srcmap_free(vm_srcmap *m) {
  free(m->at);
  m->at = NULL;
  m->n = 0;
}

void vm_srcmap_locate(const vm_srcmap *m, vm_error *err) {
  if (err->line > 0 || err->kind == VM_ERR_IO || err->kind == VM_ERR_OOM) return;
  /* The last entry at or before the offset: binary search. */
  size_t lo = 0, hi = m->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->at[mid].offset <= err->offset) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return;
  err->line = m->at[lo - 1].line;
  err->col = m->at[lo - 1].col;
}
