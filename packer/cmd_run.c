/* `ferry run`: parses the command line; pk_run (run.c) loads the module,
 * links WASI, instantiates it on the interpreter and runs `_start` (or one
 * export given with --invoke). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packer/cli.h"
#include "packer/run.h"
#include "vm/load.h"

static const char run_help[] =
    "usage: ferry run [--dir HOST[::GUEST]]... [--env NAME[=VALUE]]... [OPTIONS]\n"
    "                 [--] FILE [ARGS...]\n"
    "\n"
    "Runs a WebAssembly module (.wasm or .wat) on the interpreter (or, with\n"
    "--aot, compiled in memory with libtcc): its\n"
    "`_start` export (a WASI command), or the export named by --invoke.\n"
    "The exit status is the program's (proc_exit), 0 when _start returns,\n"
    "134 with the trap message on stderr when it traps (and a backtrace of\n"
    "the wasm frames when it trapped in interpreted code).\n"
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
    "  --aot             compile the module to native code with libtcc first\n"
    "  --tiered          start interpreted and compile with libtcc once the\n"
    "                    program has run a while; running loops move to the\n"
    "                    compiled code (what a packed --mode tcc program does)\n"
    "  --fuel N          trap with \"fuel exhausted\" after N loop iterations\n"
    "                    and calls (interpreter only; default: unlimited)\n"
    "  --dump-ir         print the interpreter's IR of one function instead\n"
    "                    of running (with --func)\n"
    "  --func N          function index for --dump-ir\n";

typedef struct {
  const char *path;
  const char *invoke;
  bool aot, tiered;
  uint64_t fuel;
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
    } else if (!strcmp(a, "--aot")) {
      o->aot = true;
    } else if (!strcmp(a, "--tiered")) {
      o->tiered = true;
    } else if (!strcmp(a, "--fuel") && has_value) {
      char *end;
      errno = 0;
      o->fuel = strtoull(argv[++i], &end, 10);
      if (errno || *end || !o->fuel || argv[i][0] == '-')
        return cli_usage_error("run", "--fuel needs a positive count", argv[i], run_help);
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

/* Hands the parsed options to pk_run, which `ferry run` shares with packed
 * executables. */
static int run_module(const run_options *o) {
  uint8_t *bytes = NULL;
  size_t size = 0;
  vm_error err = {0};
  if (!vm_read_file(o->path, &bytes, &size, &err)) {
    cli_report(o->path, &err);
    return 1;
  }
  pk_run_config c = {
      .who = "ferry run",
      .path = o->path,
      .bytes = bytes,
      .size = size,
      .argc = o->nargs,
      .argv = o->args,
      .envc = o->envc,
      .env = o->env,
      .ndirs = o->ndirs,
      .dirs = (const char *const *)o->dirs,
      .nlisten = o->nlisten,
      .listen = (const char *const *)o->listen,
      .mode = o->aot || o->tiered ? PK_MODE_TCC : PK_MODE_INTERP,
      .tiered = o->tiered && !o->aot,
      .fuel = o->fuel,
      .invoke = o->invoke,
      .dump_ir_func = o->dump_ir ? o->func : -1,
  };
  int status = pk_run(&c);
  free(bytes);
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
