/* The payload a packed executable carries after its stub (DESIGN.md
 * decision 9), and how a stub finds and checks it.
 *
 *   stub | config | zlib(module) | zlib(bundle)? | zero pad | trailer
 *
 * The trailer is the last PK_TRAILER_SIZE bytes of the file, or of the part
 * before an Authenticode signature on a PE (found through the PE security
 * directory; signing tools append there, after 8-byte alignment padding,
 * which is why the packer keeps the file a multiple of 8 long). All
 * integers are little-endian. Trailer layout:
 *
 *    0  u32 format version (PK_FORMAT_VERSION)
 *    4  u32 flags: bits 0-1 mode (pk_mode), PK_FLAG_BUNDLE,
 *          PK_FLAG_VALIDATED
 *    8  u64 payload size: config .. pad, the bytes right before the trailer
 *   16  u32 config size (stored, not compressed: a few hundred bytes)
 *   20  u32 compressed module size
 *   24  u32 module size
 *   28  u32 compressed bundle size (0: none)
 *   32  u64 bundle size
 *   40  u32 CRC-32 of the payload (all `payload size` bytes)
 *   44  u32 trailer size (PK_TRAILER_SIZE; room to grow)
 *   48  u32 reserved, 0
 *   52  u32 CRC-32 of trailer bytes 0..51
 *   56  8 bytes magic PK_MAGIC
 *
 * The config is a sequence of records `u8 kind, u32 length, bytes`:
 * arguments put before the user's, environment entries ("NAME=VALUE", or
 * "NAME" to pass the host's value on), directory grants ("HOST::GUEST"),
 * and the guest path of the bundle. */
#ifndef FERRY_PACKER_PAYLOAD_H
#define FERRY_PACKER_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packer/run.h"
#include "runtime/os_fs.h"

#define PK_MAGIC "FERRYPK\x1a"
enum {
  PK_TRAILER_SIZE = 64,
  PK_FORMAT_VERSION = 1,
  PK_FLAG_MODE_MASK = 3,
  PK_FLAG_BUNDLE = 4,
  /* The packer validated the module. With the payload's checksum verified
   * the bytes are those it checked, so the stub skips validating again (a
   * fifth of a small program's start-up). Whoever could forge a payload
   * with a matching checksum could as well change the stub's code. */
  PK_FLAG_VALIDATED = 8,
  PK_FLAGS_KNOWN = PK_FLAG_MODE_MASK | PK_FLAG_BUNDLE | PK_FLAG_VALIDATED,
  /* Zero bytes after the payload so the file length is a multiple of this;
   * Authenticode pads to it before the signature anyway. */
  PK_ALIGN = 8
};

typedef struct {
  uint32_t version, flags;
  uint64_t payload_size;
  uint32_t config_size, module_zsize, module_size, bundle_zsize;
  uint64_t bundle_size;
  uint32_t payload_crc;
} pk_trailer;

void pk_trailer_encode(const pk_trailer *t, uint8_t out[PK_TRAILER_SIZE]);

/* Config record kinds. */
enum { PK_CFG_ARG = 1, PK_CFG_ENV = 2, PK_CFG_DIR = 3, PK_CFG_BUNDLE = 4 };

/* Baked-in defaults: arrays of NUL-terminated strings. */
typedef struct {
  char **args;
  int nargs;
  char **env;
  int nenv;
  char **dirs;
  int ndirs;
  char *bundle_guest; /* where the bundle is mounted, or NULL */
} pk_config;

/* Serializes cfg into a new buffer (free()). False when out of memory. */
bool pk_config_encode(const pk_config *cfg, uint8_t **out, size_t *size);
void pk_config_free(pk_config *cfg);

/* An executable opened to read its payload. */
typedef struct {
  os_fd fd;
  const char *path;      /* for messages */
  uint64_t trailer_pos;  /* file offset of the trailer */
  uint64_t payload_pos;  /* file offset of the config */
  pk_trailer t;
} pk_payload;

/* Looks for a payload in the open file: 0 when there is none (no magic
 * where the trailer would be), 1 when found and its trailer is sound, -1
 * when something that claims to be one is not (message in err, formatted
 * "FILE:0xOFFSET: what is wrong"). */
int pk_payload_find(os_fd fd, const char *path, pk_payload *p, char *err,
                    size_t err_size);

/* Reads the payload of a found trailer: checks the CRC, decodes the config,
 * inflates the module (and the bundle when there is one) into new buffers
 * (free()). False with a message in err on any damage. */
bool pk_payload_read(const pk_payload *p, pk_config *cfg, uint8_t **module,
                     uint8_t **bundle, char *err, size_t err_size);

/* ---- the stub side ----
 * A packed executable is the same `ferry` program, which
 * runs its payload instead of the CLI when `ferry pack` has marked it.
 *
 * The mark is an anchor, a small array in the stub's read-only data that
 * the packer finds by its magic and patches with the payload's file offset.
 * An unmarked executable (the plain `ferry` or an unpacked stub) sees a zero
 * offset in its own memory and goes straight to the CLI without touching
 * the file system, so ordinary commands pay nothing. A marked one knows it
 * must have a payload, so a truncated file is an error, not a silent fall
 * back to the CLI. */

enum {
  PK_ANCHOR_MAGIC_SIZE = 16,
  PK_ANCHOR_SIZE = 32, /* magic, u64 payload offset, u64 reserved */
  /* Exit status when the executable's own payload is missing or damaged:
   * out of the range programs usually use, like `env` and shells use 125+
   * for failures of the launcher rather than the program. */
  PK_EXIT_PAYLOAD = 125
};

/* Runs the payload when this executable is marked as packed, and returns
 * its exit status; returns -1 when it is not (run the CLI). */
int pk_stub_main(int argc, char **argv);

/* The main of a --mode native executable (packer/stub/native_main.c):
 * like pk_stub_main, with the module's machine code linked in. */
int pk_stub_native_main(int argc, char **argv, const void *code,
                        pk_attach_fn attach);

/* The anchor's magic, copied from this executable's own anchor (so the
 * packer's binary holds it only once, where a stub would). */
void pk_anchor_magic(uint8_t out[PK_ANCHOR_MAGIC_SIZE]);

#endif
