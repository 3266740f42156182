/* SPDX-License-Identifier: MIT */
/*
 * fuzz/load: vgm_device_load() of hostile bytes. The input is a saved
 * state (docs/snapshot-format.md); the harness writes the length and the
 * CRC-32 into its header before loading, so mutations reach the sections
 * instead of failing the checksum. The device is made to match the
 * state's device section where it can (dialect, 1..16 scanouts), saveable
 * and fresh, with guest RAM as the golden traces have it and a host with
 * release().
 *
 * Checks: a refused load leaves the device as created (nothing held,
 * nothing mapped, no callback); an accepted one resumes, shows what it
 * says, saves, and that state loads into a second device that saves the
 * same bytes again; destroy gives back every mapping.
 *
 * Seeds: the states vgm-replay --save-states writes after each request of
 * every golden trace (made at build time, fuzz/meson.build).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define HOST_MEMORY (64ull << 20)

/* dialect and num_scanouts from the device section, when the state
 * starts with one where this version writes it. */
static void device_of(const uint8_t *st, size_t len, uint32_t *dialect, uint32_t *scanouts)
{
	*dialect = VGM_DIALECT_STANDARD;
	*scanouts = 1;
	if (len < 56 || le32(st + 32) != 1)
		return;
	*dialect = le32(st + 48) == VGM_DIALECT_MEMORY_RFC ? VGM_DIALECT_MEMORY_RFC
							    : VGM_DIALECT_STANDARD;
	if (le32(st + 52) >= 1 && le32(st + 52) <= VGM_MAX_SCANOUTS)
		*scanouts = le32(st + 52);
}

static struct vgm_device *new_device(struct fuzz_host *h, uint32_t dialect, uint32_t scanouts)
{
	struct vgm_device_config cfg = {
		.size = sizeof(cfg),
		.dialect = dialect,
		.features = VGM_FEATURES_ALL,
		.num_scanouts = scanouts,
		.max_host_memory = HOST_MEMORY,
		.log_level = VGM_LOG_DEBUG,
		.ops = &h->ops,
		.host = h,
		.flags = VGM_DEVICE_SAVEABLE,
	};
	struct vgm_device *dev = NULL;

	FUZZ_CHECK(vgm_device_new(&cfg, &dev) == 0, "vgm_device_new");
	return dev;
}

static uint8_t *save(struct vgm_device *dev, size_t *len)
{
	size_t size = 0, written = 0;
	uint8_t *buf;

	FUZZ_CHECK(vgm_device_save_size(dev, &size) == 0, "vgm_device_save_size");
	buf = malloc(size);
	FUZZ_CHECK(buf, "out of memory");
	FUZZ_CHECK(vgm_device_save(dev, buf, size, &written) == 0 && written == size,
		   "vgm_device_save");
	*len = size;
	return buf;
}

/* A loaded state, saved, loads again and saves to the same bytes. */
static void round_trip(struct fuzz_host *h, struct vgm_device *dev, uint32_t dialect,
		       uint32_t scanouts)
{
	size_t len, len2;
	uint8_t *st = save(dev, &len), *st2;
	struct vgm_device *again = new_device(h, dialect, scanouts);

	FUZZ_CHECK(vgm_device_load(again, st, len) == 0, "a saved state does not load again");
	FUZZ_CHECK(vgm_device_resume(again) >= 0, "vgm_device_resume");
	st2 = save(again, &len2);
	FUZZ_CHECK(len == len2 && memcmp(st, st2, len) == 0, "save, load, save: other bytes");
	vgm_device_destroy(again);
	free(st);
	free(st2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct host_mode mode = { .release = true };
	struct fuzz_host h;
	uint8_t *st = malloc(size + 1);
	uint32_t dialect, scanouts;
	struct vgm_device *dev;

	FUZZ_CHECK(st, "out of memory");
	if (size)
		memcpy(st, data, size);
	if (size >= 32) {
		put_le64(st + 16, size);
		put_le32(st + 24, crc32_update(0, st + 32, size - 32));
	}
	device_of(st, size, &dialect, &scanouts);
	fuzz_host_init(&h, &mode);
	fuzz_ram_add(&h, 0, 0xa0000);
	fuzz_ram_add(&h, 0x100000, 0x7f00000);
	fuzz_ram_add(&h, 0x100000000ull, 0x10000);
	dev = new_device(&h, dialect, scanouts);
	if (vgm_device_load(dev, st, size) == 0) {
		FUZZ_CHECK(vgm_device_resume(dev) >= 0, "vgm_device_resume");
		fuzz_host_read_scanouts(&h);
		round_trip(&h, dev, dialect, scanouts);
	} else {
		check_empty(dev, &h);
		FUZZ_CHECK(h.uuid_calls == 0, "a refused load made callbacks");
	}
	vgm_device_destroy(dev);
	FUZZ_CHECK(h.live_maps == 0, "destroy kept %lld mappings", (long long)h.live_maps);
	fuzz_host_fini(&h);
	free(st);
	return 0;
}
