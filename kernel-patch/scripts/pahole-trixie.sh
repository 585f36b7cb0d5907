#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A pahole that encodes kfuncs as Debian builds 7.x does. Bookworm's pahole
# 1.24 predates decl_tag_kfuncs (1.26), and a 7.2 built with it keeps the
# five-argument bpf_stream_vprintk in BTF, with no _impl twin, so programs
# that call the four-argument kfunc are refused. This fetches trixie's
# pahole 1.30 and the libraries it needs through a private apt
# configuration (nothing is installed), unpacks them in DIR and writes
# DIR/pahole, a wrapper that runs it with trixie's own dynamic loader.
#
#   pahole-trixie.sh DIR      prints DIR/pahole; exit 77 if unreachable
set -eu

dir=$1
wrapper=$dir/pahole
if [ -x "$wrapper" ] && "$wrapper" --version >/dev/null 2>&1; then
	echo "$wrapper"
	exit 0
fi
apt=$dir/apt
mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$dir/debs"
cat > "$apt/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
SRC
opts="-o Dir::Etc::sourcelist=$apt/sources.list -o Dir::Etc::sourceparts=-
 -o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt -o Debug::NoLocking=1
 -o APT::Sandbox::User=root"
# shellcheck disable=SC2086
apt-get -qq $opts update >/dev/null 2>&1 || { echo "skip: cannot reach trixie"; exit 77; }
# shellcheck disable=SC2086
(cd "$dir/debs" && apt-get -qq $opts download pahole libbpf1 libdw1t64 libelf1t64 \
	libc6 zlib1g libzstd1 liblzma5 libbz2-1.0 >/dev/null 2>&1) ||
	{ echo "skip: cannot download trixie's pahole"; exit 77; }
rm -rf "$dir/root"
for d in "$dir"/debs/*.deb; do
	dpkg-deb -x "$d" "$dir/root"
done
root=$dir/root
cat > "$wrapper" <<W
#!/bin/sh
exec $root/usr/lib64/ld-linux-x86-64.so.2 \\
	--library-path $root/usr/lib/x86_64-linux-gnu:$root/lib/x86_64-linux-gnu \\
	$root/usr/bin/pahole "\$@"
W
chmod +x "$wrapper"
"$wrapper" --version >/dev/null
echo "$wrapper"
