# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The kernel matrix (issue 11): Debian's kernels booted under QEMU, the
# kernel-facing tests, the examples and the CLI run inside each. See
# matrix/run.sh and docs/kernel-matrix.md.
#
#   make check-kernels                     every kernel of matrix/kernels.list
#   make check-kernels KERNELS="6.1 6.17"  only these series
#   make check-kernels KERNELS=6.17 TESTS=test_read FILTER='read/*'
#                                          one binary, one Criterion filter
#
# MATRIX_CACHE (default /var/cache/libbpf-stream/kernels) keeps the apt lists,
# the .deb files and the unpacked kernels between runs. MATRIX_JOBS guests
# run at a time (default 2, one per core; each runs single-threaded TCG).
# `make check` runs the matrix after the host tests (MATRIX_CHECK=0 leaves
# it out): matrix/run.sh speaks the runner's TAP protocol, so every test of
# every kernel is counted in the closing "tests: ..." line.

MATRIX_CHECK ?= 1
MATRIX_PROBE := $(OUT)/matrix/probe
# Test binaries that never touch the kernel run on the host only.
MATRIX_HOST_ONLY := test_abi test_framer test_print
MATRIX_TEST_BINS = $(filter-out $(addprefix $(OUT)/tests/,$(MATRIX_HOST_ONLY)),$(TEST_BINS))
KERNELS ?=
TESTS ?=
FILTER ?=

export MATRIX_OUT := $(OUT)

.PHONY: check-kernels matrix-build

$(MATRIX_PROBE): matrix/probe.c tests/common/kernel_probe.c tests/common/kernel_probe.h \
		libbpf-stream/stream_fd_contract.h $(LIB_A) \
		$(BPF_OBJS)
	$(call msg,BINARY,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/common -DTEST_BPF_DIR='"$(OUT)/tests/progs"' -o $@ \
		matrix/probe.c tests/common/kernel_probe.c $(LIB_A) $(ALL_LDFLAGS) $(LIB_DEP_LIBS)

matrix-build: all $(MATRIX_PROBE)

check-kernels: matrix-build
	$(Q)MATRIX_TESTS="$(if $(TESTS),$(addprefix $(OUT)/tests/,$(TESTS)),$(MATRIX_TEST_BINS))" \
		MATRIX_KERNELS="$(KERNELS)" MATRIX_FILTER="$(FILTER)" matrix/run.sh

ifeq ($(MATRIX_CHECK),1)
test-run: matrix-build
CHECK_EXTRA_BINS += matrix/run.sh
export MATRIX_TESTS_DEFAULT = $(MATRIX_TEST_BINS)
endif
