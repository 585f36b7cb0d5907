/* vmlinux.h with 7.0's four-argument bpf_stream_vprintk prototype (and
 * 7.2's bpf_stream_print_stack, which bpf_stream.h's macro of that name
 * must not clash with). */
#include "vmlinux.h"
extern int bpf_stream_vprintk(int stream_id, const char *fmt__str, const void *args,
			      u32 len__sz) __attribute__((weak))
	__attribute__((section(".ksyms")));
extern int bpf_stream_print_stack(int stream_id) __attribute__((weak))
	__attribute__((section(".ksyms")));
#include <bpf_stream.h>
#include "body.h"
