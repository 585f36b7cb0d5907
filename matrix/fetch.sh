#!/usr/bin/env bash
# Fetch one Debian kernel series for the matrix and unpack it (dpkg -x).
#   matrix/fetch.sh SERIES
# Uses its own apt configuration under $MATRIX_CACHE/apt (the host's apt
# sources, lists and cache are never touched, nothing is installed), picks
# the newest version of SERIES that apt finds in the suite kernels.list
# names, downloads the packages to $MATRIX_CACHE/debs and unpacks them to
# $MATRIX_CACHE/root/RELEASE. Writes $MATRIX_CACHE/SERIES.env:
#   version=6.17.13-1~bpo13+1  release=6.17.13+deb13-amd64
#   vmlinuz=PATH  modules=PATH
# and prints one line: "fetch SERIES: VERSION (RELEASE)". A series that is no
# longer in the archive prints "fetch SERIES: skipped: REASON" and exits 2.
# Without network, a series fetched before is used from the cache.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
series=$1
cache=${MATRIX_CACHE:-/var/cache/libbpf-stream/kernels}
# The archive the host's apt uses (matrix/mirror.sh), its security archive beside it.
mirror=${MATRIX_MIRROR:-$("$here/mirror.sh" 2>/dev/null || echo http://deb.debian.org/debian)}
mirror=${mirror%/}
security=${MATRIX_SECURITY_MIRROR:-${mirror%/debian}/debian-security}
keyring=${MATRIX_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

line=$(awk -v s="$series" '$1 == s' "$here/kernels.list")
if [ -z "$line" ]; then
	echo "fetch $series: not in matrix/kernels.list" >&2
	exit 1
fi
suite=$(echo "$line" | awk '{print $2}')
kind=$(echo "$line" | awk '{print $3}')

apt_dir=$cache/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/empty.d" \
	"$cache/debs" "$cache/root"
apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o "Dir::Etc::sourceparts=$apt_dir/empty.d"
	  -o "Dir::Etc::preferences=$apt_dir/empty.d/none" -o "Dir::Etc::preferencesparts=$apt_dir/empty.d"
	  -o APT::Sandbox::User=root
	  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
	  -o Dir::State::status=/dev/null -o Debug::NoLocking=1 -o APT::Get::List-Cleanup=0)

# One apt update per matrix run (run.sh sets MATRIX_APT_UPDATED), serialised.
update_lists() {
	local sig=[signed-by=$keyring]
	cat > "$apt_dir/sources.list.tmp" <<SRC
deb $sig $mirror bookworm main
deb $sig $mirror bookworm-updates main
deb $sig $security bookworm-security main
deb $sig $mirror trixie-backports main
deb $sig $mirror sid main
SRC
	mv "$apt_dir/sources.list.tmp" "$apt_dir/sources.list"
	apt-get "${apt_opts[@]}" -qq update > "$apt_dir/update.log" 2>&1
}
(
	flock 9
	stamp=$apt_dir/updated.${MATRIX_RUN_ID:-$$}
	if [ ! -e "$stamp" ]; then
		if update_lists; then
			rm -f "$apt_dir"/updated.* "$apt_dir/update-failed"; touch "$stamp"
		else
			tail -n 1 "$apt_dir/update.log" > "$apt_dir/update-failed"
			touch "$stamp"
		fi
	fi
) 9> "$apt_dir/lock"

from_cache() {
	if [ -s "$cache/$series.env" ]; then
		# shellcheck disable=SC1090
		. "$cache/$series.env"
		if [ -r "$vmlinuz" ]; then
			# shellcheck disable=SC2154 # set by the SERIES.env sourced above
			echo "fetch $series: $version ($release) from the cache: $1"
			exit 0
		fi
	fi
	echo "fetch $series: skipped: $1"
	exit 2
}

# apt-get update only warns when an archive cannot be reached: without a
# package list of the series' suite (not even a stale one) nothing can be
# fetched.
if ! ls "$apt_dir"/lists/*_dists_"${suite}"_main_binary-amd64_Packages* > /dev/null 2>&1; then
	why=$(grep -m 1 -F "/dists/$suite/" "$apt_dir/update.log" 2>/dev/null | sed 's/^[WE]: //')
	from_cache "no package list of $suite: the archive cannot be reached (${why:-$(cat "$apt_dir/update-failed" 2>/dev/null)})"
fi

# Candidates of the series: linux-image-6.1.0-57-amd64, linux-image-6.17.13+deb13-amd64,
# linux-binary-7.2.13+deb14-amd64. Newest by package version.
re_series=${series//./\\.}
case $kind in
image) name_re="^linux-image-${re_series}(\.[0-9]+|\.0-[0-9]+)(\+deb[0-9]+)?-amd64\$" ;;
binary) name_re="^linux-binary-${re_series}\.[0-9]+(\+deb[0-9]+)?-amd64\$" ;;
*) echo "fetch $series: bad kind $kind" >&2; exit 1 ;;
esac
best_pkg='' best_ver=
mapfile -t names < <(apt-cache "${apt_opts[@]}" --names-only search "$name_re" 2>/dev/null |
		     awk '{print $1}')
if [ ${#names[@]} -gt 0 ]; then
	while read -r pkg ver; do
		if [ -z "$best_ver" ] || dpkg --compare-versions "$ver" gt "$best_ver"; then
			best_pkg=$pkg best_ver=$ver
		fi
	done < <(apt-cache "${apt_opts[@]}" show --no-all-versions "${names[@]}" 2>/dev/null |
		 awk '/^Package: /{p=$2} /^Version: /{print p, $2}')
fi
[ -n "$best_pkg" ] || from_cache "no $series kernel in $suite any more (apt finds no package matching $name_re)"

release=${best_pkg#linux-image-}
release=${release#linux-binary-}
pkgs=("$best_pkg")
[ "$kind" = binary ] && pkgs+=("linux-modules-$release")

root=$cache/root/$release
if [ ! -e "$root/.unpacked" ]; then
	for p in "${pkgs[@]}"; do
		# shellcheck disable=SC2012 # the first match; Debian file names are plain
		deb=$(ls "$cache/debs/${p}_"*.deb 2>/dev/null | head -n 1 || true)
		if [ -z "$deb" ]; then
			(cd "$cache/debs" && apt-get "${apt_opts[@]}" -qq download "$p" > /dev/null) ||
				from_cache "apt-get download $p failed"
			# shellcheck disable=SC2012 # as above
			deb=$(ls "$cache/debs/${p}_"*.deb | head -n 1)
		fi
		rm -rf "$root.tmp"; mkdir -p "$root.tmp"
		dpkg -x "$deb" "$root.tmp"
		cp -a "$root.tmp/." "$root/" 2>/dev/null || { mkdir -p "$root"; cp -a "$root.tmp/." "$root/"; }
		rm -rf "$root.tmp"
	done
	touch "$root/.unpacked"
fi

vmlinuz=
for v in "$root/boot/vmlinuz-$release" "$root/usr/lib/modules/$release/vmlinuz" \
	 "$root/lib/modules/$release/vmlinuz"; do
	[ -r "$v" ] && { vmlinuz=$v; break; }
done
modules=
for m in "$root/lib/modules/$release" "$root/usr/lib/modules/$release"; do
	[ -d "$m/kernel" ] && { modules=$m; break; }
done
if [ -z "$vmlinuz" ] || [ -z "$modules" ]; then
	echo "fetch $series: $best_pkg $best_ver has no vmlinuz or no modules under $root" >&2
	exit 1
fi
cat > "$cache/$series.env.tmp" <<ENV
version=$best_ver
release=$release
vmlinuz=$vmlinuz
modules=$modules
ENV
mv "$cache/$series.env.tmp" "$cache/$series.env"
echo "fetch $series: $best_ver ($release) from $suite"
