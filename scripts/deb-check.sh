#!/usr/bin/env bash
# The Debian packages in `make check` (mk/packages.mk): build them (make deb),
# lintian, then install them and run their autopkgtest (debian/tests/hello:
# examples/hello built against the installed headers, .pc and library, and
# run) where they fit:
#   - this machine (Debian 12), when apt can satisfy their dependencies here;
#     the packages are removed afterwards unless they were installed before;
#   - the Debian sid root of the kernel matrix (matrix/sid-root.sh), when it
#     has been made (make check's matrix makes it before this runs).
# Spoken like a test binary to tests/run-tests.sh: `deb-check.sh -j1
# --tap=FILE` writes one TAP line per check ("# SKIP reason" where a place
# does not fit, with the reason). Logs: $OUT/deb-check/.
# Environment: OUT (build folder, default build), MATRIX_SID_CACHE (as
# matrix/sid-root.sh), DEB_CHECK_HOST=0 / DEB_CHECK_SID=0 leave a place out.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
out=${DEB_CHECK_OUT:-${OUT:-$src/build}}
case $out in /*) ;; *) out=$src/$out ;; esac
tap=/dev/stdout
for a in "$@"; do
	case $a in --tap=*) tap=${a#--tap=} ;; esac
done
logs=$out/deb-check
rm -rf "$logs"
mkdir -p "$logs"
n=0
lines=()
ok() { n=$((n + 1)); lines+=("ok $n - $1"); echo "deb-check: ok - $1"; }
notok() { n=$((n + 1)); lines+=("not ok $n - $1"); echo "deb-check: not ok - $1"; }
skip() { n=$((n + 1)); lines+=("ok $n - $1 # SKIP $2"); echo "deb-check: skip - $1: $2"; }
finish() {
	{ echo "TAP version 13"; echo "1..$n"; printf '%s\n' "${lines[@]}"; } > "$tap"
	exit 0
}
secs() { echo $(( $(date +%s) - $1 )); }
pkgs=(libbpf-stream1 libbpf-stream-dev bpf-stream)

cd "$src" || exit 1
t0=$(date +%s)
if ! make --no-print-directory deb O="$out" > "$logs/deb.log" 2>&1; then
	notok "make deb: $(tail -n 1 "$logs/deb.log")"
	finish
fi
ver=$(dpkg-parsechangelog -S Version)
debs=()
for p in "${pkgs[@]}"; do
	debs+=("$out/deb/${p}_${ver}_$(dpkg --print-architecture).deb")
done
ok "make deb: $ver built in $(secs "$t0") s"

t0=$(date +%s)
if lintian --fail-on error,warning "$out/deb/libbpf-stream_${ver}_"*.changes > "$logs/lintian.log" 2>&1; then
	ok "lintian: no errors or warnings ($(secs "$t0") s)"
else
	notok "lintian: $(grep -E '^[EW]: ' "$logs/lintian.log" | head -n 3 | tr '\n' ' ')"
fi

# The autopkgtest's dependencies are commands here: check them by command
# (Debian 12's pkg-config provides what sid's pkgconf does).
autopkgtest_deps_missing() {
	local c m=""
	for c in bpftool clang gcc llvm-strip pkg-config; do
		"$@" sh -c "command -v $c || [ -x /usr/sbin/$c ]" > /dev/null 2>&1 || m="$m $c"
	done
	echo "$m"
}

# ---- this machine -------------------------------------------------------
host_check() {
	local t0 before m rc
	t0=$(date +%s)
	if [ "$(id -u)" != 0 ]; then
		skip "host: install and autopkgtest" "not root: cannot install packages"
		return
	fi
	# do they fit? apt's own answer, without changing anything
	if ! apt-get install -s -y "${debs[@]}" > "$logs/host-fit.log" 2>&1; then
		skip "host: install and autopkgtest" \
			"the packages do not fit this machine: $(grep -E '^ |^E:' "$logs/host-fit.log" | head -n 3 | tr '\n' ' ')"
		return
	fi
	# shellcheck disable=SC2016
	before=$(dpkg-query -W -f '${Package} ${Status}\n' "${pkgs[@]}" 2>/dev/null | grep -c ' installed$')
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${debs[@]}" \
			> "$logs/host-install.log" 2>&1; then
		notok "host: apt-get install of the packages: $(tail -n 1 "$logs/host-install.log")"
		return
	fi
	ok "host: the packages installed"
	m=$(autopkgtest_deps_missing env)
	if [ -n "$m" ]; then
		skip "host: autopkgtest hello" "test dependencies missing:$m"
	else
		(cd "$src" && AUTOPKGTEST_TMP=$(mktemp -d) debian/tests/hello) > "$logs/host-hello.log" 2>&1
		rc=$?
		case $rc in
		0) ok "host: autopkgtest hello against the installed packages ($(secs "$t0") s)" ;;
		77) skip "host: autopkgtest hello" "$(grep SKIP "$logs/host-hello.log" | head -n 1)" ;;
		*) notok "host: autopkgtest hello: exit $rc: $(tail -n 1 "$logs/host-hello.log")" ;;
		esac
	fi
	if [ "$before" = 0 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${pkgs[@]}" > "$logs/host-purge.log" 2>&1 ||
			notok "host: removing the packages again: $(tail -n 1 "$logs/host-purge.log")"
	fi
}

# ---- the sid root ---------------------------------------------------------
sid_check() {
	local cache root t0 work rc m mounted=() i
	cache=${MATRIX_SID_CACHE:-/var/cache/libbpf-stream/sid}
	[ -d "$cache/root" ] || cache=${XDG_CACHE_HOME:-$HOME/.cache}/libbpf-stream/sid
	root=$cache/root
	if [ ! -e "$root/.libbpf-stream-root" ]; then
		skip "sid root: install and autopkgtest" \
			"no sid root at $root (the kernel matrix makes it: make check with MATRIX_CHECK=1 and MATRIX_SID=1)"
		return
	fi
	if [ "$(id -u)" != 0 ]; then
		skip "sid root: install and autopkgtest" "not root: cannot chroot"
		return
	fi
	# one user of the root at a time (matrix/sid-root.sh takes the same lock)
	t0=$(date +%s)
	exec 9> "$cache/.lock"
	flock 9
	[ "$(secs "$t0")" -gt 1 ] && echo "deb-check: waited $(secs "$t0") s for the sid root's lock"
	t0=$(date +%s)
	mount -t proc proc "$root/proc" && mounted+=("$root/proc")
	mount --bind /sys "$root/sys" && mounted+=("$root/sys")
	mount --bind /dev "$root/dev" && mounted+=("$root/dev")
	mount --bind /dev/pts "$root/dev/pts" && mounted+=("$root/dev/pts")
	work=$(mktemp -d "$root/tmp/deb-check.XXXXXX")
	cp "${debs[@]}" "$work/"
	mkdir -p "$work/src/examples" "$work/src/debian"
	cp -r "$src/examples/hello" "$work/src/examples/"
	cp -r "$src/debian/tests" "$work/src/debian/"
	in_root() {
		chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	}
	local w=${work#"$root"}
	# the root's package lists may be old: update only when apt needs it
	if ! in_root sh -c "apt-get install -y -qq $w/*.deb" > "$logs/sid-install.log" 2>&1 &&
	   ! in_root sh -c "apt-get update -qq && apt-get install -y -qq $w/*.deb" \
			>> "$logs/sid-install.log" 2>&1; then
		notok "sid root: apt-get install of the packages: $(tail -n 1 "$logs/sid-install.log")"
	else
		# shellcheck disable=SC2016
		ok "sid root: the packages installed ($(in_root dpkg-query -W -f '${Version}' libbpf1 2>/dev/null | sed 's/^/libbpf1 /'))"
		m=$(autopkgtest_deps_missing in_root)
		if [ -n "$m" ] && ! in_root sh -c "apt-get install -y -qq bpftool clang gcc llvm pkgconf" \
				>> "$logs/sid-install.log" 2>&1; then
			skip "sid root: autopkgtest hello" "test dependencies missing:$m"
		else
			in_root sh -c "cd $w/src && AUTOPKGTEST_TMP=\$(mktemp -d) debian/tests/hello" \
				> "$logs/sid-hello.log" 2>&1
			rc=$?
			case $rc in
			0) ok "sid root: autopkgtest hello against the installed packages ($(secs "$t0") s)" ;;
			77) skip "sid root: autopkgtest hello" "$(grep SKIP "$logs/sid-hello.log" | head -n 1)" ;;
			*) notok "sid root: autopkgtest hello: exit $rc: $(tail -n 1 "$logs/sid-hello.log")" ;;
			esac
		fi
		# the root builds clean clones of the tree: leave it as it was
		in_root sh -c "apt-get purge -y -qq ${pkgs[*]}" > "$logs/sid-purge.log" 2>&1 ||
			notok "sid root: removing the packages again: $(tail -n 1 "$logs/sid-purge.log")"
	fi
	rm -rf "$work"
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount "${mounted[i]}" 2>/dev/null
	done
	flock -u 9
}

[ "${DEB_CHECK_HOST:-1}" = 1 ] && host_check
[ "${DEB_CHECK_SID:-1}" = 1 ] && sid_check
finish
