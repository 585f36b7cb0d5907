// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Fuzz bpf_stream_escape() (escape.c), the terminal escaping of the library.
 * Invariants:
 *  - the full output is valid UTF-8 without C0 controls (TAB allowed), DEL
 *    or C1 controls: nothing a terminal would act on;
 *  - the return value is the full output's length (like snprintf);
 *  - plain printable ASCII input comes out unchanged;
 *  - an output cut by a small buffer is a NUL-terminated prefix of the full
 *    one, still clean UTF-8, and nothing is written past dst_sz.
 */
#include <stdint.h>
#include "stream_internal.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	size_t need, need2, cut, bad = 0, i, full_sz = size * 4 + 1;
	bool plain = true;
	char *full, *part;

	full = malloc(full_sz);
	if (!full)
		return 0;
	need = bpf_stream_escape(full, full_sz, src, size);
	FUZZ_CHECK(need < full_sz, "need %zu for %zu input bytes", need, size);
	FUZZ_CHECK(strlen(full) == need, "strlen %zu != returned %zu", strlen(full), need);
	FUZZ_CHECK(fz_utf8_clean(full, need, true, &bad), "unsafe byte %#x at %zu of output",
		   (unsigned char)full[bad], bad);
	for (i = 0; i < size; i++)
		if (!((data[i] >= 0x20 && data[i] < 0x7f) || data[i] == '\t'))
			plain = false;
	if (plain)
		FUZZ_CHECK(need == size && !memcmp(full, src, size), "plain ASCII changed");

	/* size-only query */
	need2 = bpf_stream_escape(NULL, 0, src, size);
	FUZZ_CHECK(need2 == need, "dst_sz 0 returned %zu, full %zu", need2, need);

	/* every cut of a short output, a few cuts of a long one */
	for (cut = 1; cut <= need + 1; cut += (need > 64 ? need / 16 + 1 : 1)) {
		part = malloc(cut); /* exact size: ASan catches a write past it */
		if (!part)
			break;
		need2 = bpf_stream_escape(part, cut, src, size);
		FUZZ_CHECK(need2 == need, "cut %zu returned %zu, full %zu", cut, need2, need);
		FUZZ_CHECK(memchr(part, '\0', cut), "cut %zu: not NUL-terminated", cut);
		FUZZ_CHECK(!strncmp(part, full, strlen(part)) && strlen(part) < cut,
			   "cut %zu: not a prefix", cut);
		FUZZ_CHECK(fz_utf8_clean(part, strlen(part), true, &bad),
			   "cut %zu: unsafe byte at %zu", cut, bad);
		free(part);
	}
	free(full);
	return 0;
}
