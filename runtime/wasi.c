/* WASI core: the context and its descriptor table, preopens, the import
 * table, and the small families — args, environ, clocks, random_get,
 * proc_exit/proc_raise, sched_yield. */
#include "runtime/wasi_int.h"

#include <stdio.h>
#include <stdlib.h>

enum { NUM_STDIO = 3 };

/* ---- descriptor table ---- */

wasi_fd *wasi_fd_new(os_fd h, uint8_t type, uint64_t rights,
                     uint64_t inheriting) {
  wasi_fd *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  e->h = h;
  e->type = type;
  e->rights = rights;
  e->inheriting = inheriting;
  return e;
}

void wasi_fd_free(wasi_fd *e) {
  if (!e) return;
  if (!e->borrowed && e->h != OS_FD_NONE) wasi_vfs_close(e->h);
  os_fs_dirents_free(e->ents, e->nents);
  free(e->preopen);
  free(e);
}

int wasi_fd_get(rt_wasi *w, uint32_t fd, uint64_t rights, wasi_fd **out) {
  if (fd >= w->nfds || !w->fds[fd]) return WASI_EBADF;
  wasi_fd *e = w->fds[fd];
  uint64_t missing = rights & ~e->rights;
  if (missing & (WASI_RIGHT(R_FD_READ) | WASI_RIGHT(R_FD_WRITE)))
    return WASI_EBADF;
  if (missing) return WASI_ENOTCAPABLE;
  *out = e;
  return WASI_ESUCCESS;
}

int wasi_fd_insert(rt_wasi *w, wasi_fd *ent, uint32_t *fd) {
  uint32_t i = 0;
  while (i < w->nfds && w->fds[i]) i++;
  if (i == w->nfds) {
    /* Guest fds are u32 but a table this large would be a leak anyway. */
    if (w->nfds >= (1u << 20)) return OS_EMFILE;
    uint32_t n = w->nfds ? w->nfds * 2 : 8;
    wasi_fd **g = realloc(w->fds, n * sizeof *g);
    if (!g) return WASI_ENOMEM;
    memset(g + w->nfds, 0, (n - w->nfds) * sizeof *g);
    w->fds = g;
    w->nfds = n;
  }
  w->fds[i] = ent;
  *fd = i;
  return WASI_ESUCCESS;
}

/* ---- shared helpers ---- */

int wasi_iovs(rt_wasi *w, uint32_t iovs, uint32_t n, os_iov **out) {
  const uint8_t *p = wasi_mem(w, iovs, (uint64_t)n * 8);
  if (!p) return WASI_EFAULT;
  os_iov *v = malloc((n ? n : 1) * sizeof *v);
  if (!v) return WASI_ENOMEM;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t base = wasi_get32(p + 8 * (size_t)i);
    uint32_t len = wasi_get32(p + 8 * (size_t)i + 4);
    v[i].base = wasi_mem(w, base, len);
    v[i].len = len;
    if (!v[i].base) {
      free(v);
      return WASI_EFAULT;
    }
  }
  *out = v;
  return WASI_ESUCCESS;
}

/* filestat (witx): dev u64 @0, ino @8, filetype u8 @16, nlink @24,
 * size @32, atim @40, mtim @48, ctim @56; 64 bytes. */
int wasi_put_filestat(rt_wasi *w, uint32_t addr, const os_stat *st) {
  uint8_t *p = wasi_mem(w, addr, 64);
  if (!p) return WASI_EFAULT;
  memset(p, 0, 64);
  wasi_put64(p, st->dev);
  wasi_put64(p + 8, st->ino);
  p[16] = st->type;
  wasi_put64(p + 24, st->nlink);
  wasi_put64(p + 32, st->size);
  wasi_put64(p + 40, st->atim);
  wasi_put64(p + 48, st->mtim);
  wasi_put64(p + 56, st->ctim);
  return WASI_ESUCCESS;
}

int wasi_times(uint32_t fst, uint64_t atim, uint64_t mtim, uint64_t *a,
               uint64_t *m) {
  if (fst & ~(uint32_t)(FST_ATIM | FST_ATIM_NOW | FST_MTIM | FST_MTIM_NOW))
    return WASI_EINVAL;
  if (((fst & FST_ATIM) && (fst & FST_ATIM_NOW)) ||
      ((fst & FST_MTIM) && (fst & FST_MTIM_NOW)))
    return WASI_EINVAL;
  /* The two sentinels cannot be real times: they are ~584 years away. */
  if (((fst & FST_ATIM) && atim >= OS_TIME_NOW) ||
      ((fst & FST_MTIM) && mtim >= OS_TIME_NOW))
    return WASI_EINVAL;
  *a = (fst & FST_ATIM_NOW) ? OS_TIME_NOW : (fst & FST_ATIM) ? atim : OS_TIME_OMIT;
  *m = (fst & FST_MTIM_NOW) ? OS_TIME_NOW : (fst & FST_MTIM) ? mtim : OS_TIME_OMIT;
  return WASI_ESUCCESS;
}

/* ---- context ---- */

static char **copy_strings(int n, char *const *src) {
  char **dst = calloc((size_t)n + 1, sizeof *dst);
  if (!dst) return NULL;
  for (int i = 0; i < n; i++)
    if (!(dst[i] = strdup(src[i]))) {
      while (i-- > 0) free(dst[i]);
      free(dst);
      return NULL;
    }
  return dst;
}

static void free_strings(char **s, int n) {
  if (!s) return;
  for (int i = 0; i < n; i++) free(s[i]);
  free(s);
}

/* The host's stream i as a borrowed entry. Its rights follow what it is:
 * a terminal gets no seek/tell, which is how wasi-libc's isatty tells a
 * terminal (character device without those rights); a redirected file
 * gets the file rights. */
static wasi_fd *stdio_entry(int i) {
  os_fd h = os_fs_stdio(i);
  os_stat st;
  uint8_t type = wasi_vfs_fstat(h, &st) ? OS_FT_UNKNOWN : st.type;
  uint64_t rights = type == OS_FT_REGULAR_FILE ? WASI_RIGHTS_FILE
                    : type == OS_FT_CHARACTER_DEVICE
                        ? WASI_RIGHTS_STREAM
                        : WASI_RIGHTS_STREAM | WASI_RIGHT(R_FD_SEEK) |
                              WASI_RIGHT(R_FD_TELL);
  wasi_fd *e = wasi_fd_new(h, type, rights, 0);
  if (e) e->borrowed = true;
  return e;
}

rt_wasi *rt_wasi_new(int argc, char *const *argv, int envc,
                     char *const *env) {
  rt_wasi *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  w->argc = argc;
  w->envc = envc;
  w->argv = copy_strings(argc, argv);
  w->env = copy_strings(envc, env);
  if (!w->argv || !w->env) goto fail;
  for (int i = 0; i < NUM_STDIO; i++) {
    uint32_t fd;
    wasi_fd *e = stdio_entry(i);
    if (!e) goto fail;
    if (wasi_fd_insert(w, e, &fd)) {
      wasi_fd_free(e);
      goto fail;
    }
  }
  return w;
fail:
  rt_wasi_free(w);
  return NULL;
}

void rt_wasi_free(rt_wasi *w) {
  if (!w) return;
  for (uint32_t i = 0; i < w->nfds; i++) wasi_fd_free(w->fds[i]);
  free(w->fds);
  free_strings(w->argv, w->argc);
  free_strings(w->env, w->envc);
  free(w);
}

int rt_wasi_preopen_dir(rt_wasi *w, const char *host_path,
                        const char *guest_path) {
  os_fd h;
  uint32_t fd;
  int e = os_fs_open_dir(host_path, &h);
  if (e) return e;
  wasi_fd *ent = wasi_fd_new(h, OS_FT_DIRECTORY, WASI_RIGHTS_DIR,
                             WASI_RIGHTS_DIR | WASI_RIGHTS_FILE);
  if (!ent) {
    wasi_vfs_close(h);
    return WASI_ENOMEM;
  }
  if (!(ent->preopen = strdup(guest_path))) e = WASI_ENOMEM;
  if (!e) e = wasi_fd_insert(w, ent, &fd);
  if (e) wasi_fd_free(ent);
  return e;
}

int rt_wasi_preopen_socket(rt_wasi *w, const char *addr) {
  os_fd h;
  uint32_t fd;
  int e = os_sock_listen(addr, &h);
  if (e) return e;
  wasi_fd *ent = wasi_fd_new(h, OS_FT_SOCKET_STREAM, WASI_RIGHTS_SOCKET,
                             WASI_RIGHTS_STREAM | WASI_RIGHT(R_SOCK_SHUTDOWN));
  if (!ent) {
    wasi_vfs_close(h);
    return WASI_ENOMEM;
  }
  ent->listener = true;
  if ((e = wasi_fd_insert(w, ent, &fd))) wasi_fd_free(ent);
  return e;
}

bool rt_wasi_bind(rt_wasi *w, const rt_instance *inst) {
  rt_extern ext;
  if (!rt_instance_export(inst, "memory", 6, &ext) || ext.kind != VM_EXT_MEMORY)
    return false;
  w->memory = ext.u.memory;
  return true;
}

void rt_wasi_flush(rt_wasi *w) {
  (void)w;
  fflush(stdout);
  fflush(stderr);
}

/* ---- args and environ ---- */

/* args_get / environ_get: an array of u32 pointers at `ptrs` into one
 * buffer of NUL-terminated strings at `buf`, sized by *_sizes_get. */
static int put_strings(rt_wasi *w, char **s, int n, uint32_t ptrs,
                       uint32_t buf) {
  uint64_t at = buf;
  if (!wasi_mem(w, ptrs, (uint64_t)n * 4)) return WASI_EFAULT;
  for (int i = 0; i < n; i++) {
    size_t len = strlen(s[i]) + 1;
    uint8_t *p = wasi_mem(w, at, len);
    if (!p) return WASI_EFAULT;
    memcpy(p, s[i], len);
    wasi_store32(w, (uint64_t)ptrs + 4u * (uint64_t)i, (uint32_t)at);
    at += len;
  }
  return WASI_ESUCCESS;
}

static int put_sizes(rt_wasi *w, char **s, int n, uint32_t count_ptr,
                     uint32_t size_ptr) {
  uint64_t total = 0;
  for (int i = 0; i < n; i++) total += strlen(s[i]) + 1;
  if (total > UINT32_MAX) return WASI_EOVERFLOW;
  if (!wasi_mem(w, count_ptr, 4) || !wasi_mem(w, size_ptr, 4))
    return WASI_EFAULT;
  wasi_store32(w, count_ptr, (uint32_t)n);
  wasi_store32(w, size_ptr, (uint32_t)total);
  return WASI_ESUCCESS;
}

static WASI_FN(args_get) {
  rt_wasi *w = env;
  RET(put_strings(w, w->argv, w->argc, A32(0), A32(1)));
}

static WASI_FN(args_sizes_get) {
  rt_wasi *w = env;
  RET(put_sizes(w, w->argv, w->argc, A32(0), A32(1)));
}

static WASI_FN(environ_get) {
  rt_wasi *w = env;
  RET(put_strings(w, w->env, w->envc, A32(0), A32(1)));
}

static WASI_FN(environ_sizes_get) {
  rt_wasi *w = env;
  RET(put_sizes(w, w->env, w->envc, A32(0), A32(1)));
}

/* ---- clocks, random, scheduling, process ---- */

/* clock_res_get(id, *resolution): EINVAL for an unknown clockid. */
static WASI_FN(clock_res_get) {
  uint64_t ns;
  int e = os_clock_res(A32(0) < 4 ? (int)A32(0) : -1, &ns);
  if (!e && !wasi_store64(env, A32(1), ns)) e = WASI_EFAULT;
  RET(e);
}

/* clock_time_get(id, precision, *time): the precision is a hint (witx:
 * "maximum lag"); the host clock is always at least as precise. */
static WASI_FN(clock_time_get) {
  uint64_t ns;
  int e = os_clock_time(A32(0) < 4 ? (int)A32(0) : -1, &ns);
  if (!e && !wasi_store64(env, A32(2), ns)) e = WASI_EFAULT;
  RET(e);
}

static WASI_FN(random_get) {
  uint8_t *p = wasi_mem(env, A32(0), A32(1));
  RET(p ? os_random(p, A32(1)) : WASI_EFAULT);
}

static WASI_FN(sched_yield) {
  os_yield();
  RET(WASI_ESUCCESS);
}

/* proc_exit(rval): witx says it does not return; the exit code travels in
 * the trap record to the embedder (rt_exit). */
static WASI_FN(proc_exit) {
  rt_wasi_flush(env);
  rt_exit(ex, (int)A32(0));
}

/* proc_raise(sig): raising a host signal from a sandbox would let the guest
 * kill ferry in ways the embedder does not control, and the function was
 * removed from later WASI; wasmtime answers ENOSYS as well. */
static WASI_FN(proc_raise) { RET(WASI_ENOSYS); }

/* ---- the import table ---- */

/* Signatures as strings of value-type letters: i = i32, l = i64. */
static const struct {
  const char *name, *params, *results;
  rt_host_fn fn;
} functions[] = {
    {"args_get", "ii", "i", wasi_args_get},
    {"args_sizes_get", "ii", "i", wasi_args_sizes_get},
    {"environ_get", "ii", "i", wasi_environ_get},
    {"environ_sizes_get", "ii", "i", wasi_environ_sizes_get},
    {"clock_res_get", "ii", "i", wasi_clock_res_get},
    {"clock_time_get", "ili", "i", wasi_clock_time_get},
    {"fd_advise", "illi", "i", wasi_fd_advise},
    {"fd_allocate", "ill", "i", wasi_fd_allocate},
    {"fd_close", "i", "i", wasi_fd_close},
    {"fd_datasync", "i", "i", wasi_fd_datasync},
    {"fd_fdstat_get", "ii", "i", wasi_fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii", "i", wasi_fd_fdstat_set_flags},
    {"fd_fdstat_set_rights", "ill", "i", wasi_fd_fdstat_set_rights},
    {"fd_filestat_get", "ii", "i", wasi_fd_filestat_get},
    {"fd_filestat_set_size", "il", "i", wasi_fd_filestat_set_size},
    {"fd_filestat_set_times", "illi", "i", wasi_fd_filestat_set_times},
    {"fd_pread", "iiili", "i", wasi_fd_pread},
    {"fd_prestat_get", "ii", "i", wasi_fd_prestat_get},
    {"fd_prestat_dir_name", "iii", "i", wasi_fd_prestat_dir_name},
    {"fd_pwrite", "iiili", "i", wasi_fd_pwrite},
    {"fd_read", "iiii", "i", wasi_fd_read},
    {"fd_readdir", "iiili", "i", wasi_fd_readdir},
    {"fd_renumber", "ii", "i", wasi_fd_renumber},
    {"fd_seek", "ilii", "i", wasi_fd_seek},
    {"fd_sync", "i", "i", wasi_fd_sync},
    {"fd_tell", "ii", "i", wasi_fd_tell},
    {"fd_write", "iiii", "i", wasi_fd_write},
    {"path_create_directory", "iii", "i", wasi_path_create_directory},
    {"path_filestat_get", "iiiii", "i", wasi_path_filestat_get},
    {"path_filestat_set_times", "iiiilli", "i", wasi_path_filestat_set_times},
    {"path_link", "iiiiiii", "i", wasi_path_link},
    {"path_open", "iiiiillii", "i", wasi_path_open},
    {"path_readlink", "iiiiii", "i", wasi_path_readlink},
    {"path_remove_directory", "iii", "i", wasi_path_remove_directory},
    {"path_rename", "iiiiii", "i", wasi_path_rename},
    {"path_symlink", "iiiii", "i", wasi_path_symlink},
    {"path_unlink_file", "iii", "i", wasi_path_unlink_file},
    {"poll_oneoff", "iiii", "i", wasi_poll_oneoff},
    {"proc_exit", "i", "", wasi_proc_exit},
    {"proc_raise", "i", "i", wasi_proc_raise},
    {"random_get", "ii", "i", wasi_random_get},
    {"sched_yield", "", "i", wasi_sched_yield},
    {"sock_accept", "iii", "i", wasi_sock_accept},
    {"sock_recv", "iiiiii", "i", wasi_sock_recv},
    {"sock_send", "iiiii", "i", wasi_sock_send},
    {"sock_shutdown", "ii", "i", wasi_sock_shutdown},
};

bool rt_wasi_lookup(rt_wasi *w, rt_store *s, const char *name, uint32_t len,
                    rt_extern *out) {
  for (size_t i = 0; i < sizeof functions / sizeof *functions; i++) {
    if (strlen(functions[i].name) != len || memcmp(functions[i].name, name, len))
      continue;
    uint8_t types[16];
    uint32_t np = (uint32_t)strlen(functions[i].params);
    uint32_t nr = (uint32_t)strlen(functions[i].results);
    for (uint32_t k = 0; k < np + nr; k++) {
      char c = k < np ? functions[i].params[k] : functions[i].results[k - np];
      types[k] = c == 'l' ? VM_I64 : VM_I32;
    }
    vm_functype type = {np, nr, types};
    rt_func *f = rt_host_func_new(s, &type, functions[i].fn, w);
    if (!f) return false;
    out->kind = VM_EXT_FUNC;
    out->u.func = f;
    return true;
  }
  return false;
}
