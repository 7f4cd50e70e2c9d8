/* Tiering (RT_ENGINE_TIERED): start interpreted, compile with libtcc once
 * the program has shown it runs for a while, then move over.
 *
 * Compiling all of a module costs milliseconds where interpreting the
 * first calls costs microseconds, so short runs (a packed command-line
 * tool) never pay for the compiler, and long runs pay once. The trigger is
 * the fuel counter the interpreter already decrements at back-edges and
 * calls: while instances wait, it counts down the tiering budget, so the
 * interpreter's hot paths carry no extra check. Compiling happens on the
 * running thread, at that point: simple, deterministic, nothing to lock.
 *
 * After compiling, every function's entry is the compiled one. Interpreted
 * activations still on the stack keep their IR (freed with the instance)
 * and move into compiled code at their next loop back-edge (rt_osr), which
 * matters because a program's hot loop is often in a function entered once
 * (clang inlines the kernels of most benchmarks into main). */
#include <stdio.h>

#include "aot/aot.h"
#include "runtime/rt_int.h"

void rt_store_set_tiering(rt_store *s, uint64_t budget, bool stress) {
  s->tier_budget = budget > INT64_MAX ? INT64_MAX : (int64_t)budget;
  s->tier_stress = stress;
  if (s->tier_pending && !s->fuel_limited && s->fuel > s->tier_budget)
    s->fuel = s->tier_budget;
}

/* Called by rt_instantiate for a tiered instance. */
void rt_tier_register(rt_instance *inst) {
  rt_store *s = inst->store;
  if (s->fuel_limited) {
    inst->engine = RT_ENGINE_INTERP; /* AOT code would run unmetered */
    return;
  }
  s->tier_pending++;
  if (s->fuel > s->tier_budget) s->fuel = s->tier_budget;
}

bool rt_fuel_out(rt_exec *ex) {
  rt_store *s = ex->store;
  if (s->fuel_limited) return false;
  for (size_t i = 0; s->tier_pending && i < s->instances.count; i++) {
    rt_instance *inst = s->instances.items[i]; /* a box starts with it */
    if (inst->engine != RT_ENGINE_TIERED || inst->tier) continue;
    char err[256];
    if (!aot_tier_instance(inst, s->tier_stress, err, sizeof err)) {
      fprintf(stderr, "ferry: %s; the program stays interpreted\n", err);
      inst->engine = RT_ENGINE_INTERP;
    }
  }
  s->tier_pending = 0;
  s->fuel = s->tier_stress ? 0 : INT64_MAX;
  return true;
}

bool rt_osr(rt_exec *ex, rt_func *f, uint64_t *fp, uint32_t at) {
  return f->inst && f->inst->tier && aot_osr(ex, f, fp, at);
}
