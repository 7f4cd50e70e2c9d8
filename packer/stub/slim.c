/* What a runtime stub (packer/stubs.mk) leaves out, and what answers in
 * its place. A stub carries what running a program needs, not the tool
 * chain: linked instead of cmd_wast.c, cmd_aot.c, cmd_pack.c and the
 * text-format parser (vm/wat*.c), so main.c's command table and vm_load
 * stay one code path for both builds. */
#include <stdio.h>

#include "packer/cli.h"
#include "vm/wat.h"

static int absent(const char *cmd) {
  fprintf(stderr,
          "ferry %s: not part of this runtime stub; use the full ferry\n",
          cmd);
  return 2;
}

int cli_wast(int argc, char **argv) { return absent("wast"); }
int cli_aot(int argc, char **argv) { return absent("aot"); }
int cli_pack(int argc, char **argv) { return absent("pack"); }
int cli_targets(int argc, char **argv) { return absent("targets"); }
int cli_bench(int argc, char **argv) { return absent("bench"); }

/* A packed payload is always a binary module (`ferry pack` encodes .wat
 * input), so the WAT parser (about 45 KiB) stays out, and the stub's CLI
 * reads binary modules only. */
bool vm_wat_encode(const char *src, size_t len, uint8_t **out,
                   size_t *out_size, vm_srcmap *map, vm_error *err) {
  (void)src;
  (void)len;
  (void)out;
  (void)out_size;
  (void)map;
  vm_fail(err, VM_ERR_MALFORMED, 0,
          "not a binary module (this runtime stub reads no text modules; "
          "use the full ferry)");
  return false;
}
