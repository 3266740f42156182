/* SPDX-License-Identifier: MIT */
/*
 * TRANSFER_TO_HOST_2D throughput over a backing of 4 KiB pages in scattered
 * order, as a guest's shmem gives them:
 * - full frame, a full-height rectangle one pixel narrower on each side
 *   (the row-by-row path), and every 64x64 tile of the frame;
 * - against memcpy of the same bytes from the same scattered pages and from
 *   contiguous memory, and against a simple device model that, for each
 *   row, walks the page list from its start to find the row's offset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "bench.h"
#include "harness.h"

struct chunk;

struct frame {
	struct harness *h;
	struct backing b;
	uint32_t w, hgt;
	struct iovec *pages; /* host view of the backing, in backing order */
	uint8_t *dst;	     /* the baselines' destination */
	uint8_t *contig;     /* the contiguous source */
	struct req *reqs;    /* prebuilt requests of the case being timed */
	size_t nreqs;
	struct chunk *chunks; /* the same case as plain memcpy calls */
	size_t nchunks, chunks_cap;
};

static void submit_all(void *arg)
{
	struct frame *f = arg;
	uint8_t resp[64];
	struct iovec out = { resp, sizeof(resp) };

	for (size_t i = 0; i < f->nreqs; i++) {
		struct iovec in = { f->reqs[i].buf, f->reqs[i].len };
		size_t written;

		if (vgm_device_submit(f->h->dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, &written) ||
		    written != 24 || resp[0] != 0x00 || resp[1] != 0x11) {
			fprintf(stderr, "bench: a transfer failed\n");
			exit(1);
		}
	}
}

/* The same bytes as a case's transfers, as plain memcpy calls from the
 * same scattered pages with every address known in advance. */
struct chunk {
	const uint8_t *src;
	uint8_t *dst;
	size_t len;
};

static void memcpy_chunks(void *arg)
{
	struct frame *f = arg;

	for (size_t i = 0; i < f->nchunks; i++)
		memcpy(f->chunks[i].dst, f->chunks[i].src, f->chunks[i].len);
	bench_consume(f->dst, (size_t)f->w * f->hgt * 4);
}

static void add_chunks(struct frame *f, size_t off, size_t len)
{
	size_t i = off / 4096, in = off % 4096;
	uint8_t *d = f->dst + off;

	while (len > 0) {
		size_t n = 4096 - in < len ? 4096 - in : len;

		if (f->nchunks == f->chunks_cap) {
			f->chunks_cap = f->chunks_cap * 2 + 1024;
			f->chunks = realloc(f->chunks, f->chunks_cap * sizeof(*f->chunks));
		}
		f->chunks[f->nchunks++] = (struct chunk){ (uint8_t *)f->pages[i].iov_base + in, d, n };
		d += n;
		len -= n;
		in = 0;
		i++;
	}
}

/* The chunks of rectangle x,y w x h of the frame. */
static void rect_chunks(struct frame *f, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	size_t stride = (size_t)f->w * 4;

	if (w == f->w) {
		add_chunks(f, (size_t)y * stride, stride * h);
		return;
	}
	for (uint32_t r = 0; r < h; r++)
		add_chunks(f, (size_t)(y + r) * stride + (size_t)x * 4, (size_t)w * 4);
}

static void memcpy_contiguous(void *arg)
{
	struct frame *f = arg;

	memcpy(f->dst, f->contig, (size_t)f->w * f->hgt * 4);
	bench_consume(f->dst, (size_t)f->w * f->hgt * 4);
}

/* What a simple device model does: for each row, find its offset by walking
 * the element list from the start, then copy. */
static void naive_rows(void *arg)
{
	struct frame *f = arg;
	size_t stride = (size_t)f->w * 4, row = (size_t)(f->w - 2) * 4;

	for (uint32_t y = 0; y < f->hgt; y++) {
		size_t off = (size_t)y * stride + 4, done = 0, i = 0;
		uint8_t *d = f->dst + off;

		while (off >= f->pages[i].iov_len) {
			off -= f->pages[i].iov_len;
			i++;
		}
		while (done < row) {
			size_t n = f->pages[i].iov_len - off;

			if (n > row - done)
				n = row - done;
			memcpy(d + done, (uint8_t *)f->pages[i].iov_base + off, n);
			done += n;
			off = 0;
			i++;
		}
	}
	bench_consume(f->dst, stride * f->hgt);
}

static void set_requests(struct frame *f, uint32_t x, uint32_t w, bool tiles)
{
	size_t n = 0;

	for (size_t i = 0; i < f->nreqs; i++)
		req_free(&f->reqs[i]);
	free(f->reqs);
	f->nreqs = tiles ? (size_t)((f->w + 63) / 64) * ((f->hgt + 63) / 64) : 1;
	f->reqs = calloc(f->nreqs, sizeof(*f->reqs));
	f->nchunks = 0;
	if (!tiles) {
		req_transfer(&f->reqs[0], 1, x, 0, w, f->hgt, (uint64_t)x * 4);
		rect_chunks(f, x, 0, w, f->hgt);
		return;
	}
	for (uint32_t ty = 0; ty < f->hgt; ty += 64) {
		for (uint32_t tx = 0; tx < f->w; tx += 64) {
			uint32_t tw = f->w - tx < 64 ? f->w - tx : 64;
			uint32_t th = f->hgt - ty < 64 ? f->hgt - ty : 64;

			req_transfer(&f->reqs[n++], 1, tx, ty, tw, th,
				     (uint64_t)ty * f->w * 4 + (uint64_t)tx * 4);
			rect_chunks(f, tx, ty, tw, th);
		}
	}
}

static void frame_init(struct frame *f, uint32_t w, uint32_t hgt)
{
	uint64_t bytes = (uint64_t)w * hgt * 4;
	struct harness_opts o = {
		.dialect = VGM_DIALECT_STANDARD,
		.ram_size = (size_t)bytes * 2 + (64u << 20),
		.max_host_memory = bytes * 2,
		.max_backing_entries = (uint32_t)(bytes / 4096) + 1,
	};

	memset(f, 0, sizeof(*f));
	f->w = w;
	f->hgt = hgt;
	f->h = harness_new(&o);
	make_backed(f->h, 1, VGM_GPU_FORMAT_B8G8R8X8_UNORM, w, hgt, &f->b, 4096);
	f->pages = calloc(f->b.n, sizeof(*f->pages));
	for (uint32_t i = 0; i < f->b.n; i++)
		f->pages[i] = (struct iovec){ ram_ptr(f->h, f->b.gpa[i]), f->b.len[i] };
	for (uint32_t i = 0; i < f->b.n; i++)
		memset(f->pages[i].iov_base, (int)(i * 37 + 1), f->pages[i].iov_len);
	f->dst = malloc((size_t)bytes);
	f->contig = malloc((size_t)bytes);
	memset(f->dst, 1, (size_t)bytes);
	memset(f->contig, 2, (size_t)bytes);
}

static void frame_fini(struct frame *f)
{
	set_requests(f, 0, 0, false);
	req_free(&f->reqs[0]);
	free(f->reqs);
	free(f->pages);
	free(f->chunks);
	free(f->dst);
	free(f->contig);
	backing_free(&f->b);
	harness_free(f->h);
}

static double gbps(uint64_t bytes, double s)
{
	return (double)bytes / s / 1e9;
}

struct timing {
	double ours, plain;
};

/* Times one case against plain memcpy of its bytes, interleaved. */
static struct timing time_case(struct frame *f, uint32_t x, uint32_t w, bool tiles, int reps)
{
	struct timing t;

	set_requests(f, x, w, tiles);
	t.ours = bench_best(submit_all, f, reps);
	t.plain = bench_best(memcpy_chunks, f, reps);
	return t;
}

static void print_case(const char *name, uint64_t bytes, struct timing t)
{
	printf("  %-17s %6.2f GB/s  %.2fx memcpy of the same bytes from the same pages\n", name,
	       gbps(bytes, t.ours), t.plain / t.ours);
}

static void run_size(uint32_t w, uint32_t hgt, int reps)
{
	struct frame f;
	uint64_t full = (uint64_t)w * hgt * 4, narrow = (uint64_t)(w - 2) * hgt * 4;
	struct timing t_full, t_rows, t_tiles;
	double t_contig, t_naive;

	frame_init(&f, w, hgt);
	t_full = time_case(&f, 0, w, false, reps);
	t_rows = time_case(&f, 1, w - 2, false, reps);
	t_naive = bench_best(naive_rows, &f, reps > 3 ? 3 : reps);
	t_tiles = time_case(&f, 0, 0, true, reps);
	t_contig = bench_best(memcpy_contiguous, &f, reps);

	printf("%ux%u XRGB, %u scattered 4 KiB pages\n", w, hgt, f.b.n);
	print_case("full frame", full, t_full);
	print_case("rows (1px inset)", narrow, t_rows);
	print_case("64x64 tiles", full, t_tiles);
	printf("  %-17s %6.2f GB/s\n", "memcpy contiguous", gbps(full, t_contig));
	printf("  %-17s %6.2f GB/s  ours %.2fx faster on the rows\n", "simple model rows",
	       gbps(narrow, t_naive), t_naive / t_rows.ours);
	printf("  rows at %.2fx the full frame rate (target 0.8): %s\n",
	       gbps(narrow, t_rows.ours) / gbps(full, t_full.ours),
	       gbps(narrow, t_rows.ours) >= 0.8 * gbps(full, t_full.ours) ? "met" : "MISSED");
	printf("  full frame at %.2fx memcpy contiguous (target 0.7): %s\n",
	       t_contig / t_full.ours, t_contig / t_full.ours >= 0.7 ? "met" : "MISSED");
	if (w == 3840)
		printf("  rows %.2fx the simple model (target 2 at 3840x2160): %s\n",
		       t_naive / t_rows.ours, t_naive / t_rows.ours >= 2.0 ? "met" : "MISSED");
	frame_fini(&f);
}

int main(int argc, char **argv)
{
	int reps = bench_reps(5);
	bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;

	run_size(1920, 1080, reps);
	run_size(3840, 2160, reps);
	if (!quick)
		run_size(7680, 4320, reps);
	return 0;
}
