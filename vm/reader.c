#include "vm/reader.h"

#include <string.h>

void vm_reader_init(vm_reader *r, const uint8_t *base, size_t pos, size_t end,
                    vm_error *err) {
  r->base = base;
  r->pos = pos;
  r->end = end;
  r->err = err;
  r->eof_msg = "unexpected end";
}

/* Returns a literal false (not vm_fail's result) so that gcc -O2 sees the
 * failure path and does not warn that out-parameters may be uninitialized. */
static bool eof(vm_reader *r) {
  vm_fail(r->err, VM_ERR_MALFORMED, r->pos, "%s", r->eof_msg);
  return false;
}

/* The inline vm_read_u8 reads every other byte: this is the end of range. */
bool vm_read_u8_slow(vm_reader *r, uint8_t *out) {
  if (r->pos >= r->end) return eof(r);
  *out = r->base[r->pos++];
  return true;
}

bool vm_read_bytes(vm_reader *r, size_t n, const uint8_t **out) {
  if (n > r->end - r->pos) return eof(r);
  *out = r->base + r->pos;
  r->pos += n;
  return true;
}

/* Unsigned LEB128 of at most `bits` bits (spec 5.2.2). */
static bool read_uleb(vm_reader *r, unsigned bits, uint64_t *out) {
  /* Most LEB128s in code are one byte; that case needs none of the range
   * checks below (bits is at least 32). */
  if (r->pos < r->end && r->base[r->pos] < 0x80) {
    *out = r->base[r->pos++];
    return true;
  }
  uint64_t result = 0;
  unsigned shift = 0;
  size_t start = r->pos;
  for (;;) {
    uint8_t b;
    if (!vm_read_u8(r, &b)) return false;
    if (shift + 7 >= bits) {
      /* Last permitted byte: no continuation, and the bits above `bits`
       * must be zero. */
      if (b & 0x80)
        return vm_fail(r->err, VM_ERR_MALFORMED, start,
                       "integer representation too long");
      if (bits - shift < 7 && (b >> (bits - shift)) != 0)
        return vm_fail(r->err, VM_ERR_MALFORMED, start, "integer too large");
    }
    result |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
    shift += 7;
  }
  *out = result;
  return true;
}

/* Signed LEB128 of at most `bits` bits: the unused bits of the last byte must
 * all equal the sign bit. */
static bool read_sleb(vm_reader *r, unsigned bits, int64_t *out) {
  /* The common one-byte case (bits is at least 32): the 7-bit payload,
   * sign-extended. */
  if (r->pos < r->end && r->base[r->pos] < 0x80) {
    *out = (int8_t)(r->base[r->pos++] << 1) >> 1;
    return true;
  }
  uint64_t result = 0;
  unsigned shift = 0;
  size_t start = r->pos;
  uint8_t b;
  for (;;) {
    if (!vm_read_u8(r, &b)) return false;
    if (shift + 7 >= bits) {
      if (b & 0x80)
        return vm_fail(r->err, VM_ERR_MALFORMED, start,
                       "integer representation too long");
      unsigned used = bits - shift; /* value bits in this byte, 1..7 */
      if (used < 7) {
        int8_t sx = (int8_t)(b << 1) >> 1;  /* the 7-bit payload, signed */
        int8_t top = (int8_t)(sx >> (used - 1)); /* sign and unused bits */
        if (top != 0 && top != -1)
          return vm_fail(r->err, VM_ERR_MALFORMED, start, "integer too large");
      }
    }
    result |= (uint64_t)(b & 0x7f) << shift;
    shift += 7;
    if (!(b & 0x80)) break;
  }
  if (shift < 64 && (b & 0x40)) result |= ~(uint64_t)0 << shift;
  *out = (int64_t)result;
  return true;
}

/* Multi-byte u32s (function indices, offsets) are common enough in code to
 * get a plain loop for the valid encodings; anything else is reread by
 * read_uleb, which has the checks and messages. */
bool vm_read_u32_slow(vm_reader *r, uint32_t *out) {
  size_t p = r->pos, end = r->end - p < 5 ? r->end : p + 5;
  uint32_t v = 0;
  for (unsigned shift = 0; p < end; shift += 7) {
    uint8_t b = r->base[p++];
    v |= (uint32_t)(b & 0x7f) << shift;
    if (b < 0x80) {
      if (shift == 28 && b > 0x0f) break; /* bits above 32: an error */
      r->pos = p;
      *out = v;
      return true;
    }
  }
  uint64_t v64;
  if (!read_uleb(r, 32, &v64)) return false;
  *out = (uint32_t)v64;
  return true;
}

bool vm_read_u64(vm_reader *r, uint64_t *out) { return read_uleb(r, 64, out); }

/* As vm_read_u32_slow: valid encodings in a loop, the rest by read_sleb. */
bool vm_read_s32_slow(vm_reader *r, int32_t *out) {
  size_t p = r->pos, end = r->end - p < 5 ? r->end : p + 5;
  uint32_t u = 0;
  for (unsigned shift = 0; p < end; shift += 7) {
    uint8_t b = r->base[p++];
    u |= (uint32_t)(b & 0x7f) << shift;
    if (b < 0x80) {
      /* Sign-extend from the byte's bit 6, unless it is the fifth, which
       * holds bits 28..31: its bits 4..6 are unused and must repeat bit 3,
       * the sign. */
      if (shift < 28 && (b & 0x40)) u |= ~(uint32_t)0 << (shift + 7);
      if (shift == 28 && b > 0x07 && b < 0x78) break;
      r->pos = p;
      *out = (int32_t)u;
      return true;
    }
  }
  int64_t v;
  if (!read_sleb(r, 32, &v)) return false;
  *out = (int32_t)v;
  return true;
}

bool vm_read_s33(vm_reader *r, int64_t *out) { return read_sleb(r, 33, out); }
bool vm_read_s64(vm_reader *r, int64_t *out) { return read_sleb(r, 64, out); }

bool vm_read_f32(vm_reader *r, uint32_t *bits) {
  const uint8_t *p;
  if (!vm_read_bytes(r, 4, &p)) return false;
  *bits = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
          (uint32_t)p[3] << 24;
  return true;
}

bool vm_read_f64(vm_reader *r, uint64_t *bits) {
  const uint8_t *p;
  if (!vm_read_bytes(r, 8, &p)) return false;
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  *bits = v;
  return true;
}

bool vm_read_count(vm_reader *r, uint32_t min_elem_size, uint32_t *out) {
  size_t at = r->pos;
  if (!vm_read_u32(r, out)) return false;
  if (min_elem_size && *out > vm_reader_left(r) / min_elem_size) {
    r->pos = at;
    return vm_fail(r->err, VM_ERR_MALFORMED, at, "%s", r->eof_msg);
  }
  return true;
}

bool vm_read_name(vm_reader *r, const uint8_t **bytes, uint32_t *len) {
  size_t at = r->pos;
  if (!vm_read_u32(r, len)) return false;
  if (*len > vm_reader_left(r))
    return vm_fail(r->err, VM_ERR_MALFORMED, at, "length out of bounds");
  if (!vm_read_bytes(r, *len, bytes)) return false;
  if (!vm_utf8_valid(*bytes, *len))
    return vm_fail(r->err, VM_ERR_MALFORMED, at, "malformed UTF-8 encoding");
  return true;
}

/* UTF-8 as Unicode defines it: shortest form, no surrogates, <= U+10FFFF. */
bool vm_utf8_valid(const uint8_t *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    uint8_t c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t n;
    uint32_t cp, min;
    if ((c & 0xe0) == 0xc0) n = 1, cp = c & 0x1f, min = 0x80;
    else if ((c & 0xf0) == 0xe0) n = 2, cp = c & 0x0f, min = 0x800;
    else if ((c & 0xf8) == 0xf0) n = 3, cp = c & 0x07, min = 0x10000;
    else return false;
    if (n > len - i - 1) return false;
    for (size_t k = 1; k <= n; k++) {
      if ((s[i + k] & 0xc0) != 0x80) return false;
      cp = cp << 6 | (s[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}
