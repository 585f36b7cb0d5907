/* vmlinux.h with 6.17's five-argument bpf_stream_vprintk prototype. */
#include "vmlinux.h"
extern int bpf_stream_vprintk(int stream_id, const char *fmt__str, const void *args,
			      u32 len__sz, void *aux__prog) __attribute__((weak))
	__attribute__((section(".ksyms")));
#include <bpf_stream.h>
#include "body.h"
