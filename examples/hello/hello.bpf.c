// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* hello.bpf.c: print to both standard streams of a BPF program. */
#include "vmlinux.h"
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "GPL";

/* A syscall program: user space runs it with BPF_PROG_TEST_RUN. */
SEC("syscall")
int hello(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	char comm[16];

	bpf_get_current_comm(comm, sizeof(comm));
	bpf_stream_printk(BPF_STDOUT, "Hello from BPF! pid %u comm %s\n", (__u32)(pid_tgid >> 32),
			  comm);
	bpf_stream_printk(BPF_STDOUT, "int %d, unsigned %u, hex %x, 64-bit %llu, char %c\n", -42,
			  42U, 0xbeefU, 1ULL << 40, 'z');
	bpf_stream_error("this line goes to stderr (errno-style value %d)\n", -2);
	return 0;
}
