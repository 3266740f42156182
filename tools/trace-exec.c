/* SPDX-License-Identifier: MIT */
/*
 * Runs trace operations against a device: the guest RAM lines fill the fake
 * RAM, requests go through vgm_device_submit() as descriptor chains (each
 * element in its own heap block, so a read past one is a sanitizer error),
 * dumps read the scanout as PPM.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace-private.h"

static int translate(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map)
{
	return ram_translate(&((struct trace_exec *)host)->ram, gpa, len, map);
}

int trace_exec_new(const struct trace_exec_opts *opts, struct trace_exec **out)
{
	struct trace_exec *x;

	if (!opts || !out)
		return -EINVAL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->opts = *opts;
	ram_init(&x->ram);
	trace_device_defaults(&x->cfg);
	x->ops.size = sizeof(x->ops);
	x->ops.translate = translate;
	print_install(&x->ops);
	*out = x;
	return 0;
}

static void free_edids(struct trace_device *d)
{
	for (size_t i = 0; i < ARRAY_SIZE(d->edid); i++) {
		free(d->edid[i].data);
		d->edid[i] = (struct trace_edid){ 0 };
	}
}

void trace_exec_destroy(struct trace_exec *x)
{
	if (!x)
		return;
	vgm_device_destroy(x->dev);
	free_edids(&x->cfg);
	ram_fini(&x->ram);
	free(x->resp);
	free(x);
}

struct vgm_device *trace_exec_device(const struct trace_exec *x)
{
	return x->dev;
}

/* A device line: the device to make, with copies of its EDIDs (the op
 * may be freed before the device is made). */
static int set_device(struct trace_exec *x, const struct trace_op *op, struct trace_error *err)
{
	struct trace_device d = op->u.device;

	for (size_t i = 0; i < ARRAY_SIZE(d.edid); i++) {
		const struct trace_edid *e = &op->u.device.edid[i];

		d.edid[i] = (struct trace_edid){ 0 };
		if (!e->data)
			continue;
		d.edid[i].data = malloc(e->len);
		if (!d.edid[i].data) {
			free_edids(&d);
			return trace_fail(err, "out of memory");
		}
		memcpy(d.edid[i].data, e->data, e->len);
		d.edid[i].len = e->len;
	}
	free_edids(&x->cfg);
	x->cfg = d;
	x->cfg_line = op->line;
	return 0;
}

/* The device line's EDIDs, given to the library. The parser asked the
 * library already; a refusal here is an op that did not come from it. */
static int set_edids(struct trace_exec *x, struct trace_error *err)
{
	const struct trace_device *d = &x->cfg;

	for (uint32_t i = 0; i < VGM_MAX_SCANOUTS; i++) {
		int ret;

		if (!d->edid[i].data)
			continue;
		ret = vgm_device_set_edid(x->dev, i, d->edid[i].data, d->edid[i].len);
		if (ret == -EINVAL)
			return trace_fail(err, "device: edid=%u:...: the library refuses this EDID", i);
		if (ret < 0)
			return trace_fail(err, "device: edid=%u:...: vgm_device_set_edid: %s", i,
					  strerror(-ret));
	}
	return 0;
}

/* The device of the device line (saveable for --save-restore). */
static int new_device(struct trace_exec *x, struct vgm_device **dev)
{
	const struct trace_device *d = &x->cfg;
	struct vgm_device_config cfg = {
		.size = sizeof(cfg),
		.dialect = d->dialect,
		.features = VGM_FEATURES_ALL,
		.num_scanouts = d->num_scanouts,
		.max_host_memory = d->hostmem,
		.max_backing_entries = d->max_entries,
		.max_resources = d->max_resources,
		.max_regions = d->max_regions,
		.renderer = d->renderer,
		.ops = &x->ops,
		.host = x,
		.flags = x->opts.save_restore ? VGM_DEVICE_SAVEABLE : 0,
	};

	memcpy(cfg.scanouts, d->scanouts, sizeof(cfg.scanouts));
	return vgm_device_new(&cfg, dev);
}

static int make_device(struct trace_exec *x, struct trace_error *err)
{
	const struct trace_device *d = &x->cfg;
	uint64_t offered;
	int ret;

	err->line = x->cfg_line;
	ret = new_device(x, &x->dev);
	if (ret < 0)
		return trace_fail(err, "vgm_device_new: %s", strerror(-ret));
	vgm_device_get_features(x->dev, &offered);
	/* Bits 24 and up are transport features, which the library ignores. */
	if ((d->have_features && (d->features & ~offered & ((1ull << 24) - 1))) ||
	    vgm_device_set_features(x->dev, d->have_features ? d->features : offered) < 0) {
		trace_fail(err,
			   "device: features=0x%llx has bits the library does not offer "
			   "in this dialect (it offers 0x%llx)",
			   (unsigned long long)d->features, (unsigned long long)offered);
		ret = -1;
	} else {
		ret = set_edids(x, err);
	}
	if (ret < 0) {
		vgm_device_destroy(x->dev);
		x->dev = NULL;
	}
	return ret;
}

static int need_device(struct trace_exec *x, struct trace_error *err)
{
	return x->dev ? 0 : make_device(x, err);
}

/* ---- --save-restore ----------------------------------------------------------- */

/* Runs vgm_device_resume() with its lines marked "resume " (they restate
 * what the host was shown; a plain replay has none). */
static int resume_marked(struct trace_exec *x)
{
	FILE *real = x->opts.out;
	char *text = NULL, *line, *next;
	size_t len = 0;
	int ret;

	x->opts.out = real ? open_memstream(&text, &len) : NULL;
	if (real && !x->opts.out) {
		x->opts.out = real;
		return -ENOMEM;
	}
	ret = vgm_device_resume(x->dev);
	if (!real)
		return ret;
	fclose(x->opts.out);
	x->opts.out = real;
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		fprintf(real, "resume %.*s", (int)(next - line), line);
	}
	free(text);
	return ret;
}

/* The state saved after the request of line, for vgm-replay --save-states. */
static int write_state(struct trace_exec *x, unsigned long line, const uint8_t *buf,
		       size_t len, struct trace_error *err)
{
	char path[4096];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s%lu.bin", x->opts.state_prefix, line);
	f = fopen(path, "wb");
	ok = f && fwrite(buf, 1, len, f) == len;
	if (f && fclose(f) != 0)
		ok = false;
	return ok ? 0 : trace_fail(err, "%s: cannot write the state", path);
}

/* Saves the device, destroys it, makes a new one, loads the state, moves
 * guest RAM to new host addresses (the old ones fault) and resumes. */
static int save_restore(struct trace_exec *x, unsigned long line, struct trace_error *err)
{
	size_t len = 0, written = 0;
	uint8_t *buf;
	int ret = vgm_device_save_size(x->dev, &len);

	if (ret < 0)
		return trace_fail(err, "vgm_device_save_size: %s", strerror(-ret));
	buf = malloc(len);
	if (!buf)
		return trace_fail(err, "out of memory");
	ret = vgm_device_save(x->dev, buf, len, &written);
	if (ret == 0 && x->opts.state_prefix && write_state(x, line, buf, written, err) < 0) {
		free(buf);
		return -1;
	}
	vgm_device_destroy(x->dev);
	x->dev = NULL;
	if (ret == 0)
		ret = new_device(x, &x->dev);
	if (ret == 0)
		ret = vgm_device_load(x->dev, buf, written);
	free(buf);
	if (ret == 0)
		ret = ram_move(&x->ram);
	if (ret == 0)
		ret = resume_marked(x);
	if (ret < 0)
		return trace_fail(err, "--save-restore: %s", strerror(-ret));
	return 0;
}

/* ---- requests --------------------------------------------------------------- */

struct chain {
	struct iovec *in;
	struct iovec out[TRACE_MAX_RESP];
	size_t in_cnt, out_cnt;
};

static void free_chain(struct chain *c)
{
	for (size_t i = 0; i < c->in_cnt; i++)
		free(c->in[i].iov_base);
	for (size_t i = 0; i < c->out_cnt; i++)
		free(c->out[i].iov_base);
	free(c->in);
}

static bool add_iov(struct iovec *iov, size_t *cnt, const void *src, size_t len)
{
	void *p = malloc(len ? len : 1);

	if (!p)
		return false;
	if (src)
		memcpy(p, src, len);
	else
		memset(p, 0xa5, len);
	iov[*cnt] = (struct iovec){ p, len };
	(*cnt)++;
	return true;
}

/* One element per descriptor between the boundaries; empty bytes: none. */
static int build_chain(const struct trace_request *req, struct chain *c, struct trace_error *err)
{
	size_t start = 0;

	c->in = calloc(req->ncuts + 1, sizeof(*c->in));
	if (!c->in)
		return trace_fail(err, "out of memory");
	for (size_t i = 0; req->len && i <= req->ncuts; i++) {
		size_t end = i < req->ncuts ? req->cuts[i] : req->len;

		if (!add_iov(c->in, &c->in_cnt, req->data + start, end - start))
			return trace_fail(err, "out of memory");
		start = end;
	}
	for (size_t i = 0; i < req->nresp; i++) {
		if (!add_iov(c->out, &c->out_cnt, NULL, req->resp[i]))
			return trace_fail(err, "out of memory");
	}
	return 0;
}

/* The written bytes of the writable elements, in one piece. */
static int gather(struct trace_exec *x, const struct chain *c, size_t written,
		  struct trace_error *err)
{
	size_t done = 0;

	if (written > x->resp_cap) {
		uint8_t *p = realloc(x->resp, written);

		if (!p)
			return trace_fail(err, "out of memory");
		x->resp = p;
		x->resp_cap = written;
	}
	for (size_t i = 0; i < c->out_cnt && done < written; i++) {
		size_t n = c->out[i].iov_len < written - done ? c->out[i].iov_len : written - done;

		memcpy(x->resp + done, c->out[i].iov_base, n);
		done += n;
	}
	return 0;
}

static int run_request(struct trace_exec *x, const struct trace_op *op, struct trace_error *err)
{
	bool ctrl = op->kind == TRACE_CTRL;
	struct chain c = { 0 };
	size_t written = 0;
	int ret = -1;

	if (build_chain(&op->u.req, &c, err) < 0)
		goto out;
	if (vgm_device_submit(x->dev, ctrl ? VGM_QUEUE_CONTROL : VGM_QUEUE_CURSOR, c.in, c.in_cnt,
			      c.out, c.out_cnt, &written) < 0) {
		trace_fail(err, "vgm_device_submit failed");
		goto out;
	}
	if (gather(x, &c, written, err) < 0)
		goto out;
	if (ctrl)
		print_ctrl(x, x->resp, written, op->u.req.host_dependent);
	print_note(x, op, x->resp, written);
	if (x->opts.after)
		x->opts.after(x->opts.ctx, x->dev, op, ctrl ? x->resp : NULL, written);
	ret = x->opts.save_restore ? save_restore(x, op->line, err) : 0;
out:
	free_chain(&c);
	return ret;
}

/* ---- dumps ----------------------------------------------------------------------- */

static int write_ppm(FILE *f, const char *shown, const uint8_t *rgb, uint32_t w, uint32_t h,
		     size_t stride, struct trace_error *err)
{
	bool ok = fprintf(f, "P6\n%u %u\n255\n", w, h) > 0;

	for (uint32_t y = 0; ok && y < h; y++)
		ok = fwrite(rgb + y * stride, 3, w, f) == w;
	if (fclose(f) != 0 || !ok)
		return trace_fail(err, "dump: cannot write %s", shown);
	return 0;
}

/* Whether a dump path stays below the dump directory: relative, and no
 * ".." component. A trace is untrusted input: its dump lines must not
 * write anywhere the user can. */
static bool path_confined(const char *path)
{
	const char *s = path;

	if (*s == '/')
		return false;
	while (*s) {
		size_t n = strcspn(s, "/");

		if (n == 2 && s[0] == '.' && s[1] == '.')
			return false;
		s += n;
		s += strspn(s, "/");
	}
	return true;
}

/* Opens the next component below the directory fd at (which it closes):
 * a directory, or the dump file. O_NOFOLLOW throughout: a symbolic link
 * in the dump directory cannot send a dump elsewhere either. -errno. */
static int open_step(int at, const char *name, bool last)
{
	int flags = last ? O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK : O_RDONLY | O_DIRECTORY;
	int fd = openat(at, name, flags | O_NOFOLLOW | O_CLOEXEC, 0666);
	int ret = fd < 0 ? -errno : fd;
	struct stat st;

	/* O_DIRECTORY says ENOTDIR for a link: say what it is. */
	if (ret == -ENOTDIR && fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		ret = -ELOOP;
	close(at);
	return ret;
}

/* Opens path below dir (NULL: the current directory) for writing: a
 * regular file, made or truncated. Returns the fd or -errno. */
static int open_below(const char *dir, const char *path)
{
	char *copy = strdup(path), *name, *slash;
	struct stat st;
	int fd;

	if (!copy)
		return -ENOMEM;
	fd = open(dir ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	for (name = copy; fd >= 0 && (slash = strchr(name, '/')); name = slash + 1) {
		*slash = '\0';
		if (*name && strcmp(name, ".") != 0)
			fd = open_step(fd, name, false);
	}
	if (fd >= 0 && !*name) {
		close(fd);
		fd = -EISDIR; /* the path ends in '/' */
	} else if (fd >= 0) {
		fd = open_step(fd, name, true);
	}
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -EINVAL;
	}
	free(copy);
	return fd;
}

/* The dump file: below the dump directory, or with dump_anywhere where
 * the path says (shown: it joined with the directory). fd or -errno. */
static int open_dump(const struct trace_exec *x, const char *path, const char *shown)
{
	int fd;

	if (!x->opts.dump_anywhere)
		return open_below(x->opts.dump_dir, path);
	fd = open(shown, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	return fd < 0 ? -errno : fd;
}

static int save(struct trace_exec *x, const char *path, const uint8_t *rgb, uint32_t w,
		uint32_t h, size_t stride, struct trace_error *err)
{
	const char *dir = x->opts.dump_dir, *shown = path;
	char *full = NULL;
	FILE *f = NULL;
	int fd, ret;

	if (!x->opts.write_dumps)
		return 0;
	if (dir && path[0] != '/') {
		if (asprintf(&full, "%s/%s", dir, path) < 0)
			return trace_fail(err, "out of memory");
		shown = full;
	}
	fd = open_dump(x, path, shown);
	if (fd >= 0 && !(f = fdopen(fd, "wb"))) {
		close(fd);
		fd = -ENOMEM;
	}
	if (fd < 0)
		ret = trace_fail(err, "dump: cannot create %s: %s", shown,
				 fd == -ELOOP	 ? "a symbolic link on the way"
				 : fd == -EINVAL ? "not a regular file"
						 : strerror(-fd));
	else
		ret = write_ppm(f, shown, rgb, w, h, stride, err);
	free(full);
	return ret;
}

static int run_dump(struct trace_exec *x, const struct trace_op *op, struct trace_error *err)
{
	struct dump d;
	int ret;

	/* Whether or not this dump writes a file: the same trace fails the
	 * same way when the scanout is off. */
	if (!x->opts.dump_anywhere && !path_confined(op->u.dump.path))
		return trace_fail(err,
				  "dump: %s is not below the dump directory (an absolute path "
				  "or '..'; vgm-replay --dump-anywhere allows it)",
				  op->u.dump.path);
	if (dump_read(x->dev, op->u.dump.scanout, &d, err) < 0)
		return -1;
	ret = d.off ? 0 : save(x, op->u.dump.path, d.rgb, d.width, d.height, d.stride, err);
	if (ret == 0 && x->opts.out)
		dump_line(x->opts.out, op->u.dump.scanout, &d, op->u.dump.path);
	dump_fini(&d);
	return ret;
}

/* ---- operations ---------------------------------------------------------------- */

static int run_ram(struct trace_exec *x, const struct trace_op *op, struct trace_error *err)
{
	int ret = ram_add(&x->ram, op->u.ram.gpa, op->u.ram.size);

	if (ret == -EEXIST)
		return trace_fail(err, "ram: overlaps an earlier range");
	if (ret < 0)
		return trace_fail(err, "ram: cannot map 0x%llx bytes: %s",
				  (unsigned long long)op->u.ram.size, strerror(-ret));
	return 0;
}

static int run_store(struct trace_exec *x, const struct trace_op *op, struct trace_error *err)
{
	bool fill = op->kind == TRACE_FILL;
	uint64_t gpa = fill ? op->u.fill.gpa : op->u.write.gpa;
	uint64_t len = fill ? op->u.fill.len : op->u.write.len;
	uint8_t *p = ram_span(&x->ram, gpa, len);

	if (!p)
		return trace_fail(err, "%s: 0x%llx +0x%llx is not inside one ram range",
				  fill ? "fill" : "write", (unsigned long long)gpa,
				  (unsigned long long)len);
	if (fill)
		memset(p, op->u.fill.byte, (size_t)len);
	else
		memcpy(p, op->u.write.data, (size_t)len);
	return 0;
}

int trace_exec_op(struct trace_exec *x, const struct trace_op *op, struct trace_error *err)
{
	err->line = op->line;
	switch (op->kind) {
	case TRACE_NONE:
		return 0;
	case TRACE_DEVICE:
		if (x->dev)
			return trace_fail(err, "device after the device was made");
		return set_device(x, op, err);
	case TRACE_RAM:
		return run_ram(x, op, err);
	case TRACE_WRITE:
	case TRACE_FILL:
		return run_store(x, op, err);
	case TRACE_CTRL:
	case TRACE_CURSOR:
		return need_device(x, err) < 0 ? -1 : run_request(x, op, err);
	case TRACE_DUMP:
		return need_device(x, err) < 0 ? -1 : run_dump(x, op, err);
	}
	return trace_fail(err, "unknown operation %d", (int)op->kind);
}

int trace_exec_trace(struct trace_exec *x, const struct trace *t, struct trace_error *err)
{
	for (size_t i = 0; i < t->n; i++) {
		if (trace_exec_op(x, &t->ops[i], err) < 0)
			return -1;
	}
	return 0;
}
