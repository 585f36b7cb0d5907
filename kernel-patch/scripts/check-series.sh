#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Check the patch series under patches/:
#  - every patch is in git format-patch form (From, Subject, Signed-off-by,
#    a diffstat that matches its hunks);
#  - the files the series adds are byte for byte the ones in this tree
#    (kernel/bpf/stream.c, include/linux/bpf_stream.h);
#  - the series is what scripts/mkseries.py generates (glue hunks included).
# Usage: check-series.sh <kernel-patch dir> <scratch dir>
set -eu
src=$1
out=$2
fail=0
rm -rf "$out"
mkdir -p "$out/tree"

for p in "$src"/patches/*.patch; do
	name=$(basename "$p")
	head -1 "$p" | grep -q '^From [0-9a-f]\{40\} ' || { echo "$name: no From line"; fail=1; }
	grep -q '^Subject: \[PATCH' "$p" || { echo "$name: no Subject"; fail=1; }
	grep -q '^Signed-off-by: ' "$p" || { echo "$name: no Signed-off-by"; fail=1; }
	# diffstat summary written in the patch vs. computed from its hunks
	want=$(sed -n 's/^ \([0-9]* files\{0,1\} changed.*\)$/\1/p' "$p" | head -1)
	got=$(GIT_CEILING_DIRECTORIES="$out" sh -c "cd '$out/tree' && git apply --stat '$p'" |
		tail -1 | sed 's/^ *//')
	[ "$want" = "$got" ] || { echo "$name: diffstat '$want' but hunks give '$got'"; fail=1; }
done

# Apply only the files the series creates to an empty tree and compare.
for p in "$src"/patches/*.patch; do
	(cd "$out/tree" && GIT_CEILING_DIRECTORIES="$out" git apply \
		--include=kernel/bpf/stream.c --include=include/linux/bpf_stream.h "$p")
done
for f in kernel/bpf/stream.c include/linux/bpf_stream.h; do
	if ! cmp -s "$out/tree/$f" "$src/$f"; then
		echo "series: $f differs from $src/$f (regenerate with scripts/mkseries.py)"
		fail=1
	fi
done
# The committed series is exactly what scripts/mkseries.py produces.
if python3 "$src/scripts/mkseries.py" "$out/scratch" "$out/regen" >/dev/null; then
	for p in "$src"/patches/*.patch; do
		# ignore the signature (the git version that generated it)
		sed '/^-- $/,$d' "$p" > "$out/a"
		sed '/^-- $/,$d' "$out/regen/$(basename "$p")" > "$out/b" 2>/dev/null
		cmp -s "$out/a" "$out/b" ||
			{ echo "series: $(basename "$p") is not what scripts/mkseries.py generates"; fail=1; }
	done
else
	echo "series: scripts/mkseries.py failed"; fail=1
fi
if grep -l "not part of any hunk" "$src"/patches/*.patch; then echo "series: filler line in a hunk"; fail=1; fi
[ $fail -eq 0 ] && echo "  series ok: $(ls "$src"/patches/*.patch | wc -l) patches, new files identical to the tree"
exit $fail
