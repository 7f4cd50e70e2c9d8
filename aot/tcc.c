/* In-memory compilation with libtcc (DESIGN.md decision 5).
 *
 * libtcc keeps global state and is not thread-safe: every use is under the
 * engine's lock. The module is compiled in chunks of functions, each its own
 * TCCState that is deleted as soon as its code is relocated into a region
 * of our own, so compiler memory stays bounded by one chunk whatever the
 * module's size. Calls across chunks go through aot_env.fn.
 *
 * The generated code needs no tcc files at run time (-nostdlib): every
 * symbol it references is handed over with tcc_add_symbol, including the
 * few libtcc1 routines TCC's x86-64 code generator calls for unsigned
 * 64-bit <-> floating conversions, provided here.
 */
#include <libtcc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aot/aot_int.h"
#include "aot/emit.h"
#include "runtime/os.h"
#include "runtime/os_fs.h"
#include "runtime/os_proc.h"
#include "runtime/rt_int.h"

/* Chunk size: bounds the C text and TCC's memory per compile. */
enum { CHUNK_CODE_BYTES = 256 * 1024, CHUNK_MAX_FUNCS = 2000 };

/* libtcc1's conversions (TCC emits calls to these names on x86-64). The
 * host compiler gets the casts right. */
static unsigned long long fixunsdfdi(double d) { return (unsigned long long)d; }
static unsigned long long fixunssfdi(float f) { return (unsigned long long)f; }
static double floatundidf(unsigned long long x) { return (double)x; }
static float floatundisf(unsigned long long x) { return (float)x; }

typedef struct {
  char *err;
  size_t size;
  bool set;
} tcc_errors;

static void on_error(void *opaque, const char *msg) {
  tcc_errors *e = opaque;
  if (e->set || !e->err || !e->size) return;
  snprintf(e->err, e->size, "aot: tcc: %s", msg);
  e->set = true;
}

/* The C library's sqrt is not always IEEE's: mingw-w64's runs on the x87
 * (double rounding) and returns signaling NaNs unquieted. Compiled here,
 * sqrt(x) is the SSE/NEON instruction, as in the interpreter (vm/ir.h). */
static double host_sqrt(double x) { return sqrt(x); }
static float host_sqrtf(float x) { return sqrtf(x); }

#ifdef AOT_TCC_CHKSTK
/* TinyCC's PE target calls __chkstk for frames of 4 KiB or more: its own
 * helper (packer/stubs.mk builds it from TinyCC's source), not mingw's. */
void aot_tcc_chkstk(void);
#endif

static void add_symbols(TCCState *s) {
#define ADD_HELPER(name) tcc_add_symbol(s, #name, (const void *)name);
  AOT_HELPERS(ADD_HELPER)
#undef ADD_HELPER
  tcc_add_symbol(s, "memcpy", (const void *)memcpy);
  tcc_add_symbol(s, "memmove", (const void *)memmove);
  tcc_add_symbol(s, "memset", (const void *)memset);
  tcc_add_symbol(s, "sqrt", (const void *)host_sqrt);
  tcc_add_symbol(s, "sqrtf", (const void *)host_sqrtf);
#ifdef AOT_TCC_CHKSTK
  tcc_add_symbol(s, "__chkstk", (const void *)aot_tcc_chkstk);
#endif
  tcc_add_symbol(s, "__fixunsdfdi", (const void *)fixunsdfdi);
  tcc_add_symbol(s, "__fixunssfdi", (const void *)fixunssfdi);
  tcc_add_symbol(s, "__floatundidf", (const void *)floatundidf);
  tcc_add_symbol(s, "__floatundisf", (const void *)floatundisf);
}

static bool add_region(aot_code *c, void *p, size_t size) {
  void **r = realloc(c->region, (c->nregions + 1) * sizeof *r);
  if (!r) return false;
  c->region = r;
  size_t *z = realloc(c->region_size, (c->nregions + 1) * sizeof *z);
  if (!z) return false;
  c->region_size = z;
  c->region[c->nregions] = p;
  c->region_size[c->nregions] = size;
  c->nregions++;
  return true;
}

/* Compiles one chunk's C and relocates it into a fresh region; fills the
 * chunk's entries of c->fn and c->wrap. Call with the lock held. */
static bool compile_chunk(aot_code *c, const vm_module *m, const char *src,
                          uint32_t first, uint32_t count, char *err,
                          size_t err_size) {
  tcc_errors errs = {err, err_size, false};
  bool ok = false;
  void *region = NULL;
  size_t rsize = 0;
  TCCState *s = tcc_new();
  if (!s) goto fail;
  tcc_set_error_func(s, &errs, on_error);
  /* -w: warnings about generated C (e.g. a path after `unreachable` with
   * no return) are not the user's concern and must not read as errors. */
  tcc_set_options(s, "-nostdlib -w");
  if (tcc_set_output_type(s, TCC_OUTPUT_MEMORY) < 0) goto fail;
  if (tcc_compile_string(s, src) < 0) goto fail;
  add_symbols(s);
  int size = tcc_relocate(s, NULL);
  if (size <= 0) goto fail;
  size_t page = os_page_size();
  rsize = ((size_t)size + page - 1) / page * page;
  region = os_reserve(rsize);
  if (!region || !os_commit(region, rsize)) goto fail;
  /* TCC copies the code in and makes its pages executable. */
  if (tcc_relocate(s, region) < 0) goto fail;
  for (uint32_t i = first; i < first + count; i++) {
    char name[32];
    snprintf(name, sizeof name, "aotf_%u", m->nimported_funcs + i);
    c->fn[i] = tcc_get_symbol(s, name);
    snprintf(name, sizeof name, "aotw_%u", m->nimported_funcs + i);
    c->wrap[i] = (aot_wrap_fn)tcc_get_symbol(s, name);
    if (c->osr) {
      snprintf(name, sizeof name, "aotow_%u", m->nimported_funcs + i);
      c->osr[i] = (aot_osr_fn)tcc_get_symbol(s, name);
    }
    if (!c->fn[i] || !c->wrap[i]) {
      errs.set = false;
      on_error(&errs, "missing symbol");
      goto fail;
    }
  }
  if (!add_region(c, region, rsize)) goto fail;
  region = NULL;
  ok = true;
fail:
  if (!ok && !errs.set && err && err_size)
    snprintf(err, err_size, "aot: tcc failed");
  if (region) os_release(region, rsize);
  if (s) tcc_delete(s);
  return ok;
}

/* Monotonic seconds, through the OS layer (os_fs.h clock 1). */
static double now_seconds(void) {
  uint64_t ns = 0;
  os_clock_time(1, &ns);
  return (double)ns * 1e-9;
}

/* A progress bar on stderr once compiling has taken more than a second,
 * only when stderr is a terminal. */
static void progress(double start, bool *shown, uint32_t done,
                     uint32_t total) {
  if (!*shown) {
    if (now_seconds() - start < 1.0 || !os_isatty(2)) return;
    *shown = true;
  }
  int width = 40, fill = total ? (int)((uint64_t)done * (uint64_t)width / total) : width;
  fprintf(stderr, "\rferry: compiling [%.*s%*s] %u/%u functions", fill,
          "########################################", width - fill, "", done,
          total);
  if (done == total) fputc('\n', stderr);
  fflush(stderr);
}

aot_code *aot_compile_tcc(const vm_module *m, os_mutex *lock, bool osr,
                          char *err, size_t err_size) {
  aot_code *c = calloc(1, sizeof *c);
  aot_buf src = {0};
  bool locked = false;
  if (!c) goto oom;
  c->refs = 1;
  c->owned = true;
  c->nfuncs = m->nfuncs;
  c->fn = calloc(m->nfuncs + 1, sizeof *c->fn);
  c->wrap = calloc(m->nfuncs + 1, sizeof *c->wrap);
  if (!c->fn || !c->wrap) goto oom;
  if (osr && !(c->osr = calloc(m->nfuncs + 1, sizeof *c->osr))) goto oom;
  double start = now_seconds();
  bool shown = false;
  for (uint32_t first = 0; first < m->nfuncs;) {
    uint32_t count = 0;
    size_t bytes = 0;
    while (first + count < m->nfuncs && count < CHUNK_MAX_FUNCS &&
           (count == 0 || bytes + m->funcs[first + count].body_size <= CHUNK_CODE_BYTES)) {
      bytes += m->funcs[first + count].body_size;
      count++;
    }
    aot_emit_opts o = {.first = first, .count = count,
                       .bounds_check = !RT_GUARD_PAGES, .native_main = false,
                       .osr = osr};
    src.len = 0;
    if (src.data) src.data[0] = '\0';
    if (!aot_emit(m, &o, &src, err, err_size)) goto fail;
    if (lock) os_mutex_lock(lock);
    locked = true;
    bool ok = compile_chunk(c, m, src.data, first, count, err, err_size);
    if (lock) os_mutex_unlock(lock);
    locked = false;
    if (!ok) goto fail;
    first += count;
    progress(start, &shown, first, m->nfuncs);
  }
  aot_buf_free(&src);
  return c;
oom:
  if (err && err_size) snprintf(err, err_size, "aot: out of memory");
fail:
  if (locked && lock) os_mutex_unlock(lock);
  aot_buf_free(&src);
  if (c) aot_code_release(c);
  return NULL;
}

aot_code *aot_compile_instance(rt_instance *inst, bool osr, char *err,
                               size_t err_size) {
  rt_engine *engine = rt_store_engine(inst->store);
  /* The engine's lock (DESIGN.md decision 11: the libtcc lock is
   * engine-wide); type interning, which also takes it, happens outside. */
  return aot_compile_tcc(inst->module, engine->lock, osr, err, err_size);
}

bool aot_prepare_instance(rt_instance *inst, char *err, size_t err_size) {
  aot_code *c = aot_compile_instance(inst, false, err, err_size);
  if (!c) return false;
  bool ok = aot_attach(inst, c, err, err_size);
  aot_code_release(c); /* the instance holds its own reference */
  return ok;
}

/* Tiering lives here rather than in instance.c: only runtimes with libtcc
 * have it (native executables link instance.c with stub/no_aot.c). */
bool aot_tier_instance(rt_instance *inst, bool keep_interpreted, char *err,
                       size_t err_size) {
  aot_code *code = aot_compile_instance(inst, true, err, err_size);
  if (!code) return false;
  bool ok = aot_attach_tiered(inst, code, keep_interpreted, err, err_size);
  aot_code_release(code); /* the instance holds its own reference */
  return ok;
}

bool aot_osr(rt_exec *ex, rt_func *f, uint64_t *fp, uint32_t at) {
  aot_inst *ai = f->inst->tier;
  uint32_t def = f->index - f->inst->module->nimported_funcs;
  aot_osr_fn fn = ai->code->osr ? ai->code->osr[def] : NULL;
  return fn && fn(ex, ai, fp, at);
}
