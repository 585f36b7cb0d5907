#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian's linux-source-$SERIES (sid) through a private apt
# configuration, cache the .deb outside the source tree, unpack it and make
# a git tree of it (tag "released") for `git am`.
#
#   linux-tree.sh CACHE SERIES
#
# CACHE   e.g. /var/cache/libbpf-stream/linux-source; gets apt/ (private
#         lists and archives), linux-source-SERIES_*.deb and tree-SERIES/
# SERIES  e.g. 7.2
#
# The host's apt sources are never changed and nothing is installed.
# Prints "linux-source VERSION TREE" on success; exits 77 (skip) with
# one line saying why when the archive cannot be reached.
set -eu

cache=$1
series=$2
pkg=linux-source-$series
tree=$cache/tree-$series
aptdir=$cache/apt

mkdir -p "$aptdir/lists/partial" "$aptdir/archives/partial"
cat > "$aptdir/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main
SRC
apt_opts="-o Dir::Etc::sourcelist=$aptdir/sources.list -o Dir::Etc::sourceparts=-
 -o Dir::State::Lists=$aptdir/lists -o Dir::Cache=$aptdir
 -o Dir::Cache::archives=$aptdir/archives -o APT::Get::List-Cleanup=0
 -o Debug::NoLocking=1 -o APT::Sandbox::User=root"

# shellcheck disable=SC2012 # the newest by time; Debian file names are plain
deb=$(ls -t "$cache/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ] || [ -n "${REFRESH:-}" ]; then
	# shellcheck disable=SC2086
	if ! apt-get -qq $apt_opts update >"$aptdir/update.log" 2>&1; then
		if [ -z "$deb" ]; then
			echo "skip: cannot reach Debian's sid archive (apt-get update: $(tail -n 1 "$aptdir/update.log"))"
			exit 77
		fi
	else
		# shellcheck disable=SC2086
		(cd "$cache" && apt-get -qq $apt_opts download "$pkg" >"$aptdir/download.log" 2>&1) || {
			if [ -z "$deb" ]; then
				echo "skip: $pkg not downloadable from sid ($(tail -n 1 "$aptdir/download.log"))"
				exit 77
			fi
		}
		# shellcheck disable=SC2012 # the newest by time; Debian file names are plain
		deb=$(ls -t "$cache/${pkg}_"*.deb | head -n 1)
	fi
fi

version=$(dpkg-deb -f "$deb" Version)
# Bump the format when the tree's layout changes (stale caches are redone).
stamp="$version format-2"
if [ ! -f "$tree/.git/tree-version" ] || [ "$(cat "$tree/.git/tree-version")" != "$stamp" ]; then
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tree.tmp" \
		--wildcards "./usr/src/$pkg.tar.xz"
	tar -xJf "$tree.tmp/usr/src/$pkg.tar.xz" -C "$tree.tmp"
	mv "$tree.tmp/$pkg" "$tree"
	rm -rf "$tree.tmp"
	(
		cd "$tree"
		git init -q
		git config user.name "libbpf-stream"
		git config user.email "libbpf-stream@localhost"
		git config core.autocrlf false
		# Debian's .gitignore ignores everything at the top level.
		git add -A -f
		# Fixed identity and dates: the same .deb gives the same commit.
		GIT_AUTHOR_DATE="@0 +0000" GIT_COMMITTER_DATE="@0 +0000" \
			git commit -q -m "linux-source-$series $version (Debian sid)"
		git tag released
		echo "$stamp" > .git/tree-version
	)
fi
kver=$(make -s -C "$tree" kernelversion 2>/dev/null || echo unknown)
echo "linux-source $version (kernel $kver) $tree"
