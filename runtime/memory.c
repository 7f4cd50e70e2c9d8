/* Linear memories (DESIGN.md decision 4).
 *
 * Guard-page build (64-bit hosts): a memory reserves RT_MEMORY_RESERVE bytes
 * of inaccessible address space once and commits pages as it grows, so its
 * base never moves and any wasm access past the committed size faults; the
 * fault handler (trap.c) turns the fault into "out of bounds memory access".
 *
 * Bounds-checked build (-DFERRY_BOUNDS_CHECK): the bytes are allocated
 * exactly with calloc/realloc and engines check every access. The base may
 * move on grow.
 */
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_int.h"

static rt_memory *memory_create(rt_store *s, uint64_t pages, uint64_t max,
                                bool has_max) {
  if (!has_max || max > RT_MAX_PAGES) max = RT_MAX_PAGES;
  if (pages > max) return NULL;
  rt_memory *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  m->size = pages * RT_PAGE_SIZE;
  m->max_pages = max;
  m->has_max = has_max;
#if RT_GUARD_PAGES
  m->base = os_reserve((size_t)RT_MEMORY_RESERVE);
  if (!m->base) goto fail;
  m->reserved = (size_t)RT_MEMORY_RESERVE;
  if (!os_commit(m->base, (size_t)m->size)) goto fail;
#else
  if (m->size > SIZE_MAX) goto fail;
  /* Never NULL, even for 0 pages, so base + 0 is a valid pointer. */
  m->base = calloc(m->size ? (size_t)m->size : 1, 1);
  if (!m->base) goto fail;
#endif
  if (!rt_ptrvec_push(&s->memories, m)) goto fail;
  return m;
fail:
  rt_memory_free(m);
  return NULL;
}

rt_memory *rt_memory_new(rt_store *s, uint64_t pages, uint64_t max_pages) {
  return memory_create(s, pages, max_pages, max_pages < RT_MAX_PAGES);
}

rt_memory *rt_memory_new_limits(rt_store *s, const vm_limits *limits) {
  return memory_create(s, limits->min, limits->max, limits->has_max);
}

void rt_memory_free(rt_memory *m) {
  if (!m) return;
#if RT_GUARD_PAGES
  os_release(m->base, m->reserved);
#else
  free(m->base);
#endif
  free(m);
}

int64_t rt_memory_grow(rt_memory *mem, uint64_t delta) {
  uint64_t old = mem->size / RT_PAGE_SIZE;
  /* Spec 4.4.7 memory.grow: failing is allowed and returns -1; growing past
   * the max (or 65536 pages) must fail. */
  if (delta > mem->max_pages - old) return -1;
  if (delta == 0) return (int64_t)old;
  uint64_t add = delta * RT_PAGE_SIZE;
#if RT_GUARD_PAGES
  if (!os_commit(mem->base + mem->size, (size_t)add)) return -1;
#else
  uint64_t size = mem->size + add;
  if (size > SIZE_MAX) return -1;
  uint8_t *p = realloc(mem->base, (size_t)size);
  if (!p) return -1;
  memset(p + mem->size, 0, (size_t)add);
  mem->base = p;
#endif
  mem->size += add;
  return (int64_t)old;
}

/* ---- bulk memory instructions (spec 4.4.7) ----
 * Wasm 2.0 checks the whole range before touching anything (the bulk memory
 * proposal changed this from byte-by-byte writing), so a trapping
 * instruction writes nothing. Addresses are i32 zero-extended to u64, so the
 * sums below cannot overflow. */

void rt_memory_fill(rt_exec *ex, rt_memory *m, uint64_t d, uint32_t val,
                    uint64_t n) {
  if (!rt_memory_in_bounds(m, d, n)) rt_trap(ex, RT_TRAP_MEMORY_OOB);
  if (n) memset(m->base + d, (int)(val & 0xff), (size_t)n);
}

void rt_memory_copy(rt_exec *ex, rt_memory *dst, rt_memory *src, uint64_t d,
                    uint64_t s, uint64_t n) {
  if (!rt_memory_in_bounds(dst, d, n) || !rt_memory_in_bounds(src, s, n))
    rt_trap(ex, RT_TRAP_MEMORY_OOB);
  /* Overlap is allowed and behaves like a copy through a buffer. */
  if (n) memmove(dst->base + d, src->base + s, (size_t)n);
}

void rt_memory_init(rt_exec *ex, rt_instance *inst, uint32_t mem,
                    uint32_t data, uint64_t d, uint64_t s, uint64_t n) {
  rt_memory *m = inst->memories[mem];
  const rt_data_inst *seg = &inst->datas[data];
  /* A dropped segment has size 0: only n == 0 at s == 0 succeeds. */
  if (s > seg->size || n > seg->size - s || !rt_memory_in_bounds(m, d, n))
    rt_trap(ex, RT_TRAP_MEMORY_OOB);
  if (n) memcpy(m->base + d, seg->bytes + s, (size_t)n);
}

void rt_data_drop(rt_instance *inst, uint32_t data) {
  inst->datas[data].bytes = NULL;
  inst->datas[data].size = 0;
}
