#!/usr/bin/env bash
# bpf_stream.h against a real 7.x vmlinux.h: the header variants
# (tests/header-variants/ok_*.c, fail_*.c) compiled in the Debian sid root
# with its clang (21) and libbpf 1.7's bpf_helpers.h, against a vmlinux.h
# that sid's bpftool (7.8) dumps, kfunc prototypes included, from the BTF of
# a Debian kernel of the matrix (decompressed from its vmlinuz).
#   matrix/sid-variants.sh ROOT DIR KERNEL_ENV TAP
# ROOT, DIR: what matrix/sid-root.sh printed (the built tree in ROOT/DIR);
# KERNEL_ENV: matrix/fetch.sh's SERIES.env of the kernel; TAP: report.
# Exit status: 0 every variant did what it must, 1 otherwise.
# Not set -e: a variant that fails is a TAP line to write, not an error.
set -u
root=$1 dir=$2 kenv=$3 tap=$4
# shellcheck disable=SC1090
. "$kenv"
# shellcheck disable=SC2154 # set by the SERIES.env sourced above
work=$dir/build/vmlinux-$release
mkdir -p "$root$work"
fail() {
	printf 'TAP version 13\n1..1\nnot ok 1 - header_7x::setup: %s\n' "$1" > "$tap"
	exit 1
}
# vmlinuz is a bzImage: the kernel ELF is the first compressed payload.
# shellcheck disable=SC2154 # as above
python3 - "$vmlinuz" "$root$work/vmlinux" <<'PY' || fail "cannot decompress $vmlinuz"
import lzma, subprocess, sys, zlib
data = open(sys.argv[1], 'rb').read()
for magic, how in ((b'\x28\xb5\x2f\xfd', 'zstd'), (b'\xfd7zXZ\x00', 'xz'), (b'\x1f\x8b\x08', 'gzip')):
    i = data.find(magic)
    if i < 0:
        continue
    if how == 'zstd':
        out = subprocess.run(['zstd', '-dcq'], input=data[i:], capture_output=True).stdout
    elif how == 'xz':
        out = lzma.LZMADecompressor().decompress(data[i:])
    else:
        out = zlib.decompressobj(31).decompress(data[i:])
    if out[:4] == b'\x7fELF':
        open(sys.argv[2], 'wb').write(out)
        sys.exit(0)
sys.exit(1)
PY
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	bpftool btf dump file "$work/vmlinux" format c > "$root$work/vmlinux.h" 2> "$root$work/bpftool.log" ||
	fail "bpftool could not dump the BTF of $release: $(tail -n 1 "$root$work/bpftool.log")"
rm -f "$root$work/vmlinux"
grep -q 'bpf_stream_vprintk' "$root$work/vmlinux.h" ||
	fail "the vmlinux.h of $release declares no bpf_stream_vprintk"
# ok_vmlinux_proto_*.c add one kernel's kfunc prototype to the host's
# vmlinux.h: with a real one they would declare it twice.
chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HDR_VARIANTS_SKIP='^ok_vmlinux_proto_' \
	"$dir/tests/header-variants/run.sh" "$dir" "$work" clang > "$root$work/variants.log" 2>&1
rc=$?
cc=$(chroot "$root" clang --version | head -n 1)
{
	echo "TAP version 13"
	# shellcheck disable=SC2016 # ${Version} is dpkg-query's, not the shell's
	echo "# $cc, libbpf $(chroot "$root" dpkg-query -W -f '${Version}' libbpf-dev), vmlinux.h of $release"
	n=0
	while read -r word _ name rest; do
		case $word in
		ok) n=$((n + 1)); echo "ok $n - header_7x::$name" ;;
		FAIL) n=$((n + 1)); echo "not ok $n - header_7x::$name $rest" ;;
		esac
	done < "$root$work/variants.log"
	[ "$n" -gt 0 ] || { n=1; echo "not ok 1 - header_7x::run: no variant compiled (exit $rc)"; }
	echo "1..$n"
} > "$tap"
[ $rc = 0 ]
