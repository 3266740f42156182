/* SPDX-License-Identifier: MIT */
/*
 * What the two files of --record share: the recorder (recorder.c: the
 * device line, EDIDs, requests and responses, the file) and its guest
 * memory (recorder-memory.c: the pages it tracks and their shadows, what
 * of a request the library reads, the device's own writes, ram lines).
 */
#ifndef VUGPU_RECORDER_PRIVATE_H
#define VUGPU_RECORDER_PRIVATE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "recorder.h"
#include "trace.h"
#include "util/util.h"

#define PAGE 4096u
/* Tracked pages at most (their shadows take as much host memory). */
#define MAX_PAGES (1u << 16)
/* Pages looked at for one request, in guest memory or not. */
#define MAX_STEPS (1u << 20)
/* The library's limit of entries in one request (the backend's device
 * has the default). */
#define MAX_ENTRIES VGM_DEFAULT_MAX_BACKING_ENTRIES
/* The most bytes of commands a SUBMIT_3D has that the library reads
 * (lib/cmd/submit3d.c refuses more unread). */
#define MAX_SUBMIT (1u << 20)
/* Up to GAP unchanged bytes do not end a run of changed ones. */
#define GAP 8u

struct page {
	uint64_t pfn;
	uint8_t *shadow;
};

/*
 * The EDID of a scanout. The device line gives one per scanout: the first
 * QEMU gave the library, or none (the library's own) when a GET_EDID was
 * answered before QEMU gave one. settled: that choice is made. same: the
 * EDID the library has now is the device line's, so GET_EDID replays the
 * same; after QEMU gave another, its answers are "# recorded:".
 */
struct scanout_edid {
	uint8_t *bytes; /* NULL: the library's own */
	size_t len;
	bool settled, same;
};

/* A memory entry of a resource's backing (ATTACH_BACKING, accepted). */
struct backing_entry {
	uint32_t res;
	uint64_t addr, len;
};

struct recorder {
	struct gpu *g;
	struct backing_entry *backings;
	size_t nbackings, backings_cap;
	bool virgl; /* renderer=virgl: capset answers are hostdep */
	/* --virgl: requests the library keeps in flight, by the tag the
	 * backend gave it (their writable elements are guest memory kept
	 * mapped until it answers them) */
	struct text_later_list later;
	FILE *file; /* written at close */
	FILE *body; /* the lines after the ram lines, a temporary file */
	bool started, stopped, display_changed, pages_full;
	/* The device line (its EDIDs are added at the end), and the scanouts
	 * at the first request, whole. */
	struct trace_device device;
	struct vgm_scanout_info first[VGM_MAX_SCANOUTS];

	struct page *pages; /* sorted by pfn */
	size_t npages, pages_cap;
	uint64_t *pending; /* pfns named since the last merge */
	size_t npending, pending_cap;

	/* The request being run: the bytes of it the library can read, where
	 * their pieces end; and how much the chain had (readable bytes,
	 * nonempty descriptors), for when it had more. Then its response. */
	uint8_t *req;
	size_t req_len, req_cap;
	size_t *ends;
	size_t nends, ends_cap;
	uint64_t chain_bytes;
	size_t chain_pieces;
	uint8_t *resp;
	size_t resp_cap;

	struct scanout_edid edid[VGM_MAX_SCANOUTS];

	char *dumps; /* dump lines, made when the recording ends */
	size_t dumps_len;
	unsigned long requests;
	uint64_t written_bytes;
};

/* The type of the request being run, 0 when it is shorter than one. */
static inline uint32_t request_type(const struct recorder *r)
{
	return r->req_len >= 4 ? le32(r->req) : 0;
}

/* *arr (*cap elements of elem bytes) grown to hold need; false when out
 * of memory (*arr unchanged). */
static inline bool grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return true;
	while (n < need)
		n *= 2;
	p = realloc(*arr, n * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = n;
	return true;
}

/* recorder-memory.c */

/* Tracks the pages the memory entries of the ctrl request in r->req (of
 * type) name. */
void memory_track_entries(struct recorder *r, uint32_t type);
/* After the device ran the ctrl request in r->req (resp_type: its
 * response's type, 0 while it is in flight): backings learnt or forgotten,
 * and the pages the device wrote (TRANSFER_FROM_HOST_3D) taken as the
 * trace's. */
void memory_device_wrote(struct recorder *r, uint32_t resp_type);
/* Writes the tracked pages' changes into the trace (r->body). */
void memory_sync(struct recorder *r);
/* Whether a request of the queue and type may read guest memory through
 * a backing. */
bool memory_may_read(enum vgm_queue q, uint32_t type);
/* How many of a chain's readable bytes the library can read. */
size_t memory_readable_limit(struct recorder *r, const struct iovec *in, size_t in_cnt);
/* The ram lines of the tracked pages. */
void memory_put_ram(struct recorder *r, FILE *f);

#endif
