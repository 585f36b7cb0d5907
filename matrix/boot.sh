#!/usr/bin/env bash
# Boot one fetched kernel under QEMU and run the suites inside it.
#   matrix/boot.sh SERIES RESULTS
# The host's root is shared read-only over 9p (tag hostroot), RESULTS
# writable (tag results); matrix/guest-init mounts both and runs
# matrix/guest-run.sh in a chroot of the host's root. Environment:
#   MATRIX_CACHE      kernel cache (matrix/fetch.sh wrote SERIES.env there)
#   MATRIX_OUT        build folder (test binaries, examples, probe)
#   MATRIX_TESTS      test binaries to run inside
#   MATRIX_FILTER     Criterion --filter for them (optional)
#   MATRIX_ACCEL      tcg (default) or kvm
#   MATRIX_GUEST_TIMEOUT  seconds before the guest is killed (default 1500)
#   MATRIX_PROBE_ONLY=1   boot, write RESULTS/booted, power off (KVM check)
# Writes RESULTS/console.log, qemu-rc, time-wall; exit status 0 when the
# guest ran to its end (RESULTS/guest-rc exists).
# Not set -e: QEMU's exit and the guest's failures are results written to
# RESULTS (qemu-rc, guest-rc), not errors of this script.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# MATRIX_ROOT: the root file system the guest runs in (default the host's,
# /; matrix/sid-root.sh makes a Debian sid one) and MATRIX_GUEST_SRC this
# tree's path inside it.
src=${MATRIX_GUEST_SRC:-$(dirname "$here")}
series=$1 res=$2
cache=${MATRIX_CACHE:-/var/cache/libbpf-stream/kernels}
# shellcheck disable=SC1090
. "$cache/$series.env"
rm -rf "$res"
mkdir -p "$res"
cp "$cache/$series.env" "$res/kernel.env"
initrd=$res/initramfs.cpio.gz
"$here/initramfs.sh" "$cache/$series.env" "$initrd" > "$res/initramfs.log" 2>&1 || {
	echo "matrix: $series: initramfs failed: $(tail -n 1 "$res/initramfs.log")" >&2
	exit 1
}
cat > "$res/config" <<CFG
MATRIX_SRC='$src'
MATRIX_OUT='${MATRIX_OUT:?}'
MATRIX_TESTS='${MATRIX_TESTS:-}'
MATRIX_FILTER='${MATRIX_FILTER:-}'
MATRIX_EXAMPLES='${MATRIX_EXAMPLES:-1}'
MATRIX_TEST_TIMEOUT='${MATRIX_TEST_TIMEOUT:-900}'
MATRIX_PROBE_ONLY='${MATRIX_PROBE_ONLY:-0}'
MATRIX_TEST_SCALE='${MATRIX_TEST_SCALE:-10}'
CFG
# shellcheck disable=SC2054 # "tcg,thread=single" is one QEMU argument
case ${MATRIX_ACCEL:-tcg} in
kvm) accel=(-accel kvm -cpu host) ;;
*) accel=(-accel tcg,thread=single -cpu max) ;;
esac
# no_timer_check: under a loaded TCG host the kernel's IO-APIC timer check
# can time out and panic before init ("IO-APIC + timer doesn't work!").
boot() {
	# shellcheck disable=SC2154 # set by the SERIES.env sourced above
	timeout --kill-after=10 "${MATRIX_GUEST_TIMEOUT:-1500}" \
		qemu-system-x86_64 "${accel[@]}" -m 2G -smp 2 -machine q35 -nographic -no-reboot \
		-nic none -kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 oops=panic loglevel=4 no_timer_check rdinit=/init" \
		-virtfs "local,path=${MATRIX_ROOT:-/},mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
		-virtfs "local,path=$res,mount_tag=results,security_model=none,multidevs=remap" \
		< /dev/null > "$res/console.log" 2>&1
}
t0=$(date +%s)
boot
rc=$?
# A guest that never reached /init is booted once more (its first console
# is kept as console-1.log); a second failure stands.
if [ ! -e "$res/booted" ] && [ $rc -ne 124 ] && [ "${MATRIX_PROBE_ONLY:-0}" != 1 ]; then
	mv "$res/console.log" "$res/console-1.log"
	echo "matrix: $series: no boot (qemu exit $rc), once more" >&2
	boot
	rc=$?
fi
(exit $rc)
echo $? > "$res/qemu-rc"
echo $(( $(date +%s) - t0 )) > "$res/time-wall"
[ -e "$res/guest-rc" ]
