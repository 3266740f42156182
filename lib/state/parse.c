/* SPDX-License-Identifier: MIT */
/*
 * Reading a saved state, first part: the header (magic, version, length,
 * checksum), where each section is (each kind at most once, an unknown
 * critical one refused, an unknown other one skipped, the required ones
 * present), and the device and display sections. Nothing here allocates.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "state-impl.h"

/* The sections a state must have; cursors and fences may be left out. */
#define SECTIONS_REQUIRED                                                                          \
	(1u << SECTION_DEVICE | 1u << SECTION_DISPLAY | 1u << SECTION_REGIONS |                    \
	 1u << SECTION_RESOURCES | 1u << SECTION_SCANOUTS)

int plan_refuse(struct plan *p, const char *section, const char *field, uint64_t value)
{
	logger_msg(p->log, VGM_LOG_ERROR, "vgm_device_load: section %s, field %s: bad value %llu",
		   section, field, (unsigned long long)value);
	return -EINVAL;
}

static int check_header(struct plan *p, const uint8_t *buf, size_t len)
{
	if (len < STATE_HEADER_SIZE || memcmp(buf, STATE_MAGIC, 8) != 0)
		return plan_refuse(p, "header", "magic", len);
	if (le32(buf + 8) != STATE_VERSION)
		return plan_refuse(p, "header", "version", le32(buf + 8));
	if (le32(buf + 12) != 0)
		return plan_refuse(p, "header", "flags", le32(buf + 12));
	if (le64(buf + 16) != len)
		return plan_refuse(p, "header", "length", le64(buf + 16));
	if (le32(buf + 24) != crc32_update(0, buf + STATE_HEADER_SIZE, len - STATE_HEADER_SIZE))
		return plan_refuse(p, "header", "crc32", le32(buf + 24));
	if (le32(buf + 28) != 0)
		return plan_refuse(p, "header", "reserved", le32(buf + 28));
	return 0;
}

/* One section's header at *at: its place recorded, *at past it. */
static int frame_section(struct plan *p, const uint8_t *buf, size_t len, size_t *at,
			 uint32_t *seen)
{
	uint32_t tag, flags;
	uint64_t slen;

	if (len - *at < SECTION_HEADER_SIZE)
		return plan_refuse(p, "sections", "header", len - *at);
	tag = le32(buf + *at);
	flags = le32(buf + *at + 4);
	slen = le64(buf + *at + 8);
	*at += SECTION_HEADER_SIZE;
	if (flags & ~SECTION_CRITICAL)
		return plan_refuse(p, "sections", "flags", flags);
	if (slen > len - *at)
		return plan_refuse(p, "sections", "length", slen);
	if (tag == 0 || tag >= SECTION_COUNT) {
		if (flags & SECTION_CRITICAL)
			return plan_refuse(p, "sections", "tag (unknown, critical)", tag);
	} else if (*seen & 1u << tag) {
		return plan_refuse(p, "sections", "tag (twice)", tag);
	} else {
		*seen |= 1u << tag;
		p->section[tag] = buf + *at;
		p->section_len[tag] = slen;
	}
	*at += slen;
	return 0;
}

int plan_frame(struct plan *p, const uint8_t *buf, size_t len)
{
	uint32_t seen = 0;
	size_t at = STATE_HEADER_SIZE;
	int err = check_header(p, buf, len);

	while (!err && at < len)
		err = frame_section(p, buf, len, &at, &seen);
	if (!err && (seen & SECTIONS_REQUIRED) != SECTIONS_REQUIRED)
		return plan_refuse(p, "sections", "missing (bit mask of tags seen)", seen);
	return err;
}

int plan_device(struct plan *p)
{
	const uint8_t *s = p->section[SECTION_DEVICE];
	uint64_t offered = core_offered(p->core);

	if (p->section_len[SECTION_DEVICE] != DEVICE_BYTES)
		return plan_refuse(p, "device", "length", p->section_len[SECTION_DEVICE]);
	if (le32(s) != core_dialect(p->core))
		return plan_refuse(p, "device", "dialect", le32(s));
	if (le32(s + 4) != core_num_scanouts(p->core))
		return plan_refuse(p, "device", "num_scanouts", le32(s + 4));
	/* s + 8: what the source offered; the destination's offer rules. */
	p->accepted = le64(s + 16);
	if (p->accepted & ~offered)
		return plan_refuse(p, "device", "accepted (bits not offered)", p->accepted & ~offered);
	p->events = le32(s + 24);
	if (p->events & ~VGM_GPU_EVENT_DISPLAY)
		return plan_refuse(p, "device", "events", p->events);
	if (le32(s + 28) != 0)
		return plan_refuse(p, "device", "reserved", le32(s + 28));
	p->num_scanouts = core_num_scanouts(p->core);
	return 0;
}

static int plan_one_display(struct plan *p, struct reader *r, struct plan_display *d)
{
	uint32_t enabled;

	if (!reader_u32(r, &enabled) || !reader_u32(r, &d->width) ||
	    !reader_u32(r, &d->height) || !reader_u32(r, &d->edid_len))
		return plan_refuse(p, "display", "length", reader_left(r));
	if (enabled > 1)
		return plan_refuse(p, "display", "enabled", enabled);
	d->enabled = enabled;
	if (d->width - 1 >= CORE_MAX_DISPLAY || d->height - 1 >= CORE_MAX_DISPLAY)
		return plan_refuse(p, "display", "width x height",
				   (uint64_t)d->width << 32 | d->height);
	d->edid = r->buf + r->pos;
	if (!reader_skip(r, d->edid_len))
		return plan_refuse(p, "display", "edid_len", d->edid_len);
	if (d->edid_len && !edid_valid(d->edid, d->edid_len))
		return plan_refuse(p, "display", "edid", d->edid_len);
	return 0;
}

int plan_display(struct plan *p)
{
	struct reader r;
	int err = 0;

	reader_init(&r, p->section[SECTION_DISPLAY], p->section_len[SECTION_DISPLAY]);
	for (uint32_t i = 0; !err && i < p->num_scanouts; i++)
		err = plan_one_display(p, &r, &p->display[i]);
	if (!err && reader_left(&r))
		return plan_refuse(p, "display", "length (bytes left over)", reader_left(&r));
	return err;
}

const struct plan_resource *plan_find(const struct plan *p, uint32_t id)
{
	uint32_t lo = 0, hi = p->nresources;

	while (lo < hi) { /* saved in order of id, checked */
		uint32_t mid = lo + (hi - lo) / 2;

		if (p->resources[mid].d.id == id)
			return &p->resources[mid];
		if (p->resources[mid].d.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void plan_free(struct plan *p)
{
	for (uint32_t i = 0; p->regions && i < p->nregions; i++)
		free(p->regions[i].ranges);
	free(p->regions);
	free(p->resources);
	for (uint32_t i = 0; i < VGM_MAX_SCANOUTS; i++) {
		free(p->display[i].edid_copy);
		free(p->view[i].copy);
	}
}
