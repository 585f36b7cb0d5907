// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The one feature table of the library (stream_features.h), modelled on libbpf's
 * features.c: each entry is a description and a probe; the cache keeps
 * one answer per feature (unknown, yes, no); tests force an answer with
 * one override. The probes themselves live beside the code that depends
 * on them (probe.c: the stream kfunc; stream_fd.c: stream fds); the read
 * command's probe is small enough to live here.
 *
 * Thread safety: one mutex guards the cache and is held while a probe
 * runs, so a probe runs once even when two threads ask at the same time,
 * and the details a probe records are written before its answer is
 * published. Probes must not ask for another feature (no recursion on the
 * lock); none does.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "stream_internal.h"
#include "stream_features.h"

enum bs_feat_res {
	BS_FEAT_UNKNOWN = 0,
	BS_FEAT_YES,
	BS_FEAT_NO,
};

struct bs_feat_desc {
	const char *desc;
	int (*probe)(void);
};

static const struct bs_feat_desc feats[__BS_FEAT_CNT] = {
	[BS_FEAT_STREAM_READ] = {
		"bpf(2) BPF_PROG_STREAM_READ_BY_FD (Linux 6.17+)", bs_probe_stream_read,
	},
	[BS_FEAT_NATIVE_WRITE] = {
		"a stream kfunc whose writes land (native BPF streams)", bs_probe_native_write,
	},
	[BS_FEAT_STREAM_FD] = {
		"stream fds keeping upstream's contract (Linux 7.4)", bs_probe_stream_fd,
	},
};

static pthread_mutex_t feat_lock = PTHREAD_MUTEX_INITIALIZER;
static enum bs_feat_res feat_res[__BS_FEAT_CNT];
static int feat_force[__BS_FEAT_CNT] = { [0 ... __BS_FEAT_CNT - 1] = -1 };

/*
 * The read command, without a program: a prog fd that cannot be open
 * (0xffffffff) is -EBADF where the command exists (bpf_prog_get() fails)
 * and -EINVAL where the kernel does not know the command. Nothing is read.
 */
int bs_probe_stream_read(void)
{
	struct bs_stream_read_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_fd = -1;
	if (syscall(__NR_bpf, BPF_PROG_STREAM_READ_BY_FD, &attr,
		    bs_offsetofend(struct bs_stream_read_attr, prog_fd)) >= 0)
		return 1; /* cannot happen; a yes all the same */
	switch (errno) {
	case EBADF:
		return 1;
	case EINVAL:
		return 0;
	default: /* EPERM and the like: the probe cannot tell */
		return -errno;
	}
}

int bs_feat_probe(enum bs_feat feat)
{
	int ret;

	if (feat < 0 || feat >= __BS_FEAT_CNT)
		return -EINVAL;
	pthread_mutex_lock(&feat_lock);
	if (feat_force[feat] >= 0) {
		ret = feat_force[feat];
	} else if (feat_res[feat] != BS_FEAT_UNKNOWN) {
		ret = feat_res[feat] == BS_FEAT_YES;
	} else {
		ret = feats[feat].probe();
		if (ret >= 0)
			feat_res[feat] = ret ? BS_FEAT_YES : BS_FEAT_NO;
		pr_debug("feature '%s': %s (%d)\n", feats[feat].desc,
			 ret > 0 ? "yes" : ret == 0 ? "no" : "probe failed", ret);
		if (ret > 0)
			ret = 1;
	}
	pthread_mutex_unlock(&feat_lock);
	return ret;
}

bool bs_feat_supported(enum bs_feat feat)
{
	return bs_feat_probe(feat) > 0;
}

const char *bs_feat_desc(enum bs_feat feat)
{
	return feat >= 0 && feat < __BS_FEAT_CNT ? feats[feat].desc : "unknown feature";
}

void bs_feat_test_override(enum bs_feat feat, int val)
{
	if (feat < 0 || feat >= __BS_FEAT_CNT)
		return;
	pthread_mutex_lock(&feat_lock);
	/* a forced yes probes first, so that the feature's unit has its
	 * details (and can refuse what the kernel lacks) */
	if (val > 0 && feat_force[feat] < 0 && feat_res[feat] == BS_FEAT_UNKNOWN) {
		int ret = feats[feat].probe();

		if (ret >= 0)
			feat_res[feat] = ret ? BS_FEAT_YES : BS_FEAT_NO;
	}
	feat_force[feat] = val < 0 ? -1 : !!val;
	pthread_mutex_unlock(&feat_lock);
}

bool bs_feat_overridden(enum bs_feat feat)
{
	bool ret;

	if (feat < 0 || feat >= __BS_FEAT_CNT)
		return false;
	pthread_mutex_lock(&feat_lock);
	ret = feat_force[feat] >= 0;
	pthread_mutex_unlock(&feat_lock);
	return ret;
}
