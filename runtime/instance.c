/* Instantiation (spec 4.5.4, Wasm 2.0) and exports.
 *
 * Order, as the spec gives it:
 *   1. check the imports against the module's import types (4.5.2);
 *   2. allocate functions, then evaluate global initialisers (which may read
 *      imported globals and take ref.func of any function) and allocate
 *      tables, memories and globals; evaluate element segment items;
 *   3. for each element segment in order: active ones are table.init + elem.drop,
 *      declarative ones elem.drop;
 *   4. for each data segment in order: active ones are memory.init + data.drop;
 *   5. run the start function.
 * A trap in 3–5 fails the instantiation but keeps what was written before it
 * (2.0 removed the up-front bounds check of 1.0), which the spec tests
 * observe through imported tables and memories.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/aot.h"
#include "runtime/rt_int.h"
#include "vm/instr.h"
#include "vm/interp.h"

/* The public instance plus what only the runtime sees. */
typedef struct {
  rt_instance pub;     /* first: rt_instance* and box* convert */
  rt_func *defined;    /* the module's own functions, one block */
  uint32_t ndefined;
} instance_box;

void rt_instance_free(rt_instance *inst) {
  if (!inst) return;
  instance_box *b = (instance_box *)inst;
  for (uint32_t i = 0; i < b->ndefined; i++) {
    rt_func *f = &b->defined[i];
    if (!f->code) continue;
    if (f->code_free) f->code_free(f->code);
    else free(f->code);
  }
  free(b->defined);
  if (inst->tier) inst->tier_free(inst->tier);
  if (inst->elems)
    for (uint32_t i = 0; i < inst->module->nelems; i++)
      free(inst->elems[i].refs);
  free(inst->elems);
  free(inst->datas);
  free(inst->funcs);
  free(inst->tables);
  free(inst->memories);
  free(inst->globals);
  vm_module_free(inst->module);
  free(b);
}

static bool link_error(char *err, size_t err_size, const char *msg) {
  if (err && err_size) snprintf(err, err_size, "%s", msg);
  return false;
}

/* ---- import matching (spec 4.5.2, "external typing" and "import
 * subtyping") ---- */

/* Limits {min, max?} of the actual object match the import's when they are
 * at least as large and at most as permissive: min >= min', and if the
 * import declares a max the object must declare one no larger. */
static bool limits_match(uint64_t min, bool has_max, uint64_t max,
                         const vm_limits *want) {
  if (min < want->min) return false;
  if (!want->has_max) return true;
  return has_max && max <= want->max;
}

static bool import_matches(rt_store *s, const vm_module *m,
                           const vm_import *im, const rt_extern *ex) {
  if (ex->kind != im->kind) return false;
  switch (im->kind) {
  case VM_EXT_FUNC: {
    uint32_t id;
    if (!ex->u.func) return false;
    if (!rt_engine_intern(s->engine, &m->types[im->desc.func_type], &id))
      return false;
    return id == ex->u.func->type_id;
  }
  case VM_EXT_TABLE: {
    const rt_table *t = ex->u.table;
    return t && t->elemtype == im->desc.table.elemtype &&
           limits_match(t->size, t->has_max, t->max, &im->desc.table.limits);
  }
  case VM_EXT_MEMORY: {
    const rt_memory *mem = ex->u.memory;
    return mem && limits_match(mem->size / RT_PAGE_SIZE, mem->has_max,
                               mem->max_pages, &im->desc.memory);
  }
  case VM_EXT_GLOBAL: {
    const rt_global *g = ex->u.global;
    return g && g->type.type == im->desc.global.type &&
           g->type.mut == im->desc.global.mut;
  }
  }
  return false;
}

/* ---- constant expressions (spec 3.3.10; validated to be one constant
 * instruction, or global.get of an import, then `end`) ---- */

static bool eval_const(const rt_instance *inst, vm_expr e, uint64_t out[2]) {
  const vm_module *m = inst->module;
  vm_error err;
  vm_reader r;
  vm_instr in;
  memset(&err, 0, sizeof err);
  vm_reader_init(&r, m->bytes, e.offset, (size_t)e.offset + e.size, &err);
  out[0] = out[1] = 0;
  for (;;) {
    if (!vm_read_instr(&r, &in)) return false;
    switch (in.op) {
    case VM_OP_END: return true;
    case VM_OP_I32_CONST: out[0] = (uint32_t)in.i64; break;
    case VM_OP_I64_CONST: out[0] = (uint64_t)in.i64; break;
    case VM_OP_F32_CONST: out[0] = (uint32_t)in.bits; break;
    case VM_OP_F64_CONST: out[0] = in.bits; break;
    case VM_OP_V128_CONST:
      /* Lane bytes are little endian: bytes 0..7 are the low half. */
      out[0] = out[1] = 0;
      for (int i = 7; i >= 0; i--) {
        out[0] = out[0] << 8 | in.v128[i];
        out[1] = out[1] << 8 | in.v128[8 + i];
      }
      break;
    case VM_OP_REF_NULL: out[0] = 0; break;
    case VM_OP_REF_FUNC: out[0] = (uintptr_t)inst->funcs[in.a]; break;
    case VM_OP_GLOBAL_GET:
      out[0] = inst->globals[in.a]->val[0];
      out[1] = inst->globals[in.a]->val[1];
      break;
    default: return false; /* the validator lets nothing else through */
    }
  }
}

/* ---- allocation ---- */

static bool alloc_arrays(rt_instance *inst, const vm_module *m) {
  uint32_t nf = vm_func_count(m), nt = vm_table_count(m),
           nm = vm_memory_count(m), ng = vm_global_count(m);
  /* calloc(0) may return NULL; +1 keeps "NULL = out of memory". */
  inst->funcs = calloc(nf + 1, sizeof *inst->funcs);
  inst->tables = calloc(nt + 1, sizeof *inst->tables);
  inst->memories = calloc(nm + 1, sizeof *inst->memories);
  inst->globals = calloc(ng + 1, sizeof *inst->globals);
  inst->elems = calloc(m->nelems + 1, sizeof *inst->elems);
  inst->datas = calloc(m->ndatas + 1, sizeof *inst->datas);
  return inst->funcs && inst->tables && inst->memories && inst->globals &&
         inst->elems && inst->datas;
}

static bool alloc_funcs(rt_store *s, instance_box *b, rt_entry_fn entry) {
  rt_instance *inst = &b->pub;
  const vm_module *m = inst->module;
  b->defined = calloc(m->nfuncs + 1, sizeof *b->defined);
  if (!b->defined) return false;
  b->ndefined = m->nfuncs;
  for (uint32_t i = 0; i < m->nfuncs; i++) {
    rt_func *f = &b->defined[i];
    f->type = rt_engine_intern(s->engine, &m->types[m->funcs[i].type],
                               &f->type_id);
    if (!f->type) return false;
    f->inst = inst;
    f->index = m->nimported_funcs + i;
    f->entry = entry;
    inst->funcs[f->index] = f;
  }
  return true;
}

static bool alloc_defined(rt_store *s, rt_instance *inst, char *err,
                          size_t err_size) {
  const vm_module *m = inst->module;
  for (uint32_t i = 0; i < m->ntables; i++) {
    rt_table *t = rt_table_new_type(s, &m->tables[i], 0);
    if (!t) return link_error(err, err_size, "out of memory (table)");
    inst->tables[m->nimported_tables + i] = t;
  }
  for (uint32_t i = 0; i < m->nmemories; i++) {
    rt_memory *mem = rt_memory_new_limits(s, &m->memories[i]);
    if (!mem) return link_error(err, err_size, "out of memory (memory)");
    inst->memories[m->nimported_memories + i] = mem;
  }
  for (uint32_t i = 0; i < m->nglobals; i++) {
    uint64_t v[2];
    if (!eval_const(inst, m->globals[i].init, v))
      return link_error(err, err_size, "bad constant expression");
    rt_global *g = rt_global_new(s, m->globals[i].type, v[0], v[1]);
    if (!g) return link_error(err, err_size, "out of memory (global)");
    inst->globals[m->nimported_globals + i] = g;
  }
  inst->mem0 = vm_memory_count(m) ? inst->memories[0] : NULL;
  return true;
}

/* Evaluates every element segment's items into references (spec 4.5.4:
 * before any segment is applied), and points data segments at their bytes. */
static bool eval_segments(rt_instance *inst, char *err, size_t err_size) {
  const vm_module *m = inst->module;
  for (uint32_t i = 0; i < m->nelems; i++) {
    const vm_elem *el = &m->elems[i];
    rt_elem_inst *seg = &inst->elems[i];
    seg->refs = malloc((el->count + 1) * sizeof *seg->refs);
    if (!seg->refs) return link_error(err, err_size, "out of memory");
    seg->count = el->count;
    for (uint32_t k = 0; k < el->count; k++) {
      if (el->funcs) {
        seg->refs[k] = (uintptr_t)inst->funcs[el->funcs[k]];
      } else {
        uint64_t v[2];
        if (!eval_const(inst, el->exprs[k], v))
          return link_error(err, err_size, "bad constant expression");
        seg->refs[k] = (uintptr_t)v[0];
      }
    }
  }
  for (uint32_t i = 0; i < m->ndatas; i++) {
    inst->datas[i].bytes = m->bytes + m->datas[i].init_offset;
    inst->datas[i].size = m->datas[i].init_size;
  }
  return true;
}

static void set_trap(rt_trap_info *trap, rt_trap_kind kind) {
  trap->kind = kind;
  trap->exit_code = 0;
  trap->nframes = 0;
  rt_trap_set_message(trap, rt_trap_message(kind));
}

/* Steps 3 and 4: apply segments in order. Returns false with *trap set. */
static bool apply_segments(rt_instance *inst, rt_trap_info *trap) {
  const vm_module *m = inst->module;
  for (uint32_t i = 0; i < m->nelems; i++) {
    const vm_elem *el = &m->elems[i];
    if (el->mode == VM_SEG_ACTIVE) {
      uint64_t v[2];
      if (!eval_const(inst, el->offset, v)) v[0] = UINT64_MAX;
      uint64_t d = (uint32_t)v[0];
      rt_table *t = inst->tables[el->table];
      rt_elem_inst *seg = &inst->elems[i];
      /* table.init n: trap when d + n > size, even for n == 0 (spec 4.4.6). */
      if (d > t->size || seg->count > t->size - d) {
        set_trap(trap, RT_TRAP_TABLE_OOB);
        return false;
      }
      if (seg->count)
        memcpy(t->elems + d, seg->refs, seg->count * sizeof *seg->refs);
    }
    /* Active and declarative segments are dropped; passive ones stay for
     * table.init. */
    if (el->mode != VM_SEG_PASSIVE) rt_elem_drop(inst, i);
  }
  for (uint32_t i = 0; i < m->ndatas; i++) {
    const vm_data *dd = &m->datas[i];
    if (dd->mode != VM_SEG_ACTIVE) continue;
    uint64_t v[2];
    if (!eval_const(inst, dd->offset, v)) v[0] = UINT64_MAX;
    uint64_t d = (uint32_t)v[0];
    rt_memory *mem = inst->memories[dd->memory];
    rt_data_inst *seg = &inst->datas[i];
    if (!rt_memory_in_bounds(mem, d, seg->size)) {
      set_trap(trap, RT_TRAP_MEMORY_OOB);
      return false;
    }
    if (seg->size) memcpy(mem->base + d, seg->bytes, seg->size);
    rt_data_drop(inst, i);
  }
  return true;
}

rt_instance *rt_instantiate(rt_store *s, vm_module *module,
                            const rt_extern *imports, uint32_t nimports,
                            rt_engine_kind engine, char *err, size_t err_size,
                            rt_trap_info *trap, bool *trapped) {
  rt_trap_info local_trap;
  bool local_trapped;
  if (!trap) trap = &local_trap;
  if (!trapped) trapped = &local_trapped;
  *trapped = false;
  if (err && err_size) err[0] = '\0';
  instance_box *b = NULL;
  rt_entry_fn entry = NULL;

  /* Functions start out interpreted; the AOT engine then points every
   * defined function at its compiled code (aot_prepare_instance below). */
  switch (engine) {
  case RT_ENGINE_INTERP: case RT_ENGINE_AOT: case RT_ENGINE_TIERED:
    entry = vm_interp_entry;
    break;
  }
  if (!entry) {
    link_error(err, err_size, "unknown engine");
    goto fail;
  }

  /* 1. Imports (spec 4.5.4 steps 2–4). */
  if (nimports != module->nimports) {
    link_error(err, err_size, "unknown import");
    goto fail;
  }
  for (uint32_t i = 0; i < nimports; i++) {
    if (!imports[i].u.func) { /* any member: they share storage */
      link_error(err, err_size, "unknown import");
      goto fail;
    }
    if (!import_matches(s, module, &module->imports[i], &imports[i])) {
      link_error(err, err_size, "incompatible import type");
      goto fail;
    }
  }

  /* 2. Allocation. */
  b = calloc(1, sizeof *b);
  if (!b) {
    link_error(err, err_size, "out of memory");
    goto fail;
  }
  rt_instance *inst = &b->pub;
  inst->store = s;
  inst->module = module;
  inst->engine = engine;
  if (!alloc_arrays(inst, module)) {
    link_error(err, err_size, "out of memory");
    goto fail;
  }
  /* Imports fill the start of each index space, grouped by kind. */
  uint32_t nf = 0, nt = 0, nm = 0, ng = 0;
  for (uint32_t i = 0; i < nimports; i++) {
    switch (imports[i].kind) {
    case VM_EXT_FUNC: inst->funcs[nf++] = imports[i].u.func; break;
    case VM_EXT_TABLE: inst->tables[nt++] = imports[i].u.table; break;
    case VM_EXT_MEMORY: inst->memories[nm++] = imports[i].u.memory; break;
    case VM_EXT_GLOBAL: inst->globals[ng++] = imports[i].u.global; break;
    }
  }
  if (!alloc_funcs(s, b, entry)) {
    link_error(err, err_size, "out of memory");
    goto fail;
  }
  /* Tables, memories and globals made here belong to the store's lists
   * from now on, even if this instantiation fails. */
  if (!alloc_defined(s, inst, err, err_size)) goto fail;
  if (engine == RT_ENGINE_AOT && !aot_prepare_instance(inst, err, err_size))
    goto fail;
  if (!eval_segments(inst, err, err_size)) goto fail;

  /* From here on the instance is observable (its functions can land in
   * imported tables), so the store keeps it even when it traps. */
  if (!rt_ptrvec_push(&s->instances, b)) {
    link_error(err, err_size, "out of memory");
    goto fail;
  }
  if (engine == RT_ENGINE_TIERED) rt_tier_register(inst);

  /* 3–4. Segments. */
  if (!apply_segments(inst, trap)) {
    *trapped = true;
    return NULL;
  }

  /* 5. Start function (spec 4.5.4 step 16). */
  if (module->has_start) {
    uint64_t slots[2] = {0, 0}; /* type [] -> [] */
    if (!rt_call(s, inst->funcs[module->start], slots, trap)) {
      *trapped = true;
      return NULL;
    }
  }
  return inst;

fail:
  if (b) {
    rt_instance_free(&b->pub); /* frees the module too */
  } else {
    vm_module_free(module);
  }
  return NULL;
}

bool rt_instance_export(const rt_instance *inst, const char *name,
                        uint32_t name_len, rt_extern *out) {
  const vm_module *m = inst->module;
  for (uint32_t i = 0; i < m->nexports; i++) {
    const vm_export *e = &m->exports[i];
    if (e->name_len != name_len || memcmp(e->name, name, name_len) != 0)
      continue;
    out->kind = e->kind;
    switch (e->kind) {
    case VM_EXT_FUNC: out->u.func = inst->funcs[e->index]; break;
    case VM_EXT_TABLE: out->u.table = inst->tables[e->index]; break;
    case VM_EXT_MEMORY: out->u.memory = inst->memories[e->index]; break;
    case VM_EXT_GLOBAL: out->u.global = inst->globals[e->index]; break;
    default: return false;
    }
    return true;
  }
  return false;
}
