/* SPDX-License-Identifier: MIT */
/*
 * The wire table offered to VMMs and tools: names of commands and
 * responses, and the table itself.
 */
#include "api-impl.h"

VGM_EXPORT const char *vgm_command_name(enum vgm_dialect dialect, uint32_t type)
{
	const struct vgm_wire_command *w = wire_command(dialect, type);

	return w ? w->name : NULL;
}

VGM_EXPORT const char *vgm_response_name(enum vgm_dialect dialect, uint32_t type)
{
	return wire_response_name(dialect, type);
}

VGM_EXPORT const struct vgm_wire_command *vgm_wire_command(enum vgm_dialect dialect,
							   uint32_t type)
{
	return wire_command(dialect, type);
}
