// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Fuzz the formats of binary records (format.c) with the decoder in front
 * (bs_rec_decode + bs_rec_text, as ringbuf.c runs them on every record):
 * a made-up .rodata (the sentinel, then format bytes from the input, maybe
 * without a final NUL) and a record from the input (bad call-site ids,
 * argument counts that do not match the format, string lengths past the
 * payload, strings without NUL, truncated records).
 * Input: byte 0 = length of the .rodata part (after the sentinel), byte 1 =
 * message limit, then .rodata bytes, then the record.
 * Invariants: never a crash or a read outside the inputs (ASan); the text
 * is at most the limit (cut flagged); the same record formats to the same
 * bytes twice (the format cache changes nothing); a record whose call site
 * is outside the .rodata is refused with -ENOENT.
 */
#include <stdint.h>
#include "stream_internal.h"
#include "bpf_stream_record.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bs_fmt_table *t;
	struct bs_rec_view v;
	size_t ro_len, rec_len, len1, len2, cap;
	const char *text1, *text2;
	char *ro, *buf1, *buf2;
	uint8_t *rec;
	bool cut1, cut2;
	__u64 sentinel;
	int r1, r2;

	if (size < 2)
		return 0;
	ro_len = data[0];
	cap = data[1] ? data[1] : 1023;
	if (ro_len > size - 2)
		ro_len = size - 2;
	/* .rodata: 8-byte sentinel at 0, the fuzzer's bytes after it */
	ro = malloc(8 + ro_len);
	if (!ro)
		return 0;
	sentinel = BPF_STREAM_FMT_BASE_VALUE(cap);
	memcpy(ro, &sentinel, 8);
	memcpy(ro + 8, data + 2, ro_len);
	t = bs_fmt_table__new(ro, 8 + ro_len, 0);
	free(ro);
	FUZZ_CHECK(t, "table refused: %d", errno);
	FUZZ_CHECK(bs_fmt_table__msg_max(t) == cap, "limit %u", bs_fmt_table__msg_max(t));

	rec_len = size - 2 - ro_len;
	rec = malloc(rec_len ? rec_len : 1);
	buf1 = malloc(cap);
	buf2 = malloc(cap);
	if (!rec || !buf1 || !buf2)
		goto out;
	memcpy(rec, data + 2 + ro_len, rec_len);
	if (rec_len >= sizeof(struct bpf_stream_rec_hdr)) {
		/* mostly valid headers, so the formatter is reached */
		struct bpf_stream_rec_hdr h;

		memcpy(&h, rec, sizeof(h));
		h.magic = BPF_STREAM_REC_MAGIC;
		h.version = BPF_STREAM_REC_VERSION;
		h.stream_id = 1 + (h.stream_id & 1);
		h.resv = 0;
		h.flags = (h.flags & BPF_STREAM_REC_F_ALL) | BPF_STREAM_REC_F_BINARY;
		h.nargs %= 13;
		if (h.len > rec_len - sizeof(h))
			h.len = rec_len - sizeof(h);
		h.site %= 8 + ro_len + 8;	/* mostly inside, sometimes past the end */
		memcpy(rec, &h, sizeof(h));
	}
	if (bs_rec_decode(rec, rec_len, &v))
		goto out;
	r1 = bs_rec_text(t, &v, buf1, cap, &text1, &len1, &cut1);
	r2 = bs_rec_text(t, &v, buf2, cap, &text2, &len2, &cut2);
	FUZZ_CHECK(r1 == r2, "%d then %d", r1, r2);
	if (v.site >= 8 + ro_len && (v.flags & BPF_STREAM_REC_F_BINARY))
		FUZZ_CHECK(r1 == -ENOENT, "site %u past the .rodata: %d", v.site, r1);
	if (r1)
		goto out;
	FUZZ_CHECK(len1 == len2 && cut1 == cut2 && !memcmp(text1, text2, len1), "not deterministic");
	if (v.flags & BPF_STREAM_REC_F_BINARY)
		FUZZ_CHECK(len1 <= cap && (!cut1 || len1 == cap), "len %zu cap %zu cut %d", len1,
			   cap, cut1);
out:
	free(rec);
	free(buf1);
	free(buf2);
	bs_fmt_table__free(t);
	return 0;
}
