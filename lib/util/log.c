/* SPDX-License-Identifier: MIT */
/*
 * Logging through the host's callback. Messages a guest causes are rate
 * limited: a guest that sends garbage in a loop must not be able to flood
 * the host's log, but the first errors of a burst are always seen.
 */
#include <stdio.h>
#include <time.h>

#include "util.h"

#define GUEST_BURST 20u		      /* messages logged back to back */
#define GUEST_REFILL_NS 100000000ull  /* then one per 100 ms */

struct logger {
	struct host *host;
	uint32_t level;
	uint32_t tokens;     /* guest messages that may still be logged */
	uint64_t refill_ns;  /* when the next token is due */
	uint64_t suppressed; /* guest messages dropped since the last one */
};

size_t logger_size(void)
{
	return place_round(sizeof(struct logger));
}

void logger_init(struct logger *lg, struct host *host, uint32_t level)
{
	*lg = (struct logger){
		.host = host,
		.level = level ? level : VGM_LOG_WARNING,
		.tokens = GUEST_BURST,
	};
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void PRINTF_LIKE(3, 0)
emit(struct logger *lg, enum vgm_log_level level, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	host_log(lg->host, level, msg);
}

bool logger_wants(const struct logger *lg, enum vgm_log_level level)
{
	return host_has_log(lg->host) && (uint32_t)level <= lg->level;
}

void logger_msg(struct logger *lg, enum vgm_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!logger_wants(lg, level))
		return;
	va_start(ap, fmt);
	emit(lg, level, fmt, ap);
	va_end(ap);
}

/* Token bucket: GUEST_BURST tokens, one more every GUEST_REFILL_NS. */
static bool take_token(struct logger *lg)
{
	uint64_t now = now_ns();

	if (lg->tokens < GUEST_BURST && now >= lg->refill_ns) {
		uint64_t due = (now - lg->refill_ns) / GUEST_REFILL_NS + 1;

		lg->tokens = due >= GUEST_BURST - lg->tokens ? GUEST_BURST
							     : lg->tokens + (uint32_t)due;
		lg->refill_ns = now + GUEST_REFILL_NS;
	}
	if (lg->tokens == 0) {
		lg->suppressed++;
		return false;
	}
	if (lg->tokens-- == GUEST_BURST)
		lg->refill_ns = now + GUEST_REFILL_NS;
	return true;
}

void logger_guest(struct logger *lg, const char *fmt, ...)
{
	va_list ap;

	if (!logger_wants(lg, VGM_LOG_WARNING) || !take_token(lg))
		return;
	if (lg->suppressed) {
		logger_msg(lg, VGM_LOG_WARNING, "%llu guest messages suppressed",
			(unsigned long long)lg->suppressed);
		lg->suppressed = 0;
	}
	va_start(ap, fmt);
	emit(lg, VGM_LOG_WARNING, fmt, ap);
	va_end(ap);
}
