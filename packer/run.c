/* pk_run: load a module, link WASI, instantiate, run _start (or one export)
 * and turn the outcome into an exit status. Shared by `ferry run`
 * (cmd_run.c) and the packed-executable stub (pk_stub_main, payload.c). */
#include "packer/run.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/os_proc.h"
#include "runtime/rt.h"
#include "runtime/wasi.h"
#include "vm/interp.h"
#include "vm/load.h"
#include "vm/validate.h"

/* --invoke arguments: decimal or 0x integers, floats as strtod reads them
 * (inf, nan, hex floats included). */
static bool parse_arg(const char *s, uint8_t type, uint64_t *slot) {
  char *end;
  errno = 0;
  switch (type) {
  case VM_I32: case VM_I64: {
    bool neg = s[0] == '-';
    uint64_t v = strtoull(neg ? s + 1 : s, &end, 0);
    if (errno || *end || !*s) return false;
    if (type == VM_I32 && v > (neg ? 0x80000000ull : 0xffffffffull)) return false;
    if (neg && type == VM_I64 && v > 0x8000000000000000ull) return false;
    v = neg ? 0 - v : v;
    *slot = type == VM_I32 ? (uint32_t)v : v;
    return true;
  }
  case VM_F32: {
    float f = strtof(s, &end);
    if (*end || !*s) return false;
    uint32_t bits;
    memcpy(&bits, &f, 4);
    *slot = bits;
    return true;
  }
  case VM_F64: {
    double d = strtod(s, &end);
    if (*end || !*s) return false;
    memcpy(slot, &d, 8);
    return true;
  }
  default:
    return false; /* v128 and references cannot be given on a command line */
  }
}

static void print_result(uint8_t type, const uint64_t *slot) {
  switch (type) {
  case VM_I32: printf("%" PRId32 "\n", (int32_t)(uint32_t)slot[0]); break;
  case VM_I64: printf("%" PRId64 "\n", (int64_t)slot[0]); break;
  case VM_F32: {
    float f;
    uint32_t bits = (uint32_t)slot[0];
    memcpy(&f, &bits, 4);
    printf("%.9g\n", f);
    break;
  }
  case VM_F64: {
    double d;
    memcpy(&d, slot, 8);
    printf("%.17g\n", d);
    break;
  }
  case VM_V128:
    printf("0x%016" PRIx64 "%016" PRIx64 "\n", slot[1], slot[0]);
    break;
  default:
    printf("%s\n", slot[0] ? "ref" : "null");
  }
}

/* Starts a message about the module: "ferry run: FILE: " for `ferry run`;
 * a packed executable is both, so its name comes once. */
static void where(const pk_run_config *c) {
  fprintf(stderr, "%s: ", c->who);
  if (strcmp(c->who, c->path)) fprintf(stderr, "%s: ", c->path);
}

static void report_trap(const pk_run_config *c, const rt_trap_info *trap) {
  where(c);
  fprintf(stderr, "trap: %s\n", trap->message);
  for (uint32_t i = 0; i < trap->nframes; i++) {
    const rt_instance *inst = trap->frames[i].inst;
    uint32_t idx = trap->frames[i].func;
    const char *name = inst ? vm_func_name(inst->module, idx) : NULL;
    fprintf(stderr, "  %u: func %u%s%s\n", i, idx, name ? " $" : "",
            name ? name : "");
  }
}

/* Runs the export with the given arguments; returns the exit status. */
static int run_export(rt_store *store, rt_instance *inst,
                      const pk_run_config *c, rt_wasi *wasi) {
  const char *name = c->invoke ? c->invoke : "_start";
  rt_extern ext;
  if (!rt_instance_export(inst, name, (uint32_t)strlen(name), &ext) ||
      ext.kind != VM_EXT_FUNC) {
    where(c);
    fprintf(stderr, "no exported function \"%s\"%s\n", name,
            c->invoke ? "" : " (use --invoke NAME)");
    return 1;
  }
  const vm_functype *t = ext.u.func->type;
  int nargs = c->invoke ? c->argc - 1 : 0;
  if ((uint32_t)nargs != t->nparams) {
    fprintf(stderr, "%s: \"%s\" takes %u arguments, %d given\n", c->who, name,
            t->nparams, nargs);
    return 1;
  }
  uint64_t *slots = calloc(rt_type_slots(t) + 1, sizeof *slots);
  if (!slots) return 1;
  for (int i = 0; i < nargs; i++)
    if (!parse_arg(c->argv[1 + i], t->types[i], &slots[i])) {
      fprintf(stderr, "%s: argument %d '%s' is not a valid %s\n", c->who,
              i + 1, c->argv[1 + i], vm_valtype_name(t->types[i]));
      free(slots);
      return 1;
    }
  rt_trap_info trap;
  int status = 0;
  if (!rt_call(store, ext.u.func, slots, &trap)) {
    rt_wasi_flush(wasi);
    if (trap.kind == RT_TRAP_EXIT) {
      status = trap.exit_code;
    } else {
      report_trap(c, &trap);
      status = PK_EXIT_TRAP;
    }
  } else if (c->invoke) {
    uint32_t at = 0;
    for (uint32_t i = 0; i < t->nresults; i++) {
      uint8_t type = t->types[t->nparams + i];
      print_result(type, slots + at);
      at += rt_value_slots(type);
    }
  }
  rt_wasi_flush(wasi);
  free(slots);
  return status;
}

/* Preopens the directories (fds 3...) and sockets after them, in the order
 * given, then the bundle. */
static bool grant(rt_wasi *wasi, const pk_run_config *c) {
  for (int i = 0; i < c->ndirs; i++) {
    const char *spec = c->dirs[i];
    const char *sep = strstr(spec, "::");
    size_t hl = sep ? (size_t)(sep - spec) : strlen(spec);
    char *host = malloc(hl + 1);
    if (!host) return false;
    memcpy(host, spec, hl);
    host[hl] = 0;
    const char *guest = sep ? sep + 2 : host;
    bool malformed = !hl || !*guest;
    int e = malformed ? OS_EINVAL : rt_wasi_preopen_dir(wasi, host, guest);
    if (e)
      fprintf(stderr, "%s: --dir %s: %s\n", c->who, spec,
              malformed ? "needs HOST[::GUEST]" : os_error_text(e));
    free(host);
    if (e) return false;
  }
  for (int i = 0; i < c->nlisten; i++) {
    int e = rt_wasi_preopen_socket(wasi, c->listen[i]);
    if (e) {
      fprintf(stderr, "%s: --tcplisten %s: cannot listen: %s\n", c->who,
              c->listen[i], os_error_text(e));
      return false;
    }
  }
  if (c->bundle) {
    int e = rt_wasi_preopen_bundle(wasi, c->bundle->data, c->bundle->size,
                                   c->bundle->guest);
    if (e) {
      fprintf(stderr, "%s: bundle at %s: %s\n", c->who, c->bundle->guest,
              e == OS_EINVAL ? "malformed" : os_error_text(e));
      return false;
    }
  }
  return true;
}

/* The module from the config: decoded from `owned` without a copy, or
 * loaded (text or binary) from `bytes`; validated unless it already was
 * (DESIGN.md decision 2 holds: validation happened at pack time). */
static vm_module *load_module(const pk_run_config *c, vm_error *err) {
  if (!c->owned) return vm_load(c->bytes, c->size, true, err);
  vm_module *m = c->prevalidated
                      ? vm_decode_owned_trusted(c->owned, c->size, err)
                      : vm_decode_owned(c->owned, c->size, err);
  if (m && !c->prevalidated && !vm_validate(m, err)) {
    vm_module_free(m);
    return NULL;
  }
  return m;
}

/* `owned` is always consumed: vm_decode_owned frees it on failure too. */
int pk_run(const pk_run_config *c) {
  int status = 1;
  vm_error err = {0};
  rt_engine *engine = NULL;
  rt_store *store = NULL;
  rt_extern *imports = NULL;
  vm_module *m = load_module(c, &err);
  rt_wasi *wasi = rt_wasi_new(c->argc, c->argv, c->envc, c->env);
  if (!m) {
    char buf[1024];
    vm_error_format(&err, c->path, buf, sizeof buf);
    fprintf(stderr, "%s\n", buf);
    goto done;
  }
  if (wasi && !grant(wasi, c)) goto done;
  if (!wasi || !(engine = rt_engine_new()) || !(store = rt_store_new(engine)) ||
      !(imports = calloc(m->nimports + 1, sizeof *imports))) {
    fprintf(stderr, "%s: out of memory\n", c->who);
    goto done;
  }
  rt_store_set_fuel(store, c->fuel);
  for (uint32_t i = 0; i < m->nimports; i++) {
    const vm_import *im = &m->imports[i];
    if (strcmp(im->module, "wasi_snapshot_preview1") ||
        !rt_wasi_lookup(wasi, store, im->name, im->name_len, &imports[i])) {
      where(c);
      fprintf(stderr, "unknown import \"%s\" \"%s\"\n", im->module, im->name);
      goto done;
    }
  }
  char msg[512];
  rt_trap_info trap;
  bool trapped = false;
  vm_module *owned = m;
  m = NULL; /* the store owns it from here on */
  /* tcc compiles in rt_instantiate (the AOT engine's hook), or once hot
   * when tiered; native code is already in the executable and is attached
   * right after instantiation, so a start function runs interpreted, as
   * with `ferry aot --cc`. */
  rt_engine_kind kind = c->mode != PK_MODE_TCC ? RT_ENGINE_INTERP
                        : c->tiered            ? RT_ENGINE_TIERED
                                               : RT_ENGINE_AOT;
  rt_instance *inst = rt_instantiate(store, owned, imports, owned->nimports,
                                     kind, msg, sizeof msg, &trap, &trapped);
  if (!inst) {
    if (trapped) {
      report_trap(c, &trap);
      status = PK_EXIT_TRAP;
    } else {
      where(c);
      fprintf(stderr, "%s\n", msg);
    }
    goto done;
  }
  if (c->mode == PK_MODE_NATIVE &&
      (!c->attach || !c->attach(inst, c->native, msg, sizeof msg))) {
    where(c);
    fprintf(stderr, "%s\n", c->attach ? msg : "no native code in this executable");
    goto done;
  }
  rt_wasi_bind(wasi, inst);
  if (c->dump_ir_func >= 0) {
    if ((uint64_t)c->dump_ir_func >= vm_func_count(inst->module) ||
        !vm_interp_dump_ir(stdout, inst->funcs[c->dump_ir_func])) {
      where(c);
      fprintf(stderr, "no defined function %ld\n", c->dump_ir_func);
      goto done;
    }
    status = 0;
    goto done;
  }
  status = run_export(store, inst, c, wasi);
done:
  vm_module_free(m);
  free(imports);
  rt_store_free(store);
  rt_engine_free(engine);
  rt_wasi_free(wasi);
  return status;
}
