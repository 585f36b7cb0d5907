#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The selftests of patch 8 without the full selftests build (too heavy for
# two shared cores): the files of tag "released" of the cached tree with
# the series SERIES_DIR applied (patch -p1, outside the tree), then
# tools/testing/selftests/bpf/{progs,prog_tests}/stream.c compiled as the
# selftests Makefile does, against that tree's own libbpf, bpftool and
# test_progs.h, with the tree's test_loader.c (RUN_TESTS()) and the helpers
# it calls, and linked with vm/selftests/shim.c, a small stand-in for
# test_progs. The subtests the kernel's config (the .config beside VMLINUX)
# cannot pass are listed with their reasons in OUT/skips
# (vm/selftests/config-skips, beside SHIM), which the shim reports as SKIP.
#
#   selftests.sh TREE SERIES_DIR VMLINUX SHIM OUT  -> OUT/stream_selftests, OUT/run.sh
#
# Read-only on TREE (git archive). Needs clang-19 (address spaces for the
# arena programs), libelf and zlib. One workaround: the arena kfunc
# prototypes that bpftool dumps into vmlinux.h (void *) are dropped, as they
# conflict with libarena's __arena ones (address_space(1)).
set -eu

tree=$1 series=$(cd "$2" && pwd) vmlinux=$(realpath "$3") shim=$(realpath "$4") out=$(realpath -m "$5")
src=$out/src
st=$src/tools/testing/selftests/bpf
clang=${BPF_CLANG:-clang-19}
rm -rf "$src"
mkdir -p "$src" "$out/inc" "$out/bpftool"
git -C "$tree" archive released tools include kernel/bpf scripts/bpf_doc.py | tar -x -C "$src"
for p in "$series"/0*.patch; do
	case $p in */0000-*) continue ;; esac
	patch -s -p1 -d "$src" --no-backup-if-mismatch < "$p"
done
python3 "$src/scripts/bpf_doc.py" --header --file "$src/tools/include/uapi/linux/bpf.h" \
	> "$src/tools/lib/bpf/bpf_helper_defs.h"
nice -n 10 make -s -C "$src/tools/bpf/bpftool" OUTPUT="$out/bpftool/" CLANG="$clang" \
	-j"${JOBS:-2}" > "$out/bpftool.log" 2>&1 || { tail -n 20 "$out/bpftool.log"; exit 1; }
rm -rf "$out/inc/bpf"
cp -r "$src/tools/lib/bpf" "$out/inc/bpf"
"$out/bpftool/bpftool" btf dump file "$vmlinux" format c |
	sed '/^extern .*bpf_arena_\(alloc\|free\|reserve\)_pages(/d' > "$out/vmlinux.h"
cd "$st"
for p in stream stream_fail; do
	"$clang" -g -Wall -Werror -D__TARGET_ARCH_x86 -mlittle-endian -I"$out" -I"$out/inc" -I. \
		-I../../../include/uapi -I../../../include -Ilibarena/include -std=gnu11 \
		-fno-strict-aliasing -Wno-microsoft-anon-tag -fms-extensions \
		-Wno-compare-distinct-pointer-types -Wno-initializer-overrides \
		-idirafter "$("$clang" -print-resource-dir)/include" \
		-idirafter /usr/include/x86_64-linux-gnu -idirafter /usr/include \
		-target bpf -O2 -mcpu=v3 -c "progs/$p.c" -o "$out/$p.bpf.o"
	"$out/bpftool/bpftool" gen object "$out/$p.linked.o" "$out/$p.bpf.o"
	"$out/bpftool/bpftool" gen skeleton "$out/$p.linked.o" name "$p" > "$out/$p.skel.h"
done
# The selftests Makefile's flags for test_progs' objects (-O0 unless
# RELEASE=1). test_loader.c and the helpers it calls are compiled unmodified;
# jit_disasm_helpers.c without LLVM (its __jited checks skip, as in a
# selftests build without LLVM development libs; progs/stream*.c have none).
cflags="-g -O0 -std=gnu11 -Wall -Werror -fno-omit-frame-pointer -Wno-unused-but-set-variable"
cflags="$cflags -D_GNU_SOURCE -I. -I$out/inc -I../../../lib -I../../../include"
cflags="$cflags -I../../../include/uapi -I$out"
# $cflags and $objs below are word lists: split on purpose (no spaces in paths)
# shellcheck disable=SC2086
${CC:-cc} $cflags -c prog_tests/stream.c -o "$out/prog_stream.o"
objs="$out/prog_stream.o"
for f in test_loader testing_helpers cap_helpers unpriv_helpers disasm_helpers disasm \
	jit_disasm_helpers; do
	# shellcheck disable=SC2086
	${CC:-cc} $cflags -c "$f.c" -o "$out/$f.o"
	objs="$objs $out/$f.o"
done
# shellcheck disable=SC2086
${CC:-cc} $cflags -c "$shim" -o "$out/shim.o"
# shellcheck disable=SC2086
${CC:-cc} -rdynamic -o "$out/stream_selftests" "$out/shim.o" $objs \
	"$out/bpftool/libbpf/libbpf.a" -lelf -lz
# The subtests this kernel's config cannot pass (vm/selftests/config-skips),
# with their reasons, for the shim's -s.
config=$(dirname "$vmlinux")/.config
: > "$out/skips"
while read -r opt name reason; do
	case $opt in ''|'#'*) continue ;; esac
	grep -q "^$opt=y" "$config" ||
		printf '%s\t%s is not set: %s\n' "$name" "$opt" "$reason" >> "$out/skips"
done < "$(dirname "$shim")/config-skips"
# run.sh MODE (in the guest): every test (the refund test of the earlier
# series, run alone on -cpu max,-cx16, went with upstream's fix)
cat > "$out/run.sh" <<RUN
#!/bin/sh
cd /tmp
echo "kernel: Linux \$(uname -r)"
set --
exec $out/stream_selftests -s $out/skips "\$@"
RUN
n=0
for p in "$series"/0*.patch; do
	case $p in */0000-*) ;; *) [ -e "$p" ] && n=$((n + 1)) ;; esac
done
echo "selftests: $out/stream_selftests ($(git -C "$tree" log -1 --format=%s released) + $n patches)"
