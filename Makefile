# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# libbpf-stream: one Makefile for the library, the BPF-side header, the CLI,
# the examples, the tests, the benchmarks and the kernel-patch harness.
#
#   make            build everything into $(O) (default: build/)
#   make demo       install missing Debian packages, build, run examples/hello
#   make check      install missing Debian packages, build, run every test
#                   (host tests, kernel-patch, then the kernel matrix under QEMU)
#   make check-kernels  the kernel matrix alone (KERNELS="6.1 7.2" TESTS= FILTER=)
#   make lint       ShellCheck and checkpatch.pl --strict (mk/lint.mk; in check)
#   make bench      benchmarks (not part of check)
#   make deb        Debian packages (debian/) into $(O)/deb
#   make deb-check  deb, then lintian, then debian/tests/hello against them
#   make install    PREFIX, DESTDIR, LIBDIR, INCLUDEDIR, BINDIR, MANDIR, UNITDIR honoured
#   V=1             show the commands
#
# Sources are found by wildcard, one folder per part:
#   libbpf-stream/*.c          -> libbpf-stream.so.1, libbpf-stream.a
#   bpf_headers/*.h            -> installed BPF-side headers
#   cli/*.c                    -> bpf-stream
#   examples/NAME/NAME{.c,.bpf.c} -> $(O)/examples/NAME/NAME
#   tests/test_*.c             -> one Criterion binary each ($(O)/tests/)
#   tests/common/*.c           -> linked into every test binary
#   **/*.bpf.c                 -> $(O)/<same path>.bpf.o and .skel.h

O ?= build
OUT := $(abspath $(O))

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
UNITDIR ?= $(PREFIX)/lib/systemd/system

VERSION_MAJOR := 1
VERSION := 1.1.0

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
PKG_CONFIG ?= pkg-config
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(patsubst $(OUT)/%,%,$(2))";
endif

CFLAGS ?= -g -O2
WARNINGS := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
LIBBPF_CFLAGS := $(shell $(PKG_CONFIG) --cflags libbpf 2>/dev/null)
LIBBPF_LIBS := $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
ALL_CFLAGS := $(CFLAGS) $(WARNINGS) -std=gnu11 -D_GNU_SOURCE $(LIBBPF_CFLAGS) \
	-Ilibbpf-stream -Ibpf_headers $(EXTRA_CFLAGS)
ALL_LDFLAGS := $(LDFLAGS) $(EXTRA_LDFLAGS)

# ---- library -------------------------------------------------------------
LIB_SRCS := $(sort $(wildcard libbpf-stream/*.c))
LIB_HDRS := $(wildcard libbpf-stream/*.h) $(wildcard bpf_headers/*.h)
LIB_SHARED_OBJS := $(patsubst libbpf-stream/%.c,$(OUT)/lib/shared/%.o,$(LIB_SRCS))
LIB_STATIC_OBJS := $(patsubst libbpf-stream/%.c,$(OUT)/lib/static/%.o,$(LIB_SRCS))
LIB_SO := $(OUT)/libbpf-stream.so.$(VERSION)
LIB_SONAME := libbpf-stream.so.$(VERSION_MAJOR)
LIB_A := $(OUT)/libbpf-stream.a
LIB_MAP := libbpf-stream/libbpf_stream.map
PC_FILE := $(OUT)/libbpf-stream.pc
# Objects linked against the static library get its dependencies explicitly.
LIB_DEP_LIBS := $(LIBBPF_LIBS) -lpthread
# Journal output (libbpf-stream/journal.c) where libsystemd is found
# (Debian: libsystemd-dev); LIBSYSTEMD=0 builds without it, and the journal
# functions then fail with -EOPNOTSUPP.
LIBSYSTEMD ?= $(if $(shell $(PKG_CONFIG) --exists libsystemd 2>/dev/null && echo y),1,0)
ifeq ($(LIBSYSTEMD),1)
ALL_CFLAGS += -DBPF_STREAM_HAVE_LIBSYSTEMD $(shell $(PKG_CONFIG) --cflags libsystemd 2>/dev/null)
LIB_DEP_LIBS += $(shell $(PKG_CONFIG) --libs libsystemd 2>/dev/null || echo -lsystemd)
PC_REQUIRES_PRIVATE := libsystemd
endif

# ---- BPF objects and skeletons ------------------------------------------
VMLINUX_H := $(OUT)/vmlinux.h
BPF_SRCS := $(shell find examples tests bench cli -name '*.bpf.c' 2>/dev/null | sort)
BPF_OBJS := $(patsubst %.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(patsubst %.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))
BPF_LOCAL_HDRS := $(shell find examples tests bench cli -name '*.h' 2>/dev/null)
# Objects linked from several .bpf.c files (bpftool gen object), as users
# build them: NAME.bpf.o from the files listed in NAME_LINK.
BPF_LINKED := tests/progs/linked tests/progs/ctl_linked
tests/progs/linked_LINK := tests/progs/link_a tests/progs/link_b
tests/progs/ctl_linked_LINK := tests/progs/ctl_link_a tests/progs/ctl_link_b
BPF_SKELS += $(patsubst %,$(OUT)/%.skel.h,$(BPF_LINKED))
BPF_ARCH_INC := -I/usr/include/$(shell $(CC) -dumpmachine 2>/dev/null)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
	-I$(OUT) -Ibpf_headers $(BPF_ARCH_INC) $(EXTRA_BPF_CFLAGS)

# ---- programs -------------------------------------------------------------
CLI_SRCS := $(sort $(wildcard cli/*.c))
CLI := $(OUT)/bpf-stream
EXAMPLES := $(notdir $(patsubst %/,%,$(wildcard examples/*/)))
EXAMPLE_BINS := $(foreach e,$(EXAMPLES),$(OUT)/examples/$(e)/$(e))
TEST_SRCS := $(sort $(wildcard tests/test_*.c))
TEST_COMMON := $(sort $(wildcard tests/common/*.c))
TEST_BINS := $(patsubst tests/%.c,$(OUT)/tests/%,$(TEST_SRCS))
TEST_CFLAGS := $(shell $(PKG_CONFIG) --cflags criterion 2>/dev/null) -Itests/common \
	-I$(OUT)/tests/progs -DTEST_BPF_DIR='"$(OUT)/tests/progs"' -DBUILD_DIR='"$(OUT)"' \
	-DSRC_DIR='"$(CURDIR)"'
# header variants loaded by test_header (rule in the tests section)
HDR_VARIANT_OBJS := $(patsubst tests/header-variants/%.c,$(OUT)/tests/header-variants/%.clang.o,\
	$(wildcard tests/header-variants/ok_*.c))
# load_sites.c (test_header loads them all) built with each installed clang
# (one per major version: MAJOR:COMMAND) at each of these message limits,
# and rf_prop.bpf.c (test_ringfmt) with each of them
HDR_LOAD_MAXES ?= 64 100 200 1023 2000 4096
HDR_LOAD_CCS := $(shell for c in $(CLANG) clang-14 clang-19 clang-21; do \
	command -v $$c >/dev/null 2>&1 && echo "$$($$c -dumpversion | cut -d. -f1):$$c"; \
	done | sort -t: -k1,1n -u)
hdr_load_major = $(word 1,$(subst :, ,$(1)))
hdr_load_cc = $(word 2,$(subst :, ,$(1)))
HDR_LOAD_OBJS := $(foreach p,$(HDR_LOAD_CCS),$(foreach m,$(HDR_LOAD_MAXES),\
	$(OUT)/tests/header-variants/load_sites.clang$(call hdr_load_major,$(p)).$(m).o)) \
	$(foreach p,$(HDR_LOAD_CCS),$(OUT)/tests/progs/rf_prop.clang$(call hdr_load_major,$(p)).o)
TEST_LIBS := $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null || echo -lcriterion)

.PHONY: all lib bpf cli examples tests demo check test-run deps install uninstall \
	clean bench kernel-patch-check help
.DEFAULT_GOAL := all

UNIT := $(OUT)/bpf-stream-journal.service

all: lib bpf cli examples tests $(PC_FILE) $(UNIT)

lib: $(LIB_SO) $(LIB_A)
bpf: $(BPF_OBJS) $(BPF_SKELS)
cli: $(if $(CLI_SRCS),$(CLI))
examples: $(EXAMPLE_BINS)
tests: $(TEST_BINS) $(HDR_VARIANT_OBJS) $(HDR_LOAD_OBJS) $(OUT)/tests/vg_forgotten_release

# The two commands of the README: each installs what a fresh Debian 12
# machine lacks, then builds in a second make so that pkg-config sees it.
demo:
	$(Q)scripts/install-deps.sh
	$(Q)$(MAKE) --no-print-directory demo-run

check:
	$(Q)DEB=$(DEB_CHECK) scripts/install-deps.sh
	$(Q)$(MAKE) --no-print-directory test-run

deps:
	$(Q)scripts/install-deps.sh

.PHONY: demo-run
demo-run: $(OUT)/examples/hello/hello
	$(Q)$(OUT)/examples/hello/hello

test-run: all
	$(Q)$(MAKE) --no-print-directory -C kernel-patch check O=$(OUT)/kernel-patch \
		> $(OUT)/kernel-patch.log 2>&1; echo $$? > $(OUT)/kernel-patch.rc; \
		tail -n 40 $(OUT)/kernel-patch.log
	$(Q)tests/run-tests.sh $(OUT) $(TEST_BINS) $(CHECK_EXTRA_BINS)

$(OUT) $(OUT)/lib/shared $(OUT)/lib/static:
	$(Q)mkdir -p $@

# ---- library rules --------------------------------------------------------
$(OUT)/lib/shared/%.o: libbpf-stream/%.c $(LIB_HDRS) | $(OUT)/lib/shared
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(OUT)/lib/static/%.o: libbpf-stream/%.c $(LIB_HDRS) | $(OUT)/lib/static
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -fvisibility=hidden -c $< -o $@

$(LIB_SO): $(LIB_SHARED_OBJS) $(LIB_MAP)
	$(call msg,LD,$@)
	$(Q)$(CC) -shared $(ALL_LDFLAGS) -Wl,--version-script=$(LIB_MAP) \
		-Wl,-soname,$(LIB_SONAME) -o $@ $(LIB_SHARED_OBJS) $(LIB_DEP_LIBS)
	$(Q)ln -sf $(notdir $@) $(OUT)/$(LIB_SONAME)
	$(Q)ln -sf $(LIB_SONAME) $(OUT)/libbpf-stream.so

$(LIB_A): $(LIB_STATIC_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# Regenerated on every run (kept if unchanged): `make && make install
# PREFIX=/usr` must not install the paths of the first run's PREFIX.
# libdir/includedir keep ${prefix} when under PREFIX, so that
# `pkg-config --define-prefix` can relocate an installed tree.
PC_LIBDIR = $(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))
PC_INCLUDEDIR = $(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))
$(PC_FILE): stream.pc.in Makefile FORCE | $(OUT)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(PC_LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(PC_INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		-e 's|@REQUIRES_PRIVATE@|$(PC_REQUIRES_PRIVATE)|' $< > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else \
		printf '  %-8s %s\n' GEN "$(patsubst $(OUT)/%,%,$@)"; mv $@.tmp $@; fi

.PHONY: FORCE
FORCE:

# The system service (systemd/): ExecStart names the installed CLI.
$(UNIT): systemd/bpf-stream-journal.service.in Makefile FORCE | $(OUT)
	$(Q)sed -e 's|@BINDIR@|$(BINDIR)|' $< > $@.tmp
	$(Q)if cmp -s $@.tmp $@; then rm -f $@.tmp; else \
		printf '  %-8s %s\n' GEN "$(patsubst $(OUT)/%,%,$@)"; mv $@.tmp $@; fi

# ---- BPF rules ------------------------------------------------------------
$(VMLINUX_H): | $(OUT)
	$(call msg,GEN,$@)
	$(Q)if [ ! -r $(VMLINUX_BTF) ]; then \
		echo "error: $(VMLINUX_BTF) is missing: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF=y)." >&2; \
		echo "       Set VMLINUX_BTF=/path/to/vmlinux (a kernel image with BTF), see README." >&2; \
		exit 1; fi
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(OUT)/%.bpf.o: %.bpf.c $(VMLINUX_H) $(wildcard bpf_headers/*.h) $(BPF_LOCAL_HDRS)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -I$(dir $<) -c $< -o $@

define bpf_link_rule
$(OUT)/$(1).bpf.o: $(patsubst %,$(OUT)/%.bpf.o,$($(1)_LINK))
	$$(call msg,LINK,$$@)
	$(Q)$$(BPFTOOL) gen object $$@ $$^
endef
$(foreach l,$(BPF_LINKED),$(eval $(call bpf_link_rule,$(l))))

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$(notdir $*)) > $@.tmp && mv $@.tmp $@

# ---- CLI ------------------------------------------------------------------
$(CLI): $(CLI_SRCS) $(wildcard cli/*.h) $(LIB_A) $(BPF_SKELS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Icli -I$(OUT)/cli -o $@ $(CLI_SRCS) $(LIB_A) $(ALL_LDFLAGS) $(LIB_DEP_LIBS)

# ---- examples -------------------------------------------------------------
define example_rule
$(OUT)/examples/$(1)/$(1): examples/$(1)/$(1).c $(wildcard examples/$(1)/*.h) $(LIB_A) \
		$(patsubst %.bpf.c,$(OUT)/%.skel.h,$(wildcard examples/$(1)/*.bpf.c))
	$$(call msg,BINARY,$$@)
	$(Q)mkdir -p $$(dir $$@)
	$(Q)$$(CC) $$(ALL_CFLAGS) -Iexamples/$(1) -I$(OUT)/examples/$(1) -o $$@ $$< $(LIB_A) \
		$$(ALL_LDFLAGS) $$(LIB_DEP_LIBS)
endef
$(foreach e,$(EXAMPLES),$(eval $(call example_rule,$(e))))

# ---- tests ----------------------------------------------------------------
$(OUT)/tests/%: tests/%.c $(TEST_COMMON) $(wildcard tests/common/*.h) $(LIB_A) $(BPF_SKELS)
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -o $@ $< $(TEST_COMMON) $(LIB_A) \
		$(ALL_LDFLAGS) $(TEST_LIBS) $(LIB_DEP_LIBS)

# Objects of the header variants that test_header loads into the kernel,
# built here on the host: a test run inside a matrix guest sees this tree
# read-only and would take minutes to run clang under emulation.
$(OUT)/tests/header-variants/%.clang.o: tests/header-variants/%.c tests/header-variants/body.h \
		$(VMLINUX_H) $(wildcard bpf_headers/*.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Wextra -Itests/header-variants -c $< -o $@

define hdr_load_rule
$(OUT)/tests/header-variants/load_sites.clang$(1).%.o: tests/header-variants/load_sites.c \
		tests/header-variants/load_sites.h $(VMLINUX_H) $(wildcard bpf_headers/*.h)
	$$(call msg,BPF,$$@)
	$(Q)mkdir -p $$(dir $$@)
	$(Q)$(2) $$(BPF_CFLAGS) -Wextra -DBPF_STREAM_MSG_MAX=$$* -Itests/header-variants -c $$< -o $$@
# test_ringfmt's property test, with each clang
$(OUT)/tests/progs/rf_prop.clang$(1).o: tests/progs/rf_prop.bpf.c tests/progs/rf_cases.h \
		$(VMLINUX_H) $(wildcard bpf_headers/*.h)
	$$(call msg,BPF,$$@)
	$(Q)mkdir -p $$(dir $$@)
	$(Q)$(2) $$(BPF_CFLAGS) -Itests/progs -c $$< -o $$@
endef
$(foreach p,$(HDR_LOAD_CCS),$(eval $(call hdr_load_rule,$(call hdr_load_major,$(p)),$(call hdr_load_cc,$(p)))))

# ---- install --------------------------------------------------------------
install: lib $(PC_FILE) cli $(UNIT)
	$(Q)install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man3
	$(Q)install -m 644 bpf_headers/bpf_stream.h bpf_headers/bpf_stream_record.h \
		bpf_headers/bpf_stream_ctl.h \
		libbpf-stream/libbpf_stream.h $(DESTDIR)$(INCLUDEDIR)/
	$(Q)install -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	$(Q)ln -sf $(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	$(Q)ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libbpf-stream.so
	$(Q)install -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	$(Q)install -m 644 $(PC_FILE) $(DESTDIR)$(PKGCONFIGDIR)/
	$(Q)if [ -x $(CLI) ]; then install -m 755 $(CLI) $(DESTDIR)$(BINDIR)/; fi
	$(Q)install -d $(DESTDIR)$(UNITDIR) && install -m 644 $(UNIT) $(DESTDIR)$(UNITDIR)/
	$(Q)for m in $(wildcard docs/*.8); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man8/; done
	$(Q)for m in $(wildcard docs/*.3); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man3/; done
	$(Q)for c in $(wildcard cli/bash-completion/*); do \
		install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions && \
		install -m 644 $$c $(DESTDIR)$(PREFIX)/share/bash-completion/completions/; done

uninstall:
	$(Q)rm -f $(DESTDIR)$(INCLUDEDIR)/bpf_stream.h $(DESTDIR)$(INCLUDEDIR)/bpf_stream_record.h \
		$(DESTDIR)$(INCLUDEDIR)/bpf_stream_ctl.h \
		$(DESTDIR)$(INCLUDEDIR)/libbpf_stream.h \
		$(DESTDIR)$(LIBDIR)/libbpf-stream.so* $(DESTDIR)$(LIBDIR)/libbpf-stream.a \
		$(DESTDIR)$(PKGCONFIGDIR)/libbpf-stream.pc $(DESTDIR)$(BINDIR)/bpf-stream \
		$(DESTDIR)$(UNITDIR)/bpf-stream-journal.service \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(wildcard docs/*.8))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(wildcard docs/*.3))) \
		$(addprefix $(DESTDIR)$(PREFIX)/share/bash-completion/completions/,$(notdir $(wildcard cli/bash-completion/*)))

clean:
	$(Q)rm -rf $(OUT)
	$(Q)$(MAKE) --no-print-directory -C kernel-patch clean >/dev/null 2>&1 || true

# dpkg-buildpackage writes beside the source tree: the results are moved
# into $(OUT)/deb.
DEB_VERSION = $(shell dpkg-parsechangelog -S Version 2>/dev/null)
.PHONY: deb
deb:
	$(Q)DEB=1 MATRIX_CHECK=0 scripts/install-deps.sh
	$(Q)mkdir -p $(OUT)/deb
	$(Q)dpkg-buildpackage -us -uc -b
	$(Q)for f in ../libbpf-stream1_$(DEB_VERSION)_*.deb ../libbpf-stream-dev_$(DEB_VERSION)_*.deb \
		../bpf-stream_$(DEB_VERSION)_*.deb ../libbpf-stream1-dbgsym_$(DEB_VERSION)_*.deb \
		../bpf-stream-dbgsym_$(DEB_VERSION)_*.deb ../libbpf-stream_$(DEB_VERSION)_*.buildinfo \
		../libbpf-stream_$(DEB_VERSION)_*.changes; do \
		[ -e "$$f" ] && mv "$$f" $(OUT)/deb/ || true; done
	$(Q)ls $(OUT)/deb

# The packages unpacked into a scratch root (not installed on this machine),
# lintian with warnings as failures, and the autopkgtest's build of
# examples/hello against the unpacked headers, .pc and library.
.PHONY: deb-check
deb-check: deb
	$(Q)lintian --fail-on error,warning $(OUT)/deb/libbpf-stream_$(DEB_VERSION)_*.changes
	$(Q)rm -rf $(OUT)/deb/root && mkdir -p $(OUT)/deb/root
	$(Q)for p in libbpf-stream1 libbpf-stream-dev bpf-stream; do \
		dpkg -x $(OUT)/deb/$${p}_$(DEB_VERSION)_*.deb $(OUT)/deb/root || exit 1; done
	$(Q)r=$(OUT)/deb/root; ma=$$(dpkg-architecture -qDEB_HOST_MULTIARCH); \
		PKG_CONFIG_SYSROOT_DIR=$$r PKG_CONFIG_PATH=$$r/usr/lib/$$ma/pkgconfig \
		EXTRA_BPF_CFLAGS=-I$$r/usr/include LD_LIBRARY_PATH=$$r/usr/lib/$$ma \
		AUTOPKGTEST_TMP=$$(mktemp -d) debian/tests/hello

help:
	@sed -n '3,26p' Makefile

# Part-specific targets (bench, sanitizers, fuzzing) live beside their part.
-include $(wildcard mk/*.mk)
