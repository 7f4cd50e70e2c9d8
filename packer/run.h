/* Running a module as a WASI program: what `ferry run` does and what a
 * packed executable's stub does after reading its payload, in one place so
 * both behave alike (exit codes, trap reports, grants). */
#ifndef FERRY_PACKER_RUN_H
#define FERRY_PACKER_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/rt.h"

/* How function bodies run (the trailer's mode field, DESIGN.md 9). */
typedef enum {
  PK_MODE_INTERP = 0, /* the interpreter */
  PK_MODE_TCC = 1,    /* compiled in memory with libtcc (tiered when packed) */
  PK_MODE_NATIVE = 2  /* compiled to machine code at pack time */
} pk_mode;

/* Exit status for a trap, as a shell reports a process killed by SIGABRT;
 * the same convention wasmtime uses. */
enum { PK_EXIT_TRAP = 134 };

/* --mode native: points the instance's functions at the machine code the
 * executable was compiled with (`native`, an aot_desc of the generated C).
 * Supplied by the native executable's own main (packer/stub/native_main.c),
 * so that nothing else links the AOT engine for it. */
typedef bool (*pk_attach_fn)(rt_instance *inst, const void *native,
                             char *err, size_t err_size);

/* A read-only directory tree shown to the guest (--bundle): the bundle's
 * serialized bytes (payload.h), mounted at `guest`. */
typedef struct {
  const uint8_t *data;
  size_t size;
  const char *guest;
} pk_bundle_mount;

typedef struct {
  const char *who;  /* prefix of messages: "ferry run", or the executable */
  const char *path; /* the module's name in messages */
  /* The module: `bytes` (binary or text, borrowed), or `owned`, a binary
   * that pk_run takes over and frees (the stub's inflated payload, decoded
   * without another copy). */
  const uint8_t *bytes;
  size_t size;
  uint8_t *owned;
  /* `owned` was validated when it was packed (PK_FLAG_VALIDATED) and is
   * known to be unchanged since: decode only. */
  bool prevalidated;
  /* The guest's argv (argv[0] is the program name) and "NAME=VALUE"
   * environment; copied by WASI. */
  int argc;
  char *const *argv;
  int envc;
  char *const *env;
  /* Grants: "HOST[::GUEST]" directories, then "HOST:PORT" listeners, made
   * descriptors 3... in this order, then the bundle's mount. */
  int ndirs;
  const char *const *dirs;
  int nlisten;
  const char *const *listen;
  const pk_bundle_mount *bundle; /* NULL: none */
  pk_mode mode;
  /* PK_MODE_TCC: start interpreted and compile once the program has run a
   * while (RT_ENGINE_TIERED) rather than before it starts. */
  bool tiered;
  const void *native;    /* PK_MODE_NATIVE: the compiled code, for attach */
  pk_attach_fn attach;
  const char *invoke; /* an export to call with argv[1..] instead of _start */
  long dump_ir_func;  /* >= 0: print this function's IR instead of running */
  uint64_t fuel;      /* rt_store_set_fuel budget; 0 = unlimited */
} pk_run_config;

/* Loads, links WASI, instantiates and runs. Returns the exit status: the
 * program's (proc_exit, 0 when _start returns), PK_EXIT_TRAP after a trap
 * (reported on stderr with a backtrace), 1 when the module cannot be
 * loaded, linked or granted what it asks for. */
int pk_run(const pk_run_config *cfg);

#endif
