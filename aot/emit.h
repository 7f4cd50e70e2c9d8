/* wasm → C (DESIGN.md decision 5): the AOT emitter. The C it writes is
 * self-contained C99 shaped for TinyCC (typed locals, one C variable per
 * operand stack position, labels and goto for structured control, folded
 * expressions) and compiles warning-free-ish with gcc -O2 as well.
 *
 * Names in the generated C: aotf_N is function N (function index space) with
 * typed parameters, aotw_N its raw-convention wrapper (rt_func.entry). */
#ifndef FERRY_AOT_EMIT_H
#define FERRY_AOT_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/module.h"

/* A growable text buffer; `oom` sticks once an allocation failed. */
typedef struct {
  char *data;
  size_t len, cap;
  bool oom;
} aot_buf;

void aot_buf_free(aot_buf *b);
void aot_buf_puts(aot_buf *b, const char *s);
void aot_buf_printf(aot_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

typedef struct {
  /* Defined functions [first, first + count) get bodies and wrappers; calls
   * to the others go through aot_env.fn (separately compiled chunks). */
  uint32_t first, count;
  bool bounds_check; /* emit for the bounds-checked runtime */
  /* Native build: functions static, plus `aot_desc aot_module_desc` with the
   * module binary and a main() that runs it with WASI. Needs the whole
   * module in one chunk. */
  bool native_main;
  /* Tiering: for each function with loops at operand stack height 0, also
   * `int aotow_N(ex, ai, slots, at)`, which enters the function at the
   * loop whose `loop` instruction is at wasm offset `at`, with its locals
   * read from an interpreter frame (raw slot layout), runs it to the end
   * and leaves the results in slots[0..] (returns 0 for an unknown at). */
  bool osr;
} aot_emit_opts;

/* Writes the C for (part of) a validated module. False on out of memory or
 * an instruction the emitter cannot handle, with a message in err. */
bool aot_emit(const vm_module *m, const aot_emit_opts *o, aot_buf *out,
              char *err, size_t err_size);

/* The embedded prelude text (generated from prelude_head.h, vm/numeric.h,
 * aot/abi.h and aot/prelude.h at build time). */
extern const char aot_prelude_text[];

#endif
