/* SPDX-License-Identifier: MIT */
/*
 * TRANSFER_TO_HOST_2D of XRGB frames at 1920x1080, 3840x2160 and 7680x4320
 * whose backing is 4 KiB pages in a seeded random order (bench_backing: no
 * two neighbours adjacent in RAM), in four shapes:
 *   full frame; full-width bands of 64 rows (one request each, at their
 *   offset); the frame inset by 1 pixel on every side (the row-by-row
 *   path); every 64x64 tile (one request each), in raster order.
 *
 * Peers, on the same source pages in the same run:
 * - the library, through vgm_device_submit (decode, validate, copy, respond);
 * - memcpy of the same bytes from the same pages, every address computed in
 *   advance, into a destination mapped as the library maps images;
 * - QEMU 10's algorithm (hw/display/virtio-gpu.c since 8.1), written here
 *   from its behaviour: a rectangle at x 0 as wide as the image is one
 *   gather of stride * height bytes from `offset` over the entry list; any
 *   other is copied row by row, each row walking the list from its first
 *   entry to find its offset (iov_to_buf); one iovec per guest entry; the
 *   destination a memfd mapping (qemu_pixman_image_new_shareable). Only the
 *   copy is timed: its request handling is free;
 * - for the full frame, copies of the same bytes from contiguous memory:
 *   memcpy, `rep movsb` and non-temporal stores; the fastest is the bound.
 *
 * Each operation is timed in two cache states (bench.h): steady, preceded
 * by itself, and evicted, its sources and destination flushed from the
 * caches first. The repetitions of all of them are interleaved in random
 * order. Targets are for the steady state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#include <xmmintrin.h>
#endif

#include "bench.h"

enum shape { FULL, BANDS, INSET, TILES, NSHAPES };
enum peer { LIB, PAGES, QEMU, NPEERS };
enum contig { C_MEMCPY, C_MOVSB, C_STREAM, NCONTIG };

static const char *const shape_names[NSHAPES] = { "full frame", "full-width bands",
						   "1 px inset", "64x64 tiles" };
static const char *const peer_names[NPEERS] = { "library", "memcpy same pages",
						 "QEMU 10 algorithm" };
static const char *const contig_names[NCONTIG] = { "memcpy", "rep movsb", "non-temporal" };
static const char *const state_names[2] = { "steady", "evicted" };

#define BAND_ROWS 64u
#define TILE 64u

struct rect {
	uint32_t x, y, w, h;
	uint64_t offset;
};

/* One piece of a plain copy, its addresses known in advance. */
struct chunk {
	const uint8_t *src;
	uint8_t *dst;
	size_t len;
};

/* A shape: its requests, and the same bytes as rectangles and as chunks. */
struct load {
	struct rect *rects;
	struct req *reqs;
	size_t nrects;
	struct chunk *chunks;
	size_t nchunks, cap;
	uint64_t bytes;
};

struct frame {
	struct harness *h;
	struct backing b;
	uint32_t w, hgt;
	size_t stride, bytes;
	uint8_t *src_pages;	/* the backing's pages: one run of guest RAM */
	struct iovec *iov;	/* QEMU's view: one element per entry */
	uint8_t *lib_pixels;	/* the resource's image, to evict it */
	uint8_t *pages_dst;	/* memcpy's destination */
	uint8_t *qemu_dst;	/* QEMU's: a memfd mapping */
	uint8_t *contig_src, *contig_dst;
	struct load loads[NSHAPES];
};

/* What a timed operation runs. */
struct job {
	struct frame *f;
	int shape;
	int peer; /* enum peer, or NPEERS + enum contig */
};

/* ---- the peers -------------------------------------------------------------------- */

static void lib_run(const struct frame *f, const struct load *l)
{
	uint8_t resp[64];
	struct iovec out = { resp, sizeof(resp) };

	for (size_t i = 0; i < l->nrects; i++) {
		struct iovec in = { l->reqs[i].buf, l->reqs[i].len };
		size_t written;

		if (vgm_device_submit(f->h->dev, VGM_QUEUE_CONTROL, &in, 1, &out, 1, &written) ||
		    written != 24 || resp[0] != 0x00 || resp[1] != 0x11) {
			fprintf(stderr, "bench: a transfer failed\n");
			exit(1);
		}
	}
}

static void pages_run(const struct load *l)
{
	for (size_t i = 0; i < l->nchunks; i++)
		memcpy(l->chunks[i].dst, l->chunks[i].src, l->chunks[i].len);
}

/* QEMU's iov_to_buf(): from the first element on, skip whole elements
 * until offset lies in one, then copy element by element. */
static size_t qemu_gather(const struct iovec *iov, size_t cnt, size_t offset, uint8_t *dst,
			  size_t bytes)
{
	size_t done = 0;

	for (size_t i = 0; i < cnt && (offset || done < bytes); i++) {
		size_t n;

		if (offset >= iov[i].iov_len) {
			offset -= iov[i].iov_len;
			continue;
		}
		n = iov[i].iov_len - offset;
		if (n > bytes - done)
			n = bytes - done;
		memcpy(dst + done, (const uint8_t *)iov[i].iov_base + offset, n);
		done += n;
		offset = 0;
	}
	return done;
}

static void qemu_run(const struct frame *f, const struct load *l)
{
	for (size_t i = 0; i < l->nrects; i++) {
		const struct rect *r = &l->rects[i];
		uint8_t *dst = f->qemu_dst + (size_t)r->y * f->stride + (size_t)r->x * 4;

		if (r->x == 0 && r->w == f->w) {
			qemu_gather(f->iov, f->b.n, r->offset, dst, f->stride * r->h);
			continue;
		}
		for (uint32_t y = 0; y < r->h; y++)
			qemu_gather(f->iov, f->b.n, r->offset + f->stride * y, dst + f->stride * y,
				    (size_t)r->w * 4);
	}
}

static void copy_movsb(void *dst, const void *src, size_t n)
{
#if defined(__x86_64__)
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
#else
	memcpy(dst, src, n);
#endif
}

/* Whole 64-byte lines with non-temporal stores (dst is 2 MiB aligned). */
static void copy_nt(uint8_t *d, const uint8_t *s, size_t n)
{
#if defined(__SSE2__)
	size_t body = n & ~(size_t)63;

	for (size_t i = 0; i < body; i += 64) {
		__m128i a = _mm_loadu_si128((const void *)(s + i));
		__m128i b = _mm_loadu_si128((const void *)(s + i + 16));
		__m128i c = _mm_loadu_si128((const void *)(s + i + 32));
		__m128i e = _mm_loadu_si128((const void *)(s + i + 48));

		_mm_prefetch((const char *)(s + i + 512), _MM_HINT_NTA);
		_mm_stream_si128((void *)(d + i), a);
		_mm_stream_si128((void *)(d + i + 16), b);
		_mm_stream_si128((void *)(d + i + 32), c);
		_mm_stream_si128((void *)(d + i + 48), e);
	}
	_mm_sfence();
	memcpy(d + body, s + body, n - body);
#else
	memcpy(d, s, n);
#endif
}

static double job_run(void *arg)
{
	const struct job *j = arg;
	const struct frame *f = j->f;
	const struct load *l = &f->loads[j->shape];

	switch (j->peer) {
	case LIB:
		lib_run(f, l);
		break;
	case PAGES:
		pages_run(l);
		break;
	case QEMU:
		qemu_run(f, l);
		break;
	case NPEERS + C_MEMCPY:
		memcpy(f->contig_dst, f->contig_src, f->bytes);
		break;
	case NPEERS + C_MOVSB:
		copy_movsb(f->contig_dst, f->contig_src, f->bytes);
		break;
	default:
		copy_nt(f->contig_dst, f->contig_src, f->bytes);
		break;
	}
	return 0;
}

static void job_evict(void *arg)
{
	const struct job *j = arg;
	const struct frame *f = j->f;
	uint8_t *dst = j->peer == LIB ? f->lib_pixels : j->peer == PAGES ? f->pages_dst
						       : j->peer == QEMU ? f->qemu_dst
									 : f->contig_dst;

	bench_evict_range(j->peer < NPEERS ? f->src_pages : f->contig_src, f->bytes);
	bench_evict_range(dst, f->bytes);
	bench_evict_others();
}

/* ---- the loads -------------------------------------------------------------------- */

static void add_chunks(struct frame *f, struct load *l, size_t off, size_t len)
{
	uint8_t *d = f->pages_dst + off;

	while (len > 0) {
		size_t i = off / PAGE_SIZE_4K, in = off % PAGE_SIZE_4K;
		size_t n = PAGE_SIZE_4K - in < len ? PAGE_SIZE_4K - in : len;

		if (l->nchunks == l->cap) {
			l->cap = l->cap * 2 + 1024;
			l->chunks = realloc(l->chunks, l->cap * sizeof(*l->chunks));
			if (!l->chunks)
				abort();
		}
		l->chunks[l->nchunks++] =
			(struct chunk){ (const uint8_t *)f->iov[i].iov_base + in, d, n };
		d += n;
		off += n;
		len -= n;
	}
}

/* A transfer of rectangle x,y w x h from where TRANSFER_TO_HOST_2D's rule
 * puts it in the backing: offset y * stride + x * 4. */
static void add_rect(struct frame *f, struct load *l, uint32_t x, uint32_t y, uint32_t w,
		     uint32_t h)
{
	uint64_t offset = (uint64_t)y * f->stride + (uint64_t)x * 4;

	l->rects = realloc(l->rects, (l->nrects + 1) * sizeof(*l->rects));
	l->reqs = realloc(l->reqs, (l->nrects + 1) * sizeof(*l->reqs));
	if (!l->rects || !l->reqs)
		abort();
	l->rects[l->nrects] = (struct rect){ x, y, w, h, offset };
	req_transfer(&l->reqs[l->nrects++], 1, x, y, w, h, offset);
	l->bytes += (uint64_t)w * h * 4;
	if (w == f->w) {
		add_chunks(f, l, (size_t)offset, f->stride * h);
		return;
	}
	for (uint32_t r = 0; r < h; r++)
		add_chunks(f, l, (size_t)offset + r * f->stride, (size_t)w * 4);
}

static uint32_t at_most(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static void build_loads(struct frame *f)
{
	add_rect(f, &f->loads[FULL], 0, 0, f->w, f->hgt);
	for (uint32_t y = 0; y < f->hgt; y += BAND_ROWS)
		add_rect(f, &f->loads[BANDS], 0, y, f->w, at_most(BAND_ROWS, f->hgt - y));
	add_rect(f, &f->loads[INSET], 1, 1, f->w - 2, f->hgt - 2);
	for (uint32_t ty = 0; ty < f->hgt; ty += TILE) {
		for (uint32_t tx = 0; tx < f->w; tx += TILE)
			add_rect(f, &f->loads[TILES], tx, ty, at_most(TILE, f->w - tx),
				 at_most(TILE, f->hgt - ty));
	}
}

/* ---- the frame -------------------------------------------------------------------- */

static uint8_t *memfd_map(size_t len)
{
	int fd = memfd_create("bench-qemu-image", MFD_CLOEXEC);
	uint8_t *p;

	if (fd < 0 || ftruncate(fd, (off_t)len) != 0) {
		perror("bench: memfd");
		exit(1);
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		perror("bench: mmap memfd");
		exit(1);
	}
	return p;
}

/* The resource's own pixels, found as the host finds them: shown. */
static uint8_t *shown_pixels(struct frame *f)
{
	struct req r;
	struct vgm_pixels px;

	req_set_scanout(&r, 0, 1, 0, 0, f->w, f->hgt);
	if (submit(f->h, &r) != VGM_GPU_RESP_OK_NODATA ||
	    vgm_device_get_scanout_pixels(f->h->dev, 0, &px) != 0) {
		fprintf(stderr, "bench: cannot show the resource\n");
		exit(1);
	}
	return (uint8_t *)px.data;
}

static void frame_init(struct frame *f, uint32_t w, uint32_t hgt, struct bench_rng *rng)
{
	uint32_t npages;
	struct harness_opts o = { .dialect = VGM_DIALECT_STANDARD, .discard_events = true };
	struct req r;

	memset(f, 0, sizeof(*f));
	f->w = w;
	f->hgt = hgt;
	f->stride = (size_t)w * 4;
	f->bytes = f->stride * hgt;
	npages = (uint32_t)((f->bytes + PAGE_SIZE_4K - 1) / PAGE_SIZE_4K);
	o.ram_size = (size_t)npages * PAGE_SIZE_4K;
	o.max_host_memory = (uint64_t)f->bytes * 2;
	o.max_backing_entries = npages;
	f->h = harness_new(&o);
	bench_backing(f->h, &f->b, npages, rng);
	f->src_pages = ram_ptr(f->h, RAM_BASE);
	f->iov = calloc(npages, sizeof(*f->iov));
	if (!f->iov)
		abort();
	for (uint32_t i = 0; i < npages; i++) {
		f->iov[i] = (struct iovec){ ram_ptr(f->h, f->b.gpa[i]), f->b.len[i] };
		memset(f->iov[i].iov_base, (int)(i * 37 + 1), f->iov[i].iov_len);
	}
	req_create_2d(&r, 1, VGM_GPU_FORMAT_B8G8R8X8_UNORM, w, hgt);
	expect_nodata(f->h, &r);
	req_attach_backing(&r, 1, &f->b);
	expect_nodata(f->h, &r);
	f->lib_pixels = shown_pixels(f);
	f->pages_dst = bench_map(f->bytes);
	f->contig_src = bench_map(f->bytes);
	f->contig_dst = bench_map(f->bytes);
	f->qemu_dst = memfd_map(f->bytes);
	memset(f->contig_src, 2, f->bytes);
	build_loads(f);
}

static void frame_fini(struct frame *f)
{
	for (int k = 0; k < NSHAPES; k++) {
		for (size_t i = 0; i < f->loads[k].nrects; i++)
			req_free(&f->loads[k].reqs[i]);
		free(f->loads[k].reqs);
		free(f->loads[k].rects);
		free(f->loads[k].chunks);
	}
	free(f->iov);
	bench_unmap(f->pages_dst, f->bytes);
	bench_unmap(f->contig_src, f->bytes);
	bench_unmap(f->contig_dst, f->bytes);
	munmap(f->qemu_dst, f->bytes);
	backing_free(&f->b);
	harness_free(f->h);
}

/* ---- one size: measuring ---------------------------------------------------------- */

#define NJOBS (NSHAPES * NPEERS + NCONTIG)

struct run {
	struct job jobs[NJOBS];
	struct bench_op ops[2][NJOBS]; /* [state][job] */
	int reps;
};

static void make_ops(struct frame *f, struct run *run)
{
	size_t n = 0;

	for (int s = 0; s < NSHAPES; s++) {
		for (int p = 0; p < NPEERS; p++)
			run->jobs[n++] = (struct job){ f, s, p };
	}
	for (int c = 0; c < NCONTIG; c++)
		run->jobs[n++] = (struct job){ f, FULL, NPEERS + c };
	for (int st = 0; st < 2; st++) {
		for (size_t i = 0; i < NJOBS; i++)
			run->ops[st][i] = (struct bench_op){
				.name = "",
				.run = job_run,
				.evict = job_evict,
				.arg = &run->jobs[i],
				.state = (enum bench_state)st,
			};
	}
}

static const double *times(const struct run *run, int st, int shape, int peer)
{
	return run->ops[st][shape * NPEERS + peer].t;
}

static const double *contig_times(const struct run *run, int st, int c)
{
	return run->ops[st][NSHAPES * NPEERS + c].t;
}

/* ---- one size: reporting ---------------------------------------------------------- */

/* Bandwidth of each repetition, in GB/s. */
static struct bench_stat gbps(const double *t, int reps, uint64_t bytes)
{
	double v[256];

	for (int r = 0; r < reps; r++)
		v[r] = (double)bytes / t[r] / 1e9;
	return bench_stat_of(v, (size_t)reps);
}

static void print_gbps(const double *t, int reps, uint64_t bytes)
{
	struct bench_stat s = gbps(t, reps, bytes);

	printf(" %6.2f (%5.2f-%5.2f)", s.median, s.min, s.max);
}

static double best(const double *t, int reps)
{
	return bench_stat_of(t, (size_t)reps).min;
}

static void print_table(const struct frame *f, const struct run *run, int st)
{
	printf("  %s state, GB/s: median (min-max) of %d\n", state_names[st], run->reps);
	printf("    %-17s %-21s %-21s %-21s\n", "", peer_names[LIB], peer_names[PAGES],
	       peer_names[QEMU]);
	for (int s = 0; s < NSHAPES; s++) {
		printf("    %-17s", shape_names[s]);
		for (int p = 0; p < NPEERS; p++)
			print_gbps(times(run, st, s, p), run->reps, f->loads[s].bytes);
		printf("   (%zu requests)\n", f->loads[s].nrects);
	}
	printf("    contiguous, %.1f MB:", (double)f->bytes / 1e6);
	for (int c = 0; c < NCONTIG; c++) {
		printf(" %s", contig_names[c]);
		print_gbps(contig_times(run, st, c), run->reps, f->bytes);
	}
	printf("\n");
}

/* The fastest contiguous copy of each repetition. */
static void fastest_contig(const struct run *run, int st, double *out)
{
	for (int r = 0; r < run->reps; r++) {
		out[r] = contig_times(run, st, 0)[r];
		for (int c = 1; c < NCONTIG; c++) {
			if (contig_times(run, st, c)[r] < out[r])
				out[r] = contig_times(run, st, c)[r];
		}
	}
}

/* One ratio a / b (times: "b is a/b times as fast"), per repetition, with
 * the absolute figures, best-of beside, the evicted state beside, and the
 * verdict against target (0: none). */
struct ratio {
	const char *what;
	const char *name_a, *name_b;
	const double *a[2], *b[2]; /* [state] */
	uint64_t bytes;
	double target;
};

static void print_ratio(const struct run *run, const struct ratio *q)
{
	struct bench_stat s = bench_ratio_of(q->a[0], q->b[0], (size_t)run->reps);
	struct bench_stat e = bench_ratio_of(q->a[1], q->b[1], (size_t)run->reps);
	struct bench_stat ga = gbps(q->a[0], run->reps, q->bytes);
	struct bench_stat gb = gbps(q->b[0], run->reps, q->bytes);

	printf("    %-50s %5.2fx (%5.2f-%5.2f): %s %.2f GB/s, %s %.2f GB/s; best-of %.2fx;"
	       " evicted %.2fx (%.2f-%.2f)",
	       q->what, s.median, s.min, s.max, q->name_b, gb.median, q->name_a, ga.median,
	       best(q->a[0], run->reps) / best(q->b[0], run->reps), e.median, e.min, e.max);
	if (q->target > 0)
		printf("  [target %.2f: %s]", q->target, s.median >= q->target ? "met" : "MISSED");
	printf("\n");
}

/* The targets: QEMU's algorithm at least as slow as the library at 4K and
 * 8K, 0.95x at 1080p; tiles at least 0.8x memcpy of the same pages. */
static double target(const struct frame *f, int peer, int shape)
{
	if (peer == QEMU)
		return f->w >= 3840 ? 1.0 : 0.95;
	return shape == TILES ? 0.8 : 0;
}

/* A peer's time over the library's, at every shape. */
static void peer_ratios(const struct frame *f, const struct run *run, int peer, const char *label,
			const char *name)
{
	char what[96];

	for (int s = 0; s < NSHAPES; s++) {
		struct ratio q = {
			.what = what,
			.name_a = name,
			.name_b = "library",
			.a = { times(run, 0, s, peer), times(run, 1, s, peer) },
			.b = { times(run, 0, s, LIB), times(run, 1, s, LIB) },
			.bytes = f->loads[s].bytes,
			.target = target(f, peer, s),
		};

		snprintf(what, sizeof(what), "%s / library time, %s", label, shape_names[s]);
		print_ratio(run, &q);
	}
}

static void report(const struct frame *f, const struct run *run)
{
	double fast[2][256];

	print_table(f, run, 0);
	print_table(f, run, 1);
	printf("  ratios, steady state: median (min-max) of per-repetition ratios\n");
	peer_ratios(f, run, QEMU, "QEMU", "QEMU");
	peer_ratios(f, run, PAGES, "memcpy same pages", "memcpy");
	fastest_contig(run, 0, fast[0]);
	fastest_contig(run, 1, fast[1]);
	{
		struct ratio q = {
			.what = "fastest contiguous / library time, full frame",
			.name_a = "contiguous",
			.name_b = "library",
			.a = { fast[0], fast[1] },
			.b = { times(run, 0, FULL, LIB), times(run, 1, FULL, LIB) },
			.bytes = f->bytes,
			.target = f->w == 3840 ? 0.6 : 0,
		};

		print_ratio(run, &q);
	}
}

static void run_size(uint32_t w, uint32_t hgt, int reps, struct bench_rng *rng)
{
	struct frame f;
	struct run run = { .reps = reps };

	frame_init(&f, w, hgt, rng);
	printf("%ux%u XRGB, %u pages of 4 KiB in a seeded random order, %d repetitions\n", w, hgt,
	       f.b.n, reps);
	bench_print_load("before");
	make_ops(&f, &run);
	bench_interleave(&run.ops[0][0], 2 * NJOBS, reps, rng);
	bench_print_load("after");
	/* Every peer copied the same frame by the same rule. */
	if (memcmp(f.lib_pixels, f.pages_dst, f.bytes) || memcmp(f.lib_pixels, f.qemu_dst, f.bytes)) {
		fprintf(stderr, "bench: the peers' frames differ\n");
		exit(1);
	}
	report(&f, &run);
	bench_ops_free(&run.ops[0][0], 2 * NJOBS);
	frame_fini(&f);
}

int main(int argc, char **argv)
{
	int reps = bench_reps(11);
	bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
	unsigned only_w = 0, only_h = 0;
	struct bench_rng rng;

	/* --size WxH: one size alone (to study one shape); 3 pixels at least
	 * each way, for the 1 px inset. */
	if (argc > 1 && strcmp(argv[1], "--size") == 0 &&
	    (argc < 3 || sscanf(argv[2], "%ux%u", &only_w, &only_h) != 2 || only_w < 3 ||
	     only_h < 3 || only_w > 16384 || only_h > 16384)) {
		fprintf(stderr, "usage: bench-transfer [--quick | --size WxH], 3x3 to 16384x16384\n");
		return 2;
	}

	if (reps > 256)
		reps = 256;
	bench_rng_init(&rng, bench_seed());
	printf("TRANSFER_TO_HOST_2D (seed %llu; targets: QEMU/library >= 1 at 4K and 8K, >= 0.95"
	       " at 1080p; 4K full frame >= 0.6x the fastest contiguous copy; tiles >= 0.8x"
	       " memcpy of the same pages)\n",
	       (unsigned long long)bench_seed());
	if (only_w) {
		run_size(only_w, only_h, reps, &rng);
		return 0;
	}
	run_size(1920, 1080, reps, &rng);
	run_size(3840, 2160, reps, &rng);
	if (!quick)
		run_size(7680, 4320, reps, &rng);
	return 0;
}
