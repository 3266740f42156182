/* SPDX-License-Identifier: MIT */
/*
 * Reading a fuzz input front to back, and failing loudly.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: check failed: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void input_init(struct input *in, const uint8_t *data, size_t len)
{
	*in = (struct input){ .data = data, .len = len };
}

size_t input_left(const struct input *in)
{
	return in->len - in->pos;
}

/* n bytes, little-endian; past the end, zeros. */
static uint64_t input_le(struct input *in, size_t n)
{
	uint8_t b[8] = { 0 };
	size_t got;
	const uint8_t *p = input_bytes(in, n, &got);

	memcpy(b, p, got);
	return le_load(b, n);
}

uint8_t input_u8(struct input *in)
{
	return (uint8_t)input_le(in, 1);
}

uint16_t input_u16(struct input *in)
{
	return (uint16_t)input_le(in, 2);
}

uint32_t input_u32(struct input *in)
{
	return (uint32_t)input_le(in, 4);
}

uint64_t input_u64(struct input *in)
{
	return input_le(in, 8);
}

const uint8_t *input_bytes(struct input *in, size_t n, size_t *got)
{
	const uint8_t *p = in->data + in->pos;

	if (n > input_left(in)) {
		n = input_left(in);
		in->short_read = true;
	}
	in->pos += n;
	*got = n;
	return p;
}
