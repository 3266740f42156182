/* SPDX-License-Identifier: MIT */
/*
 * --record's guest memory. Guest pages are tracked from the memory entries
 * requests name; each tracked page has a shadow, the bytes the trace has
 * put there, and before a request that may read them the pages that
 * differ from their shadow are written into the trace.
 */
#include <string.h>

#include "fields.h"
#include "iovec.h"
#include "recorder-private.h"

/* --- tracked pages ------------------------------------------------------ */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The first tracked page at pfn or after it (npages: none). */
static size_t first_page(const struct recorder *r, uint64_t pfn)
{
	size_t lo = 0, hi = r->npages;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->pages[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool tracked(const struct recorder *r, uint64_t pfn)
{
	size_t k = first_page(r, pfn);

	return k < r->npages && r->pages[k].pfn == pfn;
}

/* The pending pfns join the tracked pages (sorted), with zeroed shadows:
 * the replay's RAM starts zeroed. */
static void merge_pending(struct recorder *r)
{
	size_t n = 0, i, j, k;

	if (!r->npending)
		return;
	qsort(r->pending, r->npending, sizeof(*r->pending), cmp_u64);
	for (i = 0; i < r->npending; i++) { /* unique, and not tracked yet */
		if ((n && r->pending[n - 1] == r->pending[i]) || tracked(r, r->pending[i]))
			continue;
		r->pending[n++] = r->pending[i];
	}
	r->npending = 0;
	if (!grow((void **)&r->pages, &r->pages_cap, r->npages + n, sizeof(*r->pages)))
		n = 0;
	/* Merge from the back, in place. */
	i = r->npages;
	j = n;
	k = r->npages + n;
	while (j > 0) {
		if (i > 0 && r->pages[i - 1].pfn > r->pending[j - 1]) {
			r->pages[--k] = r->pages[--i];
			continue;
		}
		r->pages[--k] = (struct page){ .pfn = r->pending[--j], .shadow = calloc(1, PAGE) };
		if (!r->pages[k].shadow)
			abort(); /* 4 KiB, at most MAX_PAGES times */
	}
	r->npages += n;
}

/* Tracks the guest pages of [addr, addr + len) that are in guest memory.
 * *steps bounds the pages looked at for one request. */
static void track_range(struct recorder *r, uint64_t addr, uint64_t len, uint32_t *steps)
{
	uint64_t pfn, last;

	if (!len || addr + len < addr)
		return;
	pfn = addr / PAGE;
	last = (addr + len - 1) / PAGE;
	for (; pfn <= last && *steps < MAX_STEPS; pfn++, (*steps)++) {
		uint64_t contig;

		if (!gpu_guest_bytes(r->g, pfn * PAGE, PAGE, &contig) || contig < PAGE)
			continue;
		if (r->npages + r->npending >= MAX_PAGES ||
		    !grow((void **)&r->pending, &r->pending_cap, r->npending + 1,
			  sizeof(*r->pending))) {
			r->pages_full = true;
			return;
		}
		r->pending[r->npending++] = pfn;
	}
}

/*
 * Where the memory entries of a request are, from the library's wire table:
 * after the fixed part of a command whose trailer is records (RESOURCE_
 * ATTACH_BACKING, RESOURCE_CREATE_BLOB, MEMORY_CREATE), as many as its
 * field flagged VGM_WIRE_COUNT says, each with its "addr" and "length".
 */
struct entries {
	const struct vgm_wire_layout *req;
	const struct vgm_wire_field *count, *addr, *length;
};

static bool entries_of(const struct recorder *r, uint32_t type, struct entries *e)
{
	const struct vgm_wire_layout *l = fields_request(gpu_dialect(r->g), type);

	if (!l || l->trailer != VGM_WIRE_TRAILER_RECORDS)
		return false;
	*e = (struct entries){
		.req = l,
		.count = fields_flagged(l, VGM_WIRE_COUNT),
		.addr = fields_named(l->record, "addr"),
		.length = fields_named(l->record, "length"),
	};
	return e->count != NULL;
}

/* How many entries of a request (the len bytes at p) the library reads:
 * as many as it names, at most MAX_ENTRIES (past that it refuses the
 * request unread). 0 when its fixed part is cut short. */
static uint32_t entries_read(const struct entries *e, const uint8_t *p, size_t len)
{
	uint64_t n;

	if (len < e->req->size || !fields_number(e->count, p, len, &n))
		return 0;
	return n < MAX_ENTRIES ? (uint32_t)n : MAX_ENTRIES;
}

void memory_track_entries(struct recorder *r, uint32_t type)
{
	struct entries e;
	uint32_t steps = 0, n;
	size_t rec, present;

	if (!entries_of(r, type, &e) || !e.addr || !e.length || r->req_len < e.req->size)
		return;
	rec = e.req->record->size;
	present = (r->req_len - e.req->size) / rec;
	n = entries_read(&e, r->req, r->req_len);
	if (n > present)
		n = (uint32_t)present;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = r->req + e.req->size + rec * i;
		uint64_t addr, len;

		if (fields_number(e.addr, p, rec, &addr) && fields_number(e.length, p, rec, &len))
			track_range(r, addr, len, &steps);
	}
	merge_pending(r);
}

/* --- what the device writes into guest memory ---------------------------- */

/*
 * TRANSFER_FROM_HOST_3D writes a resource's pixels into its backing, which
 * the replay's own transfer writes too: those pages' shadows take what
 * the device wrote, so that the next sync does not write them into the
 * trace again (a GL guest reads every frame back: megabytes a frame). The
 * backings are known from the ATTACH_BACKING the device accepted.
 */
static void forget_backing(struct recorder *r, uint32_t res)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nbackings; i++) {
		if (r->backings[i].res != res)
			r->backings[n++] = r->backings[i];
	}
	r->nbackings = n;
}

/* The entries of the ATTACH_BACKING in r->req, accepted. */
static void add_backing(struct recorder *r)
{
	struct entries e;
	uint32_t res, n;
	size_t rec;

	if (!entries_of(r, VGM_GPU_CMD_RESOURCE_ATTACH_BACKING, &e) || !e.addr || !e.length ||
	    !fields_u32(gpu_dialect(r->g), r->req, r->req_len, "resource_id", &res))
		return;
	rec = e.req->record->size;
	n = entries_read(&e, r->req, r->req_len);
	if (n > (r->req_len - e.req->size) / rec)
		return;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = r->req + e.req->size + rec * i;
		struct backing_entry *b;

		if (!grow((void **)&r->backings, &r->backings_cap, r->nbackings + 1,
			  sizeof(*r->backings)))
			return; /* its transfers' bytes are written as guest writes */
		b = &r->backings[r->nbackings++];
		b->res = res;
		fields_number(e.addr, p, rec, &b->addr);
		fields_number(e.length, p, rec, &b->len);
	}
}

/* The tracked pages of resource res's backing: their shadows, what guest
 * memory holds now. At most MAX_PAGES pages a request (entries may
 * overlap): past that, the bytes are written as the guest's. */
static void absorb_backing(struct recorder *r, uint32_t res)
{
	uint32_t steps = 0;

	for (size_t i = 0; i < r->nbackings && steps < MAX_PAGES; i++) {
		const struct backing_entry *b = &r->backings[i];
		uint64_t last = (b->addr + b->len - 1) / PAGE;

		if (b->res != res || !b->len || b->addr + b->len < b->addr)
			continue;
		for (size_t k = first_page(r, b->addr / PAGE);
		     k < r->npages && r->pages[k].pfn <= last && steps < MAX_PAGES; k++, steps++) {
			uint64_t contig;
			const uint8_t *src = gpu_guest_bytes(r->g, r->pages[k].pfn * PAGE, PAGE, &contig);

			if (src && contig >= PAGE)
				memcpy(r->pages[k].shadow, src, PAGE);
		}
	}
}

/* After the device ran the request in r->req (resp_type: its response's
 * type, 0 when it comes later). */
void memory_device_wrote(struct recorder *r, uint32_t resp_type)
{
	uint32_t type = request_type(r), res;

	if (!fields_u32(gpu_dialect(r->g), r->req, r->req_len, "resource_id", &res))
		return;
	if (type == VGM_GPU_CMD_TRANSFER_FROM_HOST_3D)
		absorb_backing(r, res);
	if (resp_type != VGM_GPU_RESP_OK_NODATA)
		return;
	if (type == VGM_GPU_CMD_RESOURCE_DETACH_BACKING || type == VGM_GPU_CMD_RESOURCE_UNREF ||
	    type == VGM_GPU_CMD_RESOURCE_ATTACH_BACKING)
		forget_backing(r, res);
	if (type == VGM_GPU_CMD_RESOURCE_ATTACH_BACKING)
		add_backing(r);
}

/* --- bringing the trace's RAM up to date -------------------------------- */

/* Writes the bytes of one page that differ from its shadow. */
static void sync_page(struct recorder *r, struct page *pg)
{
	uint8_t now[PAGE];
	uint64_t contig;
	const uint8_t *src = gpu_guest_bytes(r->g, pg->pfn * PAGE, PAGE, &contig);
	size_t i = 0;

	if (!src || contig < PAGE)
		return; /* the memory table changed: nothing to read there now */
	memcpy(now, src, PAGE); /* one snapshot: the guest may be writing */
	while (i < PAGE) {
		size_t start, last;

		if (now[i] == pg->shadow[i]) {
			i++;
			continue;
		}
		start = last = i;
		for (i++; i < PAGE && i - last <= GAP; i++) {
			if (now[i] != pg->shadow[i])
				last = i;
		}
		trace_write_memory(r->body, pg->pfn * PAGE + start, now + start, last + 1 - start);
		r->written_bytes += last + 1 - start;
		memcpy(pg->shadow + start, now + start, last + 1 - start);
		i = last + 1;
	}
}

void memory_sync(struct recorder *r)
{
	for (size_t i = 0; i < r->npages; i++) {
		uint64_t contig;
		const uint8_t *src = gpu_guest_bytes(r->g, r->pages[i].pfn * PAGE, PAGE, &contig);

		if (src && contig >= PAGE && memcmp(src, r->pages[i].shadow, PAGE))
			sync_page(r, &r->pages[i]);
	}
}

/* Requests that read guest memory through a backing: transfers, and for
 * blob resources (which show guest memory itself) flushes, scanouts and
 * cursors. Everything not known to read nothing counts. */
bool memory_may_read(enum vgm_queue q, uint32_t type)
{
	if (q == VGM_QUEUE_CURSOR)
		return type != VGM_GPU_CMD_MOVE_CURSOR;
	switch (type) {
	case VGM_GPU_CMD_GET_DISPLAY_INFO:
	case VGM_GPU_CMD_GET_EDID:
	case VGM_GPU_CMD_GET_CAPSET_INFO:
	case VGM_GPU_CMD_GET_CAPSET:
	case VGM_GPU_CMD_RESOURCE_CREATE_2D:
	case VGM_GPU_CMD_RESOURCE_UNREF:
	case VGM_GPU_CMD_RESOURCE_ATTACH_BACKING:
	case VGM_GPU_CMD_RESOURCE_DETACH_BACKING:
		return false;
	case VGM_GPU_CMD_RESOURCE_ASSIGN_UUID: /* MEMORY_CREATE in memory-rfc */
	case VGM_GPU_CMD_RESOURCE_CREATE_BLOB: /* MEMORY_UNREF */
		return false;
	default:
		return true;
	}
}

/* The bytes after the fixed part that its length field names (none for a
 * layout without one), at most MAX_SUBMIT. */
static size_t trailer_bytes(const struct vgm_wire_layout *l, const uint8_t *p, size_t len)
{
	uint64_t n;

	if (!fields_number(fields_flagged(l, VGM_WIRE_LENGTH), p, len, &n))
		return 0;
	return n < MAX_SUBMIT ? (size_t)n : MAX_SUBMIT;
}

/*
 * How much of a request the library can read, from its first bytes and the
 * wire table: the header; for a command of the dialect, its fixed part,
 * then the entries it names (entries_read()) or the bytes its length field
 * says (SUBMIT_3D's commands, at most MAX_SUBMIT). The rest of a chain is
 * never looked at:
 * recording it would cost its size in memory and twice that in the trace
 * (issue 9: 64 descriptors of 8 MiB behind a GET_DISPLAY_INFO took 520 MiB
 * and made a 1 GiB trace).
 */
size_t memory_readable_limit(struct recorder *r, const struct iovec *in, size_t in_cnt)
{
	uint32_t type = iovec_type(in, in_cnt);
	const struct vgm_wire_layout *l = fields_request(gpu_dialect(r->g), type);
	struct entries e;
	size_t n;

	if (!l)
		return sizeof(struct vgm_gpu_ctrl_hdr);
	/* The fixed part goes where copy_request() puts the request next. */
	if (!grow((void **)&r->req, &r->req_cap, l->size, 1))
		return l->size;
	n = iovec_gather(in, in_cnt, r->req, l->size);
	if (l->trailer == VGM_WIRE_TRAILER_BYTES)
		return l->size + trailer_bytes(l, r->req, n);
	if (!entries_of(r, type, &e))
		return l->size;
	return l->size + (size_t)l->record->size * entries_read(&e, r->req, n);
}
/* ram lines: the tracked pages, merged into ranges; past vgm-replay's
 * limit of ranges, the smallest gaps that are guest memory too are closed. */
struct range {
	uint64_t start, end; /* pfns, end exclusive */
};

void memory_put_ram(struct recorder *r, FILE *f)
{
	struct range *rg = malloc((r->npages ? r->npages : 1) * sizeof(*rg));
	size_t n = 0;

	if (!rg) {
		fprintf(f, "# out of memory: no ram lines\n");
		return;
	}
	for (size_t i = 0; i < r->npages; i++) {
		if (n && rg[n - 1].end == r->pages[i].pfn)
			rg[n - 1].end++;
		else
			rg[n++] = (struct range){ r->pages[i].pfn, r->pages[i].pfn + 1 };
	}
	while (n > TRACE_DEFAULT_MAX_RANGES) {
		size_t best = n;
		uint64_t contig;

		for (size_t i = 0; i + 1 < n; i++) {
			uint64_t gap = (rg[i + 1].start - rg[i].end) * PAGE;

			if ((best == n || gap < (rg[best + 1].start - rg[best].end) * PAGE) &&
			    gpu_guest_bytes(r->g, rg[i].end * PAGE, gap, &contig) && contig == gap)
				best = i;
		}
		if (best == n) {
			fprintf(f, "# more than %u ranges of guest memory: vgm-replay refuses this\n",
				TRACE_DEFAULT_MAX_RANGES);
			break;
		}
		rg[best].end = rg[best + 1].end;
		memmove(&rg[best + 1], &rg[best + 2], (n - best - 2) * sizeof(*rg));
		n--;
	}
	for (size_t i = 0; i < n; i++)
		trace_write_ram(f, rg[i].start * PAGE, (rg[i].end - rg[i].start) * PAGE);
	free(rg);
}
