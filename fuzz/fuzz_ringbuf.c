// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Fuzz the ring-buffer record decoder (bs_rec_decode, ringbuf.c): records
 * come from BPF code and must never be trusted. The input is one record
 * exactly as the ring would hand it over (its own allocation, so ASan sees
 * any read past it). Invariants:
 *  - success exactly when size >= header, magic, version and stream id are
 *    right and header + text_len fits; otherwise the documented errno for
 *    the first bad field (size/magic -EBADMSG, version -EPROTO, stream
 *    -ENOENT, length -EMSGSIZE);
 *  - on success the view points inside the record, text_len is the header's,
 *    flags only TRUNCATED, func NUL-terminated and a prefix of the header's;
 *  - every truncation of a valid record whose text no longer fits is
 *    rejected, and a record padded beyond its text decodes the same.
 */
#include <stdint.h>
#include "stream_internal.h"
#include "bpf_stream_record.h"
#include "fuzz_util.h"

static int expected(const uint8_t *d, size_t size)
{
	struct bpf_stream_rec_hdr h;

	if (size < sizeof(h))
		return -EBADMSG;
	memcpy(&h, d, sizeof(h));
	if (h.magic != BPF_STREAM_REC_MAGIC)
		return -EBADMSG;
	if (h.version != BPF_STREAM_REC_VERSION)
		return -EPROTO;
	if (h.stream_id != BPF_STDOUT && h.stream_id != BPF_STDERR)
		return -ENOENT;
	if (sizeof(h) + h.text_len > size)
		return -EMSGSIZE;
	return 0;
}

static void check_one(const uint8_t *d, size_t size)
{
	struct bpf_stream_rec_hdr h;
	struct bs_rec_view v;
	int ret, want = expected(d, size);
	size_t fl;

	memset(&v, 0xa5, sizeof(v));
	ret = bs_rec_decode(d, size, &v);
	FUZZ_CHECK(ret == want, "decode of %zu bytes returned %d, expected %d", size, ret, want);
	if (ret)
		return;
	memcpy(&h, d, sizeof(h));
	FUZZ_CHECK(v.stream_id == h.stream_id, "stream %u", v.stream_id);
	FUZZ_CHECK(v.text == (const char *)d + sizeof(h), "text does not follow the header");
	FUZZ_CHECK(v.text_len == h.text_len, "text_len %zu vs %u", v.text_len, h.text_len);
	FUZZ_CHECK(v.text + v.text_len <= (const char *)d + size, "text beyond the record");
	FUZZ_CHECK(!(v.flags & ~(__u32)BPF_STREAM_REC_F_TRUNCATED), "flags %#x", v.flags);
	FUZZ_CHECK(v.ts_ns == h.ts_ns, "ts");
	fl = strnlen(v.func, sizeof(v.func));
	FUZZ_CHECK(fl < sizeof(v.func), "func not NUL-terminated");
	FUZZ_CHECK(fl <= BPF_STREAM_REC_NAME_LEN && !memcmp(v.func, h.func, fl) &&
		   (fl == BPF_STREAM_REC_NAME_LEN || h.func[fl] == '\0'),
		   "func is not the header's name");
	/* touch every text byte: ASan checks they are inside the record */
	for (fl = 0; fl < v.text_len; fl++)
		((volatile const char *)v.text)[fl];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpf_stream_rec_hdr h;
	uint8_t *copy;
	size_t cut;

	FUZZ_CHECK(bs_rec_decode(NULL, size, NULL) == -EINVAL, "NULL not rejected");
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	check_one(copy, size);
	free(copy);

	/* Make it valid (magic, version, stream), keep the fuzzer's length
	 * and text, then try every truncation: too short must be rejected. */
	if (size >= sizeof(h)) {
		copy = malloc(size);
		if (!copy)
			return 0;
		memcpy(copy, data, size);
		memcpy(&h, copy, sizeof(h));
		h.magic = BPF_STREAM_REC_MAGIC;
		h.version = BPF_STREAM_REC_VERSION;
		h.stream_id = 1 + (h.stream_id & 1);
		memcpy(copy, &h, sizeof(h));
		for (cut = 0; cut <= size; cut += (size > 256 ? size / 64 + 1 : 1)) {
			uint8_t *t = malloc(cut ? cut : 1);

			if (!t)
				break;
			memcpy(t, copy, cut);
			check_one(t, cut);
			free(t);
		}
		check_one(copy, size);
		free(copy);
	}
	return 0;
}
