#!/bin/sh
# Print the URI of the Debian archive the host's apt uses (the first "deb"
# source whose suites are Debian's own, not the security archive), so the
# matrix fetches from the same place without naming it anywhere.
#   matrix/mirror.sh    -> e.g. the URI of /etc/apt/sources.list.d/debian.sources
set -eu
for f in /etc/apt/sources.list.d/*.sources; do
	[ -r "$f" ] || continue
	awk '
		/^[Tt]ypes:/ { deb = ($0 ~ /(^|[ \t])deb([ \t]|$)/) }
		/^URIs:/ { uri = $2 }
		/^Suites:/ { if (deb && uri != "" && $0 !~ /-security/) { print uri; found = 1; exit } }
		/^$/ { deb = 0; uri = "" }
		END { exit !found }
	' "$f" && exit 0
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -r "$f" ] || continue
	awk '$1 == "deb" && $0 !~ /-security/ {
		for (i = 2; i <= NF; i++) if ($i !~ /^\[/) { print $i; found = 1; exit }
	} END { exit !found }' "$f" && exit 0
done
exit 1
