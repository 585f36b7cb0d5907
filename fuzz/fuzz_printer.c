// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Fuzz the library's line printer (print.c) with escaping on: program names
 * and texts are untrusted, and the printer writes to an operator's terminal.
 * The input is a list of messages separated by '\n'; in each, byte 0 picks
 * the stream id, flags and program name (some hostile), the rest is the text
 * (NUL bytes removed, as the framer delivers them).
 * Invariants (escape=always, color=never):
 *  - the output is valid UTF-8 with no C0 control byte but '\n' and TAB, no
 *    DEL and no C1 control: no escape sequence, bell or carriage return;
 *  - every message's escaped text (bpf_stream_escape) appears in the output.
 */
#include <stdint.h>
#include "stream_internal.h"
#include "fuzz_util.h"

static const char *const names[] = {
	"prog", "", "\x1b]0;owned\x07", "caf\xc3\xa9\r\x1b[2J", NULL, "\xc2\x9b" "31m",
	"a_very_long_program_name_that_goes_on_and_on_and_on_0123456789", "\x7f\x08",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	LIBBPF_OPTS(bpf_stream_printer_opts, opts, .escape = BPF_STREAM_WHEN_ALWAYS,
		    .color = BPF_STREAM_WHEN_NEVER);
	struct bpf_stream_printer *p;
	size_t pos = 0, out_len = 0, bad = 0, i;
	char *out = NULL;
	char *texts[16] = { 0 };
	size_t nr = 0;
	FILE *mem;

	mem = open_memstream(&out, &out_len);
	if (!mem)
		return 0;
	opts.no_prefix = size && (data[0] & 1);
	p = bpf_stream_printer__new(mem, &opts);
	FUZZ_CHECK(p != NULL, "printer__new: %d", errno);
	while (pos < size && nr < 16) {
		const uint8_t *end = memchr(data + pos, '\n', size - pos);
		size_t e = end ? (size_t)(end - data) : size, n = 0;
		uint8_t sel = data[pos];
		struct bpf_stream_msg msg = { 0 };
		char *text = malloc(e - pos + 1);

		if (!text)
			break;
		for (i = pos + 1; i < e; i++)
			if (data[i])
				text[n++] = (char)data[i];
		text[n] = '\0';
		texts[nr++] = text;
		msg.prog_id = sel >> 5;
		msg.prog_name = names[sel & 7];
		msg.stream_id = (sel >> 3) & 3;	/* 0..3: two bad ids too */
		msg.text = text;
		msg.len = n;
		msg.flags = (sel & 0x80) ? BPF_STREAM_MSG_F_PARTIAL : 0;
		if ((sel & 0x60) == 0x60) {
			msg.flags |= BPF_STREAM_MSG_F_DROP_NOTICE;
			msg.dropped = sel;
		}
		FUZZ_CHECK(bpf_stream_printer__print(p, &msg) == 0, "print failed");
		pos = e + 1;
	}
	bpf_stream_printer__free(p);
	fclose(mem);

	FUZZ_CHECK(fz_utf8_clean(out, out_len, false, &bad), "invalid UTF-8 at %zu", bad);
	for (i = 0; i < out_len; i++) {
		unsigned char c = (unsigned char)out[i];

		FUZZ_CHECK(c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f),
			   "control byte %#x at %zu of output", c, i);
	}
	FUZZ_CHECK(fz_utf8_clean(out, out_len, true, &bad) || out[bad] == '\n',
		   "C1 control at %zu", bad);
	for (i = 0; i < nr; i++) {
		size_t need = bpf_stream_escape(NULL, 0, texts[i], strlen(texts[i]));
		char *esc = malloc(need + 1);

		if (esc) {
			bpf_stream_escape(esc, need + 1, texts[i], strlen(texts[i]));
			FUZZ_CHECK(memmem(out, out_len, esc, need), "message %zu's text missing", i);
			free(esc);
		}
		free(texts[i]);
	}
	free(out);
	return 0;
}
