/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "fields.h"
#include "util/util.h"

const struct vgm_wire_layout *fields_request(enum vgm_dialect dialect, uint32_t type)
{
	const struct vgm_wire_command *w = vgm_wire_command(dialect, type);

	return w ? w->request : NULL;
}

const struct vgm_wire_field *fields_named(const struct vgm_wire_layout *l, const char *name)
{
	for (uint32_t i = 0; l && i < l->nfields; i++) {
		if (strcmp(l->fields[i].name, name) == 0)
			return &l->fields[i];
	}
	return NULL;
}

const struct vgm_wire_field *fields_flagged(const struct vgm_wire_layout *l, uint32_t flag)
{
	for (uint32_t i = 0; l && i < l->nfields; i++) {
		if (l->fields[i].flags & flag)
			return &l->fields[i];
	}
	return NULL;
}

bool fields_number(const struct vgm_wire_field *f, const uint8_t *p, size_t len, uint64_t *v)
{
	if (!f || (f->kind != VGM_WIRE_U32 && f->kind != VGM_WIRE_U64) || len < f->offset ||
	    len - f->offset < f->size)
		return false;
	*v = le_load(p + f->offset, f->size);
	return true;
}

bool fields_u32(enum vgm_dialect dialect, const uint8_t *req, size_t len, const char *name,
		uint32_t *v)
{
	const struct vgm_wire_field *f;
	uint64_t n;

	if (len < 4)
		return false;
	f = fields_named(fields_request(dialect, le32(req)), name);
	if (!f || f->kind != VGM_WIRE_U32 || !fields_number(f, req, len, &n))
		return false;
	*v = (uint32_t)n;
	return true;
}
