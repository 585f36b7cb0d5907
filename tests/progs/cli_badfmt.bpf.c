// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test object of `bpf-stream run`'s load error for a format the kernel
 * refuses (tests/test_cli.c): a precision, which -Wformat accepts and
 * bpf_snprintf() does not. The ring transport checks every format at load;
 * the calls before it make the verifier's log longer than 4096 bytes. */
#include "vmlinux.h"
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

SEC("syscall")
int cli_badfmt(void *ctx)
{
	int r = 0;

	r |= bpf_stream_printk(BPF_STDOUT, "one %d %s\n", 1, "a");
	r |= bpf_stream_printk(BPF_STDOUT, "two %d %s\n", 2, "b");
	r |= bpf_stream_printk(BPF_STDOUT, "three %d %s\n", 3, "c");
	r |= bpf_stream_printk(BPF_STDOUT, "bad %.2d\n", 4);	/* CLI_BADFMT_LINE */
	return r;
}
