#!/usr/bin/env bash
# Run every Criterion test binary, then print one closing line that counts
# them all (with the kernel-patch harness, whose result make left in
# $OUT/kernel-patch.log): "tests: N passed, N failed, N skipped".
# A binary that crashes or leaves no TAP report counts as one failure.
#
# The kernel matrix (matrix/run.sh, mk/matrix.mk) is passed like a binary:
# its TAP report has one line per test of every kernel it booted.
#
# Binaries may come from several build folders (e.g. $OUT/asan/tests/ for the
# sanitizer builds of mk/hardening.mk): a binary outside $OUT/tests/ is named
# by its folder below $OUT, "asan/test_x", so every line stays distinct.
# Sanitizer reports (ASan, LSan, UBSan, TSan) are written to a log folder per
# binary; a binary that leaves any report counts as one more failure, even if
# every test passed (LeakSanitizer runs after the test has reported success).
#
# Counting: scripts/tap.sh (shared with the kernel matrix).
# Not set -e: a failing test binary is a result to count, not an error.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/tap.sh
. "$here/../scripts/tap.sh"
out=$1; shift
tap_dir=$out/tap
mkdir -p "$tap_dir"
passed=0 failed=0 skipped=0
failed_names=()

for bin in "$@"; do
	name=$(basename "$bin")
	to=${TEST_TIMEOUT:-900}
	case "$bin" in
	"$out"/tests/*) ;;
	"$out"/*/tests/*) tag=${bin#"$out"/}; name=${tag%%/*}/$name ;;
	# the kernel matrix (mk/matrix.mk): one TAP line per test of each kernel
	matrix/run.sh|*/matrix/run.sh) name=kernel-matrix; to=${MATRIX_TIMEOUT:-3600} ;;
	esac
	tap=$tap_dir/${name//\//_}.tap
	san=$tap_dir/${name//\//_}.san
	rm -rf "$tap" "$san"
	mkdir -p "$san"
	echo "==== $name"
	{ ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$san/asan" \
	  UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:log_path=$san/ubsan" \
	  TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}log_path=$san/tsan" \
	  timeout "$to" "$bin" -j1 --tap="$tap" 2>&1; echo $? > "$tap.rc"; } |
		grep -v '^\[----\] *$'
	rc=$(cat "$tap.rc")
	if [ -n "$(ls -A "$san")" ]; then
		echo "$name: sanitizer report(s): counted as 1 failure"
		for f in "$san"/*; do echo "---- $f"; head -n 60 "$f"; done
		failed=$((failed + 1)); failed_names+=("$name")
		if [ ! -s "$tap" ]; then continue; fi
	else
		rmdir "$san"
	fi
	if [ ! -s "$tap" ]; then
		echo "$name: no TAP report (exit $rc): counted as 1 failure"
		failed=$((failed + 1)); failed_names+=("$name")
		continue
	fi
	tap_count "$tap" "$rc"
	passed=$((passed + tap_passed)); skipped=$((skipped + tap_skipped))
	failed=$((failed + tap_failed))
	if [ "$tap_exit_fail" = 1 ]; then
		echo "$name: exit $rc with no failed test: counted as 1 failure"
	fi
	if [ "$tap_failed" -gt 0 ]; then
		failed_names+=("$name")
	fi
	while IFS= read -r line; do
		tap_class "$line"
		if [ "$tap_cls" = skip ]; then
			echo "  skipped: ${line#ok - }"
		fi
	done < "$tap"
done

# kernel-patch harness: its own closing line "N passed, N failed[, N skipped]"
if [ -f "$out/kernel-patch.log" ]; then
	kp_rc=$(cat "$out/kernel-patch.rc" 2>/dev/null || echo 1)
	line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$out/kernel-patch.log" | tail -n 1)
	if [ -n "$line" ]; then
		kp=$(echo "$line" | sed -E 's/^[A-Za-z-]+: //')
		kpp=$(echo "$kp" | sed -E 's/^([0-9]+) passed.*/\1/')
		kpf=$(echo "$kp" | sed -E 's/.* ([0-9]+) failed.*/\1/')
		kps=$(echo "$kp" | grep -oE '[0-9]+ skipped' | grep -oE '[0-9]+' || echo 0)
		passed=$((passed + kpp)); failed=$((failed + kpf)); skipped=$((skipped + kps))
		echo "==== kernel-patch: $kp (exit $kp_rc)"
		if [ "$kp_rc" != 0 ] && [ "$kpf" -eq 0 ]; then
			failed=$((failed + 1)); failed_names+=(kernel-patch)
		elif [ "$kpf" -gt 0 ]; then
			failed_names+=(kernel-patch)
		fi
	else
		echo "==== kernel-patch: no summary line (exit $kp_rc): counted as 1 failure; see $out/kernel-patch.log"
		failed=$((failed + 1)); failed_names+=(kernel-patch)
	fi
fi

[ ${#failed_names[@]} -gt 0 ] && echo "failing: ${failed_names[*]}"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
