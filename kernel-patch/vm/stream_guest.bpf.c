// SPDX-License-Identifier: GPL-2.0
/*
 * Programs for the guest test (vm/stream_guest.c) on a 7.2 kernel: the
 * four-argument bpf_stream_vprintk() kfunc, whose aux argument the
 * verifier supplies.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define ENOMEM	12
#define ENOSPC	28
#define MSG54	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

extern int bpf_stream_vprintk(int stream_id, const char *fmt__str, const void *args,
			      __u32 len__sz) __ksym;

int ok_cnt, enomem_cnt, enospc_cnt, other_cnt;

static long one_write(__u64 i, void *ctx)
{
	static const char fmt[] = "%s";
	static const char msg[] = MSG54;
	__u64 args[1] = { (__u64)(unsigned long)msg };
	int ret = bpf_stream_vprintk(1, fmt, args, sizeof(args));

	if (!ret)
		ok_cnt++;
	else if (ret == -ENOMEM)
		enomem_cnt++;
	else if (ret == -ENOSPC)
		enospc_cnt++;
	else
		other_cnt++;
	return 0;
}

/* 4000 writes of 54 bytes in one run (bpf_loop: too many branches unrolled) */
SEC("syscall")
int refund(void *ctx)
{
	bpf_loop(4000, one_write, NULL, 0);
	return 0;
}

SEC("syscall")
int hello(void *ctx)
{
	static const char fmt[] = "foo";
	__u64 args[1] = { 0 };

	return bpf_stream_vprintk(1, fmt, args, 0);
}

char _license[] SEC("license") = "GPL";
