// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Ring-format property test (tests/test_ringfmt.c): one call prints case
 * rf_case of rf_cases.h twice with the same arguments, through
 * bpf_stream_printk() (a binary ring record, formatted later by
 * libbpf-stream) and through the kernel's own bpf_snprintf() into rf_expect.
 * rf_empty interleaves empty and non-empty messages.
 */
#include "vmlinux.h"
#include <bpf_stream.h>
#include "rf_cases.h"

/* Every argument is passed as the raw 64-bit value the kernel sees (a %d
 * of 0x1ffffffff converts its low 32 bits): -Wformat would flag each. */
#pragma clang diagnostic ignored "-Wformat"

char LICENSE[] SEC("license") = "GPL";

__u32 rf_case;
__u64 rf_args[3];
char rf_strs[3][RF_STR_MAX];
char rf_expect[RF_TEXT_MAX];
long rf_expect_n;
int rf_ret;

#define RF_ARG_I(k) rf_args[k]
#define RF_ARG_S(k) (__u64)(unsigned long)rf_strs[k]

#define RF_CASE(n, fmt, a, b, c)                                                        \
	case n: {                                                                       \
		static const char f[] = fmt;                                            \
		__u64 v[3];                                                             \
		v[0] = RF_ARG_##a(0);                                                   \
		v[1] = RF_ARG_##b(1);                                                   \
		v[2] = RF_ARG_##c(2);                                                   \
		rf_ret = bpf_stream_printk(BPF_STDOUT, fmt, v[0], v[1], v[2]);          \
		rf_expect_n = bpf_snprintf(rf_expect, sizeof(rf_expect), f, v, sizeof(v)); \
		break;                                                                  \
	}

SEC("syscall")
int rf_prop(void *ctx)
{
	switch (rf_case) {
	RF_CASES(RF_CASE)
	default:
		rf_ret = -1;
	}
	return 0;
}

int rf_empty_rets[7];

SEC("syscall")
int rf_empty(void *ctx)
{
	static const char nothing[] = "";

	rf_empty_rets[0] = bpf_stream_printk(BPF_STDOUT, "one\n");
	rf_empty_rets[1] = bpf_stream_printk(BPF_STDOUT, "");
	rf_empty_rets[2] = bpf_stream_printk(BPF_STDOUT, "%s", nothing);
	rf_empty_rets[3] = bpf_stream_printk(BPF_STDOUT, "two\n");
	rf_empty_rets[4] = bpf_stream_printk(BPF_STDOUT, "");
	rf_empty_rets[5] = bpf_stream_printk(BPF_STDOUT, "%s%s", nothing, nothing);
	rf_empty_rets[6] = bpf_stream_printk(BPF_STDOUT, "three\n");
	return 0;
}
