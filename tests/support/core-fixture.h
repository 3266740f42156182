/* SPDX-License-Identifier: MIT */
/*
 * A core on its own, for the core's tests: a host with the given callbacks
 * (the test's, usually in front of the harness's), a log, and a core of
 * the standard dialect with its features accepted and the default limits,
 * built in place as the device builds it.
 */
#ifndef VGM_TEST_CORE_FIXTURE_H
#define VGM_TEST_CORE_FIXTURE_H

#include "core/core.h"

struct core_fixture {
	void *block;
	struct host *host;
	struct logger *log;
	struct core *core;
};

/* host_memory 0: the default budget. Asserts it works. */
void core_fixture_init(struct core_fixture *cf, const struct vgm_host_ops *ops, void *data,
		       uint64_t host_memory);
/* The same with num_scanouts scanouts (1..VGM_MAX_SCANOUTS). */
void core_fixture_init_scanouts(struct core_fixture *cf, const struct vgm_host_ops *ops,
				void *data, uint64_t host_memory, uint32_t num_scanouts);
/* The same of a dialect, with the default budget and one scanout. */
void core_fixture_init_dialect(struct core_fixture *cf, const struct vgm_host_ops *ops,
			       void *data, enum vgm_dialect dialect);
/* Frees every object (mappings given back) and the core. */
void core_fixture_fini(struct core_fixture *cf);

#endif /* VGM_TEST_CORE_FIXTURE_H */
