/* SPDX-License-Identifier: MIT */
/*
 * Saving and loading a device (vgm_device_save(), vgm_device_load() with
 * vgm_device_resume()): 1,000 2D resources of 64x64 each backed by a
 * region of 256 guest entries, and one 3840x2160 2D resource. Time and
 * bytes of each, and each time as a ratio to a memcpy of the state's bytes
 * (what a VMM pays to move them anyway).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "harness.h"

#define FMT VGM_GPU_FORMAT_B8G8R8X8_UNORM

struct run {
	struct harness *h;
	uint8_t *state, *copy;
	size_t len;
};

static struct harness *device(size_t ram, bool fresh)
{
	const struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .ram_size = ram,
					.max_resources = 2000, .max_host_memory = 1ull << 30,
					.no_accept = fresh, .flags = VGM_DEVICE_SAVEABLE,
					.discard_events = true };

	return harness_new(&o);
}

/* A w x hgt resource backed by b (whose bytes the guest wrote), its
 * pixels filled by a transfer. Resources may share guest pages: each gets
 * a region of its own. */
static void filled(struct harness *h, uint32_t id, uint32_t w, uint32_t hgt,
		   const struct backing *b)
{
	struct req r;

	make_resource(h, id, FMT, w, hgt);
	req_attach_backing(&r, id, b);
	expect_nodata(h, &r);
	req_transfer(&r, id, 0, 0, w, hgt, 0);
	expect_nodata(h, &r);
}

static void guest_pixels(struct harness *h, struct backing *b, uint64_t size, uint32_t entry)
{
	uint8_t *px = malloc(size);

	backing_make(h, b, size, entry);
	pattern_fill(px, size, 7);
	backing_write(h, b, 0, px, size);
	free(px);
}

static void save(void *arg)
{
	struct run *r = arg;
	size_t written;

	if (vgm_device_save(r->h->dev, r->state, r->len, &written) != 0)
		exit(1);
}

static void load(void *arg)
{
	struct run *r = arg;
	struct harness *d = device(r->h->ram.size, true);

	ram_move(d, r->h);
	if (vgm_device_load(d->dev, r->state, r->len) != 0 || vgm_device_resume(d->dev) != 0)
		exit(1);
	harness_free(d);
}

static void copy(void *arg)
{
	struct run *r = arg;

	memcpy(r->copy, r->state, r->len);
	bench_consume(r->copy, r->len);
}

static void measure(const char *name, struct harness *h, int reps)
{
	struct run r = { .h = h };
	double ts, tl, tc;

	vgm_device_save_size(h->dev, &r.len);
	r.state = malloc(r.len);
	r.copy = malloc(r.len);
	if (!r.state || !r.copy)
		exit(1);
	ts = bench_best(save, &r, reps);
	tl = bench_best(load, &r, reps);
	tc = bench_best(copy, &r, reps);
	printf("  %-34s %10zu bytes  save %8.2f ms (%6.1fx memcpy)  load+resume %8.2f ms "
	       "(%6.1fx memcpy)\n",
	       name, r.len, ts * 1e3, ts / tc, tl * 1e3, tl / tc);
	free(r.state);
	free(r.copy);
}

int main(void)
{
	int reps = bench_reps(5);
	struct harness *h = device(16u << 20, false);
	struct backing b;

	printf("bench-state: save and load, times as ratios to a memcpy of the state\n");
	/* 256 entries of 64 bytes: a 64x64 image, scattered over 256 pages. */
	guest_pixels(h, &b, 64 * 64 * 4, 64);
	for (uint32_t id = 1; id <= 1000; id++)
		filled(h, id, 64, 64, &b);
	measure("1,000 resources + regions (256)", h, reps);
	backing_free(&b);
	harness_free(h);
	h = device(80u << 20, false);
	guest_pixels(h, &b, 3840ull * 2160 * 4, 1u << 20);
	filled(h, 1, 3840, 2160, &b);
	measure("one 3840x2160 2D resource", h, reps);
	backing_free(&b);
	harness_free(h);
	return 0;
}
