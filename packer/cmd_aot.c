/* `ferry aot`: translates a module to C (DESIGN.md decision 5), and with
 * --cc builds a native executable from that C and the runtime library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/emit.h"
#include "packer/cli.h"
#include "runtime/os_proc.h"
#include "runtime/rt.h"
#include "vm/load.h"

static const char aot_help[] =
    "usage: ferry aot [OPTIONS] FILE -o OUT\n"
    "\n"
    "Translates a WebAssembly module to self-contained C. Without --cc, OUT\n"
    "is the C file (readable, with wasm function names as comments). With\n"
    "--cc, the C plus a main that runs the module's _start with WASI is\n"
    "compiled with that compiler (-O2) and linked with the runtime library\n"
    "into the executable OUT.\n"
    "\n"
    "options:\n"
    "  -o OUT        output file (required)\n"
    "  --cc CC       compile a native executable with CC (gcc, clang, ...)\n"
    "  --lib PATH    the runtime library (default: libferry.a next to ferry)\n"
    "  --cflags STR  extra compiler flags for --cc\n";

/* libferry.a next to the running ferry executable (build/ferry and
 * build/libferry.a sit together). */
static void default_lib(const char *argv0, char *out, size_t n) {
  const char *slash = strrchr(argv0, '/');
  if (slash)
    snprintf(out, n, "%.*s/libferry.a", (int)(slash - argv0), argv0);
  else
    snprintf(out, n, "libferry.a");
}

int cli_aot(int argc, char **argv) {
  const char *in = NULL, *out = NULL, *cc = NULL, *lib = NULL, *cflags = "";
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (cli_is_help(a)) return cli_print(aot_help, 0);
    bool has_value = i + 1 < argc;
    if (!strcmp(a, "-o") && has_value) out = argv[++i];
    else if (!strcmp(a, "--cc") && has_value) cc = argv[++i];
    else if (!strcmp(a, "--lib") && has_value) lib = argv[++i];
    else if (!strcmp(a, "--cflags") && has_value) cflags = argv[++i];
    else if (a[0] == '-' && a[1]) return cli_usage_error("aot", "unknown option", a, aot_help);
    else if (!in) in = a;
    else return cli_usage_error("aot", "more than one module", a, aot_help);
  }
  if (!in) return cli_usage_error("aot", "no module given", NULL, aot_help);
  if (!out) return cli_usage_error("aot", "no output given (-o)", NULL, aot_help);

  vm_error err;
  memset(&err, 0, sizeof err);
  vm_module *m = vm_load_file(in, true, &err);
  if (!m) {
    cli_report(in, &err);
    return 1;
  }
  int status = 1;
  aot_buf c = {0};
  char msg[256], cpath[4096], libpath[4096], *cmd = NULL;
  aot_emit_opts o = {.first = 0, .count = m->nfuncs,
                     .bounds_check = !RT_GUARD_PAGES, .native_main = cc != NULL};
  if (!aot_emit(m, &o, &c, msg, sizeof msg)) {
    fprintf(stderr, "ferry aot: %s: %s\n", in, msg);
    goto out;
  }
  if (cc) snprintf(cpath, sizeof cpath, "%s.c", out);
  else snprintf(cpath, sizeof cpath, "%s", out);
  int e = os_file_write(cpath, c.data, c.len, false);
  if (e) {
    fprintf(stderr, "ferry aot: %s: cannot write: %s\n", cpath, os_error_text(e));
    goto out;
  }
  if (!cc) {
    status = 0;
    goto out;
  }
  if (!lib) {
    default_lib(argv[-1] ? argv[-1] : "ferry", libpath, sizeof libpath);
    lib = libpath;
  }
  size_t n = strlen(cc) + strlen(cpath) + strlen(lib) + strlen(out) +
             strlen(cflags) + 200;
  cmd = malloc(n);
  if (!cmd) goto out;
  /* The runtime library brings libtcc along (runtime/instance.c reaches
   * the in-memory compiler), hence its libraries too. Loops aligned to 32
   * bytes: with gcc's default alignment the dispatch loop of bench's `vm`
   * ran 25% slower (placement against the decoder's fetch windows), and
   * the geometric mean over ../shared/bench was 1.09-1.11 against
   * 1.05-1.08 aligned (three configurations in one run, min of 7). */
  snprintf(cmd, n,
           "%s -O2 -falign-loops=32 -w %s '%s' '%s' -lm -l:libtcc.a -ldl -o '%s'", cc, cflags,
           cpath, lib, out);
  if (system(cmd) != 0) {
    fprintf(stderr, "ferry aot: the C compiler failed: %s\n", cmd);
    goto out;
  }
  os_file_remove(cpath);
  status = 0;
out:
  free(cmd);
  aot_buf_free(&c);
  vm_module_free(m);
  return status;
}
