/* The binary decoder (spec chapter 5): bytes in, vm_module out.
 *
 * The decoder only checks what the binary grammar says; everything about
 * indices and types is the validator's job. Error messages are the ones the
 * spec suite expects (checked by prefix), and where the suite pins down which
 * of two errors wins, we follow the reference interpreter's reading order:
 *
 *  - Reads inside a section are bounded by the end of the module, not by the
 *    section: a section (or code entry) that reads past its declared size is
 *    caught afterwards as "section size mismatch", and only running off the
 *    module gives "unexpected end of section or function".
 *  - A length is "out of bounds" only when it exceeds all bytes left counted
 *    from the start of the length field itself; a smaller but still too large
 *    length runs into the end of the module instead.
 *
 * Every allocation is bounded by the input size: vector counts are checked
 * against the bytes left (each element needs at least one byte) before
 * anything is allocated.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/instr.h"
#include "vm/module.h"
#include "vm/reader.h"

static const char EOS_MSG[] = "unexpected end of section or function";

typedef struct {
  vm_module *m;
  vm_reader r; /* over the whole module */
  vm_error *err;
  uint8_t *blocks; /* open blocks while walking code: BLK_* per level */
  size_t nblocks_cap;
  bool uses_data;      /* some body uses memory.init or data.drop */
  bool have_codesec;  /* a code section was read (counts are checked then) */
  bool trusted; /* vm_decode_owned_trusted: bodies are not walked */
} decoder;

enum { BLK_PLAIN, BLK_IF };

static bool malformed(decoder *d, size_t at, const char *msg) {
  return vm_fail(d->err, VM_ERR_MALFORMED, at, "%s", msg);
}

static bool oom(decoder *d) {
  return vm_fail(d->err, VM_ERR_OOM, d->r.pos, "out of memory");
}

/* calloc that records OOM; n is always bounded by the input size. */
static void *alloc_array(decoder *d, size_t n, size_t elem) {
  void *p = calloc(n ? n : 1, elem);
  if (!p) oom(d);
  return p;
}

static char *copy_string(const uint8_t *s, uint32_t len) {
  char *p = malloc((size_t)len + 1);
  if (!p) return NULL;
  memcpy(p, s, len);
  p[len] = 0;
  return p;
}

/* A length (of a section, a vector, a byte string): "length out of bounds"
 * when larger than everything left counted from the length field itself. */
static bool read_len(decoder *d, uint32_t *out) {
  size_t at = d->r.pos;
  if (!vm_read_u32(&d->r, out)) return false;
  if (*out > d->r.end - at) return malformed(d, at, "length out of bounds");
  return true;
}

/* A vector count. Each element takes at least one byte, so a count larger
 * than the bytes left fails before any allocation, and every array is at
 * most (input size) elements. A tighter per-kind minimum would reject
 * earlier but change which error is reported (the suite expects the one met
 * while reading the elements, e.g. "malformed import kind"). */
static bool read_vec(decoder *d, uint32_t *out) {
  if (!read_len(d, out)) return false;
  if (*out > vm_reader_left(&d->r))
    return malformed(d, d->r.end, d->r.eof_msg);
  return true;
}

/* A one-byte signed LEB128 (the reference reads type codes as s7): a set
 * continuation bit makes the encoding too long, not merely unknown. */
static bool read_s7_byte(decoder *d, uint8_t *out) {
  size_t at = d->r.pos;
  if (!vm_read_u8(&d->r, out)) return false;
  if (*out & 0x80)
    return malformed(d, at, "integer representation too long");
  return true;
}

static bool read_valtype(decoder *d, uint8_t *out) {
  size_t at = d->r.pos;
  if (!read_s7_byte(d, out)) return false;
  switch (*out) {
  case VM_I32: case VM_I64: case VM_F32: case VM_F64: case VM_V128:
  case VM_FUNCREF: case VM_EXTERNREF:
    return true;
  }
  return malformed(d, at, "malformed value type");
}

static bool read_reftype(decoder *d, uint8_t *out) {
  size_t at = d->r.pos;
  if (!read_s7_byte(d, out)) return false;
  if (*out != VM_FUNCREF && *out != VM_EXTERNREF)
    return malformed(d, at, "malformed reference type");
  return true;
}

/* limits (spec 5.3.7). The flag is read as a 1-bit LEB128, which is how the
 * suite words a bad flag ("integer too large", "... too long"). */
static bool read_limits(decoder *d, vm_limits *lim) {
  size_t at = d->r.pos;
  uint8_t flags;
  uint32_t v;
  lim->offset = (uint32_t)at;
  if (!vm_read_u8(&d->r, &flags)) return false;
  if (flags & 0x80)
    return malformed(d, at, "integer representation too long");
  if (flags > 1) return malformed(d, at, "integer too large");
  if (!vm_read_u32(&d->r, &v)) return false;
  lim->min = v;
  lim->has_max = flags == 1;
  lim->max = 0;
  if (lim->has_max) {
    if (!vm_read_u32(&d->r, &v)) return false;
    lim->max = v;
  }
  return true;
}

static bool read_tabletype(decoder *d, vm_tabletype *t) {
  return read_reftype(d, &t->elemtype) && read_limits(d, &t->limits);
}

static bool read_globaltype(decoder *d, vm_globaltype *g) {
  if (!read_valtype(d, &g->type)) return false;
  size_t at = d->r.pos;
  uint8_t mut;
  if (!vm_read_u8(&d->r, &mut)) return false;
  if (mut > 1) return malformed(d, at, "malformed mutability");
  g->mut = mut == 1;
  return true;
}

/* ---- instruction sequences ---------------------------------------------- */

static bool push_block(decoder *d, size_t depth, uint8_t kind) {
  if (depth >= d->nblocks_cap) {
    size_t cap = d->nblocks_cap ? d->nblocks_cap * 2 : 64;
    uint8_t *p = realloc(d->blocks, cap);
    if (!p) return oom(d);
    d->blocks = p;
    d->nblocks_cap = cap;
  }
  d->blocks[depth] = kind;
  return true;
}

/* Walks instructions from r.pos up to and including the `end` that closes
 * the outermost level (a function body or a constant expression), checking
 * the block structure: block/loop/if open a level, `else` is allowed only in
 * the then-branch of an `if`, `end` closes. The reference interpreter reads
 * an instruction sequence up to the next `else` or `end` and then demands an
 * `end`, hence the message for a misplaced `else`. Nesting depth is bounded
 * by the bytes read, so the block stack is too. */
static bool walk_code(decoder *d) {
  size_t depth = 0; /* open levels besides the outermost */
  vm_instr in;
  for (;;) {
    if (!vm_read_instr(&d->r, &in)) return false;
    switch (in.op) {
    case VM_OP_BLOCK: case VM_OP_LOOP: case VM_OP_IF:
      if (!push_block(d, depth, in.op == VM_OP_IF ? BLK_IF : BLK_PLAIN))
        return false;
      depth++;
      break;
    case VM_OP_ELSE:
      if (depth == 0 || d->blocks[depth - 1] != BLK_IF)
        return malformed(d, in.offset, "END opcode expected");
      d->blocks[depth - 1] = BLK_PLAIN;
      break;
    case VM_OP_END:
      if (depth == 0) return true;
      depth--;
      break;
    case VM_OP_MEMORY_INIT: case VM_OP_DATA_DROP:
      d->uses_data = true;
      break;
    default:
      break;
    }
  }
}

/* A constant expression: its bytes up to and including the closing `end`.
 * What it may contain is checked by the validator. */
static bool read_expr(decoder *d, vm_expr *e) {
  size_t start = d->r.pos;
  if (!walk_code(d)) return false;
  e->offset = (uint32_t)start;
  e->size = (uint32_t)(d->r.pos - start);
  return true;
}

/* ---- sections ----------------------------------------------------------- */

static bool decode_types(decoder *d) {
  vm_module *m = d->m;
  uint32_t n;
  if (!read_vec(d, &n)) return false;
  if (!(m->types = alloc_array(d, n, sizeof *m->types))) return false;
  for (uint32_t i = 0; i < n; i++) {
    vm_functype *t = &m->types[i];
    size_t at = d->r.pos;
    uint8_t form;
    if (!read_s7_byte(d, &form)) return false;
    if (form != 0x60) return malformed(d, at, "malformed function type");
    uint32_t np, nr;
    if (!read_vec(d, &np)) return false;
    /* params and results are read into one array; grow it after params */
    uint8_t *types = malloc((size_t)np + 1);
    if (!types) return oom(d);
    t->types = types;
    m->ntypes = i + 1;
    for (uint32_t k = 0; k < np; k++)
      if (!read_valtype(d, &types[k])) return false;
    t->nparams = np;
    if (!read_vec(d, &nr)) return false;
    if (nr) {
      types = realloc(t->types, (size_t)np + nr);
      if (!types) return oom(d);
      t->types = types;
      for (uint32_t k = 0; k < nr; k++)
        if (!read_valtype(d, &types[np + k])) return false;
    }
    t->nresults = nr;
  }
  return true;
}

static bool decode_imports(decoder *d) {
  vm_module *m = d->m;
  uint32_t n;
  if (!read_vec(d, &n)) return false;
  if (!(m->imports = alloc_array(d, n, sizeof *m->imports))) return false;
  for (uint32_t i = 0; i < n; i++) {
    vm_import *im = &m->imports[i];
    m->nimports = i + 1; /* so vm_module_free sees the names */
    im->offset = (uint32_t)d->r.pos;
    const uint8_t *s;
    uint32_t len;
    if (!vm_read_name(&d->r, &s, &len)) return false;
    if (!(im->module = copy_string(s, len))) return oom(d);
    im->module_len = len;
    if (!vm_read_name(&d->r, &s, &len)) return false;
    if (!(im->name = copy_string(s, len))) return oom(d);
    im->name_len = len;
    size_t at = d->r.pos;
    if (!vm_read_u8(&d->r, &im->kind)) return false;
    switch (im->kind) {
    case VM_EXT_FUNC:
      if (!vm_read_u32(&d->r, &im->desc.func_type)) return false;
      m->nimported_funcs++;
      break;
    case VM_EXT_TABLE:
      if (!read_tabletype(d, &im->desc.table)) return false;
      m->nimported_tables++;
      break;
    case VM_EXT_MEMORY:
      if (!read_limits(d, &im->desc.memory)) return false;
      m->nimported_memories++;
      break;
    case VM_EXT_GLOBAL:
      if (!read_globaltype(d, &im->desc.global)) return false;
      m->nimported_globals++;
      break;
    default:
      return malformed(d, at, "malformed import kind");
    }
  }
  return true;
}

/* Index of each import within its kind's index space, for O(1) lookups:
 * import_by_kind lists import indices grouped by kind (funcs, tables,
 * memories, globals), each group in order. */
static bool index_imports(decoder *d) {
  vm_module *m = d->m;
  if (!m->nimports) return true;
  if (!(m->import_by_kind = alloc_array(d, m->nimports, sizeof(uint32_t))))
    return false;
  uint32_t next[4] = {0, m->nimported_funcs,
                      m->nimported_funcs + m->nimported_tables,
                      m->nimported_funcs + m->nimported_tables +
                          m->nimported_memories};
  for (uint32_t i = 0; i < m->nimports; i++)
    m->import_by_kind[next[m->imports[i].kind]++] = i;
  return true;
}

static bool decode_functions(decoder *d) {
  vm_module *m = d->m;
  uint32_t n;
  if (!read_vec(d, &n)) return false;
  if (!(m->funcs = alloc_array(d, n, sizeof *m->funcs))) return false;
  m->nfuncs = n;
  for (uint32_t i = 0; i < n; i++)
    if (!vm_read_u32(&d->r, &m->funcs[i].type)) return false;
  return true;
}

static bool decode_tables(decoder *d) {
  vm_module *m = d->m;
  uint32_t n;
  if (!read_vec(d, &n)) return false;
  if (!(m->tables = alloc_array(d, n, sizeof *m->tables))) return false;
  m->ntables = n;
  for (uint32_t i = 0; i < n; i++)
    if (!read_tabletype(d, &m->tables[i])) return false;
  return true;
}

static bool decode_memories(decoder *d) {
  vm_module *m = d->m;
  uint32_t n;
  if (!read_vec(d, &n)) return false;
  if (!(m->memories = alloc_array(d, n, sizeof *m->memories))) return false;
  m->nmemories = n;
  for (uint32_t i = 0; i < n; i++)
    if (!read_limits(d, &m->memories[i])) return false;
  return true;
}

static bool decode_globals(decoder *d) {
  vm_module *m = d->m;
  uint32_t n;
  if (!read_vec(d, &n)) return false;
  if (!(m->globals = alloc_array(d, n, sizeof *m->globals))) return false;
  m->nglobals = n;
  for (uint32_t i = 0; i < n; i++)
    if (!read_globaltype(d, &m->globals[i].type) ||
        !read_expr(d, &m->globals[i].init))
      return false;
  return true;
}

static bool decode_exports(decoder *d) {
  vm_module *m = d->m;
  uint32_t n;
  if (!read_vec(d, &n)) return false;
  if (!(m->exports = alloc_array(d, n, sizeof *m->exports))) return false;
  for (uint32_t i = 0; i < n; i++) {
    vm_export *ex = &m->exports[i];
    m->nexports = i + 1;
    ex->offset = (uint32_t)d->r.pos;
    const uint8_t *s;
    uint32_t len;
    if (!vm_read_name(&d->r, &s, &len)) return false;
    if (!(ex->name = copy_string(s, len))) return oom(d);
    ex->name_len = len;
    size_t at = d->r.pos;
    if (!vm_read_u8(&d->r, &ex->kind)) return false;
    if (ex->kind > VM_EXT_GLOBAL)
      return malformed(d, at, "malformed export kind");
    if (!vm_read_u32(&d->r, &ex->index)) return false;
  }
  return true;
}

static bool decode_start(decoder *d) {
  d->m->has_start = true;
  d->m->start_offset = (uint32_t)d->r.pos;
  return vm_read_u32(&d->r, &d->m->start);
}

/* Element segments (spec 5.5.12). The flags' three bits say: bit 0 passive
 * or declarative (else active), bit 1 explicit table index (active) or
 * declarative (passive), bit 2 items are expressions with a reference type
 * (else function indices with an element kind). */
static bool decode_elems(decoder *d) {
  vm_module *m = d->m;
  uint32_t n;
  if (!read_vec(d, &n)) return false;
  if (!(m->elems = alloc_array(d, n, sizeof *m->elems))) return false;
  for (uint32_t i = 0; i < n; i++) {
    vm_elem *e = &m->elems[i];
    m->nelems = i + 1;
    e->offset_in_file = (uint32_t)d->r.pos;
    uint32_t flags;
    size_t at = d->r.pos;
    if (!vm_read_u32(&d->r, &flags)) return false;
    if (flags > 7) return malformed(d, at, "malformed elements segment kind");
    bool exprs = flags & 4;
    e->type = VM_FUNCREF;
    if (flags & 1) {
      e->mode = (flags & 2) ? VM_SEG_DECLARATIVE : VM_SEG_PASSIVE;
    } else {
      e->mode = VM_SEG_ACTIVE;
      if ((flags & 2) && !vm_read_u32(&d->r, &e->table)) return false;
      if (!read_expr(d, &e->offset)) return false;
    }
    /* Flags 0 and 4 have no element kind / type: funcref is implied. */
    if (flags & 3) {
      if (exprs) {
        if (!read_reftype(d, &e->type)) return false;
      } else {
        uint8_t kind;
        at = d->r.pos;
        if (!vm_read_u8(&d->r, &kind)) return false;
        if (kind != 0x00) return malformed(d, at, "malformed element kind");
      }
    }
    uint32_t count;
    if (!read_vec(d, &count)) return false;
    if (exprs) {
      if (!(e->exprs = alloc_array(d, count, sizeof *e->exprs))) return false;
      for (uint32_t k = 0; k < count; k++)
        if (!read_expr(d, &e->exprs[k])) return false;
    } else {
      if (!(e->funcs = alloc_array(d, count, sizeof *e->funcs))) return false;
      for (uint32_t k = 0; k < count; k++)
        if (!vm_read_u32(&d->r, &e->funcs[k])) return false;
    }
    e->count = count;
  }
  return true;
}

static bool decode_datacount(decoder *d) {
  d->m->has_datacount = true;
  return vm_read_u32(&d->r, &d->m->datacount);
}

/* One code entry (spec 5.5.13): size, local declarations, body. */
static bool decode_code_entry(decoder *d, vm_func *f) {
  vm_reader *r = &d->r;
  f->code_offset = (uint32_t)r->pos;
  uint32_t size;
  if (!read_len(d, &size)) return false;
  size_t entry_end = r->pos + size;
  size_t locals_at = r->pos;
  uint32_t nruns;
  if (!read_vec(d, &nruns)) return false;
  if (!(f->local_runs = alloc_array(d, nruns, sizeof *f->local_runs)))
    return false;
  f->nlocal_runs = nruns;
  uint64_t total = 0;
  for (uint32_t i = 0; i < nruns; i++) {
    if (!vm_read_u32(r, &f->local_runs[i].count) ||
        !read_valtype(d, &f->local_runs[i].type))
      return false;
    total += f->local_runs[i].count;
  }
  /* The locals' total must fit the u32 index space (spec 5.5.13). */
  if (total > UINT32_MAX) return malformed(d, locals_at, "too many locals");
  f->nlocals = (uint32_t)total;
  f->body_offset = (uint32_t)r->pos;
  if (d->trusted) {
    /* The body was walked when the module was validated; its extent is all
     * this needs. Bounds stay checked: every later reader of the body is
     * confined to [body_offset, entry_end). */
    if (entry_end > r->end || r->pos > entry_end)
      return malformed(d, f->code_offset, "section size mismatch");
    r->pos = entry_end;
  } else if (!walk_code(d)) {
    return false;
  }
  f->body_size = (uint32_t)(r->pos - f->body_offset);
  if (r->pos != entry_end)
    return malformed(d, f->code_offset, "section size mismatch");
  return true;
}

static bool decode_code(decoder *d) {
  vm_module *m = d->m;
  size_t at = d->r.pos;
  uint32_t n;
  if (!read_vec(d, &n)) return false;
  d->have_codesec = true;
  if (n != m->nfuncs)
    return malformed(d, at,
                     "function and code section have inconsistent lengths");
  for (uint32_t i = 0; i < n; i++)
    if (!decode_code_entry(d, &m->funcs[i])) return false;
  return true;
}

/* Data segments (spec 5.5.14): 0 active memory 0, 1 passive, 2 active with
 * an explicit memory index. */
static bool decode_datas(decoder *d) {
  vm_module *m = d->m;
  uint32_t n;
  if (!read_vec(d, &n)) return false;
  if (!(m->datas = alloc_array(d, n, sizeof *m->datas))) return false;
  m->ndatas = n;
  for (uint32_t i = 0; i < n; i++) {
    vm_data *seg = &m->datas[i];
    uint32_t flags;
    size_t at = d->r.pos;
    if (!vm_read_u32(&d->r, &flags)) return false;
    if (flags > 2) return malformed(d, at, "malformed data segment kind");
    seg->mode = flags == 1 ? VM_SEG_PASSIVE : VM_SEG_ACTIVE;
    if (flags == 2 && !vm_read_u32(&d->r, &seg->memory)) return false;
    if (flags != 1 && !read_expr(d, &seg->offset)) return false;
    uint32_t len;
    const uint8_t *bytes;
    if (!read_len(d, &len) || !vm_read_bytes(&d->r, len, &bytes)) return false;
    seg->init_offset = (uint32_t)(bytes - d->r.base);
    seg->init_size = len;
  }
  return true;
}

/* ---- custom sections and the name section -------------------------------- */

static void free_local_names(vm_local_names *ln, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    for (uint32_t k = 0; k < ln[i].count; k++) free(ln[i].names[k].name);
    free(ln[i].names);
  }
  free(ln);
}

static void free_names(vm_name *names, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) free(names[i].name);
  free(names);
}

/* A name map: vec(index name). Returns false on any malformation. */
static bool read_name_map(vm_reader *r, vm_name **out, uint32_t *nout) {
  uint32_t n;
  *out = NULL;
  *nout = 0;
  if (!vm_read_count(r, 2, &n)) return false;
  vm_name *names = calloc(n ? n : 1, sizeof *names);
  if (!names) return false;
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t *s;
    uint32_t len;
    if (!vm_read_u32(r, &names[i].index) || !vm_read_name(r, &s, &len) ||
        !(names[i].name = copy_string(s, len))) {
      free_names(names, i + 1);
      return false;
    }
  }
  *out = names;
  *nout = n;
  return true;
}

static int cmp_name(const void *a, const void *b) {
  uint32_t x = ((const vm_name *)a)->index, y = ((const vm_name *)b)->index;
  return x < y ? -1 : x > y;
}

/* The name section (spec 7.4.1) is debug information: a malformed one must
 * not reject the module, so it is parsed with its own error sink and simply
 * dropped when anything is off. */
static void decode_names(vm_module *m, size_t pos, size_t end) {
  vm_error scratch = {0};
  vm_reader r;
  vm_reader_init(&r, m->bytes, pos, end, &scratch);
  char *modname = NULL;
  vm_name *funcs = NULL;
  uint32_t nfuncs = 0, nlocals = 0;
  vm_local_names *locals = NULL;
  int last_id = -1;
  while (!vm_reader_eof(&r)) {
    uint8_t id;
    uint32_t size;
    if (!vm_read_u8(&r, &id) || !vm_read_u32(&r, &size) ||
        size > vm_reader_left(&r))
      goto drop;
    /* Subsections come at most once, in increasing order of id. */
    if ((int)id <= last_id) goto drop;
    last_id = id;
    vm_reader sub = r;
    sub.end = r.pos + size;
    r.pos = sub.end;
    if (id == 0) {
      const uint8_t *s;
      uint32_t len;
      if (!vm_read_name(&sub, &s, &len) || !(modname = copy_string(s, len)))
        goto drop;
    } else if (id == 1) {
      if (!read_name_map(&sub, &funcs, &nfuncs)) goto drop;
      /* Spec order is increasing; sort anyway so lookups stay correct. */
      qsort(funcs, nfuncs, sizeof *funcs, cmp_name);
    } else if (id == 2) {
      uint32_t n;
      if (!vm_read_count(&sub, 2, &n)) goto drop;
      if (!(locals = calloc(n ? n : 1, sizeof *locals))) goto drop;
      for (uint32_t i = 0; i < n; i++) {
        nlocals = i + 1;
        if (!vm_read_u32(&sub, &locals[i].func) ||
            !read_name_map(&sub, &locals[i].names, &locals[i].count))
          goto drop;
      }
      nlocals = n;
    } else {
      continue; /* later subsections (labels, types, ...) are skipped */
    }
    if (sub.pos != sub.end) goto drop;
  }
  m->name = modname;
  m->func_names = funcs;
  m->nfunc_names = nfuncs;
  m->local_names = locals;
  m->nlocal_names = nlocals;
  return;
drop:
  free(modname);
  free_names(funcs, nfuncs);
  free_local_names(locals, nlocals);
}

static bool decode_custom(decoder *d, size_t sec_end) {
  vm_module *m = d->m;
  /* Like the reference, read the name first and then find that it went past
   * the section (or that the section goes past the module). */
  const uint8_t *s;
  uint32_t len;
  if (!vm_read_name(&d->r, &s, &len)) return false;
  if (d->r.pos > sec_end || sec_end > d->r.end)
    return malformed(d, d->r.pos, EOS_MSG);
  size_t payload = d->r.pos;
  /* m->ncustoms only grows one by one, so double the array at powers of 2 */
  uint32_t n = m->ncustoms;
  if ((n & (n - 1)) == 0) {
    size_t cap = n ? (size_t)n * 2 : 4;
    vm_custom *p = realloc(m->customs, cap * sizeof *p);
    if (!p) return oom(d);
    m->customs = p;
  }
  vm_custom *c = &m->customs[n];
  if (!(c->name = copy_string(s, len))) return oom(d);
  c->name_len = len;
  c->offset = (uint32_t)payload;
  c->size = (uint32_t)(sec_end - payload);
  m->ncustoms = n + 1;
  if (len == 4 && memcmp(s, "name", 4) == 0 && !m->func_names && !m->name &&
      !m->local_names)
    decode_names(m, payload, sec_end);
  d->r.pos = sec_end;
  return true;
}

/* Position of each known section id in the required order (spec 5.5.16):
 * the data count section (12) sits between element (9) and code (10). */
static int section_rank(uint8_t id) {
  static const int8_t rank[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
  return rank[id];
}

static bool decode_sections(decoder *d) {
  vm_reader *r = &d->r;
  int last_rank = 0;
  while (!vm_reader_eof(r)) {
    size_t id_at = r->pos;
    uint8_t id;
    uint32_t size;
    if (!vm_read_u8(r, &id)) return false;
    if (id > 12) return malformed(d, id_at, "malformed section id");
    if (!read_len(d, &size)) return false;
    size_t sec_end = r->pos + size;
    if (id == 0) {
      if (!decode_custom(d, sec_end)) return false;
      continue;
    }
    int rank = section_rank(id);
    if (rank <= last_rank)
      return malformed(d, id_at, "unexpected content after last section");
    last_rank = rank;
    bool ok;
    switch (id) {
    case 1: ok = decode_types(d); break;
    case 2: ok = decode_imports(d) && index_imports(d); break;
    case 3: ok = decode_functions(d); break;
    case 4: ok = decode_tables(d); break;
    case 5: ok = decode_memories(d); break;
    case 6: ok = decode_globals(d); break;
    case 7: ok = decode_exports(d); break;
    case 8: ok = decode_start(d); break;
    case 9: ok = decode_elems(d); break;
    case 10: ok = decode_code(d); break;
    case 11: ok = decode_datas(d); break;
    default: ok = decode_datacount(d); break;
    }
    if (!ok) return false;
    if (r->pos != sec_end) return malformed(d, id_at, "section size mismatch");
  }
  return true;
}

static bool decode_module(decoder *d) {
  vm_module *m = d->m;
  vm_reader *r = &d->r;
  const uint8_t *p;
  if (!vm_read_bytes(r, 4, &p)) return false;
  if (memcmp(p, "\0asm", 4) != 0)
    return malformed(d, 0, "magic header not detected");
  if (!vm_read_bytes(r, 4, &p)) return false;
  if (memcmp(p, "\1\0\0\0", 4) != 0)
    return malformed(d, 4, "unknown binary version");
  r->eof_msg = EOS_MSG;
  if (!decode_sections(d)) return false;
  /* Cross-section checks, after everything is read as the reference does. */
  if (m->nfuncs && !d->have_codesec)
    return malformed(d, m->size,
                     "function and code section have inconsistent lengths");
  if (m->has_datacount && m->datacount != m->ndatas)
    return malformed(d, m->size,
                     "data count and data section have inconsistent lengths");
  /* memory.init and data.drop refer to data segments before the data
   * section is read, so their module must announce the count (spec 5.5.15,
   * 5.5.16). */
  if (d->uses_data && !m->has_datacount)
    return malformed(d, m->size, "data count section required");
  return true;
}

static vm_module *decode_owned(uint8_t *bytes, size_t size, bool trusted,
                               vm_error *err) {
  vm_module *m = calloc(1, sizeof *m);
  if (!m) {
    free(bytes);
    vm_fail(err, VM_ERR_OOM, 0, "out of memory");
    return NULL;
  }
  m->bytes = bytes;
  m->size = size;
  /* Offsets are stored as u32 (the binary format's own limit). */
  if (size > UINT32_MAX) {
    vm_fail(err, VM_ERR_MALFORMED, 0, "module too large");
    vm_module_free(m);
    return NULL;
  }
  decoder d = {.m = m, .err = err, .trusted = trusted};
  vm_reader_init(&d.r, bytes, 0, size, err);
  bool ok = decode_module(&d);
  free(d.blocks);
  if (!ok) {
    /* A failing read always records an error; make sure regardless. */
    vm_fail(err, VM_ERR_MALFORMED, d.r.pos, "malformed module");
    vm_module_free(m);
    return NULL;
  }
  return m;
}

vm_module *vm_decode_owned(uint8_t *bytes, size_t size, vm_error *err) {
  return decode_owned(bytes, size, false, err);
}

vm_module *vm_decode_owned_trusted(uint8_t *bytes, size_t size,
                                   vm_error *err) {
  return decode_owned(bytes, size, true, err);
}

vm_module *vm_decode(const uint8_t *bytes, size_t size, vm_error *err) {
  uint8_t *copy = malloc(size ? size : 1);
  if (!copy) {
    vm_fail(err, VM_ERR_OOM, 0, "out of memory");
    return NULL;
  }
  if (size) memcpy(copy, bytes, size);
  return vm_decode_owned(copy, size, err);
}

void vm_module_free(vm_module *m) {
  if (!m) return;
  for (uint32_t i = 0; i < m->ntypes; i++) free(m->types[i].types);
  free(m->types);
  for (uint32_t i = 0; i < m->nimports; i++) {
    free(m->imports[i].module);
    free(m->imports[i].name);
  }
  free(m->imports);
  free(m->import_by_kind);
  if (m->funcs)
    for (uint32_t i = 0; i < m->nfuncs; i++) free(m->funcs[i].local_runs);
  free(m->funcs);
  free(m->tables);
  free(m->memories);
  free(m->globals);
  for (uint32_t i = 0; i < m->nexports; i++) free(m->exports[i].name);
  free(m->exports);
  for (uint32_t i = 0; i < m->nelems; i++) {
    free(m->elems[i].funcs);
    free(m->elems[i].exprs);
  }
  free(m->elems);
  free(m->datas);
  for (uint32_t i = 0; i < m->ncustoms; i++) free(m->customs[i].name);
  free(m->customs);
  free(m->name);
  free_names(m->func_names, m->nfunc_names);
  free_local_names(m->local_names, m->nlocal_names);
  free(m->bytes);
  free(m);
}

/* ---- index spaces -------------------------------------------------------- */

uint32_t vm_func_count(const vm_module *m) {
  return m->nimported_funcs + m->nfuncs;
}
uint32_t vm_table_count(const vm_module *m) {
  return m->nimported_tables + m->ntables;
}
uint32_t vm_memory_count(const vm_module *m) {
  return m->nimported_memories + m->nmemories;
}
uint32_t vm_global_count(const vm_module *m) {
  return m->nimported_globals + m->nglobals;
}

/* The import that is entity `idx` of its kind; `base` is where that kind's
 * group starts in import_by_kind. */
static const vm_import *nth_import(const vm_module *m, uint32_t base,
                                   uint32_t idx) {
  return &m->imports[m->import_by_kind[base + idx]];
}

uint32_t vm_func_type_index(const vm_module *m, uint32_t idx) {
  if (idx < m->nimported_funcs) return nth_import(m, 0, idx)->desc.func_type;
  idx -= m->nimported_funcs;
  return idx < m->nfuncs ? m->funcs[idx].type : UINT32_MAX;
}

const vm_functype *vm_func_type(const vm_module *m, uint32_t idx) {
  uint32_t t = vm_func_type_index(m, idx);
  return t < m->ntypes ? &m->types[t] : NULL;
}

const vm_tabletype *vm_table_type(const vm_module *m, uint32_t idx) {
  if (idx < m->nimported_tables)
    return &nth_import(m, m->nimported_funcs, idx)->desc.table;
  idx -= m->nimported_tables;
  return idx < m->ntables ? &m->tables[idx] : NULL;
}

const vm_limits *vm_memory_type(const vm_module *m, uint32_t idx) {
  if (idx < m->nimported_memories)
    return &nth_import(m, m->nimported_funcs + m->nimported_tables, idx)
                ->desc.memory;
  idx -= m->nimported_memories;
  return idx < m->nmemories ? &m->memories[idx] : NULL;
}

const vm_globaltype *vm_global_type(const vm_module *m, uint32_t idx) {
  if (idx < m->nimported_globals)
    return &nth_import(m,
                       m->nimported_funcs + m->nimported_tables +
                           m->nimported_memories,
                       idx)
                ->desc.global;
  idx -= m->nimported_globals;
  return idx < m->nglobals ? &m->globals[idx].type : NULL;
}

const char *vm_func_name(const vm_module *m, uint32_t idx) {
  uint32_t lo = 0, hi = m->nfunc_names;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (m->func_names[mid].index < idx) lo = mid + 1;
    else hi = mid;
  }
  return lo < m->nfunc_names && m->func_names[lo].index == idx
             ? m->func_names[lo].name
             : NULL;
}

const char *vm_valtype_name(uint8_t type) {
  switch (type) {
  case VM_I32: return "i32";
  case VM_I64: return "i64";
  case VM_F32: return "f32";
  case VM_F64: return "f64";
  case VM_V128: return "v128";
  case VM_FUNCREF: return "funcref";
  case VM_EXTERNREF: return "externref";
  }
  return "?";
}
