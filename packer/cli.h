/* The `ferry` command: one function per subcommand, and the few helpers they
 * share for option errors and help. */
#ifndef FERRY_PACKER_CLI_H
#define FERRY_PACKER_CLI_H

#include <stdbool.h>

#include "vm/error.h"

int cli_run(int argc, char **argv);
int cli_validate(int argc, char **argv);
int cli_inspect(int argc, char **argv);
int cli_wat2wasm(int argc, char **argv);
int cli_wast(int argc, char **argv);
int cli_aot(int argc, char **argv);
int cli_bench(int argc, char **argv);
int cli_pack(int argc, char **argv);
int cli_targets(int argc, char **argv);

bool cli_is_help(const char *arg);
/* Prints text to stdout and returns status. */
int cli_print(const char *text, int status);
/* "ferry CMD: WHAT: ARG" plus the usage line on stderr; returns 2. */
int cli_usage_error(const char *cmd, const char *what, const char *arg,
                    const char *help);
/* Prints a load error as FILE:0xOFFSET: message (or FILE:LINE:COL). */
void cli_report(const char *path, const vm_error *err);

#endif
