/* The prelude of every generated C file, as text: made at build time from
 * aot/prelude_head.h, vm/numeric.h, aot/abi.h and aot/prelude.h (Makefile
 * rule for aot_prelude.inc), so numeric semantics and the host ABI have one
 * source each. */
#include "aot/emit.h"

const char aot_prelude_text[] =
#include "aot_prelude.inc"
    ;
