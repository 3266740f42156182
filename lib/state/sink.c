/* SPDX-License-Identifier: MIT */
/*
 * The saved state's bytes, little-endian, written in order; the same
 * walk with no buffer counts them (state_size()), so the size a save
 * needs and what it writes cannot differ. Bytes past the buffer's end are
 * counted only.
 */
#include <string.h>

#include "state-impl.h"

static bool room(const struct sink *s, size_t at, size_t n)
{
	return s->buf && at <= s->cap && n <= s->cap - at;
}

void sink_u32(struct sink *s, uint32_t v)
{
	if (room(s, s->pos, 4))
		put_le32(s->buf + s->pos, v);
	s->pos += 4;
}

void sink_u64(struct sink *s, uint64_t v)
{
	if (room(s, s->pos, 8))
		put_le64(s->buf + s->pos, v);
	s->pos += 8;
}

void sink_bytes(struct sink *s, const void *p, size_t n)
{
	if (n && room(s, s->pos, n))
		memcpy(s->buf + s->pos, p, n);
	s->pos += n;
}

void sink_put64(struct sink *s, size_t at, uint64_t v)
{
	if (room(s, at, 8))
		put_le64(s->buf + at, v);
}

size_t section_begin(struct sink *s, enum section_tag tag, bool critical)
{
	size_t at = s->pos;

	sink_u32(s, tag);
	sink_u32(s, critical ? SECTION_CRITICAL : 0);
	sink_u64(s, 0);
	return at;
}

void section_end(struct sink *s, size_t at)
{
	sink_put64(s, at + 8, s->pos - at - SECTION_HEADER_SIZE);
}
