/* The format and the arguments come from the caller's own macros: they are
 * expanded before they are counted and checked. */
#include "vmlinux.h"
#include <bpf_stream.h>
#include "body.h"

#define MY_FMT "pid %d comm %s\n"
#define MY_ARGS 42, "x"
#define MY_ERR_FMT "err %ld\n"

SEC("syscall")
int macro_args_prog(void *ctx __attribute__((unused)))
{
	int r = 0;

	r |= bpf_stream_printk(BPF_STDOUT, MY_FMT, MY_ARGS);
	r |= bpf_stream_error(MY_ERR_FMT, -2L);
	return r;
}
