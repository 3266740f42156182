/* SPDX-License-Identifier: MIT */
/*
 * What the checks of every command share: the guest's verdict, logged in
 * one rate-limited line naming the command, the field and the answer; and
 * the rectangle check of CVE-2017-5580's kind.
 */
#include <stdio.h>

#include "cmd-impl.h"

bool rect_inside(const struct vgm_gpu_rect *r, uint32_t width, uint32_t height)
{
	/* In 64 bits: x + width must not wrap around (CVE-2017-5580-style checks). */
	return (uint64_t)r->x + r->width <= width && (uint64_t)r->y + r->height <= height;
}

const char *cmd_name(const struct cmd *c)
{
	return c->wire ? c->wire->name : "request";
}

uint32_t guest_error(struct dispatch *d, const struct cmd *c, uint32_t code, const char *fmt,
		     ...)
{
	char msg[192];
	va_list ap;

	if (!logger_wants(d->log, VGM_LOG_WARNING))
		return code;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->queue == VGM_QUEUE_CURSOR)
		logger_guest(d->log, "%s: %s: ignored", cmd_name(c), msg);
	else
		logger_guest(d->log, "%s: %s: %s", cmd_name(c), msg,
			     wire_response_name(d->dialect, code));
	return code;
}
