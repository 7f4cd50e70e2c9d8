# Runtime stubs for `ferry pack` (README.md, "Shipping an executable"), included by the
# Makefile. A stub is the ferry program itself (runtime, interpreter, WASI,
# the run/validate/inspect commands) built statically for one target; `ferry
# pack` appends a payload to it. Per target, under build/stubs/:
#
#   stub-TARGET[.exe]       interpreter only (--mode interp)
#   stub-TARGET-tcc[.exe]   plus the AOT engine and libtcc (--mode tcc)
#   native-TARGET/          runtime library and compiler command that
#                           `ferry pack --mode native` links generated C with
#
# zlib, libtcc and (for arm64 and riscv64) musl come from Debian's source
# packages (`apt-get source`, with the Debian patches applied by dpkg-source),
# fetched once through a private APT configuration under build/apt (the
# system's sources are not touched), unpacked under build/src and compiled
# per target under build/stubs/TARGET. Nothing third-party is committed.

# Payload compression for `ferry pack` and the stub (packer/payload.c).
LDLIBS += -lz

STUBS     := build/stubs
APT_DIR   := build/apt
SRC_DIR   := build/src
ZLIB_SRC  := $(SRC_DIR)/zlib
TCC_SRC   := $(SRC_DIR)/tcc
DEBIAN_MIRROR ?= http://deb.debian.org/debian

# ---- Debian sources through a private apt configuration ----

$(APT_DIR)/apt.conf:
	@mkdir -p $(APT_DIR)/lists/partial $(APT_DIR)/archives/partial $(APT_DIR)/parts $(APT_DIR)/prefs
	echo 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(DEBIAN_MIRROR) bookworm main' > $(APT_DIR)/sources.list
	{ echo 'Dir::Etc::SourceList "$(abspath $(APT_DIR))/sources.list";'; \
	  echo 'Dir::Etc::SourceParts "$(abspath $(APT_DIR))/parts";'; \
	  echo 'Dir::Etc::PreferencesParts "$(abspath $(APT_DIR))/prefs";'; \
	  echo 'Dir::State::Lists "$(abspath $(APT_DIR))/lists";'; \
	  echo 'Dir::Cache "$(abspath $(APT_DIR))";'; \
	  echo 'Dir::Cache::archives "$(abspath $(APT_DIR))/archives";'; \
	  echo 'Debug::NoLocking "true";'; \
	  echo 'APT::Sandbox::User "'"$$(id -un)"'";'; } > $@

$(APT_DIR)/updated: $(APT_DIR)/apt.conf
	APT_CONFIG=$(abspath $<) apt-get -qq update
	@touch $@

# `apt-get source` unpacks into PACKAGE-VERSION/ and applies the patches;
# the rename gives the rules a version-independent path.
$(SRC_DIR)/%/.unpacked: $(APT_DIR)/updated
	@rm -rf $(SRC_DIR)/$*.tmp $(SRC_DIR)/$* && mkdir -p $(SRC_DIR)/$*.tmp
	cd $(SRC_DIR)/$*.tmp && APT_CONFIG=$(abspath $(APT_DIR))/apt.conf apt-get -qq source $* >/dev/null
	mv $$(find $(SRC_DIR)/$*.tmp -mindepth 1 -maxdepth 1 -type d) $(SRC_DIR)/$*
	rm -rf $(SRC_DIR)/$*.tmp
	@touch $@

# ---- musl for the cross-compiled Linux targets ----
# Debian ships musl-gcc for the host only. For linux-ARCH, musl itself is
# built from Debian's source package with the cross compiler MUSL_CROSS_ARCH
# (about a minute per architecture, once); its musl-gcc wrapper then drives
# that cross gcc against it, so all Linux stubs are static musl executables
# (static glibc would be 600 KiB larger and would still load NSS modules at
# run time).
MUSL_CROSS_arm64   := aarch64-linux-gnu
MUSL_CROSS_riscv64 := riscv64-linux-gnu
$(STUBS)/musl-%/bin/musl-gcc: $(SRC_DIR)/musl/.unpacked
	@rm -rf $(STUBS)/musl-$*-build && mkdir -p $(STUBS)/musl-$*-build
	cd $(STUBS)/musl-$*-build && $(abspath $(SRC_DIR))/musl/configure -q \
	  --target=$(MUSL_CROSS_$*) CROSS_COMPILE=$(MUSL_CROSS_$*)- \
	  --prefix=$(abspath $(STUBS))/musl-$* --disable-shared \
	  --enable-wrapper=gcc >/dev/null
	@# musl's own build warnings are not ours to fix: kept in a log,
	@# shown when the build fails.
	$(MAKE) -s -C $(STUBS)/musl-$*-build install >$(STUBS)/musl-$*.log 2>&1 || \
	  { tail -30 $(STUBS)/musl-$*.log; exit 1; }
	@rm -rf $(STUBS)/musl-$*-build

# ---- per-target build ----

STUB_TARGETS := linux-x64 linux-arm64 linux-riscv64 windows-x64

STUB_CC_linux-x64     := musl-gcc
STUB_CC_linux-arm64   := $(STUBS)/musl-arm64/bin/musl-gcc
STUB_CC_linux-riscv64 := $(STUBS)/musl-riscv64/bin/musl-gcc
STUB_CC_windows-x64   := x86_64-w64-mingw32-gcc
STUB_AR_linux-x64     := ar
STUB_AR_linux-arm64   := aarch64-linux-gnu-ar
STUB_AR_linux-riscv64 := riscv64-linux-gnu-ar
STUB_AR_windows-x64   := x86_64-w64-mingw32-ar
STUB_EXE_windows-x64 := .exe
# Tools a target's compiler needs built first (order-only prerequisites).
STUB_CC_DEP_linux-arm64   := $(STUBS)/musl-arm64/bin/musl-gcc
STUB_CC_DEP_linux-riscv64 := $(STUBS)/musl-riscv64/bin/musl-gcc
STUB_LIBS_linux-x64     := -lm
STUB_LIBS_linux-arm64   := -lm
STUB_LIBS_linux-riscv64 := -lm
STUB_LIBS_windows-x64   := -lws2_32 -lbcrypt -lntdll
# mingw's default printf is msvcrt's, which lacks C99 formats (%zu);
# its own stdio implements them.
STUB_DEFS_windows-x64 := -D__USE_MINGW_ANSI_STDIO=1
# The Linux stubs replace musl's malloc (packer/stub/alloc.c says why).
STUB_EXTRA_linux-x64     := packer/stub/alloc.c
STUB_EXTRA_linux-arm64   := packer/stub/alloc.c
STUB_EXTRA_linux-riscv64 := packer/stub/alloc.c
# An allocator must not be compiled with the compiler's knowledge of
# malloc: GCC would turn calloc's malloc + memset into a call to calloc.
$(STUBS)/linux-x64/obj/packer/stub/alloc.o \
$(STUBS)/linux-arm64/obj/packer/stub/alloc.o \
$(STUBS)/linux-riscv64/obj/packer/stub/alloc.o: STUB_CFLAGS += -fno-builtin
STUB_OS_EXCLUDE_linux-x64     := %_win32.c
STUB_OS_EXCLUDE_linux-arm64   := %_win32.c
STUB_OS_EXCLUDE_linux-riscv64 := %_win32.c
STUB_OS_EXCLUDE_windows-x64   := %_posix.c

# Size matters (README.md, "Shipping an executable"): unused functions are dropped at
# link time, symbols stripped.
STUB_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror \
               -Wno-unused-parameter -I. -I$(BUILD)/gen -O2 \
               -ffunction-sections -fdata-sections
STUB_LDFLAGS := -static -s -Wl,--gc-sections
# Windows gives the main thread 2 MiB by default, less than the AOT
# engine's stack budget (aot/rtlib.c): 8 MiB, as on Linux.
WIN_STACK := -Wl,--stack,8388608
STUB_LDFLAGS_windows-x64 := $(WIN_STACK)

# The stub's own sources: the whole runtime and interpreter, and of the CLI
# what a user of a packed program may want without a full ferry (run,
# validate, inspect); stub/slim.c answers the other commands.
STUB_PACKER_SRCS := packer/main.c packer/run.c \
                    packer/payload.c packer/cmd_run.c packer/cmd_module.c \
                    packer/stub/slim.c packer/stub/no_aot.c
# Left out: the text-format parser (payloads are binary; stub/slim.c) and the
# platform files of other hosts.
STUB_VM_EXCLUDE := vm/wat.c vm/wat_instr.c vm/wat_lex.c vm/wat_module.c \
                   vm/wast_parse.c
ZLIB_FILES := adler32 crc32 deflate infback inffast inflate inftrees trees \
              zutil compress uncompr

# libtcc for --mode tcc: TinyCC's one-source build of libtcc.c for the
# target's own architecture and object format, with no run-time files
# (CONFIG_TCC_STATIC: no dlopen; the AOT code is -nostdlib and gets every
# symbol from tcc_add_symbol, aot/tcc.c).
STUB_TCC_DEFS_linux-x64     := -DTCC_TARGET_X86_64 -DCONFIG_TCC_STATIC
STUB_TCC_DEFS_linux-arm64   := -DTCC_TARGET_ARM64 -DCONFIG_TCC_STATIC
STUB_TCC_DEFS_linux-riscv64 := -DTCC_TARGET_RISCV64 -DCONFIG_TCC_STATIC
STUB_TCC_DEFS_windows-x64   := -DTCC_TARGET_X86_64 -DTCC_TARGET_PE
# TinyCC's PE target calls __chkstk in the prologue of a frame of 4 KiB or
# more: its own helper, which probes the pages and also sets up the frame,
# from the same Debian source (win32/lib/chkstk.S), renamed so it cannot
# meet mingw's __chkstk; aot/tcc.c hands it over (AOT_TCC_CHKSTK).
STUB_TCC_EXTRA_windows-x64 := $(STUBS)/windows-x64/tcc/chkstk.o
STUB_TCC_DEFS_AOT_windows-x64 := -DAOT_TCC_CHKSTK
$(STUBS)/windows-x64/tcc/chkstk.o: $(TCC_SRC)/.unpacked
	@mkdir -p $(dir $@)
	x86_64-w64-mingw32-gcc -c $(TCC_SRC)/win32/lib/chkstk.S -o $@.tmp
	x86_64-w64-mingw32-objcopy --redefine-sym __chkstk=aot_tcc_chkstk $@.tmp $@
	@rm -f $@.tmp
# The AOT engine minus aot/native.c (the main of `ferry aot --cc` output).
STUB_AOT_SRCS := $(filter-out aot/native.c,$(wildcard aot/*.c))

# Targets whose -tcc stub is built by `make stubs`. Not linux-riscv64:
# Debian 12's TinyCC RISC-V back end miscompiles the AOT C (some 64-bit
# constants; extern array offsets past 2 KiB), so `ferry pack` offers no
# tcc mode there (packer/cmd_pack.c); `make
# build/stubs/stub-linux-riscv64-tcc` still builds the stub for trying a
# newer tcc.
STUB_TCC_TARGETS ?= linux-x64 linux-arm64 windows-x64

# --mode native: `ferry pack` compiles the module's C (aot/emit.c) with the
# target's compiler and links it against build/stubs/native-TARGET/:
# libferry.a (the stub's runtime with the AOT run-time support and
# packer/stub/native_main.c as aot_native_main) and `cc`, two lines: the
# compiler command (absolute path first) and the libraries.
STUB_NATIVE_FLAGS_linux-x64     := -static
STUB_NATIVE_FLAGS_linux-arm64   := -static
STUB_NATIVE_FLAGS_linux-riscv64 := -static
# PE files carry a link time stamp; packing must be reproducible.
STUB_NATIVE_FLAGS_windows-x64   := -static -Wl,--no-insert-timestamp $(WIN_STACK)
STUB_NATIVE_TARGETS ?= linux-x64 linux-arm64 linux-riscv64 windows-x64

stubs: $(foreach t,$(STUB_TARGETS),$(STUBS)/stub-$(t)$(STUB_EXE_$(t))) \
       $(foreach t,$(STUB_TCC_TARGETS),$(STUBS)/stub-$(t)-tcc$(STUB_EXE_$(t))) \
       $(foreach t,$(STUB_NATIVE_TARGETS),$(STUBS)/native-$(t)/libferry.a $(STUBS)/native-$(t)/cc)

define stub_rules
# $(1): target name
$(1)_SRCS := $$(filter-out $$(STUB_OS_EXCLUDE_$(1)) $$(STUB_VM_EXCLUDE),$$(wildcard vm/*.c runtime/*.c)) \
             $$(STUB_PACKER_SRCS) $$(STUB_EXTRA_$(1))
$(1)_OBJS := $$($(1)_SRCS:%.c=$$(STUBS)/$(1)/obj/%.o)
$(1)_ZLIB := $$(STUBS)/$(1)/zlib/libz.a

$$(STUBS)/$(1)/obj/%.o: %.c | $$(ZLIB_SRC)/.unpacked $$(STUB_CC_DEP_$(1))
	@mkdir -p $$(dir $$@)
	$$(STUB_CC_$(1)) $$(STUB_CFLAGS) $$(STUB_DEFS_$(1)) -I$$(ZLIB_SRC) -MMD -MP -c $$< -o $$@

$$(STUBS)/$(1)/zlib/%.o: $$(ZLIB_SRC)/.unpacked | $$(STUB_CC_DEP_$(1))
	@mkdir -p $$(dir $$@)
	$$(STUB_CC_$(1)) -O2 -ffunction-sections -fdata-sections -w -c $$(ZLIB_SRC)/$$*.c -o $$@
$$($(1)_ZLIB): $$(ZLIB_FILES:%=$$(STUBS)/$(1)/zlib/%.o)
	@rm -f $$@
	$$(STUB_AR_$(1)) rcs $$@ $$^

$$(STUBS)/stub-$(1)$$(STUB_EXE_$(1)): $$($(1)_OBJS) $$($(1)_ZLIB)
	$$(STUB_CC_$(1)) $$(STUB_LDFLAGS) $$(STUB_LDFLAGS_$(1)) $$($(1)_OBJS) $$($(1)_ZLIB) $$(STUB_LIBS_$(1)) -o $$@

# The -tcc variant: the same objects with the AOT engine and libtcc in
# place of stub/no_aot.c.
$(1)_TCC_OBJS := $$(filter-out %/no_aot.o,$$($(1)_OBJS)) \
                 $$(STUB_AOT_SRCS:%.c=$$(STUBS)/$(1)/obj/%.o) \
                 $$(STUBS)/$(1)/tcc/libtcc.o $$(STUB_TCC_EXTRA_$(1))
$$(STUBS)/$(1)/obj/aot/%.o: aot/%.c $$(AOT_PRELUDE) | $$(TCC_SRC)/.unpacked $$(STUB_CC_DEP_$(1))
	@mkdir -p $$(dir $$@)
	$$(STUB_CC_$(1)) $$(STUB_CFLAGS) $$(STUB_DEFS_$(1)) $$(STUB_TCC_DEFS_AOT_$(1)) -I$$(TCC_SRC) -MMD -MP -c $$< -o $$@
$$(STUBS)/$(1)/tcc/libtcc.o: $$(TCC_SRC)/.unpacked | $$(STUB_CC_DEP_$(1))
	@mkdir -p $$(dir $$@)
	printf '#define TCC_VERSION "%s"\n#define CONFIG_TCCDIR "/nonexistent"\n' \
	  "$$$$(cat $$(TCC_SRC)/VERSION)" > $$(dir $$@)config.h
	$$(STUB_CC_$(1)) -O2 -ffunction-sections -fdata-sections -w -DONE_SOURCE=1 \
	  $$(STUB_TCC_DEFS_$(1)) -I$$(dir $$@) -c $$(TCC_SRC)/libtcc.c -o $$@
$$(STUBS)/stub-$(1)-tcc$$(STUB_EXE_$(1)): $$($(1)_TCC_OBJS) $$($(1)_ZLIB)
	$$(STUB_CC_$(1)) $$(STUB_LDFLAGS) $$(STUB_LDFLAGS_$(1)) $$($(1)_TCC_OBJS) $$($(1)_ZLIB) $$(STUB_LIBS_$(1)) -o $$@

# The native runtime: the stub's objects without its main, plus the AOT
# engine's run-time half (no emitter, no libtcc) and zlib's objects.
$(1)_NATIVE_OBJS := $$(filter-out %/packer/main.o,$$($(1)_OBJS)) \
                    $$(STUBS)/$(1)/obj/aot/instance.o $$(STUBS)/$(1)/obj/aot/rtlib.o \
                    $$(STUBS)/$(1)/obj/packer/stub/native_main.o \
                    $$(ZLIB_FILES:%=$$(STUBS)/$(1)/zlib/%.o)
$$(STUBS)/native-$(1)/libferry.a: $$($(1)_NATIVE_OBJS)
	@mkdir -p $$(dir $$@) && rm -f $$@
	$$(STUB_AR_$(1)) rcs $$@ $$^
$$(STUBS)/native-$(1)/cc: packer/stubs.mk | $$(STUB_CC_DEP_$(1))
	@mkdir -p $$(dir $$@)
	{ echo "$$(if $$(findstring /,$$(STUB_CC_$(1))),$$(abspath $$(STUB_CC_$(1))),$$$$(command -v $$(STUB_CC_$(1)))) $$(STUB_NATIVE_FLAGS_$(1))"; \
	  echo "$$(STUB_LIBS_$(1))"; } > $$@

-include $$($(1)_OBJS:.o=.d) $$($(1)_TCC_OBJS:.o=.d) \
         $$(STUBS)/$(1)/obj/packer/stub/native_main.d
endef
$(foreach t,$(STUB_TARGETS),$(eval $(call stub_rules,$(t))))

.PHONY: stubs

# ---- the whole ferry for Windows ----
# Not shipped: `make win-spec` runs the spec suite with it under wine, so
# the Win32 OS layer, guard pages, traps and TinyCC's PE back end are held
# to the same suite as on Linux.
WIN_FERRY_SRCS := $(filter-out %_posix.c aot/native.c,$(wildcard vm/*.c runtime/*.c aot/*.c packer/*.c))
WIN_FERRY_OBJS := $(WIN_FERRY_SRCS:%.c=$(BUILD)/win64/obj/%.o)
$(BUILD)/win64/obj/%.o: %.c $(AOT_PRELUDE) | $(TCC_SRC)/.unpacked $(ZLIB_SRC)/.unpacked
	@mkdir -p $(dir $@)
	x86_64-w64-mingw32-gcc $(STUB_CFLAGS) $(STUB_DEFS_windows-x64) $(STUB_TCC_DEFS_AOT_windows-x64) \
	  -I$(ZLIB_SRC) -I$(TCC_SRC) -MMD -MP -c $< -o $@
$(WIN_FERRY): $(WIN_FERRY_OBJS) $(STUBS)/windows-x64/tcc/libtcc.o \
              $(STUB_TCC_EXTRA_windows-x64) $(STUBS)/windows-x64/zlib/libz.a
	x86_64-w64-mingw32-gcc -static $(WIN_STACK) $^ $(STUB_LIBS_windows-x64) -o $@
-include $(WIN_FERRY_OBJS:.o=.d)

# ---- the whole ferry for riscv64, without libtcc ----
# Not shipped: `make rv-spec` runs the interpreter's share of the spec suite
# with it under qemu-riscv64 (GCC splits unaligned stores on RISC-V, which
# once let a trapping store write part of its bytes).
RV_FERRY_SRCS := $(filter-out %_win32.c aot/native.c aot/tcc.c,$(wildcard vm/*.c runtime/*.c aot/*.c packer/*.c)) \
                 packer/stub/no_aot.c
RV_FERRY_OBJS := $(RV_FERRY_SRCS:%.c=$(BUILD)/rv64/obj/%.o)
$(BUILD)/rv64/obj/%.o: %.c $(AOT_PRELUDE) | $(ZLIB_SRC)/.unpacked $(STUB_CC_DEP_linux-riscv64)
	@mkdir -p $(dir $@)
	$(STUB_CC_linux-riscv64) $(STUB_CFLAGS) -I$(ZLIB_SRC) -MMD -MP -c $< -o $@
$(RV_FERRY): $(RV_FERRY_OBJS) $(STUBS)/linux-riscv64/zlib/libz.a
	$(STUB_CC_linux-riscv64) -static $^ $(STUB_LIBS_linux-riscv64) -o $@
-include $(RV_FERRY_OBJS:.o=.d)
