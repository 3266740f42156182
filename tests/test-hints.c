/* SPDX-License-Identifier: MIT */
/*
 * vgm_device_prefetch(), the hint of the next request, from the VMM's
 * side: API misuse, and that hints change nothing: a device given hints
 * (of the next request whole, cut short or split, and of noise, on both
 * queues) answers, shows, counts and logs exactly as one never hinted.
 * test-prefetch.c has which commands hint what.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"

static void test_prefetch_misuse(void **state)
{
	struct harness *h = *state;
	struct iovec in = { NULL, 0 };

	assert_int_equal(vgm_device_prefetch(NULL, VGM_QUEUE_CONTROL, &in, 1), -EINVAL);
	assert_int_equal(vgm_device_prefetch(h->dev, (enum vgm_queue)2, &in, 1), -EINVAL);
	assert_int_equal(vgm_device_prefetch(h->dev, VGM_QUEUE_CONTROL, NULL, 1), -EINVAL);
	assert_int_equal(count_logs(h, "vgm_device_prefetch", VGM_LOG_ERROR), 2);
	assert_int_equal(vgm_device_prefetch(h->dev, VGM_QUEUE_CONTROL, NULL, 0), 0);
	assert_int_equal(vgm_device_prefetch(h->dev, VGM_QUEUE_CURSOR, &in, 1), 0);
	h->nlogs = 0; /* the misuse was the point */
}

/* ---- hints change nothing ---------------------------------------------------- */

#define STEPS 24

/* Step i of a script that creates, backs, fills, shows, flushes and
 * destroys resources (three rounds, the last one's left shown), with
 * requests the device refuses among them. */
static void script_step(struct req *r, uint32_t i, const struct backing *b)
{
	uint32_t id = 100 + i / 8;

	switch (i % 8) {
	case 0:
		req_create_2d(r, id, VGM_GPU_FORMAT_B8G8R8X8_UNORM, 64, 32);
		break;
	case 1:
		req_attach_backing(r, id, b);
		break;
	case 2:
		req_transfer(r, id, 0, 0, 64, 32, 0);
		break;
	case 3:
		req_set_scanout(r, 0, id, 0, 0, 64, 32);
		break;
	case 4:
		req_flush(r, id, 0, 0, 64, 32);
		break;
	case 5:
		req_flush(r, id + 50, 0, 0, 1, 1); /* no such resource */
		break;
	case 6:
		req_transfer(r, id, 60, 0, 8, 1, 0); /* outside it */
		break;
	default:
		req_unref(r, id - 1); /* the round before's; 99: none */
		break;
	}
}

/* Hints of the next request cut short, whole and split in two, on both
 * queues, and of noise that begins with a command's type. */
static void hints(struct harness *h, const struct req *next, uint32_t seed)
{
	uint8_t noise[96];

	for (size_t len = 0; len <= next->len; len += 7) {
		struct iovec in = { next->buf, len };
		struct iovec split[2] = { { next->buf, len }, { next->buf + len, next->len - len } };

		assert_int_equal(vgm_device_prefetch(h->dev, VGM_QUEUE_CONTROL, &in, 1), 0);
		assert_int_equal(vgm_device_prefetch(h->dev, VGM_QUEUE_CURSOR, &in, 1), 0);
		assert_int_equal(vgm_device_prefetch(h->dev, VGM_QUEUE_CONTROL, split, 2), 0);
	}
	pattern_fill(noise, sizeof(noise), seed);
	memcpy(noise, &(uint32_t){ 0x0100 + seed % 16 }, 4);
	for (size_t len = 0; len <= sizeof(noise); len += 5) {
		struct iovec in = { noise, len };

		assert_int_equal(vgm_device_prefetch(h->dev, VGM_QUEUE_CONTROL, &in, 1), 0);
	}
}

static void run_script(struct harness *h, bool hinted, uint8_t resp[STEPS][64], uint8_t *shown)
{
	struct backing b;
	struct req r, next;

	backing_make(h, &b, 64 * 32 * 4, 4096);
	pattern_fill(ram_ptr(h, b.gpa[0]), 4096, 7);
	script_step(&next, 0, &b);
	for (uint32_t i = 0; i < STEPS; i++) {
		r = next;
		if (i + 1 < STEPS)
			script_step(&next, i + 1, &b);
		if (hinted && i + 1 < STEPS)
			hints(h, &next, i);
		submit_split(h, &r, 0, 64);
		memcpy(resp[i], h->resp, 64);
	}
	read_shown(h, 0, shown);
	backing_free(&b);
}

static void test_hints_change_nothing(void **state)
{
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .with_release = true };
	struct harness *plain = harness_new(&o), *hinted = harness_new(&o);
	static uint8_t resp[2][STEPS][64], shown[2][64 * 32 * 4];
	struct snapshot a, b;

	(void)state;
	run_script(plain, false, resp[0], shown[0]);
	run_script(hinted, true, resp[1], shown[1]);
	assert_memory_equal(resp[0], resp[1], sizeof(resp[0]));
	assert_memory_equal(shown[0], shown[1], sizeof(shown[0]));
	snapshot_take(plain, &a);
	snapshot_take(hinted, &b);
	assert_memory_equal(&a.stats, &b.stats, sizeof(a.stats));
	assert_int_equal(a.nevents, b.nevents);
	assert_int_equal(a.live_maps, b.live_maps);
	assert_int_equal(plain->nlogs, hinted->nlogs); /* the refusals only */
	assert_true(plain->nlogs >= 2);
	plain->nlogs = hinted->nlogs = 0;
	harness_free(plain);
	harness_free(hinted);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_prefetch_misuse, harness_setup,
						harness_teardown),
		cmocka_unit_test(test_hints_change_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
