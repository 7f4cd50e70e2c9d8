/* wasm → C: functions, control flow, calls, SIMD, and the module around
 * them (see emit.h; emit_ops.c has the per-opcode templates).
 *
 * Shape of the output, chosen for TinyCC, which allocates registers only
 * within one expression and keeps every variable in memory:
 *   - each wasm local is a typed C local l<i>; each operand stack height a
 *     typed C variable s<h><i|l|f|d|v|r> (stack heights are static);
 *   - values stay pending as C expressions until something forces them out
 *     (a side effect, a write to a local they read, a label), so
 *     `local.get a; local.get b; i32.add; local.set c` is one statement;
 *   - blocks and ifs end in labels, loops start with one; br is a goto after
 *     moving the carried values; br_table is a switch;
 *   - calls inside the module are direct C calls with typed arguments; the
 *     rest (imports, other instances) use rt_func.entry.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/emit_int.h"
#include "runtime/rt.h"

/* ---- text buffers ---- */

void aot_buf_free(aot_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

static bool buf_reserve(aot_buf *b, size_t extra) {
  if (b->oom) return false;
  if (b->len + extra + 1 <= b->cap) return true;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  char *p = realloc(b->data, cap);
  if (!p) {
    b->oom = true;
    return false;
  }
  b->data = p;
  b->cap = cap;
  return true;
}

void aot_buf_puts(aot_buf *b, const char *s) {
  size_t n = strlen(s);
  if (!buf_reserve(b, n)) return;
  memcpy(b->data + b->len, s, n + 1);
  b->len += n;
}

/* Appends n bytes. */
static void buf_put(aot_buf *b, const char *s, size_t n) {
  if (!buf_reserve(b, n)) return;
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = 0;
}

/* printf for the emitter. Emitting a module is mostly formatting, and the C
 * library's vsnprintf (measured: half of `--mode tcc` start-up under musl)
 * pays for generality on every call; this handles the conversions the
 * emitter uses, %[0][width][l|ll|z](d|u|x|c|s), directly and hands any
 * other (%a) to snprintf. */
static void buf_vformat(aot_buf *b, const char *fmt, va_list ap) {
  for (;;) {
    const char *lit = fmt;
    while (*fmt && *fmt != '%') fmt++;
    if (fmt > lit) buf_put(b, lit, (size_t)(fmt - lit));
    if (!*fmt) return;
    const char *spec = fmt++;
    bool zero = *fmt == '0';
    unsigned width = 0;
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (unsigned)(*fmt++ - '0');
    int longs = 0;
    if (*fmt == 'z') longs = 3, fmt++;
    while (*fmt == 'l') longs++, fmt++;
    char conv = *fmt++;
    char tmp[32];
    char *end = tmp + sizeof tmp, *p = end;
    uint64_t u = 0;
    bool neg = false;
    switch (conv) {
    case 's': {
      const char *s = va_arg(ap, const char *);
      buf_put(b, s, strlen(s));
      continue;
    }
    case 'c':
      tmp[0] = (char)va_arg(ap, int);
      buf_put(b, tmp, 1);
      continue;
    case '%':
      buf_put(b, "%", 1);
      continue;
    case 'd': {
      int64_t v = longs == 0 ? va_arg(ap, int)
                : longs == 1 ? va_arg(ap, long)
                : longs == 2 ? va_arg(ap, long long)
                             : (int64_t)va_arg(ap, ptrdiff_t);
      neg = v < 0;
      u = neg ? 0 - (uint64_t)v : (uint64_t)v;
      break;
    }
    case 'u': case 'x':
      u = longs == 0 ? va_arg(ap, unsigned)
        : longs == 1 ? va_arg(ap, unsigned long)
        : longs == 2 ? va_arg(ap, unsigned long long)
                     : va_arg(ap, size_t);
      break;
    default: { /* anything else takes a double here (%a) */
      char sub[16];
      size_t n = (size_t)(fmt - spec) < sizeof sub ? (size_t)(fmt - spec) : sizeof sub - 1;
      memcpy(sub, spec, n);
      sub[n] = 0;
      int len = snprintf(tmp, sizeof tmp, sub, va_arg(ap, double));
      if (len > 0) buf_put(b, tmp, (size_t)len < sizeof tmp ? (size_t)len : sizeof tmp - 1);
      continue;
    }
    }
    unsigned base = conv == 'x' ? 16 : 10;
    do {
      *--p = "0123456789abcdef"[u % base];
      u /= base;
    } while (u);
    while ((unsigned)(end - p) + neg < width && p > tmp + 1) *--p = zero ? '0' : ' ';
    if (neg) *--p = '-';
    buf_put(b, p, (size_t)(end - p));
  }
}

void aot_buf_printf(aot_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  buf_vformat(b, fmt, ap);
  va_end(ap);
}

/* ---- per-function arena for expression text ---- */

struct aot_arena_blk {
  aot_arena_blk *next;
  size_t used, size;
  char data[];
};

static void arena_free(aot_fctx *f) {
  while (f->arena) {
    aot_arena_blk *n = f->arena->next;
    free(f->arena);
    f->arena = n;
  }
  aot_buf_free(&f->scratch);
}

static char *arena_alloc(aot_fctx *f, size_t n) {
  aot_arena_blk *b = f->arena;
  if (!b || b->size - b->used < n) {
    size_t size = n > 65536 ? n : 65536;
    b = malloc(sizeof *b + size);
    if (!b) {
      f->fail = "out of memory";
      return NULL;
    }
    b->next = f->arena;
    b->used = 0;
    b->size = size;
    f->arena = b;
  }
  char *p = b->data + b->used;
  b->used += n;
  return p;
}

const char *aot_strf(aot_fctx *f, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  f->scratch.len = 0;
  buf_vformat(&f->scratch, fmt, ap);
  va_end(ap);
  if (f->scratch.oom) return "";
  char *p = arena_alloc(f, f->scratch.len + 1);
  if (!p) return "";
  memcpy(p, f->scratch.data ? f->scratch.data : "", f->scratch.len + 1);
  return p;
}

/* ---- types and names ---- */

int aot_tclass(uint8_t t) {
  switch (t) {
  case VM_I32: return 0;
  case VM_I64: return 1;
  case VM_F32: return 2;
  case VM_F64: return 3;
  case VM_V128: return 4;
  default: return 5; /* references */
  }
}

const char *aot_ctype(uint8_t t) {
  static const char *const names[] = {"uint32_t", "uint64_t", "float",
                                      "double",   "v128",     "uintptr_t"};
  return names[aot_tclass(t)];
}

/* The memory view type of a global's value (see GLOBAL in the prelude). */
static const char *gtype(uint8_t t) {
  static const char *const names[] = {"au32", "au64", "af32",
                                      "af64", "v128", "aref"};
  return names[aot_tclass(t)];
}

static const char tletter[] = "ilfdvr";

const char *aot_slot(aot_fctx *f, uint32_t h, uint8_t t) {
  int c = aot_tclass(t);
  if ((h + 1) * 6 > f->slot_cap) {
    uint32_t cap = f->slot_cap ? f->slot_cap : 96;
    while (cap < (h + 1) * 6) cap *= 2;
    uint8_t *p = realloc(f->slot_used, cap);
    if (!p) {
      f->fail = "out of memory";
      return "s";
    }
    memset(p + f->slot_cap, 0, cap - f->slot_cap);
    f->slot_used = p;
    f->slot_cap = cap;
  }
  f->slot_used[h * 6 + (uint32_t)c] = 1;
  return aot_strf(f, "s%u%c", h, tletter[c]);
}

/* ---- the operand stack ---- */

uint32_t aot_slot_top(const aot_fctx *f, uint32_t i) {
  return f->stack[i].expr ? f->stack[i].slot_top : i + 1;
}

/* Found by fuzz_diff (tests/regress/aot_pending_reads_reused_slot.wast):
 * `x = s2 ^ s3` left pending at height 2, then a new value materialized
 * into s3 before x was used. */
void aot_claim(aot_fctx *f) {
  for (uint32_t i = 0; i < f->sp; i++)
    if (f->stack[i].expr && f->stack[i].slot_top > f->sp) aot_flush(f, i);
}

aot_sval *aot_push(aot_fctx *f, uint8_t type, const char *expr) {
  aot_claim(f);
  if (f->sp == f->cap) {
    uint32_t cap = f->cap ? f->cap * 2 : 64;
    aot_sval *p = realloc(f->stack, cap * sizeof *p);
    if (!p) {
      f->fail = "out of memory";
      return &f->sink;
    }
    f->stack = p;
    f->cap = cap;
  }
  aot_sval *v = &f->stack[f->sp++];
  memset(v, 0, sizeof *v);
  v->type = type;
  v->expr = expr;
  return v;
}

static aot_sval *push_atom(aot_fctx *f, uint8_t type, const char *expr) {
  aot_sval *v = aot_push(f, type, expr);
  v->atom = true;
  return v;
}

void aot_flush(aot_fctx *f, uint32_t i) {
  aot_sval *v = &f->stack[i];
  if (!v->expr) return;
  aot_buf_printf(f->out, "  %s = %s;\n", aot_slot(f, i, v->type), v->expr);
  v->expr = v->cond = NULL;
  v->trap = v->atom = v->is_const = v->ternary = false;
  v->locals = 0;
  v->slot_top = 0;
}

void aot_flush_below(aot_fctx *f, uint32_t n) {
  for (uint32_t i = 0; i + n < f->sp; i++) aot_flush(f, i);
}

static void flush_all(aot_fctx *f) { aot_flush_below(f, 0); }

void aot_order_operands(aot_fctx *f, uint32_t n, bool strict) {
  uint32_t base = f->sp - n, last = UINT32_MAX;
  for (uint32_t i = base; i < f->sp; i++)
    if (f->stack[i].expr && f->stack[i].trap) last = i;
  for (uint32_t i = base; i < f->sp; i++)
    if (f->stack[i].expr && f->stack[i].trap && (strict || i != last))
      aot_flush(f, i);
}

const char *aot_operand(aot_fctx *f, uint32_t i) {
  aot_sval *v = &f->stack[i];
  if (!v->expr) return aot_slot(f, i, v->type);
  if (v->atom) return v->expr;
  return aot_strf(f, "(%s)", v->expr);
}

void aot_make_atom(aot_fctx *f, uint32_t i) {
  if (f->stack[i].expr && !f->stack[i].atom) aot_flush(f, i);
}

/* Drops the top n entries; pending ones that may trap are evaluated
 * first, since wasm would have evaluated them: through a volatile, or
 * compilers (tcc included) drop the unused load that should fault. */
static void drop_top(aot_fctx *f, uint32_t n) {
  for (uint32_t i = f->sp - n; i < f->sp; i++)
    if (f->stack[i].expr && f->stack[i].trap)
      aot_buf_printf(f->out, "  { volatile %s d_ = %s; (void)d_; }\n",
                     aot_ctype(f->stack[i].type), f->stack[i].expr);
  f->sp -= n;
}

void aot_settle_below(aot_fctx *f, uint32_t n) {
  for (uint32_t i = 0; i + n < f->sp; i++)
    if (f->stack[i].expr && f->stack[i].trap) aot_flush(f, i);
}

/* ---- raw slot encoding (rt.h: the raw calling convention) ---- */

static void put_raw(aot_fctx *f, const char *arr, uint32_t k, uint8_t t,
                    const char *x) {
  switch (aot_tclass(t)) {
  case 2: aot_buf_printf(f->out, "  %s[%u] = f32_bits(%s);\n", arr, k, x); break;
  case 3: aot_buf_printf(f->out, "  %s[%u] = f64_bits(%s);\n", arr, k, x); break;
  case 4:
    aot_buf_printf(f->out, "  %s[%u] = %s.lo; %s[%u] = %s.hi;\n", arr, k, x,
                   arr, k + 1, x);
    break;
  default: aot_buf_printf(f->out, "  %s[%u] = (uint64_t)%s;\n", arr, k, x);
  }
}

static void get_raw(aot_buf *out, const char *dst, const char *arr,
                    uint32_t k, uint8_t t) {
  switch (aot_tclass(t)) {
  case 0: aot_buf_printf(out, "  %s = (uint32_t)%s[%u];\n", dst, arr, k); break;
  case 1: aot_buf_printf(out, "  %s = %s[%u];\n", dst, arr, k); break;
  case 2: aot_buf_printf(out, "  %s = f32_from((uint32_t)%s[%u]);\n", dst, arr, k); break;
  case 3: aot_buf_printf(out, "  %s = f64_from(%s[%u]);\n", dst, arr, k); break;
  case 4:
    aot_buf_printf(out, "  %s.lo = %s[%u]; %s.hi = %s[%u];\n", dst, arr, k, dst,
                   arr, k + 1);
    break;
  default: aot_buf_printf(out, "  %s = (uintptr_t)%s[%u];\n", dst, arr, k);
  }
}

static uint32_t slots_of(const uint8_t *ts, uint32_t n) {
  uint32_t s = 0;
  for (uint32_t i = 0; i < n; i++) s += ts[i] == VM_V128 ? 2 : 1;
  return s;
}

/* ---- C signatures ---- */

static const char *ret_type(const vm_functype *t) {
  return t->nresults == 1 ? aot_ctype(t->types[t->nparams]) : "void";
}

static void write_proto(aot_buf *b, const vm_module *m, uint32_t idx,
                        bool names) {
  const vm_functype *t = vm_func_type(m, idx);
  aot_buf_printf(b, "%s aotf_%u(aot_env *e", ret_type(t), idx);
  for (uint32_t i = 0; i < t->nparams; i++) {
    if (names) aot_buf_printf(b, ", %s l%u", aot_ctype(t->types[i]), i);
    else aot_buf_printf(b, ", %s", aot_ctype(t->types[i]));
  }
  if (t->nresults > 1) aot_buf_puts(b, names ? ", uint64_t *res" : ", uint64_t *");
  aot_buf_puts(b, ")");
}

/* The C function pointer type for a function type. */
static const char *fnptr_type(aot_fctx *f, const vm_functype *t) {
  aot_buf b = {0};
  aot_buf_printf(&b, "%s (*)(aot_env *", ret_type(t));
  for (uint32_t i = 0; i < t->nparams; i++)
    aot_buf_printf(&b, ", %s", aot_ctype(t->types[i]));
  if (t->nresults > 1) aot_buf_puts(&b, ", uint64_t *");
  aot_buf_puts(&b, ")");
  const char *s = b.oom ? "" : aot_strf(f, "%s", b.data);
  aot_buf_free(&b);
  return s;
}

/* ---- control frames ---- */

enum { K_FUNC, K_BLOCK, K_LOOP, K_IF };

typedef struct {
  uint8_t kind;
  uint32_t label;
  uint32_t base;          /* stack height of the first param */
  uint32_t np, nr;
  const uint8_t *pt, *rt; /* NULL with nr == 1: the single type `one` */
  uint8_t one;
  bool used;              /* some branch targets the label */
  bool dead;              /* the code here is unreachable */
  bool entered_dead;      /* the whole construct is unreachable */
} frame;

static uint8_t res_type(const frame *fr, uint32_t k) {
  return fr->rt ? fr->rt[k] : fr->one;
}

static void block_sig(const vm_module *m, int64_t bt, frame *fr) {
  fr->np = fr->nr = 0;
  fr->pt = fr->rt = NULL;
  if (bt == VM_BLOCK_EMPTY) return;
  if (bt < 0) {
    fr->one = (uint8_t)(-bt);
    fr->nr = 1;
    return;
  }
  const vm_functype *t = &m->types[bt];
  fr->np = t->nparams;
  fr->nr = t->nresults;
  fr->pt = t->types;
  fr->rt = t->types + t->nparams;
}

typedef struct {
  aot_fctx *f;
  frame *ctl;
  uint32_t nctl, cap;
  uint32_t labels;
  uint32_t nlocals;
  uint8_t *ltypes;        /* params then declared locals */
  const vm_functype *type;
  /* OSR entries (aot_emit_opts.osr): wasm offset and C label of each loop
   * entered at operand stack height 0. */
  uint32_t *osr_at, *osr_label;
  uint32_t nosr, osr_cap;
} fstate;

static frame *push_frame(fstate *s, uint8_t kind) {
  if (s->nctl == s->cap) {
    uint32_t cap = s->cap ? s->cap * 2 : 16;
    frame *p = realloc(s->ctl, cap * sizeof *p);
    if (!p) {
      s->f->fail = "out of memory";
      return NULL;
    }
    s->ctl = p;
    s->cap = cap;
  }
  frame *fr = &s->ctl[s->nctl++];
  memset(fr, 0, sizeof *fr);
  fr->kind = kind;
  fr->label = s->labels++;
  return fr;
}

/* Moves the top `arity` values into a target's slots [base, base+arity) in
 * ascending order (a source is never overwritten before it is read: the
 * sources lie at or above the targets). */
static void move_values(aot_fctx *f, uint32_t base, uint32_t arity) {
  uint32_t src = f->sp - arity;
  for (uint32_t k = 0; k < arity; k++) {
    aot_sval *v = &f->stack[src + k];
    if (src + k == base + k && !v->expr) continue;
    const char *dst = aot_slot(f, base + k, v->type);
    aot_buf_printf(f->out, "  %s = %s;\n", dst, aot_operand(f, src + k));
  }
}

/* Returns from the function with the top values as results. */
static void emit_return(fstate *s) {
  aot_fctx *f = s->f;
  uint32_t nr = s->type->nresults;
  const uint8_t *rt = s->type->types + s->type->nparams;
  aot_settle_below(f, nr);
  aot_order_operands(f, nr, false);
  if (nr == 0) {
    aot_buf_puts(f->out, "  return;\n");
  } else if (nr == 1) {
    aot_buf_printf(f->out, "  return %s;\n", aot_operand(f, f->sp - 1));
  } else {
    uint32_t k = 0;
    for (uint32_t i = 0; i < nr; i++) {
      uint32_t at = f->sp - nr + i;
      if (rt[i] == VM_V128) aot_make_atom(f, at);
      put_raw(f, "res", k, rt[i], aot_operand(f, at));
      k += rt[i] == VM_V128 ? 2 : 1;
    }
    aot_buf_puts(f->out, "  return;\n");
  }
}

/* Branch to the frame `depth` levels out; values already settled. */
static void emit_branch(fstate *s, uint32_t depth) {
  aot_fctx *f = s->f;
  frame *fr = &s->ctl[s->nctl - 1 - depth];
  if (fr->kind == K_FUNC) {
    emit_return(s);
    return;
  }
  uint32_t arity = fr->kind == K_LOOP ? fr->np : fr->nr;
  move_values(f, fr->base, arity);
  aot_buf_printf(f->out, "  goto L%u;\n", fr->label);
  fr->used = true;
}

static void set_dead(fstate *s) { s->ctl[s->nctl - 1].dead = true; }

/* Resets the stack to a frame's base plus `n` materialized values. */
static void reset_stack(aot_fctx *f, const frame *fr, uint32_t n,
                        bool results) {
  f->sp = fr->base;
  for (uint32_t k = 0; k < n; k++)
    aot_push(f, results ? res_type(fr, k) : fr->pt[k], NULL);
}

/* ---- calls ---- */

static void emit_call_args(aot_fctx *f, aot_buf *b, uint32_t n) {
  for (uint32_t k = 0; k < n; k++)
    aot_buf_printf(b, ", %s", aot_operand(f, f->sp - n + k));
}

/* The results of a call, from mr[] (several) into slots at the stack top. */
static void push_results(aot_fctx *f, const vm_functype *t, const char *arr) {
  uint32_t k = 0, base = f->sp;
  for (uint32_t i = 0; i < t->nresults; i++) {
    uint8_t rt = t->types[t->nparams + i];
    aot_claim(f);
    get_raw(f->out, aot_slot(f, base + i, rt), arr, k, rt);
    aot_push(f, rt, NULL);
    k += rt == VM_V128 ? 2 : 1;
  }
}

static void need_mr(aot_fctx *f, const vm_functype *t) {
  uint32_t n = slots_of(t->types + t->nparams, t->nresults);
  if (t->nresults > 1 && n > f->mr_slots) f->mr_slots = n;
}

/* A typed direct call: `callee` is the C function expression. Arguments
 * are the top nparams entries; the caller has already settled the rest. */
static void emit_typed_call(aot_fctx *f, const vm_functype *t,
                            const char *callee) {
  aot_buf b = {0};
  aot_buf_printf(&b, "%s(e", callee);
  emit_call_args(f, &b, t->nparams);
  if (t->nresults > 1) aot_buf_puts(&b, ", mr");
  aot_buf_puts(&b, ")");
  if (b.oom) f->fail = "out of memory";
  f->sp -= t->nparams;
  aot_claim(f);
  if (t->nresults == 1) {
    uint8_t rt = t->types[t->nparams];
    aot_buf_printf(f->out, "  %s = %s;\n", aot_slot(f, f->sp, rt),
                   b.oom ? "" : b.data);
    aot_push(f, rt, NULL);
  } else {
    aot_buf_printf(f->out, "  %s;\n", b.oom ? "" : b.data);
    if (t->nresults > 1) push_results(f, t, "mr");
  }
  aot_buf_free(&b);
}

/* A call through rt_func.entry: `fp` names the rt_func*; arguments are
 * materialized at the stack top. */
static void emit_raw_call(aot_fctx *f, const vm_functype *t, const char *fp) {
  uint32_t need = slots_of(t->types, t->nparams);
  uint32_t nres = slots_of(t->types + t->nparams, t->nresults);
  if (nres > need) need = nres;
  if (need < 1) need = 1;
  if (need > f->raw_slots) f->raw_slots = need;
  uint32_t k = 0;
  for (uint32_t i = 0; i < t->nparams; i++) {
    uint32_t at = f->sp - t->nparams + i;
    put_raw(f, "raw", k, t->types[i], aot_operand(f, at));
    k += t->types[i] == VM_V128 ? 2 : 1;
  }
  aot_buf_printf(f->out, "  AOT_CALL_RAW(e, %s, raw);\n", fp);
  f->sp -= t->nparams;
  push_results(f, t, "raw");
}

static void emit_call(fstate *s, uint32_t idx) {
  aot_fctx *f = s->f;
  const vm_module *m = f->m;
  const vm_functype *t = vm_func_type(m, idx);
  f->uses_call = true;
  aot_flush_below(f, t->nparams);
  aot_order_operands(f, t->nparams, false);
  need_mr(f, t);
  if (idx < m->nimported_funcs) {
    for (uint32_t i = 0; i < t->nparams; i++) {
      aot_flush(f, f->sp - t->nparams + i);
    }
    emit_raw_call(f, t, aot_strf(f, "e->funcs[%u]", idx));
    return;
  }
  uint32_t def = idx - m->nimported_funcs;
  if (def >= f->o->first && def < f->o->first + f->o->count) {
    emit_typed_call(f, t, aot_strf(f, "aotf_%u", idx));
  } else {
    emit_typed_call(f, t,
                    aot_strf(f, "((%s)e->fn[%u])", fnptr_type(f, t), def));
  }
}

static void emit_call_indirect(fstate *s, uint32_t typeidx, uint32_t table) {
  aot_fctx *f = s->f;
  const vm_module *m = f->m;
  const vm_functype *t = &m->types[typeidx];
  f->uses_ci = f->uses_call = true;
  need_mr(f, t);
  /* Arguments first (wasm evaluates them before the index). */
  aot_flush_below(f, 1);
  aot_buf_printf(f->out, "  ci_i = %s;\n", aot_operand(f, f->sp - 1));
  f->sp--;
  aot_buf_printf(f->out,
                 "  ci_t = e->tables[%u];\n"
                 "  if (ci_i >= FIELD(uint32_t, ci_t, AOT_OFF_TABLE_SIZE)) "
                 "aot_rt_trap_elem(e, AOT_TRAP_UNDEFINED_ELEMENT, ci_i);\n"
                 "  ci_f = FIELD(void **, ci_t, AOT_OFF_TABLE_ELEMS)[ci_i];\n"
                 "  if (!ci_f) aot_rt_trap_elem(e, AOT_TRAP_UNINITIALIZED_ELEMENT, ci_i);\n"
                 "  if (FIELD(uint32_t, ci_f, AOT_OFF_FUNC_TYPE_ID) != "
                 "e->type_ids[%u]) aot_rt_trap(e, AOT_TRAP_INDIRECT_TYPE_MISMATCH);\n"
                 "  if (FIELD(void *, ci_f, AOT_OFF_FUNC_CODE) == e->ai) {\n",
                 table, typeidx);
  /* Same instance: a typed call of the C function (the type check above
   * makes the cast exact). Otherwise the raw entry. */
  /* Both branches take the same arguments: the typed call replaces them
   * with its results on the stack, so the raw branch gets them back from a
   * copy (restoring sp alone would leave the results' types and names in
   * their place: found by fuzz_diff, tests/regress/aot_call_indirect_raw_args.wast). */
  uint32_t sp = f->sp, np = t->nparams;
  aot_sval *args = malloc((np + 1) * sizeof *args);
  if (!args) {
    f->fail = "out of memory";
    return;
  }
  memcpy(args, f->stack + sp - np, np * sizeof *args);
  emit_typed_call(f, t,
                  aot_strf(f, "((%s)e->fn[FIELD(uint32_t, ci_f, AOT_OFF_FUNC_INDEX) - %u])",
                           fnptr_type(f, t), m->nimported_funcs));
  aot_buf_puts(f->out, "  } else {\n");
  f->sp = sp - np;
  for (uint32_t k = 0; k < np; k++) *aot_push(f, args[k].type, NULL) = args[k];
  free(args);
  emit_raw_call(f, t, "ci_f");
  aot_buf_puts(f->out, "  }\n");
}

/* ---- SIMD: every 0xFD op through vm_simd_fns (simd.h conventions, reached
 * through aot_env.simd) ---- */

static const char *scalar_bits(aot_fctx *f, uint8_t t, const char *x) {
  switch (aot_tclass(t)) {
  case 2: return aot_strf(f, "(uint64_t)f32_bits(%s)", x);
  case 3: return aot_strf(f, "f64_bits(%s)", x);
  default: return aot_strf(f, "(uint64_t)%s", x);
  }
}

static const char *imm_bytes(aot_fctx *f, const uint8_t *b, int n) {
  char tmp[16 * 5 + 32];
  int len = snprintf(tmp, sizeof tmp, "(const uint8_t[]){");
  for (int i = 0; i < n; i++)
    len += snprintf(tmp + len, sizeof tmp - (size_t)len, "%s%u", i ? "," : "",
                    b[i]);
  snprintf(tmp + len, sizeof tmp - (size_t)len, "}");
  return aot_strf(f, "%s", tmp);
}

static bool emit_simd(aot_fctx *f, const vm_instr *in) {
  const vm_opinfo *oi = &vm_opinfo_table[in->op];
  if (oi->prefix != 0xfd) return false;
  f->uses_simd = true;
  uint8_t params[3], result;
  int n = vm_sig_types((vm_sig)oi->sig, params, &result);
  if (n < 0) return false;
  if (oi->imm == VM_IMM_V128) {
    uint64_t lo, hi;
    memcpy(&lo, in->v128, 8);
    memcpy(&hi, in->v128 + 8, 8);
    aot_claim(f);
    const char *d = aot_slot(f, f->sp, VM_V128);
    aot_buf_printf(f->out, "  %s.lo = 0x%016" PRIx64 "ull; %s.hi = 0x%016" PRIx64 "ull;\n",
                   d, lo, d, hi);
    aot_push(f, VM_V128, NULL);
    return true;
  }
  /* Every operand materialized: the helpers take addresses. */
  flush_all(f);
  uint32_t base = f->sp - (uint32_t)n;
  const char *imm = "0";
  if (oi->imm == VM_IMM_LANE || oi->imm == VM_IMM_MEMARG_LANE)
    imm = imm_bytes(f, &in->lane, 1);
  else if (oi->imm == VM_IMM_SHUFFLE)
    imm = imm_bytes(f, in->v128, 16);
  const char *fn = aot_strf(f, "((aot_simd_fn)e->simd[%d])", (int)in->op);
  if (oi->imm == VM_IMM_MEMARG || oi->imm == VM_IMM_MEMARG_LANE) {
    uint32_t size = 1u << oi->arg;
    const char *ea = aot_ea(f, base, in->offset_imm, size);
    if (result) { /* loads: bytes into t0, then the transform */
      const char *b = n > 1 ? aot_strf(f, "&%s", aot_operand(f, base + 1)) : "0";
      aot_buf_printf(f->out, "  memcpy(&t0, %s, %u);\n", ea, size);
      f->sp = base;
      aot_buf_printf(f->out, "  %s(&%s, &t0, %s, 0, %s);\n", fn,
                     aot_slot(f, base, VM_V128), b, imm);
      aot_push(f, VM_V128, NULL);
    } else { /* stores: the transform gives the bytes to write */
      aot_buf_printf(f->out, "  %s(&t0, 0, &%s, 0, %s);\n", fn,
                     aot_operand(f, base + 1), imm);
      aot_buf_printf(f->out, "  { uint8_t *st_p_ = %s; AOT_PROBE_LAST(st_p_, %u); memcpy(st_p_, &t0, %u); }\n",
                     ea, size, size);
      f->sp = base;
    }
    return true;
  }
  const char *args[3] = {"0", "0", "0"};
  for (int k = 0; k < n; k++) {
    const char *x = aot_operand(f, base + (uint32_t)k);
    if (params[k] == VM_V128) {
      args[k] = aot_strf(f, "&%s", x);
    } else {
      aot_buf_printf(f->out, "  t%d.lo = %s; t%d.hi = 0;\n", k,
                     scalar_bits(f, params[k], x), k);
      args[k] = aot_strf(f, "&t%d", k);
    }
  }
  f->sp = base;
  if (result == VM_V128) {
    aot_buf_printf(f->out, "  %s(&%s, %s, %s, %s, %s);\n", fn,
                   aot_slot(f, base, VM_V128), args[0], args[1], args[2], imm);
  } else {
    aot_buf_printf(f->out, "  %s(&tr, %s, %s, %s, %s);\n", fn, args[0], args[1],
                   args[2], imm);
    get_raw(f->out, aot_slot(f, base, result), "(&tr.lo)", 0, result);
  }
  aot_push(f, result, NULL);
  return true;
}

/* ---- other instructions ---- */

/* A statement calling a runtime helper with the top n operands appended to
 * `head` (e.g. "aot_rt_mem_fill(e"); result type 0 for none. */
static void emit_helper(aot_fctx *f, uint32_t n, const char *head,
                        uint8_t result) {
  aot_flush_below(f, n);
  aot_order_operands(f, n, false);
  aot_buf b = {0};
  aot_buf_puts(&b, head);
  emit_call_args(f, &b, n);
  aot_buf_puts(&b, ")");
  f->sp -= n;
  aot_claim(f);
  if (b.oom) f->fail = "out of memory";
  else if (result)
    aot_buf_printf(f->out, "  %s = %s;\n", aot_slot(f, f->sp, result), b.data);
  else
    aot_buf_printf(f->out, "  %s;\n", b.data);
  if (result) aot_push(f, result, NULL);
  aot_buf_free(&b);
}

static const char *f32_literal(aot_fctx *f, uint32_t bits) {
  float x;
  memcpy(&x, &bits, 4);
  uint32_t mag = bits & 0x7fffffffu;
  if (mag == 0 && !(bits >> 31)) return "0.0f";
  if (mag == 0 || mag >= 0x7f800000u) return aot_strf(f, "f32_from(0x%08xu)", bits);
  return aot_strf(f, "(%af)", (double)x);
}

static const char *f64_literal(aot_fctx *f, uint64_t bits) {
  double x;
  memcpy(&x, &bits, 8);
  uint64_t mag = bits & 0x7fffffffffffffffull;
  if (mag == 0 && !(bits >> 63)) return "0.0";
  if (mag == 0 || mag >= 0x7ff0000000000000ull)
    return aot_strf(f, "f64_from(0x%016" PRIx64 "ull)", bits);
  return aot_strf(f, "(%a)", x);
}

static uint8_t local_type(fstate *s, uint32_t i) {
  return i < s->nlocals ? s->ltypes[i] : VM_I32;
}

static void emit_local_set(fstate *s, uint32_t idx, bool tee) {
  aot_fctx *f = s->f;
  uint64_t bit = 1ull << (idx % 64);
  for (uint32_t i = 0; i + 1 < f->sp; i++)
    if (f->stack[i].expr && (f->stack[i].locals & bit)) aot_flush(f, i);
  aot_buf_printf(f->out, "  l%u = %s;\n", idx, aot_operand(f, f->sp - 1));
  f->sp--;
  if (tee) push_atom(f, local_type(s, idx), aot_strf(f, "l%u", idx))->locals = bit;
}

static bool read_label(const vm_module *m, uint32_t at, uint32_t *pos,
                       uint32_t *out) {
  vm_error err;
  vm_reader r;
  vm_reader_init(&r, m->bytes, *pos, m->size, &err);
  (void)at;
  if (!vm_read_u32(&r, out)) return false;
  *pos = (uint32_t)r.pos;
  return true;
}

static void emit_br_table(fstate *s, const vm_instr *in) {
  aot_fctx *f = s->f;
  const vm_module *m = f->m;
  const char *idx = aot_operand(f, f->sp - 1);
  f->sp--;
  uint32_t n = in->a;
  uint32_t *targets = malloc((n + 1) * sizeof *targets);
  bool *done = calloc(n + 1, 1);
  if (!targets || !done) {
    f->fail = "out of memory";
    goto out;
  }
  uint32_t pos = in->targets_offset;
  for (uint32_t i = 0; i < n; i++)
    if (!read_label(m, 0, &pos, &targets[i])) {
      f->fail = "bad br_table";
      goto out;
    }
  targets[n] = in->b;
  aot_buf_printf(f->out, "  switch (%s) {\n", idx);
  /* One case group per distinct target, the default's last. */
  for (uint32_t i = 0; i <= n; i++) {
    if (done[i]) continue;
    bool is_default_group = false;
    for (uint32_t j = i; j <= n; j++) {
      if (done[j] || targets[j] != targets[i]) continue;
      done[j] = true;
      if (j == n) is_default_group = true;
      else aot_buf_printf(f->out, "  case %u:\n", j);
    }
    if (is_default_group) aot_buf_puts(f->out, "  default:\n");
    aot_buf_puts(f->out, "  {\n");
    emit_branch(s, targets[i]);
    aot_buf_puts(f->out, "  }\n");
  }
  aot_buf_puts(f->out, "  }\n");
out:
  free(targets);
  free(done);
}

/* Folds a select (operands at b, b + 1, b + 2) whose result does not
 * depend on its condition: TCC miscompiles `(c ? K : K) ? x : y`, using
 * garbage for the inner ternary it folded to a constant (found by fuzz_diff,
 * tests/regress/aot_select_equal_arms.wast); a constant condition is
 * folded too, which removes the nested ternaries of selects on selects.
 * Arms that may trap have been evaluated already. */
static void add_osr_entry(fstate *s, uint32_t at, uint32_t label) {
  if (s->nosr == s->osr_cap) {
    uint32_t cap = s->osr_cap ? s->osr_cap * 2 : 8;
    uint32_t *a = realloc(s->osr_at, cap * sizeof *a);
    if (a) s->osr_at = a;
    uint32_t *l = realloc(s->osr_label, cap * sizeof *l);
    if (l) s->osr_label = l;
    if (!a || !l) {
      s->f->fail = "out of memory";
      return;
    }
    s->osr_cap = cap;
  }
  s->osr_at[s->nosr] = at;
  s->osr_label[s->nosr++] = label;
}

static bool fold_select(aot_fctx *f, uint32_t b) {
  aot_sval *a0 = &f->stack[b], *a1 = &f->stack[b + 1], *c = &f->stack[b + 2];
  uint32_t keep;
  if (c->expr && c->is_const) {
    keep = c->cval ? b : b + 1;
  } else if (a0->expr && a1->expr && a0->atom && a1->atom &&
             !strcmp(a0->expr, a1->expr)) {
    /* Both arms the same literal or local read: evaluate the condition
     * only if it may trap. */
    if (c->expr && c->trap) aot_flush(f, b + 2);
    keep = b;
  } else {
    return false;
  }
  if (keep == b) {
    f->sp = b + 1;
  } else if (a1->expr) {
    f->stack[b] = *a1;
    f->sp = b + 1;
  } else {
    /* Materialized in s<b+1>: the result reads that slot. */
    uint8_t t = a1->type;
    const char *x = aot_slot(f, b + 1, t);
    f->sp = b;
    aot_sval *v = aot_push(f, t, x);
    v->atom = true;
    v->slot_top = b + 2;
  }
  return true;
}

/* One instruction in reachable code. */
static void emit_instr(fstate *s, const vm_instr *in) {
  aot_fctx *f = s->f;
  const vm_module *m = f->m;
  frame *top = &s->ctl[s->nctl - 1];
  switch (in->op) {
  case VM_OP_UNREACHABLE:
    aot_settle_below(f, 0);
    aot_buf_puts(f->out, "  aot_rt_trap(e, AOT_TRAP_UNREACHABLE);\n");
    set_dead(s);
    return;
  case VM_OP_NOP: return;
  case VM_OP_BLOCK:
  case VM_OP_LOOP: {
    flush_all(f);
    frame *fr = push_frame(s, in->op == VM_OP_LOOP ? K_LOOP : K_BLOCK);
    if (!fr) return;
    block_sig(m, in->block, fr);
    fr->base = f->sp - fr->np;
    if (fr->kind != K_LOOP) return;
    aot_buf_printf(f->out, " L%u:;\n", fr->label);
    /* Only the locals are live at a loop at height 0: an interpreter frame
     * can jump in (the interpreter picks the same loops, vm/compile.c). */
    if (f->o->osr && f->sp == 0) add_osr_entry(s, in->offset, fr->label);
    return;
  }
  case VM_OP_IF: {
    /* As br_if: the condition may stay pending (a comparison folds into
     * the jump); the values under it are materialized for the block. */
    aot_sval c = f->stack[f->sp - 1];
    f->sp--;
    flush_all(f);
    f->stack[f->sp++] = c;
    const char *text = c.cond && c.expr ? c.cond : aot_operand(f, f->sp - 1);
    f->sp--;
    frame *fr = push_frame(s, K_IF);
    if (!fr) return;
    block_sig(m, in->block, fr);
    fr->base = f->sp - fr->np;
    aot_buf_printf(f->out, "  if (!%s) goto E%u;\n", text, fr->label);
    return;
  }
  case VM_OP_ELSE:
    flush_all(f);
    aot_buf_printf(f->out, "  goto L%u;\n E%u:;\n", top->label, top->label);
    top->used = true;
    reset_stack(f, top, top->np, false);
    top->dead = false;
    top->kind = K_BLOCK; /* the else label is placed */
    return;
  case VM_OP_BR:
    aot_settle_below(f, 0);
    emit_branch(s, in->a);
    set_dead(s);
    return;
  case VM_OP_BR_IF: {
    /* The condition stays pending; everything under it is settled into
     * its slot so both paths agree on where values live. */
    aot_sval c = f->stack[f->sp - 1];
    f->sp--;
    flush_all(f);
    f->sp++;
    f->stack[f->sp - 1] = c;
    const char *text = c.cond && c.expr ? c.cond : aot_operand(f, f->sp - 1);
    f->sp--;
    aot_buf_printf(f->out, "  if (%s) {\n", text);
    emit_branch(s, in->a);
    aot_buf_puts(f->out, "  }\n");
    return;
  }
  case VM_OP_BR_TABLE: {
    aot_sval c = f->stack[f->sp - 1];
    f->sp--;
    flush_all(f);
    f->stack[f->sp++] = c;
    emit_br_table(s, in);
    set_dead(s);
    return;
  }
  case VM_OP_RETURN:
    emit_return(s);
    set_dead(s);
    return;
  case VM_OP_CALL: emit_call(s, in->a); return;
  case VM_OP_CALL_INDIRECT: emit_call_indirect(s, in->a, in->b); return;
  case VM_OP_DROP: drop_top(f, 1); return;
  case VM_OP_SELECT:
  case VM_OP_SELECT_T: {
    uint32_t b = f->sp - 3;
    /* C evaluates only one arm: arms that may trap are evaluated first. */
    for (uint32_t i = b; i < b + 2; i++)
      if (f->stack[i].expr && f->stack[i].trap) aot_flush(f, i);
    if (f->stack[b + 2].trap) aot_settle_below(f, 1);
    if (fold_select(f, b)) return;
    /* TCC miscompiles a conditional whose condition is a conditional it
     * folds to 0 (`(c ? 0u : (l0 & 0u)) ? x : y`, arms the emitter cannot
     * see are equal): such a condition is evaluated first. */
    if (f->stack[b + 2].expr && f->stack[b + 2].ternary) aot_flush(f, b + 2);
    aot_sval *c = &f->stack[b + 2];
    const char *ct = c->cond && c->expr ? c->cond : aot_operand(f, b + 2);
    const char *x = aot_strf(f, "%s ? %s : %s", ct, aot_operand(f, b),
                             aot_operand(f, b + 1));
    uint64_t locals = f->stack[b].locals | f->stack[b + 1].locals | c->locals;
    uint32_t top = aot_slot_top(f, b);
    for (uint32_t i = b + 1; i < b + 3; i++)
      if (aot_slot_top(f, i) > top) top = aot_slot_top(f, i);
    bool trap = c->trap;
    uint8_t t = f->stack[b].type;
    f->sp = b;
    aot_sval *v = aot_push(f, t, x);
    v->locals = locals;
    v->slot_top = top;
    v->trap = trap;
    v->ternary = true;
    return;
  }
  case VM_OP_LOCAL_GET:
    push_atom(f, local_type(s, in->a), aot_strf(f, "l%u", in->a))->locals =
        1ull << (in->a % 64);
    return;
  case VM_OP_LOCAL_SET: emit_local_set(s, in->a, false); return;
  case VM_OP_LOCAL_TEE: emit_local_set(s, in->a, true); return;
  case VM_OP_GLOBAL_GET: {
    uint8_t t = vm_global_type(m, in->a)->type;
    aot_push(f, t, aot_strf(f, "GLOBAL(%s, e, %u)", gtype(t), in->a));
    return;
  }
  case VM_OP_GLOBAL_SET: {
    uint8_t t = vm_global_type(m, in->a)->type;
    aot_flush_below(f, 1);
    aot_buf_printf(f->out, "  GLOBAL(%s, e, %u) = %s;\n", gtype(t), in->a,
                   aot_operand(f, f->sp - 1));
    f->sp--;
    return;
  }
  case VM_OP_TABLE_GET: {
    aot_settle_below(f, 1);
    const char *x = aot_strf(f, "aot_rt_table_get(e, %u, %s)", in->a,
                             aot_operand(f, f->sp - 1));
    uint8_t t = vm_table_type(m, in->a)->elemtype;
    uint32_t top = aot_slot_top(f, f->sp - 1);
    f->sp--;
    aot_sval *v = aot_push(f, t, x);
    v->trap = true;
    v->slot_top = top;
    return;
  }
  case VM_OP_TABLE_SET:
    emit_helper(f, 2, aot_strf(f, "aot_rt_table_set(e, %u", in->a), 0);
    return;
  case VM_OP_MEMORY_SIZE: aot_push(f, VM_I32, "aot_rt_mem_size(e)"); return;
  case VM_OP_MEMORY_GROW: emit_helper(f, 1, "aot_rt_mem_grow(e", VM_I32); return;
  case VM_OP_I32_CONST: {
    aot_sval *v = push_atom(f, VM_I32, aot_strf(f, "%uu", (uint32_t)in->i64));
    v->is_const = true;
    v->cval = (uint32_t)in->i64;
    return;
  }
  case VM_OP_I64_CONST: {
    aot_sval *v = push_atom(f, VM_I64, aot_strf(f, "%lluull", (unsigned long long)in->i64));
    v->is_const = true;
    v->cval = (uint64_t)in->i64;
    return;
  }
  case VM_OP_F32_CONST: push_atom(f, VM_F32, f32_literal(f, (uint32_t)in->bits)); return;
  case VM_OP_F64_CONST: push_atom(f, VM_F64, f64_literal(f, in->bits)); return;
  case VM_OP_REF_NULL: push_atom(f, (uint8_t)in->a, "(uintptr_t)0"); return;
  case VM_OP_REF_IS_NULL: {
    const char *c = aot_strf(f, "(%s == 0)", aot_operand(f, f->sp - 1));
    aot_sval old = f->stack[f->sp - 1];
    uint32_t top = aot_slot_top(f, f->sp - 1);
    f->sp--;
    aot_sval *v = aot_push(f, VM_I32, aot_strf(f, "(uint32_t)%s", c));
    v->cond = c;
    v->trap = old.trap;
    v->locals = old.locals;
    v->slot_top = top;
    return;
  }
  case VM_OP_REF_FUNC:
    push_atom(f, VM_FUNCREF, aot_strf(f, "((uintptr_t)e->funcs[%u])", in->a));
    return;
  case VM_OP_MEMORY_INIT:
    emit_helper(f, 3, aot_strf(f, "aot_rt_mem_init(e, %u", in->a), 0);
    return;
  case VM_OP_DATA_DROP: aot_buf_printf(f->out, "  aot_rt_data_drop(e, %u);\n", in->a); return;
  case VM_OP_MEMORY_COPY: emit_helper(f, 3, "aot_rt_mem_copy(e", 0); return;
  case VM_OP_MEMORY_FILL: emit_helper(f, 3, "aot_rt_mem_fill(e", 0); return;
  case VM_OP_TABLE_INIT:
    emit_helper(f, 3, aot_strf(f, "aot_rt_table_init(e, %u, %u", in->b, in->a), 0);
    return;
  case VM_OP_ELEM_DROP: aot_buf_printf(f->out, "  aot_rt_elem_drop(e, %u);\n", in->a); return;
  case VM_OP_TABLE_COPY:
    emit_helper(f, 3, aot_strf(f, "aot_rt_table_copy(e, %u, %u", in->a, in->b), 0);
    return;
  case VM_OP_TABLE_GROW:
    emit_helper(f, 2, aot_strf(f, "aot_rt_table_grow(e, %u", in->a), VM_I32);
    return;
  case VM_OP_TABLE_SIZE:
    aot_push(f, VM_I32, aot_strf(f, "aot_rt_table_size(e, %u)", in->a));
    return;
  case VM_OP_TABLE_FILL:
    emit_helper(f, 3, aot_strf(f, "aot_rt_table_fill(e, %u", in->a), 0);
    return;
  default: break;
  }
  if (aot_emit_simple(f, in)) return;
  if (emit_simd(f, in)) return;
  f->fail = "instruction not supported by the AOT emitter";
}

/* `end`: closes the innermost frame. */
static void emit_end(fstate *s) {
  aot_fctx *f = s->f;
  frame *fr = &s->ctl[s->nctl - 1];
  if (fr->entered_dead) {
    s->nctl--;
    return;
  }
  if (fr->kind == K_FUNC) {
    if (!fr->dead) emit_return(s);
    else if (s->type->nresults == 1) aot_buf_puts(f->out, "  AOT_UNREACHABLE;\n");
    s->nctl--;
    return;
  }
  bool reach = !fr->dead;
  if (reach) flush_all(f);
  if (fr->kind == K_IF) { /* no else: the false path falls out here */
    aot_buf_printf(f->out, " E%u:;\n", fr->label);
    reach = true;
  }
  if (fr->kind != K_LOOP && fr->used) {
    aot_buf_printf(f->out, " L%u:;\n", fr->label);
    reach = true;
  }
  frame copy = *fr;
  s->nctl--;
  reset_stack(f, &copy, copy.nr, true);
  if (!reach) set_dead(s);
}

static bool emit_body(fstate *s, uint32_t def) {
  aot_fctx *f = s->f;
  const vm_module *m = f->m;
  const vm_func *fn = &m->funcs[def];
  vm_error err;
  memset(&err, 0, sizeof err);
  vm_reader r;
  vm_reader_init(&r, m->bytes, fn->body_offset, fn->body_offset + fn->body_size,
                 &err);
  frame *fr = push_frame(s, K_FUNC);
  if (!fr) return false;
  fr->nr = s->type->nresults;
  fr->rt = s->type->types + s->type->nparams;
  while (s->nctl > 0 && !vm_reader_eof(&r) && !f->fail) {
    vm_instr in;
    if (!vm_read_instr(&r, &in)) {
      f->fail = "malformed code";
      return false;
    }
    frame *top = &s->ctl[s->nctl - 1];
    if (top->dead) {
      switch (in.op) {
      case VM_OP_BLOCK:
      case VM_OP_LOOP:
      case VM_OP_IF: {
        frame *d = push_frame(s, K_BLOCK);
        if (d) d->dead = d->entered_dead = true;
        continue;
      }
      case VM_OP_ELSE:
        if (!top->entered_dead) {
          aot_buf_printf(f->out, " E%u:;\n", top->label);
          reset_stack(f, top, top->np, false);
          top->dead = false;
          top->kind = K_BLOCK;
        }
        continue;
      case VM_OP_END: emit_end(s); continue;
      default: continue;
      }
    }
    if (in.op == VM_OP_END) emit_end(s);
    else emit_instr(s, &in);
  }
  return !f->fail;
}

/* ---- functions ---- */

/* Wasm values (locals and operand stack slots) above which a function
 * without calls still gets a stack check: at most 8 bytes each, so with
 * spills a leaf below this stays well inside the megabytes the runtime
 * leaves below its AOT stack budget (aot/rtlib.c). */
#define LEAF_MAX_VALUES 2048u

/* Whether function `s` needs the entry stack check. Only a chain of calls
 * can exhaust the stack, and every function that calls checks on entry, so
 * a leaf with a bounded frame can do without: its check is a load and a
 * compare on every call, and (with the frame address it reads) kept gcc
 * from shrink-wrapping the prologue of small hot leaves such as wasi-libc's
 * strcmp and memcpy. */
static bool needs_stack_check(const aot_fctx *f, const fstate *s) {
  if (f->uses_call) return true;
  uint32_t values = s->nlocals;
  for (uint32_t i = 0; i < f->slot_cap; i++) values += f->slot_used[i] != 0;
  return values > LEAF_MAX_VALUES;
}

/* A raw entry's last step: a single result `r` into slots s[0..] (several
 * results were written there by the callee). */
static void put_single_result(aot_fctx *f, aot_buf *out, const vm_functype *t) {
  if (t->nresults != 1) return;
  aot_buf *save = f->out;
  f->out = out;
  put_raw(f, "s", 0, t->types[t->nparams], "r");
  f->out = save;
}

/* A function's C variables, locals from `first` (the others are
 * parameters), then its entry stack check. */
static void write_decls(aot_fctx *f, aot_buf *out, const fstate *s,
                        uint32_t first) {
  for (uint32_t i = first; i < s->nlocals; i++) {
    if (s->ltypes[i] == VM_V128)
      aot_buf_printf(out, "  v128 l%u = {0, 0};\n", i);
    else
      aot_buf_printf(out, "  %s l%u = 0;\n", aot_ctype(s->ltypes[i]), i);
  }
  for (uint32_t c = 0; c < 6; c++) {
    bool any = false;
    for (uint32_t h = 0; h * 6 < f->slot_cap; h++) {
      if (!f->slot_used[h * 6 + c]) continue;
      static const uint8_t types[] = {VM_I32, VM_I64, VM_F32, VM_F64, VM_V128, VM_FUNCREF};
      aot_buf_printf(out, "%s s%u%c", any ? "," : aot_strf(f, "  %s", aot_ctype(types[c])),
                     h, tletter[c]);
      any = true;
    }
    if (any) aot_buf_puts(out, ";\n");
  }
  if (f->uses_mem && !f->o->bounds_check) aot_buf_puts(out, "  uint8_t *mem = e->mem;\n");
  if (f->raw_slots) aot_buf_printf(out, "  uint64_t raw[%u];\n", f->raw_slots);
  if (f->mr_slots) aot_buf_printf(out, "  uint64_t mr[%u];\n", f->mr_slots);
  if (f->uses_ci) aot_buf_puts(out, "  uint32_t ci_i; void *ci_t, *ci_f;\n");
  if (f->uses_simd) aot_buf_puts(out, "  v128 t0, t1, t2, tr;\n");
  if (needs_stack_check(f, s)) aot_buf_puts(out, "  AOT_STACK_CHECK(e);\n");
}

/* The OSR twin of function idx (aot_emit_opts.osr): the same body, entered
 * at one of its loops with every local taken from an interpreter frame,
 * and its raw entry aotow_N. */
static void write_osr_entry(aot_fctx *f, aot_buf *out, const fstate *s,
                            uint32_t idx, const char *body) {
  const vm_functype *t = s->type;
  aot_buf_printf(out, "static %s aoto_%u(aot_env *e, uint64_t *osr_s, uint32_t osr_at%s) {\n",
                 ret_type(t), idx, t->nresults > 1 ? ", uint64_t *res" : "");
  write_decls(f, out, s, 0);
  for (uint32_t i = 0, k = 0; i < s->nlocals; k += s->ltypes[i] == VM_V128 ? 2 : 1, i++)
    get_raw(out, aot_strf(f, "l%u", i), "osr_s", k, s->ltypes[i]);
  aot_buf_puts(out, "  switch (osr_at) {\n");
  for (uint32_t i = 0; i < s->nosr; i++)
    aot_buf_printf(out, "  case %u: goto L%u;\n", s->osr_at[i], s->osr_label[i]);
  aot_buf_printf(out, "  }\n%s}\n", body);

  aot_buf_printf(out, "AOT_LINK int aotow_%u(void *ex, void *ai, uint64_t *s, uint32_t at) {\n"
                      "  aot_env env;\n  switch (at) {\n", idx);
  for (uint32_t i = 0; i < s->nosr; i++) aot_buf_printf(out, "  case %u:\n", s->osr_at[i]);
  aot_buf_puts(out, "    break;\n  default: return 0;\n  }\n"
                    "  aot_rt_enter_inst(&env, ex, ai);\n  ");
  if (t->nresults == 1) aot_buf_printf(out, "%s r = ", ret_type(t));
  aot_buf_printf(out, "aoto_%u(&env, s, at%s);\n", idx, t->nresults > 1 ? ", s" : "");
  put_single_result(f, out, t);
  aot_buf_puts(out, "  return 1;\n}\n");
}

static bool emit_function(aot_fctx *f, aot_buf *out, uint32_t def) {
  const vm_module *m = f->m;
  uint32_t idx = m->nimported_funcs + def;
  const vm_func *fn = &m->funcs[def];
  const vm_functype *t = &m->types[fn->type];
  fstate s;
  memset(&s, 0, sizeof s);
  s.f = f;
  s.type = t;
  s.nlocals = t->nparams + fn->nlocals;
  s.ltypes = malloc(s.nlocals + 1);
  aot_buf body = {0};
  bool ok = false;
  if (!s.ltypes) goto fail;
  memcpy(s.ltypes, t->types, t->nparams);
  uint32_t k = t->nparams;
  for (uint32_t i = 0; i < fn->nlocal_runs; i++)
    for (uint32_t j = 0; j < fn->local_runs[i].count; j++)
      s.ltypes[k++] = fn->local_runs[i].type;
  f->out = &body;
  f->sp = 0;
  f->uses_mem = f->uses_simd = f->uses_ci = f->uses_call = false;
  f->raw_slots = f->mr_slots = 0;
  if (f->slot_used) memset(f->slot_used, 0, f->slot_cap);
  if (!emit_body(&s, def) || body.oom) goto fail;

  const char *name = vm_func_name(m, idx);
  aot_buf_printf(out, "\n/* func %u", idx);
  if (name) {
    aot_buf_puts(out, " ");
    for (const char *p = name; *p; p++) {
      char c[2] = {(*p == '*' || *p == '/' || (unsigned char)*p < 32) ? '_' : *p, 0};
      aot_buf_puts(out, c);
    }
  }
  aot_buf_puts(out, " */\nAOT_LINK ");
  write_proto(out, m, idx, true);
  aot_buf_puts(out, " {\n");
  write_decls(f, out, &s, t->nparams);
  aot_buf_puts(out, body.data ? body.data : "");
  aot_buf_puts(out, "}\n");
  if (s.nosr) write_osr_entry(f, out, &s, idx, body.data ? body.data : "");
  ok = !out->oom;
fail:
  if (!ok && !f->fail) f->fail = "out of memory";
  aot_buf_free(&body);
  free(s.ltypes);
  free(s.ctl);
  free(s.osr_at);
  free(s.osr_label);
  arena_free(f);
  return ok;
}

static void emit_wrapper(aot_fctx *f, aot_buf *out, uint32_t def) {
  const vm_module *m = f->m;
  uint32_t idx = m->nimported_funcs + def;
  const vm_functype *t = vm_func_type(m, idx);
  aot_buf_printf(out, "AOT_LINK void aotw_%u(void *ex, void *f, uint64_t *s) {\n"
                      "  aot_env env;\n", idx);
  uint32_t k = 0;
  for (uint32_t i = 0; i < t->nparams; i++) {
    aot_buf_printf(out, "  %s p%u;\n", aot_ctype(t->types[i]), i);
  }
  if (t->nresults == 1) aot_buf_printf(out, "  %s r;\n", ret_type(t));
  for (uint32_t i = 0; i < t->nparams; i++) {
    get_raw(out, aot_strf(f, "p%u", i), "s", k, t->types[i]);
    k += t->types[i] == VM_V128 ? 2 : 1;
  }
  aot_buf_puts(out, "  aot_rt_enter(&env, ex, f);\n  ");
  if (t->nresults == 1) aot_buf_puts(out, "r = ");
  aot_buf_printf(out, "aotf_%u(&env", idx);
  for (uint32_t i = 0; i < t->nparams; i++) aot_buf_printf(out, ", p%u", i);
  aot_buf_puts(out, t->nresults > 1 ? ", s);\n" : ");\n");
  put_single_result(f, out, t);
  aot_buf_puts(out, "}\n");
  arena_free(f);
}

/* ---- the module ---- */

static void emit_config(aot_buf *out, const aot_emit_opts *o) {
  aot_buf_printf(out, "#define AOT_BOUNDS_CHECK %d\n", o->bounds_check ? 1 : 0);
  aot_buf_printf(out, "#define AOT_LINK %s\n", o->native_main ? "static" : "");
  /* Layout of the runtime objects the fast paths read, from rt.h. */
  aot_buf_printf(out,
                 "#define AOT_OFF_FUNC_ENTRY %u\n#define AOT_OFF_FUNC_CODE %u\n"
                 "#define AOT_OFF_FUNC_TYPE_ID %u\n#define AOT_OFF_FUNC_INDEX %u\n"
                 "#define AOT_OFF_TABLE_ELEMS %u\n#define AOT_OFF_TABLE_SIZE %u\n",
                 (unsigned)offsetof(rt_func, entry), (unsigned)offsetof(rt_func, code),
                 (unsigned)offsetof(rt_func, type_id), (unsigned)offsetof(rt_func, index),
                 (unsigned)offsetof(rt_table, elems), (unsigned)offsetof(rt_table, size));
#define TRAP_DEFINE(sym, msg) \
  aot_buf_printf(out, "#define AOT_TRAP_%s %d\n", #sym, (int)RT_TRAP_##sym);
  RT_TRAPS(TRAP_DEFINE)
#undef TRAP_DEFINE
}

_Static_assert(offsetof(rt_global, val) == 0,
               "aot_env.g points at rt_global.val through rt_global*");

static void emit_native_tail(aot_buf *out, const vm_module *m) {
  aot_buf_puts(out, "\nstatic void *const aot_fn_table[] = {\n");
  for (uint32_t i = 0; i < m->nfuncs; i++)
    aot_buf_printf(out, "  (void *)aotf_%u,\n", m->nimported_funcs + i);
  aot_buf_puts(out, "  0};\nstatic const aot_wrap_fn aot_wrap_table[] = {\n");
  for (uint32_t i = 0; i < m->nfuncs; i++)
    aot_buf_printf(out, "  aotw_%u,\n", m->nimported_funcs + i);
  aot_buf_puts(out, "  0};\nstatic const uint8_t aot_wasm[] = {");
  for (size_t i = 0; i < m->size; i++)
    aot_buf_printf(out, "%s%u,", i % 24 ? "" : "\n  ", m->bytes[i]);
  aot_buf_printf(out,
                 "\n  0};\nstatic const aot_desc aot_module_desc = {%u, aot_fn_table, "
                 "aot_wrap_table, aot_wasm, %llu, AOT_BOUNDS_CHECK};\n"
                 "int main(int argc, char **argv) {\n"
                 "  return aot_native_main(argc, argv, &aot_module_desc);\n}\n",
                 m->nfuncs, (unsigned long long)m->size);
}

bool aot_emit(const vm_module *m, const aot_emit_opts *o, aot_buf *out,
              char *err, size_t err_size) {
  aot_fctx f;
  memset(&f, 0, sizeof f);
  f.m = m;
  f.o = o;
  uint32_t end = o->first + o->count;
  if (end > m->nfuncs) end = m->nfuncs;
  emit_config(out, o);
  aot_buf_puts(out, aot_prelude_text);
  if (o->native_main) aot_buf_puts(out, "int aot_native_main(int, char **, const aot_desc *);\n");
  aot_buf_puts(out, "\n/* ---- the module ---- */\n");
  for (uint32_t d = o->first; d < end; d++) {
    aot_buf_puts(out, "AOT_LINK ");
    write_proto(out, m, m->nimported_funcs + d, false);
    aot_buf_puts(out, ";\n");
  }
  bool ok = true;
  for (uint32_t d = o->first; d < end && ok; d++) {
    ok = emit_function(&f, out, d);
    if (ok) emit_wrapper(&f, out, d);
  }
  if (ok && o->native_main) emit_native_tail(out, m);
  if (ok && out->oom) {
    ok = false;
    f.fail = "out of memory";
  }
  if (!ok && err && err_size)
    snprintf(err, err_size, "aot: %s", f.fail ? f.fail : "failed");
  arena_free(&f);
  free(f.stack);
  free(f.slot_used);
  return ok;
}
