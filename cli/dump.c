// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bpf-stream dump PROG [stdout|stderr|all]: print what is queued now, exit. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"

void help_dump(FILE *f)
{
	fprintf(f,
		"Usage: " BIN_NAME " dump PROG... [STREAM]\n"
		"  Print every line queued now on the streams of the programs PROG names,\n"
		"  then exit. A program whose object another live process reads (the one\n"
		"  that prepared it, or consumes it now) keeps its lines for that process:\n"
		"  a ring-buffer program is read along without consuming (like tail of a\n"
		"  file), a native stream, whose reads take the lines, is refused with the\n"
		"  reading process named. --steal consumes anyway. A program nobody reads\n"
		"  is consumed; a ring is one queue for its object's programs and streams,\n"
		"  so dump then says how many messages of the others it took.\n"
		"  PROG   := { id ID | pinned FILE | name NAME | tag TAG | all }\n"
		"  STREAM := { stdout | stderr | all }  (default: all)\n");
}

/* Add one program to the reader. Returns 0 or an exit status. A program
 * of bpf_stream.h's ring transport is read from its ring (the library finds
 * it from the program's maps), whoever loaded it: 'dump' takes the records
 * queued there, which its loader then does not get. */
static int dump_add(struct bpf_stream_reader *rd, const struct prog_ref *r, __u32 streams,
		    struct ring_set *rs)
{
	bool ringbuf = prog_uses_ringbuf(r->fd);
	int err;

	if (!ringbuf && kernel_has_streams() == 0)
		return err_no_streams();
	if (ringbuf && ring_set_add(rs, r->fd))
		return p_err(EXIT_FAIL, "out of memory");
	err = bpf_stream_reader__add_prog(rd, r->fd, streams);
	if (err == -EBUSY)
		return p_err(EXIT_FAIL,
			     "program %u (%s): another process reads its streams; reading them would take its lines (--steal to take over)",
			     r->id, r->name);
	if (err && err != -EEXIST)
		return p_err_errno(err, "reading program %u (%s)", r->id, r->name);
	return EXIT_OK;
}

int do_dump(int argc, char **argv)
{
	struct bpf_stream_reader *rd = NULL;
	struct prog_sel *sels = NULL;
	struct prog_ref *refs = NULL;
	int nr_sels = 0, nr_refs = 0, i, ret;
	struct ring_set rs = {};
	struct out_ctx o;
	__u32 streams;

	if (cmd_no_options(&argc, argv))
		return EXIT_USAGE;
	ret = parse_progs(&argc, &argv, 1 << 20, &sels, &nr_sels, &streams);
	if (ret)
		return ret;
	ret = resolve_progs(sels, nr_sels, true, NULL, 0, &refs, &nr_refs);
	if (ret)
		goto out_sels;
	ret = out_init(&o);
	if (ret)
		goto out_refs;
	/* a reader, not bpf_stream_drain(), so kernel reports are recognised */
	rd = out_reader_new(&o, false);
	if (!rd) {
		ret = p_err_errno(errno, "creating the stream reader");
		goto out_refs;
	}
	for (i = 0; i < nr_refs && !ret; i++)
		ret = dump_add(rd, &refs[i], streams, &rs);
	if (!ret)
		ret = out_consume(&o, rd);
	if (!ret && !o.err)
		note_unprinted(&rs);
	bpf_stream_reader__free(rd);
	ring_set_free(&rs);
	out_fini(&o);
	if (!ret && o.err)
		ret = out_err_status(o.err);
out_refs:
	free_prog_refs(refs, nr_refs);
out_sels:
	free(sels);
	return ret;
}
