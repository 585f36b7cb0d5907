#!/usr/bin/env bash
# make lint: ShellCheck on every shell script of the project, and the
# kernel's checkpatch.pl --strict on kernel-patch's C (the core,
# kernel-patch/kernel/bpf/stream.c, and each patch of the series). Called
# by tests/run-tests.sh from `make check` like a Criterion binary:
#   scripts/lint.sh [-jN] [--tap=FILE]        (TAP to FILE, default stdout)
# One TAP line per file: "ok - shellcheck::PATH", "ok - checkpatch::PATH";
# a failure's findings follow it as TAP comments. Where a tool is missing
# its lines are skipped with the reason.
#
# Shell scripts: files named *.sh, or whose first line is a #! of sh, bash,
# dash or busybox sh (git's file list; below the tree without git, build
# folders left out). ShellCheck runs from the top of the tree with -x, so a
# "# shellcheck source=PATH" is relative to it.
#
# checkpatch.pl comes from the kernel tree kernel-patch uses (LINUX_TREE,
# default /var/cache/libbpf-stream/linux-source/tree-7.2: `make -C
# kernel-patch linux-tree` makes it) and runs inside it, so that its
# spelling list and SPDX check (python3-ply, python3-git) are found.
# Patches are checked as kernel-patch/scripts/series.sh checks them:
# --ignore UNKNOWN_COMMIT_ID
# (the Debian tree has no upstream history to resolve commit ids in).
#
# Not set -e: a finding is a TAP line to write, not an error.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
tap=/dev/stdout
for a in "$@"; do
	case $a in
	--tap=*) tap=${a#--tap=} ;;
	esac
done
tree=${LINUX_TREE:-/var/cache/libbpf-stream/linux-source/tree-7.2}
cd "$src" || exit 1
work=$(mktemp -d /tmp/bpf-stream-lint-XXXXXX)
trap 'rm -rf "$work"' EXIT
lines=$work/lines

# shell_scripts: the project's shell scripts, one per line
shell_scripts() {
	local f first
	{
		if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
			git -C "$src" ls-files
		else
			find . -path ./.git -prune -o -path "./build*" -prune -o \
				-path ./debian/build -prune -o -type f -print | sed 's|^\./||'
		fi
	} | sort | while IFS= read -r f; do
		[ -f "$f" ] || continue
		case $f in
		*.sh) echo "$f"; continue ;;
		esac
		IFS= read -r first < "$f" 2>/dev/null || continue
		case $first in
		'#!'*[/\ ]sh|'#!'*[/\ ]sh\ *|'#!'*[/\ ]bash|'#!'*[/\ ]bash\ *|'#!'*[/\ ]dash|'#!'*[/\ ]dash\ *)
			echo "$f" ;;
		esac
	done
}

# report NAME LOG RC: one TAP line, LOG's lines as comments on a failure
report() {
	if [ "$3" = 0 ]; then
		echo "ok - $1" >> "$lines"
	else
		echo "not ok - $1" >> "$lines"
		sed 's/^/# /' "$2" >> "$lines"
	fi
}

: > "$lines"
scripts=$(shell_scripts)
if ! command -v shellcheck >/dev/null 2>&1; then
	for f in $scripts; do
		echo "ok - shellcheck::$f # SKIP shellcheck is not installed (apt install shellcheck; scripts/install-deps.sh does)" >> "$lines"
	done
else
	for f in $scripts; do
		shellcheck -x "$f" > "$work/log" 2>&1
		report "shellcheck::$f" "$work/log" $?
	done
fi

kfiles=kernel-patch/kernel/bpf/stream.c
for p in kernel-patch/patches-*/0*.patch; do
	case $p in */0000-cover-letter.patch) ;; *) [ -e "$p" ] && kfiles="$kfiles $p" ;; esac
done
if [ ! -f "$tree/scripts/checkpatch.pl" ]; then
	for f in $kfiles; do
		echo "ok - checkpatch::$f # SKIP no kernel tree with scripts/checkpatch.pl at $tree (make -C kernel-patch linux-tree)" >> "$lines"
	done
elif ! command -v perl >/dev/null 2>&1; then
	for f in $kfiles; do
		echo "ok - checkpatch::$f # SKIP perl is not installed" >> "$lines"
	done
else
	# spdxcheck.py runs as "python3" from PATH: Debian's, for which apt's
	# python3-ply is, even where another python3 (pyenv) comes first
	kpath=$PATH
	[ -x /usr/bin/python3 ] && kpath=/usr/bin:$PATH
	for f in $kfiles; do
		case $f in
		*.patch) (cd "$tree" && PATH=$kpath perl scripts/checkpatch.pl -q --strict \
				--ignore UNKNOWN_COMMIT_ID "$src/$f") > "$work/log" 2>&1 ;;
		*) (cd "$tree" && PATH=$kpath perl scripts/checkpatch.pl -q --strict -f "$src/$f") \
				> "$work/log" 2>&1 ;;
		esac
		rc=$?
		# checkpatch's SPDX check is a python script: a crash of it is no
		# finding of ours, but a lint that cannot check must say so
		if grep -q '^Traceback' "$work/log"; then
			echo "# checkpatch's spdxcheck.py failed (apt install python3-ply python3-git)" >> "$work/log"
			[ "$rc" = 0 ] && rc=1
		fi
		report "checkpatch::$f" "$work/log" "$rc"
	done
fi

{
	echo "TAP version 13"
	echo "1..$(grep -c -E '^(not )?ok ' "$lines")"
	cat "$lines"
} > "$tap"
[ "$tap" = /dev/stdout ] || grep -E '^not ok|^# ' "$lines"
! grep -q '^not ok' "$lines"
