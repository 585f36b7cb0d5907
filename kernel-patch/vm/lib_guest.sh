#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the QEMU guest of `make vm-lib` (chrooted in the host's root): the
# libbpf-stream binaries of the top-level build LIB_OUT on this kernel.
#   lib_guest.sh LIB_OUT MODE
# test_wait (pollable streams or their fallback) and test_reader with
# timing bounds scaled for TCG, then bench section 6 (waiting). test_reader's
# two example tests are left out: the examples attach to tracepoints, which
# the tinyconfig kernel does not have (they exit with -EINVAL).
# Not set -e: every test runs; rc collects the failures.
set -u
out=$1
export BPF_STREAM_TEST_SCALE=10
cd /tmp || exit 1
echo "kernel: Linux $(uname -r), $(nproc) CPU, clocksource" \
	"$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource) (QEMU TCG)"
rc=0
for t in "test_wait" "test_reader --filter=reader/!(example_*)"; do
	echo "-- $t"
	# shellcheck disable=SC2086
	"$out/tests/"$t -j1 --verbose > /tmp/t.log 2>&1 || rc=1
	grep -v '^\[RUN \]' /tmp/t.log
done
echo "-- bench -s 6 -r 5"
"$out/bench/bench" -s 6 -r 5 -o /tmp/results.json 2>&1 || rc=1
exit $rc
