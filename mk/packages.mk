# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The Debian packages in `make check` (issue 22): scripts/deb-check.sh
# builds them (make deb), runs lintian, installs them on this machine where
# apt says they fit and in the kernel matrix's sid root, and runs their
# autopkgtest (debian/tests/hello) in both; one TAP line per check, counted
# by tests/run-tests.sh like a test binary. Included after matrix.mk, so it
# runs after the matrix, which makes the sid root.
#
# DEB_CHECK=0 leaves it out. Default: on where the matrix is
# (MATRIX_CHECK=1); a make check inside the sid root (MATRIX_CHECK=0) does not
# build packages again: the host's run installs and tests them there.
DEB_CHECK ?= $(MATRIX_CHECK)
export DEB_CHECK_OUT := $(OUT)

ifeq ($(DEB_CHECK),1)
CHECK_EXTRA_BINS += scripts/deb-check.sh
endif
