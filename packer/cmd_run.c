/* `ferry run`: loads a module, links WASI, instantiates it on the
 * interpreter and runs `_start` (or one export given with --invoke). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packer/cli.h"
#include "runtime/rt.h"
#include "runtime/wasi.h"
#include "vm/interp.h"
#include "vm/load.h"

/* Exit status for a trap, as a shell reports a process killed by SIGABRT;
 * the same convention wasmtime uses. */
enum { EXIT_TRAP = 134 };

static const char run_help[] =
    "usage: ferry run [--dir HOST[::GUEST]]... [--env NAME[=VALUE]]... [OPTIONS]\n"
    "                 [--] FILE [ARGS...]\n"
    "\n"
    "Runs a WebAssembly module (.wasm or .wat) on the interpreter: its\n"
    "`_start` export (a WASI command), or the export named by --invoke.\n"
    "The exit status is the program's (proc_exit), 0 when _start returns,\n"
    "134 with the trap message and a backtrace on stderr when it traps.\n"
    "\n"
    "options:\n"
    "  --invoke NAME     call export NAME with ARGS converted to its parameter\n"
    "                    types, and print its results, one per line\n"
    "  --dir HOST[::GUEST]  grant the program the host directory HOST (and\n"
    "                    everything below it) under the name GUEST (default:\n"
    "                    HOST as given); nothing else of the file system is\n"
    "                    visible; repeatable\n"
    "  --env NAME[=VALUE]  add a variable to the program's environment (NAME\n"
    "                    alone: its value in ferry's environment); repeatable\n"
    "  --tcplisten HOST:PORT  grant a listening TCP socket (sock_accept)\n"
    "  --dump-ir         print the interpreter's IR of one function instead\n"
    "                    of running (with --func)\n"
    "  --func N          function index for --dump-ir\n";

typedef struct {
  const char *path;
  const char *invoke;
  bool dump_ir;
  long func;
  char **env;
  int envc;
  char **dirs; /* --dir values */
  int ndirs;
  char **listen; /* --tcplisten values */
  int nlisten;
  char **env_owned; /* "NAME=VALUE" made for --env NAME */
  int nenv_owned;
  char **args; /* FILE then its arguments */
  int nargs;
} run_options;

static int parse_options(int argc, char **argv, run_options *o) {
  int i = 1;
  o->func = -1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      i++;
      break;
    }
    if (a[0] != '-' || !a[1]) break;
    if (cli_is_help(a)) return cli_print(run_help, 0);
    bool has_value = i + 1 < argc;
    if (!strcmp(a, "--invoke") && has_value) {
      o->invoke = argv[++i];
    } else if (!strcmp(a, "--env") && has_value) {
      const char *v = argv[++i];
      if (v[0] == '=')
        return cli_usage_error("run", "--env needs NAME[=VALUE]", v, run_help);
      if (strchr(v, '=')) {
        o->env[o->envc++] = argv[i];
      } else {
        /* NAME alone passes ferry's own value on, as wasmtime does. */
        const char *host = getenv(v);
        if (!host) continue;
        size_t n = strlen(v) + strlen(host) + 2;
        char *kv = malloc(n);
        if (!kv) return cli_print("ferry run: out of memory\n", 1);
        snprintf(kv, n, "%s=%s", v, host);
        o->env_owned[o->nenv_owned++] = kv;
        o->env[o->envc++] = kv;
      }
    } else if (!strcmp(a, "--dir") && has_value) {
      o->dirs[o->ndirs++] = argv[++i];
    } else if (!strcmp(a, "--tcplisten") && has_value) {
      o->listen[o->nlisten++] = argv[++i];
    } else if (!strcmp(a, "--dump-ir")) {
      o->dump_ir = true;
    } else if (!strcmp(a, "--func") && has_value) {
      char *end;
      errno = 0;
      o->func = strtol(argv[++i], &end, 10);
      if (errno || *end || o->func < 0)
        return cli_usage_error("run", "--func needs a function index", argv[i], run_help);
    } else {
      return cli_usage_error("run", has_value || a[1] != '-' ? "unknown option"
                                                             : "option needs a value",
                             a, run_help);
    }
  }
  if (i == argc) return cli_usage_error("run", "no module given", NULL, run_help);
  if (o->dump_ir && o->func < 0)
    return cli_usage_error("run", "--dump-ir needs --func N", NULL, run_help);
  o->path = argv[i];
  o->args = argv + i;
  o->nargs = argc - i;
  return -1; /* go on */
}

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

static void report_trap(const char *path, const rt_trap_info *trap) {
  fprintf(stderr, "ferry run: %s: trap: %s\n", path, trap->message);
  for (uint32_t i = 0; i < trap->nframes; i++) {
    const rt_instance *inst = trap->frames[i].inst;
    uint32_t idx = trap->frames[i].func;
    const char *name = inst ? vm_func_name(inst->module, idx) : NULL;
    fprintf(stderr, "  %u: func %u%s%s\n", i, idx, name ? " $" : "",
            name ? name : "");
  }
}

/* Runs the export with the given arguments; returns the exit status. */
static int run_export(rt_store *store, rt_instance *inst, const run_options *o,
                      rt_wasi *wasi) {
  const char *name = o->invoke ? o->invoke : "_start";
  rt_extern ext;
  if (!rt_instance_export(inst, name, (uint32_t)strlen(name), &ext) ||
      ext.kind != VM_EXT_FUNC) {
    fprintf(stderr, "ferry run: %s: no exported function \"%s\"%s\n", o->path,
            name, o->invoke ? "" : " (use --invoke NAME)");
    return 1;
  }
  const vm_functype *t = ext.u.func->type;
  int nargs = o->invoke ? o->nargs - 1 : 0;
  if ((uint32_t)nargs != t->nparams) {
    fprintf(stderr, "ferry run: \"%s\" takes %u arguments, %d given\n", name,
            t->nparams, nargs);
    return 1;
  }
  uint64_t *slots = calloc(rt_type_slots(t) + 1, sizeof *slots);
  if (!slots) return 1;
  for (int i = 0; i < nargs; i++)
    if (!parse_arg(o->args[1 + i], t->types[i], &slots[i])) {
      fprintf(stderr, "ferry run: argument %d '%s' is not a valid %s\n", i + 1,
              o->args[1 + i], vm_valtype_name(t->types[i]));
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
      report_trap(o->path, &trap);
      status = EXIT_TRAP;
    }
  } else if (o->invoke) {
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

/* Preopens the --dir directories (fds 3...) and --tcplisten sockets after
 * them, in command-line order. */
static bool grant(rt_wasi *wasi, const run_options *o) {
  for (int i = 0; i < o->ndirs; i++) {
    const char *spec = o->dirs[i];
    const char *sep = strstr(spec, "::");
    size_t hl = sep ? (size_t)(sep - spec) : strlen(spec);
    char *host = malloc(hl + 1);
    if (!host) return false;
    memcpy(host, spec, hl);
    host[hl] = 0;
    const char *guest = sep ? sep + 2 : host;
    int e = hl && *guest ? rt_wasi_preopen_dir(wasi, host, guest) : 28;
    if (e)
      fprintf(stderr, "ferry run: --dir %s: %s\n", spec,
              e == 44 ? "no such directory" : e == 54 ? "not a directory"
              : e == 2 ? "permission denied" : e == 28 ? "needs HOST[::GUEST]"
              : "cannot open");
    free(host);
    if (e) return false;
  }
  for (int i = 0; i < o->nlisten; i++) {
    int e = rt_wasi_preopen_socket(wasi, o->listen[i]);
    if (e) {
      fprintf(stderr, "ferry run: --tcplisten %s: cannot listen (WASI errno %d)\n",
              o->listen[i], e);
      return false;
    }
  }
  return true;
}

static int run_module(const run_options *o) {
  int status = 1;
  vm_error err = {0};
  rt_engine *engine = NULL;
  rt_store *store = NULL;
  rt_extern *imports = NULL;
  vm_module *m = vm_load_file(o->path, true, &err);
  rt_wasi *wasi = rt_wasi_new(o->nargs, o->args, o->envc, o->env);
  if (!m) {
    cli_report(o->path, &err);
    goto done;
  }
  if (wasi && !grant(wasi, o)) goto done;
  if (!wasi || !(engine = rt_engine_new()) || !(store = rt_store_new(engine)) ||
      !(imports = calloc(m->nimports + 1, sizeof *imports))) {
    fprintf(stderr, "ferry run: out of memory\n");
    goto done;
  }
  for (uint32_t i = 0; i < m->nimports; i++) {
    const vm_import *im = &m->imports[i];
    if (strcmp(im->module, "wasi_snapshot_preview1") ||
        !rt_wasi_lookup(wasi, store, im->name, im->name_len, &imports[i])) {
      fprintf(stderr, "ferry run: %s: unknown import \"%s\" \"%s\"\n", o->path,
              im->module, im->name);
      goto done;
    }
  }
  char msg[512];
  rt_trap_info trap;
  bool trapped = false;
  vm_module *owned = m;
  m = NULL; /* the store owns it from here on */
  rt_instance *inst = rt_instantiate(store, owned, imports, owned->nimports,
                                     RT_ENGINE_INTERP, msg, sizeof msg, &trap,
                                     &trapped);
  if (!inst) {
    if (trapped) {
      report_trap(o->path, &trap);
      status = EXIT_TRAP;
    } else {
      fprintf(stderr, "ferry run: %s: %s\n", o->path, msg);
    }
    goto done;
  }
  rt_wasi_bind(wasi, inst);
  if (o->dump_ir) {
    if ((uint64_t)o->func >= vm_func_count(inst->module) ||
        !vm_interp_dump_ir(stdout, inst->funcs[o->func])) {
      fprintf(stderr, "ferry run: %s: no defined function %ld\n", o->path, o->func);
      goto done;
    }
    status = 0;
    goto done;
  }
  status = run_export(store, inst, o, wasi);
done:
  vm_module_free(m);
  free(imports);
  rt_store_free(store);
  rt_engine_free(engine);
  rt_wasi_free(wasi);
  return status;
}

int cli_run(int argc, char **argv) {
  run_options o = {0};
  o.env = calloc((size_t)argc + 1, sizeof *o.env);
  o.env_owned = calloc((size_t)argc + 1, sizeof *o.env_owned);
  o.dirs = calloc((size_t)argc + 1, sizeof *o.dirs);
  o.listen = calloc((size_t)argc + 1, sizeof *o.listen);
  int status = 1;
  if (o.env && o.env_owned && o.dirs && o.listen) {
    status = parse_options(argc, argv, &o);
    if (status < 0) status = run_module(&o);
  }
  for (int i = 0; i < o.nenv_owned; i++) free(o.env_owned[i]);
  free(o.env_owned);
  free(o.dirs);
  free(o.listen);
  free(o.env);
  return status;
}
