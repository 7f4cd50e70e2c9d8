# ferry — build, test and set-up. `make deps` then `make test` is the whole
# set-up on Debian 12. Variables: CC, SANITIZE=1 (ASan+UBSan build under
# build/san), BOUNDS=check (bounds-checked memories, build/bounds), PREFIX
# (install), SPEC_DIR (the spec suite), FUZZ_SECONDS.

CC        ?= cc
PREFIX    ?= /usr/local
SPEC_DIR  ?= ../shared/wasm-testsuite
BENCH_DIR ?= ../shared/bench
FUZZ_SECONDS ?= 60

CFLAGS_BASE := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror \
               -Wno-unused-parameter -I. -g
# BOUNDS=check: the bounds-checked build (memories allocated exactly, every
# access checked) that hosts without guard pages use; DESIGN.md decision 4.
ifeq ($(BOUNDS),check)
  CFLAGS_BASE += -DFERRY_BOUNDS_CHECK
  ifeq ($(SANITIZE),1)
    BUILD ?= build/bounds-san
  else
    BUILD ?= build/bounds
  endif
endif
ifeq ($(SANITIZE),1)
  BUILD  ?= build/san
  OPT    ?= -O1 -fno-omit-frame-pointer
  SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
else
  BUILD  ?= build
  OPT    ?= -O2
  SANFLAGS :=
endif
CFLAGS  ?= $(OPT)
# The Windows and riscv64 builds of the whole ferry (packer/stubs.mk), for
# win-spec and rv-spec.
WIN_FERRY := $(BUILD)/win64/ferry.exe
RV_FERRY := $(BUILD)/rv64/ferry
ALL_CFLAGS = $(CFLAGS_BASE) -I$(BUILD)/gen $(CFLAGS) $(SANFLAGS) -MMD -MP
LDFLAGS += $(SANFLAGS)
LDLIBS  += -lm
# libtcc (the AOT engine's in-memory compiler), linked statically from
# Debian's libtcc-dev so no tcc files are needed at run time; it uses dlopen.
TCC_LIBS := -l:libtcc.a -ldl
LDLIBS  += $(TCC_LIBS)

LIB_SRCS := $(wildcard vm/*.c runtime/*.c aot/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_SRCS := $(wildcard packer/*.c)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
LIB      := $(BUILD)/libferry.a
FERRY    := $(BUILD)/ferry

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_TESTS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps test unit cli regress spec crosscheck fuzz bench install clean \
        wasi programs samples wine-wasi win-spec win-cli rv-spec pack stubs
all: $(FERRY)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The prelude embedded in every AOT-generated C file, made from its sources
# (aot/prelude_head.h, vm/numeric.h, aot/abi.h, aot/prelude.h) as one C
# string literal, so numerics and the host ABI have one copy each.
AOT_PRELUDE := $(BUILD)/gen/aot_prelude.inc
AOT_PRELUDE_SRCS := aot/prelude_head.h vm/numeric.h aot/abi.h aot/prelude.h
%/gen/aot_prelude.inc: $(AOT_PRELUDE_SRCS)
	@mkdir -p $(dir $@)
	sed -e '/^#include/d' -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
	    -e 's/^/"/' -e 's/$$/\\n"/' $(AOT_PRELUDE_SRCS) > $@
$(BUILD)/obj/aot/prelude_text.o: $(AOT_PRELUDE)

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FERRY): $(CLI_OBJS) $(LIB)
	$(CC) $(LDFLAGS) $(CLI_OBJS) $(LIB) $(LDLIBS) -o $@

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $< $(LIB) $(LDFLAGS) -lcmocka $(LDLIBS) -o $@

# Debian packages the project needs; apt-get is idempotent.
DEB_PACKAGES := build-essential clang-14 lld-14 libclang-rt-14-dev \
                libclang-rt-14-dev-wasm32 wasi-libc libcmocka-dev zlib1g-dev \
                libtcc-dev wabt python3 \
                gcc-mingw-w64-x86-64 gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
                gcc-riscv64-linux-gnu libc6-dev-riscv64-cross \
                qemu-user musl-tools wine64 wine osslsigncode dpkg-dev \
                rustc libstd-rust-dev-wasm32 libc++-14-dev-wasm32 libc++abi-14-dev-wasm32
deps:
	@if command -v apt-get >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(DEB_PACKAGES); \
	else echo "make deps: needs apt-get (Debian 12); install: $(DEB_PACKAGES)"; exit 1; fi

unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do $$t; done

spec: $(FERRY)
	@if [ -d "$(SPEC_DIR)" ]; then \
	  $(FERRY) wast --engine both $(SPEC_DIR)/*.wast && \
	  { $(FERRY) wast --engine interp,tier $(SPEC_DIR)/*.wast >$(BUILD)/spec-tier.log 2>&1 || \
	    { cat $(BUILD)/spec-tier.log; exit 1; }; } && \
	  tail -1 $(BUILD)/spec-tier.log | sed 's/^/spec, tiered (every loop entered by OSR): /'; \
	else echo "spec: $(SPEC_DIR) not found, spec suite skipped"; fi

crosscheck: $(FERRY)
	@python3 tests/spec/crosscheck.py $(FERRY) $(SPEC_DIR) $(BUILD)/crosscheck

# One script per fixed bug (DESIGN.md: every fixed bug gets a regression test).
regress: $(FERRY)
	@{ $(FERRY) wast --engine both tests/regress/*.wast && \
	   $(FERRY) wast --engine interp,tier tests/regress/*.wast; } >$(BUILD)/regress.log 2>&1 || \
	  { cat $(BUILD)/regress.log; exit 1; }
	@tail -1 $(BUILD)/regress.log | sed 's/^/regress: /'

cli: $(FERRY)
	@sh tests/cli/run.sh $(FERRY)

test: unit cli regress crosscheck spec wasi programs pack wine-wasi win-spec win-cli rv-spec

# The spec suite and the regression scripts on the Windows build of ferry
# under wine, both engines in lockstep (after wine-wasi: one wine prefix).
win-spec: wine-wasi $(WIN_FERRY)
	@if ! command -v wine >/dev/null || [ ! -d "$(SPEC_DIR)" ]; then \
	  echo "win-spec: wine or $(SPEC_DIR) missing, skipped"; exit 0; fi; \
	for e in both interp,tier; do \
	  WINEDEBUG=-all WINEPREFIX=$(CURDIR)/build/wineprefix wine $(WIN_FERRY) wast --engine $$e \
	    $(SPEC_DIR)/*.wast tests/regress/*.wast >$(BUILD)/win-spec.log 2>&1 || \
	    { grep -v ' 0 failed' $(BUILD)/win-spec.log | head -40; exit 1; }; \
	  tail -1 $(BUILD)/win-spec.log | sed "s/^/win-spec (windows-x64 under wine, $$e): /"; \
	done

# The command-line tests on the Windows build of ferry under wine.
win-cli: wine-wasi $(WIN_FERRY)
	@if ! command -v wine >/dev/null; then echo "win-cli: wine missing, skipped"; exit 0; fi; \
	CLI_LABEL="win-cli (windows-x64 under wine)" sh tests/cli/run.sh $(WIN_FERRY) \
	  env WINEDEBUG=-all WINEPREFIX=$(CURDIR)/build/wineprefix wine

# The spec suite and the regression scripts on the riscv64 build of ferry
# (interpreter; no tcc there) under qemu-riscv64, a process per script.
rv-spec: $(RV_FERRY)
	@if ! command -v qemu-riscv64 >/dev/null || [ ! -d "$(SPEC_DIR)" ]; then \
	  echo "rv-spec: qemu-riscv64 or $(SPEC_DIR) missing, skipped"; exit 0; fi; \
	sh tests/spec/per_file.sh "rv-spec (linux-riscv64 under qemu, interp)" $(BUILD)/rv-spec.log \
	  qemu-riscv64 $(RV_FERRY) -- $(SPEC_DIR)/*.wast tests/regress/*.wast

# The WASI test programs under the Windows runtime (wine) against Linux.
wine-wasi: $(FERRY) stubs wasi pack  # after them: shared build/wasi and wine prefix
	@sh tests/pack/wine_wasi.sh $(FERRY) build/stubs/stub-windows-x64.exe

# Packed executables (tests/pack/run.sh): every target and mode the machine
# can run: natively, under qemu-aarch64 and qemu-riscv64, and under wine.
pack: $(FERRY) stubs
	@sh tests/pack/run.sh $(FERRY) build/stubs

# WASI programs (tests/wasi/*.c, clang-14 --target=wasm32-wasi) under ferry run.
wasi: $(FERRY)
	@sh tests/wasi/run.sh $(FERRY)

# Real programs: zlib's example and minigzip (Debian's source, as the stubs
# use it) built for wasm32-wasi and natively with gcc, and our Rust and C++
# programs (tests/programs/lang) built by Debian's rustc and clang++ with
# libc++: every engine and packed mode must match the native build.
programs: $(FERRY) stubs
	@FERRY_STUBS=$(STUBS) sh tests/programs/run.sh $(FERRY) $(ZLIB_SRC)
	@FERRY_STUBS=$(STUBS) sh tests/programs/langs.sh $(FERRY)

# Rebuilds the sample programs' committed .wasm from their C sources.
SAMPLES := $(patsubst %.c,%.wasm,$(wildcard samples/*.c))
samples: $(SAMPLES)
samples/%.wasm: samples/%.c
	clang-14 --target=wasm32-wasi -O2 -Wall -Werror -Wl,--strip-debug $< -o $@

FUZZERS := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
build/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) build/gen/aot_prelude.inc
	@mkdir -p $(dir $@)
	clang-14 $(CFLAGS_BASE) -Ibuild/gen -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $< $(LIB_SRCS) -lm $(TCC_LIBS) -o $@
fuzz: $(FUZZERS) $(FERRY)
	@set -e; for f in $(FUZZERS); do \
	  sh tests/fuzz/run.sh $$f $(SPEC_DIR) $(FUZZ_SECONDS); done

# Builds ../shared/bench (wasm with clang, native with gcc -O2) and prints
# the interpreter/native table; BENCH_RUNS runs each, median.
BENCH_RUNS ?= 5
bench: $(FERRY)
	@if [ ! -d "$(BENCH_DIR)" ]; then echo "bench: $(BENCH_DIR) not found"; exit 1; fi
	@CC=gcc bash $(BENCH_DIR)/build.sh $(BUILD)/bench >/dev/null
	@sh tests/bench/run.sh $(FERRY) $(BENCH_DIR) $(BUILD)/bench $(BENCH_RUNS)

install: $(FERRY)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(FERRY) $(DESTDIR)$(PREFIX)/bin/ferry

clean:
	rm -rf build

include packer/stubs.mk

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d)
