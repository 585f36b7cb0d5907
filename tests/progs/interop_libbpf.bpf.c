// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A program written for upstream libbpf alone (1.7+): its own
 * bpf_stream_printk() from <bpf/bpf_helpers.h>, no bpf_stream.h, nobody
 * calls bpf_stream_prepare(). libbpf 1.7's macro calls the four-argument
 * kfunc of Linux 7.x, declared here as a 7.x vmlinux.h would. Built with a
 * libbpf whose bpf_helpers.h lacks the macro (Debian 12's 1.1), the object
 * has no program and test_interop says so.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#ifdef bpf_stream_printk
extern int bpf_stream_vprintk(int stream_id, const char *fmt__str, const void *args,
			      __u32 len__sz) __weak __ksym;

SEC("syscall")
int interop_libbpf(void *ctx)
{
	bpf_stream_printk(BPF_STDOUT, "libbpf's own %d %s\n", 17, "printk");
	bpf_stream_printk(BPF_STDERR, "libbpf's own stderr %u\n", 3U);
	return 0;
}
#else
/* keeps the object (and its skeleton) valid without the macro */
int interop_libbpf_absent SEC(".data") = 1;
#endif
