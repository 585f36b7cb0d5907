#!/usr/bin/env bash
# Run each libFuzzer target for a bounded time (make fuzz; see docs/hardening.md).
#   scripts/fuzz-run.sh FUZZ_OUT SECONDS NAME...
# Each target starts from a scratch copy of its seed corpus fuzz/corpus/NAME
# (new inputs go to FUZZ_OUT/corpus/NAME, never into git) and runs with
# -max_total_time=SECONDS. A crash, leak, timeout or broken invariant leaves
# FUZZ_OUT/NAME-crash-* (or leak-, timeout-, oom-) and fails the script; copy
# that file into fuzz/corpus/NAME/ to make it a regression input that
# make check replays. Prints one summary line per target (runs, coverage).
# Not set -e: every target runs even when one fails; the status collects
# the failures.
set -u
out=$1 secs=$2; shift 2
src=$(cd "$(dirname "$0")/.." && pwd)
fail=0
mkdir -p "$out/logs"
for name in "$@"; do
	bin=$out/$name
	work=$out/corpus/$name
	log=$out/logs/$name.log
	mkdir -p "$work"
	cp -n "$src/fuzz/corpus/$name"/* "$work"/ 2>/dev/null || true
	rm -f "$out/$name"-{crash,leak,timeout,oom}-*
	echo "==== fuzz $name: ${secs}s"
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=20000 \
		-print_final_stats=1 -artifact_prefix="$out/$name-" "$work" > "$log" 2>&1
	rc=$?
	runs=$(grep -E '^stat::number_of_executed_units:' "$log" | awk '{print $2}')
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1)
	found=$(ls "$out/$name"-{crash,leak,timeout,oom}-* 2>/dev/null)
	if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
		echo "fuzz $name: FAILED (exit $rc) after ${runs:-?} runs; artifacts: ${found:-none}"
		grep -E 'ERROR|invariant failed|SUMMARY|runtime error' "$log" | head -n 20
		fail=1
	else
		echo "fuzz $name: ok, ${runs:-?} runs, ${cov:-cov: ?}, corpus $(find "$work" -mindepth 1 -maxdepth 1 | wc -l) inputs"
	fi
done
exit $fail
