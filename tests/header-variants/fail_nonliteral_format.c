/* expect: the format must be a string literal */
/* A format held in a variable cannot be scanned at build time nor found in
 * .rodata by the kernel: a clear message, not a bare initializer error. */
#include "vmlinux.h"
#include <bpf_stream.h>
char LICENSE[] SEC("license") = "GPL";
SEC("syscall")
int bad(void *ctx __attribute__((unused)))
{
	const char *fmt = "%d\n";

	return bpf_stream_printk(BPF_STDOUT, fmt, 1);
}
