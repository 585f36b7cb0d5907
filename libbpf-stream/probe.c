// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What the running kernel offers for BPF streams, asked once per process.
 *
 * The stream kfunc has had three shapes upstream, and the kernel's BTF says
 * which one is there:
 *   6.17  bpf_stream_vprintk(int, const char *, const void *, u32, void *aux__prog)
 *   6.18  bpf_stream_vprintk_impl(same five arguments)
 *   7.x   bpf_stream_vprintk(int, const char *, const void *, u32): the verifier
 *         supplies the program; a bpf_stream_vprintk_impl(..., struct
 *         bpf_prog_aux *) twin is in BTF too, but programs cannot call it.
 * Which one a program can call is settled by trying: for each candidate
 * found in BTF, a small syscall program that prints "42\n" through it is
 * loaded (by BTF id, no libbpf extern involved) and run, and its stdout is
 * read back. The first candidate the verifier accepts is the kernel's
 * stream kfunc; whether its write landed is the answer to "do native
 * streams work here" (on some kernels the write path fails, e.g. -ENOMEM
 * when the allocator refuses; see the README's kernel table).
 */
#include <stdlib.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "stream_internal.h"
#include "stream_features.h"

/* Written by the probe only, under features.c's lock, before the cache
 * publishes its answer. */
static struct bs_kernel probe_res;

/* Candidates, most recent first: on 7.x both names exist and only
 * bpf_stream_vprintk is callable. */
static const char *const kfunc_names[] = { "bpf_stream_vprintk", "bpf_stream_vprintk_impl" };

/*
 * Load (and run) the write probe for kfunc @btf_id taking @nr_args arguments.
 * Return: 0 if the program loaded; *write_err then holds 0 if "42\n" came
 * back on its stdout, else -errno. Return -errno if it did not load.
 */
static int probe_write(int btf_id, int nr_args, int *write_err)
{
	static const char fmt[8] = "%d\n";
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	LIBBPF_OPTS(bpf_map_create_opts, mopts, .map_flags = BPF_F_RDONLY_PROG);
	/* syscall programs must be sleepable */
	LIBBPF_OPTS(bpf_prog_load_opts, popts, .prog_flags = BPF_F_SLEEPABLE);
	struct bpf_insn insns[16];
	int map_fd, prog_fd = -1, n = 0, err;
	__u32 key = 0;
	char buf[16];

	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bs_probe_fmt", 4, sizeof(fmt), 1, &mopts);
	if (map_fd < 0)
		return -errno;
	if (bpf_map_update_elem(map_fd, &key, fmt, 0) || bpf_map_freeze(map_fd)) {
		err = -errno;
		goto out;
	}
	/* *(u64 *)(r10 - 8) = 42 */
	insns[n++] = (struct bpf_insn){ .code = BPF_ST | BPF_MEM | BPF_DW, .dst_reg = BPF_REG_10,
					.off = -8, .imm = 42 };
	/* r1 = BPF_STDOUT */
	insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1,
					.imm = BPF_STDOUT };
	/* r2 = &fmt (map value, offset 0) */
	insns[n++] = (struct bpf_insn){ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_2,
					.src_reg = BPF_PSEUDO_MAP_VALUE, .imm = map_fd };
	insns[n++] = (struct bpf_insn){ .imm = 0 };
	/* r3 = r10 - 8 */
	insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_3,
					.src_reg = BPF_REG_10 };
	insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_3,
					.imm = -8 };
	/* r4 = 8 (one argument) */
	insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_4,
					.imm = 8 };
	if (nr_args >= 5) /* r5 = NULL: aux, filled in by the verifier */
		insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K,
						.dst_reg = BPF_REG_5 };
	insns[n++] = (struct bpf_insn){ .code = BPF_JMP | BPF_CALL, .src_reg = BPF_PSEUDO_KFUNC_CALL,
					.imm = btf_id };
	insns[n++] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };

	prog_fd = bpf_prog_load(BPF_PROG_TYPE_SYSCALL, "bs_probe", "GPL", insns, n, &popts);
	if (prog_fd < 0) {
		LIBBPF_OPTS(bpf_prog_load_opts, lopts, .log_level = 1,
			    .prog_flags = BPF_F_SLEEPABLE);
		char *log = calloc(1, 8192);

		err = -errno;
		if (log) { /* once more, for the verifier's words */
			lopts.log_buf = log;
			lopts.log_size = 8192;
			bpf_prog_load(BPF_PROG_TYPE_SYSCALL, "bs_probe", "GPL", insns, n, &lopts);
		}
		pr_debug("native write probe: program refused (%d): %s\n", err, log ? log : "");
		free(log);
		goto out;
	}
	err = 0;
	if (bpf_prog_test_run_opts(prog_fd, &topts)) {
		*write_err = -errno;
		goto out;
	}
	*write_err = (int)topts.retval;
	if (*write_err > 0)
		*write_err = -EIO;
	if (!*write_err) {
		n = bpf_stream_read(prog_fd, BPF_STDOUT, buf, sizeof(buf));
		if (n != 3 || memcmp(buf, "42\n", 3))
			*write_err = n < 0 ? n : -EIO;
	}
out:
	if (prog_fd >= 0)
		close(prog_fd);
	close(map_fd);
	return err;
}

static void probe_kernel(struct bs_kernel *k)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int load_err = 0;
	size_t i;

	memset(k, 0, sizeof(*k));
	k->write_err = -EOPNOTSUPP;
	if (!btf) {
		k->btf_err = -errno ? -errno : -ENOENT;
		pr_debug("probe: no kernel BTF (%d)\n", k->btf_err);
		return;
	}
	for (i = 0; i < sizeof(kfunc_names) / sizeof(kfunc_names[0]); i++) {
		int id = btf__find_by_name_kind(btf, kfunc_names[i], BTF_KIND_FUNC);
		const struct btf_type *proto;
		int write_err = -EIO, err;

		if (id <= 0)
			continue;
		proto = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
		if (!proto || !btf_is_func_proto(proto))
			continue;
		k->kfunc_in_btf = true;
		err = probe_write(id, btf_vlen(proto), &write_err);
		pr_debug("probe: %s (%u arguments, BTF id %d): %s %d\n", kfunc_names[i],
			 btf_vlen(proto), id, err ? "refused" : "loaded, write", err ? err : write_err);
		if (err) {
			load_err = err;
			continue;
		}
		k->kfunc_name = kfunc_names[i];
		k->kfunc_btf_id = id;
		k->kfunc_nr_args = btf_vlen(proto);
		k->write_err = write_err;
		break;
	}
	if (k->kfunc_in_btf && !k->kfunc_name)
		k->write_err = load_err ? load_err : -EOPNOTSUPP;
	btf__free(btf);
}

/* BS_FEAT_NATIVE_WRITE of the feature table: yes where a native write
 * landed and read back. */
int bs_probe_native_write(void)
{
	probe_kernel(&probe_res);
	return !bs_kernel_native_problem(&probe_res);
}

struct bs_kernel bs_kernel_probe(void)
{
	int yes = bs_feat_probe(BS_FEAT_NATIVE_WRITE);
	struct bs_kernel k;

	if (!bs_feat_overridden(BS_FEAT_NATIVE_WRITE))
		return probe_res;
	/* forced by a test: as if the kernel had (or not) a five-argument
	 * bpf_stream_vprintk_impl whose writes land */
	memset(&k, 0, sizeof(k));
	k.kfunc_in_btf = yes > 0;
	if (yes > 0) {
		k.kfunc_name = "bpf_stream_vprintk_impl";
		k.kfunc_nr_args = 5;
	}
	k.write_err = yes > 0 ? 0 : -EOPNOTSUPP;
	return k;
}

const char *bs_kernel_native_problem(const struct bs_kernel *k)
{
	if (k->btf_err)
		return "the kernel's BTF (/sys/kernel/btf/vmlinux) cannot be read, so its stream kfunc cannot be found";
	if (!k->kfunc_in_btf)
		return "this kernel has no BPF streams (no bpf_stream_vprintk kfunc in its BTF)";
	if (!k->kfunc_name) {
		switch (k->write_err) {
		case -EPERM:
		case -EACCES:
			return "the native write probe was refused: loading BPF programs needs CAP_BPF";
		default:
			return "the verifier refused every stream kfunc this kernel's BTF lists";
		}
	}
	switch (k->write_err) {
	case 0:
		return NULL;
	case -ENOMEM:
		return "native stream writes fail on this kernel (the kfunc returns -ENOMEM: the stream allocator refuses)";
	case -ENOSPC:
		return "native stream writes fail on this kernel (the kfunc returns -ENOSPC)";
	case -EOPNOTSUPP:
	case -EINVAL:
		return "native stream writes land nowhere: this kernel cannot read streams back";
	default:
		return "native stream writes fail on this kernel";
	}
}
