// SPDX-License-Identifier: GPL-2.0
/* The kfunc's argument checks, the bprintf rules and what gets stored. */
#include <errno.h>
#include <stdlib.h>
#include "test.h"

static int read_str(struct bpf_prog *prog, char *buf, size_t cap)
{
	long n = drain(prog, BPF_STDOUT, buf, cap - 1, 4096);

	if (n >= 0)
		buf[n] = 0;
	return n;
}

TEST(no_nul_byte_is_stored)
{
	struct bpf_prog *prog = prog_new();
	char buf[32];

	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "foo"), 0))
		goto out;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "bar%d", 1), 0))
		goto out;
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), 7))
		goto out;
	if (!ASSERT_EQ(read_str(prog, buf, sizeof(buf)), 7))
		goto out;
	if (!ASSERT_MEM(buf, "foobar1", 8))
		goto out;
	/* an empty message queues nothing */
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, ""), 0))
		goto out;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "%s", PTR("")), 0))
		goto out;
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), 0))
		goto out;
out:
	prog_free(prog);
}

TEST(conversions_format_like_the_kernel)
{
	struct bpf_prog *prog = prog_new();
	unsigned char ip[4] = { 10, 0, 0, 1 };
	char buf[256];
	const char *exp = "d=-5 u=4294967295 x=ff X=FF ld=-7 llx=123456789abc c=Z "
			  "s=str w=[   42] l=[42   ] z=[00042] %ip=10.0.0.1 end";

	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT,
			      "d=%d u=%u x=%x X=%X ld=%ld llx=%llx c=%c s=%s w=[%5d] "
			      "l=[%-5d] z=[%05d] %%ip=%pI4 end",
			      (u64)-5, (u64)0xffffffffu, 255, 255, (u64)-7,
			      0x123456789abcull, 'Z', PTR("str"), 42, 42, 42, PTR(ip)), 0))
		goto out;
	if (!ASSERT_EQ(read_str(prog, buf, sizeof(buf)), strlen(exp)))
		goto out;
	if (!ASSERT_MEM(buf, exp, strlen(exp) + 1))
		goto out;
out:
	prog_free(prog);
}

TEST(twelve_arguments_accepted)
{
	struct bpf_prog *prog = prog_new();
	char buf[64];

	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "%d%d%d%d%d%d%d%d%d%d%d%d",
			      1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2), 0))
		goto out;
	if (!ASSERT_EQ(read_str(prog, buf, sizeof(buf)), 12))
		goto out;
	if (!ASSERT_MEM(buf, "123456789012", 13))
		goto out;
out:
	prog_free(prog);
}

TEST(bad_arguments_and_formats_are_einval_and_queue_nothing)
{
	struct bpf_prog *prog = prog_new();
	u64 args[13] = { 0 };
	int i;
	static const char *const bad[] = {
		"%f", "%n", "%.2d", "%hd", "%q", "%pZ", "%lu%", "tab\x01", "%5.1s",
		"%sx", "%ks1",
	};

	for (i = 0; i < (int)ARRAY_SIZE(bad); i++) {
		int ret = bpf_stream_vprintk(BPF_STDOUT, bad[i], args, 8, prog->aux);

		if (ret != -EINVAL)
			test_fail(__FILE__, __LINE__, "format \"%s\": got %d, expected %d",
				  bad[i], ret, -EINVAL);
	}
	/* more conversions than arguments */
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "%d %d", 1), -EINVAL))
		goto out;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "%s"), -EINVAL))
		goto out;
	/* length not a multiple of 8, too many arguments, NULL args */
	if (!ASSERT_EQ(bpf_stream_vprintk(BPF_STDOUT, "%d", args, 4, prog->aux), -EINVAL))
		goto out;
	if (!ASSERT_EQ(bpf_stream_vprintk(BPF_STDOUT, "%d", args, 13 * 8, prog->aux), -EINVAL))
		goto out;
	if (!ASSERT_EQ(bpf_stream_vprintk(BPF_STDOUT, "%d", NULL, 8, prog->aux), -EINVAL))
		goto out;
	/* NULL args with no arguments is fine for the kfunc itself */
	if (!ASSERT_EQ(bpf_stream_vprintk(BPF_STDOUT, "ok", NULL, 0, prog->aux), 0))
		goto out;
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), 2))
		goto out;
out:
	prog_free(prog);
}

/*
 * Upstream's rule (7.4, "Reject oversized bpf_stream_vprintk output with
 * -E2BIG"): output that does not fit one message is refused whole, before
 * the capacity is charged; up to BPF_STREAM_MSG_MAX bytes is queued.
 */
TEST(oversize_message_is_e2big_and_charges_nothing)
{
	struct bpf_prog *prog = prog_new();
	char *big = malloc(3000), *buf = malloc(4096);

	memset(big, 'a', 2999);
	big[2999] = 0;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "%s", PTR(big)), -E2BIG))
		goto out;
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), 0))
		goto out;
	big[BPF_STREAM_MSG_MAX + 1] = 0;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "%s", PTR(big)), -E2BIG))
		goto out;
	big[BPF_STREAM_MSG_MAX] = 0;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "<%s>", PTR(big)), -E2BIG))
		goto out;
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), 0))
		goto out;
	if (!ASSERT_EQ(PRINTK(prog, BPF_STDOUT, "%s", PTR(big)), 0))
		goto out;
	if (!ASSERT_EQ(stream_queued(prog, BPF_STDOUT), BPF_STREAM_MSG_MAX))
		goto out;
	if (!ASSERT_EQ(drain(prog, BPF_STDOUT, buf, 4096, 4096), BPF_STREAM_MSG_MAX))
		goto out;
	if (!ASSERT_MEM(buf, big, BPF_STREAM_MSG_MAX))
		goto out;
out:
	free(big);
	free(buf);
	prog_free(prog);
}
