/* `ferry bench`: one program run interpreted, compiled in memory by libtcc,
 * and compiled natively (ferry aot --cc), with compile time, run time
 * (median of N runs), peak memory and the ratios between the modes.
 *
 * Every run is a child process (os_run_child), so its time and peak memory
 * are its own and not this process's. The interpreted and libtcc runs are
 * this same executable re-entered as `ferry bench --exec MODE FILE ARGS`,
 * which is exactly `ferry run` with the mode set (pk_run), so bench does
 * not depend on the options of `ferry run`. Compile times are measured
 * here, in-process: load (decode + validate) for the interpreter, whose
 * translation is lazy; load plus the libtcc compile for AOT; the whole
 * `ferry aot --cc` for native. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aot/aot.h"
#include "packer/cli.h"
#include "packer/run.h"
#include "runtime/os_fs.h"
#include "runtime/os_proc.h"
#include "vm/load.h"

static const char bench_help[] =
    "usage: ferry bench [--runs N] [--cc CC] [--no-native] [--] FILE [ARGS...]\n"
    "\n"
    "Runs a WASI program interpreted, compiled in memory with libtcc (AOT),\n"
    "and compiled natively with a C compiler (as `ferry aot --cc`), checks\n"
    "that all modes print the same and exit alike, and prints a table:\n"
    "compile time, run time (median of N runs, whole process), peak memory,\n"
    "and each mode's run time relative to the others.\n"
    "\n"
    "options:\n"
    "  --runs N      runs per mode (default 5)\n"
    "  --cc CC       the compiler for the native mode (default gcc); when it\n"
    "                fails, the native mode is left out\n"
    "  --no-native   interpreter and AOT only\n";

enum { MODE_INTERP, MODE_AOT, MODE_NATIVE, NMODES };
static const char *const mode_names[NMODES] = {"interp", "aot (tcc)", "native"};

typedef struct {
  bool present;
  double compile;    /* seconds; < 0: not measured */
  double run;        /* median wall seconds */
  double cpu;        /* median user + system seconds: the ratios use it,
                        as it does not depend on other load on the host */
  uint64_t peak_kb;  /* max over the runs */
  int status;        /* exit status of the first run */
  char out[4200];    /* its stdout file */
} mode_result;

/* Monotonic seconds, through the OS layer (os_fs.h clock 1). */
static double now_seconds(void) {
  uint64_t ns = 0;
  os_clock_time(1, &ns);
  return (double)ns * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* `ferry bench --exec interp|tcc FILE ARGS...`: the measured child. */
static int exec_child(int argc, char **argv) {
  if (argc < 4) return cli_usage_error("bench", "--exec needs MODE FILE", NULL, bench_help);
  pk_mode mode = !strcmp(argv[2], "tcc") ? PK_MODE_TCC : PK_MODE_INTERP;
  const char *path = argv[3];
  uint8_t *bytes = NULL;
  size_t size = 0;
  vm_error err = {0};
  if (!vm_read_file(path, &bytes, &size, &err)) {
    cli_report(path, &err);
    return 1;
  }
  pk_run_config c = {
      .who = "ferry bench",
      .path = path,
      .bytes = bytes,
      .size = size,
      .argc = argc - 3,
      .argv = argv + 3,
      .mode = mode,
      .dump_ir_func = -1,
  };
  int status = pk_run(&c);
  free(bytes);
  return status;
}

/* Runs argv `runs` times; the first run's stdout goes to r->out. */
static bool measure(const char *const *argv, int runs, mode_result *r) {
  double *t = calloc((size_t)runs * 2, sizeof *t), *u = t + runs;
  if (!t) return false;
  for (int i = 0; i < runs; i++) {
    os_child_result c;
    if (!os_run_child(argv, i == 0 ? r->out : NULL, &c)) {
      fprintf(stderr, "ferry bench: cannot run %s\n", argv[0]);
      free(t);
      return false;
    }
    if (i == 0) r->status = c.status;
    t[i] = c.seconds;
    u[i] = c.cpu_seconds;
    if (c.peak_rss_kb > r->peak_kb) r->peak_kb = c.peak_rss_kb;
  }
  qsort(t, (size_t)runs, sizeof *t, cmp_double);
  qsort(u, (size_t)runs, sizeof *u, cmp_double);
  r->run = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
  r->cpu = runs % 2 ? u[runs / 2] : (u[runs / 2 - 1] + u[runs / 2]) / 2;
  free(t);
  r->present = true;
  return true;
}

static bool same_output(const mode_result *a, const mode_result *b) {
  size_t na = 0, nb = 0;
  uint8_t *x = NULL, *y = NULL;
  bool same = !os_file_read_all(a->out, &x, &na) && !os_file_read_all(b->out, &y, &nb) &&
              na == nb && !memcmp(x, y, na) && a->status == b->status;
  free(x);
  free(y);
  return same;
}

/* In-process compile times: load, and load + libtcc. */
static bool compile_times(const char *path, double *load, double *tcc) {
  vm_error err = {0};
  double t0 = now_seconds();
  vm_module *m = vm_load_file(path, true, &err);
  if (!m) {
    cli_report(path, &err);
    return false;
  }
  double t1 = now_seconds();
  char msg[256];
  aot_code *c = aot_compile_tcc(m, NULL, false, msg, sizeof msg);
  double t2 = now_seconds();
  vm_module_free(m);
  if (!c) {
    fprintf(stderr, "ferry bench: %s: %s\n", path, msg);
    return false;
  }
  aot_code_release(c);
  *load = t1 - t0;
  *tcc = t2 - t0;
  return true;
}

static void print_table(const mode_result *r, int runs) {
  printf("%-10s %10s %10s %10s %9s %9s %9s\n", "mode", "compile s", "run s",
         "cpu s", "peak MiB", "/ interp", "/ native");
  for (int i = 0; i < NMODES; i++) {
    if (!r[i].present) continue;
    printf("%-10s %10.3f %10.3f %10.3f %9.1f %9.2f", mode_names[i], r[i].compile,
           r[i].run, r[i].cpu, (double)r[i].peak_kb / 1024.0,
           r[MODE_INTERP].cpu > 0 ? r[i].cpu / r[MODE_INTERP].cpu : 0.0);
    if (r[MODE_NATIVE].present && r[MODE_NATIVE].cpu > 0)
      printf(" %9.2f\n", r[i].cpu / r[MODE_NATIVE].cpu);
    else
      printf(" %9s\n", "-");
  }
  printf("run s: wall clock, cpu s: user + system, medians of %d runs;\n"
         "ratios compare cpu s (steady under other load); compile s: load for\n"
         "interp, load + libtcc for aot, ferry aot --cc for native\n", runs);
}

int cli_bench(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "--exec")) return exec_child(argc, argv);
  int runs = 5, i = 1;
  const char *cc = "gcc";
  bool native = true;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      i++;
      break;
    }
    if (a[0] != '-' || !a[1]) break;
    if (cli_is_help(a)) return cli_print(bench_help, 0);
    bool has_value = i + 1 < argc;
    if (!strcmp(a, "--runs") && has_value) {
      char *end;
      errno = 0;
      long n = strtol(argv[++i], &end, 10);
      if (errno || *end || n < 1 || n > 1000)
        return cli_usage_error("bench", "--runs needs a number from 1 to 1000", argv[i], bench_help);
      runs = (int)n;
    } else if (!strcmp(a, "--cc") && has_value) {
      cc = argv[++i];
    } else if (!strcmp(a, "--no-native")) {
      native = false;
    } else {
      return cli_usage_error("bench", "unknown option", a, bench_help);
    }
  }
  if (i == argc) return cli_usage_error("bench", "no module given", NULL, bench_help);
  const char *path = argv[i];
  int nargs = argc - i - 1;
  char *const *args = argv + i + 1;

  char self[4096], dir[4096], exe[4200];
  mode_result r[NMODES];
  memset(r, 0, sizeof r);
  const char **cv = calloc((size_t)nargs + 8, sizeof *cv);
  int status = 1;
  bool have_dir = false;
  if (!cv) return cli_print("ferry bench: out of memory\n", 1);
  if (!os_self_exe_path(self, sizeof self)) {
    fprintf(stderr, "ferry bench: cannot find the ferry executable\n");
    goto out;
  }
  if (!os_temp_dir(dir, sizeof dir)) {
    fprintf(stderr, "ferry bench: cannot make a temporary directory\n");
    goto out;
  }
  have_dir = true;
  double load = 0, tcc = 0;
  if (!compile_times(path, &load, &tcc)) goto out;
  r[MODE_INTERP].compile = load;
  r[MODE_AOT].compile = tcc;

  static const char *const exec_modes[2] = {"interp", "tcc"};
  for (int m = MODE_INTERP; m <= MODE_AOT; m++) {
    snprintf(r[m].out, sizeof r[m].out, "%s/out-%d", dir, m);
    int k = 0;
    cv[k++] = self;
    cv[k++] = "bench";
    cv[k++] = "--exec";
    cv[k++] = exec_modes[m];
    cv[k++] = path;
    for (int j = 0; j < nargs; j++) cv[k++] = args[j];
    cv[k] = NULL;
    if (!measure(cv, runs, &r[m])) goto out;
  }

  snprintf(exe, sizeof exe, "%s/native", dir);
  if (native) {
    const char *build[] = {self, "aot", path, "-o", exe, "--cc", cc, NULL};
    os_child_result c;
    if (!os_run_child(build, NULL, &c) || c.status != 0) {
      fprintf(stderr, "ferry bench: native mode left out: `ferry aot --cc %s` failed\n", cc);
    } else {
      r[MODE_NATIVE].compile = c.seconds;
      snprintf(r[MODE_NATIVE].out, sizeof r[MODE_NATIVE].out, "%s/out-2", dir);
      int k = 0;
      cv[k++] = exe;
      for (int j = 0; j < nargs; j++) cv[k++] = args[j];
      cv[k] = NULL;
      if (!measure(cv, runs, &r[MODE_NATIVE])) goto out;
    }
  }

  print_table(r, runs);
  status = 0;
  for (int m = MODE_AOT; m < NMODES; m++) {
    if (!r[m].present) continue;
    if (!same_output(&r[MODE_INTERP], &r[m])) {
      printf("outputs differ: %s and %s (stdout or exit status)\n",
             mode_names[MODE_INTERP], mode_names[m]);
      status = 1;
    }
  }
  if (!status)
    printf("outputs identical (exit status %d)\n", r[MODE_INTERP].status);
out:
  if (have_dir) {
    for (int m = 0; m < NMODES; m++)
      if (r[m].out[0]) os_file_remove(r[m].out);
    os_file_remove(exe);
    os_file_remove(dir);
  }
  free(cv);
  return status;
}
