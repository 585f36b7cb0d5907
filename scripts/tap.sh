# shellcheck shell=bash
# shellcheck disable=SC2034 # tap_* are what the sourcing scripts read
# The one TAP counter of the project, sourced by tests/run-tests.sh (make
# check), matrix/table.sh (the kernel matrix's table) and matrix/run.sh (its
# closing line):  . scripts/tap.sh
#
# A TAP line is one of (tap_class; tap_count counts the same classes):
#   pass   "ok ..." without a SKIP directive
#   skip   "ok ... # SKIP why"
#   fail   "not ok ..."
#   none   anything else, and "ok ... # SKIP test was skipped": Criterion's
#          line for a test a --filter left out, which did not run and is
#          not counted
# A report whose program exited non-zero without a failed test counts one
# more failure (a crash after the last test, a sanitizer's exit status).
# Sourced, it sets no shell options of its own.

# tap_class LINE: set tap_cls to pass, skip, fail or none (no subshell:
# called once per line of reports with thousands of lines).
tap_class() {
	case $1 in
	"ok "*"# SKIP test was skipped") tap_cls=none ;;
	"ok "*"# SKIP"*) tap_cls=skip ;;
	"ok "*) tap_cls=pass ;;
	"not ok "*) tap_cls=fail ;;
	*) tap_cls=none ;;
	esac
}

# tap_count FILE [RC]: count FILE's lines (RC: its program's exit status,
# default 0). Sets tap_passed, tap_failed, tap_skipped; tap_exit_fail is 1
# when RC is non-zero and no test failed, and that failure is included in
# tap_failed. A missing or empty FILE counts nothing (the caller decides
# what a missing report means).
tap_count() {
	local file=$1 rc=${2:-0} counts="0 0 0"
	[ -r "$file" ] && counts=$(awk '
		/^ok .*# SKIP test was skipped$/ { next }
		/^ok .*# SKIP/ { s++; next }
		/^ok / { p++; next }
		/^not ok / { f++; next }
		END { printf "%d %d %d\n", p, f, s }' "$file")
	read -r tap_passed tap_failed tap_skipped <<< "$counts"
	tap_exit_fail=0
	if [ "$rc" != 0 ] && [ "$tap_failed" -eq 0 ]; then
		tap_exit_fail=1
		tap_failed=1
	fi
}
