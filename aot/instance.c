/* Attaching compiled code to instances: the per-instance environment
 * template, engine type ids for call_indirect, and the rt_func fields the
 * runtime calls through (entry, code, code_free). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/aot_int.h"
#include "runtime/os.h"
#include "vm/simd.h"

void aot_code_release(aot_code *c) {
  if (!c || --c->refs) return;
  if (c->owned) {
    for (uint32_t i = 0; i < c->nregions; i++)
      os_release(c->region[i], c->region_size[i]);
    free(c->region);
    free(c->region_size);
    free(c->fn);
    free(c->wrap);
    free(c->osr);
  }
  free(c);
}

aot_code *aot_code_from_desc(const aot_desc *d) {
  aot_code *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->refs = 1;
  c->nfuncs = d->nfuncs;
  c->fn = (void **)d->fn;
  c->wrap = (aot_wrap_fn *)d->wrap;
  c->owned = false;
  return c;
}

/* rt_func.code_free: the last function of an instance frees its state. */
static void inst_release(void *p) {
  aot_inst *ai = p;
  if (--ai->refs) return;
  for (uint32_t i = 0; i < ai->nkept; i++) {
    if (ai->kept_free[i]) ai->kept_free[i](ai->kept[i]);
    else free(ai->kept[i]);
  }
  free(ai->kept);
  free(ai->kept_free);
  aot_code_release(ai->code);
  free(ai->type_ids);
  free(ai);
}

/* The AOT state of inst running `code` (no references yet). */
static aot_inst *inst_new(rt_instance *inst, aot_code *code) {
  const vm_module *m = inst->module;
  rt_engine *engine = rt_store_engine(inst->store);
  aot_inst *ai = calloc(1, sizeof *ai);
  if (!ai) return NULL;
  ai->type_ids = calloc(m->ntypes + 1, sizeof *ai->type_ids);
  if (!ai->type_ids) goto oom;
  for (uint32_t i = 0; i < m->ntypes; i++) {
    ai->type_ids[i] = rt_engine_type_id(engine, &m->types[i]);
    if (ai->type_ids[i] == UINT32_MAX) goto oom;
  }
  ai->code = code;
  code->refs++;
  aot_env *t = &ai->tmpl;
  t->inst = inst;
  t->ai = ai;
  t->mem = inst->mem0 ? inst->mem0->base : NULL;
  t->g = (uint64_t **)inst->globals; /* rt_global starts with val */
  t->funcs = (void **)inst->funcs;
  t->tables = (void **)inst->tables;
  t->fn = code->fn;
  t->type_ids = ai->type_ids;
  t->simd = (const void *const *)vm_simd_fns;
  return ai;
oom:
  free(ai->type_ids);
  free(ai);
  return NULL;
}

/* Points defined function i at the compiled code. */
static void point_at(aot_inst *ai, rt_func *f, uint32_t i) {
  f->entry = (rt_entry_fn)ai->code->wrap[i];
  f->code = ai;
  f->code_free = inst_release;
  ai->refs++;
}

static bool code_matches(const rt_instance *inst, const aot_code *code,
                         char *err, size_t err_size) {
  if (code->nfuncs == inst->module->nfuncs) return true;
  if (err && err_size) snprintf(err, err_size, "aot: code does not match module");
  return false;
}

static bool out_of_memory(char *err, size_t err_size) {
  if (err && err_size) snprintf(err, err_size, "aot: out of memory");
  return false;
}

bool aot_attach(rt_instance *inst, aot_code *code, char *err,
                size_t err_size) {
  const vm_module *m = inst->module;
  if (!code_matches(inst, code, err, err_size)) return false;
  if (!m->nfuncs) return true;
  aot_inst *ai = inst_new(inst, code);
  if (!ai) return out_of_memory(err, err_size);
  for (uint32_t i = 0; i < m->nfuncs; i++) {
    rt_func *f = inst->funcs[m->nimported_funcs + i];
    if (f->code && f->code_free) f->code_free(f->code);
    else free(f->code);
    point_at(ai, f, i);
  }
  return true;
}

bool aot_attach_tiered(rt_instance *inst, aot_code *code,
                       bool keep_interpreted, char *err, size_t err_size) {
  const vm_module *m = inst->module;
  if (!code_matches(inst, code, err, err_size)) return false;
  aot_inst *ai = inst_new(inst, code);
  if (!ai) return out_of_memory(err, err_size);
  ai->refs = 1; /* inst->tier's */
  inst->tier = ai;
  inst->tier_free = inst_release;
  if (keep_interpreted) return true;
  ai->kept = calloc(m->nfuncs + 1, sizeof *ai->kept);
  ai->kept_free = calloc(m->nfuncs + 1, sizeof *ai->kept_free);
  if (!ai->kept || !ai->kept_free) return out_of_memory(err, err_size);
  for (uint32_t i = 0; i < m->nfuncs; i++) {
    rt_func *f = inst->funcs[m->nimported_funcs + i];
    if (f->code) {
      ai->kept[ai->nkept] = f->code;
      ai->kept_free[ai->nkept++] = f->code_free;
    }
    point_at(ai, f, i);
  }
  return true;
}
