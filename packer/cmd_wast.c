/* `ferry wast`: the spec-script runner. Each command of a .wast script is
 * checked and counted as passed, failed or skipped. Module loading (text,
 * binary, quote), assert_malformed and assert_invalid are checked here;
 * commands that need execution count as skipped until the interpreter lands,
 * never as passed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packer/cli.h"
#include "vm/load.h"
#include "vm/module.h"
#include "vm/validate.h"
#include "vm/wast.h"
#include "vm/wat.h"

typedef struct {
  unsigned passed, failed, skipped;
} counts;

typedef struct {
  const char *file;
  bool verbose;
  const char *emit_dir; /* --emit: where encoded text modules are written */
  counts c;
  unsigned failures_shown;
} run_state;

enum { MAX_FAILURES_SHOWN = 30 }; /* per file, so one broken area stays readable */

static void fail_cmd(run_state *st, const wast_command *cmd, const char *fmt,
                     const char *a, const char *b) {
  st->c.failed++;
  if (st->failures_shown++ >= MAX_FAILURES_SHOWN && !st->verbose) return;
  fprintf(stderr, "%s:%d: ", st->file, cmd->line);
  fprintf(stderr, fmt, a, b);
  fputc('\n', stderr);
}

/* Turns a script module into a decoded module. Returns NULL with err set
 * when any stage (text parse, decode, validate) rejects it. */
static vm_module *load_script_module(const wast_module *mod, vm_error *err) {
  uint8_t *bin;
  size_t size;
  if (mod->form == WAST_FORM_BINARY) {
    bin = malloc(mod->size ? mod->size : 1);
    if (!bin) {
      vm_fail(err, VM_ERR_OOM, 0, "out of memory");
      return NULL;
    }
    memcpy(bin, mod->data, mod->size);
    size = mod->size;
  } else if (!vm_wat_to_wasm(mod->data, mod->size, &bin, &size, err)) {
    return NULL;
  }
  vm_module *m = vm_decode_owned(bin, size, err);
  if (m && !vm_validate(m, err)) {
    vm_module_free(m);
    return NULL;
  }
  return m;
}

/* The spec's runners compare failure messages by prefix: ours may say more
 * (an index, a name), never something else. */
static bool message_matches(const char *got, const char *expected) {
  return strncmp(got, expected, strlen(expected)) == 0;
}

static void expect_failure(run_state *st, const wast_command *cmd,
                           vm_error_kind kind) {
  vm_error err = {0};
  vm_module *m = load_script_module(&cmd->module, &err);
  if (m) {
    vm_module_free(m);
    fail_cmd(st, cmd, "module accepted, expected \"%s\"%s", cmd->text, "");
    return;
  }
  if (err.kind != kind) {
    fail_cmd(st, cmd,
             kind == VM_ERR_MALFORMED
                 ? "expected malformed \"%s\", but it parsed and was invalid: %s"
                 : "expected invalid \"%s\", but it was malformed: %s",
             cmd->text, err.msg);
    return;
  }
  if (!message_matches(err.msg, cmd->text)) {
    fail_cmd(st, cmd, "expected \"%s\", got \"%s\"", cmd->text, err.msg);
    return;
  }
  st->c.passed++;
}

/* --emit: writes each text module to DIR/NAME.LINE.wat and its binary to
 * DIR/NAME.LINE.wasm, so that tests can compare our encoding with another
 * tool's and fuzzers have seeds. */
static void write_file(const char *path, const void *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f) return;
  fwrite(data, 1, size, f);
  fclose(f);
}

static void emit_text_module(run_state *st, const wast_command *cmd) {
  if (!st->emit_dir || !cmd->module.data || cmd->module.form != WAST_FORM_TEXT)
    return;
  uint8_t *bin;
  size_t size;
  vm_error err = {0};
  if (!vm_wat_to_wasm(cmd->module.data, cmd->module.size, &bin, &size, &err))
    return;
  const char *base = strrchr(st->file, '/');
  base = base ? base + 1 : st->file;
  size_t stem = strlen(base);
  if (stem > 5 && !strcmp(base + stem - 5, ".wast")) stem -= 5;
  char path[4096];
  snprintf(path, sizeof path, "%s/%.*s.%d.wat", st->emit_dir, (int)stem, base,
           cmd->line);
  write_file(path, cmd->module.data, cmd->module.size);
  path[strlen(path) - 3] = 0;
  strcat(path, "wasm");
  write_file(path, bin, size);
  free(bin);
}

static void run_command(run_state *st, const wast_command *cmd) {
  emit_text_module(st, cmd);
  switch (cmd->kind) {
  case WAST_CMD_MODULE: {
    vm_error err = {0};
    vm_module *m = load_script_module(&cmd->module, &err);
    if (!m) {
      fail_cmd(st, cmd, "module rejected: %s%s", err.msg, "");
      return;
    }
    vm_module_free(m);
    st->c.passed++;
    return;
  }
  case WAST_CMD_ASSERT_MALFORMED:
    expect_failure(st, cmd, VM_ERR_MALFORMED);
    return;
  case WAST_CMD_ASSERT_INVALID:
    expect_failure(st, cmd, VM_ERR_INVALID);
    return;
  default:
    /* Needs instantiation or execution: not available yet. */
    st->c.skipped++;
    return;
  }
}

static bool run_file(const char *path, bool verbose, const char *emit_dir,
                     counts *total) {
  run_state st = {.file = path, .verbose = verbose, .emit_dir = emit_dir};
  uint8_t *src;
  size_t size;
  vm_error err = {0};
  char msg[512];
  if (!vm_read_file(path, &src, &size, &err)) {
    vm_error_format(&err, path, msg, sizeof msg);
    fprintf(stderr, "%s\n", msg);
    total->failed++;
    return false;
  }
  wast_script script;
  if (!vm_wast_parse((const char *)src, size, &script, &err)) {
    vm_error_format(&err, path, msg, sizeof msg);
    fprintf(stderr, "%s\n", msg);
    free(src);
    total->failed++;
    return false;
  }
  for (size_t i = 0; i < script.count; i++) run_command(&st, &script.cmds[i]);
  vm_wast_free(&script);
  free(src);
  if (st.failures_shown > MAX_FAILURES_SHOWN && !verbose)
    fprintf(stderr, "%s: %u more failures not shown (use -v)\n", path,
            st.failures_shown - MAX_FAILURES_SHOWN);
  printf("%s: %u passed, %u failed, %u skipped\n", path, st.c.passed,
         st.c.failed, st.c.skipped);
  total->passed += st.c.passed;
  total->failed += st.c.failed;
  total->skipped += st.c.skipped;
  return st.c.failed == 0;
}

static const char wast_help[] =
    "usage: ferry wast [-v] [--emit DIR] FILE.wast...\n"
    "\n"
    "Runs spec test scripts and prints per-file counts, then a final line\n"
    "'N passed, N failed, N skipped'. Module definitions, assert_malformed\n"
    "and assert_invalid are checked; commands that need execution are counted\n"
    "as skipped until the interpreter is available.\n"
    "\n"
    "  -v          show every failure (by default at most 30 per file)\n"
    "  --emit DIR  write each text module to DIR/NAME.LINE.wat and its\n"
    "              binary to DIR/NAME.LINE.wasm\n";

int cli_wast(int argc, char **argv) {
  bool verbose = false;
  const char *emit_dir = NULL;
  int first = 1;
  for (; first < argc && argv[first][0] == '-'; first++) {
    if (!strcmp(argv[first], "-v")) verbose = true;
    else if (!strcmp(argv[first], "--emit") && first + 1 < argc) emit_dir = argv[++first];
    else if (cli_is_help(argv[first])) return cli_print(wast_help, 0);
    else return cli_usage_error("wast", "unknown option", argv[first], wast_help);
  }
  if (first == argc) return cli_usage_error("wast", "no script given", NULL, wast_help);
  counts total = {0};
  bool ok = true;
  for (int i = first; i < argc; i++) ok &= run_file(argv[i], verbose, emit_dir, &total);
  printf("%u passed, %u failed, %u skipped\n", total.passed, total.failed,
         total.skipped);
  return ok ? 0 : 1;
}
