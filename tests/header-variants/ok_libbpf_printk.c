/* A libbpf bpf_helpers.h that already defines bpf_stream_printk (1.6+):
 * bpf_stream.h's definition must win. With an older libbpf, its 1.6 form is
 * stood in for: a definition and the 6.17 kfunc's extern. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#ifndef bpf_stream_printk
extern int bpf_stream_vprintk(int stream_id, const char *fmt__str, const void *args,
			      __u32 len__sz, void *aux__prog) __weak __ksym;
#define bpf_stream_printk(stream_id, fmt, args...) libbpf_own_stream_printk_is_used
#endif
#include <bpf_stream.h>
#include "body.h"
