// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf-stream list: loaded programs with id, type, name, tag, whether their
 * kernel has BPF streams (probed once), the transport that carries their
 * output and the drops of their bpf_stream.h instance (asked of the kernel
 * through the library: bpf_stream_prog_transport()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "main.h"

void help_list(FILE *f)
{
	fprintf(f,
		"Usage: " BIN_NAME " list\n"
		"  List loaded programs: id, type, name, tag, whether the kernel has BPF\n"
		"  streams ('streams yes|no'), the transport of the program's output\n"
		"  ('transport native|ringbuf|none': none when it does not use bpf_stream.h\n"
		"  and the kernel has no streams) and, for programs built with bpf_stream.h,\n"
		"  the messages dropped so far ('dropped OUT/ERR').\n"
		"  With --json: one array of objects {id, type, name, tag, streams, ringbuf,\n"
		"  transport, dropped: {stdout, stderr} or null}.\n");
}

static void print_prog(const struct prog_ref *r, int streams, int transport,
		       const struct bpf_stream_prog_stats *st)
{
	bool ringbuf = transport == BPF_STREAM_TRANSPORT_RINGBUF;
	const char *tname = transport >= 0 ? bpf_stream_transport_str(transport)
					   : streams == 0 ? "none" : "native";
	const char *type = libbpf_bpf_prog_type_str(r->type);
	char tbuf[32];

	if (!type) {
		snprintf(tbuf, sizeof(tbuf), "type %u", r->type);
		type = tbuf;
	}
	if (json_output) {
		jsonw_start_object(&json_wtr);
		jsonw_uint_field(&json_wtr, "id", r->id);
		jsonw_string_field(&json_wtr, "type", type);
		jsonw_string_field(&json_wtr, "name", r->name);
		jsonw_string_field(&json_wtr, "tag", r->tag);
		jsonw_name(&json_wtr, "streams");
		if (streams < 0)
			jsonw_null(&json_wtr);
		else
			jsonw_bool(&json_wtr, streams);
		jsonw_bool_field(&json_wtr, "ringbuf", ringbuf);
		jsonw_string_field(&json_wtr, "transport", tname);
		jsonw_name(&json_wtr, "dropped");
		if (transport < 0) {
			jsonw_null(&json_wtr);
		} else {
			jsonw_start_object(&json_wtr);
			jsonw_uint_field(&json_wtr, "stdout", st->dropped[BPF_STDOUT]);
			jsonw_uint_field(&json_wtr, "stderr", st->dropped[BPF_STDERR]);
			jsonw_end_object(&json_wtr);
		}
		jsonw_end_object(&json_wtr);
		return;
	}
	/* the kernel allows only [A-Za-z0-9_.] in names: no escaping needed */
	printf("%u: %s  name %s  tag %s  streams %s  transport %s", r->id, type, r->name, r->tag,
	       streams < 0 ? "unknown" : streams ? "yes" : "no", tname);
	if (transport >= 0)
		printf("  dropped %llu/%llu", (unsigned long long)st->dropped[BPF_STDOUT],
		       (unsigned long long)st->dropped[BPF_STDERR]);
	putchar('\n');
}

/* What list prints of one program, gathered before anything is printed. */
struct list_ent {
	struct prog_ref r;
	int streams;
	int transport;
	struct bpf_stream_prog_stats st;
};

int do_list(int argc, char **argv)
{
	struct list_ent *ents = NULL, *e;
	int fd, nr = 0, cap = 0, i, ret = EXIT_OK;
	__u32 id = 0;

	if (argc > 0)
		return usage_err("'list' takes no arguments, got '%s'", argv[0]);
	/* Every program is read before the first is printed, so that an error
	 * (no rights to list) is the only output: with --json one document,
	 * never an empty array that reads as "no programs" and then an error. */
	for (;;) {
		if (bpf_prog_get_next_id(id, &id)) {
			if (errno == ENOENT)
				break;
			ret = p_err_errno(errno, "listing loaded programs");
			goto out;
		}
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			ret = p_err_errno(errno, "opening program id %u", id);
			goto out;
		}
		if (nr == cap) {
			int ncap = cap ? cap * 2 : 64;

			e = realloc(ents, ncap * sizeof(*e));
			if (!e) {
				close(fd);
				ret = p_err(EXIT_FAIL, "out of memory");
				goto out;
			}
			ents = e;
			cap = ncap;
		}
		e = &ents[nr];
		if (prog_ref_from_fd(fd, &e->r)) {
			close(fd);
			continue;
		}
		memset(&e->st, 0, sizeof(e->st));
		e->st.sz = sizeof(e->st);
		e->streams = kernel_has_streams(fd);
		if (e->streams < 0)
			e->streams = -1;
		e->transport = bpf_stream_prog_transport(fd, &e->st);
		close(fd);
		e->r.fd = -1;
		nr++;
	}
	if (json_output)
		jsonw_start_array(&json_wtr);
	for (i = 0; i < nr; i++)
		print_prog(&ents[i].r, ents[i].streams, ents[i].transport, &ents[i].st);
	if (json_output)
		jsonw_end_array(&json_wtr);
	if (ferror(stdout) || (json_output && json_wtr.err))
		ret = out_err_status(-EIO);
out:
	free(ents);
	return ret;
}
