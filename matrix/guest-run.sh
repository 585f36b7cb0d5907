#!/usr/bin/env bash
# Runs inside a matrix guest, chrooted into the host's root (read-only):
#   matrix/guest-run.sh RESULTS
# RESULTS/config (written by matrix/boot.sh) names the build folder, the test
# binaries, an optional Criterion filter and the timeouts. Leaves in RESULTS:
#   probe           key=value lines of $OUT/matrix/probe (transport, reason, ...)
#   tap/NAME.tap    one TAP report per test binary (+ NAME.rc, log/NAME.log)
#   tap/examples.tap  the three examples: exit status and the lines they print
#   time-NAME       seconds each part took
#   kreport/        raw kernel reports test_kreport read (kreport_KIND_RELEASE.in)
# Before each part it writes "matrix-guest: start NAME" to the kernel log,
# so matrix/table.sh can name the part a kernel splat came in.
# Not set -e: a failing test or example is a result written to RESULTS;
# every part must run and the guest must reach its poweroff.
set -u
res=$1
# shellcheck disable=SC1091
. "$res/config"
unset TERM
# timing limits of the tests stretched for emulation (tests/common/time_scale.h)
export BPF_STREAM_TEST_SCALE=${MATRIX_TEST_SCALE:-10}
# the kernel's own error reports, as test_kreport reads them (tests/golden/)
export BPF_STREAM_KREPORT_SAVE=$res/kreport
mkdir -p "$BPF_STREAM_KREPORT_SAVE"
out=$MATRIX_OUT
mkdir -p "$res/tap" "$res/log"
cd /tmp || exit 1
t0=$(date +%s)

echo "matrix-guest: start probe" > /dev/kmsg 2>/dev/null
"$out/matrix/probe" > "$res/probe" 2> "$res/log/probe.log"
echo "probe-rc=$?" >> "$res/probe"

for bin in $MATRIX_TESTS; do
	name=$(basename "$bin")
	filter=()
	# The header test's clang variants compile on the host (clang under TCG
	# takes minutes); every other test of that binary loads into this kernel.
	[ "$name" = test_header ] && filter=(--filter='!(header/variants_compile_with_each_clang)')
	[ -n "${MATRIX_FILTER:-}" ] && filter=(--filter="$MATRIX_FILTER")
	s=$(date +%s)
	echo "matrix-guest: $name"
	echo "matrix-guest: start $name" > /dev/kmsg 2>/dev/null
	timeout "${MATRIX_TEST_TIMEOUT:-900}" "$bin" -j1 "${filter[@]}" --tap="$res/tap/$name.tap" \
		> "$res/log/$name.log" 2>&1
	echo $? > "$res/tap/$name.rc"
	echo "$(( $(date +%s) - s ))" > "$res/time-$name"
done

# The examples: each must exit 0 and print its program's lines.
if [ "${MATRIX_EXAMPLES:-1}" = 1 ]; then
	s=$(date +%s)
	echo "matrix-guest: start examples" > /dev/kmsg 2>/dev/null
	tap=$res/tap/examples.tap
	: > "$tap"
	n=0
	check() { # name rc log pattern
		n=$((n + 1))
		if [ "$2" -eq 0 ] && grep -q -- "$4" "$3"; then
			echo "ok $n - examples::$1" >> "$tap"
		else
			echo "not ok $n - examples::$1 (exit $2; no line matching '$4'; see log/example-$1.log)" >> "$tap"
		fi
	}
	ex=$out/examples
	timeout 60 "$ex/hello/hello" > "$res/log/example-hello.log" 2>&1
	check hello $? "$res/log/example-hello.log" '^\[.*:stdout\] '
	timeout 60 "$ex/skeleton/skeleton" -n 2 > "$res/log/example-skeleton.log" 2>&1
	check skeleton $? "$res/log/example-skeleton.log" '^\[.*:stdout\] '
	"$ex/follow/follow" > "$res/log/example-follow.log" 2>&1 &
	pid=$!
	sleep 5
	kill -INT $pid
	wait $pid
	check follow $? "$res/log/example-follow.log" '^\[follow_switch:stdout\] '
	echo "1..$n" >> "$tap"
	echo "$(( $(date +%s) - s ))" > "$res/time-examples"
fi
echo "matrix-guest: start end" > /dev/kmsg 2>/dev/null
echo "$(( $(date +%s) - t0 ))" > "$res/time-total"
sync
