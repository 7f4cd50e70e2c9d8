#include "vm/dump.h"

#include <inttypes.h>
#include <string.h>

static const char *const ext_names[] = {"func", "table", "memory", "global"};

void vm_dump_functype(FILE *out, const vm_functype *t) {
  fputc('(', out);
  for (uint32_t i = 0; i < t->nparams; i++)
    fprintf(out, "%s%s", i ? " " : "", vm_valtype_name(t->types[i]));
  fputs(") -> (", out);
  for (uint32_t i = 0; i < t->nresults; i++)
    fprintf(out, "%s%s", i ? " " : "",
            vm_valtype_name(t->types[t->nparams + i]));
  fputc(')', out);
}

static void dump_limits(FILE *out, const vm_limits *l) {
  fprintf(out, "%" PRIu64, l->min);
  if (l->has_max) fprintf(out, "..%" PRIu64, l->max);
}

/* A name as a text-format string literal: names may hold any UTF-8,
 * including quotes, control characters and NUL. */
static void dump_string(FILE *out, const char *s, uint32_t len) {
  fputc('"', out);
  for (uint32_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
      fprintf(out, "\\%02x", c);
    else
      fputc(c, out);
  }
  fputc('"', out);
}

static void dump_bytes(FILE *out, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) fprintf(out, "%02x", p[i]);
}

void vm_dump_instr(FILE *out, const vm_module *m, const vm_instr *in) {
  const vm_opinfo *info = &vm_opinfo_table[in->op];
  fputs(info->name, out);
  switch ((vm_imm_kind)info->imm) {
  case VM_IMM_NONE:
    break;
  case VM_IMM_BLOCK:
    if (in->block >= 0) fprintf(out, " (type %" PRId64 ")", in->block);
    else if (in->block != VM_BLOCK_EMPTY)
      fprintf(out, " (result %s)", vm_valtype_name((uint8_t)-in->block));
    break;
  case VM_IMM_LABEL: case VM_IMM_FUNC: case VM_IMM_LOCAL: case VM_IMM_GLOBAL:
  case VM_IMM_TABLE: case VM_IMM_ELEM: case VM_IMM_DATA: case VM_IMM_MEMIDX:
    fprintf(out, " %" PRIu32, in->a);
    break;
  case VM_IMM_BR_TABLE: {
    vm_reader r;
    vm_error err = {0};
    vm_reader_init(&r, m->bytes, in->targets_offset, m->size, &err);
    for (uint32_t i = 0; i < in->a; i++) {
      uint32_t label = 0;
      vm_read_u32(&r, &label);
      fprintf(out, " %" PRIu32, label);
    }
    fprintf(out, " %" PRIu32, in->b);
    break;
  }
  case VM_IMM_CALL_INDIRECT: case VM_IMM_MEMORY_INIT: case VM_IMM_MEMORY_COPY:
  case VM_IMM_TABLE_INIT: case VM_IMM_TABLE_COPY:
    fprintf(out, " %" PRIu32 " %" PRIu32, in->a, in->b);
    break;
  case VM_IMM_MEMARG:
    fprintf(out, " offset=%" PRIu64 " align=%u", in->offset_imm, 1u << in->a);
    break;
  case VM_IMM_MEMARG_LANE:
    fprintf(out, " offset=%" PRIu64 " align=%u %u", in->offset_imm,
            1u << in->a, in->lane);
    break;
  case VM_IMM_I32: case VM_IMM_I64:
    fprintf(out, " %" PRId64, in->i64);
    break;
  case VM_IMM_F32:
    fprintf(out, " 0x%08" PRIx64, in->bits);
    break;
  case VM_IMM_F64:
    fprintf(out, " 0x%016" PRIx64, in->bits);
    break;
  case VM_IMM_SELECT_T:
    fprintf(out, " (result %s)", vm_valtype_name((uint8_t)in->b));
    break;
  case VM_IMM_REFTYPE:
    fputs(in->a == VM_FUNCREF ? " func" : " extern", out);
    break;
  case VM_IMM_V128: case VM_IMM_SHUFFLE:
    fputc(' ', out);
    dump_bytes(out, in->v128, 16);
    break;
  case VM_IMM_LANE:
    fprintf(out, " %u", in->lane);
    break;
  }
}

/* Prints the instructions of [offset, offset+size); one per line when
 * `indent` is set, else space separated (constant expressions). */
static void dump_code(FILE *out, const vm_module *m, uint32_t offset,
                      uint32_t size, const char *indent) {
  vm_reader r;
  vm_error err = {0};
  vm_reader_init(&r, m->bytes, offset, (size_t)offset + size, &err);
  vm_instr in;
  bool first = true;
  while (!vm_reader_eof(&r) && vm_read_instr(&r, &in)) {
    if (indent) fputs(indent, out);
    else if (!first) fputc(' ', out);
    vm_dump_instr(out, m, &in);
    if (indent) fputc('\n', out);
    first = false;
  }
}

static void dump_expr(FILE *out, const vm_module *m, vm_expr e) {
  fputc('[', out);
  dump_code(out, m, e.offset, e.size, NULL);
  fputc(']', out);
}

static void dump_import_desc(FILE *out, const vm_module *m,
                             const vm_import *im) {
  switch (im->kind) {
  case VM_EXT_FUNC:
    fprintf(out, "type %" PRIu32 " ", im->desc.func_type);
    if (im->desc.func_type < m->ntypes)
      vm_dump_functype(out, &m->types[im->desc.func_type]);
    break;
  case VM_EXT_TABLE:
    fprintf(out, "%s ", vm_valtype_name(im->desc.table.elemtype));
    dump_limits(out, &im->desc.table.limits);
    break;
  case VM_EXT_MEMORY:
    dump_limits(out, &im->desc.memory);
    break;
  case VM_EXT_GLOBAL:
    fprintf(out, "%s%s", im->desc.global.mut ? "mut " : "",
            vm_valtype_name(im->desc.global.type));
    break;
  }
}

/* One import: kind, module and field names, and its type. */
static void dump_import(FILE *out, const vm_module *m, const vm_import *im) {
  fprintf(out, "%-6s ", ext_names[im->kind]);
  dump_string(out, im->module, im->module_len);
  fputc(' ', out);
  dump_string(out, im->name, im->name_len);
  fputc(' ', out);
  dump_import_desc(out, m, im);
  fputc('\n', out);
}

static const char *const seg_modes[] = {"active", "passive", "declarative"};

void vm_dump_canonical(FILE *out, const vm_module *m) {
  for (uint32_t i = 0; i < m->ntypes; i++) {
    fprintf(out, "type %" PRIu32 " ", i);
    vm_dump_functype(out, &m->types[i]);
    fputc('\n', out);
  }
  for (uint32_t i = 0; i < m->nimports; i++) {
    fputs("import ", out);
    dump_import(out, m, &m->imports[i]);
  }
  for (uint32_t i = 0; i < m->ntables; i++) {
    fprintf(out, "table %s ", vm_valtype_name(m->tables[i].elemtype));
    dump_limits(out, &m->tables[i].limits);
    fputc('\n', out);
  }
  for (uint32_t i = 0; i < m->nmemories; i++) {
    fputs("memory ", out);
    dump_limits(out, &m->memories[i]);
    fputc('\n', out);
  }
  for (uint32_t i = 0; i < m->nglobals; i++) {
    const vm_global *g = &m->globals[i];
    fprintf(out, "global %s%s ", g->type.mut ? "mut " : "",
            vm_valtype_name(g->type.type));
    dump_expr(out, m, g->init);
    fputc('\n', out);
  }
  for (uint32_t i = 0; i < m->nexports; i++) {
    fputs("export ", out);
    dump_string(out, m->exports[i].name, m->exports[i].name_len);
    fprintf(out, " %s %" PRIu32 "\n", ext_names[m->exports[i].kind],
            m->exports[i].index);
  }
  if (m->has_start) fprintf(out, "start %" PRIu32 "\n", m->start);
  for (uint32_t i = 0; i < m->nelems; i++) {
    const vm_elem *e = &m->elems[i];
    fprintf(out, "elem %s %s", seg_modes[e->mode], vm_valtype_name(e->type));
    if (e->mode == VM_SEG_ACTIVE) {
      fprintf(out, " table %" PRIu32 " offset ", e->table);
      dump_expr(out, m, e->offset);
    }
    /* Function indices and `ref.func` expressions mean the same. */
    for (uint32_t k = 0; k < e->count; k++) {
      fputc(' ', out);
      if (e->funcs) fprintf(out, "[ref.func %" PRIu32 "]", e->funcs[k]);
      else dump_expr(out, m, e->exprs[k]);
    }
    fputc('\n', out);
  }
  if (m->has_datacount) fprintf(out, "datacount %" PRIu32 "\n", m->datacount);
  for (uint32_t i = 0; i < m->nfuncs; i++) {
    const vm_func *f = &m->funcs[i];
    fprintf(out, "func %" PRIu32 " type %" PRIu32 " locals",
            m->nimported_funcs + i, f->type);
    for (uint32_t k = 0; k < f->nlocal_runs; k++)
      for (uint32_t n = 0; n < f->local_runs[k].count && n < 100000; n++)
        fprintf(out, " %s", vm_valtype_name(f->local_runs[k].type));
    fputc('\n', out);
    dump_code(out, m, f->body_offset, f->body_size, "  ");
  }
  for (uint32_t i = 0; i < m->ndatas; i++) {
    const vm_data *d = &m->datas[i];
    fprintf(out, "data %s", seg_modes[d->mode]);
    if (d->mode == VM_SEG_ACTIVE) {
      fprintf(out, " memory %" PRIu32 " offset ", d->memory);
      dump_expr(out, m, d->offset);
    }
    fputc(' ', out);
    dump_bytes(out, m->bytes + d->init_offset, d->init_size);
    fputc('\n', out);
  }
}

static const char *const section_names[] = {
    "custom", "type",   "import", "function", "table", "memory",   "global",
    "export", "start",  "element", "code",    "data",  "datacount"};

/* The module is already decoded, so the section headers are known good. */
static void dump_sections(FILE *out, const vm_module *m) {
  vm_reader r;
  vm_error err = {0};
  vm_reader_init(&r, m->bytes, 8, m->size, &err);
  fputs("sections:\n", out);
  while (!vm_reader_eof(&r)) {
    uint8_t id;
    uint32_t size;
    if (!vm_read_u8(&r, &id) || !vm_read_u32(&r, &size)) break;
    fprintf(out, "  %-10s offset 0x%06zx size %" PRIu32 "\n",
            id < 13 ? section_names[id] : "?", r.pos, size);
    r.pos += size;
  }
}

static void print_name(FILE *out, const char *name) {
  if (name) fprintf(out, " $%s", name);
}

void vm_dump_summary(FILE *out, const vm_module *m) {
  fprintf(out, "binary size %zu bytes\n", m->size);
  if (m->name) fprintf(out, "module name $%s\n", m->name);
  dump_sections(out, m);
  fprintf(out, "types (%" PRIu32 "):\n", m->ntypes);
  for (uint32_t i = 0; i < m->ntypes; i++) {
    fprintf(out, "  %" PRIu32 ": ", i);
    vm_dump_functype(out, &m->types[i]);
    fputc('\n', out);
  }
  fprintf(out, "imports (%" PRIu32 "):\n", m->nimports);
  for (uint32_t i = 0; i < m->nimports; i++) {
    fputs("  ", out);
    dump_import(out, m, &m->imports[i]);
  }
  fprintf(out, "exports (%" PRIu32 "):\n", m->nexports);
  for (uint32_t i = 0; i < m->nexports; i++) {
    const vm_export *ex = &m->exports[i];
    fprintf(out, "  %-6s ", ext_names[ex->kind]);
    dump_string(out, ex->name, ex->name_len);
    fprintf(out, " -> %" PRIu32, ex->index);
    if (ex->kind == VM_EXT_FUNC) {
      print_name(out, vm_func_name(m, ex->index));
      fputc(' ', out);
      vm_dump_functype(out, vm_func_type(m, ex->index));
    }
    fputc('\n', out);
  }
  uint64_t code = 0;
  for (uint32_t i = 0; i < m->nfuncs; i++) code += m->funcs[i].body_size;
  fprintf(out,
          "functions: %" PRIu32 " (%" PRIu32 " imported, %" PRIu32
          " defined), code %" PRIu64 " bytes\n",
          vm_func_count(m), m->nimported_funcs, m->nfuncs, code);
  for (uint32_t i = 0; i < m->nfuncs; i++) {
    const vm_func *f = &m->funcs[i];
    uint32_t idx = m->nimported_funcs + i;
    fprintf(out, "  func %" PRIu32, idx);
    print_name(out, vm_func_name(m, idx));
    fprintf(out, " type %" PRIu32 " locals %" PRIu32 " code 0x%06" PRIx32
            " size %" PRIu32 "\n",
            f->type, f->nlocals, f->body_offset, f->body_size);
  }
  for (uint32_t i = 0; i < m->ntables; i++) {
    fprintf(out, "table %" PRIu32 ": %s ", m->nimported_tables + i,
            vm_valtype_name(m->tables[i].elemtype));
    dump_limits(out, &m->tables[i].limits);
    fputc('\n', out);
  }
  for (uint32_t i = 0; i < m->nmemories; i++) {
    fprintf(out, "memory %" PRIu32 ": pages ", m->nimported_memories + i);
    dump_limits(out, &m->memories[i]);
    fputc('\n', out);
  }
  fprintf(out, "globals: %" PRIu32 " defined\n", m->nglobals);
  fprintf(out, "element segments: %" PRIu32 ", data segments: %" PRIu32 "\n",
          m->nelems, m->ndatas);
  if (m->has_start) fprintf(out, "start: func %" PRIu32 "\n", m->start);
  fprintf(out, "custom sections (%" PRIu32 "):\n", m->ncustoms);
  for (uint32_t i = 0; i < m->ncustoms; i++)
  {
    fputs("  ", out);
    dump_string(out, m->customs[i].name, m->customs[i].name_len);
    fprintf(out, " offset 0x%06" PRIx32 " size %" PRIu32 "\n",
            m->customs[i].offset, m->customs[i].size);
  }
}
