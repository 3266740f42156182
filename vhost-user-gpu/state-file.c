/* SPDX-License-Identifier: MIT */
/*
 * The device's saved state in a file (state-file.h): written atomically at
 * exit (a temporary file made at start-up, synced, renamed), read whole at
 * start-up and given to the library, which checks it as hostile input.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "state-file.h"

struct state_file {
	char *path; /* FILE, for the log */
	int dirfd;  /* its directory: renames and removals stay inside */
	char *name, *tmp_name; /* FILE's and the temporary file's names in it */
	int fd;     /* the temporary file; -1 once closed */
	struct sandbox_rule rules[SANDBOX_STATE_RULES];
	struct sandbox_list list;
};

/* Splits path into its directory (opened) and its last component. */
static int open_dir(struct state_file *sf, const char *path)
{
	char *d = strdup(path), *b = strdup(path);
	int err = 0;

	if (!d || !b) {
		err = -ENOMEM;
		goto out;
	}
	sf->name = strdup(basename(b));
	if (!sf->name || asprintf(&sf->tmp_name, ".%s.tmp-%d", sf->name, (int)getpid()) < 0) {
		sf->tmp_name = NULL;
		err = -ENOMEM;
		goto out;
	}
	sf->dirfd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sf->dirfd < 0)
		err = -errno;
out:
	free(d);
	free(b);
	return err;
}

int state_file_open(const char *path, struct state_file **out)
{
	struct state_file *sf = calloc(1, sizeof(*sf));
	int err;

	if (!sf)
		return -ENOMEM;
	sf->dirfd = sf->fd = -1;
	sf->path = strdup(path);
	err = sf->path ? open_dir(sf, path) : -ENOMEM;
	if (err == 0) {
		/* A leftover of a killed run of the same pid goes first.
		 * 0600: the state holds what the guest showed. */
		unlinkat(sf->dirfd, sf->tmp_name, 0);
		sf->fd = openat(sf->dirfd, sf->tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
				0600);
		if (sf->fd < 0)
			err = -errno;
	}
	if (err < 0) {
		log_error("--save-state %s: cannot make its temporary file: %s", path,
			  strerror(-err));
		state_file_destroy(sf);
		return err;
	}
	sandbox_state_list(sf->dirfd, sf->rules, &sf->list);
	*out = sf;
	return 0;
}

const struct sandbox_list *state_file_sandbox(const struct state_file *sf)
{
	return &sf->list;
}

void state_file_abandon(struct state_file *sf)
{
	if (sf->fd < 0)
		return;
	close(sf->fd);
	sf->fd = -1;
	unlinkat(sf->dirfd, sf->tmp_name, 0);
}

void state_file_destroy(struct state_file *sf)
{
	if (!sf)
		return;
	if (sf->dirfd >= 0)
		state_file_abandon(sf);
	if (sf->dirfd >= 0)
		close(sf->dirfd);
	free(sf->path);
	free(sf->name);
	free(sf->tmp_name);
	free(sf);
}

/* The blockers of vgm_device_can_save(), in words. */
static void log_blockers(const struct state_file *sf, uint32_t why)
{
	log_error("--save-state %s: not written, the device cannot be saved:%s%s%s", sf->path,
		  why & VGM_SAVE_BLOCKED_NOT_SAVEABLE ? " it was not created saveable" : "",
		  why & VGM_SAVE_BLOCKED_IN_FLIGHT ? " requests are in flight" : "",
		  why & VGM_SAVE_BLOCKED_3D ? " it holds 3D contexts or resources (virglrenderer's "
					      "state cannot be saved)" : "");
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The state into a buffer of the size the library asks for. */
static int save_to_buffer(const struct vgm_device *dev, uint8_t **buf, size_t *len)
{
	size_t size;
	int err = vgm_device_save_size(dev, &size);

	if (err < 0)
		return err;
	*buf = malloc(size);
	if (!*buf)
		return -ENOMEM;
	err = vgm_device_save(dev, *buf, size, len);
	if (err < 0 || *len > size) {
		free(*buf);
		*buf = NULL;
		return err < 0 ? err : -EIO;
	}
	return 0;
}

/* Written, synced, closed (its errors too: NFS reports them there), then
 * renamed over FILE, and the directory synced so that the rename lasts. */
static int write_file(struct state_file *sf, const uint8_t *buf, size_t len)
{
	int fd = sf->fd;
	int err = write_all(fd, buf, len);

	if (err == 0 && fsync(fd) < 0)
		err = -errno;
	sf->fd = -1;
	if (close(fd) < 0 && err == 0)
		err = -errno;
	if (err == 0 && renameat(sf->dirfd, sf->tmp_name, sf->dirfd, sf->name) < 0)
		err = -errno;
	/* FILE is the new state now: a directory that cannot be synced is
	 * worth a warning, not a failure. */
	if (err == 0 && fsync(sf->dirfd) < 0)
		log_warn("--save-state %s: the directory not synced: %s", sf->path, strerror(errno));
	return err;
}

int state_file_commit(struct state_file *sf, const struct vgm_device *dev)
{
	uint32_t why = 0;
	uint8_t *buf = NULL;
	size_t len = 0;
	int err;

	if (vgm_device_can_save(dev, &why) < 0) {
		log_blockers(sf, why);
		state_file_abandon(sf);
		return -EBUSY;
	}
	err = save_to_buffer(dev, &buf, &len);
	if (err == 0)
		err = write_file(sf, buf, len);
	free(buf);
	if (err < 0) {
		log_error("--save-state %s: not written: %s", sf->path, strerror(-err));
		/* The temporary file (closed by write_file()), whatever it
		 * holds, goes; FILE stays as it was. */
		unlinkat(sf->dirfd, sf->tmp_name, 0);
		return -EIO;
	}
	log_info("--save-state %s: %zu bytes written", sf->path, len);
	return 0;
}

/* The whole regular file at path, at most STATE_FILE_MAX bytes. */
static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	ssize_t n = 0;
	size_t got = 0;
	int err = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		err = -errno;
	else if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > STATE_FILE_MAX)
		err = -EINVAL;
	else if (!(*buf = malloc(st.st_size ? (size_t)st.st_size : 1)))
		err = -ENOMEM;
	while (err == 0 && got < (size_t)st.st_size) {
		n = read(fd, *buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			err = n < 0 ? -errno : -EIO; /* it shrank while read */
		else
			got += (size_t)n;
	}
	close(fd);
	if (err < 0) {
		free(*buf);
		*buf = NULL;
	}
	*len = got;
	return err;
}

int state_file_load(const char *path, struct gpu *g)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int err = read_file(path, &buf, &len);

	if (err == -EINVAL)
		log_error("--load-state %s: not a regular file of at most %llu bytes", path,
			  (unsigned long long)STATE_FILE_MAX);
	else if (err < 0)
		log_error("--load-state %s: %s", path, strerror(-err));
	if (err == 0) {
		/* The library logs which section and field it refuses. */
		err = gpu_load_state(g, buf, len);
		if (err < 0)
			log_error("--load-state %s: refused (%s)", path, strerror(-err));
		else
			log_info("--load-state %s: %zu bytes loaded", path, len);
	}
	free(buf);
	return err;
}
