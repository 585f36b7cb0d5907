// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * 4. The kernel stream core (kernel-patch/, run in its userspace harness by
 *    `make -C kernel-patch bench`): fold its kernel-bench.json into the
 *    table. Every "metric": {"variant": {"median", "min", "max"}} entry
 *    becomes a row; "stream" rows get their ratio to "memcpy_baseline".
 *    jq does the parsing; results.json embeds the file as is.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"

#define SEC_NAME "4 kernel core (harness)"

struct kp_entry {
	char metric[64], variant[48];
	double med, min, max;
};

static const char *unit_of(const char *metric)
{
	if (strstr(metric, "ns_per_msg"))
		return "ns/msg";
	if (strstr(metric, "MB_per_s"))
		return "MB/s";
	return "";
}

static void pretty(char *dst, size_t sz, const char *metric, const char *variant)
{
	char m[64];
	size_t l = strnlen(metric, sizeof(m) - 1);
	char *p;

	memcpy(m, metric, l);
	m[l] = 0;
	if ((p = strstr(m, "_ns_per_msg")) || (p = strstr(m, "_MB_per_s")))
		*p = 0;
	for (p = m; *p; p++)
		if (*p == '_')
			*p = ' ';
	snprintf(dst, sz, "%s: %s", m, strcmp(variant, "memcpy_baseline") ? variant :
		 "memcpy of the same bytes");
	for (p = dst; *p; p++)
		if (*p == '_')
			*p = ' ';
}

int bench_kernel_patch(void)
{
	static const char prog[] =
		"to_entries[] | select(.value|type==\"object\") | .key as $k | .value | "
		"to_entries[] | select((.value|type==\"object\") and (.value|has(\"median\"))) | "
		"\"\\($k)\\t\\(.key)\\t\\(.value.median)\\t\\(.value.min)\\t\\(.value.max)\"";
	struct kp_entry e[32];
	char cmd[1024], line[512], name[128], meta[256] = "";
	const char *path = bench_cfg.kernel_json;
	int n = 0;
	FILE *p;

	if (!path || access(path, R_OK)) {
		printf("kernel-patch bench: not available\n");
		bench_note(SEC_NAME, "kernel-patch bench: not available (no %s)",
			   path ? path : "kernel-bench.json");
		bench_cfg.kernel_json = NULL;
		return 0;
	}
	snprintf(cmd, sizeof(cmd), "jq -e . '%s' >/dev/null 2>&1", path);
	if (system(cmd)) {
		bench_note(SEC_NAME, "%s is not valid JSON (or jq is missing): not folded", path);
		bench_cfg.kernel_json = NULL;
		return 0;
	}
	snprintf(cmd, sizeof(cmd), "jq -r '%s' '%s'", prog, path);
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	while (n < 32 && fgets(line, sizeof(line), p)) {
		if (sscanf(line, "%63[^\t]\t%47[^\t]\t%lf\t%lf\t%lf", e[n].metric, e[n].variant,
			   &e[n].med, &e[n].min, &e[n].max) == 5)
			n++;
	}
	pclose(p);
	snprintf(cmd, sizeof(cmd), "jq -r '\"\\(.messages_per_run // \"?\") messages/run, "
		 "\\(.bytes_per_message // \"?\") bytes/message, \\(.runs // \"?\") runs\"' '%s'",
		 path);
	p = popen(cmd, "r");
	if (p) {
		if (fgets(meta, sizeof(meta), p))
			meta[strcspn(meta, "\n")] = 0;
		pclose(p);
	}
	for (int i = 0; i < n; i++) {
		double ratio = NAN;

		if (!strcmp(e[i].variant, "stream")) {
			for (int j = 0; j < n; j++)
				if (!strcmp(e[j].metric, e[i].metric) &&
				    !strcmp(e[j].variant, "memcpy_baseline") && e[j].med)
					ratio = e[i].med / e[j].med;
		}
		pretty(name, sizeof(name), e[i].metric, e[i].variant);
		bench_row_summary(SEC_NAME, name, unit_of(e[i].metric), e[i].med, e[i].min,
				  e[i].max, "memcpy", ratio, NULL);
	}
	bench_note(SEC_NAME, "from %s (%s); the kernel's stream.c compiled unmodified in "
		   "userspace; 2 writer threads share the 2 CPUs with nothing else", path, meta);
	return 0;
}
