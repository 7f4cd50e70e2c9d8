/* A bounded cursor over bytes, with the exact LEB128 rules of spec 5.2.2:
 * an encoding may use at most ceil(N/7) bytes, and the unused bits of its
 * last byte must be a zero (unsigned) or sign (signed) extension. */
#ifndef FERRY_VM_READER_H
#define FERRY_VM_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/error.h"

typedef struct {
  const uint8_t *base; /* start of the whole binary (offsets are from here) */
  size_t pos, end;     /* current position and end of the readable range */
  vm_error *err;
  /* Message used when a read runs past `end`: "unexpected end" at the top
   * level, "unexpected end of section or function" inside a section. */
  const char *eof_msg;
} vm_reader;

void vm_reader_init(vm_reader *r, const uint8_t *base, size_t pos, size_t end,
                    vm_error *err);

/* Each returns true on success; on failure records a VM_ERR_MALFORMED error
 * at the offending offset in r->err and returns false.
 * vm_read_u8, vm_read_u32 and vm_read_s32 are inline, below. */
bool vm_read_bytes(vm_reader *r, size_t n, const uint8_t **out);
bool vm_read_s33(vm_reader *r, int64_t *out);
bool vm_read_u64(vm_reader *r, uint64_t *out);
bool vm_read_s64(vm_reader *r, int64_t *out);
bool vm_read_f32(vm_reader *r, uint32_t *bits);
bool vm_read_f64(vm_reader *r, uint64_t *bits);

/* A vector length that must be plausible: each element takes at least
 * `min_elem_size` bytes, so a count larger than what remains is rejected
 * before anything is allocated. */
bool vm_read_count(vm_reader *r, uint32_t min_elem_size, uint32_t *out);

/* A name: u32 length then that many bytes of valid UTF-8. */
bool vm_read_name(vm_reader *r, const uint8_t **bytes, uint32_t *len);

bool vm_utf8_valid(const uint8_t *s, size_t len);

static inline bool vm_reader_eof(const vm_reader *r) { return r->pos >= r->end; }
static inline size_t vm_reader_left(const vm_reader *r) { return r->end - r->pos; }

/* The readers that run for nearly every instruction read are inline: the
 * common case (a byte left, a one-byte LEB128) costs a compare and a load.
 * Everything else (longer encodings, the checks of spec 5.2.2, the error at
 * the end) is in the out-of-line _slow functions. */
bool vm_read_u8_slow(vm_reader *r, uint8_t *out);
bool vm_read_u32_slow(vm_reader *r, uint32_t *out);
bool vm_read_s32_slow(vm_reader *r, int32_t *out);

static inline bool vm_read_u8(vm_reader *r, uint8_t *out) {
  if (r->pos >= r->end) return vm_read_u8_slow(r, out);
  *out = r->base[r->pos++];
  return true;
}

static inline bool vm_read_u32(vm_reader *r, uint32_t *out) {
  if (r->pos < r->end && r->base[r->pos] < 0x80) {
    *out = r->base[r->pos++];
    return true;
  }
  return vm_read_u32_slow(r, out);
}

static inline bool vm_read_s32(vm_reader *r, int32_t *out) {
  if (r->pos < r->end && r->base[r->pos] < 0x80) {
    /* The 7-bit payload, sign-extended from bit 6. */
    *out = (int8_t)(r->base[r->pos++] << 1) >> 1;
    return true;
  }
  return vm_read_s32_slow(r, out);
}

#endif
