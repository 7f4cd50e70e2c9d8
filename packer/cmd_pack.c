/* `ferry pack` and `ferry targets`: write one standalone executable per
 * target by appending a payload (payload.h) to that target's prebuilt stub
 * (packer/stubs.mk), and list what each target supports. Packing is
 * deterministic: the output depends only on the stub, the module, the
 * bundle's contents and the options (fixed zlib settings, no timestamps,
 * bundle entries in sorted order). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "aot/emit.h"
#include "packer/cli.h"
#include "packer/payload.h"
#include "runtime/os_proc.h"
#include "runtime/wasi_bundle.h"
#include "vm/load.h"

static const char pack_help[] =
    "usage: ferry pack FILE -o OUT [--target T]... [--mode interp|tcc|native]\n"
    "                  [--dir HOST::GUEST]... [--env NAME[=VALUE]]...\n"
    "                  [--bundle DIR::GUEST] [--stubs DIR] [-- ARGS...]\n"
    "\n"
    "Packs a WebAssembly module (.wasm or .wat) into one standalone\n"
    "executable per target: the target's ferry runtime stub followed by the\n"
    "compressed module and the options below. Nothing else is needed on the\n"
    "machine that runs it. With one target (default: linux-x64) the\n"
    "executable is OUT; with several, OUT-TARGET (OUT-windows-x64.exe, ...).\n"
    "Run 'ferry targets' for the list.\n"
    "\n"
    "options:\n"
    "  -o OUT            output file (required)\n"
    "  --target T        a target to pack for; repeatable\n"
    "  --mode M          interp (default): the interpreter; tcc: compiled in\n"
    "                    memory with libtcc at start-up (a larger stub);\n"
    "                    native: compiled to machine code now, with the\n"
    "                    target's C compiler (slower to pack, fastest code)\n"
    "  --dir HOST::GUEST  grant the host directory HOST (resolved when the\n"
    "                    program runs, relative to its working directory) as\n"
    "                    GUEST; repeatable; more via FERRY_DIR at run time\n"
    "  --env NAME=VALUE  bake a variable into the program's environment;\n"
    "                    NAME alone passes the host's value at run time\n"
    "  --bundle DIR::GUEST  pack the directory DIR into the executable and\n"
    "                    show it to the program read-only as GUEST\n"
    "  --stubs DIR       where the stubs are (default: $FERRY_STUBS, then\n"
    "                    stubs/ next to ferry, then ../lib/ferry/stubs)\n"
    "  -- ARGS...        arguments put before the ones the user gives\n"
    "\n"
    "A packed executable passes its arguments, standard streams and exit\n"
    "status through. FERRY_HELP=1 in its environment makes it describe\n"
    "itself instead of running.\n";

static const char targets_help[] =
    "usage: ferry targets [--stubs DIR]\n"
    "\n"
    "Lists the targets 'ferry pack --target' accepts and, for each mode,\n"
    "whether its stub (or for native, its runtime library and C compiler)\n"
    "is installed.\n";

typedef struct {
  const char *name;
  const char *exe_suffix; /* what the OS needs to run a file by its name */
  const char *desc;
  /* Why --mode tcc is not offered for this target; NULL when it is. */
  const char *no_tcc;
} target;

static const target targets[] = {
    {"linux-x64", "", "Linux x86-64, static (musl): any distribution", NULL},
    {"linux-arm64", "", "Linux AArch64, static: any distribution", NULL},
    /* TinyCC's RISC-V back end (Debian 12's libtcc) gets some 64-bit
     * constants wrong (low word in 0x7ff80000..0x7fffffff) and cannot index
     * an extern array past 2 KiB, both of which the AOT C needs. */
    {"linux-riscv64", "", "Linux RISC-V 64 (RV64GC), static: any distribution",
     "TinyCC's RISC-V back end miscompiles the AOT C"},
    {"windows-x64", ".exe", "Windows x86-64 (10 and later)", NULL},
};
enum { NTARGETS = sizeof targets / sizeof *targets };

static const target *find_target(const char *name) {
  for (int i = 0; i < NTARGETS; i++)
    if (!strcmp(targets[i].name, name)) return &targets[i];
  return NULL;
}

/* The stub directory: --stubs, $FERRY_STUBS, stubs/ next to this ferry
 * (the build tree: build/ferry, build/stubs/), ../lib/ferry/stubs (an
 * installed ferry). The first that exists wins; "" when none does. */
static void stub_dir(const char *opt, char *out, size_t n) {
  const char *env = getenv("FERRY_STUBS");
  if (opt || (env && *env)) {
    snprintf(out, n, "%s", opt ? opt : env);
    return;
  }
  char self[4096];
  out[0] = 0;
  if (!os_self_exe_path(self, sizeof self)) return;
  char *slash = strrchr(self, '/');
  if (!slash) return;
  *slash = 0;
  const char *cands[] = {"stubs", "../lib/ferry/stubs"};
  for (int i = 0; i < 2; i++) {
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/%s/stub-linux-x64", self, cands[i]);
    os_fd fd;
    if (!os_file_open_read(probe, &fd)) {
      os_fs_close(fd);
      snprintf(out, n, "%s/%s", self, cands[i]);
      return;
    }
  }
  snprintf(out, n, "%s/stubs", self);
}

static void stub_path(const char *dir, const target *t, pk_mode mode,
                      char *out, size_t n) {
  snprintf(out, n, "%s/stub-%s%s%s", dir, t->name,
           mode == PK_MODE_TCC ? "-tcc" : "", t->exe_suffix);
}

static bool file_exists(const char *path) {
  os_fd fd;
  if (os_file_open_read(path, &fd)) return false;
  os_fs_close(fd);
  return true;
}

int cli_targets(int argc, char **argv) {
  const char *dir_opt = NULL;
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i])) return cli_print(targets_help, 0);
    if (!strcmp(argv[i], "--stubs") && i + 1 < argc) dir_opt = argv[++i];
    else return cli_usage_error("targets", "unknown option", argv[i], targets_help);
  }
  char dir[4200], path[4400];
  stub_dir(dir_opt, dir, sizeof dir);
  printf("stubs: %s\n\n%-14s %-7s %-5s %-7s %s\n", dir, "target", "interp",
         "tcc", "native", "description");
  for (int i = 0; i < NTARGETS; i++) {
    const target *t = &targets[i];
    stub_path(dir, t, PK_MODE_INTERP, path, sizeof path);
    bool interp = file_exists(path);
    stub_path(dir, t, PK_MODE_TCC, path, sizeof path);
    bool tcc = !t->no_tcc && file_exists(path);
    snprintf(path, sizeof path, "%s/native-%s/cc", dir, t->name);
    bool native = file_exists(path);
    printf("%-14s %-7s %-5s %-7s %s\n", t->name, interp ? "yes" : "no",
           t->no_tcc ? "n/a" : tcc ? "yes" : "no", native ? "yes" : "no",
           t->desc);
  }
  printf("\n'no': not built; run 'make stubs' in the ferry tree.\n");
  for (int i = 0; i < NTARGETS; i++)
    if (targets[i].no_tcc)
      printf("'n/a': no tcc mode for %s: %s.\n", targets[i].name, targets[i].no_tcc);
  return 0;
}

/* ---- --bundle: a host directory tree in the format of wasi_bundle.h ----
 * Walked breadth-first so that the children of every directory come out as
 * one contiguous, sorted run of entries, which lets the reader bisect
 * without an index. Uses the OS layer's directory functions (os_fs.h), so
 * it behaves the same on every host. */

typedef struct {
  uint32_t parent, type, first, count; /* first/count: a directory's children */
  char *name;
  uint8_t *data; /* a file's contents */
  uint64_t size;
  os_fd fd; /* an open directory not yet listed */
} node;

typedef struct {
  node *v;
  size_t n, cap;
  uint64_t data_total, names_total;
} tree;

static bool push(tree *t, node nd) {
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    node *v = realloc(t->v, cap * sizeof *v);
    if (!v) return false;
    t->v = v;
    t->cap = cap;
  }
  t->v[t->n++] = nd;
  return true;
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const os_dirent *)a)->name, ((const os_dirent *)b)->name);
}

static int read_whole(os_fd dir, const char *name, uint8_t **data,
                     uint64_t *size) {
  os_fd fd;
  int e = os_fs_openat(dir, name, OS_O_READ, &fd);
  if (e) return e;
  size_t n = 0;
  e = os_fs_read_all(fd, WASI_BUNDLE_MAX, data, &n);
  os_fs_close(fd);
  *size = n;
  return e;
}

/* Lists directory entry `i` (its fd is open) and appends its children. */
static bool list_dir(tree *t, size_t i, char *err,
                     size_t err_size) {
  os_dirent *ents = NULL;
  size_t n = 0;
  os_fd fd = t->v[i].fd;
  t->v[i].fd = OS_FD_NONE;
  int e = os_fs_readdir(fd, &ents, &n);
  if (e) {
    snprintf(err, err_size, "cannot list a directory: %s", os_error_text(e));
    os_fs_close(fd);
    return false;
  }
  qsort(ents, n, sizeof *ents, by_name);
  t->v[i].first = (uint32_t)t->n;
  bool ok = true;
  for (size_t k = 0; k < n && ok; k++) {
    const char *name = ents[k].name;
    if (!strcmp(name, ".") || !strcmp(name, "..")) continue;
    os_stat st;
    /* readdir's type can be unknown on some file systems: ask again. */
    if ((e = os_fs_statat(fd, name, &st))) {
      snprintf(err, err_size, "%s: cannot stat: %s", name, os_error_text(e));
      ok = false;
      break;
    }
    node nd = {(uint32_t)i, st.type, 0, 0, NULL, NULL, 0, OS_FD_NONE};
    if (st.type == OS_FT_DIRECTORY) {
      e = os_fs_openat(fd, name, OS_O_READ | OS_O_DIRECTORY, &nd.fd);
    } else if (st.type == OS_FT_REGULAR_FILE) {
      e = read_whole(fd, name, &nd.data, &nd.size);
    } else {
      fprintf(stderr, "ferry pack: bundle: skipping %s (not a regular file "
                      "or directory)\n", name);
      continue;
    }
    size_t nl = strlen(name);
    if (!e && !(nd.name = malloc(nl + 1))) e = OS_ENOMEM;
    if (e) {
      snprintf(err, err_size, "%s: cannot read: %s", name, os_error_text(e));
      if (nd.fd != OS_FD_NONE) os_fs_close(nd.fd);
      free(nd.data);
      ok = false;
      break;
    }
    memcpy(nd.name, name, nl + 1);
    t->data_total += nd.size;
    t->names_total += nl;
    if (t->data_total > WASI_BUNDLE_MAX || !push(t, nd)) {
      snprintf(err, err_size, "too large to bundle");
      if (nd.fd != OS_FD_NONE) os_fs_close(nd.fd);
      free(nd.data);
      free(nd.name);
      ok = false;
    }
  }
  t->v[i].count = (uint32_t)(t->n - t->v[i].first);
  os_fs_dirents_free(ents, n);
  os_fs_close(fd);
  return ok;
}

static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Reads the directory `host_dir` recursively (regular files and
 * directories; symbolic links and special files are skipped with a
 * warning) into a new buffer (free()) in the format of wasi_bundle.h.
 * Entries are sorted by name, and no time stamps or owners are recorded,
 * so the same tree gives the same bytes. False with a message in err. */
static bool bundle_build(const char *host_dir, uint8_t **out, size_t *size,
                     char *err, size_t err_size) {
  tree t = {0};
  bool ok = false;
  uint8_t *buf = NULL;
  node root = {0, OS_FT_DIRECTORY, 0, 0, NULL, NULL, 0, OS_FD_NONE};
  int e = os_fs_open_dir(host_dir, &root.fd);
  if (e) {
    snprintf(err, err_size, "cannot open the directory: %s", os_error_text(e));
    return false;
  }
  if (!push(&t, root)) {
    os_fs_close(root.fd);
    snprintf(err, err_size, "out of memory");
    return false;
  }
  /* Breadth-first: t.v grows while it is walked. */
  for (size_t i = 0; i < t.n; i++)
    if (t.v[i].type == OS_FT_DIRECTORY && !list_dir(&t, i, err, err_size))
      goto fail;
  uint64_t names_at = WASI_BUNDLE_HEADER + (uint64_t)t.n * WASI_BUNDLE_ENTRY;
  uint64_t data_at = names_at + t.names_total;
  uint64_t total = data_at + t.data_total;
  if (total > WASI_BUNDLE_MAX || t.n > UINT32_MAX ||
      !(buf = calloc((size_t)total + 1, 1))) {
    snprintf(err, err_size, "too large to bundle");
    goto fail;
  }
  memcpy(buf, WASI_BUNDLE_MAGIC, 8);
  put32(buf + 8, (uint32_t)t.n);
  uint64_t na = names_at, da = data_at;
  for (size_t i = 0; i < t.n; i++) {
    const node *nd = &t.v[i];
    uint8_t *ent = buf + WASI_BUNDLE_HEADER + i * WASI_BUNDLE_ENTRY;
    size_t nl = nd->name ? strlen(nd->name) : 0;
    put32(ent + 0, nd->parent);
    put32(ent + 4, nd->type);
    put32(ent + 8, (uint32_t)na);
    put32(ent + 12, (uint32_t)nl);
    if (nd->type == OS_FT_DIRECTORY) {
      put64(ent + 16, nd->first);
      put64(ent + 24, nd->count);
    } else {
      put64(ent + 16, da);
      put64(ent + 24, nd->size);
      if (nd->size) memcpy(buf + da, nd->data, (size_t)nd->size);
      da += nd->size;
    }
    if (nl) memcpy(buf + na, nd->name, nl);
    na += nl;
  }
  *out = buf;
  *size = (size_t)total;
  buf = NULL;
  ok = true;
fail:
  for (size_t i = 0; i < t.n; i++) {
    if (t.v[i].fd != OS_FD_NONE) os_fs_close(t.v[i].fd);
    free(t.v[i].name);
    free(t.v[i].data);
  }
  free(t.v);
  free(buf);
  return ok;
}

/* ---- packing ---- */

typedef struct {
  const char *in, *out, *stubs, *bundle;
  pk_mode mode;
  const target *targets[NTARGETS];
  int ntargets;
  pk_config cfg; /* borrowed strings from argv: never pk_config_free'd */
} pack_options;

static int parse_pack(int argc, char **argv, pack_options *o) {
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      i++;
      break;
    }
    if (cli_is_help(a)) return cli_print(pack_help, 0);
    bool has_value = i + 1 < argc;
    if (a[0] != '-' || !a[1]) {
      if (o->in) return cli_usage_error("pack", "more than one module", a, pack_help);
      o->in = a;
    } else if (!strcmp(a, "-o") && has_value) {
      o->out = argv[++i];
    } else if (!strcmp(a, "--stubs") && has_value) {
      o->stubs = argv[++i];
    } else if (!strcmp(a, "--target") && has_value) {
      const target *t = find_target(argv[++i]);
      if (!t) return cli_usage_error("pack", "unknown target (see 'ferry targets')", argv[i], pack_help);
      bool dup = false;
      for (int k = 0; k < o->ntargets; k++) dup |= o->targets[k] == t;
      if (!dup) o->targets[o->ntargets++] = t;
    } else if (!strcmp(a, "--mode") && has_value) {
      const char *m = argv[++i];
      if (!strcmp(m, "interp")) o->mode = PK_MODE_INTERP;
      else if (!strcmp(m, "tcc")) o->mode = PK_MODE_TCC;
      else if (!strcmp(m, "native")) o->mode = PK_MODE_NATIVE;
      else return cli_usage_error("pack", "--mode needs interp, tcc or native", m, pack_help);
    } else if (!strcmp(a, "--dir") && has_value) {
      const char *d = argv[++i];
      const char *sep = strstr(d, "::");
      if (!sep || sep == d || !sep[2])
        return cli_usage_error("pack", "--dir needs HOST::GUEST", d, pack_help);
      o->cfg.dirs[o->cfg.ndirs++] = argv[i];
    } else if (!strcmp(a, "--env") && has_value) {
      if (argv[i + 1][0] == '=')
        return cli_usage_error("pack", "--env needs NAME[=VALUE]", argv[i + 1], pack_help);
      o->cfg.env[o->cfg.nenv++] = argv[++i];
    } else if (!strcmp(a, "--bundle") && has_value) {
      const char *b = argv[++i];
      const char *sep = strstr(b, "::");
      if (o->bundle)
        return cli_usage_error("pack", "only one --bundle", b, pack_help);
      if (!sep || sep == b || !sep[2])
        return cli_usage_error("pack", "--bundle needs DIR::GUEST", b, pack_help);
      o->bundle = b;
      o->cfg.bundle_guest = (char *)sep + 2;
    } else {
      return cli_usage_error("pack", has_value || a[1] != '-' ? "unknown option"
                                                              : "option needs a value",
                             a, pack_help);
    }
  }
  for (; i < argc; i++) o->cfg.args[o->cfg.nargs++] = argv[i];
  if (!o->in) return cli_usage_error("pack", "no module given", NULL, pack_help);
  if (!o->out) return cli_usage_error("pack", "no output given (-o)", NULL, pack_help);
  if (!o->ntargets) o->targets[o->ntargets++] = &targets[0];
  for (int k = 0; k < o->ntargets; k++)
    if (o->mode == PK_MODE_TCC && o->targets[k]->no_tcc) {
      fprintf(stderr, "ferry pack: --mode tcc is not available for %s (%s); "
                      "use --mode interp or native\n",
              o->targets[k]->name, o->targets[k]->no_tcc);
      return 1;
    }
  return -1;
}

/* zlib at a fixed level and the default window and memory settings: the
 * same input gives the same bytes with the same zlib. */
static bool deflate_all(const uint8_t *in, size_t n, uint8_t **out,
                        size_t *out_n) {
  uLong cap = compressBound((uLong)n);
  *out = malloc(cap);
  if (!*out) return false;
  uLongf len = cap;
  if (compress2(*out, &len, in, (uLong)n, Z_BEST_COMPRESSION) != Z_OK) {
    free(*out);
    *out = NULL;
    return false;
  }
  *out_n = len;
  return true;
}

/* The payload and trailer, common to every target. */
typedef struct {
  uint8_t *config, *zmodule, *zbundle;
  size_t config_size, zmodule_size, zbundle_size;
  pk_trailer t;
} payload_parts;

/* Writes stub + payload + trailer for one target into OUT. */
static int write_one(const pack_options *o, const payload_parts *pp,
                     const char *stub, const char *out) {
  uint8_t *s = NULL, *buf = NULL;
  size_t n = 0;
  int status = 1;
  vm_error err = {0};
  uint8_t magic[PK_ANCHOR_MAGIC_SIZE];
  if (!vm_read_file(stub, &s, &n, &err)) {
    fprintf(stderr, "ferry pack: %s %s: %s (run 'make stubs', or see "
                    "'ferry targets')\n",
            o->mode == PK_MODE_NATIVE ? "compiled" : "stub", stub, err.msg);
    goto fail;
  }
  /* The anchor: exactly one copy of the magic, so patching cannot hit
   * anything else. */
  pk_anchor_magic(magic);
  size_t at = SIZE_MAX;
  for (size_t i = 0; i + PK_ANCHOR_SIZE <= n; i++) {
    if (s[i] != magic[0] || memcmp(s + i, magic, PK_ANCHOR_MAGIC_SIZE)) continue;
    if (at != SIZE_MAX) {
      at = SIZE_MAX - 1;
      break;
    }
    at = i;
  }
  if (at >= SIZE_MAX - 1) {
    fprintf(stderr, "ferry pack: %s is not a ferry stub (%s payload anchor)\n",
            stub, at == SIZE_MAX ? "no" : "more than one");
    goto fail;
  }
  for (size_t i = PK_ANCHOR_MAGIC_SIZE; i < PK_ANCHOR_SIZE; i++)
    if (s[at + i]) {
      fprintf(stderr, "ferry pack: %s is already a packed executable\n", stub);
      goto fail;
    }
  pk_trailer t = pp->t;
  /* pack() validated the module before getting here. */
  t.flags = (uint32_t)o->mode | PK_FLAG_VALIDATED |
            (pp->zbundle ? PK_FLAG_BUNDLE : 0);
  size_t body = pp->config_size + pp->zmodule_size + pp->zbundle_size;
  /* Pad so that stub + payload + trailer is a multiple of PK_ALIGN. */
  size_t pad = (PK_ALIGN - (n + body + PK_TRAILER_SIZE) % PK_ALIGN) % PK_ALIGN;
  t.payload_size = body + pad;
  size_t total = n + body + pad + PK_TRAILER_SIZE;
  buf = calloc(total, 1);
  if (!buf) {
    fprintf(stderr, "ferry pack: out of memory\n");
    goto fail;
  }
  memcpy(buf, s, n);
  for (int i = 0; i < 8; i++)
    buf[at + PK_ANCHOR_MAGIC_SIZE + (size_t)i] = (uint8_t)((uint64_t)n >> (8 * i));
  uint8_t *p = buf + n;
  memcpy(p, pp->config, pp->config_size);
  p += pp->config_size;
  memcpy(p, pp->zmodule, pp->zmodule_size);
  p += pp->zmodule_size;
  if (pp->zbundle_size) memcpy(p, pp->zbundle, pp->zbundle_size);
  t.payload_crc = (uint32_t)crc32_z(0, buf + n, body + pad);
  pk_trailer_encode(&t, buf + n + body + pad);
  int e = os_file_write(out, buf, total, true);
  if (e) {
    fprintf(stderr, "ferry pack: %s: cannot write: %s\n", out, os_error_text(e));
    goto fail;
  }
  status = 0;
fail:
  free(s);
  free(buf);
  return status;
}

/* ---- --mode native ---- */

/* Splits a line of the native cc file into words (no quoting: the paths
 * come from the build), appending them to argv. */
static int split_words(char *line, const char **argv, int n, int max) {
  char *p = line;
  while (*p && n < max) {
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') *p++ = 0;
    if (!*p) break;
    argv[n++] = p;
    while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') p++;
  }
  return n;
}

/* Compiles the module's C (`csrc`) for target t with the compiler and
 * runtime library of stubs/native-T/ into `exe`. */
static bool compile_native(const char *dir, const target *t, const aot_buf *csrc,
                           const char *tmp, char *exe, size_t exe_size) {
  char ccfile[4400], lib[4400], cpath[4200];
  uint8_t *cc = NULL;
  size_t ccn = 0;
  vm_error err = {0};
  bool ok = false;
  snprintf(ccfile, sizeof ccfile, "%s/native-%s/cc", dir, t->name);
  snprintf(lib, sizeof lib, "%s/native-%s/libferry.a", dir, t->name);
  snprintf(cpath, sizeof cpath, "%s/module.c", tmp);
  snprintf(exe, exe_size, "%s/module-%s%s", tmp, t->name, t->exe_suffix);
  if (!vm_read_file(ccfile, &cc, &ccn, &err) || !file_exists(lib)) {
    fprintf(stderr, "ferry pack: no native tool chain for %s in %s (run "
                    "'make stubs')\n", t->name, dir);
    goto out;
  }
  int e = os_file_write(cpath, csrc->data, csrc->len, false);
  if (e) {
    fprintf(stderr, "ferry pack: %s: cannot write: %s\n", cpath, os_error_text(e));
    goto out;
  }
  /* cc: line 1 the compiler and its flags, line 2 the libraries. */
  char *nl = strchr((char *)cc, '\n');
  char *libs = nl ? nl + 1 : (char *)cc + ccn;
  if (nl) *nl = 0;
  const char *argv[64];
  int n = split_words((char *)cc, argv, 0, 40);
  /* As `ferry aot --cc` (packer/cmd_aot.c says why). */
  const char *mid[] = {"-O2", "-falign-loops=32", "-w", "-s", cpath, lib};
  for (size_t i = 0; i < sizeof mid / sizeof *mid; i++) argv[n++] = mid[i];
  n = split_words(libs, argv, n, 58);
  argv[n++] = "-o";
  argv[n++] = exe;
  argv[n] = NULL;
  os_child_result r;
  if (!os_run_child(argv, NULL, &r) || r.status) {
    fprintf(stderr, "ferry pack: %s: the C compiler failed (%s)\n", t->name,
            argv[0]);
    goto out;
  }
  ok = true;
out:
  os_file_remove(cpath);
  free(cc);
  return ok;
}

static int pack(pack_options *o) {
  int status = 1;
  uint8_t *src = NULL, *bin = NULL, *bundle = NULL;
  size_t src_n = 0, bin_n = 0, bundle_n = 0;
  payload_parts pp;
  memset(&pp, 0, sizeof pp);
  vm_error err = {0};
  vm_module *m = NULL;
  char dir[4200], stub[4400], out[4400], msg[512], tmp[4096] = "";
  aot_buf csrc = {0};
  /* Validate at pack time so a bad module fails here, not on a user's
   * machine; the payload holds the binary form even for a .wat input. */
  if (!vm_read_file(o->in, &src, &src_n, &err) ||
      !(m = vm_load(src, src_n, true, &err)) ||
      !vm_to_binary(src, src_n, &bin, &bin_n, &err)) {
    cli_report(o->in, &err);
    goto fail;
  }
  if (o->bundle) {
    const char *sep = strstr(o->bundle, "::");
    size_t hl = (size_t)(sep - o->bundle);
    char host[4096];
    snprintf(host, sizeof host, "%.*s", (int)hl, o->bundle);
    if (!bundle_build(host, &bundle, &bundle_n, msg, sizeof msg)) {
      fprintf(stderr, "ferry pack: --bundle %s: %s\n", o->bundle, msg);
      goto fail;
    }
    if (!deflate_all(bundle, bundle_n, &pp.zbundle, &pp.zbundle_size)) {
      fprintf(stderr, "ferry pack: out of memory\n");
      goto fail;
    }
  }
  if (!pk_config_encode(&o->cfg, &pp.config, &pp.config_size) ||
      !deflate_all(bin, bin_n, &pp.zmodule, &pp.zmodule_size)) {
    fprintf(stderr, "ferry pack: out of memory\n");
    goto fail;
  }
  if (bin_n > UINT32_MAX || pp.zmodule_size > UINT32_MAX ||
      pp.config_size > UINT32_MAX || pp.zbundle_size > UINT32_MAX) {
    fprintf(stderr, "ferry pack: %s: too large to pack (4 GiB limit)\n", o->in);
    goto fail;
  }
  pp.t.version = PK_FORMAT_VERSION;
  pp.t.config_size = (uint32_t)pp.config_size;
  pp.t.module_zsize = (uint32_t)pp.zmodule_size;
  pp.t.module_size = (uint32_t)bin_n;
  pp.t.bundle_zsize = (uint32_t)pp.zbundle_size;
  pp.t.bundle_size = bundle_n;
  stub_dir(o->stubs, dir, sizeof dir);
  if (o->mode == PK_MODE_NATIVE) {
    /* One C translation serves every target: all are 64-bit with guard
     * pages, like this host (the C says which it assumes). */
    aot_emit_opts eo = {.first = 0, .count = m->nfuncs,
                        .bounds_check = !RT_GUARD_PAGES, .native_main = true};
    if (!aot_emit(m, &eo, &csrc, msg, sizeof msg)) {
      fprintf(stderr, "ferry pack: %s: %s\n", o->in, msg);
      goto fail;
    }
    if (!os_temp_dir(tmp, sizeof tmp)) {
      fprintf(stderr, "ferry pack: cannot make a temporary directory\n");
      goto fail;
    }
  }
  for (int i = 0; i < o->ntargets; i++) {
    const target *t = o->targets[i];
    stub_path(dir, t, o->mode, stub, sizeof stub);
    if (o->mode == PK_MODE_NATIVE &&
        !compile_native(dir, t, &csrc, tmp, stub, sizeof stub))
      goto fail;
    size_t ol = strlen(o->out), sl = strlen(t->exe_suffix);
    bool has_suffix = ol >= sl && !strcmp(o->out + ol - sl, t->exe_suffix);
    if (o->ntargets == 1)
      snprintf(out, sizeof out, "%s%s", o->out, has_suffix ? "" : t->exe_suffix);
    else
      snprintf(out, sizeof out, "%s-%s%s", o->out, t->name, t->exe_suffix);
    int w = write_one(o, &pp, stub, out);
    if (o->mode == PK_MODE_NATIVE) os_file_remove(stub);
    if (w) goto fail;
  }
  status = 0;
fail:
  if (tmp[0]) os_file_remove(tmp);
  aot_buf_free(&csrc);
  vm_module_free(m);
  free(src);
  free(bin);
  free(bundle);
  free(pp.config);
  free(pp.zmodule);
  free(pp.zbundle);
  return status;
}

int cli_pack(int argc, char **argv) {
  pack_options o;
  memset(&o, 0, sizeof o);
  o.cfg.args = calloc((size_t)argc + 1, sizeof(char *));
  o.cfg.env = calloc((size_t)argc + 1, sizeof(char *));
  o.cfg.dirs = calloc((size_t)argc + 1, sizeof(char *));
  int status = 1;
  if (o.cfg.args && o.cfg.env && o.cfg.dirs) {
    status = parse_pack(argc, argv, &o);
    if (status < 0) status = pack(&o);
  } else {
    fprintf(stderr, "ferry pack: out of memory\n");
  }
  free(o.cfg.args);
  free(o.cfg.env);
  free(o.cfg.dirs);
  return status;
}
