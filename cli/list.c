// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf-stream list: loaded programs with id, type, name, tag, whether their
 * kernel has BPF streams (probed once), the transport that carries their
 * output and the drops of their bpf_stream.h instance (asked of the kernel
 * through the library: bpf_stream_prog_transport()) and the processes that
 * hold an fd of it (/proc/PID/fdinfo, as bpftool's pids do with a BPF
 * iterator; /proc needs no BTF and works on every kernel).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
		"  the messages dropped so far ('dropped OUT/ERR'), then the processes that\n"
		"  hold the program ('owner PID(COMM),...': its loader, or whoever holds an\n"
		"  fd of it; none for a program kept alive only by a link or pin).\n"
		"  With --json: one array of objects {id, type, name, tag, streams, ringbuf,\n"
		"  transport, dropped: {stdout, stderr} or null, owners: [{pid, comm}]}.\n");
}

/* ---- owners ------------------------------------------------------------------ */

static int owner_add(struct owner_map *m, __u32 prog_id, int pid, const char *comm)
{
	if (m->n == m->cap) {
		int cap = m->cap ? 2 * m->cap : 32;
		struct prog_owner *v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n].prog_id = prog_id;
	m->v[m->n].pid = pid;
	snprintf(m->v[m->n].comm, sizeof(m->v[m->n].comm), "%s", comm);
	m->n++;
	return 0;
}

static int owner_cmp(const void *a, const void *b)
{
	const struct prog_owner *x = a, *y = b;

	if (x->prog_id != y->prog_id)
		return x->prog_id < y->prog_id ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static void read_comm(int pid, char *comm, size_t sz)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	comm[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, comm, sz - 1);
	close(fd);
	if (n <= 0)
		return;
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
}

/* The prog_id of an fd of @pid, from its fdinfo; 0 when it has none. */
static __u32 fd_prog_id(int pid, int fd)
{
	char path[96], buf[1024], *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return 0;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strstr(buf, "\nprog_id:");
	return p ? (__u32)strtoul(p + 9, NULL, 10) : 0;
}

int owner_map_scan(struct owner_map *m)
{
	struct dirent *pe, *fe;
	DIR *proc, *fds;
	int self = getpid(), err = 0;

	m->n = 0;
	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while (!err && (pe = readdir(proc))) {
		char path[64], link[64], comm[16] = "";
		int pid, start = m->n;
		ssize_t n;

		if (!isdigit((unsigned char)pe->d_name[0]))
			continue;
		pid = atoi(pe->d_name);
		if (pid == self)
			continue; /* bpf-stream's own fds are not owners */
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue; /* gone, or not ours to see */
		while ((fe = readdir(fds))) {
			__u32 id;
			int i;

			if (fe->d_name[0] == '.')
				continue;
			/* readlink is cheaper than reading every fdinfo */
			n = readlinkat(dirfd(fds), fe->d_name, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (strcmp(link, "anon_inode:bpf-prog"))
				continue;
			id = fd_prog_id(pid, atoi(fe->d_name));
			if (!id)
				continue;
			for (i = start; i < m->n && m->v[i].prog_id != id; i++)
				;
			if (i < m->n)
				continue; /* one entry per process and program */
			if (!comm[0])
				read_comm(pid, comm, sizeof(comm));
			err = owner_add(m, id, pid, comm);
			if (err)
				break;
		}
		closedir(fds);
	}
	closedir(proc);
	if (m->n)
		qsort(m->v, m->n, sizeof(*m->v), owner_cmp);
	return err;
}

int owner_map_find(const struct owner_map *m, __u32 prog_id, const struct prog_owner **first)
{
	int lo = 0, hi = m->n, k;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (m->v[mid].prog_id < prog_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo; k < m->n && m->v[k].prog_id == prog_id; k++)
		;
	*first = k > lo ? &m->v[lo] : NULL;
	return k - lo;
}

void owner_map_free(struct owner_map *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* ---- list ---------------------------------------------------------------------- */

static void print_prog(const struct prog_ref *r, int streams, int transport,
		       const struct bpf_stream_prog_stats *st, const struct owner_map *om)
{
	const struct prog_owner *own;
	int nown = owner_map_find(om, r->id, &own), i;
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
		jsonw_name(&json_wtr, "owners");
		jsonw_start_array(&json_wtr);
		for (i = 0; i < nown; i++) {
			jsonw_start_object(&json_wtr);
			jsonw_int_field(&json_wtr, "pid", own[i].pid);
			jsonw_string_field(&json_wtr, "comm", own[i].comm);
			jsonw_end_object(&json_wtr);
		}
		jsonw_end_array(&json_wtr);
		jsonw_end_object(&json_wtr);
		return;
	}
	/* the kernel allows only [A-Za-z0-9_.] in names: no escaping needed */
	printf("%u: %s  name %s  tag %s  streams %s  transport %s", r->id, type, r->name, r->tag,
	       streams < 0 ? "unknown" : streams ? "yes" : "no", tname);
	if (transport >= 0)
		printf("  dropped %llu/%llu", (unsigned long long)st->dropped[BPF_STDOUT],
		       (unsigned long long)st->dropped[BPF_STDERR]);
	for (i = 0; i < nown; i++) {
		char comm[4 * sizeof(own[i].comm) + 1];

		/* a comm is whatever the process set (prctl): escaped */
		bpf_stream_escape(comm, sizeof(comm), own[i].comm, strlen(own[i].comm));
		printf("%s%d(%s)", i ? "," : "  owner ", own[i].pid, comm);
	}
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
	int fd, nr = 0, cap = 0, i, err, ret = EXIT_OK;
	struct owner_map om = {};
	__u32 id = 0;

	if (cmd_no_options(&argc, argv))
		return EXIT_USAGE;
	if (argc > 0)
		return usage_err("'list' takes no arguments, got '%s'", argv[0]);
	/* one pass over /proc for all programs (a program loaded after it
	 * shows no owner) */
	err = owner_map_scan(&om);
	if (err)
		p_verbose("no program owners: reading /proc: %s", strerror(-err));
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
		e->streams = kernel_has_streams();
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
		print_prog(&ents[i].r, ents[i].streams, ents[i].transport, &ents[i].st, &om);
	if (json_output)
		jsonw_end_array(&json_wtr);
	if (ferror(stdout) || (json_output && json_wtr.err))
		ret = out_err_status(-EIO);
out:
	owner_map_free(&om);
	free(ents);
	return ret;
}
