// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Fuzz the ring-buffer record decoder (bs_rec_decode, ringbuf.c): records
 * come from BPF code and must never be trusted. The input is one record
 * exactly as the ring would hand it over (its own allocation, so ASan sees
 * any read past it). Invariants:
 *  - success exactly when the header (16 bytes) is there, magic, flags, the
 *    reserved byte, version and stream id are right, the stamp (F_TS) and
 *    len bytes of payload fit, and a BINARY record's nargs * 8 fits its
 *    payload (nargs <= 12; a TEXT record has none); otherwise the documented
 *    errno of the first bad field (size/magic/flags -EBADMSG, version
 *    -EPROTO, stream -ENOENT, length -EMSGSIZE, arguments -E2BIG);
 *  - on success the payload lies inside the record, after the header and
 *    the stamp, with the header's length, site and nargs;
 *  - every truncation of a valid record whose payload no longer fits is
 *    rejected.
 */
#include <stdint.h>
#include "stream_internal.h"
#include "bpf_stream_record.h"
#include "fuzz_util.h"

static int expected(const uint8_t *d, size_t size, size_t *off)
{
	struct bpf_stream_rec_hdr h;

	*off = sizeof(h);
	if (size < sizeof(h))
		return -EBADMSG;
	memcpy(&h, d, sizeof(h));
	if (h.magic != BPF_STREAM_REC_MAGIC || (h.flags & ~BPF_STREAM_REC_F_ALL) || h.resv)
		return -EBADMSG;
	if (h.version != BPF_STREAM_REC_VERSION)
		return -EPROTO;
	if (h.stream_id != BPF_STDOUT && h.stream_id != BPF_STDERR)
		return -ENOENT;
	if (h.flags & BPF_STREAM_REC_F_TS)
		*off += 8;
	if (*off > size || h.len > size - *off)
		return -EMSGSIZE;
	if (h.flags & BPF_STREAM_REC_F_BINARY) {
		if (h.nargs > 12 || h.nargs * 8u > h.len)
			return -E2BIG;
	} else if (h.nargs) {
		return -EBADMSG;
	}
	return 0;
}

static void check_one(const uint8_t *d, size_t size)
{
	struct bpf_stream_rec_hdr h;
	struct bs_rec_view v;
	size_t off, i;
	int ret, want = expected(d, size, &off);

	memset(&v, 0xa5, sizeof(v));
	ret = bs_rec_decode(d, size, &v);
	FUZZ_CHECK(ret == want, "decode of %zu bytes returned %d, expected %d", size, ret, want);
	if (ret)
		return;
	memcpy(&h, d, sizeof(h));
	FUZZ_CHECK(v.stream_id == h.stream_id, "stream %u", v.stream_id);
	FUZZ_CHECK(v.payload == (const char *)d + off, "payload does not follow the header");
	FUZZ_CHECK(v.len == h.len, "len %zu vs %u", v.len, h.len);
	FUZZ_CHECK(v.payload + v.len <= (const char *)d + size, "payload beyond the record");
	FUZZ_CHECK(v.flags == h.flags && v.site == h.site && v.nargs == h.nargs, "fields");
	/* touch every payload byte: ASan checks they are inside the record */
	for (i = 0; i < v.len; i++)
		((volatile const char *)v.payload)[i];
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

	/* Make it valid (magic, version, stream, flags), keep the fuzzer's
	 * lengths and bytes, then try every truncation. */
	if (size >= sizeof(h)) {
		copy = malloc(size);
		if (!copy)
			return 0;
		memcpy(copy, data, size);
		memcpy(&h, copy, sizeof(h));
		h.magic = BPF_STREAM_REC_MAGIC;
		h.version = BPF_STREAM_REC_VERSION;
		h.stream_id = 1 + (h.stream_id & 1);
		h.flags &= BPF_STREAM_REC_F_ALL;
		h.resv = 0;
		if (!(h.flags & BPF_STREAM_REC_F_BINARY))
			h.nargs = 0;
		else
			h.nargs %= 13;
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
