/* SPDX-License-Identifier: MIT */
/*
 * The words of vgm-trace: tokens, numbers, key=value pairs and hex byte
 * strings with descriptor boundaries.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace-private.h"

int trace_fail(struct trace_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int tokens_grow(struct tokens *t, size_t *cap, struct trace_error *err)
{
	char **tok;
	size_t ncap = *cap ? *cap * 2 : 16;

	tok = realloc(t->tok, ncap * sizeof(*tok));
	if (!tok)
		return trace_fail(err, "out of memory");
	t->tok = tok;
	*cap = ncap;
	return 0;
}

int tokens_split(struct tokens *t, const char *text, size_t len, struct trace_error *err)
{
	size_t cap = 0;
	char *s;

	*t = (struct tokens){ 0 };
	if (len && text[len - 1] == '\n')
		len--;
	if (len && text[len - 1] == '\r')
		len--;
	if (memchr(text, '\0', len))
		return trace_fail(err, "the line holds a NUL byte");
	t->buf = malloc(len + 1);
	if (!t->buf)
		return trace_fail(err, "out of memory");
	memcpy(t->buf, text, len);
	t->buf[len] = '\0';
	s = strchr(t->buf, '#');
	if (s)
		*s = '\0';
	for (s = t->buf; *s;) {
		while (is_space(*s))
			*s++ = '\0';
		if (!*s)
			break;
		if (t->n == cap && tokens_grow(t, &cap, err) < 0) {
			tokens_fini(t);
			return -1;
		}
		t->tok[t->n++] = s;
		while (*s && !is_space(*s))
			s++;
	}
	return 0;
}

void tokens_fini(struct tokens *t)
{
	free(t->buf);
	free(t->tok);
	*t = (struct tokens){ 0 };
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool lex_num_until(const char **sp, const char *stops, uint64_t max, uint64_t *v)
{
	const char *s = *sp;
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	uint64_t base = hex ? 16 : 10, n = 0;
	size_t digits = 0;

	for (s += hex ? 2 : 0; *s && !strchr(stops, *s); s++, digits++) {
		int d = hex_digit(*s);

		if (d < 0 || (uint64_t)d >= base)
			return false;
		if (__builtin_mul_overflow(n, base, &n) || __builtin_add_overflow(n, (uint64_t)d, &n))
			return false;
	}
	if (digits == 0 || n > max)
		return false;
	*v = n;
	*sp = s;
	return true;
}

bool lex_num(const char *s, uint64_t max, uint64_t *v)
{
	return lex_num_until(&s, "", max, v);
}

bool lex_u64(const char *s, uint64_t *v)
{
	return lex_num(s, UINT64_MAX, v);
}

bool lex_key(const char *tok, char *key, size_t keysz, const char **value)
{
	const char *eq = strchr(tok, '=');
	size_t len;

	if (!eq || eq == tok || keysz == 0)
		return false;
	len = (size_t)(eq - tok) < keysz - 1 ? (size_t)(eq - tok) : keysz - 1;
	memcpy(key, tok, len);
	key[len] = '\0';
	*value = eq + 1;
	return true;
}

/* ---- bytes ------------------------------------------------------------------ */

void bytes_init(struct bytes *b)
{
	*b = (struct bytes){ .room = SIZE_MAX };
}

void bytes_fini(struct bytes *b)
{
	free(b->data);
	free(b->cuts);
	bytes_init(b);
}

bool bytes_is_hex(const char *tok)
{
	if (!*tok)
		return false;
	for (; *tok; tok++) {
		if (hex_digit(*tok) < 0)
			return false;
	}
	return true;
}

/*
 * Room for n more bytes (and one pending half byte), within b->room. The
 * capacity doubles for the many small appends of hex tokens, but never to
 * more than is needed when one append (len=) asks for more than that: a
 * short line must not make the parser hold twice what it asked for. Fresh
 * capacity is not cleared; bytes_resize() clears what it adds.
 */
static int bytes_reserve(struct bytes *b, size_t n, struct trace_error *err)
{
	size_t need, cap;
	uint8_t *data;

	if (__builtin_add_overflow(b->len, n, &need) || need > b->room)
		return trace_fail(err, "more than the %zu bytes the trace's data budget leaves",
				  b->room);
	need++;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap * 2 : 64;
	if (cap < need || cap < b->cap)
		cap = need;
	data = realloc(b->data, cap);
	if (!data)
		return trace_fail(err, "out of memory");
	b->data = data;
	b->cap = cap;
	return 0;
}

int bytes_put(struct bytes *b, const void *src, size_t n, struct trace_error *err)
{
	if (b->half)
		return trace_fail(err, "an odd number of hex digits before the fields");
	if (bytes_reserve(b, n, err) < 0)
		return -1;
	memcpy(b->data + b->len, src, n);
	b->len += n;
	return 0;
}

static int hex_token(struct bytes *b, const char *tok, struct trace_error *err)
{
	if (!bytes_is_hex(tok))
		return trace_fail(err, "'%s' is not a hex byte string", tok);
	/* With an odd digit, the last byte is pending: bytes_reserve()
	 * keeps room for it. */
	if (bytes_reserve(b, (strlen(tok) + 1) / 2, err) < 0)
		return -1;
	for (; *tok; tok++) {
		uint8_t d = (uint8_t)hex_digit(*tok);

		if (b->half) {
			b->data[b->len++] |= d;
			b->half = false;
		} else {
			b->data[b->len] = (uint8_t)(d << 4);
			b->half = true;
		}
	}
	return 0;
}

int bytes_cut_at(struct bytes *b, size_t off, struct trace_error *err)
{
	/* A cut is kept as a size_t: counted in the budget as it comes, or a
	 * long split= would hold many times its line before being refused. */
	if (b->ncuts >= b->room / sizeof(*b->cuts))
		return trace_fail(err, "more descriptor boundaries than the trace's data budget "
				       "leaves room for");
	if (b->cuts_cap == b->ncuts) {
		size_t cap = b->cuts_cap ? b->cuts_cap * 2 : 8;
		size_t *cuts = realloc(b->cuts, cap * sizeof(*cuts));

		if (!cuts)
			return trace_fail(err, "out of memory");
		b->cuts = cuts;
		b->cuts_cap = cap;
	}
	b->cuts[b->ncuts++] = off;
	return 0;
}

int bytes_resize(struct bytes *b, size_t len, struct trace_error *err)
{
	if (b->half)
		return trace_fail(err, "an odd number of hex digits");
	if (len > b->len) {
		if (bytes_reserve(b, len - b->len, err) < 0)
			return -1;
		memset(b->data + b->len, 0, len - b->len);
	}
	b->len = len;
	return 0;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

int bytes_sort_cuts(struct bytes *b, struct trace_error *err)
{
	if (b->ncuts)
		qsort(b->cuts, b->ncuts, sizeof(*b->cuts), cmp_size);
	for (size_t i = 0; i < b->ncuts; i++) {
		if (b->cuts[i] == 0 || b->cuts[i] >= b->len)
			return trace_fail(err, "descriptor boundary at %zu is not inside the %zu bytes",
					  b->cuts[i], b->len);
		if (i && b->cuts[i] == b->cuts[i - 1])
			return trace_fail(err, "descriptor boundary at %zu given twice", b->cuts[i]);
	}
	return 0;
}

static int cut_token(struct bytes *b, struct trace_error *err)
{
	if (b->half)
		return trace_fail(err, "'|' splits a byte: an odd number of hex digits before it");
	if (b->len == 0)
		return trace_fail(err, "'|' at the start of the bytes: empty descriptor");
	if (b->ncuts && b->cuts[b->ncuts - 1] == b->len)
		return trace_fail(err, "'|' after '|': empty descriptor");
	return bytes_cut_at(b, b->len, err);
}

int bytes_token(struct bytes *b, const char *tok, struct trace_error *err)
{
	if (strcmp(tok, "|") == 0)
		return cut_token(b, err);
	return hex_token(b, tok, err);
}

int bytes_finish(struct bytes *b, struct trace_request *req, struct trace_error *err)
{
	if (b->half)
		return trace_fail(err, "an odd number of hex digits");
	if (b->ncuts && b->cuts[b->ncuts - 1] >= b->len)
		return trace_fail(err, "'|' at the end of the bytes: empty descriptor");
	/* Hand over no more than the bytes: what the doubling left unused
	 * would stay allocated for as long as the trace. */
	if (b->cap > b->len + 1) {
		uint8_t *data = realloc(b->data, b->len + 1);

		if (data)
			b->data = data;
	}
	req->data = b->data;
	req->len = b->len;
	req->cuts = b->cuts;
	req->ncuts = b->ncuts;
	bytes_init(b);
	return 0;
}
