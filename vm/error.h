/* Load-time errors: a kind (which phase rejected the input), the spec's
 * wording as message, and where in the input it applies. */
#ifndef FERRY_VM_ERROR_H
#define FERRY_VM_ERROR_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
  VM_OK = 0,
  VM_ERR_MALFORMED, /* binary or text does not parse (assert_malformed) */
  VM_ERR_INVALID,   /* parses, but does not validate (assert_invalid) */
  VM_ERR_IO,        /* file cannot be read */
  VM_ERR_OOM,
} vm_error_kind;

typedef struct vm_error {
  vm_error_kind kind;
  size_t offset; /* byte offset in the binary */
  int line, col; /* 1-based position in a text source, 0 when binary */
  char msg[256];
} vm_error;

/* Records the first error only; later calls keep the first. Returns 0 so
 * callers can `return vm_fail(...)` from functions returning a status. */
int vm_fail(vm_error *err, vm_error_kind kind, size_t offset, const char *fmt,
            ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Where the bytes of a binary encoded from text came from: entries sorted
 * by offset, one per instruction and per module field (vm_wat_encode). */
typedef struct {
  uint32_t offset;
  int line, col;
} vm_srcpos;

typedef struct {
  vm_srcpos *at;
  size_t n;
} vm_srcmap;

void vm_srcmap_free(vm_srcmap *m);
/* Gives an error about the encoded binary (decoding, validation) the text
 * position of the instruction or field its offset falls in. */
void vm_srcmap_locate(const vm_srcmap *m, vm_error *err);

/* Formats "FILE:0xOFFSET: msg" or "FILE:LINE:COL: msg" into buf. */
void vm_error_format(const vm_error *err, const char *file, char *buf,
                     size_t size);

#endif
