// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * 9. Cost to the verifier of a program with 50 call sites, built twice:
 * bench_sites50.bpf.c as users build it (the header's global subprograms,
 * verified once) and bench_sites50_inline.bpf.c, the same source with
 * BPF_STREAM_INLINE (every helper inlined at each call site, as in
 * libbpf-stream 1.1.0). The sites: 30 with integers only, 10 with a %s,
 * 5 kernel-formatted (%pI4) and 5 debug sites (off by default).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf_stream.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

__u64 seq;
static const char name[] = "abc";

#define S_INT(i) bpf_stream_printk(BPF_STDOUT, "int site " #i ": a=%d b=%llu\n", (int)seq, seq + i)
#define S_STR(i) bpf_stream_printk(BPF_STDERR, "str site " #i ": %s=%d\n", name, (int)seq)
#define S_TXT(i) bpf_stream_printk(BPF_STDOUT, "txt site " #i ": %pI4\n", &addr)
#define S_DBG(i) bpf_stream_debug("dbg site " #i ": %u\n", (unsigned int)seq)

SEC("syscall")
int sites50(void *ctx)
{
	__u32 addr = 0x0100007f;

	seq++;
	S_INT(0); S_INT(1); S_INT(2); S_INT(3); S_INT(4);
	S_INT(5); S_INT(6); S_INT(7); S_INT(8); S_INT(9);
	S_INT(10); S_INT(11); S_INT(12); S_INT(13); S_INT(14);
	S_INT(15); S_INT(16); S_INT(17); S_INT(18); S_INT(19);
	S_INT(20); S_INT(21); S_INT(22); S_INT(23); S_INT(24);
	S_INT(25); S_INT(26); S_INT(27); S_INT(28); S_INT(29);
	S_STR(0); S_STR(1); S_STR(2); S_STR(3); S_STR(4);
	S_STR(5); S_STR(6); S_STR(7); S_STR(8); S_STR(9);
	S_TXT(0); S_TXT(1); S_TXT(2); S_TXT(3); S_TXT(4);
	S_DBG(0); S_DBG(1); S_DBG(2); S_DBG(3); S_DBG(4);
	return 0;
}
