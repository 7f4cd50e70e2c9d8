/* The reading side of a packed executable (payload.h): locating the trailer,
 * checking it, decoding the config and inflating the module and bundle.
 * Every size read from the file is checked against the file before it is
 * used, so a truncated, tampered or foreign file gives a message, never a
 * wild read or a huge allocation. Then pk_stub_main, the packed
 * executable's entry. The writing side is in cmd_pack.c. */
#include "packer/payload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "packer/run.h"
#include "runtime/os_proc.h"

static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}
static uint64_t get64(const uint8_t *p) {
  return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

void pk_trailer_encode(const pk_trailer *t, uint8_t out[PK_TRAILER_SIZE]) {
  memset(out, 0, PK_TRAILER_SIZE);
  put32(out + 0, t->version);
  put32(out + 4, t->flags);
  put64(out + 8, t->payload_size);
  put32(out + 16, t->config_size);
  put32(out + 20, t->module_zsize);
  put32(out + 24, t->module_size);
  put32(out + 28, t->bundle_zsize);
  put64(out + 32, t->bundle_size);
  put32(out + 40, t->payload_crc);
  put32(out + 44, PK_TRAILER_SIZE);
  put32(out + 52, (uint32_t)crc32(0, out, 52));
  memcpy(out + 56, PK_MAGIC, 8);
}

/* ---- config records ---- */

static size_t config_record_size(char **items, int n) {
  size_t s = 0;
  for (int i = 0; i < n; i++) s += 5 + strlen(items[i]);
  return s;
}

static uint8_t *put_records(uint8_t *p, int kind, char **items, int n) {
  for (int i = 0; i < n; i++) {
    size_t len = strlen(items[i]);
    *p++ = (uint8_t)kind;
    put32(p, (uint32_t)len);
    memcpy(p + 4, items[i], len);
    p += 4 + len;
  }
  return p;
}

bool pk_config_encode(const pk_config *c, uint8_t **out, size_t *size) {
  char *bundle[1] = {c->bundle_guest};
  int nb = c->bundle_guest ? 1 : 0;
  size_t n = config_record_size(c->args, c->nargs) +
             config_record_size(c->env, c->nenv) +
             config_record_size(c->dirs, c->ndirs) +
             config_record_size(bundle, nb);
  uint8_t *buf = malloc(n + 1);
  if (!buf) return false;
  uint8_t *p = buf;
  p = put_records(p, PK_CFG_ARG, c->args, c->nargs);
  p = put_records(p, PK_CFG_ENV, c->env, c->nenv);
  p = put_records(p, PK_CFG_DIR, c->dirs, c->ndirs);
  put_records(p, PK_CFG_BUNDLE, bundle, nb);
  *out = buf;
  *size = n;
  return true;
}

void pk_config_free(pk_config *c) {
  for (int i = 0; i < c->nargs; i++) free(c->args[i]);
  for (int i = 0; i < c->nenv; i++) free(c->env[i]);
  for (int i = 0; i < c->ndirs; i++) free(c->dirs[i]);
  free(c->args);
  free(c->env);
  free(c->dirs);
  free(c->bundle_guest);
  memset(c, 0, sizeof *c);
}

/* Decodes the records in two passes (count, then copy) so each list is one
 * exact allocation. Returns the offset of the first bad record, or -1. */
static long config_decode(const uint8_t *buf, size_t size, pk_config *c) {
  int count[5] = {0};
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1) {
      c->args = calloc((size_t)count[PK_CFG_ARG] + 1, sizeof(char *));
      c->env = calloc((size_t)count[PK_CFG_ENV] + 1, sizeof(char *));
      c->dirs = calloc((size_t)count[PK_CFG_DIR] + 1, sizeof(char *));
      if (!c->args || !c->env || !c->dirs) return 0;
    }
    size_t at = 0;
    while (at < size) {
      if (size - at < 5) return (long)at;
      int kind = buf[at];
      uint32_t len = get32(buf + at + 1);
      if (kind < PK_CFG_ARG || kind > PK_CFG_BUNDLE || len > size - at - 5 ||
          memchr(buf + at + 5, 0, len))
        return (long)at;
      if (pass == 0) {
        if (kind == PK_CFG_BUNDLE && count[kind]) return (long)at;
        count[kind]++;
      } else {
        char *s = malloc((size_t)len + 1);
        if (!s) return (long)at;
        memcpy(s, buf + at + 5, len);
        s[len] = 0;
        switch (kind) {
        case PK_CFG_ARG: c->args[c->nargs++] = s; break;
        case PK_CFG_ENV: c->env[c->nenv++] = s; break;
        case PK_CFG_DIR: c->dirs[c->ndirs++] = s; break;
        default: c->bundle_guest = s;
        }
      }
      at += 5 + (size_t)len;
    }
  }
  return -1;
}

/* ---- locating the trailer ---- */

static bool read_at(os_fd fd, uint64_t off, void *buf, size_t len) {
  while (len) {
    os_iov iov = {buf, len};
    size_t done = 0;
    if (os_fs_preadv(fd, &iov, 1, off, &done) || !done) return false;
    buf = (uint8_t *)buf + done;
    off += done;
    len -= done;
  }
  return true;
}

/* Where the file's own contents end: the start of an Authenticode signature
 * when the file is a PE with a security directory (the signature is the
 * directory's data, at a file offset, always last), else the file size.
 * A malformed PE header is not an error here: the trailer check that
 * follows reports what matters. */
static uint64_t content_end(os_fd fd, uint64_t size) {
  uint8_t h[64];
  if (size < 64 || !read_at(fd, 0, h, 64) || h[0] != 'M' || h[1] != 'Z')
    return size;
  uint64_t pe = get32(h + 0x3c);
  uint8_t coff[24 + 112 + 8 * 5];
  if (pe + sizeof coff > size || !read_at(fd, pe, coff, sizeof coff) ||
      memcmp(coff, "PE\0\0", 4))
    return size;
  const uint8_t *opt = coff + 24;
  /* PE32 and PE32+ differ in where NumberOfRvaAndSizes and the data
   * directories sit (PE format: "Optional Header Data Directories"). */
  uint32_t magic = get16(opt);
  size_t ndirs_at = magic == 0x20b ? 108 : magic == 0x10b ? 92 : 0;
  if (!ndirs_at || get32(opt + ndirs_at) <= 4) return size;
  const uint8_t *sec = opt + ndirs_at + 4 + 4 * 8;
  uint64_t at = get32(sec), len = get32(sec + 4);
  return at && len && at <= size ? at : size;
}

static void fail_at(char *err, size_t n, const char *path, uint64_t off,
                    const char *what) {
  snprintf(err, n, "%s:0x%llx: %s", path, (unsigned long long)off, what);
}

int pk_payload_find(os_fd fd, const char *path, pk_payload *p, char *err,
                    size_t err_size) {
  os_stat st;
  memset(p, 0, sizeof *p);
  p->fd = fd;
  p->path = path;
  if (os_fs_fstat(fd, &st)) {
    fail_at(err, err_size, path, 0, "cannot read the executable");
    return -1;
  }
  uint64_t end = content_end(fd, st.size);
  uint8_t b[PK_TRAILER_SIZE];
  /* Skip the zero padding a signing tool may add before its signature. */
  for (int pad = 0; pad < PK_ALIGN && end >= PK_TRAILER_SIZE; pad++, end--) {
    if (!read_at(fd, end - PK_TRAILER_SIZE, b, PK_TRAILER_SIZE)) break;
    if (!memcmp(b + 56, PK_MAGIC, 8)) goto found;
    if (b[63]) break;
  }
  return 0;
found:
  p->trailer_pos = end - PK_TRAILER_SIZE;
  pk_trailer *t = &p->t;
  t->version = get32(b);
  t->flags = get32(b + 4);
  t->payload_size = get64(b + 8);
  t->config_size = get32(b + 16);
  t->module_zsize = get32(b + 20);
  t->module_size = get32(b + 24);
  t->bundle_zsize = get32(b + 28);
  t->bundle_size = get64(b + 32);
  t->payload_crc = get32(b + 40);
  const char *why = NULL;
  char msg[160];
  uint64_t sections =
      (uint64_t)t->config_size + t->module_zsize + t->bundle_zsize;
  if (get32(b + 52) != (uint32_t)crc32(0, b, 52)) {
    why = "payload trailer is damaged (checksum mismatch)";
  } else if (t->version != PK_FORMAT_VERSION) {
    snprintf(msg, sizeof msg,
             "payload format version %u, this ferry reads version %u",
             t->version, (unsigned)PK_FORMAT_VERSION);
    why = msg;
  } else if (get32(b + 44) != PK_TRAILER_SIZE || (t->flags & ~PK_FLAGS_KNOWN) ||
             (t->flags & PK_FLAG_MODE_MASK) > PK_MODE_NATIVE) {
    why = "payload trailer has unknown fields";
  } else if (t->payload_size > p->trailer_pos) {
    snprintf(msg, sizeof msg,
             "truncated: the trailer names a %llu-byte payload, only %llu "
             "bytes precede it",
             (unsigned long long)t->payload_size,
             (unsigned long long)p->trailer_pos);
    why = msg;
  } else if (sections > t->payload_size || t->payload_size - sections >= PK_ALIGN ||
             !t->module_zsize || !t->module_size ||
             !t->bundle_zsize != !(t->flags & PK_FLAG_BUNDLE)) {
    why = "payload trailer sizes do not add up";
  }
  if (why) {
    fail_at(err, err_size, path, p->trailer_pos, why);
    return -1;
  }
  p->payload_pos = p->trailer_pos - t->payload_size;
  return 1;
}

/* ---- reading ---- */

/* The streams are zlib-wrapped (2-byte header, deflate data, Adler-32).
 * They are inflated raw: the payload's CRC-32, checked before, already
 * covers every byte, so computing the Adler-32 again would only cost
 * start-up time (a few percent of it for a small module). */
static bool inflate_exact(const uint8_t *in, size_t in_size, uint8_t *out,
                          size_t out_size) {
  if (in_size < 6 || (in[0] & 0x0f) != Z_DEFLATED || (in[1] & 0x20) ||
      (in[0] << 8 | in[1]) % 31 != 0)
    return false; /* not a zlib header without a preset dictionary */
  z_stream z;
  memset(&z, 0, sizeof z);
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return false;
  z.next_in = (Bytef *)in + 2;
  z.avail_in = (uInt)(in_size - 6);
  z.next_out = out;
  z.avail_out = (uInt)out_size;
  int r = inflate(&z, Z_FINISH);
  /* Exactly out_size bytes, the stream complete, nothing left over. */
  bool ok = r == Z_STREAM_END && z.avail_out == 0 && z.avail_in == 0;
  inflateEnd(&z);
  return ok;
}

/* Decompressed sizes are capped so a tampered size cannot make the stub
 * allocate without bound; 1 GiB is far above any module or bundle. */
#define PK_MAX_INFLATED (UINT64_C(1) << 30)

bool pk_payload_read(const pk_payload *p, pk_config *cfg, uint8_t **module,
                     uint8_t **bundle, char *err, size_t err_size) {
  const pk_trailer *t = &p->t;
  uint8_t *raw = NULL;
  *module = NULL;
  *bundle = NULL;
  memset(cfg, 0, sizeof *cfg);
  if (t->module_size > PK_MAX_INFLATED || t->bundle_size > PK_MAX_INFLATED ||
      t->payload_size > SIZE_MAX - 1) {
    fail_at(err, err_size, p->path, p->trailer_pos,
            "payload sizes are implausibly large");
    goto fail;
  }
  raw = malloc((size_t)t->payload_size + 1);
  if (!raw) {
    fail_at(err, err_size, p->path, p->payload_pos, "out of memory");
    goto fail;
  }
  if (!read_at(p->fd, p->payload_pos, raw, (size_t)t->payload_size)) {
    fail_at(err, err_size, p->path, p->payload_pos, "cannot read the payload");
    goto fail;
  }
  if ((uint32_t)crc32_z(0, raw, (size_t)t->payload_size) != t->payload_crc) {
    fail_at(err, err_size, p->path, p->payload_pos,
            "payload is damaged (checksum mismatch)");
    goto fail;
  }
  long bad = config_decode(raw, t->config_size, cfg);
  if (bad >= 0) {
    fail_at(err, err_size, p->path, p->payload_pos + (uint64_t)bad,
            "payload config is malformed");
    goto fail;
  }
  const uint8_t *zm = raw + t->config_size;
  *module = malloc((size_t)t->module_size);
  if (!*module || !inflate_exact(zm, t->module_zsize, *module, t->module_size)) {
    fail_at(err, err_size, p->path, p->payload_pos + t->config_size,
            *module ? "module does not inflate to its recorded size"
                    : "out of memory");
    goto fail;
  }
  if (t->bundle_zsize) {
    const uint8_t *zb = zm + t->module_zsize;
    *bundle = malloc((size_t)t->bundle_size + 1);
    if (!*bundle ||
        !inflate_exact(zb, t->bundle_zsize, *bundle, (size_t)t->bundle_size)) {
      fail_at(err, err_size, p->path,
              p->payload_pos + t->config_size + t->module_zsize,
              *bundle ? "bundle does not inflate to its recorded size"
                      : "out of memory");
      goto fail;
    }
  }
  free(raw);
  return true;
fail:
  free(raw);
  free(*module);
  free(*bundle);
  *module = NULL;
  *bundle = NULL;
  pk_config_free(cfg);
  return false;
}

/* ---- the stub: pk_stub_main ----
 * A packed executable finds its payload (anchor, then the trailer),
 * applies the baked-in defaults and the FERRY_* environment variables, and
 * runs the module with pk_run. */

/* volatile: the compiler must read the bytes the packer patched into the
 * file, not the zero it sees here. */
static const volatile uint8_t anchor[PK_ANCHOR_SIZE] = {
    'F', 'E', 'R', 'R', 'Y', '-', 'P', 'A',
    'Y', 'L', 'O', 'A', 'D', '-', '@', 1,
};

void pk_anchor_magic(uint8_t out[PK_ANCHOR_MAGIC_SIZE]) {
  for (int i = 0; i < PK_ANCHOR_MAGIC_SIZE; i++) out[i] = anchor[i];
}

static uint64_t anchor_payload_pos(void) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | anchor[PK_ANCHOR_MAGIC_SIZE + i];
  return v;
}

static const char *mode_name(int mode) {
  return mode == PK_MODE_TCC ? "tcc" : mode == PK_MODE_NATIVE ? "native"
                                                               : "interp";
}

/* FERRY_HELP=1: what this executable carries and how to grant it more. An
 * environment variable rather than a flag, so no argument the program
 * itself takes is ever intercepted. */
static void print_info(const char *exe, const pk_payload *p,
                       const pk_config *c) {
  printf("%s: a WebAssembly program packed by ferry\n"
         "  mode: %s\n  module: %u bytes (%u compressed)\n",
         exe, mode_name((int)(p->t.flags & PK_FLAG_MODE_MASK)),
         p->t.module_size, p->t.module_zsize);
  if (c->bundle_guest)
    printf("  bundle: %llu bytes, read-only at %s\n",
           (unsigned long long)p->t.bundle_size, c->bundle_guest);
  for (int i = 0; i < c->nargs; i++) printf("  argument: %s\n", c->args[i]);
  for (int i = 0; i < c->nenv; i++)
    printf("  environment: %s%s\n", c->env[i],
           strchr(c->env[i], '=') ? "" : " (from the host)");
  for (int i = 0; i < c->ndirs; i++) printf("  directory: %s\n", c->dirs[i]);
  printf("\nenvironment variables read by the executable (not the program):\n"
         "  FERRY_DIR=HOST::GUEST[;HOST::GUEST...]  grant host directories\n"
         "                    besides the ones baked in (';'-separated)\n"
         "  FERRY_HELP=1      print this and exit\n");
}

/* Splits FERRY_DIR ("A::a;B::b") into `out` (pointers into the copy
 * `buf`); returns the count. */
static int split_dirs(char *buf, char **out, int max) {
  int n = 0;
  for (char *s = buf; s && n < max;) {
    char *semi = strchr(s, ';');
    if (semi) *semi = 0;
    if (*s) out[n++] = s;
    s = semi ? semi + 1 : NULL;
  }
  return n;
}

/* Compiled code that comes with the executable (--mode native). */
typedef struct {
  const void *code;
  pk_attach_fn attach;
} native_code;

static int run_payload(int argc, char **argv, const char *exe,
                       const pk_payload *p, const pk_config *c,
                       uint8_t *module, uint8_t *bundle,
                       const native_code *nc) {
  int status = 1;
  const char *fd_env = getenv("FERRY_DIR");
  size_t fd_len = fd_env ? strlen(fd_env) : 0;
  char *fdirs = fd_env ? malloc(fd_len + 1) : NULL;
  if (fdirs) memcpy(fdirs, fd_env, fd_len + 1);
  size_t maxdirs = (size_t)c->ndirs + (fdirs ? strlen(fdirs) / 2 + 1 : 0);
  char **gargv = calloc((size_t)argc + (size_t)c->nargs + 1, sizeof *gargv);
  char **genv = calloc((size_t)c->nenv + 1, sizeof *genv);
  char **owned = calloc((size_t)c->nenv + 1, sizeof *owned);
  const char **dirs = calloc(maxdirs + 1, sizeof *dirs);
  if ((fd_env && !fdirs) || !gargv || !genv || !owned || !dirs) {
    fprintf(stderr, "%s: out of memory\n", exe);
    free(module);
    goto done;
  }
  /* The program name as the OS gave it, then the baked-in arguments, then
   * the user's: like a shell script wrapper `exec prog ARGS "$@"`. */
  int gargc = 0;
  gargv[gargc++] = argv[0];
  for (int i = 0; i < c->nargs; i++) gargv[gargc++] = c->args[i];
  for (int i = 1; i < argc; i++) gargv[gargc++] = argv[i];
  int genvc = 0, nowned = 0;
  for (int i = 0; i < c->nenv; i++) {
    if (strchr(c->env[i], '=')) {
      genv[genvc++] = c->env[i];
      continue;
    }
    /* NAME alone: the host's value at run time, if it has one. */
    const char *v = getenv(c->env[i]);
    if (!v) continue;
    size_t n = strlen(c->env[i]) + strlen(v) + 2;
    char *kv = malloc(n);
    if (!kv) continue;
    snprintf(kv, n, "%s=%s", c->env[i], v);
    owned[nowned++] = kv;
    genv[genvc++] = kv;
  }
  int ndirs = 0;
  for (int i = 0; i < c->ndirs; i++) dirs[ndirs++] = c->dirs[i];
  if (fdirs)
    ndirs += split_dirs(fdirs, (char **)dirs + ndirs, (int)maxdirs - ndirs);
  pk_bundle_mount mount = {bundle, (size_t)p->t.bundle_size, c->bundle_guest};
  pk_run_config rc = {
      .who = exe,
      .path = exe,
      .owned = module,
      .size = p->t.module_size,
      .prevalidated = (p->t.flags & PK_FLAG_VALIDATED) != 0,
      .argc = gargc,
      .argv = gargv,
      .envc = genvc,
      .env = genv,
      .ndirs = ndirs,
      .dirs = dirs,
      .bundle = bundle && c->bundle_guest ? &mount : NULL,
      .mode = (pk_mode)(p->t.flags & PK_FLAG_MODE_MASK),
      /* Start-up matters most for a shipped program: compile only when it
       * turns out to run for a while. */
      .tiered = true,
      .native = nc->code,
      .attach = nc->attach,
      .dump_ir_func = -1,
  };
  status = pk_run(&rc);
  for (int i = 0; i < nowned; i++) free(owned[i]);
done:
  free(fdirs);
  free(gargv);
  free(genv);
  free(owned);
  free(dirs);
  return status;
}

static int stub_main(int argc, char **argv, uint64_t expect,
                     const native_code *nc) {
  const char *exe = argc > 0 && argv[0] ? argv[0] : "ferry";
  char path[4096], err[4700];
  os_fd fd = OS_FD_NONE;
  uint8_t *module = NULL, *bundle = NULL;
  pk_config cfg = {0};
  pk_payload p;
  int status = PK_EXIT_PAYLOAD;
  if (!os_self_exe_path(path, sizeof path)) {
    fprintf(stderr, "%s: cannot locate its own executable to read the "
                    "packed program\n", exe);
    return status;
  }
  if (os_file_open_read(path, &fd)) {
    fprintf(stderr, "%s: cannot open its own executable\n", path);
    return status;
  }
  int found = pk_payload_find(fd, path, &p, err, sizeof err);
  if (found == 0)
    snprintf(err, sizeof err,
             "%s:0x%llx: truncated or damaged: no payload trailer at the end "
             "of the file (the payload starts here)",
             path, (unsigned long long)expect);
  else if (found > 0 && p.payload_pos != expect)
    snprintf(err, sizeof err,
             "%s:0x%llx: damaged: the trailer puts the payload here, the "
             "executable expects it at 0x%llx",
             path, (unsigned long long)p.payload_pos,
             (unsigned long long)expect);
  if (found <= 0 || p.payload_pos != expect ||
      !pk_payload_read(&p, &cfg, &module, &bundle, err, sizeof err)) {
    fprintf(stderr, "%s\n", err);
    goto done;
  }
  os_fs_close(fd);
  fd = OS_FD_NONE;
  const char *help = getenv("FERRY_HELP");
  if (help && *help && strcmp(help, "0")) {
    print_info(exe, &p, &cfg);
    free(module);
    status = 0;
    goto done;
  }
  /* run_payload takes the module over (pk_run decodes it in place). */
  status = run_payload(argc, argv, exe, &p, &cfg, module, bundle, nc);
done:
  if (fd != OS_FD_NONE) os_fs_close(fd);
  free(bundle);
  pk_config_free(&cfg);
  return status;
}

int pk_stub_main(int argc, char **argv) {
  uint64_t expect = anchor_payload_pos();
  if (!expect) return -1;
  native_code none = {NULL, NULL};
  return stub_main(argc, argv, expect, &none);
}

int pk_stub_native_main(int argc, char **argv, const void *code,
                        pk_attach_fn attach) {
  os_stdio_binary();
  os_args_utf8(&argc, &argv);
  uint64_t expect = anchor_payload_pos();
  if (!expect) {
    /* The compiler's output before `ferry pack` appended the payload. */
    fprintf(stderr, "%s: not a packed executable (no payload)\n",
            argc > 0 ? argv[0] : "ferry");
    return PK_EXIT_PAYLOAD;
  }
  native_code nc = {code, attach};
  return stub_main(argc, argv, expect, &nc);
}
