// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Two programs that print through one inlined helper: the helper's format
 * is one call site in both programs' code, so a record of it cannot tell
 * which program wrote it (tests/test_transport.c). Each program also has a
 * call site of its own. */
#include "vmlinux.h"
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

static __always_inline int tr_shared_helper(__u32 n)
{
	return bpf_stream_printk(BPF_STDOUT, "shared %u\n", n);
}

SEC("syscall")
int tr_shared_a(void *ctx)
{
	bpf_stream_printk(BPF_STDOUT, "own a\n");
	return tr_shared_helper(1);
}

SEC("syscall")
int tr_shared_b(void *ctx)
{
	bpf_stream_printk(BPF_STDOUT, "own b\n");
	return tr_shared_helper(2);
}
