/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Upper bounds of timing assertions, scaled for slow machines. Under QEMU's
 * emulation (the kernel matrix) everything runs about ten times slower, so
 * the matrix's guests set BPF_STREAM_TEST_SCALE=10 (matrix/boot.sh,
 * MATRIX_TEST_SCALE). Only limits of "at most this long" are scaled; "at
 * least this long" (a timeout honoured) never is.
 */
#ifndef __TIME_SCALE_H
#define __TIME_SCALE_H

/* BPF_STREAM_TEST_SCALE as a whole number >= 1 (default 1). */
long long time_scale(void);

/* An upper time bound @t (any unit) on this machine. */
#define TS_MAX(t) ((long long)(t) * time_scale())

#endif /* __TIME_SCALE_H */
