// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Test object of bpf-stream's escaping (tests/test_cli.c): lines with
 * control characters and invalid UTF-8 (the kernel refuses such bytes in a
 * format string, so they come through %s from global data), timestamps, and
 * a block shaped like a kernel error report on stderr.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#define BPF_STREAM_TIMESTAMP
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

/* ESC [31m, BEL, SOH, DEL, a tab, quote and backslash */
const char ctl[] = "\x1b[31mred\x07 bell \x01 soh \x7f del\ttab \"q\" \\b";
/* stray continuation, 0xff, truncated 2-byte, overlong, then valid e-acute */
const char bad[] = "bad \x80 \xff \xc3( \xc0\xaf ok \xc3\xa9";

SEC("syscall")
int cli_ctrl(void *ctx)
{
	bpf_stream_printk(BPF_STDOUT, "ctl[%s]\n", ctl);
	bpf_stream_printk(BPF_STDOUT, "utf8[%s]\n", bad);
	return 0;
}

SEC("syscall")
int cli_report(void *ctx)
{
	bpf_stream_error("ERROR: Timeout detected for may_goto instruction\n");
	bpf_stream_error("CPU: 1 UID: 0 PID: 4242 Comm: cli_test\n");
	bpf_stream_error("Call trace:\n");
	bpf_stream_error("bpf_prog_0123456789abcdef_cli_report+0x2a/0x80\n");
	bpf_stream_error("    while (can_loop); @ cli_ctrl.bpf.c:42\n");
	bpf_stream_error("\n");
	bpf_stream_printk(BPF_STDOUT, "after report\n");
	return 0;
}

/* 500 'x' (bpf_snprintf copies at most 511 bytes of all %s arguments together) */
#define X10 "xxxxxxxxxx"
#define X100 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
const char five_hundred[] = X100 X100 X100 X100 X100;

SEC("syscall")
int cli_long(void *ctx)
{
	int i;

	/* one 4500-byte line in nine messages: longer than the 4096-byte framing limit */
	for (i = 0; i < 9; i++)
		bpf_stream_printk(BPF_STDOUT, "%s", five_hundred);
	bpf_stream_printk(BPF_STDOUT, "\n");
	/* one 1100-byte message, longer than BPF_STREAM_MSG_MAX (1023): cut and flagged */
	bpf_stream_printk(BPF_STDOUT, X100 X100 X100 X100 X100 X100 X100 X100 X100 X100 X100 "\n");
	/* a last line without its newline */
	bpf_stream_printk(BPF_STDOUT, "no newline");
	return 0;
}
