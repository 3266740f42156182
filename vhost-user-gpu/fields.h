/* SPDX-License-Identifier: MIT */
/*
 * A request's fields by their names in the library's wire table
 * (vgm_wire_command()). The backend looks at a few fields before the
 * library runs a request (the scanout of GET_EDID, the memory entries the
 * recorder follows, how much of a request the library can read) and
 * types no offset or size of its own: the table has them.
 */
#ifndef VUGPU_FIELDS_H
#define VUGPU_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <virtgpu-mem/virtgpu-mem.h>

/* The layout of the request of type in the dialect, NULL for a type the
 * dialect does not have. */
const struct vgm_wire_layout *fields_request(enum vgm_dialect dialect, uint32_t type);

/* The field of l named name ("scanout", "addr"), or NULL. */
const struct vgm_wire_field *fields_named(const struct vgm_wire_layout *l, const char *name);

/* The first field of l with the flag (VGM_WIRE_COUNT ...), or NULL. */
const struct vgm_wire_field *fields_flagged(const struct vgm_wire_layout *l, uint32_t flag);

/* The number in field f (VGM_WIRE_U32 or VGM_WIRE_U64) of the bytes p
 * (len of them, from the start of the message or record). false when they
 * end before the field does, or f is NULL or not a number. */
bool fields_number(const struct vgm_wire_field *f, const uint8_t *p, size_t len, uint64_t *v);

/* The 32-bit field named name of a request (len bytes of it, its type in
 * the first four) in the dialect. false when the dialect has no such
 * command or the command no such field, or the bytes end before it. */
bool fields_u32(enum vgm_dialect dialect, const uint8_t *req, size_t len, const char *name,
		uint32_t *v);

#endif
