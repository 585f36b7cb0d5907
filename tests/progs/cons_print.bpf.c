// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Consumer tests: syscall programs that print to both streams, run with
 * BPF_PROG_TEST_RUN. Whatever transport bpf_stream_prepare() picked carries
 * the text (here: the ring buffer, native writes fail on this kernel). */
#include "vmlinux.h"
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

int nr_lines = 1;	/* lines per stream per run */
__u32 runs = 0;

SEC("syscall")
int cons_out(void *ctx)
{
	__u32 run = ++runs;
	int i;

	for (i = 0; i < nr_lines && i < 64; i++) {
		bpf_stream_printk(BPF_STDOUT, "out %u.%d\n", run, i);
		bpf_stream_printk(BPF_STDERR, "err %u.%d\n", run, i);
	}
	return 0;
}

/* A stderr block shaped like the kernel's may_goto report. */
SEC("syscall")
int cons_report(void *ctx)
{
	bpf_stream_printk(BPF_STDOUT, "before report\n");
	bpf_stream_error("ERROR: Timeout detected for may_goto instruction\n");
	bpf_stream_error("CPU: 1 UID: 0 PID: 42 Comm: cons\n");
	bpf_stream_error("Call trace:\n");
	bpf_stream_error("bpf_prog_0123456789abcdef_cons_report+0x10/0x80\n");
	bpf_stream_error("  while (can_loop); @ cons_print.bpf.c:33\n");
	bpf_stream_error("\n");
	bpf_stream_error("after report\n");
	return 0;
}

/* Half a line now; the next run finishes it. */
SEC("syscall")
int cons_partial(void *ctx)
{
	__u32 run = ++runs;

	if (run & 1)
		bpf_stream_printk(BPF_STDOUT, "half ");
	else
		bpf_stream_printk(BPF_STDOUT, "done\n");
	return 0;
}
