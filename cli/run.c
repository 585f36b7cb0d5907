// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf-stream run OBJECT.bpf.o [--prog NAME] [--repeat N]: open an object,
 * bpf_stream_prepare() it, load it, run its programs once (or N times) with
 * BPF_PROG_TEST_RUN, print what they wrote to their streams, and exit with
 * their verdict.
 *
 * Verdicts: a program "passes" when it returns the value that lets things go
 * on for its type: XDP_PASS for xdp, TC_ACT_OK (0) for tc, a non-zero length
 * (packet kept) for socket filters, 0 for syscall programs. The exit status
 * is 0 when every program that ran passed, else the first failing program's
 * return value clamped to 1..63 (0 and negative values give 1), below the
 * error statuses (64 and above).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "main.h"

void help_run(FILE *f)
{
	fprintf(f,
		"Usage: " BIN_NAME " run OBJECT.bpf.o [--prog NAME] [--repeat N]\n"
		"  Load OBJECT (built with bpf_stream.h or not), run each program with\n"
		"  BPF_PROG_TEST_RUN and print its streams. xdp, tc and socket programs get\n"
		"  a small Ethernet/IPv4/UDP packet, syscall programs no input, raw_tp\n"
		"  programs 12 zeroed arguments; other types are loaded but skipped with a\n"
		"  note. --prog runs (and loads) only NAME;\n"
		"  --repeat runs each program N times. -v tells which transport was used.\n"
		"  Exit status: 0 when every program returned its pass value (xdp: XDP_PASS,\n"
		"  tc: TC_ACT_OK, socket: non-zero, syscall: 0), else the first failing\n"
		"  return value clamped to 1..63 (0 and negative values give 1).\n");
}

/* run's own words: OBJECT.bpf.o [--prog NAME] [--repeat N], in any order. */
struct run_opts {
	const char *path;
	const char *prog;	/* --prog: run (and load) only this program */
};

/* --repeat N: runs of each program (print_result() and test_run() read it) */
static long run_repeat = 1;

static int run_parse(int argc, char **argv, struct run_opts *ro)
{
	enum { OPT_PROG = 0x100, OPT_REPEAT };
	static const struct option opts[] = {
		{ "prog", required_argument, NULL, OPT_PROG },
		{ "repeat", required_argument, NULL, OPT_REPEAT },
		{ NULL }
	};
	char *end;
	int opt;

	memset(ro, 0, sizeof(*ro));
	run_repeat = 1;
	/* argv[-1] is the command's name: getopt's argv[0] */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc + 1, argv - 1, ":", opts, NULL)) >= 0) {
		switch (opt) {
		case OPT_PROG:
			ro->prog = optarg;
			break;
		case OPT_REPEAT:
			errno = 0;
			run_repeat = strtol(optarg, &end, 0);
			if (errno || *end || end == optarg || run_repeat < 1 || run_repeat > 100000000)
				return usage_err("bad --repeat value '%s': expected a count from 1 to 100000000",
						 optarg);
			break;
		case ':':
			return usage_err("option '%s' needs an argument", argv[optind - 2]);
		default:
			if (optopt)
				return usage_err("unknown option '-%c'", optopt);
			return usage_err("unknown option '%s'", argv[optind - 2]);
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 1)
		return usage_err("expected OBJECT.bpf.o");
	if (argc > 1)
		return usage_err("unexpected argument '%s'", argv[1]);
	ro->path = argv[0];
	return EXIT_OK;
}

/* A dummy packet: Ethernet, IPv4 (valid checksum), UDP, a short payload. */
struct dummy_pkt {
	unsigned char bytes[14 + 20 + 8 + 10];
};

static void build_packet(struct dummy_pkt *p)
{
	unsigned char *b = p->bytes, *ip = b + 14, *udp = ip + 20;
	unsigned int sum = 0, i;
	static const char payload[] = { 'b', 'p', 'f', '-', 's', 't', 'r', 'e', 'a', 'm' };

	memset(p, 0, sizeof(*p));
	memcpy(b, "\x02\x00\x00\x00\x00\x02", 6);	/* dst MAC */
	memcpy(b + 6, "\x02\x00\x00\x00\x00\x01", 6);	/* src MAC */
	b[12] = 0x08;					/* ETH_P_IP */
	b[13] = 0x00;
	ip[0] = 0x45;					/* v4, 5 words */
	ip[2] = 0;
	ip[3] = 20 + 8 + sizeof(payload);		/* total length */
	ip[8] = 64;					/* ttl */
	ip[9] = 17;					/* UDP */
	memcpy(ip + 12, "\xc0\x00\x02\x01", 4);		/* 192.0.2.1 (TEST-NET-1) */
	memcpy(ip + 16, "\xc0\x00\x02\x02", 4);		/* 192.0.2.2 */
	for (i = 0; i < 20; i += 2)
		sum += (ip[i] << 8) | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	ip[10] = sum >> 8;
	ip[11] = sum & 0xff;
	udp[0] = 0x30, udp[1] = 0x39;			/* port 12345 */
	udp[2] = 0x00, udp[3] = 0x35;			/* port 53 */
	udp[5] = 8 + sizeof(payload);			/* length; checksum 0: none */
	memcpy(udp + 8, payload, sizeof(payload));
}

enum run_kind { RUN_SKIP, RUN_PACKET, RUN_NODATA, RUN_ARGS };

/* raw_tp programs get this many zeroed u64 arguments as their context */
#define RAW_TP_NR_ARGS 12

static enum run_kind run_kind(enum bpf_prog_type t)
{
	switch (t) {
	case BPF_PROG_TYPE_XDP:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_SOCKET_FILTER:
		return RUN_PACKET;
	case BPF_PROG_TYPE_SYSCALL:
		return RUN_NODATA;
	case BPF_PROG_TYPE_RAW_TRACEPOINT:
		return RUN_ARGS;
	default:
		return RUN_SKIP;
	}
}

static bool verdict_pass(enum bpf_prog_type t, __u32 retval)
{
	switch (t) {
	case BPF_PROG_TYPE_XDP:
		return retval == XDP_PASS;
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
		return retval == 0; /* TC_ACT_OK */
	case BPF_PROG_TYPE_SOCKET_FILTER:
		return retval != 0;
	default:
		return retval == 0;
	}
}

static const char *verdict_name(enum bpf_prog_type t, __u32 retval)
{
	static const char *const xdp[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					   "XDP_REDIRECT" };
	static const char *const tc[] = { "TC_ACT_OK", "TC_ACT_RECLASSIFY", "TC_ACT_SHOT",
					  "TC_ACT_PIPE", "TC_ACT_STOLEN", "TC_ACT_QUEUED",
					  "TC_ACT_REPEAT", "TC_ACT_REDIRECT" };

	if (t == BPF_PROG_TYPE_XDP && retval < 5)
		return xdp[retval];
	if ((t == BPF_PROG_TYPE_SCHED_CLS || t == BPF_PROG_TYPE_SCHED_ACT)) {
		if (retval < 8)
			return tc[retval];
		if ((int)retval == -1)
			return "TC_ACT_UNSPEC";
	}
	return NULL;
}

static int verdict_exit(__u32 retval)
{
	int v = (int)retval;

	if (v < 1)
		return 1;
	return v > EXIT_VERDICT_MAX ? EXIT_VERDICT_MAX : v;
}

static void print_result(struct bpf_program *p, enum bpf_prog_type t, __u32 retval,
			 __u32 duration, bool pass)
{
	const char *vname = verdict_name(t, retval);
	const char *tname = libbpf_bpf_prog_type_str(t);
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len);
	if (json_output) {
		jsonw_start_object(&json_wtr);
		jsonw_uint_field(&json_wtr, "prog_id", info.id);
		jsonw_string_field(&json_wtr, "prog_name", bpf_program__name(p));
		jsonw_string_field(&json_wtr, "prog_type", tname ? tname : "unknown");
		jsonw_int_field(&json_wtr, "retval", (int)retval);
		/* always there: null where the type names no verdicts (syscall, ...) */
		jsonw_string_field(&json_wtr, "verdict_name", vname);
		jsonw_string_field(&json_wtr, "verdict", pass ? "pass" : "fail");
		jsonw_uint_field(&json_wtr, "repeat", (__u64)run_repeat);
		jsonw_uint_field(&json_wtr, "duration_ns", duration);
		jsonw_end_object(&json_wtr);
		return;
	}
	fflush(stdout);
	fprintf(stderr, BIN_NAME ": %s (%s): retval %d%s%s%s, %s", bpf_program__name(p),
		tname ? tname : "unknown", (int)retval, vname ? " (" : "", vname ? vname : "",
		vname ? ")" : "", pass ? "pass" : "fail");
	if (run_repeat > 1)
		fprintf(stderr, ", %ld runs, %u ns each", run_repeat, duration);
	fprintf(stderr, "\n");
}

/* Print what the object's programs wrote. Returns 0 or an exit status. */
static int drain(struct bpf_stream_reader *rd, struct out_ctx *o, struct bpf_program *p)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len);
	o->prog_id = info.id;
	o->prog_name = bpf_program__name(p);
	return out_consume(o, rd);
}

/* SIGINT/SIGTERM during the runs: stop running, print what the programs
 * printed so far, exit 128 + the signal. */
static volatile sig_atomic_t run_stop;

static void on_stop(int sig)
{
	run_stop = sig;
}

/*
 * Run one program run_repeat times: 0 or -errno. The kernel repeats packet
 * programs itself; syscall and raw_tp programs take no repeat (nor data),
 * so they are run in a loop here, and report no duration.
 */
static int test_run(struct bpf_program *p, enum run_kind k, struct bpf_test_run_opts *topts)
{
	long i, n = k == RUN_PACKET ? 1 : run_repeat;
	__u64 args[RAW_TP_NR_ARGS] = {};

	if (k == RUN_PACKET)
		topts->repeat = (int)run_repeat;
	if (k == RUN_ARGS) {
		topts->ctx_in = args;
		topts->ctx_size_in = sizeof(args);
	}
	for (i = 0; i < n && !run_stop; i++) {
		if (bpf_prog_test_run_opts(bpf_program__fd(p), topts))
			/* the kernel ends a repeat loop early on a signal */
			return errno == EINTR && run_stop ? 0 : -errno;
	}
	return 0;
}

static int prepare(struct bpf_object *obj, const char *path)
{
	const char *reason = NULL;
	int err, t;

	err = bpf_stream_prepare(obj);
	if (err == -EOPNOTSUPP)
		return p_err(EXIT_NOSTREAMS,
			     "BPF_STREAM_TRANSPORT=native, but native BPF streams do not work on kernel "
			     "%s: unset it to use the ring-buffer transport, or use a kernel (6.17+) "
			     "whose stream writes work (-v tells why)", kernel_release());
	if (err == -EINVAL && getenv("BPF_STREAM_TRANSPORT"))
		return p_err(EXIT_USAGE, "bad BPF_STREAM_TRANSPORT='%s': expected native, ringbuf or auto",
			     getenv("BPF_STREAM_TRANSPORT"));
	if (err)
		return p_err_errno(err, "preparing the streams of %s", path);
	t = bpf_stream_object_transport(obj, &reason);
	if (t >= 0)
		p_verbose("transport: %s%s%s%s", bpf_stream_transport_str(t), reason ? " (" : "",
			  reason ? reason : "", reason ? ")" : "");
	else
		p_verbose("transport: none (%s)", strerror(-t));
	return EXIT_OK;
}

/* Open @ro's object, with only --prog's program to load. 0 or an exit status. */
static int run_open(const struct run_opts *ro, struct bpf_object **objp)
{
	struct bpf_program *p, *only;
	struct bpf_object *obj;
	char msg[128];

	*objp = NULL;
	if (access(ro->path, R_OK)) {
		if (errno == ENOENT)
			return p_err(EXIT_NOPROG, "no such object file: %s", ro->path);
		return p_err(errno == EACCES ? EXIT_PERM : EXIT_BADOBJ, "cannot read %s: %s",
			     ro->path, strerror(errno));
	}
	obj = bpf_object__open_file(ro->path, NULL);
	if (!obj) {
		libbpf_strerror(errno, msg, sizeof(msg));
		return p_err(EXIT_BADOBJ, "cannot open BPF object %s: %s", ro->path, msg);
	}
	if (ro->prog) {
		only = bpf_object__find_program_by_name(obj, ro->prog);
		if (!only) {
			bpf_object__close(obj);
			return p_err(EXIT_NOPROG, "no program named '%s' in %s", ro->prog, ro->path);
		}
		bpf_object__for_each_program(p, obj)
			bpf_program__set_autoload(p, p == only);
	}
	*objp = obj;
	return EXIT_OK;
}

/* Load the prepared @obj; on failure say why (the verifier's log). */
static int run_load(struct bpf_object *obj, const char *path)
{
	int err;
	char msg[128];

	if (!bpf_object__load(obj))
		return EXIT_OK;
	err = errno;
	/* EPERM: no capability (or a type the kernel refuses); EACCES and the
	 * rest: the verifier or libbpf refused the object */
	if (err == EPERM && !have_bpf_caps())
		return p_err_errno(err, "loading %s", path);
	libbpf_log_show();
	if (err == EACCES)
		return p_err(EXIT_BADOBJ, "loading %s failed: the verifier rejected a program "
			     "(its log is above)", path);
	libbpf_strerror(err, msg, sizeof(msg));
	return p_err(EXIT_BADOBJ, "loading %s failed: %s (libbpf's log is above)", path, msg);
}

/* Test-run one loaded program and print what it wrote. Returns 0 (*fail_exit
 * set on the first failing verdict) or an exit status. */
static int run_one(struct bpf_stream_reader *rd, struct out_ctx *o, struct bpf_program *p,
		   const struct dummy_pkt *pkt, int *fail_exit)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	enum bpf_prog_type t = bpf_program__type(p);
	enum run_kind k = run_kind(t);
	bool pass;
	int ret;

	if (k == RUN_PACKET) {
		topts.data_in = pkt->bytes;
		topts.data_size_in = sizeof(pkt->bytes);
	}
	ret = test_run(p, k, &topts);
	if (ret) {
		drain(rd, o, p);
		return p_err_errno(ret, "test-running %s", bpf_program__name(p));
	}
	ret = drain(rd, o, p);
	if (ret)
		return ret;
	if (run_stop) {
		p_note("stopped by signal %d after %s; its output so far is above", (int)run_stop,
		       bpf_program__name(p));
		return 128 + run_stop;
	}
	pass = verdict_pass(t, topts.retval);
	print_result(p, t, topts.retval, topts.duration, pass);
	if (!pass && !*fail_exit)
		*fail_exit = verdict_exit(topts.retval);
	return EXIT_OK;
}

/* Run every loaded program of @obj, reading its streams through @rd. */
static int run_programs(struct bpf_object *obj, const char *path, struct bpf_stream_reader *rd,
			struct out_ctx *o)
{
	struct sigaction sa = { .sa_handler = on_stop };	/* no SA_RESTART */
	int ret, fail_exit = 0, nr_run = 0;
	struct bpf_program *p;
	struct dummy_pkt pkt;

	build_packet(&pkt);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	bpf_object__for_each_program(p, obj) {
		enum bpf_prog_type t = bpf_program__type(p);

		if (!bpf_program__autoload(p) || bpf_program__fd(p) < 0)
			continue;
		if (run_kind(t) == RUN_SKIP) {
			const char *tname = libbpf_bpf_prog_type_str(t);

			p_note("skipping %s: BPF_PROG_TEST_RUN cannot run %s programs",
			       bpf_program__name(p), tname ? tname : "these");
			continue;
		}
		ret = run_one(rd, o, p, &pkt, &fail_exit);
		if (ret)
			return ret;
		nr_run++;
	}
	if (!nr_run)
		p_note("no program of %s could be test-run", path);
	return fail_exit;
}

int do_run(int argc, char **argv)
{
	struct bpf_stream_reader *rd = NULL;
	struct bpf_object *obj;
	struct run_opts ro;
	struct out_ctx o;
	int ret;

	ret = run_parse(argc, argv, &ro);
	if (ret)
		return ret;
	ret = run_open(&ro, &obj);
	if (ret)
		return ret;
	ret = prepare(obj, ro.path);
	if (ret)
		goto out_close;
	ret = run_load(obj, ro.path);
	if (ret)
		goto out_release;
	ret = out_init(&o);
	if (ret)
		goto out_release;
	/*
	 * The reader drains the object's programs like bpf_stream_drain_object()
	 * does (whichever transport bpf_stream_prepare() picked) and also runs
	 * stderr through the kernel report parser.
	 */
	rd = out_reader_new(&o, false);
	if (!rd) {
		ret = p_err_errno(errno, "creating the stream reader");
		goto out_out;
	}
	ret = bpf_stream_reader__add_object(rd, obj, 0);
	if (ret < 0) {
		ret = p_err_errno(ret, "reading the streams of %s", ro.path);
		goto out_out;
	}
	ret = run_programs(obj, ro.path, rd, &o);
out_out:
	bpf_stream_reader__free(rd);
	out_fini(&o);
	if (!ret && o.err)
		ret = out_err_status(o.err);
out_release:
	bpf_stream_release(obj);
out_close:
	bpf_object__close(obj);
	return ret;
}
