/* malloc for the static musl stubs (packer/stubs.mk, Linux targets only).
 *
 * Why: start-up is most of a packed program's run time for small tools,
 * and with musl's allocator it is dominated by page faults and by the
 * mmap/munmap pairs with which that allocator hands memory back as soon as
 * a group of blocks is free. The interpreter allocates and frees growing
 * buffers while it compiles each function, so a packed hello world made
 * ~80 such pairs and ~270 page faults. This allocator never returns small
 * blocks to the system: they go to per-size free lists and are reused, so
 * the same pages serve the whole run (measured: start-up about halved; see
 * README.md, "Shipping an executable").
 *
 * Design: size classes of 16 bytes to 256 KiB in steps of 1/2 and 3/4 of
 * a power of two (at most a third wasted), carved from 1 MiB regions taken
 * through the OS layer (os_reserve/os_commit), each block preceded by a
 * 16-byte header naming its class. Larger blocks get a region of their own
 * and go back to the system when freed. Over-aligned requests are served
 * from a larger block with an offset header in front of the aligned
 * address.
 *
 * State: malloc is process-wide by definition (DESIGN.md decision 11's
 * exception: it replaces libc's own global allocator), so the state is one
 * static struct behind a spin lock; ferry's stub is single-threaded, the
 * lock keeps it correct if that changes. musl supports replacing malloc by
 * defining these functions in the program. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "runtime/os.h"

void *malloc(size_t n);
void free(void *p);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);
void *aligned_alloc(size_t align, size_t n);
int posix_memalign(void **out, size_t align, size_t n);
void *memalign(size_t align, size_t n);
size_t malloc_usable_size(void *p);

enum {
  HDR = 16,                 /* header size, and the alignment of every block */
  NCLASS = 48,
  REGION = 1 << 20,         /* small blocks are carved from regions this big */
  MAX_SMALL = 256 * 1024,   /* above this, a block gets a region of its own */
  TAG_LARGE = 0xffff,       /* header.cls of a block with its own region */
  TAG_OFFSET = 0xfffe       /* header.cls in front of an over-aligned block */
};

typedef struct {
  uint32_t cls;  /* class index, TAG_LARGE or TAG_OFFSET */
  uint32_t pad;
  uint64_t size; /* TAG_LARGE: region size; TAG_OFFSET: distance back */
} header;

typedef struct block {
  struct block *next;
} block;

static struct {
  atomic_flag lock;
  bool ready;
  uint32_t class_size[NCLASS];
  uint32_t nclass;
  block *free_list[NCLASS];
  uint8_t *cur, *end; /* the unused rest of the current region */
} heap = {.lock = ATOMIC_FLAG_INIT};

static void lock(void) {
  while (atomic_flag_test_and_set_explicit(&heap.lock, memory_order_acquire))
    ;
}
static void unlock(void) {
  atomic_flag_clear_explicit(&heap.lock, memory_order_release);
}

/* 16, 32, 48, 64, 96, 128, 192, 256, ...: a power of two and 1.5 times
 * one, all multiples of HDR. */
static void init_classes(void) {
  uint32_t n = 0;
  for (uint32_t p = 16; p <= MAX_SMALL && n < NCLASS; p *= 2) {
    heap.class_size[n++] = p;
    if (p >= 32 && p + p / 2 <= MAX_SMALL && n < NCLASS)
      heap.class_size[n++] = p + p / 2;
  }
  heap.nclass = n;
  heap.ready = true;
}

static int class_of(size_t n) {
  for (uint32_t i = 0; i < heap.nclass; i++)
    if (n <= heap.class_size[i]) return (int)i;
  return -1;
}

static size_t page_round(size_t n) {
  size_t pg = os_page_size();
  return (n + pg - 1) / pg * pg;
}

/* Fresh memory from the system: reserved and committed in one go. */
static void *system_alloc(size_t size) {
  void *p = os_reserve(size);
  if (p && !os_commit(p, size)) {
    os_release(p, size);
    p = NULL;
  }
  return p;
}

static void *alloc_small(int c) {
  block *b = heap.free_list[c];
  if (b) {
    heap.free_list[c] = b->next;
    return b;
  }
  size_t need = HDR + heap.class_size[c];
  if ((size_t)(heap.end - heap.cur) < need) {
    /* The rest of the old region is dropped: at most one block's worth. */
    uint8_t *r = system_alloc(REGION);
    if (!r) return NULL;
    heap.cur = r;
    heap.end = r + REGION;
  }
  header *h = (header *)heap.cur;
  h->cls = (uint32_t)c;
  heap.cur += need;
  return (uint8_t *)h + HDR;
}

void *malloc(size_t n) {
  void *p = NULL;
  if (n > SIZE_MAX / 2) return NULL;
  lock();
  if (!heap.ready) init_classes();
  int c = class_of(n ? n : 1);
  if (c >= 0) {
    p = alloc_small(c);
  } else {
    size_t size = page_round(n + HDR);
    header *h = system_alloc(size);
    if (h) {
      h->cls = TAG_LARGE;
      h->size = size;
      p = (uint8_t *)h + HDR;
    }
  }
  unlock();
  return p;
}

static header *header_of(void *p) { return (header *)((uint8_t *)p - HDR); }

void free(void *p) {
  if (!p) return;
  header *h = header_of(p);
  if (h->cls == TAG_OFFSET) {
    free((uint8_t *)p - h->size);
    return;
  }
  if (h->cls == TAG_LARGE) {
    os_release(h, (size_t)h->size);
    return;
  }
  lock();
  block *b = p;
  b->next = heap.free_list[h->cls];
  heap.free_list[h->cls] = b;
  unlock();
}

size_t malloc_usable_size(void *p) {
  if (!p) return 0;
  header *h = header_of(p);
  if (h->cls == TAG_OFFSET) {
    uint8_t *base = (uint8_t *)p - h->size;
    return malloc_usable_size(base) - (size_t)h->size;
  }
  if (h->cls == TAG_LARGE) return (size_t)h->size - HDR;
  return heap.class_size[h->cls];
}

void *calloc(size_t n, size_t size) {
  if (size && n > SIZE_MAX / size) return NULL;
  void *p = malloc(n * size);
  /* Recycled blocks hold old data; fresh ones are zero, but telling them
   * apart is not worth a branch per allocation. */
  if (p) memset(p, 0, n * size);
  return p;
}

void *realloc(void *p, size_t n) {
  if (!p) return malloc(n);
  size_t have = malloc_usable_size(p);
  /* Growing within the block's class (and shrinking) keeps the block. */
  if (n <= have && header_of(p)->cls != TAG_LARGE) return p;
  void *q = malloc(n);
  if (!q) return NULL;
  memcpy(q, p, have < n ? have : n);
  free(p);
  return q;
}

void *aligned_alloc(size_t align, size_t n) {
  if (!align || (align & (align - 1))) return NULL;
  if (align <= HDR) return malloc(n);
  if (n > SIZE_MAX / 2 - align) return NULL;
  uint8_t *base = malloc(n + align + HDR);
  if (!base) return NULL;
  uintptr_t at = ((uintptr_t)base + HDR + align - 1) & ~(uintptr_t)(align - 1);
  header *h = header_of((void *)at);
  h->cls = TAG_OFFSET;
  h->size = (uint64_t)(at - (uintptr_t)base);
  return (void *)at;
}

int posix_memalign(void **out, size_t align, size_t n) {
  if (align < sizeof(void *) || (align & (align - 1))) return 22; /* EINVAL */
  void *p = aligned_alloc(align, n);
  if (!p) return 12; /* ENOMEM */
  *out = p;
  return 0;
}

void *memalign(size_t align, size_t n) { return aligned_alloc(align, n); }
