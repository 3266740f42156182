/* SPDX-License-Identifier: MIT */
/**
 * @file virtgpu-mem.h
 * virtgpu-mem: the device side of virtio-gpu, for a VMM to link in.
 *
 * The VMM keeps the transport (virtqueues, interrupts), guest memory and the
 * windows on the host's screen. The library decodes and validates requests,
 * keeps resources, memory regions and scanouts, draws pixels, and calls the
 * VMM back through struct vgm_host_ops.
 *
 * Conventions, for every function below unless it says otherwise:
 * - Functions that can fail return 0 or a negative errno; -EINVAL means the
 *   host misused the API (a NULL pointer, a bad index, a struct whose size is
 *   unknown). Outputs are left untouched on failure.
 * - A guest's error is never an errno: it travels in the response.
 * - No global state. A device is used from one thread at a time; devices
 *   are independent. Callbacks are called only from inside the library call
 *   that caused them, on the calling thread.
 * - A callback must not call back into its own device: every function below
 *   that takes a device, called from inside one of that device's callbacks,
 *   returns -EBUSY before it looks at its other arguments, logs it as API
 *   misuse (except from inside the log callback, which would recurse) and
 *   changes nothing; vgm_device_destroy() is refused the same way (since
 *   0.3). Calls on other devices are allowed.
 * - Structs that cross the API begin with their size. A smaller size means
 *   an older caller (the missing fields read as 0/NULL) and must end where
 *   one of the struct's members ends (since 0.3: a size that cuts a
 *   callback pointer in two is -EINVAL); a larger one is accepted only if
 *   the unknown tail is zero.
 * - Callbacks must return normally. Nothing may unwind through the
 *   library: no longjmp() out of a callback, no C++ exception, no Rust
 *   panic (catch it inside the callback, with catch (...) or
 *   std::panic::catch_unwind, and return). The call that made the callback
 *   would stop half way, with the device's state half changed; for Rust,
 *   unwinding out of an extern "C" function aborts or is undefined
 *   behaviour, depending on the compiler's version.
 *
 * Threads and pixels: the one thing another thread of the VMM (a display
 * thread) may do while the device's thread goes on calling the library is
 * read the pixels of a scanout:
 * - the bytes at vgm_pixels.data, height rows of stride bytes, as
 *   scanout_set() or vgm_device_get_scanout_pixels() gave them: from then
 *   until the next scanout_set(), scanout_dmabuf() or scanout_disable()
 *   for that scanout returns (the VMM moves its display thread off the old
 *   pointer inside that callback), or until vgm_device_destroy(), which
 *   makes no display callback (the VMM stops reading first).
 *   scanout_update() and cursor callbacks do not end it.
 * - the pages of a dma-buf from scanout_dmabuf(): the fd is the VMM's.
 * The bytes may change while they are read, without a lock: a
 * TRANSFER_TO_HOST_2D or a blob's flush writes them during
 * vgm_device_submit(), and a blob shown straight from guest memory is
 * written by the guest at any time. scanout_update(), on the device's
 * thread, says which rectangle changed once it has. A VMM that must not
 * show a torn frame copies the rectangle inside scanout_update(), or holds
 * a lock of its own around its library calls and its reads.
 * Nothing else crosses threads: the structs a callback receives
 * (vgm_pixels, vgm_rect, vgm_cursor and its pixels, vgm_dmabuf) are valid
 * during the call only, and no function of the library may be called on a
 * device while another call on it runs.
 *
 * There is no stable ABI before 1.0 (soversion 0).
 */
#ifndef VIRTGPU_MEM_H
#define VIRTGPU_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <virtgpu-mem/protocol.h>
#include <virtgpu-mem/version.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(VGM_EXPORT)
#define VGM_EXPORT __attribute__((visibility("default")))
#elif !defined(VGM_EXPORT)
#define VGM_EXPORT
#endif

/** A virtio-gpu device. Opaque. @ingroup vgm-device @since 0.1 */
struct vgm_device;

/** Which protocol the device speaks. @ingroup vgm-device @since 0.1 */
enum vgm_dialect {
	/** virtio 1.3: 2D, EDID, and (since 0.2) guest-memory blobs and UUIDs. */
	VGM_DIALECT_STANDARD = 0,
	/** The memory-regions proposal: 2D, EDID, MEMORY_CREATE/UNREF, ATTACH_MEMORY. */
	VGM_DIALECT_MEMORY_RFC = 1,
};

/** The virtqueue a request came from. @ingroup vgm-requests @since 0.1 */
enum vgm_queue {
	VGM_QUEUE_CONTROL = 0, /**< controlq: every command but the cursor's, answered */
	VGM_QUEUE_CURSOR = 1,  /**< cursorq: UPDATE_CURSOR, MOVE_CURSOR, not answered */
};

/** Log levels; a message is passed on when its level <= the configured one.
 * @ingroup vgm-device @since 0.1 */
enum vgm_log_level {
	VGM_LOG_ERROR = 1,   /**< the host misused the API, or the library failed */
	VGM_LOG_WARNING = 2, /**< guest errors are logged at this level */
	VGM_LOG_INFO = 3,    /**< what the device did (features, resets) */
	VGM_LOG_DEBUG = 4,   /**< details for the library's developers */
};

/** Offer every feature the dialect supports. @ingroup vgm-device @since 0.1 */
#define VGM_FEATURES_ALL UINT64_MAX

/** Maximum number of scanouts. @ingroup vgm-display @since 0.1 */
#define VGM_MAX_SCANOUTS 16

/** Cursor images are this many pixels wide and high. @ingroup vgm-display @since 0.1 */
#define VGM_CURSOR_SIZE 64

/**
 * Default of vgm_device_config.max_host_memory: 256 MiB. @ingroup vgm-memory
 * @since 0.1
 *
 * VGM_DEFAULT_MAX_BACKING_ENTRIES is 65536 since 0.3 (16384 before): a
 * driver that sends one 4 KiB entry per page, as virtio-win's viogpudo
 * does, needs 32,400 entries for a 7680x4320 framebuffer. The host memory
 * budget still bounds the tables.
 */
#define VGM_DEFAULT_MAX_HOST_MEMORY (256ull << 20)
/** Default of vgm_device_config.max_backing_entries (16384 before 0.3, see
 * above). @ingroup vgm-memory @since 0.1 */
#define VGM_DEFAULT_MAX_BACKING_ENTRIES 65536u
/** Default of vgm_device_config.max_resources. @ingroup vgm-device @since 0.1 */
#define VGM_DEFAULT_MAX_RESOURCES 65536u
/** Default of vgm_device_config.max_regions. @ingroup vgm-memory @since 0.1 */
#define VGM_DEFAULT_MAX_REGIONS 65536u
/** Default of vgm_device_config.max_table_pieces: a 1 GiB backing in 4 KiB
 * pieces. @ingroup vgm-memory @since 0.3 */
#define VGM_DEFAULT_MAX_TABLE_PIECES 262144u
/** Preferred width of a scanout whose config says 0x0. @ingroup vgm-display @since 0.1 */
#define VGM_DEFAULT_WIDTH 1024u
/** Preferred height of a scanout whose config says 0x0. @ingroup vgm-display @since 0.1 */
#define VGM_DEFAULT_HEIGHT 768u

/** A rectangle. @ingroup vgm-display @since 0.1 */
struct vgm_rect {
	uint32_t x;      /**< left column, pixels */
	uint32_t y;      /**< top row, pixels */
	uint32_t width;  /**< pixels */
	uint32_t height; /**< pixels */
};

/**
 * A guest range as the VMM maps it into host memory, filled in by
 * vgm_host_ops.translate. @ingroup vgm-memory @since 0.1
 */
struct vgm_guest_map {
	/** Host address of the first byte of the range. */
	void *ptr;
	/** Bytes contiguous at ptr: 1 up to the length asked for. */
	uint64_t len;
	/** The VMM's own handle for this mapping, given back to release(). */
	void *cookie;
	/**
	 * Optional: a file descriptor whose offset fd_offset holds the first
	 * byte (memfd guest RAM), or -1. The library sets -1 before the call
	 * and never closes it.
	 */
	int fd;
	/** Where the first byte of the range is in fd (when fd is not -1). */
	uint64_t fd_offset;
};

/** Pixels of a scanout. @ingroup vgm-display @since 0.1 */
struct vgm_pixels {
	/** First pixel of the shown rectangle. Valid, for any thread, until the
	 * next scanout_set(), scanout_dmabuf() or scanout_disable() for that
	 * scanout has returned, or vgm_device_destroy(); scanout_update() does
	 * not end it, it says which pixels changed (see "Threads and pixels"
	 * in the header's description). The struct itself is valid during the
	 * call only. */
	const void *data;
	/** Bytes from one row to the next. */
	uint32_t stride;
	/** DRM fourcc (DRM_FORMAT_XRGB8888, ...), as in <drm_fourcc.h>. */
	uint32_t fourcc;
	uint32_t width;  /**< pixels in a row of the shown rectangle */
	uint32_t height; /**< rows of the shown rectangle */
};

/** A cursor image and its position. @ingroup vgm-display @since 0.1 */
struct vgm_cursor {
	/** VGM_CURSOR_SIZE x VGM_CURSOR_SIZE pixels, DRM_FORMAT_ARGB8888 in host
	 * byte order, rows VGM_CURSOR_SIZE * 4 bytes apart. Valid during the call. */
	const uint32_t *pixels;
	uint32_t hot_x; /**< the hot spot's column in the image */
	uint32_t hot_y; /**< the hot spot's row in the image */
	uint32_t x;     /**< where the hot spot is, scanout coordinates */
	uint32_t y;     /**< where the hot spot is, scanout coordinates */
};

/**
 * A blob scanout as a dma-buf, for zero-copy display (KMS, EGL, Wayland).
 * @ingroup vgm-display @since 0.2
 */
struct vgm_dmabuf {
	/** The dma-buf. The host owns it from the call on and closes it. */
	int fd;
	/** DRM fourcc of the pixels. */
	uint32_t fourcc;
	/** DRM format modifier: DRM_FORMAT_MOD_LINEAR. */
	uint64_t modifier;
	/** Bytes from one row to the next. */
	uint32_t stride;
	/** Where pixel (0, 0) of the image is in the buffer. */
	uint64_t offset;
	/** Bytes of the buffer. */
	uint64_t size;
	/** The image in the buffer: its width. */
	uint32_t width;
	/** Its rows down to the last one shown (the guest's image may be
	 * taller; only these are its). */
	uint32_t height;
	/** The rectangle of it the scanout shows. */
	struct vgm_rect rect;
};

/**
 * Callbacks into the VMM. Copied by vgm_device_new(). Every member may be
 * NULL unless it says otherwise; the opaque pointer is vgm_device_config.host.
 * Each is called on the thread of the library call that caused it, must
 * not call into its own device (-EBUSY) and must return normally (no
 * exception, panic or longjmp across it).
 * @ingroup vgm-device @since 0.1
 */
struct vgm_host_ops {
	/** sizeof(struct vgm_host_ops) as the caller knows it. */
	uint32_t size;

	/**
	 * Required. Maps guest physical range [gpa, gpa + len) for reading by
	 * the device. Fill map->ptr and map->len (1..len contiguous bytes); the
	 * library calls again for the rest. Return 0, or a negative errno when
	 * the range is not guest RAM (the guest then gets an error response).
	 * The mapping must stay valid until release() (or, without release, as
	 * long as the guest RAM exists). A result with a NULL ptr, len 0 or len
	 * above what was asked is the host's error: logged, the guest gets
	 * ERR_UNSPEC, and it is not given to release().
	 */
	int (*translate)(void *host, uint64_t gpa, uint64_t len, struct vgm_guest_map *map);
	/** Gives back a mapping made by translate(), once the library holds no
	 * reference to it (DETACH_BACKING, UNREF, reset, destroy, failed commands). */
	void (*release)(void *host, const struct vgm_guest_map *map);

	/** The work of a request with VGM_GPU_FLAG_FENCE is complete (called
	 * once its response is written). With the 2D renderer every request
	 * completes before vgm_device_submit() returns; with virgl (since
	 * 0.3) later, from inside vgm_device_poll() or a vgm_device_submit()
	 * that waits. */
	void (*fence_done)(void *host, uint32_t ctx_id, uint8_t ring_idx, uint64_t fence_id);
	/** The config space changed (events_read): raise a config interrupt. */
	void (*config_changed)(void *host);

	/** A scanout now shows px (after SET_SCANOUT). */
	void (*scanout_set)(void *host, uint32_t scanout, const struct vgm_pixels *px);
	/** A scanout shows nothing any more; drop every pointer into it. */
	void (*scanout_disable)(void *host, uint32_t scanout);
	/** A rectangle of a scanout changed (in scanout coordinates). */
	void (*scanout_update)(void *host, uint32_t scanout, const struct vgm_rect *rect);

	/** The cursor on a scanout has a new image (and position). */
	void (*cursor_set)(void *host, uint32_t scanout, const struct vgm_cursor *cursor);
	/** The cursor on a scanout moved. */
	void (*cursor_move)(void *host, uint32_t scanout, uint32_t x, uint32_t y);
	/** The cursor on a scanout is hidden. */
	void (*cursor_hide)(void *host, uint32_t scanout);

	/** One line of log, without a trailing newline. */
	void (*log)(void *host, enum vgm_log_level level, const char *msg);

	/**
	 * A resource got a UUID (RESOURCE_ASSIGN_UUID), so that other virtio
	 * devices can name the buffer. Called once per resource; the UUID
	 * lives as long as the resource. @since 0.2
	 */
	void (*resource_uuid)(void *host, uint32_t resource_id, const uint8_t uuid[16]);
	/**
	 * Optional: a blob scanout as a dma-buf instead of pixels. Offered when
	 * translate() gives fds (memfd guest RAM) and /dev/udmabuf works;
	 * otherwise scanout_set() is called as for any scanout. Flushes still
	 * come through scanout_update(). @since 0.2
	 */
	void (*scanout_dmabuf)(void *host, uint32_t scanout, const struct vgm_dmabuf *buf);
	/**
	 * A request that vgm_device_submit_tagged() left in flight
	 * (-EINPROGRESS) is answered: written bytes of its response are in
	 * its out elements (after fence_done() for a fenced one), and the
	 * library holds nothing of it any more. tag is the one given to
	 * vgm_device_submit_tagged(). Called from inside vgm_device_poll(),
	 * vgm_device_reset() and a vgm_device_submit() that waits, on the
	 * calling thread; in the order the requests are answered.
	 * Required by vgm_device_submit_tagged(). @since 0.3
	 */
	void (*request_done)(void *host, uint64_t tag, size_t written);
};

/** One scanout (display) of the device. @ingroup vgm-display @since 0.1 */
struct vgm_scanout_config {
	/** Nonzero: a display is connected. */
	uint32_t enabled;
	/** Preferred mode; 0x0 means VGM_DEFAULT_WIDTH x VGM_DEFAULT_HEIGHT. */
	uint32_t width;
	/** Preferred mode's height. */
	uint32_t height;
};

/** What vgm_device_new() makes. @ingroup vgm-device @since 0.1 */
struct vgm_device_config {
	/** sizeof(struct vgm_device_config) as the caller knows it. */
	uint32_t size;
	/** enum vgm_dialect. */
	uint32_t dialect;
	/** Feature bits to offer, masked by what the dialect supports
	 * (VGM_FEATURES_ALL offers everything). */
	uint64_t features;
	/** 1..VGM_MAX_SCANOUTS. */
	uint32_t num_scanouts;
	/** The scanouts; only the first num_scanouts are read. */
	struct vgm_scanout_config scanouts[VGM_MAX_SCANOUTS];
	/** Host memory the guest may make the library allocate (pixels and
	 * backing tables); 0: VGM_DEFAULT_MAX_HOST_MEMORY. A backing table is
	 * held to what is left of it while it is built, not only once it is
	 * complete (since 0.3). */
	uint64_t max_host_memory;
	/** Entries in one ATTACH_BACKING or MEMORY_CREATE; 0: default. */
	uint32_t max_backing_entries;
	/** Live resources; 0: default. */
	uint32_t max_resources;
	/** Live memory ids (MEMORY_CREATE); 0: default. */
	uint32_t max_regions;
	/** enum vgm_log_level; 0: VGM_LOG_WARNING. */
	uint32_t log_level;
	/** Callbacks, copied; must not be NULL and must have translate. */
	const struct vgm_host_ops *ops;
	/** Passed as the first argument of every callback. */
	void *host;
	/**
	 * Pieces one request (ATTACH_BACKING, CREATE_BLOB, MEMORY_CREATE) may
	 * map its backing from: each mapping translate() returns counts as
	 * one, joined to the last or not, so this bounds the translate()
	 * calls of one request as well as its table. The table is sized for
	 * every entry at first, so more entries than this are refused before
	 * any translate(). Past it the guest gets ERR_OUT_OF_MEMORY.
	 * 0: VGM_DEFAULT_MAX_TABLE_PIECES. A table is bounded by
	 * max_host_memory too, while it is built.
	 * @since 0.3
	 */
	uint32_t max_table_pieces;
	/** Must be 0 (vgm_device_new() refuses anything else): keeps
	 * stream_threshold 8-byte aligned on every ABI. @since 0.3 */
	uint32_t reserved;
	/**
	 * TRANSFER_TO_HOST_2D requests of at least this many bytes write the
	 * host image with non-temporal stores, around the CPU's caches: the
	 * image is then not in the caches when the host reads it, and what
	 * the host keeps there is not evicted. 0: chosen from the machine at
	 * the device's first transfer of 256 KiB or more (three quarters of
	 * one CPU's share of the last-level cache, at least 256 KiB; 1 MiB
	 * where the system does not give cache sizes); UINT64_MAX: never.
	 * Only the speed changes, never the pixels. @since 0.3
	 */
	uint64_t stream_threshold;
	/**
	 * Which renderer draws the device's resources (enum vgm_renderer):
	 * VGM_RENDERER_2D (0, the default) or VGM_RENDERER_VIRGL (3D through
	 * virglrenderer, in this process). See vgm_renderer_available().
	 * @since 0.3
	 */
	uint32_t renderer;
	/**
	 * Options of the renderer: with VGM_RENDERER_VIRGL, VGM_VIRGL_THREAD_SYNC
	 * or 0; with VGM_RENDERER_2D, 0. @since 0.3
	 */
	uint32_t renderer_flags;
	/**
	 * VGM_DEVICE_SAVEABLE or 0; other bits: vgm_device_new() refuses
	 * them (-EINVAL). Fixed at creation, so a VMM knows before it starts
	 * a guest whether it can migrate it. @since 0.3
	 */
	uint32_t flags;
	/** Must be 0 (vgm_device_new() refuses anything else): the struct
	 * ends without padding. @since 0.3 */
	uint32_t reserved2;
};

/** The renderers a device can draw with (vgm_device_config.renderer). @ingroup vgm-device
 * @since 0.3 */
enum vgm_renderer {
	/** 2D in host memory (pixman): always built. */
	VGM_RENDERER_2D = 0,
	/**
	 * 3D: virglrenderer (OpenGL through EGL, surfaceless; Mesa's llvmpipe
	 * serves without a GPU), when the library was built with it (meson
	 * option `virgl`). virglrenderer keeps process-global state: one virgl
	 * device per process at a time.
	 *
	 * Such a device offers VIRTIO_GPU_F_VIRGL, and CONTEXT_INIT in the
	 * standard dialect (num_capsets in the config space is the renderer's:
	 * VIRGL and VIRGL2), but neither RESOURCE_BLOB nor MEMORY in this
	 * version. It answers CTX_CREATE/DESTROY/ATTACH_RESOURCE/
	 * DETACH_RESOURCE, RESOURCE_CREATE_3D (its footprint charged to
	 * max_host_memory), TRANSFER_TO_HOST_3D and TRANSFER_FROM_HOST_3D
	 * (checked against the resource and the backing), SUBMIT_3D (at most
	 * 1 MiB, copied once), GET_CAPSET_INFO and GET_CAPSET. CREATE_2D
	 * resources live in virglrenderer too (3D contexts draw into them);
	 * a scanout shows a host copy of one, read back on SET_SCANOUT and on
	 * RESOURCE_FLUSH (the flushed rectangle only). So is a CREATE_3D
	 * resource that is one 2D image (target 2D, depth and array size 1,
	 * not multisampled) of a 2D format, as Mesa's GBM makes a KMS
	 * framebuffer (its host copy charged too, since 0.3); other 3D
	 * resources are not shown (SET_SCANOUT: ERR_INVALID_PARAMETER).
	 * Fenced requests complete later: see vgm_device_submit_tagged().
	 * Threads: see vgm_device_new().
	 */
	VGM_RENDERER_VIRGL = 1,
};

/**
 * vgm_device_config.renderer_flags of VGM_RENDERER_VIRGL: virglrenderer
 * runs a thread that waits on fences, and vgm_device_get_poll_fd() gives an
 * fd that becomes readable when one completes (without it, the VMM polls
 * by the deadline of vgm_device_next_poll()). @ingroup vgm-device
 * @since 0.3
 */
#define VGM_VIRGL_THREAD_SYNC (1u << 0)

/** A resource, as vgm_device_get_resource_info() reports it. @ingroup vgm-introspection
 * @since 0.1 */
struct vgm_resource_info {
	/** Set by the caller: sizeof(struct vgm_resource_info). */
	uint32_t size;
	uint32_t format; /**< VGM_GPU_FORMAT_* */
	uint32_t fourcc; /**< DRM fourcc of the same pixels */
	uint32_t width;  /**< pixels */
	uint32_t height; /**< rows */
	uint32_t stride; /**< bytes per row of the host image */
	/** Nonzero when backing is attached. */
	uint32_t backed;
	/** Memory id of the region it is attached to (memory-rfc); 0 otherwise. */
	uint32_t memory_id;
	/** Offset of the resource in its backing. */
	uint64_t backing_offset;
	/** The backing's size in bytes. */
	uint64_t backing_size;
	/** Bit i set: scanout i shows this resource. */
	uint32_t scanout_mask;
	/** Nonzero for a blob resource (format and size are then 0). @since 0.2 */
	uint32_t blob;
	/** Nonzero when uuid holds the resource's UUID. @since 0.2 */
	uint32_t has_uuid;
	/** The blob's size in bytes. @since 0.2 */
	uint64_t blob_size;
	/** Its UUID, if it has one. @since 0.2 */
	uint8_t uuid[16];
};

/** A scanout, as vgm_device_get_scanout_info() reports it. @ingroup vgm-introspection
 * @since 0.1 */
struct vgm_scanout_info {
	/** Set by the caller: sizeof(struct vgm_scanout_info). */
	uint32_t size;
	/** Display connected. */
	uint32_t enabled;
	/** Its preferred mode's width. */
	uint32_t width;
	/** Its preferred mode's height. */
	uint32_t height;
	/** The resource shown, 0 for none. */
	uint32_t resource_id;
	/** The rectangle of it shown. */
	struct vgm_rect rect;
};

/** Counters of a device. @ingroup vgm-introspection @since 0.1 */
struct vgm_stats {
	/** Set by the caller: sizeof(struct vgm_stats). */
	uint32_t size;
	/** Live resources. */
	uint32_t resources;
	/** Live regions: named ones, anonymous backings, and unref'd ones that a
	 * resource still uses. */
	uint32_t regions;
	/** Memory ids in use (memory-rfc). */
	uint32_t memory_ids;
	/** Host memory charged against max_host_memory: image_bytes + table_bytes. */
	uint64_t host_bytes;
	/** Pixel storage of 2D resources, and staging copies of blob scanouts. */
	uint64_t image_bytes;
	/** Backing tables (host mappings of guest ranges). */
	uint64_t table_bytes;
	/** Bookkeeping of resources and regions, bounded by the count limits. */
	uint64_t object_bytes;
	/** Guest entries held in backing tables. */
	uint64_t backing_entries;
};

/**
 * Creates a device.
 * @ingroup vgm-device
 *
 * @param config  copied; config->ops is copied too.
 * @param out     receives the device; untouched on failure.
 * @return 0; -EINVAL for a NULL argument, an unknown config or ops size, a
 *         nonzero unknown tail or config reserved field, a config size that ends
 *         inside a field (since 0.3), an unknown dialect, num_scanouts outside
 *         1..16, missing translate, an unknown renderer or renderer
 *         flag (since 0.3); -ENOMEM; with VGM_RENDERER_VIRGL (since 0.3):
 *         -ENOTSUP when the library was built without virglrenderer,
 *         -EBUSY when another virgl device is live in this process,
 *         -ENODEV when virglrenderer cannot start here (see
 *         vgm_renderer_available()).
 *
 * A virgl device (since 0.3) belongs to the thread that made it: every
 * later call on it must come from that thread (from another one it
 * returns -EBUSY and does nothing; vgm_device_destroy() returns and does
 * nothing, the device still valid), because virglrenderer makes its
 * OpenGL context current on that thread, replacing the one the VMM had
 * current there, and expects every later call on the same thread. Neither
 * is logged: the log callback belongs to the owner thread, which may be
 * inside it.
 * @since 0.1
 */
VGM_EXPORT int vgm_device_new(const struct vgm_device_config *config, struct vgm_device **out);

/**
 * Whether vgm_device_new() could make a device with this renderer now.
 * VGM_RENDERER_2D is always available. For VGM_RENDERER_VIRGL this asks
 * EGL whether it can run surfaceless (it does not start virglrenderer).
 * The library does not link virglrenderer and EGL: the first question
 * about VGM_RENDERER_VIRGL (here or in vgm_device_new()) loads them
 * (libvirglrenderer.so.1, libEGL.so.1), and they stay loaded; a process
 * that makes only 2D devices never loads them.
 * Any thread.
 * @return 0 when available; -EINVAL for an unknown renderer; -ENOTSUP when
 *         the library was built without it; -ENODEV when virglrenderer or
 *         EGL cannot be loaded, or EGL cannot run without a display here
 *         (no EGL vendor library, or no surfaceless platform); -EBUSY when
 *         a virgl device is live in this process.
 * @ingroup vgm-device
 * @param renderer  enum vgm_renderer.
 * @since 0.3
 */
VGM_EXPORT int vgm_renderer_available(uint32_t renderer);

/**
 * Destroys a device: every resource and region is freed and every mapping
 * released. Calls release() but no display callbacks. NULL is a no-op.
 * Requests in flight (since 0.3) get their ERR_UNSPEC response written to
 * their out elements, which must still be valid, as for a reset, but no
 * callback: neither fence_done() nor request_done() (the VMM is tearing
 * down its queues).
 *
 * From inside one of the device's own callbacks it is refused (since 0.3):
 * it logs the API misuse and does nothing, the device stays valid, and the
 * VMM destroys it once the library call that made the callback has
 * returned (a VMM that wants to from a callback sets a flag there).
 * A virgl device is destroyed on the thread that made it only: from
 * another thread this returns and does nothing, without logging (see
 * vgm_device_new()); the device, and everything of the VMM it points
 * into, stays valid until its own thread destroys it.
 * @ingroup vgm-device
 * @param dev  the device, or NULL.
 * @since 0.1
 */
VGM_EXPORT void vgm_device_destroy(struct vgm_device *dev);

/**
 * The feature bits the device offers (device feature bits 0..23).
 * @ingroup vgm-device
 * @param dev      the device.
 * @param offered  receives the bits (VGM_GPU_F_* as 1ull << bit).
 * @return 0; -EINVAL for a NULL argument; -EBUSY inside one of the device's callbacks (since 0.3).
 * @since 0.1
 */
VGM_EXPORT int vgm_device_get_features(const struct vgm_device *dev, uint64_t *offered);

/**
 * Tells the device what the driver accepted. Bits 24 and up are transport
 * features and are ignored. Commands gated by a feature are answered
 * ERR_UNSPEC until it is accepted, but for GET_EDID, which is answered
 * whenever the device offers VIRTIO_GPU_F_EDID, accepted or not (since
 * 0.3; as QEMU does: virtio-win's Windows driver asks for EDIDs without
 * accepting the feature). vgm_device_reset() clears the set.
 * @ingroup vgm-device
 * @param dev       the device.
 * @param accepted  the driver's feature bits, transport bits included.
 * @return 0; -EINVAL for NULL or a device bit that was not offered;
 *         -EBUSY inside one of the device's callbacks (since 0.3).
 * @since 0.1
 */
VGM_EXPORT int vgm_device_set_features(struct vgm_device *dev, uint64_t accepted);

/**
 * Reads the 16-byte device configuration space (struct vgm_gpu_config,
 * little-endian) at [offset, offset + len).
 * @ingroup vgm-device
 * @param dev     the device.
 * @param offset  first byte, 0..15.
 * @param buf     receives len bytes.
 * @param len     bytes to read; offset + len <= 16.
 * @return 0; -EINVAL for NULL or a range outside the 16 bytes;
 *         -EBUSY inside one of the device's callbacks (since 0.3).
 * @since 0.1
 */
VGM_EXPORT int vgm_device_config_read(const struct vgm_device *dev, uint32_t offset, void *buf,
				      uint32_t len);

/**
 * Writes the configuration space. Only events_clear is writable: its bits
 * clear events_read. Writes to the read-only fields are ignored.
 * @ingroup vgm-device
 * @param dev     the device.
 * @param offset  first byte, 0..15.
 * @param buf     the len bytes the driver wrote.
 * @param len     bytes written; offset + len <= 16.
 * @return 0; -EINVAL for NULL or a range outside the 16 bytes;
 *         -EBUSY inside one of the device's callbacks (since 0.3).
 * @since 0.1
 */
VGM_EXPORT int vgm_device_config_write(struct vgm_device *dev, uint32_t offset, const void *buf,
				       uint32_t len);

/**
 * The VMM changed a display: connected or not, preferred size (0x0 keeps the
 * current one). Sets VGM_GPU_EVENT_DISPLAY and calls config_changed().
 * @ingroup vgm-display
 * @param dev      the device.
 * @param scanout  0..num_scanouts - 1.
 * @param enabled  a display is connected.
 * @param width    its preferred width, 0..16384 (0 with height 0: unchanged).
 * @param height   its preferred height, 0..16384.
 * @return 0; -EINVAL for NULL, scanout >= num_scanouts, or a size above 16384;
 *         -EBUSY inside one of the device's callbacks (since 0.3).
 * @since 0.1
 */
VGM_EXPORT int vgm_device_set_display(struct vgm_device *dev, uint32_t scanout, bool enabled,
				      uint32_t width, uint32_t height);

/**
 * Supplies the EDID of a scanout (copied): 128..1024 bytes, a multiple of
 * 128, with valid header and checksums. NULL (len 0) goes back to the
 * generated EDID.
 * @ingroup vgm-display
 * @param dev      the device.
 * @param scanout  0..num_scanouts - 1.
 * @param edid     the EDID, copied; NULL for the generated one.
 * @param len      its bytes; 0 with NULL.
 * @return 0; -EINVAL for NULL dev, a bad scanout or an invalid EDID;
 *         -EBUSY inside one of the device's callbacks (since 0.3).
 * @since 0.1
 */
VGM_EXPORT int vgm_device_set_edid(struct vgm_device *dev, uint32_t scanout, const void *edid,
				   size_t len);

/**
 * Processes one request: in/in_cnt is the device-readable part of the
 * descriptor chain, out/out_cnt the device-writable part. The request may be
 * split over any number of elements; it is copied once and guest bytes are
 * never read again. The response goes to out; *written receives its length
 * (0 on the cursor queue, which has no responses). A writable part smaller
 * than the response gets what fits.
 * @ingroup vgm-requests
 *
 * A request whose work completes later (a fenced one on a virgl device,
 * since 0.3) is waited for: this polls the renderer until its response is
 * written, so the contract above holds with every renderer. While it
 * waits, requests of vgm_device_submit_tagged() may complete
 * (request_done() called). vgm_device_submit_tagged() does not wait.
 *
 * @param dev      the device.
 * @param queue    the virtqueue the chain came from.
 * @param in       the device-readable buffers of the chain, in order.
 * @param in_cnt   how many; 0 with NULL in.
 * @param out      the device-writable buffers of the chain, in order.
 * @param out_cnt  how many; 0 with NULL out.
 * @param written  receives the bytes written to out: the used length.
 * @return 0 whatever the guest sent; -EINVAL for NULL dev or written, an
 *         unknown queue, or a NULL array with a nonzero count; -EBUSY inside one of the device's callbacks (since 0.3).
 * @since 0.1
 */
VGM_EXPORT int vgm_device_submit(struct vgm_device *dev, enum vgm_queue queue,
				 const struct iovec *in, size_t in_cnt, const struct iovec *out,
				 size_t out_cnt, size_t *written);

/**
 * A hint: the request in/in_cnt is the one this queue will submit next.
 * The device asks for the memory its lookup will read (the resource the
 * request names, in the table of live resources), so that a cache miss
 * overlaps the work of the request submitted before it. Among many
 * resources that miss is most of a short request's cost: a RESOURCE_FLUSH
 * among a million resources took 210 ns one at a time and 110 ns hinted
 * one request ahead (medians of eight runs, docs/benchmarks.md), and a
 * hint costs about 10 ns where nothing misses. A VMM that pops several
 * chains at a kick calls this with the next chain before submitting the
 * current one.
 * @ingroup vgm-requests
 *
 * Reads the request's type and resource id, nothing more, and never waits
 * for memory; changes nothing, records nothing, logs nothing: the request
 * is decoded, checked and answered only when it is submitted, and a guest's
 * bytes that name no resource, or no command, are simply not hinted. A
 * hint never has to be followed by its request.
 *
 * @param dev      the device.
 * @param queue    the virtqueue the chain came from.
 * @param in       the device-readable buffers of the chain, in order.
 * @param in_cnt   how many; 0 with NULL in.
 * @return 0 whatever the guest sent; -EINVAL for NULL dev, an unknown
 *         queue, or a NULL array with a nonzero count; -EBUSY inside one of
 *         the device's callbacks.
 * @since 0.4
 */
VGM_EXPORT int vgm_device_prefetch(const struct vgm_device *dev, enum vgm_queue queue,
				   const struct iovec *in, size_t in_cnt);

/**
 * Virtio device reset: frees every resource and region (releasing their
 * mappings), disables every scanout that showed something (callback), clears
 * accepted features and events, and forgets each scanout's cursor (its
 * image too, since 0.4; the host is not told). Display configuration and
 * EDIDs stay.
 * Requests in flight (since 0.3) are answered first, in the order they
 * were submitted, each with VGM_GPU_RESP_ERR_UNSPEC (its fence echoed, so
 * a guest that still waits stops waiting) and request_done() called, but
 * without fence_done(): the renderer's work for them is abandoned. When
 * this returns nothing is in flight.
 * @ingroup vgm-device
 * @param dev  the device.
 * @return 0; -EINVAL for NULL; -EBUSY inside one of the device's callbacks (since 0.3).
 * @since 0.1
 */
VGM_EXPORT int vgm_device_reset(struct vgm_device *dev);

/**
 * Describes a live resource.
 * @ingroup vgm-introspection
 * @param dev          the device.
 * @param resource_id  the guest's id of the resource.
 * @param info         info->size set by the caller; filled up to it.
 * @return 0; -EINVAL for NULL or an unknown info->size: below
 *         sizeof(struct vgm_resource_info) and neither 0.1's sizeof
 *         (where scanout_mask ends, or 4 bytes further where uint64_t is
 *         aligned to 8) nor the end of a member added since (one that ends
 *         inside a member is refused since 0.4); -ENOENT when no
 *         resource has that id; -EBUSY inside one of the device's callbacks (since 0.3).
 * @since 0.1
 */
VGM_EXPORT int vgm_device_get_resource_info(const struct vgm_device *dev, uint32_t resource_id,
					    struct vgm_resource_info *info);

/**
 * Describes a scanout.
 * @ingroup vgm-introspection
 * @param dev      the device.
 * @param scanout  0..num_scanouts - 1.
 * @param info     info->size set by the caller; filled up to it.
 * @return 0; -EINVAL for NULL, an unknown info->size (below
 *         sizeof(struct vgm_scanout_info), unchanged since 0.1: refused
 *         since 0.4 when it is 8 or more) or scanout >= num_scanouts;
 *         -EBUSY inside one of the device's callbacks (since 0.3).
 * @since 0.1
 */
VGM_EXPORT int vgm_device_get_scanout_info(const struct vgm_device *dev, uint32_t scanout,
					   struct vgm_scanout_info *info);

/**
 * What a scanout shows now: the pixels scanout_set() gave last, with the
 * same lifetime (vgm_pixels.data: until the next scanout_set(),
 * scanout_dmabuf() or scanout_disable() for that scanout has returned).
 * @ingroup vgm-display
 * @param dev      the device.
 * @param scanout  0..num_scanouts - 1.
 * @param px       receives the pixels.
 * @return 0; -EINVAL for NULL or a bad scanout; -ENODATA if it shows nothing;
 *         -EBUSY inside one of the device's callbacks (since 0.3).
 * @since 0.1
 */
VGM_EXPORT int vgm_device_get_scanout_pixels(const struct vgm_device *dev, uint32_t scanout,
					     struct vgm_pixels *px);

/**
 * Copies what a scanout shows (its rectangle of the resource, without the
 * cursor) into dst, converted to fourcc: one of the eight 32-bit formats of
 * 2D resources (DRM_FORMAT_XRGB8888, ...) or DRM_FORMAT_BGR888 (bytes R, G,
 * B, as PPM and PNG want them). In the resource's own format the bytes are
 * copied as they are (X bytes included). dst holds the rectangle's height rows of
 * dst_stride bytes (a multiple of 4); see vgm_device_get_scanout_info()
 * for its size.
 * @ingroup vgm-display
 * @param dev         the device.
 * @param scanout     0..num_scanouts - 1.
 * @param fourcc      the format of dst (DRM_FORMAT_*).
 * @param dst         receives the rectangle's pixels.
 * @param dst_stride  bytes from one row of dst to the next.
 * @return 0; -EINVAL for NULL, a bad scanout, an unsupported fourcc or a
 *         stride that is below width * bytes per pixel or not a multiple of 4;
 *         -ENODATA if the scanout shows nothing; -ENOMEM, also when a blob's
 *         rows span more than 4 GiB (only its own format is copied then);
 *         -EBUSY inside one of the device's callbacks (since 0.3).
 * @since 0.1
 */
VGM_EXPORT int vgm_device_read_scanout(const struct vgm_device *dev, uint32_t scanout,
				       uint32_t fourcc, void *dst, uint32_t dst_stride);

/**
 * Finds the resource that RESOURCE_ASSIGN_UUID gave this UUID, so a VMM can
 * resolve a buffer another virtio device names. O(1).
 * @ingroup vgm-introspection
 * @param dev          the device.
 * @param uuid         the 16 bytes of the UUID.
 * @param resource_id  receives the resource's id.
 * @return 0; -EINVAL for NULL; -ENOENT when no live resource has it;
 *         -EBUSY inside one of the device's callbacks (since 0.3).
 * @since 0.2
 */
VGM_EXPORT int vgm_device_find_uuid(const struct vgm_device *dev, const uint8_t uuid[16],
				    uint32_t *resource_id);

/**
 * Counters of live objects and host memory.
 * @ingroup vgm-introspection
 * @param dev    the device.
 * @param stats  stats->size set by the caller; filled up to it.
 * @return 0; -EINVAL for NULL or an unknown stats->size (below
 *         sizeof(struct vgm_stats), unchanged since 0.1: refused since 0.4
 *         when it is 8 or more); -EBUSY inside one of the device's
 *         callbacks (since 0.3).
 * @since 0.1
 */
VGM_EXPORT int vgm_device_get_stats(const struct vgm_device *dev, struct vgm_stats *stats);

/**
 * Starts recording what the guest sends the device, as a vgm-trace v1
 * stream (docs/trace-format.md) that vgm-replay replays: at the first
 * request a device line (dialect, accepted features, displays, limits, the
 * VMM's EDIDs), then before each request the guest memory the device has
 * mapped that changed (ram, write and fill lines), the request itself, and
 * for the control queue the response as an "# expect:" comment. Guest
 * memory is read through the mappings translate() gave, on the device's
 * thread, inside vgm_device_submit(). docs/recording.md says what a
 * recording cannot hold (a reset ends it; display, EDID and feature changes
 * after the first request are not in it).
 *
 * A 3D device (VGM_RENDERER_VIRGL) is recorded too (renderer=virgl on the
 * device line): a request vgm_device_submit_tagged() leaves in flight is
 * written when it is submitted, in order, and its "# expect:" line when
 * the library answers it (before request_done()); SUBMIT_3D's commands are
 * part of its request; GET_CAPSET_INFO and GET_CAPSET are marked hostdep.
 *
 * Start it before the guest's first request or after vgm_device_reset().
 * The library writes to its own duplicate of fd (dup()), flushed after each
 * request: the caller may close fd. A write error or running out of memory
 * stops the recording (logged); vgm_device_record_stop() then says why.
 *
 * @ingroup vgm-device
 * @param dev the device
 * @param fd a file descriptor open for writing (a file, a pipe, a socket)
 * @return 0; -EINVAL for NULL or fd < 0; -EBUSY when the device records
 *         already, has live resources or memory regions or requests in
 *         flight, or inside one of its callbacks; -ENOMEM;
 *         a negative errno of dup() or fdopen().
 * @since 0.3
 */
VGM_EXPORT int vgm_device_record_start(struct vgm_device *dev, int fd);

/**
 * Ends a recording started with vgm_device_record_start(): flushes and
 * closes the library's duplicate of the fd. vgm_device_destroy() ends one
 * too.
 * @ingroup vgm-device
 *
 * @param dev the device
 * @return 0 when everything was written; -EIO when a write failed, -ENOMEM
 *         or -E2BIG (more than 4 GiB of guest memory mapped) when the
 *         recording stopped early (what it holds up to then replays);
 *         -EINVAL for NULL or when the device does not record; -EBUSY
 *         inside one of its callbacks.
 * @since 0.3
 */
VGM_EXPORT int vgm_device_record_stop(struct vgm_device *dev);

/**
 * Name of a command type in a dialect. Any thread.
 * @ingroup vgm-introspection
 * @param dialect  enum vgm_dialect.
 * @param type     a command type, VGM_GPU_CMD_*.
 * @return its name ("RESOURCE_CREATE_2D"), static storage; NULL if unknown.
 * @since 0.1
 */
VGM_EXPORT const char *vgm_command_name(enum vgm_dialect dialect, uint32_t type);

/**
 * Name of a response type in a dialect. Any thread.
 * @ingroup vgm-introspection
 * @param dialect  enum vgm_dialect.
 * @param type     a response type, VGM_GPU_RESP_*.
 * @return its name ("OK_NODATA", "ERR_INVALID_MEMORY_ID"), static storage;
 *         NULL if unknown, an unknown dialect included (before 0.3 that
 *         was answered as VGM_DIALECT_STANDARD).
 * @since 0.1
 */
VGM_EXPORT const char *vgm_response_name(enum vgm_dialect dialect, uint32_t type);

/**
 * @defgroup vgm-wire The wire table
 * @ingroup vgm-introspection
 *
 * The library's own description of every command of both dialects and of
 * its responses: what its decoder, its encoder and vgm_command_name() read,
 * offered read-only to tools (trace writers, recorders, bindings) so they
 * carry no copy of the layouts. It describes the protocol: a command the
 * library refuses (the 3D commands, RESOURCE_MAP_BLOB) is in it too.
 * Everything is static and constant: the same for every device, safe from
 * any thread, valid for the life of the process.
 *
 * Every message begins with the 24-byte header, whose fields are the first
 * six of every request and response layout ("hdr.type", "hdr.flags",
 * "hdr.fence_id", "hdr.ctx_id", "hdr.ring_idx", "hdr.padding"). Fields are
 * named by their C member designator in <virtgpu-mem/protocol.h> ("r",
 * "pos.x") or, for the structs protocol.h does not have, in the virtio
 * specification ("box.x", "debug_name"). Fields are listed in wire order,
 * each starting where the one before ends; all values are little-endian.
 * @{
 */

/** What a field holds. @since 0.3 */
enum vgm_wire_kind {
	VGM_WIRE_U8 = 1,      /**< one byte */
	VGM_WIRE_U32 = 2,     /**< a 32-bit number */
	VGM_WIRE_U64 = 3,     /**< a 64-bit number */
	VGM_WIRE_RECT = 4,    /**< x, y, width, height: four 32-bit numbers */
	VGM_WIRE_U32S = 5,    /**< count 32-bit numbers */
	VGM_WIRE_U64S = 6,    /**< count 64-bit numbers */
	VGM_WIRE_TEXT = 7,    /**< count bytes of text, NUL-padded */
	VGM_WIRE_BYTES = 8,   /**< count bytes */
	VGM_WIRE_PAD = 9,     /**< count bytes the sender zeroes and the receiver ignores */
	VGM_WIRE_RECORDS = 10 /**< count records, each laid out as vgm_wire_field.record */
};

/** vgm_wire_field.flags: what a field means beyond its bytes. @since 0.3 */
#define VGM_WIRE_FORMAT 0x1u      /**< a 2D format, VGM_GPU_FORMAT_* */
#define VGM_WIRE_COUNT 0x2u       /**< how many records follow the fixed part */
#define VGM_WIRE_TOTAL 0x4u       /**< the bytes those records describe (their lengths' sum) */
#define VGM_WIRE_TEXT_LENGTH 0x8u /**< the length of the message's VGM_WIRE_TEXT field */
#define VGM_WIRE_LENGTH 0x10u     /**< how many bytes follow the fixed part */

/** What may follow the fixed part of a message. @since 0.3 */
enum vgm_wire_trailer {
	VGM_WIRE_TRAILER_NONE = 0, /**< nothing */
	/** Records laid out as vgm_wire_layout.record, as many as the field
	 * flagged VGM_WIRE_COUNT says (the mem entries of ATTACH_BACKING). */
	VGM_WIRE_TRAILER_RECORDS = 1,
	/** Bytes: as many as the field flagged VGM_WIRE_LENGTH says, or, with
	 * none, the rest of the message (SUBMIT_3D's commands, a capset). */
	VGM_WIRE_TRAILER_BYTES = 2
};

struct vgm_wire_layout;

/** One field of a message or of a record. @since 0.3 */
struct vgm_wire_field {
	/** Its C member designator: "resource_id", "hdr.fence_id", "pos.x". */
	const char *name;
	/** enum vgm_wire_kind. */
	uint32_t kind;
	/** Bytes from the start of the message (header included) or record. */
	uint32_t offset;
	/** Bytes on the wire. */
	uint32_t size;
	/** Numbers (U32S, U64S), records (RECORDS) or bytes (TEXT, BYTES,
	 * PAD); 1 for U8, U32, U64 and RECT. */
	uint32_t count;
	/** VGM_WIRE_FORMAT, VGM_WIRE_COUNT, ... or 0. */
	uint32_t flags;
	/** VGM_WIRE_RECORDS: the layout of one record; NULL otherwise. */
	const struct vgm_wire_layout *record;
};

/** A message (request or response), or a record. @since 0.3 */
struct vgm_wire_layout {
	/** Bytes of the fixed part, header included for a message. */
	uint32_t size;
	/** How many fields it has. */
	uint32_t nfields;
	/** Its fields, in wire order, filling the fixed part. */
	const struct vgm_wire_field *fields;
	/** enum vgm_wire_trailer: what may follow the fixed part. */
	uint32_t trailer;
	/** VGM_WIRE_TRAILER_RECORDS: the layout of one record; NULL otherwise. */
	const struct vgm_wire_layout *record;
};

/** A command of the protocol. @since 0.3 */
struct vgm_wire_command {
	/** sizeof(struct vgm_wire_command) in the library that made it: a
	 * tool built against a later header reads no member past it. */
	uint32_t size;
	/** VGM_GPU_CMD_*. */
	uint32_t type;
	/** Its name, as vgm_command_name() gives it. */
	const char *name;
	/** Bit (1u << enum vgm_dialect) set for each dialect that has it. */
	uint32_t dialects;
	/** enum vgm_queue it is sent on. */
	uint32_t queue;
	/** The VGM_GPU_F_* feature bit that gates it in the protocol, -1 for
	 * none. (GET_EDID: see vgm_device_set_features().) */
	int32_t feature;
	/** The request. */
	const struct vgm_wire_layout *request;
	/** VGM_GPU_RESP_OK_* answered on success; 0 for a command that is not
	 * answered (the cursor queue). */
	uint32_t ok;
	/** That response's layout; NULL when ok is 0. */
	const struct vgm_wire_layout *response;
};

/**
 * The description of a command of a dialect.
 *
 * @param dialect  VGM_DIALECT_STANDARD or VGM_DIALECT_MEMORY_RFC.
 * @param type     a command type, VGM_GPU_CMD_*.
 * @return the command (static storage, never to be freed), or NULL for a
 *         type the dialect does not have or an unknown dialect. A tool
 *         lists a dialect's commands by asking for 0x0100..0x03ff.
 * @since 0.3
 */
VGM_EXPORT const struct vgm_wire_command *vgm_wire_command(enum vgm_dialect dialect,
							   uint32_t type);

/** @} */

/**
 * @defgroup state Saving and restoring a device
 *
 * A VMM that migrates a guest, or saves it to disk, saves the device into
 * bytes it owns (vgm_device_save_size(), vgm_device_save()), creates a
 * device with the same config on the destination, loads the bytes into it
 * (vgm_device_load()) and, once the guest's memory is mapped there,
 * resumes it (vgm_device_resume()). The format is docs/snapshot-format.md:
 * versioned, little-endian, checksummed; a state saved by this version
 * loads in every later one. Only 2D state can be saved: a device with a 3D
 * context or resource cannot.
 *
 * Guest memory that moves under a live device (IOMMU invalidation,
 * vfio-user DMA unregister, virtio-mem unplug) is vgm_device_unmap_guest().
 * @{
 */

/** vgm_device_config.flags: the device can be saved (vgm_device_save()).
 * A device with a 3D renderer can never be saveable: vgm_device_new()
 * refuses VGM_RENDERER_VIRGL with it (-EINVAL).
 * @since 0.3 */
#define VGM_DEVICE_SAVEABLE (1u << 0)

/** Why vgm_device_can_save() says no, as bits. @since 0.3 */
enum vgm_save_blocker {
	/** The device was created without VGM_DEVICE_SAVEABLE. */
	VGM_SAVE_BLOCKED_NOT_SAVEABLE = 1u << 0,
	/** A request is in flight (its fence not yet completed). */
	VGM_SAVE_BLOCKED_IN_FLIGHT = 1u << 1,
	/** A 3D context or resource exists: a 3D renderer's state cannot be
	 * saved. */
	VGM_SAVE_BLOCKED_3D = 1u << 2,
};

/**
 * Whether a save would succeed now.
 *
 * @param dev  the device.
 * @param why  if not NULL, receives the VGM_SAVE_BLOCKED_* bits (0 when
 *             the device can be saved), so a VMM can say why, as QEMU's
 *             migration blockers do.
 * @return 0 when it can, -EBUSY when it cannot now, -EINVAL for a NULL
 *         device.
 * @since 0.3
 */
VGM_EXPORT int vgm_device_can_save(const struct vgm_device *dev, uint32_t *why);

/**
 * The bytes the next vgm_device_save() writes, if nothing changes before.
 * A 2D image's zeros cost nothing: an image never written is a few bytes.
 *
 * @param dev   the device.
 * @param size  receives the bytes.
 * @return 0, -EBUSY (vgm_device_can_save() says no), -ENOMEM, -EINVAL.
 * @since 0.3
 */
VGM_EXPORT int vgm_device_save_size(const struct vgm_device *dev, size_t *size);

/**
 * Saves the device's state into buf: features, events, the display
 * configuration and the VMM's EDIDs, resources (2D pixels as the last
 * transfer left them), regions and memory ids by guest address, what each
 * scanout shows, each scanout's cursor, the last fence completed. No host
 * address is saved. Makes no callback. The state is walked once: a
 * buffer that turns out too small may have received part of it (never
 * past len), and is refused at the end. A device loaded and not yet
 * resumed (vgm_device_load()) saves the state it loaded, so a VMM may
 * migrate it on before the guest runs (since 0.4).
 *
 * @param dev      the device.
 * @param buf      where the state goes.
 * @param len      bytes at buf.
 * @param written  receives the bytes written.
 * @return 0; -ENOSPC when len is too small (buf then holds no valid
 *         state); -EBUSY when vgm_device_can_save() says no; -ENOMEM;
 *         -EINVAL.
 * @since 0.3
 */
VGM_EXPORT int vgm_device_save(const struct vgm_device *dev, void *buf, size_t len,
			       size_t *written);

/**
 * Loads a saved state into a device created with the same dialect and
 * number of scanouts, VGM_DEVICE_SAVEABLE, and not used yet: no request
 * submitted, no features set (vgm_device_set_display() and
 * vgm_device_set_edid() may have been called: the state's display
 * configuration replaces theirs). The bytes are checked as guest requests
 * are, against this device's limits and host-memory budget, before
 * anything is allocated. All or nothing.
 *
 * The loaded device holds no host mapping and has made no callback: it is
 * "loaded, not resumed". vgm_device_submit() answers -EBUSY until
 * vgm_device_resume(); its scanouts show nothing (-ENODATA) until then;
 * vgm_device_save() saves what was loaded.
 *
 * @param dev  a fresh device.
 * @param buf  a state saved by vgm_device_save(), treated as hostile.
 * @param len  its bytes.
 * @return 0; -EINVAL for a malformed or hostile state (one log line names
 *         the section and the field) or a device that is not fresh, not
 *         saveable or recording (vgm_device_record_start(): API misuse,
 *         logged); -ENOMEM. On error the device is as it was.
 * @since 0.3
 */
VGM_EXPORT int vgm_device_load(struct vgm_device *dev, const void *buf, size_t len);

/**
 * Resumes a loaded device once the guest's memory is mapped: translates
 * every region's guest ranges anew (through translate()), then replays
 * the display callbacks so the host shows what the guest showed:
 * scanout_set() or scanout_dmabuf() for each scanout that shows a
 * resource, cursor_set() for each visible cursor, resource_uuid() for each
 * resource with a UUID, in the order of their ids. A backing translate()
 * refuses is lost, as vgm_device_unmap_guest() describes; a scanout that
 * showed a blob in it shows nothing, and the host, never shown it, is not
 * told.
 *
 * @param dev  the loaded device.
 * @return the number of backings lost (0: all mapped again); -EINVAL when
 *         the device was not loaded (API misuse, logged).
 * @since 0.3
 */
VGM_EXPORT int vgm_device_resume(struct vgm_device *dev);

/**
 * The guest range [gpa, gpa + len) is no longer mapped where it was:
 * every mapping of the device in a region with a range in it is given
 * back (release() for each) and the region is translated again at once,
 * whole, as the request that made it was; each scanout showing a blob in
 * it is shown again (scanout_set() or scanout_dmabuf() with the new
 * pixels); a virgl renderer is given the new host addresses of each
 * backing it had. Call it after the range is mapped again (or knowing it
 * will not be): neither the library nor virglrenderer reads the old
 * mappings afterwards.
 *
 * A backing that cannot be translated again (translate() refuses, or the
 * budget is exceeded) is lost: TRANSFER_TO_HOST_2D from it and
 * SET_SCANOUT_BLOB of it answer ERR_UNSPEC, the scanouts showing a blob in
 * it are disabled (scanout_disable()), a 2D resource keeps the pixels it
 * had; DETACH_BACKING, UNREF and MEMORY_UNREF work as before. A later
 * vgm_device_unmap_guest() over any range maps it again if it can.
 *
 * @param dev  the device.
 * @param gpa  the range's first guest physical address.
 * @param len  its bytes.
 * @return the number of backings lost (0: all mapped again), or -EINVAL.
 * @since 0.3
 */
VGM_EXPORT int vgm_device_unmap_guest(struct vgm_device *dev, uint64_t gpa, uint64_t len);

/** @} */

/** The library's version (of the library that runs, which may be later
 * than the headers': VGM_VERSION_STRING). Any thread.
 * @ingroup vgm-device
 * @return e.g. "0.1.0", static storage.
 * @since 0.1 */
VGM_EXPORT const char *vgm_version(void);

/* ---- Requests that complete later (since 0.3) ----------------------------------- */

/**
 * Processes one request as vgm_device_submit() does, but without waiting
 * for work that completes later. A fenced request whose work the renderer
 * has not finished (virgl: until its fence signals), or that must wait
 * behind such a request of its fence timeline, stays in flight: this
 * returns -EINPROGRESS, *written is 0, and the library keeps a copy of the
 * out array (not of the memory it points to, which must stay valid). Once
 * answered, its response is written there and request_done(tag, written)
 * is called, from inside vgm_device_poll() (or vgm_device_reset(), or a
 * vgm_device_submit() that waits).
 *
 * Order: on each fence timeline (a context's ring with
 * VGM_GPU_FLAG_INFO_RING_IDX, else the device's one global timeline),
 * fenced requests are answered in the order they were submitted: once one
 * is in flight, every later fenced request of its timeline, 2D and error
 * answers included, waits behind it (Linux signals every earlier fence of
 * a timeline when a later one completes). Unfenced requests are answered
 * at once, as the Linux driver waits only on fences. With the 2D renderer
 * nothing is ever in flight.
 *
 * @ingroup vgm-requests
 * @param dev      the device.
 * @param queue    the virtqueue the chain came from.
 * @param in       the device-readable buffers of the chain, in order.
 * @param in_cnt   how many; 0 with NULL in.
 * @param out      the device-writable buffers of the chain, in order; the
 *                 array is copied, the memory it points to must stay valid
 *                 until request_done() for this tag.
 * @param out_cnt  how many; 0 with NULL out.
 * @param tag      the VMM's, given back to request_done() (e.g. its
 *                 descriptor head).
 * @param written  receives the bytes written to out when answered now.
 * @return 0 (answered now, *written set); -EINPROGRESS (in flight);
 *         -EINVAL as vgm_device_submit(), or when ops has no
 *         request_done; -EBUSY inside one of the device's callbacks, or
 *         on another thread than a virgl device's.
 * @since 0.3
 */
VGM_EXPORT int vgm_device_submit_tagged(struct vgm_device *dev, enum vgm_queue queue,
					const struct iovec *in, size_t in_cnt,
					const struct iovec *out, size_t out_cnt, uint64_t tag,
					size_t *written);

/**
 * Lets the renderer report the work it completed and answers the requests
 * in flight that can be answered now (fence_done() and request_done()
 * called from inside this call, in order on each timeline). Call it when
 * the poll fd is readable, or by the deadline of vgm_device_next_poll().
 * Nothing in flight: returns at once.
 * @ingroup vgm-requests
 * @param dev  the device.
 * @return 0; -EINVAL for NULL; -EBUSY inside one of the device's
 *         callbacks, or on another thread than a virgl device's.
 * @since 0.3
 */
VGM_EXPORT int vgm_device_poll(struct vgm_device *dev);

/**
 * An fd that becomes readable when the renderer has completions to report
 * (then call vgm_device_poll(), which drains it): a virgl device made with
 * VGM_VIRGL_THREAD_SYNC has one, until vgm_device_reset() (virglrenderer
 * cannot restart its fence thread: afterwards -ENOENT, and the VMM polls
 * by the deadline). The fd belongs to the device: do not close it; it is
 * valid until vgm_device_reset() or vgm_device_destroy().
 * @ingroup vgm-requests
 * @param dev  the device.
 * @param fd   receives the fd.
 * @return 0 (*fd set); -ENOENT when there is none; -EINVAL for NULL;
 *         -EBUSY as vgm_device_poll().
 * @since 0.3
 */
VGM_EXPORT int vgm_device_get_poll_fd(const struct vgm_device *dev, int *fd);

/**
 * While requests are in flight: the CLOCK_MONOTONIC time, in nanoseconds,
 * by which vgm_device_poll() must be called (10 ms from now, as QEMU polls
 * virglrenderer), poll fd or not.
 * @ingroup vgm-requests
 * @param dev          the device.
 * @param deadline_ns  receives the deadline.
 * @return 0 (*deadline_ns set); -ENOENT when nothing is in flight;
 *         -EINVAL for NULL; -EBUSY as vgm_device_poll().
 * @since 0.3
 */
VGM_EXPORT int vgm_device_next_poll(const struct vgm_device *dev, uint64_t *deadline_ns);

#ifdef __cplusplus
}
#endif

#endif /* VIRTGPU_MEM_H */
