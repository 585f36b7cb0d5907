/* expect: at most 12 arguments after the format */
#include "vmlinux.h"
#include <bpf_stream.h>
char LICENSE[] SEC("license") = "GPL";
SEC("syscall")
int bad(void *ctx __attribute__((unused)))
{
	return bpf_stream_printk(BPF_STDOUT, "%d %d %d %d %d %d %d %d %d %d %d %d %d\n", 1, 2, 3,
				 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
}
