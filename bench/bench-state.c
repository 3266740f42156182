/* SPDX-License-Identifier: MIT */
/*
 * Saving and loading a device (vgm_device_save(), vgm_device_load() with
 * vgm_device_resume()): 1,000 2D resources of 64x64 each backed by a
 * region of 256 guest entries, and one 3840x2160 2D resource. Time and
 * bytes of each, and each time as a ratio to a memcpy of the state's bytes
 * (what a VMM pays to move them anyway). The load's time is
 * vgm_device_load() and vgm_device_resume() alone.
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

static double save(void *arg)
{
	struct run *r = arg;
	size_t written;

	if (vgm_device_save(r->h->dev, r->state, r->len, &written) != 0)
		exit(1);
	return 0; /* the whole call is measured */
}

/* Only the library's calls are timed: the new device, the copy of guest
 * RAM to other addresses and the device's end are the VMM's, untimed. */
static double load(void *arg)
{
	struct run *r = arg;
	struct harness *d = device(r->h->ram.size, true);
	double t;

	ram_move(d, r->h);
	t = bench_now();
	if (vgm_device_load(d->dev, r->state, r->len) != 0 || vgm_device_resume(d->dev) != 0)
		exit(1);
	t = bench_now() - t;
	harness_free(d);
	return t;
}

static double copy(void *arg)
{
	struct run *r = arg;

	memcpy(r->copy, r->state, r->len);
	bench_consume(r->copy, r->len);
	return 0;
}

/* Save, load + resume and the memcpy, interleaved in random order (save
 * first in the untimed pass, so the state exists); medians with min-max,
 * the ratios paired per repetition. */
static void measure(const char *name, struct harness *h, int reps, struct bench_rng *rng)
{
	struct run r = { .h = h };
	struct bench_op ops[3] = {
		{ "save", save, NULL, &r, BENCH_STEADY, NULL },
		{ "load", load, NULL, &r, BENCH_STEADY, NULL },
		{ "memcpy", copy, NULL, &r, BENCH_STEADY, NULL },
	};
	struct bench_stat ts, tl, rs, rl;

	vgm_device_save_size(h->dev, &r.len);
	r.state = malloc(r.len);
	r.copy = malloc(r.len);
	if (!r.state || !r.copy)
		exit(1);
	bench_interleave(ops, 3, reps, rng);
	ts = bench_stat_of(ops[0].t, (size_t)reps);
	tl = bench_stat_of(ops[1].t, (size_t)reps);
	rs = bench_ratio_of(ops[0].t, ops[2].t, (size_t)reps);
	rl = bench_ratio_of(ops[1].t, ops[2].t, (size_t)reps);
	printf("  %s: %zu bytes\n", name, r.len);
	printf("    save         %8.2f ms (%.2f-%.2f), %6.1fx memcpy (%.1f-%.1f)\n",
	       ts.median * 1e3, ts.min * 1e3, ts.max * 1e3, rs.median, rs.min, rs.max);
	printf("    load+resume  %8.2f ms (%.2f-%.2f), %6.1fx memcpy (%.1f-%.1f)\n",
	       tl.median * 1e3, tl.min * 1e3, tl.max * 1e3, rl.median, rl.min, rl.max);
	bench_ops_free(ops, 3);
	free(r.state);
	free(r.copy);
}

int main(void)
{
	int reps = bench_reps(5);
	struct harness *h = device(16u << 20, false);
	struct bench_rng rng;
	struct backing b;

	bench_rng_init(&rng, bench_seed());
	printf("bench-state: save and load, times as ratios to a memcpy of the state; "
	       "medians (min-max) of %d interleaved repetitions\n", reps);
	/* 256 entries of 64 bytes: a 64x64 image, scattered over 256 pages. */
	guest_pixels(h, &b, 64 * 64 * 4, 64);
	for (uint32_t id = 1; id <= 1000; id++)
		filled(h, id, 64, 64, &b);
	measure("1,000 resources + regions (256)", h, reps, &rng);
	backing_free(&b);
	harness_free(h);
	h = device(80u << 20, false);
	guest_pixels(h, &b, 3840ull * 2160 * 4, 1u << 20);
	filled(h, 1, 3840, 2160, &b);
	measure("one 3840x2160 2D resource", h, reps, &rng);
	backing_free(&b);
	harness_free(h);
	return 0;
}
