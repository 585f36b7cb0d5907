#!/usr/bin/env bash
# Valgrind memcheck on the examples and the CLI (make check-valgrind; CI).
# Called by tests/run-tests.sh like a Criterion binary:
#   scripts/check-valgrind.sh [-jN] [--tap=FILE]
# Build folder: $HARDEN_OUT (default: build). Each case passes when the
# program exits with its expected status, memcheck reports zero errors and
# zero bytes "definitely lost". Output: TAP ("ok - valgrind::NAME").
#
# Suppressed (and only these): errors whose top frames are inside libbpf
# 1.1 itself, which valgrind 3.19 misreads: bpf(BPF_MAP_CREATE) attr fields
# beyond the size libbpf passes (valgrind checks the whole union; the same
# for BPF_MAP_GET_NEXT_KEY's flags, which that command does not have), and
# branches on data the kernel wrote through bpf(2) commands valgrind does
# not model (it warns "unhandled eBPF command"); and BPF_PROG_TEST_RUN with
# data_out NULL, which the kernel allows but valgrind checks as if data_out
# had data_size_in bytes. Nothing in our own code is suppressed.
# Not set -e: a case that fails is a TAP line to write, not an error.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
out=${HARDEN_OUT:-$src/build}
tap=/dev/stdout
for a in "$@"; do
	case "$a" in
	--tap=*) tap=${a#--tap=} ;;
	esac
done
work=$(mktemp -d /tmp/bpf-stream-valgrind-XXXXXX)
trap 'rm -rf "$work"' EXIT
supp=$work/libbpf.supp
cat > "$supp" <<'SUPP'
{
   libbpf-1.1-map-create-attr-expected_attach_type
   Memcheck:Param
   bpf(attr->expected_attach_type)
   fun:syscall
   obj:*/libbpf.so*
}
{
   libbpf-1.1-map-create-attr-prog_ifindex
   Memcheck:Param
   bpf(attr->prog_ifindex)
   fun:syscall
   obj:*/libbpf.so*
}
{
   libbpf-1.1-map-get-next-key-attr-flags
   Memcheck:Param
   bpf(attr->flags)
   fun:syscall
   fun:bpf_map_get_next_key
}
{
   valgrind-3.19-test-run-data_out-NULL-is-allowed
   Memcheck:Param
   bpf(attr->test.data_out)
   fun:syscall
   fun:bpf_prog_test_run_opts
}
{
   libbpf-1.1-cond-on-kernel-filled-data
   Memcheck:Cond
   obj:*/libbpf.so*
}
{
   libbpf-1.1-value8-on-kernel-filled-data
   Memcheck:Value8
   obj:*/libbpf.so*
}
SUPP

n=0 bad=0
results=()

# case NAME EXPECTED_EXIT SIGINT_AFTER_SECONDS(0: none) COMMAND...
case_() {
	local name=$1 want=$2 sig=$3; shift 3
	local log=$work/$name.log rc errs lost
	n=$((n + 1))
	if [ ! -x "$1" ]; then
		results+=("ok - valgrind::$name # SKIP $1 not built")
		echo "valgrind $name: skipped ($1 not built)"
		return
	fi
	local vg=(valgrind --quiet --error-exitcode=99 --leak-check=full
		--errors-for-leak-kinds=definite --show-leak-kinds=definite
		--suppressions="$supp" --log-file="$log")
	if [ "$sig" -gt 0 ]; then
		timeout -s INT --preserve-status -k 60 "$sig" "${vg[@]}" "$@" > "$work/$name.out" 2>&1
	else
		timeout -k 10 300 "${vg[@]}" "$@" > "$work/$name.out" 2>&1
	fi
	rc=$?
	errs=$(grep -c '^==[0-9]*== [A-Z]' "$log" 2>/dev/null | tr -d ' ')
	lost=$(grep -oE 'definitely lost: [0-9,]+ bytes' "$log" | grep -oE '[0-9,]+' | tr -d ',' | head -n 1)
	if [ "$rc" -eq "$want" ] && [ "${lost:-0}" -eq 0 ] && ! grep -qE '^==[0-9]+== (Invalid|Conditional|Syscall param|Use of uninit|Mismatched|Source and destination|Argument)' "$log"; then
		results+=("ok - valgrind::$name")
		echo "valgrind $name: ok (exit $rc, 0 errors, 0 bytes definitely lost)"
	else
		results+=("not ok - valgrind::$name")
		bad=$((bad + 1))
		echo "valgrind $name: FAILED (exit $rc, want $want; definitely lost ${lost:-0} bytes)"
		grep -v 'WARNING: unhandled eBPF command' "$log" | head -n 80
		tail -n 5 "$work/$name.out"
	fi
	: "$errs"
}

cli=$out/bpf-stream
progs=$out/tests/progs
case_ example-hello 0 0 "$out/examples/hello/hello"
case_ example-skeleton 0 0 "$out/examples/skeleton/skeleton" -n 2
case_ example-follow 0 4 "$out/examples/follow/follow" -i 100
# a skeleton destroyed without bpf_stream_release(), then another object used
case_ forgotten-release 0 0 "$out/tests/vg_forgotten_release"
case_ cli-help 0 0 "$cli" --help
case_ cli-version 0 0 "$cli" version
case_ cli-list 0 0 "$cli" list
case_ cli-list-json 0 0 "$cli" --json list
case_ cli-run 0 0 "$cli" run "$progs/cli_hello.bpf.o"
case_ cli-run-json 0 0 "$cli" --pretty run "$progs/cli_hello.bpf.o"
case_ cli-run-raw 0 0 "$cli" --raw --no-prefix --color=always run "$progs/cli_hello.bpf.o"
case_ cli-dump-all 0 0 "$cli" dump all
case_ cli-follow-all 0 3 "$cli" follow all
case_ cli-bad-command 64 0 "$cli" bogus
case_ cli-missing-object 66 0 "$cli" run /nonexistent.bpf.o
case_ cli-bad-object 65 0 "$cli" run /etc/hostname

{
	echo "TAP version 13"
	echo "1..$n"
	printf '%s\n' "${results[@]}"
} > "$tap"
[ "$bad" -eq 0 ]
