#!/bin/sh
# Install the Debian 12 packages libbpf-stream builds and tests with, when
# they are missing. Called by `make demo` and `make check`; safe to rerun.
# Needs root (or sudo) only when something is missing.
set -eu

# package:file-that-proves-it-is-installed
need="
libbpf-dev:/usr/include/bpf/libbpf.h
libelf-dev:/usr/include/libelf.h
zlib1g-dev:/usr/include/zlib.h
pkg-config:/usr/bin/pkg-config
clang:/usr/bin/clang
llvm:/usr/bin/llvm-strip
bpftool:/usr/sbin/bpftool
libcriterion-dev:/usr/include/criterion/criterion.h
clang-19:/usr/bin/clang-19
libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.asan-x86_64.a
libclang-rt-19-dev:/usr/lib/llvm-19/lib/clang/19/lib/linux/libclang_rt.fuzzer-x86_64.a
valgrind:/usr/bin/valgrind
jq:/usr/bin/jq
make:/usr/bin/make
git:/usr/bin/git
python3:/usr/bin/python3
gcc:/usr/bin/gcc
qemu-system-x86:/usr/bin/qemu-system-x86_64
busybox-static:/bin/busybox
kmod:/sbin/depmod
cpio:/usr/bin/cpio
xz-utils:/usr/bin/xz
"

missing=""
for entry in $need; do
	pkg=${entry%%:*}
	file=${entry#*:}
	[ -e "$file" ] || missing="$missing $pkg"
done

[ -z "$missing" ] && exit 0

echo "install-deps: installing Debian packages:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "install-deps: need root to install:$missing" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
