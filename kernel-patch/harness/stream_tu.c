// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's kernel/bpf/stream.c, compiled unmodified from its path in
 * this tree, plus harness-only access to its per-CPU statics.
 */
#include "../kernel/bpf/stream.c"

/* Drop every CPU's cached page reference, as a CPU going offline would. */
void harness_stream_drop_cpu_caches(void)
{
	int cpu;

	for (cpu = 0; cpu < HARNESS_NR_CPUS; cpu++) {
		struct bpf_stream_page **slot = per_cpu_ptr(&bpf_stream_pcpu_page, cpu);

		if (*slot) {
			bpf_stream_page_put(*slot);
			*slot = NULL;
		}
	}
}
