#!/bin/sh
# Install the Debian 12 packages libbpf-stream builds and tests with, when
# they are missing. Called by `make demo` and `make check`; safe to rerun.
# Needs root (or sudo) only when something is missing.
set -eu

# package:file-that-proves-it-is-installed
# (libsystemd-dev builds the journal output in; systemd's journald and
# systemd-journal-remote/-upload are what tests/test_journal runs against;
# `make lint` runs ShellCheck, and checkpatch.pl's SPDX check needs ply
# and GitPython)
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
libclang-rt-19-dev:/usr/lib/llvm-19/lib/clang/19/lib/linux/libclang_rt.fuzzer-x86_64.a
valgrind:/usr/bin/valgrind
jq:/usr/bin/jq
make:/usr/bin/make
git:/usr/bin/git
python3:/usr/bin/python3
gcc:/usr/bin/gcc
libsystemd-dev:/usr/include/systemd/sd-journal.h
systemd:/lib/systemd/systemd-journald
systemd-journal-remote:/lib/systemd/systemd-journal-remote
shellcheck:/usr/bin/shellcheck
python3-ply:/usr/lib/python3/dist-packages/ply/__init__.py
python3-git:/usr/lib/python3/dist-packages/git/__init__.py
"
# The kernel matrix (mk/matrix.mk): QEMU and what builds its initramfs.
# Optional: where they cannot be installed, make check skips the matrix
# and says why. MATRIX_CHECK=0 (a tree built inside a matrix root, where no
# guest is booted) leaves them out.
optional="
qemu-system-x86:/usr/bin/qemu-system-x86_64
busybox-static:/bin/busybox
kmod:/sbin/depmod
cpio:/usr/bin/cpio
xz-utils:/usr/bin/xz
"

# `make deb` and `make check` (DEB=1): what dpkg-buildpackage (its build
# dependency check wants build-essential) and lintian need.
if [ "${DEB:-0}" = 1 ]; then
	need="$need debhelper:/usr/bin/dh dpkg-dev:/usr/bin/dpkg-buildpackage lintian:/usr/bin/lintian"
	need="$need build-essential:/usr/share/build-essential/essential-packages-list"
fi

# The default clang's sanitizer runtimes (Debian 12: clang 14; sid: 21).
if command -v clang >/dev/null 2>&1; then
	need="$need libclang-rt-dev:$(clang -print-resource-dir)/lib/linux/libclang_rt.asan-x86_64.a"
else
	need="$need libclang-rt-dev:/nonexistent"
fi

missing=""
for entry in $need; do
	pkg=${entry%%:*}
	file=${entry#*:}
	[ -e "$file" ] || missing="$missing $pkg"
done
missing_opt=""
[ "${MATRIX_CHECK:-1}" = 0 ] && optional=""
for entry in $optional; do
	pkg=${entry%%:*}
	file=${entry#*:}
	[ -e "$file" ] || missing_opt="$missing_opt $pkg"
done
# busybox (dynamic) also provides /bin/busybox; the matrix needs the static one
if [ -n "$optional" ] && [ -e /bin/busybox ] && ! dpkg -s busybox-static >/dev/null 2>&1; then
	missing_opt="$missing_opt busybox-static"
fi

[ -z "$missing$missing_opt" ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	elif [ -n "$missing" ]; then
		echo "install-deps: need root to install:$missing$missing_opt" >&2
		exit 1
	else
		echo "install-deps: not installed (no root):$missing_opt: the kernel matrix will be skipped"
		exit 0
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || [ -z "$missing" ]
if [ -n "$missing" ]; then
	echo "install-deps: installing Debian packages:$missing"
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ -n "$missing_opt" ]; then
	echo "install-deps: installing Debian packages for the kernel matrix:$missing_opt"
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing_opt >/dev/null ||
		echo "install-deps: could not install$missing_opt: the kernel matrix will be skipped"
fi
echo "install-deps: done"
