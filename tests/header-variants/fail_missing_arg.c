/* expect: more '%' conversions than data arguments */
#include "vmlinux.h"
#include <bpf_stream.h>
char LICENSE[] SEC("license") = "GPL";
SEC("syscall")
int bad(void *ctx __attribute__((unused)))
{
	return bpf_stream_error("%d %d\n", 1);
}
