#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The patch series on a cached kernel tree (see linux-tree.sh).
#
#   series.sh apply  TREE SERIES_DIR      branch "patched" = released + git am
#   series.sh check  TREE SERIES_DIR OUT  format-patch again, compare byte
#                                         for byte; checkpatch.pl --strict
#   series.sh build  TREE BUILD CONFIG    configure once, make kernel/bpf/
#   series.sh build-each TREE BUILD CONFIG  build kernel/bpf/ after each patch
#   series.sh export TREE SERIES_DIR      write the series from branch "work"
#
# The series is made with fixed identity and dates, so regenerating it
# gives the same bytes: authored in branch "work" of the tree, exported by
# "export", applied with --committer-date-is-author-date.
set -eu

cmd=$1
tree=$2

git_t() { git -C "$tree" "$@"; }

patches() {
	for p in "$1"/0*.patch; do
		case $p in */0000-cover-letter.patch) ;; *) [ -e "$p" ] && echo "$p" ;; esac
	done
}

# format-patch options: no commit ids (they would depend on the base
# commit), no git version signature (it depends on the installed git), and
# blob ids in the "index" lines abbreviated to a fixed 9 digits: git's
# automatic length depends on its version (for this tree git 2.39, Debian
# 12's, gives 9 digits and git 2.55, sid's, gives 7).
format_patch() {
	git_t -c core.abbrev=9 format-patch -q --zero-commit --no-signature --numbered \
		--subject-prefix="RFC PATCH bpf" "$@" >/dev/null
}

case $cmd in
apply)
	dir=$(cd "$3" && pwd)
	hash=$(patches "$dir" | while read -r p; do cat "$p"; done | sha256sum | cut -d' ' -f1)
	if [ "$(git_t rev-parse --abbrev-ref HEAD)" = patched ] &&
	   [ "$(cat "$tree/.git/series-hash" 2>/dev/null)" = "$hash" ] &&
	   [ -z "$(git_t status --porcelain --untracked-files=no)" ]; then
		exit 0
	fi
	git_t am --abort >/dev/null 2>&1 || true
	git_t checkout -q -f -B patched released
	# shellcheck disable=SC2046
	GIT_COMMITTER_NAME=libbpf-stream GIT_COMMITTER_EMAIL=libbpf-stream@localhost \
		git_t am -q --committer-date-is-author-date $(patches "$dir")
	echo "$hash" > "$tree/.git/series-hash"
	echo "series: $(git_t rev-list --count released..patched) patches applied on $(git_t log -1 --format=%s released)"
	;;
check)
	dir=$(cd "$3" && pwd)
	out=$4
	rm -rf "$out"
	mkdir -p "$out"
	format_patch -o "$out" released..patched
	fail=0
	for p in $(patches "$dir"); do
		if ! cmp -s "$p" "$out/$(basename "$p")"; then
			echo "series: $(basename "$p") differs from what git format-patch makes of it:"
			diff -u "$p" "$out/$(basename "$p")" | head -n 20
			fail=1
		fi
	done
	if [ "$(find "$out" -mindepth 1 -maxdepth 1 | wc -l)" != "$(patches "$dir" | wc -l)" ]; then
		echo "series: patch count differs from the regenerated series"
		fail=1
	fi
	for p in $(patches "$dir"); do
		grep -q '^Signed-off-by: ' "$p" || { echo "series: $(basename "$p"): no Signed-off-by"; fail=1; }
		# The tree has no upstream history to resolve Fixes: ids in.
		if ! (cd "$tree" && perl scripts/checkpatch.pl -q --strict \
				--ignore UNKNOWN_COMMIT_ID "$p" > "$out/$(basename "$p").checkpatch" 2>&1); then
			echo "series: checkpatch --strict: $(basename "$p")"
			cat "$out/$(basename "$p").checkpatch"
			fail=1
		fi
	done
	[ $fail = 0 ] && echo "series: $(patches "$dir" | wc -l) patches regenerate byte for byte, checkpatch --strict clean"
	exit $fail
	;;
build|build-each)
	build=$3
	config=$4
	jobs=${JOBS:-2}
	mkdir -p "$build"
	if [ ! -f "$build/.config" ] || ! cmp -s "$config" "$build/.config-fragment"; then
		make -s -C "$tree" O="$build" x86_64_defconfig kvm_guest.config >/dev/null
		"$tree/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "$config" >/dev/null
		make -s -C "$tree" O="$build" olddefconfig >/dev/null
		cp "$config" "$build/.config-fragment"
	fi
	if [ "$cmd" = build ]; then
		start=$(date +%s)
		if ! nice -n 10 make -s -C "$tree" O="$build" -j"$jobs" kernel/bpf/ > "$build/build.log" 2>&1; then
			tail -n 40 "$build/build.log"
			echo "build: kernel/bpf/ of $(git_t log -1 --format=%s) FAILED"
			exit 1
		fi
		echo "build: kernel/bpf/ of $(git_t log -1 --format=%s) built in $(( $(date +%s) - start )) s"
		exit 0
	fi
	head=$(git_t rev-parse --abbrev-ref HEAD)
	for c in $(git_t rev-list --reverse released..patched); do
		git_t checkout -q "$c"
		start=$(date +%s)
		if ! nice -n 10 make -s -C "$tree" O="$build" -j"$jobs" kernel/bpf/ > "$build/build-each.log" 2>&1; then
			tail -n 30 "$build/build-each.log"
			echo "build: kernel/bpf/ FAILS after: $(git_t log -1 --format=%s)"
			git_t checkout -q "$head"
			exit 1
		fi
		echo "build: kernel/bpf/ OK after: $(git_t log -1 --format=%s) ($(( $(date +%s) - start )) s)"
	done
	git_t checkout -q "$head"
	;;
export)
	dir=$(cd "$3" && pwd)
	mkdir -p "$dir"
	rm -f "$dir"/0*.patch.new
	patches "$dir" | while read -r p; do rm -f "$p"; done
	format_patch -o "$dir" released..work
	ls "$dir"
	;;
*)
	echo "usage: series.sh apply|check|build|build-each|export TREE ..." >&2
	exit 2
	;;
esac
