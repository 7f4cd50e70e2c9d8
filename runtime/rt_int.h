/* Runtime internals shared by the runtime's own .c files (not for engines or
 * embedders: they use rt.h). */
#ifndef FERRY_RUNTIME_RT_INT_H
#define FERRY_RUNTIME_RT_INT_H

#include "runtime/rt.h"

/* A growable array of owned pointers. */
typedef struct {
  void **items;
  size_t count, cap;
} rt_ptrvec;

bool rt_ptrvec_push(rt_ptrvec *v, void *p);

/* Number of spectest exports (see spectest.c). */
enum { RT_SPECTEST_COUNT = 13 };

struct rt_engine {
  os_mutex *lock;           /* guards the type table */
  vm_functype **types;      /* interned, by id; each allocated separately so
                               pointers stay put when the array grows */
  uint32_t ntypes, cap;
  uint32_t *buckets;        /* open addressing: id + 1, 0 = empty */
  uint32_t nbuckets;        /* power of two */
  bool fault_handler;       /* os_fault_install succeeded */
};

struct rt_store {
  rt_engine *engine;
  rt_ptrvec host_funcs;     /* rt_func* made by rt_host_func_new */
  rt_ptrvec memories;       /* rt_memory*; also read by the fault handler */
  rt_ptrvec tables;
  rt_ptrvec globals;
  rt_ptrvec instances;      /* instance boxes (instance.c) */
  rt_extern spectest[RT_SPECTEST_COUNT];
  int64_t fuel;             /* what is left; INT64_MAX when unlimited */
  bool fuel_limited;
  /* Tiering (tier.c): instances waiting to be compiled, and the budget
   * before they are. While some wait, fuel counts down the budget. */
  uint32_t tier_pending;
  int64_t tier_budget;
  bool tier_stress;
  rt_stack_cache stack_cache;
};

/* Frees one instance and what it owns (its module, functions, segments);
 * memories, tables and globals belong to the store's lists. */
void rt_instance_free(rt_instance *inst);

/* memory.c / table.c / store.c internals. */
void rt_memory_free(rt_memory *m);
void rt_table_free(rt_table *t);
void rt_func_free(rt_func *f);

/* tier.c: counts a tiered instance in (or makes it interpreted under a
 * fuel limit). */
void rt_tier_register(rt_instance *inst);

/* The fault callback trap.c gives to os_fault_install. */
bool rt_fault_callback(void *addr);

/* Copies msg into a trap's message without the stdio (safe in a signal
 * handler). */
void rt_trap_set_message(rt_trap_info *t, const char *msg);

/* The raw entry of host functions: calls f->host. */
void rt_host_entry(rt_exec *ex, rt_func *f, uint64_t *slots);

#endif
