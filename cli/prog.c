// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* PROG arguments: id ID | pinned FILE | name NAME | tag TAG | all, as in bpftool. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#include "main.h"
#include "stream_internal.h"	/* bs_fd_is_anon(), shared with the library */


static int parse_tag(const char *s, unsigned char tag[8])
{
	int n = 0, hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ':' || *s == ' ')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			return -EINVAL;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == 8)
			return -EINVAL;
		tag[n++] = (unsigned char)(hi << 4 | v);
		hi = -1;
	}
	return n == 8 && hi < 0 ? 0 : -EINVAL;
}

static bool is_prog_keyword(const char *s)
{
	return is_prefix(s, "id") || is_prefix(s, "pinned") || is_prefix(s, "name") ||
	       is_prefix(s, "tag") || !strcmp(s, "all");
}

int parse_progs(int *argcp, char ***argvp, int max, struct prog_sel **selsp, int *nr_selsp,
		__u32 *streams)
{
	int argc = *argcp, nr = 0;
	char **argv = *argvp;
	struct prog_sel *sels;

	*streams = BPF_STREAM_MASK_ALL;
	sels = calloc(argc > 0 ? argc : 1, sizeof(*sels));
	if (!sels)
		return p_err(EXIT_FAIL, "out of memory");

	while (argc > 0) {
		struct prog_sel *s = &sels[nr];
		const char *w = argv[0];
		char *end;

		/* a last stream word after at least one PROG ('all' included) */
		if (nr > 0 && argc == 1 && parse_stream(w)) {
			*streams = parse_stream(w);
			argc--, argv++;
			break;
		}
		if (nr == max || !is_prog_keyword(w)) {
			free(sels);
			if (nr == 0)
				return usage_err("expected PROG (id, pinned, name, tag or all), got '%s'", w);
			if (argc == 1)
				return usage_err("bad stream '%s': expected stdout, stderr or all", w);
			/* a stream word in place: the word after it is the one too many */
			if (parse_stream(w))
				return usage_err("unexpected argument '%s' after the stream '%s'",
						 argv[1], w);
			if (nr == max && is_prog_keyword(w))
				return usage_err("unexpected argument '%s': one PROG only", w);
			return usage_err("unexpected argument '%s'", w);
		}
		if (!strcmp(w, "all")) {
			s->kind = PROG_SEL_ALL;
			argc--, argv++;
			nr++;
			continue;
		}
		if (argc < 2) {
			free(sels);
			return usage_err("'%s' needs a value", w);
		}
		if (is_prefix(w, "id")) {
			unsigned long v;

			errno = 0;
			v = strtoul(argv[1], &end, 0);
			if (errno || *end || end == argv[1] || argv[1][0] == '-' || v == 0 ||
			    v > UINT_MAX) {
				free(sels);
				return usage_err("bad program id '%s'", argv[1]);
			}
			s->kind = PROG_SEL_ID;
			s->id = (__u32)v;
		} else if (is_prefix(w, "pinned")) {
			s->kind = PROG_SEL_PINNED;
			s->arg = argv[1];
		} else if (is_prefix(w, "name")) {
			if (!argv[1][0]) {
				free(sels);
				return usage_err("empty program name");
			}
			s->kind = PROG_SEL_NAME;
			s->arg = argv[1];
		} else {
			if (parse_tag(argv[1], s->tag)) {
				free(sels);
				return usage_err("bad tag '%s': expected 16 hex digits", argv[1]);
			}
			s->kind = PROG_SEL_TAG;
			s->arg = argv[1];
		}
		argc -= 2, argv += 2;
		nr++;
	}
	if (nr == 0) {
		free(sels);
		return usage_err("expected PROG (id ID, pinned FILE, name NAME, tag TAG or all)");
	}
	*argcp = argc;
	*argvp = argv;
	*selsp = sels;
	*nr_selsp = nr;
	return EXIT_OK;
}

int prog_ref_from_fd(int fd, struct prog_ref *ref)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int i;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	memset(ref, 0, sizeof(*ref));
	ref->fd = fd;
	ref->id = info.id;
	ref->type = info.type;
	memcpy(ref->name, info.name, sizeof(ref->name) - 1);
	for (i = 0; i < 8; i++)
		snprintf(ref->tag + 2 * i, 3, "%02x", info.tag[i]);
	return 0;
}

/* Is @path on a BPF file system (or its directory, for a path that does not
 * exist)? Only there can a program be pinned. */
static bool path_on_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == 0xcafe4a11; /* BPF_FS_MAGIC */
}

static bool path_is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* Without /proc, let the info call decide. */
static bool fd_is_prog(int fd)
{
	return access("/proc/self/fd", X_OK) || bs_fd_is_anon(fd, "bpf-prog");
}

bool prog_uses_ringbuf(int prog_fd)
{
	return bpf_stream_prog_transport(prog_fd, NULL) == BPF_STREAM_TRANSPORT_RINGBUF;
}

static __u32 prog_btf_id(int fd)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.btf_id;
}

int ring_set_add(struct ring_set *rs, int prog_fd)
{
	__u32 btf_id = prog_btf_id(prog_fd);
	int i;

	if (!btf_id)
		return 0;
	for (i = 0; i < rs->n; i++)
		if (rs->btf_ids[i] == btf_id)
			return 0;
	if (rs->n == rs->cap) {
		int cap = rs->cap ? rs->cap * 2 : 8;
		__u32 *p = realloc(rs->btf_ids, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		rs->btf_ids = p;
		rs->cap = cap;
	}
	rs->btf_ids[rs->n++] = btf_id;
	return 0;
}

void ring_set_free(struct ring_set *rs)
{
	free(rs->btf_ids);
	memset(rs, 0, sizeof(*rs));
}

void note_unprinted(const struct ring_set *rs)
{
	unsigned long long total = 0;
	char ids[128] = "";
	size_t len = 0;
	__u32 id = 0;
	int i;

	/* Called once the reader consumed everything of what it follows: what
	 * this process still holds belongs to programs or streams it does not
	 * print. Only programs of the objects whose ring was read (one BTF
	 * object per loaded bpf_object) can hold anything. */
	while (rs->n && !bpf_prog_get_next_id(id, &id)) {
		LIBBPF_OPTS(bpf_stream_prog_stats, st);
		unsigned long long n;
		int fd = bpf_prog_get_fd_by_id(id);
		__u32 btf_id;

		if (fd < 0)
			continue;
		btf_id = prog_btf_id(fd);
		for (i = 0; btf_id && i < rs->n && rs->btf_ids[i] != btf_id; i++)
			;
		if (btf_id && i < rs->n &&
		    bpf_stream_prog_transport(fd, &st) == BPF_STREAM_TRANSPORT_RINGBUF) {
			n = st.queued[BPF_STDOUT] + st.queued[BPF_STDERR];
			if (n && len < sizeof(ids) - 16)
				len += snprintf(ids + len, sizeof(ids) - len, "%s%u", len ? ", " : "",
						id);
			total += n;
		}
		close(fd);
	}
	if (total)
		p_note("%llu message%s of other programs or streams sharing a ring buffer with those "
		       "read %s taken from it and not printed (program ids %s): read them "
		       "together, e.g. 'all' streams of those programs",
		       total, total == 1 ? "" : "s", total == 1 ? "was" : "were", ids);
}

static bool name_matches(const char *want, const char *kname)
{
	size_t n = strlen(want);

	/* the kernel keeps BPF_OBJ_NAME_LEN - 1 = 15 bytes of a name */
	if (n >= sizeof(((struct prog_ref *)0)->name) - 1)
		return !strncmp(want, kname, sizeof(((struct prog_ref *)0)->name) - 1);
	return !strcmp(want, kname);
}

static bool sel_matches(const struct prog_sel *s, const struct prog_ref *r)
{
	char hex[17];
	int i;

	switch (s->kind) {
	case PROG_SEL_ALL:
		return true;
	case PROG_SEL_NAME:
		return name_matches(s->arg, r->name);
	case PROG_SEL_TAG:
		for (i = 0; i < 8; i++)
			snprintf(hex + 2 * i, 3, "%02x", s->tag[i]);
		return !strcmp(hex, r->tag);
	default:
		return false;
	}
}

bool prog_sel_match(const struct prog_sel *sels, int nr_sels, const struct prog_ref *r)
{
	int i;

	for (i = 0; i < nr_sels; i++)
		if (sel_matches(&sels[i], r))
			return true;
	return false;
}

static bool id_in(const __u32 *ids, int n, __u32 id)
{
	int i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static bool ref_in(const struct prog_ref *refs, int n, __u32 id)
{
	int i;

	for (i = 0; i < n; i++)
		if (refs[i].id == id)
			return true;
	return false;
}

static int add_ref(struct prog_ref **refs, int *nr, const struct prog_ref *r)
{
	struct prog_ref *n = realloc(*refs, (*nr + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	n[*nr] = *r;
	*refs = n;
	(*nr)++;
	return 0;
}

void free_prog_refs(struct prog_ref *refs, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		if (refs[i].fd >= 0)
			close(refs[i].fd);
	free(refs);
}

/* id, pinned: exactly one program */
static int resolve_one(const struct prog_sel *s, struct prog_ref *r)
{
	int fd, err;

	if (s->kind == PROG_SEL_ID) {
		fd = bpf_prog_get_fd_by_id(s->id);
		if (fd < 0) {
			if (errno == ENOENT)
				return p_err(EXIT_NOPROG, "no such program: id %u", s->id);
			return p_err_errno(errno, "opening program id %u", s->id);
		}
	} else {
		fd = bpf_obj_get(s->arg);
		if (fd < 0) {
			int err = errno;

			if (err == ENOENT)
				return p_err(EXIT_NOPROG, "no such pinned program: %s", s->arg);
			/* the kernel refuses a directory with EACCES, even to root */
			if (path_is_dir(s->arg))
				return p_err(EXIT_NOPROG, "%s is a directory, not a pinned program", s->arg);
			if (!path_on_bpffs(s->arg))
				return p_err(EXIT_NOPROG, "%s is not on a BPF file system (bpffs), so it "
					     "is no pinned program", s->arg);
			if (err == EPERM || err == EACCES)
				return p_err_errno(err, "opening pinned program %s", s->arg);
			return p_err(EXIT_NOPROG, "cannot open pinned program %s: %s", s->arg,
				     strerror(err));
		}
		if (!fd_is_prog(fd)) {
			close(fd);
			return p_err(EXIT_NOPROG, "%s is pinned but is not a BPF program", s->arg);
		}
	}
	err = prog_ref_from_fd(fd, r);
	if (err) {
		close(fd);
		return p_err_errno(err, "reading program info");
	}
	return EXIT_OK;
}

int resolve_progs(const struct prog_sel *sels, int nr_sels, bool must_exist,
		  const __u32 *seen, int nr_seen, struct prog_ref **refsp, int *nr_refsp)
{
	struct prog_ref *refs = NULL, r;
	bool scan = false, *hit;
	int nr = 0, i, ret = EXIT_OK;
	__u32 id = 0;

	hit = calloc(nr_sels, sizeof(*hit));
	if (!hit)
		return p_err(EXIT_FAIL, "out of memory");

	for (i = 0; i < nr_sels; i++) {
		if (sels[i].kind != PROG_SEL_ID && sels[i].kind != PROG_SEL_PINNED) {
			scan = true;
			continue;
		}
		if (sels[i].kind == PROG_SEL_ID && id_in(seen, nr_seen, sels[i].id))
			continue;
		ret = resolve_one(&sels[i], &r);
		if (ret)
			goto out_err;
		hit[i] = true;
		if (ref_in(refs, nr, r.id) || id_in(seen, nr_seen, r.id)) {
			close(r.fd);
			continue;
		}
		if (add_ref(&refs, &nr, &r)) {
			close(r.fd);
			ret = p_err(EXIT_FAIL, "out of memory");
			goto out_err;
		}
	}

	while (scan) {
		bool want = false;
		int fd, err;

		if (bpf_prog_get_next_id(id, &id)) {
			if (errno == ENOENT)
				break;
			ret = p_err_errno(errno, "listing loaded programs");
			goto out_err;
		}
		if (id_in(seen, nr_seen, id) || ref_in(refs, nr, id))
			continue;
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0) {
			if (errno == ENOENT)
				continue; /* unloaded meanwhile */
			ret = p_err_errno(errno, "opening program id %u", id);
			goto out_err;
		}
		err = prog_ref_from_fd(fd, &r);
		if (err) {
			close(fd);
			continue;
		}
		for (i = 0; i < nr_sels; i++) {
			if (sel_matches(&sels[i], &r)) {
				hit[i] = true;
				want = true;
			}
		}
		if (!want) {
			close(fd);
			continue;
		}
		if (add_ref(&refs, &nr, &r)) {
			close(fd);
			ret = p_err(EXIT_FAIL, "out of memory");
			goto out_err;
		}
	}

	if (must_exist) {
		for (i = 0; i < nr_sels; i++) {
			if (hit[i] || sels[i].kind == PROG_SEL_ALL)
				continue;
			if (sels[i].kind == PROG_SEL_ID && id_in(seen, nr_seen, sels[i].id))
				continue;
			ret = p_err(EXIT_NOPROG, "no such program: %s %s",
				    sels[i].kind == PROG_SEL_NAME ? "name" : "tag", sels[i].arg);
			goto out_err;
		}
	}
	free(hit);
	*refsp = refs;
	*nr_refsp = nr;
	return EXIT_OK;

out_err:
	free(hit);
	free_prog_refs(refs, nr);
	return ret;
}
