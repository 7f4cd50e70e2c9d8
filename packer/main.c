/* Entry point of the `ferry` command: dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "packer/cli.h"
#include "packer/payload.h"
#include "runtime/os_proc.h"
#include "vm/error.h"

#define FERRY_VERSION "0.1.0"

static const char main_help[] =
    "usage: ferry COMMAND [ARGS...]\n"
    "\n"
    "ferry is a WebAssembly process VM. FILE may be a binary module (.wasm)\n"
    "or a text module (.wat) everywhere.\n"
    "\n"
    "commands:\n"
    "  run FILE [ARGS...]      run a module (WASI _start, or --invoke NAME)\n"
    "  aot FILE -o OUT.c       translate a module to C (--cc CC: an executable)\n"
    "  validate FILE...        check that modules decode and validate\n"
    "  inspect FILE            show sections, imports, exports, functions\n"
    "  wat2wasm IN.wat -o OUT  encode a text module as a binary module\n"
    "  wast FILE.wast...       run spec test scripts\n"
    "  pack FILE -o OUT        make a standalone executable (--target T...)\n"
    "  targets                 list the targets pack can write\n"
    "  bench FILE [ARGS...]    time a program interpreted, AOT and native\n"
    "  help [COMMAND]          show help for a command\n"
    "  version                 show the version\n"
    "\n"
    "Run 'ferry COMMAND --help' for a command's options.\n";

static const struct {
  const char *name;
  int (*run)(int, char **);
} commands[] = {
    {"run", cli_run},
    {"validate", cli_validate},
    {"inspect", cli_inspect},
    {"wat2wasm", cli_wat2wasm},
    {"wast", cli_wast},
    {"aot", cli_aot},
    {"bench", cli_bench},
    {"pack", cli_pack},
    {"targets", cli_targets},
};

bool cli_is_help(const char *arg) {
  return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

int cli_print(const char *text, int status) {
  fputs(text, status ? stderr : stdout);
  return status;
}

int cli_usage_error(const char *cmd, const char *what, const char *arg,
                    const char *help) {
  if (arg) fprintf(stderr, "ferry %s: %s: %s\n", cmd, what, arg);
  else fprintf(stderr, "ferry %s: %s\n", cmd, what);
  /* The first line of the help is the usage line. */
  const char *nl = strchr(help, '\n');
  fprintf(stderr, "%.*s\n", nl ? (int)(nl - help) : (int)strlen(help), help);
  return 2;
}

void cli_report(const char *path, const vm_error *err) {
  char buf[1024];
  vm_error_format(err, path, buf, sizeof buf);
  fprintf(stderr, "%s\n", buf);
}

int main(int argc, char **argv) {
  /* UTF-8 arguments and untranslated stdio on every host (os_proc.h),
   * before anything reads an argument or prints. */
  os_stdio_binary();
  os_args_utf8(&argc, &argv);
  /* A packed executable runs its payload; the check reads only this
   * program's own memory when there is none (payload.h). */
  int packed = pk_stub_main(argc, argv);
  if (packed >= 0) return packed;
  if (argc < 2) return cli_print(main_help, 2);
  const char *cmd = argv[1];
  if (cli_is_help(cmd)) return cli_print(main_help, 0);
  if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
    printf("ferry %s\n", FERRY_VERSION);
    return 0;
  }
  if (!strcmp(cmd, "help")) {
    if (argc < 3) return cli_print(main_help, 0);
    cmd = argv[2];
    argv[2] = "--help";
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
      if (!strcmp(cmd, commands[i].name)) return commands[i].run(2, argv + 1);
  }
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    if (!strcmp(cmd, commands[i].name)) return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "ferry: unknown command '%s'\n", cmd);
  return cli_print(main_help, 2);
}
