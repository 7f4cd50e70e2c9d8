/* The module subcommands: validate, inspect, wat2wasm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packer/cli.h"
#include "runtime/os_proc.h"
#include "vm/dump.h"
#include "vm/load.h"

static const char validate_help[] =
    "usage: ferry validate FILE...\n"
    "\n"
    "Decodes and validates each module (.wasm or .wat). Prints 'FILE: valid'\n"
    "or 'FILE:0xOFFSET: reason' (FILE:LINE:COL for text); exits 1 if any\n"
    "module is malformed or invalid.\n";

int cli_validate(int argc, char **argv) {
  if (argc < 2) return cli_usage_error("validate", "no file given", NULL, validate_help);
  for (int i = 1; i < argc; i++)
    if (cli_is_help(argv[i])) return cli_print(validate_help, 0);
  int status = 0;
  for (int i = 1; i < argc; i++) {
    vm_error err = {0};
    vm_module *m = vm_load_file(argv[i], true, &err);
    if (!m) {
      cli_report(argv[i], &err);
      status = 1;
      continue;
    }
    printf("%s: valid\n", argv[i]);
    vm_module_free(m);
  }
  return status;
}

static const char inspect_help[] =
    "usage: ferry inspect [--dump] [--no-validate] FILE...\n"
    "\n"
    "Shows a module's sections (offsets and sizes), types, imports, exports\n"
    "with their types, functions with code sizes, tables, memories and\n"
    "custom sections. The module is validated first.\n"
    "\n"
    "  --dump   print instead the whole decoded module in a canonical text\n"
    "           form, every instruction included and no byte offsets, so that\n"
    "           two encodings of the same module print the same text\n"
    "  --no-validate  only decode (to look at invalid modules)\n"
    "\n"
    "With several files, each is preceded by a line '== FILE'.\n";

int cli_inspect(int argc, char **argv) {
  bool dump = false, validate = true;
  int nfiles = 0;
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i])) return cli_print(inspect_help, 0);
    if (!strcmp(argv[i], "--dump")) dump = true;
    else if (!strcmp(argv[i], "--no-validate")) validate = false;
    else if (argv[i][0] == '-' && argv[i][1])
      return cli_usage_error("inspect", "unknown option", argv[i], inspect_help);
    else nfiles++;
  }
  if (!nfiles) return cli_usage_error("inspect", "no file given", NULL, inspect_help);
  int status = 0;
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1]) continue;
    if (nfiles > 1) printf("== %s\n", argv[i]);
    vm_error err = {0};
    vm_module *m = vm_load_file(argv[i], validate, &err);
    if (!m) {
      fflush(stdout);
      cli_report(argv[i], &err);
      status = 1;
      continue;
    }
    if (dump) vm_dump_canonical(stdout, m);
    else vm_dump_summary(stdout, m);
    vm_module_free(m);
  }
  return status;
}

static const char wat2wasm_help[] =
    "usage: ferry wat2wasm IN.wat -o OUT.wasm [--no-validate]\n"
    "\n"
    "Encodes a text module as a binary module (with a name section carrying\n"
    "the text's identifiers). The result is validated unless --no-validate.\n";

int cli_wat2wasm(int argc, char **argv) {
  const char *in = NULL, *out = NULL;
  bool validate = true;
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i])) return cli_print(wat2wasm_help, 0);
    if (!strcmp(argv[i], "-o")) {
      if (++i == argc) return cli_usage_error("wat2wasm", "-o needs a file name", NULL, wat2wasm_help);
      out = argv[i];
    } else if (!strcmp(argv[i], "--no-validate")) {
      validate = false;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return cli_usage_error("wat2wasm", "unknown option", argv[i], wat2wasm_help);
    } else if (in) {
      return cli_usage_error("wat2wasm", "more than one input", argv[i], wat2wasm_help);
    } else {
      in = argv[i];
    }
  }
  if (!in) return cli_usage_error("wat2wasm", "no input given", NULL, wat2wasm_help);
  if (!out) return cli_usage_error("wat2wasm", "no output given (-o OUT.wasm)", NULL, wat2wasm_help);

  int status = 1;
  uint8_t *src = NULL, *bin = NULL;
  size_t src_size, bin_size;
  vm_error err = {0};
  if (!vm_read_file(in, &src, &src_size, &err) ||
      !vm_to_binary(src, src_size, &bin, &bin_size, &err)) {
    cli_report(in, &err);
    goto done;
  }
  if (validate) {
    /* From the source again, so that errors name its lines. */
    vm_module *m = vm_load(src, src_size, true, &err);
    if (!m) {
      cli_report(in, &err);
      goto done;
    }
    vm_module_free(m);
  }
  int e = os_file_write(out, bin, bin_size, false);
  if (e) {
    fprintf(stderr, "%s: cannot write: %s\n", out, os_error_text(e));
    goto done;
  }
  status = 0;
done:
  free(src);
  free(bin);
  return status;
}
