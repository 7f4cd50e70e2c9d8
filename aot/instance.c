/* Attaching compiled code to instances: the per-instance environment
 * template, engine type ids for call_indirect, and the rt_func fields the
 * runtime calls through (entry, code, code_free). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/aot_int.h"
#include "runtime/os.h"

void aot_code_release(aot_code *c) {
  if (!c || --c->refs) return;
  if (c->owned) {
    for (uint32_t i = 0; i < c->nregions; i++)
      os_release(c->region[i], c->region_size[i]);
    free(c->region);
    free(c->region_size);
    free(c->fn);
    free(c->wrap);
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
  aot_code_release(ai->code);
  free(ai->type_ids);
  free(ai);
}

bool aot_attach(rt_instance *inst, aot_code *code, char *err,
                size_t err_size) {
  const vm_module *m = inst->module;
  rt_engine *engine = rt_store_engine(inst->store);
  if (code->nfuncs != m->nfuncs) {
    if (err && err_size) snprintf(err, err_size, "aot: code does not match module");
    return false;
  }
  if (!m->nfuncs) return true;
  aot_inst *ai = calloc(1, sizeof *ai);
  if (!ai) goto oom;
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
  for (uint32_t i = 0; i < m->nfuncs; i++) {
    rt_func *f = inst->funcs[m->nimported_funcs + i];
    if (f->code && f->code_free) f->code_free(f->code);
    else free(f->code);
    f->entry = (rt_entry_fn)code->wrap[i];
    f->code = ai;
    f->code_free = inst_release;
    ai->refs++;
  }
  return true;
oom:
  if (ai) free(ai->type_ids);
  free(ai);
  if (err && err_size) snprintf(err, err_size, "aot: out of memory");
  return false;
}
