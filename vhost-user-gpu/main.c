/* SPDX-License-Identifier: MIT */
/*
 * vgm-vhost-user-gpu: a vhost-user-gpu back-end (QEMU's -device
 * vhost-user-gpu-pci) built on virtgpu-mem. Command line and start-up
 * follow vhost-user.rst's "Backend program conventions".
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "gpu.h"
#include "guard.h"
#include "log.h"
#include "loop.h"
#include "recorder.h"
#include "sandbox.h"
#include "state-file.h"
#include "vhost-user.h"

struct options {
	const char *socket_path;
	int fd;
	bool print_capabilities;
	const char *record;
	const char *save_state, *load_state;
	enum sandbox_mode sandbox;
	struct gpu_config gpu;
};

/* What the program holds while it runs. */
struct backend {
	struct options opt;
	struct loop *loop;
	struct gpu *gpu;
	struct recorder *rec;
	struct state_file *save; /* --save-state */
	struct vhost_user *vu;
	struct loop_watch listener; /* fd -1 once a front-end connected */
	struct loop_watch signals;
};

enum {
	OPT_LOG_LEVEL = 0x100,
	OPT_NO_EDID,
	OPT_NO_INDIRECT,
	OPT_NO_EVENT_IDX,
	OPT_NO_ZERO_COPY,
	OPT_DIALECT,
	OPT_RECORD,
	OPT_VIRGL,
	OPT_SCANOUTS,
	OPT_NO_SANDBOX,
	OPT_SANDBOX_LOG,
	OPT_SAVE_STATE,
	OPT_LOAD_STATE,
};

static const struct option long_options[] = {
	{ "socket-path", required_argument, NULL, 's' },
	{ "fd", required_argument, NULL, 'f' },
	{ "print-capabilities", no_argument, NULL, 'c' },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "verbose", no_argument, NULL, 'v' },
	{ "no-edid", no_argument, NULL, OPT_NO_EDID },
	{ "no-indirect", no_argument, NULL, OPT_NO_INDIRECT },
	{ "no-event-idx", no_argument, NULL, OPT_NO_EVENT_IDX },
	{ "no-zero-copy", no_argument, NULL, OPT_NO_ZERO_COPY },
	{ "dialect", required_argument, NULL, OPT_DIALECT },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "scanouts", required_argument, NULL, OPT_SCANOUTS },
	{ "virgl", no_argument, NULL, OPT_VIRGL },
	{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
	{ "sandbox-log", no_argument, NULL, OPT_SANDBOX_LOG },
	{ "save-state", required_argument, NULL, OPT_SAVE_STATE },
	{ "load-state", required_argument, NULL, OPT_LOAD_STATE },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vgm-vhost-user-gpu (-s PATH | -f FD) [OPTION...]\n"
		"       vgm-vhost-user-gpu --print-capabilities\n"
		"A vhost-user-gpu back-end (QEMU -device vhost-user-gpu-pci) on virtgpu-mem %s.\n\n"
		"  -s, --socket-path=PATH    listen on PATH, serve the first connection\n"
		"  -f, --fd=FD               serve the connected socket FD\n"
		"  -c, --print-capabilities  print the back-end capabilities (JSON) and exit\n"
		"      --log-level=LEVEL     error, warning (default), info or debug\n"
		"  -v, --verbose             one log level more (repeatable)\n"
		"      --no-edid             do not offer VIRTIO_GPU_F_EDID\n"
		"      --no-indirect         do not offer VIRTIO_RING_F_INDIRECT_DESC\n"
		"      --no-event-idx        do not offer VIRTIO_RING_F_EVENT_IDX\n"
		"                            (QEMU 10 negotiates both anyway; they stay supported)\n"
		"      --no-zero-copy        copy UPDATE pixels into the display socket instead\n"
		"                            of splicing their pages\n"
		"      --dialect=NAME        standard (default) or memory-rfc\n"
		"      --scanouts=N          scanouts 0..N-1, N from 1 (default) to 16; give QEMU\n"
		"                            as many (-device vhost-user-gpu-pci,max_outputs=N)\n"
		"      --record=FILE         write the guest's requests to FILE as a vgm-trace\n"
		"                            (docs/trace-format.md), for tools/vgm-replay\n"
		"                            (not with --virgl yet: no 3D in the trace format)\n"
		"      --virgl               3D: offer VIRTIO_GPU_F_VIRGL, draw with virglrenderer\n"
		"                            (fails at start where it cannot run)\n"
		"      --no-sandbox          do not confine the process (by default, once connected,\n"
		"                            a system call outside its seccomp allowlist kills it)\n"
		"      --sandbox-log         let such calls through and have the kernel log them\n"
		"                            (dmesg, journalctl -k: \"audit: type=1326 ... syscall=N\")\n"
		"      --save-state=FILE     at a normal end (the front-end closes, SIGTERM, SIGINT)\n"
		"                            write the device's state to FILE (replaced at once)\n"
		"      --load-state=FILE     start from the state in FILE, shown again once the\n"
		"                            front-end has set memory and rings up (neither with\n"
		"                            --virgl: a 3D renderer's state cannot be saved)\n"
		"  -h, --help                this text\n\n"
		"Exit status: 0 when the front-end closes the connection, or on SIGTERM or\n"
		"SIGINT; 1 for bad options, a failed start, a protocol error, a front-end\n"
		"that stalled (disconnected after %d s), a recording or a state that could\n"
		"not be written, or a state that could not be loaded.\n",
		vgm_version(), VU_STALL_TIMEOUT_MS / 1000);
}

static int parse_level(const char *s, enum vgm_log_level *out)
{
	static const char *const names[] = { NULL, "error", "warning", "info", "debug" };

	for (int i = VGM_LOG_ERROR; i <= VGM_LOG_DEBUG; i++) {
		if (strcmp(s, names[i]) == 0 || (s[0] == '0' + i && !s[1])) {
			*out = (enum vgm_log_level)i;
			return 0;
		}
	}
	fprintf(stderr, "vgm-vhost-user-gpu: unknown log level '%s'\n", s);
	return -1;
}

/* A decimal number in [min, max]. @return false for anything else. */
static bool parse_number(const char *s, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return !errno && end != s && !*end && *out >= min && *out <= max;
}

static int parse_fd(const char *s, int *out)
{
	long v;

	if (!parse_number(s, 0, INT_MAX, &v)) {
		fprintf(stderr, "vgm-vhost-user-gpu: bad file descriptor '%s'\n", s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int parse_scanouts(const char *s, uint32_t *out)
{
	long v;

	if (!parse_number(s, 1, VGM_MAX_SCANOUTS, &v)) {
		fprintf(stderr, "vgm-vhost-user-gpu: --scanouts takes 1 to %d, not '%s'\n",
			VGM_MAX_SCANOUTS, s);
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

static int parse_dialect(const char *s, enum vgm_dialect *out)
{
	if (strcmp(s, "standard") == 0)
		*out = VGM_DIALECT_STANDARD;
	else if (strcmp(s, "memory-rfc") == 0)
		*out = VGM_DIALECT_MEMORY_RFC;
	else {
		fprintf(stderr, "vgm-vhost-user-gpu: unknown dialect '%s'\n", s);
		return -1;
	}
	return 0;
}

/* One option. @return 0, -1 for an error, 1 to exit successfully (help). */
static int parse_option(int c, const char *arg, struct options *o)
{
	enum vgm_log_level level = o->gpu.log_level;

	switch (c) {
	case 's':
		o->socket_path = arg;
		return 0;
	case 'f':
		return parse_fd(arg, &o->fd);
	case 'c':
		o->print_capabilities = true;
		return 0;
	case OPT_LOG_LEVEL:
		return parse_level(arg, &o->gpu.log_level);
	case 'v':
		o->gpu.log_level = level < VGM_LOG_DEBUG ? (enum vgm_log_level)(level + 1) : level;
		return 0;
	case OPT_NO_EDID:
		o->gpu.device_features &= ~(1ull << VGM_GPU_F_EDID);
		return 0;
	case OPT_NO_INDIRECT:
		o->gpu.indirect = false;
		return 0;
	case OPT_NO_EVENT_IDX:
		o->gpu.event_idx = false;
		return 0;
	case OPT_NO_ZERO_COPY:
		o->gpu.zero_copy = false;
		return 0;
	case OPT_DIALECT:
		return parse_dialect(arg, &o->gpu.dialect);
	case OPT_RECORD:
		o->record = arg;
		return 0;
	case OPT_SCANOUTS:
		return parse_scanouts(arg, &o->gpu.num_scanouts);
	case OPT_NO_SANDBOX:
		o->sandbox = SANDBOX_OFF;
		return 0;
	case OPT_SANDBOX_LOG:
		o->sandbox = SANDBOX_LOG;
		return 0;
	case OPT_VIRGL:
		o->gpu.virgl = true;
		return 0;
	case OPT_SAVE_STATE:
		o->save_state = arg;
		return 0;
	case OPT_LOAD_STATE:
		o->load_state = arg;
		return 0;
	case 'h':
		usage(stdout);
		return 1;
	default:
		usage(stderr);
		return -1;
	}
}

/* A saved state is 2D only; a recording starts from a fresh device. */
static int check_state_options(struct options *o)
{
	const char *which = o->save_state ? "--save-state" : "--load-state";

	if (!o->save_state && !o->load_state)
		return 0;
	if (o->gpu.virgl) {
		fprintf(stderr, "vgm-vhost-user-gpu: %s with --virgl: virglrenderer's state cannot "
				"be saved\n", which);
		return -1;
	}
	if (o->load_state && o->record) {
		fprintf(stderr, "vgm-vhost-user-gpu: --load-state with --record: a recording "
				"starts from a fresh device\n");
		return -1;
	}
	o->gpu.saveable = true;
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	int c, r;

	*o = (struct options){
		.fd = -1,
		.sandbox = SANDBOX_KILL,
		.gpu = { .dialect = VGM_DIALECT_STANDARD, .device_features = VGM_FEATURES_ALL,
			 .num_scanouts = 1, .indirect = true, .event_idx = true,
			 .zero_copy = true, .log_level = VGM_LOG_WARNING },
	};
	while ((c = getopt_long(argc, argv, "s:f:cvh", long_options, NULL)) != -1) {
		r = parse_option(c, optarg, o);
		if (r)
			return r;
	}
	if (optind < argc) {
		fprintf(stderr, "vgm-vhost-user-gpu: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o->print_capabilities)
		return 0;
	if (check_state_options(o) < 0)
		return -1;
	if (!o->socket_path == (o->fd < 0)) {
		fprintf(stderr, "vgm-vhost-user-gpu: give exactly one of --socket-path and --fd\n");
		return -1;
	}
	return 0;
}

/* vhost-user.json's VHostUserBackendCapabilitiesGPU: "virgl" and
 * "render-node" are the features it knows. "virgl" when the library can
 * draw with virglrenderer here (--virgl would start); render-node is not
 * an option of this back-end (the renderer picks its own, or llvmpipe). */
static void print_capabilities(void)
{
	bool virgl = vgm_renderer_available(VGM_RENDERER_VIRGL) == 0;

	printf("{\n  \"type\": \"gpu\",\n  \"features\": [%s]\n}\n",
	       virgl ? "\n    \"virgl\"\n  " : "");
}

/*
 * Mesa keeps compiled shaders in a cache on disk (~/.cache/mesa_shader_cache),
 * opened as shaders come: after confinement, where opening files kills. It
 * is off then (shaders are compiled each time; a guest's shaders then also
 * leave nothing behind on the host). The variable has this name up to Mesa
 * 23 and still works after.
 */
static void shader_cache_off(const struct options *o)
{
	if (o->sandbox != SANDBOX_OFF)
		setenv("MESA_SHADER_CACHE_DISABLE", "true", 1);
}

/* vhost-user.rst: a feature the back-end cannot enable fails early. */
static int check_renderer(const struct options *o)
{
	const struct gpu_config *cfg = &o->gpu;
	int err;

	if (!cfg->virgl)
		return 0;
	shader_cache_off(o);
	err = vgm_renderer_available(VGM_RENDERER_VIRGL);
	if (err == -ENOTSUP)
		log_error("--virgl: this virtgpu-mem was built without virglrenderer");
	else if (err < 0)
		log_error("--virgl: virglrenderer cannot start here (%s): no surfaceless EGL?",
			  strerror(-err));
	return err;
}

static void on_signal(struct loop_watch *w, uint32_t events)
{
	struct backend *b = w->ctx;
	struct signalfd_siginfo si;

	(void)events;
	if (read(w->fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	log_info("signal %u: exiting", si.ssi_signo);
	loop_quit(b->loop);
}

/* SIGTERM and SIGINT end the loop (vhost-user.rst: end quickly and cleanly). */
static int watch_signals(struct backend *b)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	b->signals = (struct loop_watch){ .cb = on_signal, .ctx = b };
	b->signals.fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (b->signals.fd < 0)
		return -errno;
	return loop_watch(b->loop, &b->signals, EPOLLIN);
}

/* Once connected, what the process calls is the event loop's set
 * (sandbox.h). Nothing the guest or the front-end sends is served before. */
static int confine(struct backend *b)
{
	const struct sandbox_list *lists[5] = {
		&sandbox_loop_list,
		&sandbox_sanitizer_list,
		&sandbox_coverage_list,
	};
	size_t n = 3;
	int err;

	if (b->opt.gpu.virgl)
		lists[n++] = &sandbox_virgl_list;
	if (b->save)
		lists[n++] = state_file_sandbox(b->save);

	/* glibc reads /etc/localtime on its first time conversion (the
	 * recorder's gmtime_r() at the end): now, while files may be opened. */
	tzset();
	err = sandbox_enter(b->opt.sandbox, lists, n);
	if (err < 0) {
		log_error("cannot enter the sandbox: %s (--no-sandbox runs without)",
			  strerror(-err));
		return err;
	}
	if (b->opt.sandbox != SANDBOX_OFF)
		log_info("sandbox on: %s", b->opt.sandbox == SANDBOX_LOG ? "logging" : "enforcing");
	sandbox_selftest();
	return 0;
}

static int serve(struct backend *b, int fd)
{
	int err;

	err = vhost_user_new(fd, b->gpu, b->loop, &b->vu);
	if (err < 0) {
		log_error("cannot serve the connection: %s", strerror(-err));
		return err;
	}
	return confine(b);
}

static void stop_listening(struct backend *b)
{
	if (b->listener.fd < 0)
		return;
	loop_unwatch(b->loop, &b->listener);
	close(b->listener.fd);
	b->listener.fd = -1;
	/* One front-end only: nobody else should find the socket. */
	unlink(b->opt.socket_path);
}

static void on_connection(struct loop_watch *w, uint32_t events)
{
	struct backend *b = w->ctx;
	int fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC);

	(void)events;
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
			log_error("accept: %s", strerror(errno));
			loop_quit(b->loop);
		}
		return;
	}
	log_info("front-end connected");
	stop_listening(b);
	if (serve(b, fd) < 0)
		loop_quit(b->loop);
}

static int bind_socket(int fd, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_error("socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	/* A socket left by an earlier run would make bind() fail. */
	if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		int err = -errno;

		log_error("cannot listen on %s: %s", path, strerror(errno));
		return err;
	}
	return 0;
}

static int start_listening(struct backend *b)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int err;

	if (fd < 0)
		return -errno;
	b->listener = (struct loop_watch){ .fd = fd, .cb = on_connection, .ctx = b };
	err = bind_socket(fd, b->opt.socket_path);
	if (err == 0)
		err = loop_watch(b->loop, &b->listener, EPOLLIN);
	if (err < 0) {
		close(fd);
		b->listener.fd = -1;
	}
	return err;
}

static int start(struct backend *b)
{
	int err = loop_new(&b->loop);

	if (err == 0)
		err = watch_signals(b);
	if (err == 0)
		err = guard_install();
	/* The renderer is made here, before confinement: EGL opens its
	 * drivers and device files as it starts. */
	if (err == 0)
		err = check_renderer(&b->opt);
	if (err == 0)
		err = gpu_new(&b->opt.gpu, b->loop, &b->gpu);
	if (err < 0) {
		log_error("cannot start: %s", strerror(-err));
		return err;
	}
	/* Both files are opened now, before confinement. */
	if (b->opt.load_state)
		err = state_file_load(b->opt.load_state, b->gpu);
	if (err == 0 && b->opt.save_state)
		err = state_file_open(b->opt.save_state, &b->save);
	if (err < 0)
		return err;
	if (b->opt.record) {
		err = recorder_new(b->opt.record, b->gpu, b->opt.gpu.virgl, &b->rec);
		if (err < 0) {
			log_error("cannot record to %s: %s", b->opt.record, strerror(-err));
			return err;
		}
	}
	if (b->opt.fd >= 0) {
		int fd = b->opt.fd;

		b->opt.fd = -1; /* serve() owns it now */
		return serve(b, fd);
	}
	return start_listening(b);
}

/* @return 0, or -EIO when the recording could not be written. */
static int stop(struct backend *b)
{
	int err = recorder_close(b->rec) < 0 ? -EIO : 0;

	vhost_user_destroy(b->vu);
	state_file_destroy(b->save);
	gpu_destroy(b->gpu);
	stop_listening(b);
	if (b->signals.fd >= 0) {
		loop_unwatch(b->loop, &b->signals);
		close(b->signals.fd);
	}
	loop_destroy(b->loop);
	return err;
}

/* --save-state at a normal end (r is 0). An error end (a protocol error, a
 * stalled front-end) is not a stop the VMM asked for: FILE keeps what it
 * held, and the exit status says the state was not saved. */
static int save_state(struct backend *b, int r)
{
	if (!b->save)
		return r;
	if (r < 0) {
		log_error("--save-state %s: not written, the back-end ends on an error",
			  b->opt.save_state);
		state_file_abandon(b->save);
		return r;
	}
	return state_file_commit(b->save, gpu_device(b->gpu));
}

int main(int argc, char **argv)
{
	struct backend b = { .listener = { .fd = -1 }, .signals = { .fd = -1 } };
	int r = parse_args(argc, argv, &b.opt);

	if (r)
		return r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	if (b.opt.print_capabilities) {
		print_capabilities();
		return EXIT_SUCCESS;
	}
	log_set_level(b.opt.gpu.log_level);
	r = start(&b);
	while (r == 0 && loop_running(b.loop)) {
		r = loop_run_once(b.loop, -1);
		if (r < 0)
			log_error("event loop: %s", strerror(-r));
		else
			r = 0;
	}
	if (r == 0 && b.vu && vhost_user_failed(b.vu))
		r = -EPROTO;
	r = save_state(&b, r);
	if (stop(&b) < 0)
		r = -EIO;
	return r == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
