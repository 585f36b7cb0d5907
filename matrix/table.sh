#!/usr/bin/env bash
# The matrix's one table, and its TAP report.
#   matrix/table.sh RESULTS_ROOT TAP_FILE SERIES...
# RESULTS_ROOT/SERIES is what matrix/boot.sh left (or SERIES.skipped: one
# line, the reason the series was not run). Prints the table (rows: suites;
# columns: kernels, "passed/failed/skipped"), then per kernel the transport
# bpf_stream_prepare() picked and why, and whether a native stream write
# lands. TAP_FILE gets one line per test of every kernel, named
# "SERIES::suite::test", plus one failure per guest that did not run to its
# end, per test binary that left no report or exited non-zero with no
# failed test, and per kernel splat (below). Exit status: 0 when nothing
# failed.
#
# Kernel splats: each guest saves its kernel log (RESULTS/SERIES/dmesg,
# matrix/guest-init; console.log where a guest did not get that far). A
# WARNING:, BUG:, Oops, general protection fault, KASAN, UBSAN or KCSAN
# report, a lockdep report (possible ... locking ..., suspicious RCU usage)
# or a hung task (blocked for more than N seconds) fails that kernel's
# column, one "SERIES::kernel: splat" failure each, named after the part
# that ran when it came (guest-run.sh's "matrix-guest: start NAME" marks).
#
# Counting: scripts/tap.sh (shared with tests/run-tests.sh).
# Not set -e: failed tests and missing reports are results to count.
set -u
# shellcheck source=scripts/tap.sh
. "$(cd "$(dirname "$0")" && pwd)/../scripts/tap.sh"
root=$1 tap=$2; shift 2
series=("$@")
: > "$tap"
suites=()
declare -A cell total_p total_f total_s
failed=0

emit() { echo "$1" >> "$tap"; }

splat_re='WARNING:|BUG:|Oops|general protection fault|KASAN|UBSAN|KCSAN|'\
'possible (circular|recursive|irq lock inversion) locking|inconsistent lock state|'\
'suspicious RCU usage|lockdep|blocked for more than [0-9]+ seconds'
declare -A splats

# scan_splats SERIES LOG: one failure per splat in LOG (a kernel log)
scan_splats() {
	local s=$1 log=$2 n=0 line
	while IFS= read -r line; do
		emit "not ok - $s::kernel: splat during ${line%%$'\t'*}: ${line#*$'\t'}"
		n=$((n + 1))
	done < <(awk -v re="$splat_re" '
		/matrix-guest: start / { part = $NF; next }
		$0 ~ re { sub(/^\[[ 0-9.]+\] /, ""); print (part == "" ? "boot" : part) "\t" substr($0, 1, 160) }' "$log")
	splats[$s]=$n
	total_f[$s]=$((total_f[$s] + n))
	[ $n -gt 0 ] && failed=1
}

for s in "${series[@]}"; do
	r=$root/$s
	total_p[$s]=0 total_f[$s]=0 total_s[$s]=0
	if [ -e "$root/$s.skipped" ]; then
		emit "ok - $s::kernel # SKIP $(cat "$root/$s.skipped")"
		total_s[$s]=1
		continue
	fi
	# a column run on the host (run.sh: make check in the sid root), no guest
	if [ ! -e "$r/guest-rc" ] && [ ! -e "$r/on-host" ]; then
		if [ -e "$r/booted" ]; then why="booted, but did not finish"; else why="did not boot"; fi
		emit "not ok - $s::guest: $why (qemu exit $(cat "$r/qemu-rc" 2>/dev/null || echo ?)," \
			"$(cat "$r/time-wall" 2>/dev/null || echo ?) s; see $r/console.log)"
		total_f[$s]=1; failed=1
	fi
	if [ -e "$r/on-host" ]; then
		:	# make check on the host's kernel: no guest log
	elif [ -e "$r/dmesg" ]; then
		scan_splats "$s" "$r/dmesg"
	elif [ -e "$r/guest-rc" ]; then
		emit "not ok - $s::kernel: the guest saved no kernel log (dmesg)"
		total_f[$s]=$((total_f[$s] + 1)); failed=1
	elif [ -e "$r/console.log" ]; then
		scan_splats "$s" "$r/console.log"
	fi
	for t in "$r"/tap/*.tap; do
		[ -e "$t" ] || continue
		suite=$(basename "$t" .tap); suite=${suite#test_}
		[[ " ${suites[*]} " == *" $suite "* ]] || suites+=("$suite")
		while IFS= read -r line; do
			# a test a Criterion --filter left out is class none
			tap_class "$line"
			[ "$tap_cls" = none ] && continue
			name=$(echo "$line" | sed -E 's/^(not )?ok ([0-9]+ )?- //')
			if [ "$tap_cls" = fail ]; then emit "not ok - $s::$name"; else emit "ok - $s::$name"; fi
		done < "$t"
		rc=$(cat "${t%.tap}.rc" 2>/dev/null || echo 0)
		tap_count "$t" "$rc"
		p=$tap_passed f=$tap_failed k=$tap_skipped
		if [ "$tap_exit_fail" = 1 ]; then
			emit "not ok - $s::$suite: exit $rc with no failed test"
		fi
		cell[$s,$suite]="$p/$f/$k"
		total_p[$s]=$((total_p[$s] + p)); total_f[$s]=$((total_f[$s] + f))
		total_s[$s]=$((total_s[$s] + k))
		[ "$f" -gt 0 ] && failed=1
	done
	# binaries named in the config that left no TAP report at all
	if [ -e "$r/guest-rc" ]; then
		# shellcheck disable=SC1091
		for bin in $(. "$r/config"; echo "$MATRIX_TESTS"); do
			n=$(basename "$bin")
			[ -s "$r/tap/$n.tap" ] && continue
			emit "not ok - $s::${n#test_}: no TAP report (exit $(cat "$r/tap/$n.rc" 2>/dev/null || echo ?))"
			cell[$s,${n#test_}]="no report"
			[[ " ${suites[*]} " == *" ${n#test_} "* ]] || suites+=("${n#test_}")
			total_f[$s]=$((total_f[$s] + 1)); failed=1
		done
	fi
done

# ---- the table ---------------------------------------------------------------
w=14
printf '%-13s' "suite"
for s in "${series[@]}"; do printf " %${w}s" "$s"; done; echo
printf '%-13s' "kernel"
for s in "${series[@]}"; do
	rel=$(sed -n 's/^release=//p' "$root/$s/kernel.env" 2>/dev/null)
	rel=${rel%-amd64}
	printf " %${w}s" "${rel:--}"
done; echo
for suite in "${suites[@]}"; do
	printf '%-13s' "$suite"
	for s in "${series[@]}"; do printf " %${w}s" "${cell[$s,$suite]:--}"; done; echo
done
printf '%-13s' "total p/f/s"
for s in "${series[@]}"; do printf " %${w}s" "${total_p[$s]}/${total_f[$s]}/${total_s[$s]}"; done; echo
printf '%-13s' "splats"
for s in "${series[@]}"; do printf " %${w}s" "${splats[$s]:--}"; done; echo
printf '%-13s' "time (s)"
for s in "${series[@]}"; do
	t=$(cat "$root/$s/time-wall" 2>/dev/null || echo -)
	printf " %${w}s" "$t"
done; echo
for key in transport native_write stream_read kfunc; do
	printf '%-13s' "$key"
	for s in "${series[@]}"; do
		v=$(sed -n "s/^$key=//p" "$root/$s/probe" 2>/dev/null)
		printf " %${w}s" "${v:--}"
	done; echo
done
echo "why (bpf_stream_prepare's reason | native write probe):"
for s in "${series[@]}"; do
	if [ -e "$root/$s.skipped" ]; then
		echo "  $s: skipped: $(cat "$root/$s.skipped")"
	elif [ -e "$root/$s/on-host" ]; then
		echo "  $s: $(cat "$root/$s/on-host")"
	elif [ -e "$root/$s/probe" ]; then
		echo "  $s: Debian $(sed -n 's/^version=//p' "$root/$s/kernel.env"):" \
			"$(sed -n 's/^reason=//p' "$root/$s/probe") |" \
			"$(sed -n 's/^native_write_why=//p' "$root/$s/probe")"
	else
		echo "  $s: no probe result"
	fi
done
exit $failed
