/* expect: the format must be a string literal */
/* A format in a const array (not a literal) is refused with the same message. */
#include "vmlinux.h"
#include <bpf_stream.h>
char LICENSE[] SEC("license") = "GPL";
static const char fmt[] = "%d\n";
SEC("syscall")
int bad(void *ctx __attribute__((unused)))
{
	return bpf_stream_printk(BPF_STDOUT, fmt, 1);
}
