// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpf-stream: read what BPF programs print to their standard streams.
 *
 * main.c holds the global options, the command table (each command next to
 * its help), the one error path that knows about JSON mode, and dispatch.
 * Each subcommand lives in its own file: dump.c, follow.c, run.c, list.c,
 * ctl.c (sites, ctl); each parses its own words, options included (run:
 * --prog, --repeat), as bpftool's do. Global options may come anywhere on
 * the line; main takes them out and hands the subcommand the rest in order.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>

#include "main.h"

bool json_output;
bool pretty_output;
bool verbose;
bool no_prefix;
bool raw_output;
bool journal_output;
bool timestamps;
bool steal_streams;
bool arrival_order;
enum color_mode color_mode = COLOR_AUTO;
struct json_writer json_wtr;

static const struct cmd *cur_cmd;	/* for usage errors */

/* ---- help ---------------------------------------------------------------- */

static void help_exit_codes(FILE *f)
{
	fprintf(f,
		"Exit status:\n"
		"  0      success ('run': every program returned its pass value)\n"
		"  1-63   'run' only: the first failing program's return value, clamped\n"
		"         to 1..63 (0 and negative values give 1)\n"
		"  64     bad arguments (usage error)\n"
		"  65     object file invalid, or a program failed to load\n"
		"  66     no such program, pinned path or object file\n"
		"  69     the kernel has no working BPF streams\n"
		"  70     other failure (a bpf(2) call failed, out of memory)\n"
		"  74     writing the output failed\n"
		"  77     permission denied (needs CAP_SYS_ADMIN, or CAP_BPF to load)\n");
}

static void help_options(FILE *f)
{
	fprintf(f,
		"Options:\n"
		"  -j, --json              one JSON object per line on stdout\n"
		"  -p, --pretty            indented JSON (implies --json)\n"
		"      --color[=WHEN]      colour stderr lines: auto (default), always, never\n"
		"      --no-prefix         omit the \"[id:name:stream] \" prefix\n"
		"      --raw               print program bytes as they are, even on a terminal\n"
		"      --timestamps        wall-clock time (RFC 3339, UTC, microseconds) first on\n"
		"                          each line; \"(read)\" marks a time of reading\n"
		"      --journal           follow, dump: one systemd journal entry per line\n"
		"      --steal             consume programs another process reads (see dump)\n"
		"      --arrival-order     do not merge stamped lines of several programs and\n"
		"                          streams by time: each stream's lines as read\n"
		"  -v, --verbose           libbpf and libbpf-stream debug output on stderr\n"
		"  -h, --help              this help\n"
		"  -V, --version           version\n");
}

static void help_main(FILE *f);

static int do_help(int argc, char **argv);
static int do_version(int argc, char **argv);

static void help_help(FILE *f)
{
	fprintf(f, "Usage: " BIN_NAME " help [COMMAND]\n");
}

static void help_version(FILE *f)
{
	fprintf(f, "Usage: " BIN_NAME " version\n");
}

static const struct cmd cmds[] = {
	{ "dump", do_dump, help_dump, "print what is queued on the streams now, then exit" },
	{ "follow", do_follow, help_follow, "print lines as they arrive until SIGINT/SIGTERM" },
	{ "run", do_run, help_run, "load an object, test-run its programs, print their streams" },
	{ "list", do_list, help_list, "list loaded programs and whether streams work" },
	{ "sites", do_sites, help_sites, "list a program's call sites, their switches and counts" },
	{ "ctl", do_ctl, help_ctl, "switch call sites on/off, set a level or a rate limit" },
	{ "help", do_help, help_help, "show help of a command" },
	{ "version", do_version, help_version, "show version" },
	{ NULL }
};

static void help_main(FILE *f)
{
	const struct cmd *c;

	fprintf(f,
		"Usage: " BIN_NAME " [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Read what BPF programs print to their streams (BPF_STDOUT, BPF_STDERR).\n"
		"\n"
		"Commands (any unambiguous prefix works):\n");
	for (c = cmds; c->cmd; c++)
		fprintf(f, "  %-8s %s\n", c->cmd, c->summary);
	fprintf(f,
		"\n"
		"  dump   PROG [STREAM]\n"
		"  follow PROG... [STREAM]\n"
		"  run    OBJECT.bpf.o [--prog NAME] [--repeat N]\n"
		"  list\n"
		"\n"
		"  PROG   := { id ID | pinned FILE | name NAME | tag TAG | all }\n"
		"  STREAM := { stdout | stderr | all }  (default: all)\n"
		"\n");
	help_options(f);
	fprintf(f, "\n");
	help_exit_codes(f);
	fprintf(f, "\nSee bpf-stream(8).\n");
}

static int do_help(int argc, char **argv)
{
	const struct cmd *c;

	if (cmd_no_options(&argc, argv))
		return EXIT_USAGE;
	if (argc < 1) {
		help_main(stdout);
		return EXIT_OK;
	}
	for (c = cmds; c->cmd; c++) {
		if (is_prefix(argv[0], c->cmd)) {
			c->help(stdout);
			return EXIT_OK;
		}
	}
	return usage_err("unknown command '%s'", argv[0]);
}

static int do_version(int argc, char **argv)
{
	if (cmd_no_options(&argc, argv))
		return EXIT_USAGE;
	if (argc > 0)
		return usage_err("'version' takes no arguments");
	if (json_output) {
		jsonw_start_object(&json_wtr);
		jsonw_string_field(&json_wtr, "version", BPF_STREAM_CLI_VERSION);
		jsonw_uint_field(&json_wtr, "libbpf_stream_major", LIBBPF_STREAM_MAJOR_VERSION);
		jsonw_uint_field(&json_wtr, "libbpf_stream_minor", LIBBPF_STREAM_MINOR_VERSION);
		jsonw_uint_field(&json_wtr, "libbpf_major", libbpf_major_version());
		jsonw_uint_field(&json_wtr, "libbpf_minor", libbpf_minor_version());
		jsonw_end_object(&json_wtr);
	} else {
		printf(BIN_NAME " " BPF_STREAM_CLI_VERSION " (libbpf-stream %d.%d, libbpf %s)\n",
		       LIBBPF_STREAM_MAJOR_VERSION, LIBBPF_STREAM_MINOR_VERSION,
		       libbpf_version_string());
	}
	return EXIT_OK;
}

/* ---- errors ---------------------------------------------------------------- */

static void vp_err(int code, const char *fmt, va_list ap)
{
	if (json_output) {
		char msg[1024];

		vsnprintf(msg, sizeof(msg), fmt, ap);
		/* errors go on stdout with the data, like bpftool, so a consumer
		 * of the JSON stream sees them */
		jsonw_start_object(&json_wtr);
		jsonw_string_field(&json_wtr, "error", msg);
		jsonw_int_field(&json_wtr, "exit_code", code);
		jsonw_end_object(&json_wtr);
	} else {
		fflush(stdout);
		fprintf(stderr, BIN_NAME ": error: ");
		vfprintf(stderr, fmt, ap);
		fprintf(stderr, "\n");
	}
}

int p_err(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vp_err(code, fmt, ap);
	va_end(ap);
	return code;
}

int usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vp_err(EXIT_USAGE, fmt, ap);
	va_end(ap);
	/* one error line and where the help is, like bpftool: the usage
	 * itself would bury the error */
	if (!json_output) {
		if (cur_cmd && cur_cmd->func != do_help)
			fprintf(stderr, "Try '" BIN_NAME " %s --help'.\n", cur_cmd->cmd);
		else
			fprintf(stderr, "Try '" BIN_NAME " --help'.\n");
	}
	return EXIT_USAGE;
}

const char *kernel_release(void)
{
	static struct utsname u;
	static bool done;

	if (!done) {
		if (uname(&u))
			strcpy(u.release, "unknown");
		done = true;
	}
	return u.release;
}

int err_no_streams(void)
{
	return p_err(EXIT_NOSTREAMS,
		     "kernel %s has no working BPF streams (BPF_PROG_STREAM_READ_BY_FD, Linux 6.17+): "
		     "build programs with bpf_stream.h, whose ring-buffer transport works here, and "
		     "read them with 'bpf-stream run' or libbpf-stream in the loader; or upgrade the "
		     "kernel to 6.17 or later",
		     kernel_release());
}

int p_err_errno(int err, const char *what_fmt, ...)
{
	char what[512];
	va_list ap;

	if (err < 0)
		err = -err;
	va_start(ap, what_fmt);
	vsnprintf(what, sizeof(what), what_fmt, ap);
	va_end(ap);

	switch (err) {
	case ENOENT:
	case ESRCH:
		return p_err(EXIT_NOPROG, "%s: %s", what, strerror(err));
	case EPERM:
	case EACCES:
		return p_err(EXIT_PERM,
			     "%s: permission denied: reading loaded BPF programs needs CAP_SYS_ADMIN, "
			     "loading them CAP_BPF (plus CAP_NET_ADMIN or CAP_PERFMON by type); "
			     "run as root",
			     what);
	case EOPNOTSUPP:
		return err_no_streams();
	case EPIPE:
		return EXIT_IOERR;
	default:
		return p_err(EXIT_FAIL, "%s: %s", what, strerror(err));
	}
}

static void vp_stderr(const char *kind, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, BIN_NAME ": %s", kind);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
}

void p_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vp_stderr("note: ", fmt, ap);
	va_end(ap);
}

void p_verbose(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vp_stderr("", fmt, ap);
	va_end(ap);
}

/* ---- small shared helpers -------------------------------------------------- */

bool is_prefix(const char *arg, const char *word)
{
	size_t n = strlen(arg);

	return n > 0 && n <= strlen(word) && !strncmp(arg, word, n);
}

__u32 parse_stream(const char *s)
{
	if (!strcmp(s, "stdout"))
		return BPF_STREAM_MASK_STDOUT;
	if (!strcmp(s, "stderr"))
		return BPF_STREAM_MASK_STDERR;
	if (!strcmp(s, "all"))
		return BPF_STREAM_MASK_ALL;
	return 0;
}

const char *stream_str(__u32 stream_id)
{
	switch (stream_id) {
	case BPF_STDOUT:
		return "stdout";
	case BPF_STDERR:
		return "stderr";
	default:
		return "unknown";
	}
}

int kernel_has_streams(void)
{
	return bs_feat_probe(BS_FEAT_STREAM_READ);
}

bool have_bpf_caps(void)
{
	unsigned long long eff = 0;
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = true;
			break;
		}
	}
	fclose(f);
	if (!found)
		return geteuid() == 0;
	/* CAP_SYS_ADMIN (21) or CAP_BPF (39) */
	return eff & ((1ULL << 21) | (1ULL << 39));
}

/* ---- diagnostics of the libraries ------------------------------------------ */

/* The tail of libbpf's warnings since start (a verifier log can be long:
 * each message is kept whole, so the log's end, the reason, is never cut). */
#define LIBBPF_LOG_MAX (256U << 10)
static char *libbpf_log;
static size_t libbpf_log_len;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *line = NULL;
	const char *src;
	int n;

	if (verbose)
		return vfprintf(stderr, fmt, ap);
	if (level != LIBBPF_WARN)
		return 0;
	n = vasprintf(&line, fmt, ap);
	if (n <= 0) {
		free(n < 0 ? NULL : line);
		return 0;
	}
	if (!libbpf_log) {
		libbpf_log = malloc(LIBBPF_LOG_MAX);
		if (!libbpf_log) {
			free(line);
			return 0;
		}
	}
	src = line;
	if ((size_t)n > LIBBPF_LOG_MAX) {	/* one huge message: its end */
		src += n - LIBBPF_LOG_MAX;
		n = LIBBPF_LOG_MAX;
	}
	if (libbpf_log_len + n > LIBBPF_LOG_MAX) {	/* keep the newest */
		size_t drop = libbpf_log_len + n - LIBBPF_LOG_MAX;

		memmove(libbpf_log, libbpf_log + drop, libbpf_log_len - drop);
		libbpf_log_len -= drop;
	}
	memcpy(libbpf_log + libbpf_log_len, src, n);
	libbpf_log_len += n;
	free(line);
	return n;
}

/* Lines of a verifier log shown without -v: its end says why. */
#define VLOG_TAIL_LINES 24
#define VLOG_BEGIN "-- BEGIN PROG LOAD LOG --\n"
#define VLOG_END "-- END PROG LOAD LOG --"

/* The file:line of a log line "; SOURCE @ FILE:LINE" (kernels 6.4+ name
 * the file), or NULL; @len gets its length. */
static const char *vlog_where(const char *line, size_t n, size_t *len)
{
	const char *at;

	if (n < 2 || line[0] != ';')
		return NULL;
	for (at = line + n - 1; at > line + 2; at--) {
		if (at[-1] == '@' && at[-2] == ' ' && at[0] == ' ') {
			*len = line + n - (at + 1);
			return *len ? at + 1 : NULL;
		}
	}
	return NULL;
}

static bool vlog_in_header(const char *where, size_t n)
{
	const char *base = where, *p;

	for (p = where; p < where + n; p++)
		if (*p == '/')
			base = p + 1;
	return !strncmp(base, "bpf_stream", 10) || !strncmp(base, "bpf_helpers", 11);
}

/* One verifier log: its last VLOG_TAIL_LINES lines (all with -v, printed
 * by libbpf itself), and when the refused instruction is inside
 * bpf_stream.h (a format the kernel refuses), the caller's line. */
static void vlog_show(const char *log, size_t n)
{
	const char *p, *end = log + n, *tail = log, *last_where = NULL, *user_where = NULL;
	size_t lines = 0, skipped, last_len = 0, user_len = 0, wl;

	for (p = log; p < end; p++)
		lines += *p == '\n';
	skipped = lines > VLOG_TAIL_LINES ? lines - VLOG_TAIL_LINES : 0;
	for (p = log; p < end;) {
		const char *nl = memchr(p, '\n', end - p), *w;
		size_t ll = (nl ? nl : end) - p;

		w = vlog_where(p, ll, &wl);
		if (w) {
			last_where = w;
			last_len = wl;
			if (!vlog_in_header(w, wl)) {
				user_where = w;
				user_len = wl;
			}
		}
		p = nl ? nl + 1 : end;
	}
	if (skipped) {
		size_t k = 0;

		for (p = log; p < end && k < skipped; p++)
			if (*p == '\n')
				k++;
		tail = p;
		fprintf(stderr, "[%zu lines of the verifier's log left out: -v prints it whole]\n",
			skipped);
	}
	fwrite(tail, 1, end - tail, stderr);
	if (last_where && user_where && vlog_in_header(last_where, last_len))
		fprintf(stderr, "[the refused instruction is in %.*s, inlined at %.*s: the last line of "
			"the program's own code the verifier went through]\n", (int)last_len,
			last_where, (int)user_len, user_where);
}

void libbpf_log_show(void)
{
	const char *p = libbpf_log, *end = libbpf_log + libbpf_log_len;

	while (p < end) {
		const char *b = memmem(p, end - p, VLOG_BEGIN, strlen(VLOG_BEGIN));
		const char *e = memmem(p, end - p, VLOG_END, strlen(VLOG_END));

		if (e && (!b || e < b))	/* the log's start was dropped */
			b = p;
		else if (b)
			b += strlen(VLOG_BEGIN);
		if (!b || !e) {
			fwrite(p, 1, end - p, stderr);
			break;
		}
		fwrite(p, 1, b - p, stderr);
		vlog_show(b, e - b);
		fputs(VLOG_END, stderr);
		p = e + strlen(VLOG_END);
	}
	libbpf_log_len = 0;
}

static int stream_print(enum bpf_stream_print_level level, const char *fmt, va_list ap)
{
	/* the library's warnings explain failures bpf-stream reports in its
	 * own one error line: shown with -v */
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* ---- main ------------------------------------------------------------------- */

/* A global option word: applied (1), not a global option (0), or an exit
 * status (a bad --color value) as a negative number. */
static int global_long(const char *arg, bool *show_help, bool *show_version)
{
	static const char *const names[] = {
		"json", "pretty", "color", "colour", "no-prefix", "raw", "journal",
		"timestamps", "verbose", "help", "version", "steal", "arrival-order",
	};
	const char *eq = strchr(arg, '='), *name = NULL;
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg), i;

	/* exact name, or an unambiguous prefix (as getopt_long) */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strncmp(arg, names[i], len))
			continue;
		if (strlen(names[i]) == len) {
			name = names[i];
			break;
		}
		if (name && strcmp(name, "color") && strcmp(names[i], "colour"))
			return 0;	/* ambiguous: the subcommand's, or an error there */
		if (!name)
			name = names[i];
	}
	if (!name)
		return 0;
	if (eq && strcmp(name, "color") && strcmp(name, "colour"))
		return -usage_err("option '--%s' takes no argument", name);
	if (!strcmp(name, "json")) {
		json_output = true;
	} else if (!strcmp(name, "pretty")) {
		json_output = pretty_output = true;
	} else if (!strcmp(name, "color") || !strcmp(name, "colour")) {
		if (!eq || !strcmp(eq + 1, "always"))
			color_mode = COLOR_ALWAYS;
		else if (!strcmp(eq + 1, "auto"))
			color_mode = COLOR_AUTO;
		else if (!strcmp(eq + 1, "never"))
			color_mode = COLOR_NEVER;
		else
			return -usage_err("bad --color value '%s': expected auto, always or never",
					  eq + 1);
	} else if (!strcmp(name, "no-prefix")) {
		no_prefix = true;
	} else if (!strcmp(name, "raw")) {
		raw_output = true;
	} else if (!strcmp(name, "journal")) {
		journal_output = true;
	} else if (!strcmp(name, "timestamps")) {
		timestamps = true;
	} else if (!strcmp(name, "verbose")) {
		verbose = true;
	} else if (!strcmp(name, "help")) {
		*show_help = true;
	} else if (!strcmp(name, "version")) {
		*show_version = true;
	} else if (!strcmp(name, "steal")) {
		steal_streams = true;
	} else if (!strcmp(name, "arrival-order")) {
		arrival_order = true;
	}
	return 1;
}

/* "-jpv": applied (1) when every letter is a global option, else 0. */
static int global_short(const char *arg, bool *show_help, bool *show_version)
{
	const char *c;

	for (c = arg; *c; c++)
		if (!strchr("jpvhV", *c))
			return 0;
	for (c = arg; *c; c++) {
		switch (*c) {
		case 'p':
			pretty_output = true;
			/* fallthrough */
		case 'j':
			json_output = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			*show_help = true;
			break;
		case 'V':
			*show_version = true;
			break;
		}
	}
	return 1;
}

/*
 * Take the global options out of argv, wherever they are (before "--"),
 * and leave the other words in order in argv[0..*nr): the command, then its
 * words, options of its own included. Before the command every option is a
 * global one. Returns 0 or an exit status.
 */
static int parse_global_options(int argc, char **argv, int *nr, bool *show_help,
				bool *show_version)
{
	bool have_cmd = false, dashdash = false;
	int i, n = 0, ret;

	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		ret = 0;
		if (!dashdash && !strcmp(a, "--"))
			dashdash = true;
		else if (!dashdash && a[0] == '-' && a[1] == '-')
			ret = global_long(a + 2, show_help, show_version);
		else if (!dashdash && a[0] == '-' && a[1])
			ret = global_short(a + 1, show_help, show_version);
		if (ret < 0)
			return -ret;
		if (ret)
			continue;
		if (!have_cmd && !dashdash && a[0] == '-' && a[1])
			return usage_err("unknown option '%s'", a);
		if (!have_cmd && !strcmp(a, "--"))
			continue;
		have_cmd = true;
		argv[n++] = a;
	}
	*nr = n;
	return EXIT_OK;
}

int cmd_no_options(int *argc, char **argv)
{
	int i, n = 0;
	bool dashdash = false;

	for (i = 0; i < *argc; i++) {
		if (!dashdash && !strcmp(argv[i], "--")) {
			dashdash = true;
			continue;
		}
		if (!dashdash && argv[i][0] == '-' && argv[i][1])
			return usage_err("unknown option '%s'", argv[i]);
		argv[n++] = argv[i];
	}
	*argc = n;
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	bool show_help = false, show_version = false;
	const struct cmd *c;
	int ret;

	/* a closed pipe (| head) is a write error we report, not a signal */
	signal(SIGPIPE, SIG_IGN);

	/* ready before option parsing, which may report an error in JSON */
	jsonw_init(&json_wtr, stdout, false);
	ret = parse_global_options(argc, argv, &argc, &show_help, &show_version);
	json_wtr.pretty = pretty_output;
	if (ret)
		return ret;

	libbpf_set_print(libbpf_print);
	bpf_stream_set_print(stream_print);

	if (show_version)
		return do_version(0, NULL);
	if (argc < 1) {
		if (show_help) {
			help_main(stdout);
			return EXIT_OK;
		}
		return usage_err("no command given");
	}
	for (c = cmds; c->cmd; c++) {
		if (!is_prefix(argv[0], c->cmd))
			continue;
		cur_cmd = c;
		if (show_help) {
			c->help(stdout);
			return EXIT_OK;
		}
		if (c->func != do_follow && c->func != do_dump) {
			/* options of reading programs: never ignored elsewhere */
			if (journal_output)
				return usage_err("--journal belongs to 'follow' and 'dump'");
			if (steal_streams)
				return usage_err("--steal belongs to 'follow' and 'dump'");
			if (arrival_order)
				return usage_err("--arrival-order belongs to 'follow' and 'dump'");
		}
		if (journal_output && json_output)
			return usage_err("--journal and --json are two outputs: pick one");
		ret = c->func(argc - 1, argv + 1);
		if (!ret && fflush(stdout) && errno != EPIPE)
			ret = p_err(EXIT_IOERR, "writing output: %s", strerror(errno));
		return ret;
	}
	return usage_err("unknown command '%s'", argv[0]);
}
