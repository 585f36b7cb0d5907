#!/usr/bin/env bash
# Build the matrix's initramfs for one kernel.
#   matrix/initramfs.sh SERIES.env OUT.cpio.gz
# Contents: busybox (static, from busybox-static), matrix/guest-init as /init,
# and the kernel's 9p modules with everything they depend on, decompressed,
# in load order (/modules.order). Modules the kernel has built in are left
# out. The module list follows the dependencies depmod finds in the
# unpacked package, so it holds on every kernel (6.1 also needs virtio,
# virtio_ring, virtio_pci*, fscache; 6.12+ only netfs and the 9p modules).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
env_file=$1 out=$2
# shellcheck disable=SC1090
. "$env_file"
busybox=${BUSYBOX:-/bin/busybox}
if ! file -L "$busybox" 2>/dev/null | grep -q 'statically linked' &&
   ! ldd "$busybox" 2>&1 | grep -q 'not a dynamic'; then
	echo "initramfs: $busybox is not static (apt install busybox-static)" >&2
	exit 1
fi

work=$(mktemp -d /tmp/bpf-stream-initramfs-XXXXXX)
trap 'rm -rf "$work"' EXIT

# depmod wants BASE/lib/modules/RELEASE; 7.x packages use usr/lib/modules.
base=$work/base
mkdir -p "$base/lib/modules"
# shellcheck disable=SC2154 # set by the SERIES.env sourced above
ln -s "$modules" "$base/lib/modules/$release"
if [ ! -s "$modules/modules.dep" ] || [ "$modules/modules.dep" -ot "$modules/modules.order" ]; then
	depmod -b "$base" "$release"
fi

r=$work/root
mkdir -p "$r"/{bin,dev,proc,sys,host,lib/modules,results}
cp "$busybox" "$r/bin/busybox"
cp "$here/guest-init" "$r/init"
chmod 755 "$r/init" "$r/bin/busybox"
: > "$r/modules.order"
mods=(virtio_pci 9pnet_virtio 9p)
while read -r kind path; do
	[ "$kind" = insmod ] || continue
	f=$(basename "$path")
	case $f in
	*.ko.xz) xz -dc "$path" > "$r/lib/modules/${f%.xz}"; f=${f%.xz} ;;
	*.ko.zst) zstd -qdc "$path" > "$r/lib/modules/${f%.zst}"; f=${f%.zst} ;;
	*.ko.gz) gzip -dc "$path" > "$r/lib/modules/${f%.gz}"; f=${f%.gz} ;;
	*.ko) cp "$path" "$r/lib/modules/$f" ;;
	esac
	grep -qx "$f" "$r/modules.order" || echo "$f" >> "$r/modules.order"
done < <(for m in "${mods[@]}"; do
		modprobe -d "$base" -S "$release" --show-depends "$m" 2>/dev/null ||
			echo "missing $m"
	 done)
(cd "$r" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
echo "initramfs $release: $(tr '\n' ' ' < "$r/modules.order")"
