# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# make bench: the benchmarks (bench/README.md explains every figure).
# Not part of `make check`: it needs root, a real kernel and a quiet machine,
# and takes a few minutes. BENCH_ARGS passes options to the bench binary
# (e.g. BENCH_ARGS="-r 9" for nine runs, "-s 13" for sections 1 and 3 only).

BENCH_SRCS := $(sort $(filter-out %.bpf.c,$(wildcard bench/*.c)))
BENCH_BIN := $(OUT)/bench/bench
BENCH_SKELS := $(patsubst %.bpf.c,$(OUT)/%.skel.h,$(wildcard bench/*.bpf.c))
BENCH_KP_OUT := $(OUT)/kernel-patch
BENCH_ARGS ?=

.PHONY: bench-build
bench-build: $(BENCH_BIN)

# The bench also times library internals (the framer, the drain engine):
# it links the static library and includes stream_internal.h.
# Section 7 runs the CLI (bpf-stream follow all) and measures its CPU time.
$(BENCH_BIN): $(BENCH_SRCS) $(wildcard bench/*.h) $(LIB_A) $(BENCH_SKELS) $(CLI)
	$(call msg,BINARY,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Ibench -I$(OUT)/bench -DBENCH_CLI='"$(abspath $(CLI))"' -o $@ $(BENCH_SRCS) \
		$(LIB_A) $(ALL_LDFLAGS) $(LIB_DEP_LIBS) -lm

bench: $(BENCH_BIN)
	$(Q)uptime
	$(Q)rm -f $(BENCH_KP_OUT)/kernel-bench.json
	$(Q)if [ -f kernel-patch/Makefile ] && $(MAKE) -n -C kernel-patch bench O=$(BENCH_KP_OUT) >/dev/null 2>&1; then \
		echo "kernel-patch bench: make -C kernel-patch bench O=$(BENCH_KP_OUT)"; \
		$(MAKE) --no-print-directory -C kernel-patch bench O=$(BENCH_KP_OUT) \
			> $(OUT)/bench/kernel-patch-bench.log 2>&1 || \
			{ echo "kernel-patch bench: failed, see $(OUT)/bench/kernel-patch-bench.log"; \
			  tail -n 5 $(OUT)/bench/kernel-patch-bench.log; }; \
	else echo "kernel-patch bench: not available"; fi
	$(Q)$(BENCH_BIN) -o $(OUT)/bench/results.json -k $(BENCH_KP_OUT)/kernel-bench.json $(BENCH_ARGS)
