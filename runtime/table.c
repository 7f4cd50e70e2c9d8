/* Tables: arrays of references (rt_func* for funcref, the embedder's
 * non-zero values for externref; 0 is null in both), and the table
 * instructions whose bounds rules both engines share (spec 4.4.6). */
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_int.h"

static rt_table *table_create(rt_store *s, uint8_t elemtype, uint32_t size,
                              uint32_t max, bool has_max, uintptr_t init) {
  if (!has_max) max = UINT32_MAX;
  if (size > max || size > RT_TABLE_LIMIT) return NULL;
  rt_table *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->elemtype = elemtype;
  t->size = size;
  t->max = max;
  t->has_max = has_max;
  /* Never NULL, so engines may index without a size-0 special case. */
  t->elems = malloc((size ? size : 1) * sizeof *t->elems);
  if (!t->elems) goto fail;
  for (uint32_t i = 0; i < size; i++) t->elems[i] = init;
  if (!rt_ptrvec_push(&s->tables, t)) goto fail;
  return t;
fail:
  rt_table_free(t);
  return NULL;
}

rt_table *rt_table_new(rt_store *s, uint8_t elemtype, uint32_t size,
                       uint32_t max, uintptr_t init) {
  return table_create(s, elemtype, size, max, max != UINT32_MAX, init);
}

rt_table *rt_table_new_type(rt_store *s, const vm_tabletype *type,
                            uintptr_t init) {
  /* Validation bounds table limits by 2^32 - 1 (spec 3.2.4). */
  return table_create(s, type->elemtype, (uint32_t)type->limits.min,
                      (uint32_t)type->limits.max, type->limits.has_max, init);
}

void rt_table_free(rt_table *t) {
  if (!t) return;
  free(t->elems);
  free(t);
}

int64_t rt_table_grow(rt_table *t, uint32_t delta, uintptr_t init) {
  uint32_t old = t->size;
  if (delta > t->max - old || delta > RT_TABLE_LIMIT - old) return -1;
  if (delta == 0) return old;
  uint32_t size = old + delta;
  uintptr_t *e = realloc(t->elems, (size_t)size * sizeof *e);
  if (!e) return -1;
  for (uint32_t i = old; i < size; i++) e[i] = init;
  t->elems = e;
  t->size = size;
  return old;
}

static bool in_table(const rt_table *t, uint64_t i, uint64_t n) {
  return i <= t->size && n <= t->size - i;
}

void rt_table_fill(rt_exec *ex, rt_table *t, uint64_t d, uintptr_t val,
                   uint64_t n) {
  if (!in_table(t, d, n)) rt_trap(ex, RT_TRAP_TABLE_OOB);
  for (uint64_t i = 0; i < n; i++) t->elems[d + i] = val;
}

void rt_table_copy(rt_exec *ex, rt_table *dst, rt_table *src, uint64_t d,
                   uint64_t s, uint64_t n) {
  if (!in_table(dst, d, n) || !in_table(src, s, n))
    rt_trap(ex, RT_TRAP_TABLE_OOB);
  if (n) memmove(dst->elems + d, src->elems + s, (size_t)n * sizeof(uintptr_t));
}

void rt_table_init(rt_exec *ex, rt_instance *inst, uint32_t table,
                   uint32_t elem, uint64_t d, uint64_t s, uint64_t n) {
  rt_table *t = inst->tables[table];
  const rt_elem_inst *seg = &inst->elems[elem];
  /* A dropped segment has count 0 (spec 4.4.6 elem.drop). */
  if (s > seg->count || n > seg->count - s || !in_table(t, d, n))
    rt_trap(ex, RT_TRAP_TABLE_OOB);
  if (n) memcpy(t->elems + d, seg->refs + s, (size_t)n * sizeof(uintptr_t));
}

void rt_elem_drop(rt_instance *inst, uint32_t elem) {
  rt_elem_inst *seg = &inst->elems[elem];
  free(seg->refs);
  seg->refs = NULL;
  seg->count = 0;
}
