/* SPDX-License-Identifier: MIT */
/*
 * vgm-replay: runs a vgm-trace v1 file against the library and prints the
 * responses and what the device did (docs/trace-format.md).
 *
 * Exit status: 0 when the whole trace ran (guest errors are responses),
 * 1 for a malformed trace or a directive that could not be carried out
 * (FILE:LINE: message on stderr), 2 for a usage error, 77 for a trace
 * whose renderer cannot run here (virgl without a working EGL).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

static const char usage[] =
	"usage: vgm-replay [-a] [-s] [-d DIR] [--dump-anywhere] [--max-ram N] [--max-data N] TRACE\n"
	"  Replays a vgm-trace v1 file (- for stdin) against virtgpu-mem.\n"
	"  -a, --annotate     a 'note' line after each request: its line, command, response\n"
	"  -d, --dump-dir DIR dumps go below DIR (default: the current directory); a dump\n"
	"                     path may not be absolute, hold '..' or pass a symbolic link\n"
	"      --dump-anywhere\n"
	"                     dumps go where their paths say (trusted traces only)\n"
	"      --max-ram N    guest RAM the trace may declare in all (default 1G)\n"
	"      --max-data N   bytes the parsed trace may hold: requests, writes (default 256M)\n"
	"                     N: bytes, decimal or 0x hex, with an optional K, M or G\n"
	"  -s, --save-restore after each request: save, destroy, create, load, move guest\n"
	"                     RAM, resume; resume's callbacks are printed as 'resume ...'\n"
	"      --save-states P with -s: each state also goes to the file P<line>.bin\n"
	"  -h, --help         this text\n"
	"  -V, --version      the library's version\n"
	"Exit status: 0 replayed, 1 malformed trace or failed directive, 2 usage error,\n"
	"  77 skipped: the trace's renderer cannot run here.\n";

static int fail_usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "vgm-replay: %s\n", msg);
	fputs(usage, stderr);
	return 2;
}

static int report(const char *file, const struct trace_error *err)
{
	if (err->line)
		fprintf(stderr, "%s:%lu: %s\n", file, err->line, err->msg);
	else
		fprintf(stderr, "%s: %s\n", file, err->msg);
	return 1;
}

/* A size: a number (decimal or 0x hex) with an optional K, M or G (powers
 * of 1024). */
static bool parse_size(const char *s, uint64_t *v)
{
	static const char units[] = "KMG";
	unsigned long long n;
	const char *unit;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	if (*end) {
		unit = strchr(units, *end & ~0x20);
		if (!unit || end[1] || n > UINT64_MAX >> (10 * (unit - units + 1)))
			return false;
		n <<= 10 * (unit - units + 1);
	}
	*v = n;
	return true;
}

/* The trace is parsed whole before it runs: these limits are what a
 * short file can make vgm-replay hold. */
static int replay(const char *file, FILE *in, const struct trace_parser *limits,
		  const struct trace_exec_opts *opts)
{
	struct trace_error err = { 0 };
	struct trace_exec *x = NULL;
	struct trace_parser p;
	struct trace t;
	int ret;

	trace_parser_init(&p);
	p.max_ram = limits->max_ram;
	p.max_data = limits->max_data;
	ret = trace_parse_file_with(&p, in, &t, &err);
	trace_parser_fini(&p);
	if (ret < 0)
		return report(file, &err);
	ret = vgm_renderer_available(trace_renderer(&t));
	if (ret < 0) {
		/* Skipped, as meson and automake count 77: not a failure. */
		fprintf(stderr, "%s: skipped: renderer=virgl cannot run here: %s\n", file,
			ret == -ENOTSUP ? "the library was built without virglrenderer"
			: ret == -ENODEV ? "EGL cannot run surfaceless"
					 : strerror(-ret));
		trace_free(&t);
		return 77;
	}
	if (trace_exec_new(opts, &x) < 0) {
		trace_free(&t);
		fprintf(stderr, "vgm-replay: out of memory\n");
		return 1;
	}
	ret = trace_exec_trace(x, &t, &err) < 0 ? report(file, &err) : 0;
	trace_exec_destroy(x);
	trace_free(&t);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "annotate", no_argument, NULL, 'a' }, { "dump-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },	{ "version", no_argument, NULL, 'V' },
		{ "save-restore", no_argument, NULL, 's' },
		{ "save-states", required_argument, NULL, 'S' },
		{ "max-ram", required_argument, NULL, 'R' },
		{ "max-data", required_argument, NULL, 'D' },
		{ "dump-anywhere", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	struct trace_exec_opts opts = { .out = stdout, .write_dumps = true };
	struct trace_parser limits;
	const char *file;
	FILE *in;
	int c, ret;

	trace_parser_init(&limits);
	while ((c = getopt_long(argc, argv, "ad:hsV", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			opts.annotate = true;
			break;
		case 'd':
			opts.dump_dir = optarg;
			break;
		case 's':
			opts.save_restore = true;
			break;
		case 'S':
			opts.state_prefix = optarg;
			break;
		case 'A':
			opts.dump_anywhere = true;
			break;
		case 'R':
			if (!parse_size(optarg, &limits.max_ram))
				return fail_usage("--max-ram: not a size");
			break;
		case 'D':
			if (!parse_size(optarg, &limits.max_data))
				return fail_usage("--max-data: not a size");
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			printf("vgm-replay (virtgpu-mem %s)\n", vgm_version());
			return 0;
		default:
			return fail_usage(NULL);
		}
	}
	if (optind + 1 != argc)
		return fail_usage(optind == argc ? "no trace file" : "one trace file only");
	file = argv[optind];
	in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	if (!in) {
		fprintf(stderr, "vgm-replay: %s: %s\n", file, strerror(errno));
		return 2;
	}
	ret = replay(file, in, &limits, &opts);
	trace_parser_fini(&limits);
	if (in != stdin)
		fclose(in);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "vgm-replay: cannot write the output\n");
		return 1;
	}
	return ret;
}
