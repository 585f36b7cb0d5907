/* A libbpf bpf_helpers.h (1.6 style) that already defines bpf_stream_printk
 * and declares the 6.17 kfunc: bpf_stream.h's definition must win. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern int bpf_stream_vprintk(int stream_id, const char *fmt__str, const void *args,
			      __u32 len__sz, void *aux__prog) __weak __ksym;
#define bpf_stream_printk(stream_id, fmt, args...) libbpf_own_stream_printk_is_used
#include <bpf_stream.h>
#include "body.h"
