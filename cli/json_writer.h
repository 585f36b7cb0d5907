/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small streaming JSON writer for bpf-stream's --json output, and the pure
 * string escaping function it is built on (kept free of I/O and global state
 * so it can be fuzzed on its own).
 *
 * Escaping rules of json_escape(), which make any byte string safe to embed
 * in a JSON string literal and to show on a terminal:
 *  - '"' and '\\' get a backslash; \b \f \n \r \t use their short forms;
 *  - every other C0 control byte (0x00-0x1f) and DEL (0x7f) becomes \u00XX;
 *  - valid UTF-8 sequences are copied as they are, except the C1 controls
 *    U+0080..U+009F, which become \u00XX (a terminal may act on them);
 *  - each byte that is not part of a valid UTF-8 sequence (stray continuation
 *    bytes, truncated sequences, overlong forms, UTF-16 surrogates, code
 *    points above U+10FFFF, 0xf5..0xff) becomes \ufffd, U+FFFD REPLACEMENT
 *    CHARACTER: one per offending byte, so the output is always valid UTF-8
 *    and \u00XX is never ambiguous with a real Latin-1 character. The exact
 *    bytes are still available to JSON consumers as "text_hex" (see output.c).
 */
#ifndef __BPF_STREAM_CLI_JSON_WRITER_H
#define __BPF_STREAM_CLI_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/**
 * json_escape() - escape bytes for the inside of a JSON string literal.
 * @dst: output buffer (may be NULL when @dst_sz is 0);
 * @dst_sz: size of @dst; when > 0 the output is always NUL-terminated, and
 *          cut only between two escapes, never inside one;
 * @src: input bytes (may contain NUL bytes; NULL only when @len is 0);
 * @len: number of input bytes.
 *
 * Return: the length the complete escaped text needs, without the NUL (like
 * snprintf): the output was complete iff the return value is < @dst_sz.
 */
size_t json_escape(char *dst, size_t dst_sz, const char *src, size_t len);

/**
 * json_utf8_valid() - whether @len bytes at @src are valid UTF-8 (the
 * definition json_escape() uses: no overlongs, surrogates, or code points
 * above U+10FFFF).
 */
bool json_utf8_valid(const char *src, size_t len);

#define JSON_MAX_DEPTH 16

/* A writer of one JSON value after another, each ended by a newline. */
struct json_writer {
	FILE *out;
	bool pretty;		/* indent nested values, one member a line */
	int depth;
	bool first[JSON_MAX_DEPTH];	/* no member written yet at this depth */
	bool after_name;	/* a member name was just written */
	bool err;		/* a write failed */
};

/** jsonw_init() - start a writer on @out; @pretty indents by 2 spaces. */
void jsonw_init(struct json_writer *w, FILE *out, bool pretty);

/* Containers. A top-level container ends with a newline and a flush. */
void jsonw_start_object(struct json_writer *w);
void jsonw_end_object(struct json_writer *w);
void jsonw_start_array(struct json_writer *w);
void jsonw_end_array(struct json_writer *w);

/* A member name inside an object; the next value call writes its value. */
void jsonw_name(struct json_writer *w, const char *name);

/* Values (in an array, or after jsonw_name()). */
void jsonw_string(struct json_writer *w, const char *s);
void jsonw_string_len(struct json_writer *w, const char *s, size_t len);
void jsonw_uint(struct json_writer *w, uint64_t v);
void jsonw_int(struct json_writer *w, int64_t v);
void jsonw_bool(struct json_writer *w, bool v);
void jsonw_null(struct json_writer *w);

/* Shorthands: name + value. */
void jsonw_string_field(struct json_writer *w, const char *name, const char *s);
void jsonw_uint_field(struct json_writer *w, const char *name, uint64_t v);
void jsonw_int_field(struct json_writer *w, const char *name, int64_t v);
void jsonw_bool_field(struct json_writer *w, const char *name, bool v);

#endif /* __BPF_STREAM_CLI_JSON_WRITER_H */
