/* vmlinux.h with the 6.18 kfunc prototype, as bpftool >= 7.5 emits it. */
#include "vmlinux.h"
extern int bpf_stream_vprintk_impl(int stream_id, const char *fmt__str, const void *args,
				   u32 len__sz, void *aux__prog) __attribute__((weak))
	__attribute__((section(".ksyms")));
#include <bpf/bpf_helpers.h>
#include <bpf_stream.h>
#include "body.h"
