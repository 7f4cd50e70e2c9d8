/* `ferry wast`: the spec-script runner. Every command of a .wast script is
 * checked and counted as passed or failed: modules are loaded and
 * instantiated (imports resolved against registered modules and the
 * `spectest` host module), actions are run on the chosen engine, results
 * compared bit for bit (NaN patterns and v128 lanes included). One store per
 * script, so registered modules link to each other as the spec requires. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packer/cli.h"
#include "packer/wast_values.h"
#include "runtime/os_proc.h"
#include "runtime/rt.h"
#include "vm/load.h"
#include "vm/module.h"
#include "vm/validate.h"
#include "vm/wast.h"
#include "vm/wat.h"

typedef struct {
  unsigned passed, failed, skipped;
} counts;

/* A name under which an instance can be found: its "$id" or a registered
 * module name. Later entries shadow earlier ones. */
typedef struct {
  char *name;
  rt_instance *inst;
} named_instance;

/* One engine's view of a script: its store and instances. */
typedef struct {
  const char *file;
  const char *emit_dir; /* --emit: where text modules are written */
  rt_engine_kind engine;
  rt_store *store;
  rt_instance *current; /* the latest module, target of unnamed actions */
  named_instance *names;
  size_t nnames, cap_names;
} run_state;

enum { MAX_FAILURES_SHOWN = 30 }; /* per file, so one broken area stays readable */

/* What running one command on one engine gave: whether it failed (and
 * why), and what was observed (results, trap, load or link message), which
 * `--engine both` compares between the engines. */
typedef struct {
  bool failed;
  char why[1200]; /* room for two quoted messages */
  char observed[512];
} outcome;

static void fail(outcome *o, const char *fmt, const char *a, const char *b) {
  o->failed = true;
  snprintf(o->why, sizeof o->why, fmt, a, b);
}

static void observe(outcome *o, const char *what, const char *detail) {
  size_t n = strlen(o->observed);
  snprintf(o->observed + n, sizeof o->observed - n, "%s%s ", what, detail);
}

/* The spec's runners compare failure messages by prefix: ours may say more
 * (an index, a name), never something else. */
static bool message_matches(const char *got, const char *expected) {
  return strncmp(got, expected, strlen(expected)) == 0;
}

static bool add_name(run_state *st, const char *name, rt_instance *inst) {
  if (st->nnames == st->cap_names) {
    size_t cap = st->cap_names ? st->cap_names * 2 : 16;
    named_instance *n = realloc(st->names, cap * sizeof *n);
    if (!n) return false;
    st->names = n;
    st->cap_names = cap;
  }
  char *copy = strdup(name);
  if (!copy) return false;
  st->names[st->nnames++] = (named_instance){copy, inst};
  return true;
}

static rt_instance *find_name(const run_state *st, const char *name,
                              size_t len) {
  for (size_t i = st->nnames; i-- > 0;)
    if (strlen(st->names[i].name) == len && !memcmp(st->names[i].name, name, len))
      return st->names[i].inst;
  return NULL;
}

/* --emit: writes each text module to DIR/NAME.LINE.wat and its binary to
 * DIR/NAME.LINE.wasm, so that tests can compare our encoding with another
 * tool's and fuzzers have seeds. */
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
  os_file_write(path, cmd->module.data, cmd->module.size, false);
  path[strlen(path) - 3] = 0;
  strcat(path, "wasm");
  os_file_write(path, bin, size, false);
  free(bin);
}

/* Turns a script module into a decoded, validated module. Returns NULL with
 * err set when any stage (text parse, decode, validate) rejects it. */
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

/* How instantiating a script module ended. */
typedef enum { INST_OK, INST_LOAD_ERROR, INST_LINK_ERROR, INST_TRAP } inst_status;

typedef struct {
  inst_status status;
  rt_instance *inst;
  char message[512];
} inst_result;

static void instantiate(run_state *st, const wast_module *mod,
                        inst_result *res) {
  vm_error err = {0};
  rt_extern *imports = NULL;
  res->inst = NULL;
  vm_module *m = load_script_module(mod, &err);
  if (!m) {
    res->status = INST_LOAD_ERROR;
    snprintf(res->message, sizeof res->message, "%s", err.msg);
    return;
  }
  /* Resolve imports by name: registered modules, then spectest. */
  imports = calloc(m->nimports ? m->nimports : 1, sizeof *imports);
  if (!imports) {
    vm_module_free(m);
    res->status = INST_LINK_ERROR;
    snprintf(res->message, sizeof res->message, "out of memory");
    return;
  }
  for (uint32_t i = 0; i < m->nimports; i++) {
    const vm_import *im = &m->imports[i];
    rt_instance *from = find_name(st, im->module, im->module_len);
    bool found = from ? rt_instance_export(from, im->name, im->name_len, &imports[i])
                 : im->module_len == 8 && !memcmp(im->module, "spectest", 8) &&
                       rt_spectest_lookup(st->store, im->name, im->name_len,
                                          &imports[i]);
    if (!found) {
      res->status = INST_LINK_ERROR;
      snprintf(res->message, sizeof res->message, "unknown import \"%s\" \"%s\"",
               im->module, im->name);
      vm_module_free(m);
      free(imports);
      return;
    }
  }
  rt_trap_info trap;
  bool trapped = false;
  uint32_t nimports = m->nimports;
  res->inst = rt_instantiate(st->store, m, imports, nimports, st->engine,
                             res->message, sizeof res->message, &trap, &trapped);
  free(imports);
  if (res->inst) {
    res->status = INST_OK;
  } else if (trapped) {
    res->status = INST_TRAP;
    snprintf(res->message, sizeof res->message, "%s", trap.message);
  } else {
    res->status = INST_LINK_ERROR;
  }
}

/* Runs an action. Returns false with `message` set when it cannot be run at
 * all (unknown module or export, wrong arguments); otherwise true, with
 * *trapped and `trap` or the results (types and slots) filled. */
typedef struct {
  bool trapped;
  rt_trap_info trap;
  uint32_t nresults;
  const uint8_t *result_types;
  uint64_t *slots;
} action_result;

static bool run_action(run_state *st, const wast_action *a, action_result *res,
                       char *message, size_t size) {
  rt_instance *inst = a->module ? find_name(st, a->module, strlen(a->module))
                                : st->current;
  memset(res, 0, sizeof *res);
  if (!inst) {
    snprintf(message, size, "no module %s", a->module ? a->module : "defined");
    return false;
  }
  rt_extern ext;
  if (!rt_instance_export(inst, a->name, a->name_len, &ext)) {
    snprintf(message, size, "no export \"%s\"", a->name);
    return false;
  }
  if (a->kind == WAST_GET) {
    if (ext.kind != VM_EXT_GLOBAL) {
      snprintf(message, size, "export \"%s\" is not a global", a->name);
      return false;
    }
    res->slots = calloc(2, sizeof *res->slots);
    if (!res->slots) return false;
    memcpy(res->slots, ext.u.global->val, 2 * sizeof *res->slots);
    res->nresults = 1;
    res->result_types = &ext.u.global->type.type;
    return true;
  }
  if (ext.kind != VM_EXT_FUNC) {
    snprintf(message, size, "export \"%s\" is not a function", a->name);
    return false;
  }
  rt_func *f = ext.u.func;
  const vm_functype *t = f->type;
  if (a->nargs != t->nparams) {
    snprintf(message, size, "\"%s\" takes %u arguments, %u given", a->name,
             t->nparams, a->nargs);
    return false;
  }
  res->slots = calloc(rt_type_slots(t) + 2, sizeof *res->slots);
  if (!res->slots) return false;
  uint32_t at = 0;
  for (uint32_t i = 0; i < a->nargs; i++) {
    if (a->args[i].type != t->types[i]) {
      snprintf(message, size, "argument %u of \"%s\" has the wrong type", i,
               a->name);
      free(res->slots);
      res->slots = NULL;
      return false;
    }
    at += wast_value_to_slots(&a->args[i], res->slots + at);
  }
  res->trapped = !rt_call(st->store, f, res->slots, &res->trap);
  res->nresults = t->nresults;
  res->result_types = t->types + t->nparams;
  return true;
}

static void check_results(const wast_command *cmd, const action_result *res,
                          outcome *o) {
  char got[256], want[256];
  if (res->nresults != cmd->nexpected) {
    snprintf(got, sizeof got, "%u", res->nresults);
    snprintf(want, sizeof want, "%u", cmd->nexpected);
    fail(o, "expected %s results, got %s", want, got);
    return;
  }
  uint32_t at = 0;
  for (uint32_t i = 0; i < res->nresults; i++) {
    uint8_t type = res->result_types[i];
    if (!wast_value_matches(&cmd->expected[i], type, res->slots + at)) {
      wast_format_slots(type, res->slots + at, got, sizeof got);
      wast_format_value(&cmd->expected[i], want, sizeof want);
      fail(o, "expected %s, got %s", want, got);
      return;
    }
    at += rt_value_slots(type);
  }
}

/* NaN payloads and signs are nondeterministic in Wasm (spec 4.3.3), and the
 * engines may pick different operands' NaNs, so engine comparisons treat
 * every NaN alike: f32/f64 results, and float lanes of v128 results whose
 * expected shape is known. */
static void canonicalize_nans(uint8_t type, int shape, uint64_t *v) {
  if (type == VM_F32 || (type == VM_V128 && shape == WAST_F32X4)) {
    for (int i = 0; i < (type == VM_F32 ? 1 : 4); i++) {
      uint32_t bits = (uint32_t)(v[i / 2] >> (32 * (i % 2)));
      if ((bits & 0x7fffffffu) > 0x7f800000u)
        v[i / 2] = (v[i / 2] & ~(0xffffffffull << (32 * (i % 2)))) |
                   (0x7fc00000ull << (32 * (i % 2)));
    }
  } else if (type == VM_F64 || (type == VM_V128 && shape == WAST_F64X2)) {
    for (int i = 0; i < (type == VM_F64 ? 1 : 2); i++)
      if ((v[i] & 0x7fffffffffffffffull) > 0x7ff0000000000000ull)
        v[i] = 0x7ff8000000000000ull;
  }
}

/* Records the results, for comparing engines. */
static void observe_results(const wast_command *cmd, const action_result *res,
                            outcome *o) {
  char buf[128];
  uint32_t at = 0;
  for (uint32_t i = 0; i < res->nresults; i++) {
    uint8_t type = res->result_types[i];
    uint64_t v[2] = {res->slots[at], type == VM_V128 ? res->slots[at + 1] : 0};
    int shape = i < cmd->nexpected ? cmd->expected[i].shape : -1;
    canonicalize_nans(type, shape, v);
    wast_format_slots(type, v, buf, sizeof buf);
    observe(o, buf, "");
    at += rt_value_slots(type);
  }
}

/* An action command: bare, assert_return, assert_trap, assert_exhaustion. */
static void run_action_command(run_state *st, const wast_command *cmd,
                               outcome *o) {
  action_result res;
  char message[512];
  if (!run_action(st, &cmd->action, &res, message, sizeof message)) {
    fail(o, "%s%s", message, "");
    return;
  }
  if (res.trapped) observe(o, "trap: ", res.trap.message);
  else observe_results(cmd, &res, o);
  switch (cmd->kind) {
  case WAST_CMD_ACTION:
    if (res.trapped) fail(o, "unexpected trap: %s%s", res.trap.message, "");
    break;
  case WAST_CMD_ASSERT_RETURN:
    if (res.trapped) fail(o, "unexpected trap: %s%s", res.trap.message, "");
    else check_results(cmd, &res, o);
    break;
  default: /* assert_trap, assert_exhaustion */
    if (!res.trapped)
      fail(o, "expected trap \"%s\", but it returned%s", cmd->text, "");
    else if (!message_matches(res.trap.message, cmd->text))
      fail(o, "expected trap \"%s\", got \"%s\"", cmd->text,
               res.trap.message);
  }
  free(res.slots);
}

/* assert_malformed / assert_invalid: loading must fail in the right phase
 * with the expected message. */
static void expect_load_failure(const wast_command *cmd, vm_error_kind kind,
                                outcome *o) {
  vm_error err = {0};
  vm_module *m = load_script_module(&cmd->module, &err);
  if (m) {
    vm_module_free(m);
    fail(o, "module accepted, expected \"%s\"%s", cmd->text, "");
  } else if (err.kind != kind) {
    fail(o,
         kind == VM_ERR_MALFORMED
             ? "expected malformed \"%s\", but it parsed and was invalid: %s"
             : "expected invalid \"%s\", but it was malformed: %s",
         cmd->text, err.msg);
  } else if (!message_matches(err.msg, cmd->text)) {
    fail(o, "expected \"%s\", got \"%s\"", cmd->text, err.msg);
  }
}

/* assert_unlinkable / assert_uninstantiable / assert_trap on a module. */
static void expect_instantiation_failure(run_state *st, const wast_command *cmd,
                                         inst_status want, outcome *o) {
  inst_result res;
  instantiate(st, &cmd->module, &res);
  observe(o, "instantiation: ", res.message);
  if (res.status == INST_OK)
    fail(o, "instantiation succeeded, expected \"%s\"%s", cmd->text, "");
  else if (res.status != want)
    fail(o, "expected \"%s\", got a different failure: %s", cmd->text,
         res.message);
  else if (!message_matches(res.message, cmd->text))
    fail(o, "expected \"%s\", got \"%s\"", cmd->text, res.message);
}

static void run_command(run_state *st, const wast_command *cmd, outcome *o) {
  emit_text_module(st, cmd);
  switch (cmd->kind) {
  case WAST_CMD_MODULE: {
    inst_result res;
    instantiate(st, &cmd->module, &res);
    observe(o, "instantiation: ", res.message);
    if (res.status != INST_OK) {
      fail(o, "module failed: %s%s", res.message, "");
      st->current = NULL; /* later actions on it fail rather than hit another */
      return;
    }
    st->current = res.inst;
    if (cmd->module.id && !add_name(st, cmd->module.id, res.inst)) {
      fail(o, "out of memory%s%s", "", "");
      return;
    }
    return;
  }
  case WAST_CMD_REGISTER: {
    rt_instance *inst = cmd->register_module
                            ? find_name(st, cmd->register_module,
                                        strlen(cmd->register_module))
                            : st->current;
    if (!inst || !add_name(st, cmd->text, inst))
      fail(o, "cannot register \"%s\"%s", cmd->text, "");
    return;
  }
  case WAST_CMD_ACTION: case WAST_CMD_ASSERT_RETURN:
  case WAST_CMD_ASSERT_EXHAUSTION:
    run_action_command(st, cmd, o);
    return;
  case WAST_CMD_ASSERT_TRAP:
    if (cmd->has_module) expect_instantiation_failure(st, cmd, INST_TRAP, o);
    else run_action_command(st, cmd, o);
    return;
  case WAST_CMD_ASSERT_MALFORMED:
    expect_load_failure(cmd, VM_ERR_MALFORMED, o);
    return;
  case WAST_CMD_ASSERT_INVALID:
    expect_load_failure(cmd, VM_ERR_INVALID, o);
    return;
  case WAST_CMD_ASSERT_UNLINKABLE:
    expect_instantiation_failure(st, cmd, INST_LINK_ERROR, o);
    return;
  case WAST_CMD_ASSERT_UNINSTANTIABLE:
    expect_instantiation_failure(st, cmd, INST_TRAP, o);
    return;
  }
}

static const char *const engine_names[] = {
    [RT_ENGINE_INTERP] = "interp", [RT_ENGINE_AOT] = "aot", [RT_ENGINE_TIERED] = "tier"};

/* Runs a script on one engine, or on two in lockstep (--engine both), where
 * a command passes only when it passes on both and both observed the same
 * results, traps and messages. */
static bool run_file(const char *path, bool verbose, const char *emit_dir,
                     rt_engine *engine, const rt_engine_kind *kinds,
                     int nkinds, counts *total) {
  run_state st[2] = {{0}};
  counts c = {0};
  unsigned shown = 0;
  uint8_t *src;
  size_t size;
  vm_error err = {0};
  char msg[2400]; /* a failure, or both engines' observations */
  wast_script script;
  if (!vm_read_file(path, &src, &size, &err) ||
      !vm_wast_parse((const char *)src, size, &script, &err)) {
    vm_error_format(&err, path, msg, sizeof msg);
    fprintf(stderr, "%s\n", msg);
    if (err.kind != VM_ERR_IO) free(src);
    total->failed++;
    return false;
  }
  bool ok = true;
  for (int k = 0; k < nkinds; k++) {
    st[k] = (run_state){.file = path, .emit_dir = k ? NULL : emit_dir,
                        .engine = kinds[k], .store = rt_store_new(engine)};
    ok &= st[k].store != NULL;
    /* Tiering under stress: compiled at the first charge, functions stay
     * interpreted, and every loop back-edge moves into compiled code. */
    if (st[k].store && kinds[k] == RT_ENGINE_TIERED)
      rt_store_set_tiering(st[k].store, 0, true);
  }
  if (!ok) {
    fprintf(stderr, "%s: out of memory\n", path);
    c.failed++;
  }
  for (size_t i = 0; ok && i < script.count; i++) {
    const wast_command *cmd = &script.cmds[i];
    outcome out[2] = {{0}};
    const char *why = NULL;
    for (int k = 0; k < nkinds; k++) {
      run_command(&st[k], cmd, &out[k]);
      if (!why && out[k].failed) {
        why = out[k].why;
        if (nkinds > 1)
          snprintf(msg, sizeof msg, "[%s] %s", engine_names[kinds[k]], why), why = msg;
      }
    }
    if (!why && nkinds > 1 && strcmp(out[0].observed, out[1].observed)) {
      snprintf(msg, sizeof msg, "engines differ: %s gave %s; %s gave %s",
               engine_names[kinds[0]], out[0].observed, engine_names[kinds[1]],
               out[1].observed);
      why = msg;
    }
    if (!why) {
      c.passed++;
      continue;
    }
    c.failed++;
    if (shown++ < MAX_FAILURES_SHOWN || verbose)
      fprintf(stderr, "%s:%d: %s\n", path, cmd->line, why);
  }
  for (int k = 0; k < nkinds; k++) {
    rt_store_free(st[k].store);
    for (size_t n = 0; n < st[k].nnames; n++) free(st[k].names[n].name);
    free(st[k].names);
  }
  vm_wast_free(&script);
  free(src);
  if (shown > MAX_FAILURES_SHOWN && !verbose)
    fprintf(stderr, "%s: %u more failures not shown (use -v)\n", path,
            shown - MAX_FAILURES_SHOWN);
  printf("%s: %u passed, %u failed, %u skipped\n", path, c.passed, c.failed,
         c.skipped);
  total->passed += c.passed;
  total->failed += c.failed;
  total->skipped += c.skipped;
  return c.failed == 0;
}

static const char wast_help[] =
    "usage: ferry wast [-v] [--engine E] [--emit DIR] FILE.wast...\n"
    "\n"
    "Runs spec test scripts and prints per-file counts,\n"
    "then a final line 'N passed, N failed, N skipped'. Every command is\n"
    "checked: modules (text, binary, quoted) are loaded and instantiated,\n"
    "actions run, results compared bit for bit, and assert_malformed,\n"
    "assert_invalid, assert_unlinkable, assert_uninstantiable, assert_trap\n"
    "and assert_exhaustion must fail as stated.\n"
    "\n"
    "  -v          show every failure (by default at most 30 per file)\n"
    "  --engine E  run functions on the interpreter (interp, the default),\n"
    "              compiled to native code with libtcc (aot), or tiered\n"
    "              under stress (tier: compiled at once, but functions stay\n"
    "              interpreted and enter compiled code at every loop\n"
    "              back-edge); two as A,B run in lockstep, failing on any\n"
    "              difference between them; both is interp,aot\n"
    "  --emit DIR  write each text module to DIR/NAME.LINE.wat and its\n"
    "              binary to DIR/NAME.LINE.wasm\n";

/* "E" or "E,F" with E, F among engine_names. */
static bool parse_engines(const char *s, rt_engine_kind kinds[2], int *n) {
  *n = 0;
  while (*n < 2) {
    size_t len = strcspn(s, ",");
    int found = -1;
    for (int k = 0; k < (int)(sizeof engine_names / sizeof *engine_names); k++)
      if (strlen(engine_names[k]) == len && !strncmp(s, engine_names[k], len)) found = k;
    if (found < 0) return false;
    kinds[(*n)++] = (rt_engine_kind)found;
    if (!s[len]) return true;
    s += len + 1;
  }
  return false;
}

int cli_wast(int argc, char **argv) {
  bool verbose = false;
  const char *emit_dir = NULL;
  rt_engine_kind kinds[2] = {RT_ENGINE_INTERP, RT_ENGINE_AOT};
  int nkinds = 1;
  int first = 1;
  for (; first < argc && argv[first][0] == '-'; first++) {
    if (!strcmp(argv[first], "-v")) verbose = true;
    else if (!strcmp(argv[first], "--emit") && first + 1 < argc) emit_dir = argv[++first];
    else if (!strcmp(argv[first], "--engine") && first + 1 < argc) {
      const char *e = argv[++first];
      if (!strcmp(e, "both")) e = "interp,aot";
      if (!parse_engines(e, kinds, &nkinds))
        return cli_usage_error("wast", "unknown engine", e, wast_help);
    }
    else if (cli_is_help(argv[first])) return cli_print(wast_help, 0);
    else return cli_usage_error("wast", "unknown option", argv[first], wast_help);
  }
  if (first == argc) return cli_usage_error("wast", "no script given", NULL, wast_help);
  rt_engine *engine = rt_engine_new();
  if (!engine) {
    fprintf(stderr, "ferry wast: cannot create the engine\n");
    return 1;
  }
  counts total = {0};
  bool ok = true;
  for (int i = first; i < argc; i++)
    ok &= run_file(argv[i], verbose, emit_dir, engine, kinds, nkinds, &total);
  rt_engine_free(engine);
  printf("%u passed, %u failed, %u skipped\n", total.passed, total.failed,
         total.skipped);
  return ok ? 0 : 1;
}
