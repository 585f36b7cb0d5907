// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Three programs of one object (issue 19): the first prints nothing, the
 * second prints through bpf_stream.h, the third only through
 * bpf_trace_vprintk (a .rodata format that is no call site). */
#include "vmlinux.h"
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int rd_first(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int rd_second(struct xdp_md *ctx)
{
	bpf_stream_printk(BPF_STDOUT, "value=%d name=%s\n", 42, "abc");
	return XDP_PASS;
}

SEC("xdp")
int rd_third(struct xdp_md *ctx)
{
	bpf_printk("third %d", 3);
	return XDP_PASS;
}
