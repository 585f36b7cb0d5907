/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Common body of the header variants: every variant includes its own
 * prelude, then <bpf_stream.h>, then this file. */
char LICENSE[] SEC("license") = "GPL";

SEC("syscall")
int variant_prog(void *ctx __attribute__((unused)))
{
	int r = 0;

	r |= bpf_stream_printk(BPF_STDOUT, "zero\n");
	r |= bpf_stream_printk(BPF_STDOUT, "one %d\n", 1);
	r |= bpf_stream_error("err %s %u\n", "x", 2U);
	r |= bpf_stream_printk(BPF_STDERR, "%d %d %d %d %d %d %d %d %d %d %d %d\n", 1, 2, 3, 4,
			       5, 6, 7, 8, 9, 10, 11, 12);
	/* the kfunc of 7.2/7.3, or -EOPNOTSUPP: never a load failure */
	r |= bpf_stream_print_stack(BPF_STDERR);
	return r;
}
