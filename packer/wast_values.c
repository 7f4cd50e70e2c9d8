#include "packer/wast_values.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "vm/module.h"

uint32_t wast_value_to_slots(const wast_value *v, uint64_t *slots) {
  switch (v->type) {
  case VM_V128:
    memcpy(slots, v->v128, 16);
    return 2;
  case VM_I32: case VM_F32:
    slots[0] = (uint32_t)v->bits;
    return 1;
  case VM_FUNCREF: case VM_EXTERNREF:
    slots[0] = v->is_null ? 0 : v->bits + 1;
    return 1;
  default:
    slots[0] = v->bits;
    return 1;
  }
}

/* spec test conventions (testsuite README): a canonical NaN has only the
 * quiet bit of the payload set; an arithmetic NaN has the quiet bit set and
 * any other payload bits. Either sign. */
static bool f32_matches(uint8_t nan, uint32_t want, uint32_t got) {
  switch (nan) {
  case WAST_NAN_CANONICAL: return (got & 0x7fffffffu) == 0x7fc00000u;
  case WAST_NAN_ARITHMETIC: return (got & 0x7fc00000u) == 0x7fc00000u;
  default: return got == want;
  }
}

static bool f64_matches(uint8_t nan, uint64_t want, uint64_t got) {
  switch (nan) {
  case WAST_NAN_CANONICAL:
    return (got & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
  case WAST_NAN_ARITHMETIC:
    return (got & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
  default: return got == want;
  }
}

static bool v128_matches(const wast_value *e, const uint8_t *got) {
  switch (e->shape) {
  case WAST_F32X4:
    for (int i = 0; i < 4; i++) {
      uint32_t w, g;
      memcpy(&w, e->v128 + 4 * i, 4);
      memcpy(&g, got + 4 * i, 4);
      if (!f32_matches(e->nan[i], w, g)) return false;
    }
    return true;
  case WAST_F64X2:
    for (int i = 0; i < 2; i++) {
      uint64_t w, g;
      memcpy(&w, e->v128 + 8 * i, 8);
      memcpy(&g, got + 8 * i, 8);
      if (!f64_matches(e->nan[i], w, g)) return false;
    }
    return true;
  default:
    return memcmp(e->v128, got, 16) == 0;
  }
}

bool wast_value_matches(const wast_value *e, uint8_t type,
                        const uint64_t *slots) {
  if (e->type != type) return false;
  switch (type) {
  case VM_I32: return (uint32_t)slots[0] == (uint32_t)e->bits;
  case VM_I64: return slots[0] == e->bits;
  case VM_F32: return f32_matches(e->nan[0], (uint32_t)e->bits, (uint32_t)slots[0]);
  case VM_F64: return f64_matches(e->nan[0], e->bits, slots[0]);
  case VM_V128: return v128_matches(e, (const uint8_t *)slots);
  case VM_FUNCREF: case VM_EXTERNREF:
    if (e->is_null) return slots[0] == 0;
    if (e->any_ref) return slots[0] != 0;
    return slots[0] == e->bits + 1;
  default: return false;
  }
}

static void format_bits(uint8_t type, const uint8_t *v128, uint64_t bits,
                        bool null, char *buf, size_t size) {
  switch (type) {
  case VM_I32:
    snprintf(buf, size, "i32:%" PRIu32, (uint32_t)bits);
    break;
  case VM_I64:
    snprintf(buf, size, "i64:%" PRIu64, bits);
    break;
  case VM_F32: {
    float f;
    uint32_t b = (uint32_t)bits;
    memcpy(&f, &b, 4);
    snprintf(buf, size, "f32:%.9g (0x%08" PRIx32 ")", f, b);
    break;
  }
  case VM_F64: {
    double d;
    memcpy(&d, &bits, 8);
    snprintf(buf, size, "f64:%.17g (0x%016" PRIx64 ")", d, bits);
    break;
  }
  case VM_V128: {
    int n = snprintf(buf, size, "v128:");
    for (int i = 0; i < 16 && n > 0 && (size_t)n < size; i++)
      n += snprintf(buf + n, size - (size_t)n, "%02x", v128[i]);
    break;
  }
  default:
    if (null) snprintf(buf, size, "%s:null", vm_valtype_name(type));
    else snprintf(buf, size, "%s:%" PRIu64, vm_valtype_name(type), bits);
  }
}

void wast_format_slots(uint8_t type, const uint64_t *slots, char *buf,
                       size_t size) {
  bool ref = type == VM_FUNCREF || type == VM_EXTERNREF;
  /* Externs print as the script's N (stored as N + 1). */
  uint64_t bits = ref && slots[0] && type == VM_EXTERNREF ? slots[0] - 1 : slots[0];
  format_bits(type, (const uint8_t *)slots, bits, ref && !slots[0], buf, size);
}

void wast_format_value(const wast_value *v, char *buf, size_t size) {
  if (v->nan[0] && v->type != VM_V128)
    snprintf(buf, size, "%s:nan:%s", vm_valtype_name(v->type),
             v->nan[0] == WAST_NAN_CANONICAL ? "canonical" : "arithmetic");
  else if (v->any_ref)
    snprintf(buf, size, "%s:any", vm_valtype_name(v->type));
  else
    format_bits(v->type, v->v128, v->bits, v->is_null, buf, size);
}
