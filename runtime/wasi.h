/* WASI preview 1 (`wasi_snapshot_preview1`) host functions: the complete
 * set, sandboxed (DESIGN.md decision 8). The guest sees descriptors of
 * ferry's own table: 0-2 the host's standard streams, then the preopened
 * directories and sockets in the order they were added. Paths resolve from
 * a directory descriptor one component at a time, and nothing outside the
 * preopened trees can be named. Platform calls go through runtime/os_fs.h.
 *
 * Files: wasi.c (context, table, args, environ, clocks, random, proc),
 * wasi_fd.c (fd_*), wasi_path.c (path resolution, path_*), wasi_poll.c
 * (poll_oneoff, sock_*). */
#ifndef FERRY_RUNTIME_WASI_H
#define FERRY_RUNTIME_WASI_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt.h"

typedef struct rt_wasi rt_wasi;

/* argv[0] is the program name as the guest sees it; env entries are
 * "NAME=VALUE" strings. Both are copied. Descriptors 0-2 are the host's
 * stdin, stdout and stderr. */
rt_wasi *rt_wasi_new(int argc, char *const *argv, int envc,
                     char *const *env);
void rt_wasi_free(rt_wasi *w);

/* Grants the guest the host directory `host_path` under the name
 * `guest_path` (what fd_prestat_dir_name reports, e.g. "." or "/data").
 * Returns 0, or a WASI errno (e.g. 44 ENOENT, 54 ENOTDIR) on failure. */
int rt_wasi_preopen_dir(rt_wasi *w, const char *host_path,
                        const char *guest_path);

/* Grants the guest a read-only directory tree held in memory (a packed
 * executable's --bundle) under `guest_path`. `data` is the bundle's
 * serialized form (packer/payload.h: pk_bundle format) and must stay alive
 * and unchanged until rt_wasi_free. Returns 0, or a WASI errno (28 EINVAL
 * when the data is malformed). */
int rt_wasi_preopen_bundle(rt_wasi *w, const void *data, size_t size,
                           const char *guest_path);

/* Grants the guest a TCP socket listening on "HOST:PORT" (for sock_accept).
 * Returns 0 or a WASI errno. */
int rt_wasi_preopen_socket(rt_wasi *w, const char *addr);

/* Finds a wasi_snapshot_preview1 function; false when not provided. */
bool rt_wasi_lookup(rt_wasi *w, rt_store *s, const char *name, uint32_t len,
                    rt_extern *out);

/* Gives WASI the instance's exported "memory" (call after instantiation and
 * before running). False when the instance exports no memory. */
bool rt_wasi_bind(rt_wasi *w, const rt_instance *inst);

/* Flushes the host's stdio buffers. The guest's writes go straight to the
 * host descriptors (unbuffered, so stdout and stderr keep their order);
 * this flushes what the embedder itself printed with stdio. */
void rt_wasi_flush(rt_wasi *w);

#endif
