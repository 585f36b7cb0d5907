#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The kernel-tree part of `make check`: fetch (cached) Debian's
# linux-source-SERIES, apply patches-SERIES with git am, check that the
# series regenerates byte for byte and is checkpatch --strict clean, build
# kernel/bpf/ in-tree (incremental), and run the harness tests on the
# tree's stream.c as released (the fixes' tests must fail) and as patched
# (all must pass). Writes OBJ/linux-check.log ending in
# "N passed, N failed, N skipped"; a tree that cannot be fetched or built
# here is skipped with the reason. Always exits 0: the counts tell.
#
#   linux-check.sh MAKE OBJ CACHE SERIES [make arguments...]
# Not set -e: each step's failure is logged and counted in the closing
# line, and the later steps still run.
set -u

mk=$1
obj=$2
cache=$3
series=$4
shift 4
log=$obj/linux-check.log
pass=0
fail=0
skip=0

mkdir -p "$obj"
: > "$log"
say() { echo "$*"; echo "$*" >> "$log"; }
finish() {
	say "$pass passed, $fail failed, $skip skipped, 0 expected failures"
	exit 0
}
skip_all() {
	# series check, kernel/bpf build, tree tests released + patched
	skip=$((skip + 4))
	say "skip linux-$series (4 steps): $*"
	finish
}
step() {
	name=$1
	shift
	if "$@" > "$obj/linux-$name.out" 2>&1; then
		pass=$((pass + 1))
		say "ok   linux-$name: $(tail -n 1 "$obj/linux-$name.out")"
	else
		fail=$((fail + 1))
		cat "$obj/linux-$name.out"
		say "FAIL linux-$name"
	fi
}

# Tools an in-tree kernel build needs (pahole for BTF).
missing=
for t in flex:flex bison:bison bc:bc pahole:dwarves perl:perl git:git xz:xz-utils; do
	command -v "${t%%:*}" >/dev/null 2>&1 || missing="$missing ${t#*:}"
done
for f in /usr/include/libelf.h:libelf-dev /usr/include/openssl/ssl.h:libssl-dev; do
	[ -e "${f%%:*}" ] || missing="$missing ${f#*:}"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "linux-check: installing Debian packages:$missing"
		# shellcheck disable=SC2086 # a list of package names
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
			>/dev/null 2>&1 || skip_all "cannot install$missing"
	else
		skip_all "packages missing (as root: apt-get install$missing)"
	fi
fi
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
	skip_all "cannot write the cache $cache (set LINUX_CACHE=DIR)"
fi

out=$("$mk" --no-print-directory linux-tree "$@" 2>&1)
rc=$?
echo "$out"
[ $rc = 77 ] && skip_all "$(echo "$out" | tail -n 1)"
if [ $rc != 0 ]; then
	fail=$((fail + 1))
	say "FAIL linux-tree: $(echo "$out" | tail -n 1)"
	finish
fi

if ! "$mk" --no-print-directory linux-series "$@" > "$obj/linux-apply.out" 2>&1; then
	cat "$obj/linux-apply.out"
	fail=$((fail + 1))
	say "FAIL linux-series: git am of patches-$series"
	finish
fi
step series-check "$mk" --no-print-directory linux-series-check "$@"
step bpf-build "$mk" --no-print-directory linux-bpf "$@"
for v in released patched; do
	"$mk" --no-print-directory "test-tree-$v" "$@" > "$obj/linux-tree-$v.out" 2>&1
	rc=$?
	cat "$obj/linux-tree-$v.out"
	if ! { [ -f "$obj/test-tree-$v.log" ] &&
	       grep -qE '^[0-9]+ passed, ' "$obj/test-tree-$v.log"; }; then
		fail=$((fail + 1))
		say "FAIL linux-tree-$v: no result (exit $rc)"
	fi
done
finish
