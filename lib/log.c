/* SPDX-License-Identifier: MIT */
/*
 * Logging through the host's callback. Messages a guest causes are rate
 * limited: a guest that sends garbage in a loop must not be able to flood
 * the host's log, but the first errors of a burst are always seen.
 */
#include <stdio.h>
#include <time.h>

#include "private.h"

#define GUEST_BURST 20u		      /* messages logged back to back */
#define GUEST_REFILL_NS 100000000ull  /* then one per 100 ms */

void log_init(struct vgm_log *log, uint32_t level)
{
	log->level = level ? level : VGM_LOG_WARNING;
	log->tokens = GUEST_BURST;
	log->refill_ns = 0;
	log->suppressed = 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void PRINTF_LIKE(3, 0)
emit(struct vgm_device *dev, enum vgm_log_level level, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	host_log(dev, level, msg);
}

bool log_wanted(const struct vgm_device *dev, enum vgm_log_level level)
{
	return dev->ops.log && (uint32_t)level <= dev->log.level;
}

void dev_log(struct vgm_device *dev, enum vgm_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!log_wanted(dev, level))
		return;
	va_start(ap, fmt);
	emit(dev, level, fmt, ap);
	va_end(ap);
}

/* Token bucket: GUEST_BURST tokens, one more every GUEST_REFILL_NS. */
static bool take_token(struct vgm_log *log)
{
	uint64_t now = now_ns();

	if (log->tokens < GUEST_BURST && now >= log->refill_ns) {
		uint64_t due = (now - log->refill_ns) / GUEST_REFILL_NS + 1;

		log->tokens = due >= GUEST_BURST - log->tokens ? GUEST_BURST
							       : log->tokens + (uint32_t)due;
		log->refill_ns = now + GUEST_REFILL_NS;
	}
	if (log->tokens == 0) {
		log->suppressed++;
		return false;
	}
	if (log->tokens-- == GUEST_BURST)
		log->refill_ns = now + GUEST_REFILL_NS;
	return true;
}

void dev_log_guest(struct vgm_device *dev, const char *fmt, ...)
{
	va_list ap;

	if (!log_wanted(dev, VGM_LOG_WARNING) || !take_token(&dev->log))
		return;
	if (dev->log.suppressed) {
		dev_log(dev, VGM_LOG_WARNING, "%llu guest messages suppressed",
			(unsigned long long)dev->log.suppressed);
		dev->log.suppressed = 0;
	}
	va_start(ap, fmt);
	emit(dev, VGM_LOG_WARNING, fmt, ap);
	va_end(ap);
}
