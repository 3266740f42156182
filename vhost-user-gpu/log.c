/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

/* Guest-caused lines allowed per interval before they are only counted. */
#define GUEST_BURST 20
#define GUEST_INTERVAL_S 10

/* A program-wide setting, like stderr itself. */
static enum vgm_log_level max_level = VGM_LOG_WARNING;

static struct {
	time_t window;
	unsigned int printed;
	unsigned long suppressed;
} guest_limit;

static const char *const level_names[] = {
	[VGM_LOG_ERROR] = "error",
	[VGM_LOG_WARNING] = "warning",
	[VGM_LOG_INFO] = "info",
	[VGM_LOG_DEBUG] = "debug",
};

void log_set_level(enum vgm_log_level level)
{
	max_level = level;
}

enum vgm_log_level log_get_level(void)
{
	return max_level;
}

LOG_PRINTF(2, 0) static void vlog(enum vgm_log_level level, const char *fmt, va_list ap)
{
	const char *name = level >= VGM_LOG_ERROR && level <= VGM_LOG_DEBUG ? level_names[level] : "?";

	fprintf(stderr, "vgm-vhost-user-gpu: %s: ", name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_msg(enum vgm_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

/* True when one more guest line may be printed now. */
static int guest_allowed(void)
{
	time_t now = time(NULL);

	if (now - guest_limit.window >= GUEST_INTERVAL_S) {
		if (guest_limit.suppressed)
			log_msg(VGM_LOG_WARNING, "%lu guest-caused messages suppressed",
				guest_limit.suppressed);
		guest_limit.window = now;
		guest_limit.printed = 0;
		guest_limit.suppressed = 0;
	}
	if (guest_limit.printed >= GUEST_BURST) {
		guest_limit.suppressed++;
		return 0;
	}
	guest_limit.printed++;
	return 1;
}

void log_guest(const char *fmt, ...)
{
	va_list ap;

	if (VGM_LOG_WARNING > max_level || !guest_allowed())
		return;
	va_start(ap, fmt);
	vlog(VGM_LOG_WARNING, fmt, ap);
	va_end(ap);
}
