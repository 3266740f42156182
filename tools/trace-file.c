/* SPDX-License-Identifier: MIT */
/*
 * Whole traces: every line parsed, in order, into a list of operations.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "trace-private.h"

void trace_free(struct trace *t)
{
	for (size_t i = 0; i < t->n; i++)
		trace_op_fini(&t->ops[i]);
	free(t->ops);
	*t = (struct trace){ 0 };
}

uint32_t trace_renderer(const struct trace *t)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->ops[i].kind == TRACE_DEVICE)
			return t->ops[i].u.device.renderer;
	}
	return VGM_RENDERER_2D;
}

static int push(struct trace *t, struct trace_op *op, struct trace_error *err)
{
	if (op->kind == TRACE_NONE)
		return 0;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct trace_op *ops = realloc(t->ops, cap * sizeof(*ops));

		if (!ops) {
			trace_op_fini(op);
			return trace_fail(err, "out of memory");
		}
		t->ops = ops;
		t->cap = cap;
	}
	t->ops[t->n++] = *op;
	return 0;
}

/* Parses one line into t; on failure t is freed. */
static int add_line(struct trace_parser *p, struct trace *t, const char *line, size_t len,
		    struct trace_error *err)
{
	struct trace_op op;

	if (trace_parse_line(p, line, len, &op, err) < 0 || push(t, &op, err) < 0) {
		trace_free(t);
		return -1;
	}
	return 0;
}

int trace_parse_file_with(struct trace_parser *p, FILE *f, struct trace *t,
			  struct trace_error *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int ret = 0;

	*t = (struct trace){ 0 };
	while (ret == 0 && (len = getline(&line, &cap, f)) >= 0)
		ret = add_line(p, t, line, (size_t)len, err);
	if (ret == 0 && ferror(f)) {
		err->line = 0;
		ret = trace_fail(err, "read error");
		trace_free(t);
	}
	free(line);
	return ret;
}

int trace_parse_file(FILE *f, struct trace *t, struct trace_error *err)
{
	struct trace_parser p;
	int ret;

	trace_parser_init(&p);
	ret = trace_parse_file_with(&p, f, t, err);
	trace_parser_fini(&p);
	return ret;
}

int trace_parse_buffer_with(struct trace_parser *p, const char *buf, size_t len,
			    struct trace *t, struct trace_error *err)
{
	size_t pos = 0;
	int ret = 0;

	*t = (struct trace){ 0 };
	while (ret == 0 && pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) + 1 : len - pos;

		ret = add_line(p, t, buf + pos, n, err);
		pos += n;
	}
	return ret;
}

int trace_parse_buffer(const char *buf, size_t len, struct trace *t, struct trace_error *err)
{
	struct trace_parser p;
	int ret;

	trace_parser_init(&p);
	ret = trace_parse_buffer_with(&p, buf, len, t, err);
	trace_parser_fini(&p);
	return ret;
}
