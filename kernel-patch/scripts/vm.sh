#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The long target: a bzImage of the patched tree, booted under QEMU (TCG)
# where vm/stream_guest runs.
#
#   vm.sh kernel TREE BUILD CONFIG PAHOLE   bzImage with BTF from tinyconfig +
#                                           CONFIG (prints the time)
#   vm.sh test   BZIMAGE OUT GUEST BPFOBJ    boot with -cpu max: the stream
#                                           fd (refusals, wake-up, hang-up);
#                                           VM_REFUND=1 adds a -cpu max,-cx16
#                                           boot (kmalloc_nolock() always fails:
#                                           capacity refund, upstream's
#                                           bd2466ed8fc2, not in the series)
#   vm.sh run    BZIMAGE OUT NAME SCRIPT ARGS...  boot once (-cpu $VM_CPU, max) and
#                                           run "sh SCRIPT ARGS... NAME" chrooted
#                                           in the host's root: OUT/results/NAME.log
set -eu

# The initramfs: busybox, and an init that mounts the host's root read-only
# over 9p, chroots into it and runs "$1 MODE" (MODE from the kernel command
# line), its output to /results/MODE.log.
initramfs() {
	out=$1 cmd=$2
	for t in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static cpio:cpio; do
		command -v "${t%%:*}" >/dev/null 2>&1 && continue
		[ "$(id -u)" = 0 ] || { echo "vm: need ${t#*:} (apt-get install ${t#*:})"; exit 1; }
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${t#*:}" >/dev/null
	done
	mkdir -p "$out/initramfs/bin" "$out/results"
	ird=$out/initramfs
	cp /bin/busybox "$ird/bin/busybox"
	cat > "$ird/init" <<INIT
#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /host /results
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
/bin/busybox mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /host
/bin/busybox mount -t 9p -o trans=virtio,version=9p2000.L results /results
for d in proc sys dev; do /bin/busybox mount --bind /\$d /host/\$d; done
/bin/busybox mount -t bpf bpf /host/sys/fs/bpf 2>/dev/null
/bin/busybox mount -t tmpfs tmp /host/tmp
/bin/busybox mkdir -p /host/dev/shm
/bin/busybox mount -t tmpfs shm /host/dev/shm
mode=\$(/bin/busybox sed -n 's/.*stream_mode=\([a-z_]*\).*/\1/p' /proc/cmdline)
/bin/busybox chroot /host $cmd \$mode > /results/\$mode.log 2>&1
echo "exit \$?" >> /results/\$mode.log
/bin/busybox reboot -f
INIT
	chmod +x "$ird/init"
	(cd "$ird" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$out/initramfs.gz"
}

# boot BZIMAGE OUT MODE CPU: one boot, prints OUT/results/MODE.log
boot() {
	bz=$1 out=$2 mode=$3 cpu=$4
	start=$(date +%s)
	rm -f "$out/results/$mode.log"
	timeout 900 qemu-system-x86_64 -accel tcg,thread=single -cpu "$cpu" -m 2G -smp 2 \
		-machine q35 -nographic -no-reboot -kernel "$bz" -initrd "$out/initramfs.gz" \
		-append "console=ttyS0 panic=-1 stream_mode=$mode ${VM_APPEND:-}" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs local,path="$out/results",mount_tag=results,security_model=none \
		> "$out/console-$mode.log" 2>&1 || true
	echo "== $mode (-cpu $cpu, $(( $(date +%s) - start )) s)"
	cat "$out/results/$mode.log" 2>/dev/null || { tail -n 30 "$out/console-$mode.log"; echo "FAIL $mode: no result"; }
}

cmd=$1
shift
case $cmd in
kernel)
	tree=$1 build=$2 config=$3 pahole=$4
	mkdir -p "$build"
	if [ ! -f "$build/.config" ] || ! cmp -s "$config" "$build/.config-fragment"; then
		make -s -C "$tree" O="$build" PAHOLE="$pahole" tinyconfig >/dev/null
		"$tree/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "$config" >/dev/null
		make -s -C "$tree" O="$build" PAHOLE="$pahole" olddefconfig >/dev/null
		cp "$config" "$build/.config-fragment"
	fi
	start=$(date +%s)
	if ! nice -n 10 make -s -C "$tree" O="$build" PAHOLE="$pahole" -j"${JOBS:-2}" bzImage \
			> "$build/bzImage.log" 2>&1; then
		tail -n 40 "$build/bzImage.log"
		exit 1
	fi
	echo "vm: bzImage of $(git -C "$tree" log -1 --format=%s) built in $(( $(date +%s) - start )) s: $build/arch/x86/boot/bzImage"
	;;
test)
	bz=$1 out=$2 guest=$3 obj=$4
	# the guest is run as "GUEST MODE OBJ"
	mkdir -p "$out"
	# shellcheck disable=SC2016 # "$1" is the guest script's own argument
	printf '#!/bin/sh\nexec %s "$1" %s\n' "$guest" "$obj" > "$out/guest.sh"
	chmod +x "$out/guest.sh"
	initramfs "$out" "$out/guest.sh"
	for mode in $([ "${VM_REFUND:-0}" = 1 ] && echo refund) poll; do
		cpu=max
		[ "$mode" = refund ] && cpu=max,-cx16
		boot "$bz" "$out" "$mode" "$cpu"
	done
	! grep -h '^FAIL' "$out/results/"*.log >/dev/null 2>&1
	;;
run)
	bz=$1 out=$2 name=$3 script=$4
	shift 4
	initramfs "$out" "/bin/sh $script $*"
	boot "$bz" "$out" "$name" "${VM_CPU:-max}"
	grep -q '^exit 0$' "$out/results/$name.log"
	;;
esac
