#!/usr/bin/env bash
# A second root file system for the kernel matrix: Debian sid's user space
# (libbpf 1.7, bpftool 7.8, clang 21, gcc 16), made with debootstrap from the
# same Debian archive apt uses, cached, and a clean clone of this tree built
# in it with the README's commands.
#   matrix/sid-root.sh SRC
# SRC: the checkout to clone (its committed HEAD). Prints "ROOT DIR" on
# stdout when the clone is built: the root's path and the clone's path inside
# it (one per checkout, /src-HASH, so that matrix runs of several checkouts
# can share the root); the build's log goes to ROOT/DIR.log.
# Environment:
#   MATRIX_SID_CACHE   where the root lives (default
#                      /var/cache/libbpf-stream/sid, else ~/.cache/...)
#   MATRIX_SID_REFRESH=1  make the root anew (sid moves every day)
#   MATRIX_SID_CHECK=0    only `make demo` and the build of every test;
#                      default 1: then `make check` too, on the host's
#                      kernel (the matrix itself left out: MATRIX_CHECK=0)
#   LINUX_CACHE        the host's cache of Debian's linux-source (default
#                      /var/cache/libbpf-stream/linux-source), shown to
#                      make check's kernel-patch part in the root
#   MATRIX_MIRROR      Debian archive URI (default: the host's apt source)
# Exit status: 0 ready, 2 cannot be made here (no debootstrap and it
# cannot be installed, or the archive cannot be reached and nothing is
# cached), 1 the project failed to build in it, 3 built, but `make check`
# failed in it (ROOT DIR printed: the guests can still run the build).
# Not set -e: each stage that fails maps to its own exit status (above),
# checked where it runs.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "${1:?usage: sid-root.sh SRC}" && pwd)
cache=${MATRIX_SID_CACHE:-/var/cache/libbpf-stream/sid}
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/libbpf-stream/sid
	mkdir -p "$cache"
fi
root=$cache/root
stamp=$root/.libbpf-stream-root
dir=/src-$(echo "$src" | md5sum | cut -c1-8)
log=$cache/make-root.log
# What the project needs to build and test in sid (the sid names of
# scripts/install-deps.sh's packages, which installs what is missing).
# The last line: what the kernel-patch part of make check builds kernel/bpf/
# with (kernel-patch/scripts/linux-check.sh would install them itself).
pkgs="ca-certificates libbpf-dev bpftool clang llvm libelf-dev zlib1g-dev pkg-config
libcriterion-dev make gcc libc6-dev jq git python3 valgrind clang-19 libclang-rt-19-dev
libclang-rt-dev
flex bison bc dwarves perl xz-utils libssl-dev"

say() { echo "sid-root: $*" >&2; }

mirror=${MATRIX_MIRROR:-$("$here/mirror.sh")}
if [ -z "$mirror" ]; then
	say "no Debian archive in the host's apt sources"
	exit 2
fi

mounted=()
# shellcheck disable=SC2317,SC2329 # called by the EXIT trap (SC2329: shellcheck >= 0.10)
cleanup() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount "${mounted[i]}" 2>/dev/null
	done
}
trap cleanup EXIT
# The root is made a mount point of its own: in a chroot whose "/" is a
# plain directory, making "/" private in a new mount namespace fails with
# EINVAL (test_cli's pinned-program test does that). /dev/pts for openpty().
mount_kernel_fs() {
	mount --bind "$root" "$root" && mounted+=("$root")
	mount -t proc proc "$root/proc" && mounted+=("$root/proc")
	mount --bind /sys "$root/sys" && mounted+=("$root/sys")
	mount --bind /dev "$root/dev" && mounted+=("$root/dev")
	mount --bind /dev/pts "$root/dev/pts" && mounted+=("$root/dev/pts")
}
# LINUX_BUILD_TAG: kernel-patch builds kernel/bpf/ with sid's gcc in a
# folder of its own (a new compiler changes the kernel's config, and the
# host's gcc 12 objects would all be rebuilt, then again on the host).
in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive CI="${CI:-}" MATRIX_CHECK=0 \
		LINUX_BUILD_TAG=-sid "$@"
}

# one maker of the root at a time (until this script ends)
exec 9> "$cache/.lock"
flock 9
if [ "${MATRIX_SID_REFRESH:-0}" = 1 ] || [ ! -e "$stamp" ]; then
	if ! command -v debootstrap >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			debootstrap >/dev/null 2>&1
	fi
	if ! command -v debootstrap >/dev/null; then
		say "debootstrap is not installed and cannot be installed"
		exit 2
	fi
	rm -rf "$root"
	t0=$(date +%s)
	say "debootstrap sid into $root (log: $log)"
	if ! debootstrap --variant=minbase sid "$root" "$mirror" > "$log" 2>&1; then
		say "debootstrap failed: $(tail -n 1 "$log")"
		rm -rf "$root"
		exit 2
	fi
	# The archive's sid Release file may have passed its Valid-Until date.
	echo 'Acquire::Check-Valid-Until "false";' > "$root/etc/apt/apt.conf.d/99libbpf-stream"
	mount_kernel_fs
	if ! in_root sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends ${pkgs//$'\n'/ }" \
			>> "$log" 2>&1; then
		say "installing sid's packages failed: $(tail -n 1 "$log")"
		exit 2
	fi
	in_root dpkg-query -W libbpf-dev bpftool clang gcc > "$stamp"
	say "root made in $(( $(date +%s) - t0 )) s"
else
	mount_kernel_fs
fi
say "sid user space: $(tr '\t\n' '= ' < "$stamp")"

# make check's kernel-patch part needs Debian's linux-source (a .deb of
# 164 MB, unpacked into a git tree of 2 GB): the host's cache is shown in
# the root, read-write, at the same path, instead of a second download.
if [ "${MATRIX_SID_CHECK:-1}" = 1 ]; then
	lcache=${LINUX_CACHE:-/var/cache/libbpf-stream/linux-source}
	mkdir -p "$lcache" "$root/var/cache/libbpf-stream/linux-source" &&
		mount --bind "$lcache" "$root/var/cache/libbpf-stream/linux-source" &&
		mounted+=("$root/var/cache/libbpf-stream/linux-source")
fi

# A clean clone of the tree, built with the README's commands.
rm -rf "${root:?}$dir"
git clone -q "$src" "$root$dir" || exit 1
# The README's two commands in their order (`make check` builds what it
# tests itself), then the matrix's probe. make check runs on the host's
# kernel: its result is in DIR/build/tap/ (tests/run-tests.sh) and
# DIR/build/sid-check.{rc,time}; a failing test leaves the build usable by
# the matrix's guests (exit status 3).
sid_make() {
	local t0 rc
	t0=$(date +%s)
	in_root sh -c "cd $dir && $1" >> "$root$dir.log" 2>&1
	rc=$?
	say "'$1' in sid: $(( $(date +%s) - t0 )) s$( [ $rc = 0 ] || echo ", exit $rc")"
	return $rc
}
: > "$root$dir.log"
if ! sid_make "make demo"; then
	tail -n 20 "$root$dir.log" >&2
	exit 1
fi
rc=0
if [ "${MATRIX_SID_CHECK:-1}" = 1 ]; then
	t0=$(date +%s)
	sid_make "make check MATRIX_CHECK=0"
	rc=$?
	echo $rc > "$root$dir/build/sid-check.rc"
	echo $(( $(date +%s) - t0 )) > "$root$dir/build/sid-check.time"
	say "sid make check: $(grep -E '^tests: ' "$root$dir.log" | tail -n 1) (log: $root$dir.log)"
	[ $rc = 0 ] || rc=3
fi
if ! sid_make "make matrix-build"; then
	tail -n 20 "$root$dir.log" >&2
	exit 1
fi
echo "$root $dir"
exit $rc
