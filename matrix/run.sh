#!/usr/bin/env bash
# The kernel matrix: fetch Debian's kernels, boot each under QEMU, run the
# kernel-facing tests, the examples and the CLI inside, print one table.
#   matrix/run.sh [-jN] [--tap=FILE]
# Called by `make check-kernels` and, like a Criterion binary (TAP to
# --tap=FILE), by tests/run-tests.sh from `make check`. Environment (set by
# mk/matrix.mk):
#   MATRIX_OUT       build folder (default: build/ of this tree)
#   MATRIX_KERNELS   series to run, e.g. "6.1 6.17" (default: matrix/kernels.list)
#   MATRIX_TESTS     test binaries to run inside (default: MATRIX_TESTS_DEFAULT)
#   MATRIX_FILTER    Criterion --filter for them
#   MATRIX_CACHE     kernel cache (default /var/cache/libbpf-stream/kernels,
#                    or ~/.cache/libbpf-stream/kernels when that is not writable)
#   MATRIX_JOBS      guests at a time (default 2)
#   MATRIX_ACCEL     tcg, kvm or auto (default auto: KVM only if it boots a guest)
# Where QEMU cannot run at all (not installed, or no kernel can be fetched
# and none is cached) the whole matrix is one skipped test with the reason.
#
# Counting: scripts/tap.sh (shared with tests/run-tests.sh, table.sh).
# Not set -e: guests and tests that fail are results to count and report.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
# shellcheck source=scripts/tap.sh
. "$src/scripts/tap.sh"
tap=
for a in "$@"; do
	case $a in
	--tap=*) tap=${a#--tap=} ;;
	esac
done
export MATRIX_OUT=${MATRIX_OUT:-$src/build}
out=$MATRIX_OUT
res_root=$out/matrix/results
mkdir -p "$res_root"
[ -n "$tap" ] || tap=$out/matrix/matrix.tap
export MATRIX_TESTS=${MATRIX_TESTS:-${MATRIX_TESTS_DEFAULT:-}}
if [ -z "$MATRIX_TESTS" ]; then
	MATRIX_TESTS=$(for t in "$out"/tests/test_*; do
		case ${t##*/} in test_abi|test_framer|test_print) ;; *) [ -e "$t" ] && printf '%s ' "$t" ;; esac
	done)
fi
export MATRIX_RUN_ID=$$
if [ -z "${MATRIX_CACHE:-}" ]; then
	MATRIX_CACHE=/var/cache/libbpf-stream/kernels
	if ! mkdir -p "$MATRIX_CACHE" 2>/dev/null || [ ! -w "$MATRIX_CACHE" ]; then
		MATRIX_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/libbpf-stream/kernels
	fi
fi
export MATRIX_CACHE
mkdir -p "$MATRIX_CACHE"

skip_all() {
	echo "kernel matrix: skipped: $1"
	printf 'TAP version 13\n1..1\nok 1 - kernel-matrix # SKIP %s\n' "$1" > "$tap"
	exit 0
}
for tool in qemu-system-x86_64:qemu-system-x86 cpio:cpio depmod:kmod modprobe:kmod; do
	command -v "${tool%%:*}" > /dev/null ||
		skip_all "${tool%%:*} is not installed (apt install ${tool#*:}; scripts/install-deps.sh does)"
done
[ -x /bin/busybox ] || skip_all "/bin/busybox is missing (apt install busybox-static)"
[ -x "$out/matrix/probe" ] || { echo "kernel matrix: $out/matrix/probe is not built (make matrix-build)" >&2; exit 1; }

series=()
for s in ${MATRIX_KERNELS:-$(awk '!/^#/ && NF {print $1}' "$here/kernels.list")}; do
	series+=("$s")
done
t_start=$(date +%s)
echo "kernel matrix: ${series[*]} (cache $MATRIX_CACHE)"

# ---- fetch (one at a time: one apt update, then downloads) ------------------------
run=()
for s in "${series[@]}"; do
	rm -rf "${res_root:?}/$s" "$res_root/$s.skipped"
	t=$(date +%s)
	line=$("$here/fetch.sh" "$s" 2> "$res_root/$s.fetch.log")
	rc=$?
	echo "  $line$( [ $(( $(date +%s) - t )) -gt 2 ] && echo " [$(( $(date +%s) - t )) s]")"
	case $rc in
	0) run+=("$s") ;;
	2) echo "${line#*skipped: }" > "$res_root/$s.skipped" ;;
	*) echo "  fetch $s failed: $(tail -n 3 "$res_root/$s.fetch.log")"
	   mkdir -p "$res_root/$s" ;;
	esac
done
if [ ${#run[@]} -eq 0 ]; then
	all_skipped=1
	for s in "${series[@]}"; do [ -e "$res_root/$s.skipped" ] || all_skipped=0; done
	[ $all_skipped = 1 ] && skip_all "no kernel could be fetched and none is cached: $(cat "$res_root/${series[0]}.skipped")"
fi

# ---- accelerator: KVM only if it really boots a guest -----------------------------------
accel=${MATRIX_ACCEL:-auto}
if [ "$accel" = auto ]; then
	accel=tcg
	if [ ${#run[@]} -gt 0 ] && [ -w /dev/kvm ]; then
		MATRIX_ACCEL=kvm MATRIX_PROBE_ONLY=1 MATRIX_GUEST_TIMEOUT=60 \
			"$here/boot.sh" "${run[0]}" "$res_root/kvm-check" > /dev/null 2>&1
		if [ -e "$res_root/kvm-check/guest-rc" ]; then
			accel=kvm
		else
			why=$(grep -m1 -E 'qemu-system|error|failed' "$res_root/kvm-check/console.log" 2>/dev/null | cut -c1-100)
			echo "  KVM cannot run the guest here (${why:-no boot within 60 s}): TCG"
		fi
	fi
fi
export MATRIX_ACCEL=$accel

# ---- boot, MATRIX_JOBS guests at a time -------------------------------------------------
jobs_max=${MATRIX_JOBS:-2}
running=0
for s in "${run[@]}"; do
	while [ $running -ge "$jobs_max" ]; do wait -n; running=$((running - 1)); done
	echo "  boot $s ($accel)"
	( "$here/boot.sh" "$s" "$res_root/$s"
	  echo "  done $s: $(cat "$res_root/$s/time-wall" 2>/dev/null) s$( [ -e "$res_root/$s/guest-rc" ] || echo ", guest did not finish")" ) &
	running=$((running + 1))
done
wait

# ---- the same suites in a Debian sid user space (libbpf 1.7, bpftool 7.8) -----
# On the kernels whose streams work, with a clean clone built inside a sid
# root (matrix/sid-root.sh): interop with upstream's own tools and libbpf.
# Before that, the clone's own `make check` (the matrix left out) on the
# host's kernel in the same root: column "sid-host" (MATRIX_SID_CHECK=0
# leaves it out).

# sid_host_results BUILD DIR: the results of make check in sid (BUILD: its
# build folder on the host) as a matrix column in DIR, counted as
# tests/run-tests.sh counts them: each binary's TAP report (the sanitizer
# builds and the fuzz corpora replayed under ASan summed into rows "asan",
# "fuzz-replay" and "tsan", each line naming its binary), one failure for a
# binary without a report, with a sanitizer report or exiting non-zero with
# no failed test, and kernel-patch's tests from its logs.
sid_host_results() {
	local b=$1 d=$2 f n row rc
	mkdir -p "$d/tap"
	echo "release=$(uname -r)" > "$d/kernel.env"
	echo "make check MATRIX_CHECK=0 in the sid root, on this machine's kernel (no guest)" > "$d/on-host"
	cp "$b/sid-check.time" "$d/time-wall" 2>/dev/null
	for f in "$b"/tap/*.tap.rc; do
		[ -e "$f" ] || continue
		n=$(basename "$f" .tap.rc)
		case $n in
		test_*) row=$n ;;
		asan_test_*) row=test_asan ;;
		tsan_test_*) row=test_tsan ;;
		fuzz_*) row=test_fuzz-replay ;;
		check-valgrind.sh) row=test_valgrind ;;
		*) row=test_$n ;;
		esac
		if [ -s "$b/tap/$n.tap" ]; then
			sed -E "s|^((not )?ok( [0-9]+)? - )|\1$n: |" "$b/tap/$n.tap" >> "$d/tap/$row.tap"
			rc=$(cat "$f")
			[ "$rc" != 0 ] && ! grep -q '^not ok' "$b/tap/$n.tap" &&
				echo "not ok - $n: exit $rc with no failed test" >> "$d/tap/$row.tap"
		else
			echo "not ok - $n: no TAP report (exit $(cat "$f"))" >> "$d/tap/$row.tap"
		fi
		[ -d "$b/tap/$n.san" ] && [ -n "$(ls -A "$b/tap/$n.san")" ] &&
			echo "not ok - $n: sanitizer report(s) in $b/tap/$n.san" >> "$d/tap/$row.tap"
	done
	# kernel-patch (make -C kernel-patch check): "ok NAME", "xfail NAME" (an
	# expected failure of Linux as released: passed), "skip NAME: why" or
	# "skip linux-S (N steps): why", "FAIL"/"XPASS NAME"
	local kp=$d/tap/test_kernel-patch.tap
	: > "$kp"
	for f in "$b"/kernel-patch/kernel-patch/{test-asan,test-tsan,linux-check,test-tree-released,test-tree-patched}.log; do
		[ -e "$f" ] || continue
		awk -v part="kernel-patch: $(basename "$f" .log)" '
			/^ok / { print "ok - " part ": " $2; next }
			/^xfail / { print "ok - " part ": " $2 " (expected failure on Linux 7.2, released or patched)"; next }
			/^skip [^ ]+ \([0-9]+ steps\):/ { n = $3; sub(/^\(/, "", n)
				for (i = 1; i <= n; i++) print "ok - " part ": " $2 " step " i " # SKIP " $0; next }
			/^skip / { t = $2; sub(/:$/, "", t); print "ok - " part ": " t " # SKIP " $0; next }
			/^(FAIL|XPASS) / { print "not ok - " part ": " $0; next }
			/^[0-9]+ passed, [0-9]+ failed/ { done = 1 }
			END { if (!done) print "not ok - " part ": no closing line" }' "$f" >> "$kp"
	done
	rc=$(cat "$b/kernel-patch.rc" 2>/dev/null || echo 1)
	[ "$rc" = 0 ] || echo "not ok - kernel-patch: exit $rc" >> "$kp"
	# make check failed before any test could (a build error): one failure
	rc=$(cat "$b/sid-check.rc" 2>/dev/null || echo "?")
	if [ "$rc" != 0 ] && ! grep -q '^not ok' "$d"/tap/*.tap; then
		echo "not ok - make check: exit $rc with no failed test (see the log of sid-root.sh)" \
			> "$d/tap/test_make-check.tap"
	fi
}

sid_series=()
if [ "${MATRIX_SID:-1}" = 1 ]; then
	t=$(date +%s)
	sid_out=$("$here/sid-root.sh" "$src" 2> "$res_root/sid-root.log")
	rc=$?
	read -r sid_root sid_src <<< "$sid_out"
	rm -rf "${res_root:?}/sid-host" "$res_root/sid-host.skipped"
	if [ "${MATRIX_SID_CHECK:-1}" = 1 ]; then
		sid_series+=(sid-host)
		case $rc in
		0|3) sid_host_results "$sid_root$sid_src/build" "$res_root/sid-host" ;;
		2) echo "sid user space not available: $(tail -n 1 "$res_root/sid-root.log")" \
			> "$res_root/sid-host.skipped" ;;
		*) mkdir -p "$res_root/sid-host/tap"
		   echo "not ok - make: the clone did not build in sid (see $res_root/sid-root.log)" \
			> "$res_root/sid-host/tap/test_build.tap" ;;
		esac
	fi
	for s in ${MATRIX_SID_KERNELS:-6.17 7.2 7.3}; do
		[[ " ${run[*]} " == *" $s "* ]] || continue
		sid_series+=("sid-$s")
		rm -rf "${res_root:?}/sid-$s" "$res_root/sid-$s.skipped"
		case $rc in
		0|3) ;;
		2) echo "sid user space not available: $(tail -n 1 "$res_root/sid-root.log")" \
			> "$res_root/sid-$s.skipped"; continue ;;
		*) mkdir -p "$res_root/sid-$s"; continue ;;	# no guest-rc: a failure
		esac
	done
	echo "  sid root: $(grep -E "sid user space|in sid|failed|make check" "$res_root/sid-root.log" | tr '\n' ' ')[$(( $(date +%s) - t )) s]"
	if [ $rc = 0 ] || [ $rc = 3 ]; then
		sid_tests=$(for t in "$sid_root$sid_src"/build/tests/test_*; do
			case ${t##*/} in
			test_abi|test_framer|test_print) ;;
			*) [ -e "$t" ] && printf '%s ' "${t#"$sid_root"}" ;;
			esac
		done)
		running=0
		for s in "${sid_series[@]}"; do
			[ "$s" = sid-host ] && continue
			while [ $running -ge "$jobs_max" ]; do wait -n; running=$((running - 1)); done
			echo "  boot ${s#sid-} with the sid root ($accel)"
			( MATRIX_ROOT=$sid_root MATRIX_GUEST_SRC=$sid_src MATRIX_OUT=$sid_src/build \
				MATRIX_TESTS=$sid_tests "$here/boot.sh" "${s#sid-}" "$res_root/$s"
			  echo "  done $s: $(cat "$res_root/$s/time-wall" 2>/dev/null) s$( [ -e "$res_root/$s/guest-rc" ] || echo ", guest did not finish")" ) &
			running=$((running + 1))
		done
		wait
		# the header against each kernel's own vmlinux.h (bpftool 7.8, clang 21)
		for s in "${sid_series[@]}"; do
			[ "$s" = sid-host ] && continue
			[ -d "$res_root/$s/tap" ] || continue
			"$here/sid-variants.sh" "$sid_root" "$sid_src" "$MATRIX_CACHE/${s#sid-}.env" \
				"$res_root/$s/tap/test_header_7x.tap"
			echo $? > "$res_root/$s/tap/test_header_7x.rc"
		done
	fi
fi

echo
"$here/table.sh" "$res_root" "$tap.body" "${series[@]}" "${sid_series[@]}"
rc=$?
tap_count "$tap.body"
{ echo "TAP version 13"; echo "1..$((tap_passed + tap_failed + tap_skipped))"; cat "$tap.body"; } > "$tap"
rm -f "$tap.body"
echo "kernel matrix: $(( $(date +%s) - t_start )) s wall, $accel, ${MATRIX_JOBS:-2} guests at a time;" \
	"$tap_skipped skipped, $tap_failed failed;" \
	"results in $res_root"
exit $rc
