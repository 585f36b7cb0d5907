/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the running kernel offers, asked once per process (features.c): one
 * table of { description, probe }, one cache, one test override, as
 * libbpf's features.c. Private: never installed; the CLI, linked with the
 * static library, asks here too instead of probing on its own. (Not named
 * features.h: glibc has one, and this folder is on the include path.)
 */
#ifndef __LIBBPF_STREAM_STREAM_FEATURES_H
#define __LIBBPF_STREAM_STREAM_FEATURES_H

#include <stdbool.h>

enum bs_feat {
	/* bpf(2) BPF_PROG_STREAM_READ_BY_FD (Linux 6.17+) */
	BS_FEAT_STREAM_READ,
	/* a stream kfunc programs can call, whose write lands and reads back
	 * (probe.c; its details through bs_kernel_probe()) */
	BS_FEAT_NATIVE_WRITE,
	/* stream fds keeping upstream's contract, Linux 7.4 (stream_fd.c) */
	BS_FEAT_STREAM_FD,
	__BS_FEAT_CNT,
};

/*
 * Is @feat there? Probed on first use and cached (thread-safe: a feature's
 * probe runs once, other callers wait for its answer).
 * Return: 1 yes, 0 no, or -errno when the probe itself could not tell (not
 * cached: the next call probes again).
 */
int bs_feat_probe(enum bs_feat feat);
/* bs_feat_probe() as a yes/no: a failed probe reads as "no". */
bool bs_feat_supported(enum bs_feat feat);
/* One line saying what @feat is, for debug output and tests. */
const char *bs_feat_desc(enum bs_feat feat);

/*
 * Test hook (never exported): from now on answer @feat with @val (1 yes,
 * 0 no) whatever the kernel has; -1 goes back to the probe's answer.
 * Readers see it at their later __add_* calls, transports at their next
 * bpf_stream_prepare(). Where a feature carries details (the kfunc of
 * BS_FEAT_NATIVE_WRITE, the opener of BS_FEAT_STREAM_FD), its unit decides
 * what a forced answer means (probe.c, stream_fd.c).
 */
void bs_feat_test_override(enum bs_feat feat, int val);
/* Is @feat's answer forced by bs_feat_test_override()? */
bool bs_feat_overridden(enum bs_feat feat);

/* The probes of the table, one per feature, in their own units: each
 * returns 1, 0 or -errno, and may keep details for its unit's accessors
 * (written before the cache publishes the answer). */
int bs_probe_stream_read(void);
int bs_probe_native_write(void);
int bs_probe_stream_fd(void);

#endif /* __LIBBPF_STREAM_STREAM_FEATURES_H */
