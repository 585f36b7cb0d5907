/* expect: format specifies type */
/* A mismatched argument must fail to compile under -Werror (-Wformat). */
#include "vmlinux.h"
#include <bpf_stream.h>
char LICENSE[] SEC("license") = "GPL";
SEC("syscall")
int bad(void *ctx __attribute__((unused)))
{
	return bpf_stream_printk(BPF_STDOUT, "%s\n", 42);
}
