/* Engine and store (DESIGN.md decision 11): the engine holds what is
 * process-wide (interned function types, the fault handler), the store owns
 * every runtime object made in it and frees them all together. */
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_int.h"

bool rt_ptrvec_push(rt_ptrvec *v, void *p) {
  if (v->count == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 8;
    void **items = realloc(v->items, cap * sizeof *items);
    if (!items) return false;
    v->items = items;
    v->cap = cap;
  }
  v->items[v->count++] = p;
  return true;
}

uint32_t rt_type_slots(const vm_functype *t) {
  uint32_t in = 0, out = 0;
  for (uint32_t i = 0; i < t->nparams; i++) in += rt_value_slots(t->types[i]);
  for (uint32_t i = 0; i < t->nresults; i++)
    out += rt_value_slots(t->types[t->nparams + i]);
  return in > out ? in : out;
}

/* ---- engine: function type interning ----
 * Types are equal when their parameter and result lists are equal (spec
 * 4.5.2 import matching and 4.4.8 call_indirect both compare structurally),
 * so each distinct list gets one id and one shared copy; comparing types is
 * then comparing ids. */

static uint32_t type_hash(const vm_functype *t) {
  uint32_t h = 2166136261u; /* FNV-1a */
  uint32_t n = t->nparams + t->nresults;
  h = (h ^ t->nparams) * 16777619u;
  h = (h ^ t->nresults) * 16777619u;
  for (uint32_t i = 0; i < n; i++) h = (h ^ t->types[i]) * 16777619u;
  return h;
}

static bool type_equal(const vm_functype *a, const vm_functype *b) {
  return a->nparams == b->nparams && a->nresults == b->nresults &&
         (a->nparams + a->nresults == 0 ||
          memcmp(a->types, b->types, a->nparams + a->nresults) == 0);
}

static bool rehash(rt_engine *e, uint32_t nbuckets) {
  uint32_t *b = calloc(nbuckets, sizeof *b);
  if (!b) return false;
  for (uint32_t id = 0; id < e->ntypes; id++) {
    uint32_t i = type_hash(e->types[id]) & (nbuckets - 1);
    while (b[i]) i = (i + 1) & (nbuckets - 1);
    b[i] = id + 1;
  }
  free(e->buckets);
  e->buckets = b;
  e->nbuckets = nbuckets;
  return true;
}

static vm_functype *copy_type(const vm_functype *t) {
  uint32_t n = t->nparams + t->nresults;
  /* One block: the struct, then its type bytes. */
  vm_functype *c = malloc(sizeof *c + n);
  if (!c) return NULL;
  c->nparams = t->nparams;
  c->nresults = t->nresults;
  c->types = (uint8_t *)(c + 1);
  if (n) memcpy(c->types, t->types, n);
  return c;
}

/* Caller holds e->lock. */
static const vm_functype *intern_locked(rt_engine *e, const vm_functype *t,
                                        uint32_t *id) {
  if ((e->ntypes + 1) * 2 > e->nbuckets &&
      !rehash(e, e->nbuckets ? e->nbuckets * 2 : 64))
    return NULL;
  uint32_t i = type_hash(t) & (e->nbuckets - 1);
  for (; e->buckets[i]; i = (i + 1) & (e->nbuckets - 1)) {
    uint32_t k = e->buckets[i] - 1;
    if (type_equal(e->types[k], t)) {
      *id = k;
      return e->types[k];
    }
  }
  if (e->ntypes == e->cap) {
    uint32_t cap = e->cap ? e->cap * 2 : 32;
    vm_functype **types = realloc(e->types, cap * sizeof *types);
    if (!types) return NULL;
    e->types = types;
    e->cap = cap;
  }
  vm_functype *c = copy_type(t);
  if (!c) return NULL;
  *id = e->ntypes;
  e->types[e->ntypes++] = c;
  e->buckets[i] = *id + 1;
  return c;
}

const vm_functype *rt_engine_intern(rt_engine *e, const vm_functype *t,
                                    uint32_t *id) {
  uint32_t tmp;
  if (!id) id = &tmp;
  os_mutex_lock(e->lock);
  const vm_functype *r = intern_locked(e, t, id);
  os_mutex_unlock(e->lock);
  return r;
}

uint32_t rt_engine_type_id(rt_engine *e, const vm_functype *t) {
  uint32_t id;
  return rt_engine_intern(e, t, &id) ? id : UINT32_MAX;
}

rt_engine *rt_engine_new(void) {
  rt_engine *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  e->lock = os_mutex_new();
  if (!e->lock) goto fail;
#if RT_GUARD_PAGES
  /* Guard-page faults become traps only with the handler in place; without
   * it a stray access would kill the process, so this is not optional. */
  if (!os_fault_install(rt_fault_callback)) goto fail;
  e->fault_handler = true;
#endif
  return e;
fail:
  os_mutex_free(e->lock);
  free(e);
  return NULL;
}

void rt_engine_free(rt_engine *e) {
  if (!e) return;
  if (e->fault_handler) os_fault_uninstall();
  for (uint32_t i = 0; i < e->ntypes; i++) free(e->types[i]);
  free(e->types);
  free(e->buckets);
  os_mutex_free(e->lock);
  free(e);
}

/* ---- store ---- */

rt_store *rt_store_new(rt_engine *e) {
  rt_store *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->engine = e;
  s->fuel = INT64_MAX;
  s->tier_budget = RT_TIER_BUDGET;
  return s;
}

rt_engine *rt_store_engine(rt_store *s) { return s->engine; }

void rt_store_set_fuel(rt_store *s, uint64_t fuel) {
  s->fuel_limited = fuel != 0;
  s->fuel = fuel == 0 || fuel > INT64_MAX ? INT64_MAX : (int64_t)fuel;
}

uint64_t rt_store_fuel(const rt_store *s) {
  if (!s->fuel_limited) return UINT64_MAX;
  return s->fuel > 0 ? (uint64_t)s->fuel : 0;
}

rt_stack_cache *rt_store_stack_cache(rt_store *s) { return &s->stack_cache; }

void rt_func_free(rt_func *f) {
  if (f->code) {
    if (f->code_free) f->code_free(f->code);
    else free(f->code);
  }
  free(f);
}

void rt_store_free(rt_store *s) {
  if (!s) return;
  /* Instances first: their functions' code may refer to memories/tables
   * only by pointer, and nothing is dereferenced while freeing. */
  for (size_t i = 0; i < s->instances.count; i++)
    rt_instance_free(s->instances.items[i]);
  for (size_t i = 0; i < s->host_funcs.count; i++)
    rt_func_free(s->host_funcs.items[i]);
  for (size_t i = 0; i < s->memories.count; i++)
    rt_memory_free(s->memories.items[i]);
  for (size_t i = 0; i < s->tables.count; i++)
    rt_table_free(s->tables.items[i]);
  for (size_t i = 0; i < s->globals.count; i++) free(s->globals.items[i]);
  if (s->stack_cache.stack) {
    if (s->stack_cache.free) s->stack_cache.free(s->stack_cache.stack);
    else free(s->stack_cache.stack);
  }
  free(s->instances.items);
  free(s->host_funcs.items);
  free(s->memories.items);
  free(s->tables.items);
  free(s->globals.items);
  free(s);
}

/* ---- host functions and globals ---- */

void rt_host_entry(rt_exec *ex, rt_func *f, uint64_t *slots) {
  f->host(ex, slots, f->host_env);
}

rt_func *rt_host_func_new(rt_store *s, const vm_functype *type, rt_host_fn fn,
                          void *env) {
  rt_func *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  f->type = rt_engine_intern(s->engine, type, &f->type_id);
  if (!f->type) goto fail;
  f->entry = rt_host_entry;
  f->host = fn;
  f->host_env = env;
  if (!rt_ptrvec_push(&s->host_funcs, f)) goto fail;
  return f;
fail:
  free(f);
  return NULL;
}

rt_global *rt_global_new(rt_store *s, vm_globaltype type, uint64_t lo,
                         uint64_t hi) {
  rt_global *g = calloc(1, sizeof *g);
  if (!g) return NULL;
  g->type = type;
  g->val[0] = lo;
  g->val[1] = hi;
  if (!rt_ptrvec_push(&s->globals, g)) {
    free(g);
    return NULL;
  }
  return g;
}
