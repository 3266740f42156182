/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "core-fixture.h"
#include "harness.h"

static void init(struct core_fixture *cf, const struct vgm_host_ops *ops, void *data,
		 uint64_t host_memory, uint32_t num_scanouts, enum vgm_dialect dialect)
{
	const uint64_t standard = 1ull << VGM_GPU_F_RESOURCE_UUID | 1ull << VGM_GPU_F_RESOURCE_BLOB;
	struct core_config cfg = {
		.dialect = dialect,
		/* the dialect's, accepted below (UUIDs and blobs: standard) */
		.offered = 1ull << VGM_GPU_F_EDID |
			   (dialect == VGM_DIALECT_STANDARD ? standard : 0),
		.num_scanouts = num_scanouts,
		.limits = {
			.host_memory = host_memory ? host_memory : VGM_DEFAULT_MAX_HOST_MEMORY,
			.backing_entries = VGM_DEFAULT_MAX_BACKING_ENTRIES,
			.resources = VGM_DEFAULT_MAX_RESOURCES,
			.regions = VGM_DEFAULT_MAX_REGIONS,
			.table_pieces = VGM_DEFAULT_MAX_TABLE_PIECES,
		},
	};

	for (uint32_t i = 0; i < num_scanouts; i++)
		cfg.displays[i] = (struct core_display){ true, VGM_DEFAULT_WIDTH, VGM_DEFAULT_HEIGHT };
	cf->block = calloc(1, host_size() + logger_size() + core_size(num_scanouts));
	assert_non_null(cf->block);
	cf->host = cf->block;
	cf->log = place_at(cf->block, host_size());
	cf->core = place_at(cf->block, host_size() + logger_size());
	host_init(cf->host, ops, data);
	logger_init(cf->log, cf->host, VGM_LOG_DEBUG);
	assert_int_equal(core_init(cf->core, &cfg, cf->host, cf->log), 0);
	core_accept(cf->core, cfg.offered);
}

void core_fixture_init_scanouts(struct core_fixture *cf, const struct vgm_host_ops *ops,
				void *data, uint64_t host_memory, uint32_t num_scanouts)
{
	init(cf, ops, data, host_memory, num_scanouts, VGM_DIALECT_STANDARD);
}

void core_fixture_init_dialect(struct core_fixture *cf, const struct vgm_host_ops *ops,
			       void *data, enum vgm_dialect dialect)
{
	init(cf, ops, data, 0, 1, dialect);
}

void core_fixture_init(struct core_fixture *cf, const struct vgm_host_ops *ops, void *data,
		       uint64_t host_memory)
{
	core_fixture_init_scanouts(cf, ops, data, host_memory, 1);
}

void core_fixture_fini(struct core_fixture *cf)
{
	core_fini(cf->core);
	free(cf->block);
}
