# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Hardening: sanitizer builds, valgrind, fuzzing, soak (issue 8).
# Included by the top-level Makefile; see docs/hardening.md.
#
#   make check-asan       userspace tests built with ASan+UBSan into $(O)/asan,
#                         plus the fuzz corpora replayed under ASan+UBSan
#   make check-tsan       tests that start threads, built with TSan into $(O)/tsan
#                         (Criterion cannot run under TSan: tests/tsan/ stands in)
#   make check-valgrind   examples and CLI under valgrind memcheck
#   make check-soak       the long soak (several million messages)
#   make fuzz             every libFuzzer target for FUZZ_SECONDS (default 10) each
#   make fuzz-build       build the libFuzzer targets only ($(O)/fuzz/)
#
# `make check` (test-run) builds the ASan and TSan variants first and hands
# their binaries to tests/run-tests.sh with the plain ones, so the closing
# "tests: N passed, N failed, N skipped" line counts all of them. Set
# HARDEN_CHECK=0 to leave them out of test-run (quick local runs).

HARDEN_CHECK ?= 1
SAN_CC ?= $(CC)
FUZZ_CC ?= clang-19
FUZZ_SECONDS ?= 10
FUZZ_JOBS ?= 1

ASAN_OUT := $(OUT)/asan
TSAN_OUT := $(OUT)/tsan
FUZZ_OUT := $(OUT)/fuzz

ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
SAN_CFLAGS := -g -O1
# GCC's flow warnings are known to misfire on instrumented code (its manual
# says so for -fsanitize=); the plain build keeps them as errors.
SAN_WARN := $(if $(filter clang%,$(notdir $(SAN_CC))),,-Wno-maybe-uninitialized)

# The CLI and the examples are built into both folders too: tests that run
# them (BUILD_DIR/bpf-stream, BUILD_DIR/examples/...) then run sanitized ones.
# Every userspace test under ASan+UBSan, except the ABI/install test (it
# inspects and installs the plain build) and the soak (run by check-soak).
ASAN_TEST_SRCS := $(filter-out tests/test_abi.c tests/test_soak.c,$(TEST_SRCS))
ASAN_TEST_BINS := $(patsubst tests/%.c,$(ASAN_OUT)/tests/%,$(ASAN_TEST_SRCS))
# Under TSan: the tests that start threads (reader, transport, soak; the
# soak scales itself down when built with TSan).
TSAN_TEST_SRCS := $(shell grep -l -E 'pthread_create|thrd_create' $(TEST_SRCS) /dev/null 2>/dev/null)
TSAN_TEST_BINS := $(patsubst tests/%.c,$(TSAN_OUT)/tests/%,$(TSAN_TEST_SRCS))

# libFuzzer targets: fuzz/fuzz_NAME.c; extra sources per target.
FUZZ_SRCS := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_NAMES := $(patsubst fuzz/%.c,%,$(FUZZ_SRCS))
FUZZ_BINS := $(addprefix $(FUZZ_OUT)/,$(FUZZ_NAMES))
FUZZ_EXTRA_fuzz_json := cli/json_writer.c
# The same targets linked with fuzz/replay.c (a main that replays the corpus
# and reports TAP): built inside the ASan build, run by make check.
REPLAY_BINS := $(addprefix $(ASAN_OUT)/fuzz-replay/,$(FUZZ_NAMES))

# Valgrind memcheck of the examples and the CLI (scripts/check-valgrind.sh
# speaks the runner's TAP protocol); HARDEN_VALGRIND=0 leaves it out.
HARDEN_VALGRIND ?= 1
export HARDEN_OUT := $(OUT)
CHECK_EXTRA_BINS := $(if $(filter 1,$(HARDEN_CHECK)),$(ASAN_TEST_BINS) $(REPLAY_BINS) \
	$(TSAN_TEST_BINS) $(if $(filter 1,$(HARDEN_VALGRIND)),scripts/check-valgrind.sh))

.PHONY: check-extra check-extra-build check-asan check-tsan check-valgrind check-soak \
	asan-build tsan-build fuzz fuzz-build check-fuzz-corpus

# test-run (make check) builds the sanitizer variants before it runs the tests.
ifeq ($(HARDEN_CHECK),1)
test-run: check-extra-build
endif
check-extra-build: asan-build tsan-build
check-extra: check-asan check-tsan

# Sub-makes of this Makefile with another output folder and flags. MAKEFLAGS
# is kept (jobserver); the variables below are passed on the command line.
SAN_SUBMAKE = $(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) CC=$(SAN_CC) \
	CFLAGS="$(SAN_CFLAGS)" HARDEN_CHECK=0

asan-build:
	+$(Q)$(SAN_SUBMAKE) O=$(ASAN_OUT) EXTRA_CFLAGS="$(ASAN_FLAGS) $(SAN_WARN)" \
		EXTRA_LDFLAGS="$(ASAN_FLAGS)" $(ASAN_TEST_BINS) $(REPLAY_BINS) cli examples $(ASAN_OUT)/bpf-stream \
		$(patsubst $(OUT)/%,$(ASAN_OUT)/%,$(HDR_VARIANT_OBJS) $(HDR_LOAD_OBJS))

$(TSAN_OUT)/cr_shim.o: tests/tsan/cr_shim.c tests/tsan/criterion/criterion.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(SAN_CC) $(SAN_CFLAGS) $(WARNINGS) $(TSAN_FLAGS) -Itests/tsan -c $< -o $@

tsan-build: $(if $(TSAN_TEST_BINS),$(TSAN_OUT)/cr_shim.o)
	+$(Q)$(if $(TSAN_TEST_BINS),$(SAN_SUBMAKE) O=$(TSAN_OUT) \
		EXTRA_CFLAGS="$(TSAN_FLAGS) $(SAN_WARN) -I$(CURDIR)/tests/tsan" EXTRA_LDFLAGS="$(TSAN_FLAGS)" \
		TEST_LIBS="$(TSAN_OUT)/cr_shim.o -lm" $(TSAN_TEST_BINS) cli examples,true)

check-asan: asan-build
	$(Q)tests/run-tests.sh $(ASAN_OUT) $(ASAN_TEST_BINS) $(REPLAY_BINS)

check-tsan: tsan-build
	$(Q)tests/run-tests.sh $(TSAN_OUT) $(TSAN_TEST_BINS)

# Replays of the fuzz corpora (inside the ASan sub-make, OUT is $(O)/asan).
$(OUT)/fuzz-replay/%: fuzz/%.c fuzz/replay.c $(wildcard fuzz/*.h) $(LIB_A) $(wildcard cli/*.h)
	$(call msg,BINARY,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Icli -Ifuzz -DFUZZ_CORPUS_DIR='"$(CURDIR)/fuzz/corpus/$*"' \
		-DFUZZ_TARGET_NAME='"$*"' -o $@ $< fuzz/replay.c $(FUZZ_EXTRA_$*) $(LIB_A) \
		$(ALL_LDFLAGS) $(LIB_DEP_LIBS)

check-fuzz-corpus: asan-build
	$(Q)tests/run-tests.sh $(ASAN_OUT) $(REPLAY_BINS)

# ---- libFuzzer ---------------------------------------------------------------
$(FUZZ_OUT)/libbpf-stream.a: FORCE_HARDEN
	+$(Q)$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) HARDEN_CHECK=0 \
		O=$(FUZZ_OUT) CC=$(FUZZ_CC) CFLAGS="-g -O1" \
		EXTRA_CFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" $@

$(FUZZ_OUT)/fuzz_%: fuzz/fuzz_%.c $(wildcard fuzz/*.h) $(FUZZ_OUT)/libbpf-stream.a $(wildcard cli/*.h)
	$(call msg,FUZZ,$@)
	$(Q)$(FUZZ_CC) -g -O1 $(WARNINGS) -std=gnu11 -D_GNU_SOURCE $(LIBBPF_CFLAGS) \
		-Ilibbpf-stream -Ibpf_headers -Icli -Ifuzz -fsanitize=fuzzer $(FUZZ_SAN) \
		-o $@ $< $(FUZZ_EXTRA_fuzz_$*) $(FUZZ_OUT)/libbpf-stream.a $(LIB_DEP_LIBS)

fuzz-build: $(FUZZ_BINS)

# Each target runs FUZZ_SECONDS on a scratch copy of its seed corpus (new
# inputs land in $(O)/fuzz/corpus/NAME, the seeds in git stay small). A
# crash leaves $(O)/fuzz/NAME-crash-* and fails the target; copy it into
# fuzz/corpus/NAME/ so make check replays it from then on.
fuzz: fuzz-build
	$(Q)scripts/fuzz-run.sh $(FUZZ_OUT) $(FUZZ_SECONDS) $(FUZZ_NAMES)

# ---- valgrind, soak ---------------------------------------------------------
check-valgrind: all
	$(Q)tests/run-tests.sh $(OUT)/valgrind scripts/check-valgrind.sh

check-soak: $(OUT)/tests/test_soak
	$(Q)BPF_STREAM_SOAK=long tests/run-tests.sh $(OUT)/soak $(OUT)/tests/test_soak

.PHONY: FORCE_HARDEN
FORCE_HARDEN:
