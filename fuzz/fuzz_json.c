// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Fuzz the CLI's JSON escaping (cli/json_writer.c): json_escape() alone and
 * through the writer (jsonw_string_len, which escapes long text in slices).
 * Invariants:
 *  - the escaped text is a valid JSON string body; decoded, it equals the
 *    input whenever the input is valid UTF-8 (json_utf8_valid), and is valid
 *    UTF-8 in any case;
 *  - the escaped text has no raw C0 control, DEL or C1 control (terminal safe);
 *  - return value == full length; a cut output is a prefix, cut between two
 *    escapes (so it is itself a valid string body), never past dst_sz;
 *  - the writer's output for {"text": <input>, "n": [1, true, null]} parses
 *    as JSON and its string decodes to the same text as json_escape()'s.
 */
#include <stdint.h>
#include "json_writer.h"
#include "fuzz_util.h"

static void check_body(const char *esc, size_t len, const char *what, char **decoded,
		       size_t *decoded_len)
{
	struct fz_json j = { .p = esc, .end = esc + len };
	size_t bad = 0;

	FUZZ_CHECK(fz_utf8_clean(esc, len, true, &bad), "%s: unsafe byte %#x at %zu", what,
		   (unsigned char)esc[bad], bad);
	FUZZ_CHECK(fz_json_string_body(&j, false) && j.p == j.end,
		   "%s: not a JSON string body (stops at %zu of %zu)", what,
		   (size_t)(j.p - esc), len);
	FUZZ_CHECK(fz_utf8_clean(j.str ? j.str : "", j.str_len, false, &bad),
		   "%s: decoded text is not UTF-8 at %zu", what, bad);
	if (decoded) {
		*decoded = j.str;
		*decoded_len = j.str_len;
	} else {
		free(j.str);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	size_t need, need2, cut, full_sz = size * 6 + 1, dec_len = 0, buf_len = 0;
	char *full, *part, *dec = NULL, *buf = NULL;
	struct json_writer w;
	struct fz_json j;
	FILE *mem;

	full = malloc(full_sz);
	if (!full)
		return 0;
	need = json_escape(full, full_sz, src, size);
	FUZZ_CHECK(need < full_sz, "need %zu for %zu bytes", need, size);
	FUZZ_CHECK(strlen(full) == need, "strlen %zu != %zu", strlen(full), need);
	check_body(full, need, "full", &dec, &dec_len);
	if (json_utf8_valid(src, size))
		FUZZ_CHECK(dec_len == size && (!size || !memcmp(dec, src, size)),
			   "valid UTF-8 input does not round-trip (%zu vs %zu bytes)", dec_len, size);
	FUZZ_CHECK(json_escape(NULL, 0, src, size) == need, "dst_sz 0 differs");

	for (cut = 1; cut <= need + 1; cut += (need > 64 ? need / 16 + 1 : 1)) {
		part = malloc(cut);
		if (!part)
			break;
		need2 = json_escape(part, cut, src, size);
		FUZZ_CHECK(need2 == need, "cut %zu returned %zu, full %zu", cut, need2, need);
		FUZZ_CHECK(memchr(part, '\0', cut), "cut %zu not NUL-terminated", cut);
		FUZZ_CHECK(!strncmp(part, full, strlen(part)), "cut %zu: not a prefix", cut);
		check_body(part, strlen(part), "cut", NULL, NULL);
		free(part);
	}

	/* through the writer */
	mem = open_memstream(&buf, &buf_len);
	if (mem) {
		jsonw_init(&w, mem, size & 1);
		jsonw_start_object(&w);
		jsonw_name(&w, "text");
		jsonw_string_len(&w, src, size);
		jsonw_name(&w, "n");
		jsonw_start_array(&w);
		jsonw_uint(&w, 1);
		jsonw_bool(&w, true);
		jsonw_null(&w);
		jsonw_end_array(&w);
		jsonw_end_object(&w);
		fclose(mem);
		FUZZ_CHECK(!w.err, "writer error");
		FUZZ_CHECK(fz_json_valid_stream(buf, buf_len), "writer output does not parse: %.200s",
			   buf);
		/* the "text" member decodes to what json_escape's output decodes to */
		j = (struct fz_json){ .p = buf, .end = buf + buf_len };
		while (j.p < j.end && *j.p != ':')
			j.p++;
		j.p++;
		fz_json_ws(&j);
		FUZZ_CHECK(j.p < j.end && *j.p == '"', "no string after \"text\":");
		j.p++;
		FUZZ_CHECK(fz_json_string_body(&j, true), "text member");
		FUZZ_CHECK(j.str_len == dec_len && !memcmp(j.str ? j.str : "", dec ? dec : "", dec_len),
			   "writer and json_escape disagree (%zu vs %zu bytes)", j.str_len, dec_len);
		free(j.str);
		free(buf);
	}
	free(dec);
	free(full);
	return 0;
}
