/* SPDX-License-Identifier: MIT */
/*
 * The backend's log: one line per message on stderr, filtered by level.
 * Messages the guest can cause go through log_guest(), which is rate
 * limited so a hostile guest cannot flood the host's logs.
 */
#ifndef VUGPU_LOG_H
#define VUGPU_LOG_H

#include <virtgpu-mem/virtgpu-mem.h>

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* The process has one log; the level is set once from the command line. */
void log_set_level(enum vgm_log_level level);
enum vgm_log_level log_get_level(void);

void log_msg(enum vgm_log_level level, const char *fmt, ...) LOG_PRINTF(2, 3);

/* A warning caused by the guest (a hostile ring, a bad request). At most a
 * burst of lines per interval; the rest are counted and reported once. */
void log_guest(const char *fmt, ...) LOG_PRINTF(1, 2);

#define log_error(...) log_msg(VGM_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(VGM_LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(VGM_LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(VGM_LOG_DEBUG, __VA_ARGS__)

#endif
