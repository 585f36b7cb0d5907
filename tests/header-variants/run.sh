#!/usr/bin/env bash
# Compile every header variant with each clang: ok_*.c must build with
# -Wall -Wextra -Werror, fail_*.c must fail with the message of its "expect:" line.
#   run.sh SRC_DIR BUILD_DIR [clang...]     (default compilers: clang clang-19)
# BUILD_DIR holds the vmlinux.h the variants include (a system header: its
# own warnings are not ours). HDR_VARIANTS_SKIP: a regular expression of
# variant names to leave out (matrix/sid-variants.sh, with a real kernel's
# vmlinux.h, leaves out the variants that stand in for one).
# Not set -e: fail_*.c variants must fail to compile, and every variant
# that does not do what it must is counted, not an error.
set -u
src=$1 out=$2; shift 2
compilers=("$@")
[ ${#compilers[@]} -eq 0 ] && compilers=(clang clang-19)
dir=$src/tests/header-variants
obj=$out/tests/header-variants
mkdir -p "$obj"
arch_inc=-I/usr/include/$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
bad=0 ran=0
for cc in "${compilers[@]}"; do
	if ! command -v "$cc" >/dev/null; then
		echo "skip $cc: not installed"
		continue
	fi
	for f in "$dir"/ok_*.c "$dir"/fail_*.c; do
		name=$(basename "$f" .c)
		if [ -n "${HDR_VARIANTS_SKIP:-}" ] && echo "$name" | grep -qE "$HDR_VARIANTS_SKIP"; then
			continue
		fi
		log=$obj/$name.$cc.log
		"$cc" -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Wextra -Werror -isystem "$out" \
			-I"$src/bpf_headers" -I"$dir" ${arch_inc:+"$arch_inc"} -c "$f" -o "$obj/$name.$cc.o" \
			>"$log" 2>&1
		rc=$?
		ran=$((ran + 1))
		case $name in
		ok_*)
			if [ $rc -ne 0 ]; then
				echo "FAIL $cc $name: does not compile:"; head -n 20 "$log"; bad=$((bad + 1))
			else
				echo "ok   $cc $name"
			fi ;;
		fail_*)
			want=$(sed -n 's|^/\* expect: \(.*\) \*/$|\1|p' "$f")
			if [ $rc -eq 0 ]; then
				echo "FAIL $cc $name: compiled, but must not"; bad=$((bad + 1))
			elif ! grep -qF -- "$want" "$log"; then
				echo "FAIL $cc $name: failed without \"$want\":"; head -n 20 "$log"; bad=$((bad + 1))
			else
				echo "ok   $cc $name (refused: $want)"
			fi ;;
		esac
	done
done
echo "header variants: $ran compiles, $bad wrong"
[ $ran -gt 0 ] && [ $bad -eq 0 ]
