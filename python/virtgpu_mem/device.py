# SPDX-License-Identifier: MIT
"""A virtio-gpu device: struct vgm_device behind a Python class.

    ram = GuestRam()
    ram.add(0x10000, 1 << 20)
    with Device(scanouts=[(1024, 768)], translate=ram.translate,
                scanout_set=lambda i, px: print(i, px.width, px.height)) as dev:
        dev.accept_features(dev.offered_features)
        resp = dev.submit(builders.GET_DISPLAY_INFO())

Callbacks are Python callables given by keyword, named as the members of
struct vgm_host_ops (only those given are installed, but scanout_set and
scanout_disable: the package watches them for Pixels.valid):

    translate(gpa, length) -> (address, contiguous) | (address, contiguous,
        fd, fd_offset) | negative errno | None (-EFAULT)      [required]
    release(mapping)                     mapping: a Mapping namedtuple
    fence_done(ctx_id, ring_idx, fence_id)
    config_changed()
    scanout_set(scanout, pixels)         pixels: Pixels (pointer, read(),
                                         valid; read() raises ValueError
                                         once the scanout shows another)
    scanout_disable(scanout)
    scanout_update(scanout, rect)        rect: Rect
    cursor_set(scanout, cursor)          cursor: Cursor (pixels copied)
    cursor_move(scanout, x, y)
    cursor_hide(scanout)
    log(level, message)
    resource_uuid(resource_id, uuid)     uuid: 16 bytes
    scanout_dmabuf(scanout, dmabuf)      dmabuf: DmaBuf (the fd is yours)
    request_done(tag, response)          a request of submit_tagged() that
                                         was in flight is answered: tag as
                                         given, response the bytes written

An exception raised in a callback never crosses the C library: it is
caught, the callback returns what a failure returns (translate: -EFAULT),
and the first such exception is raised again once the library call that
made the callback has returned. The device is used from one thread at a
time, as the C library says; its callbacks come on that thread (a virgl
device: the thread that made it, always).

Requests that complete later (a fenced 3D request on a renderer='virgl'
device): submit() waits for them; submit_tagged() does not. It returns
None for a request left in flight, and request_done(tag, response) gives
the answer from inside a later poll() (or reset(), or a submit() that
waits). Call poll() when poll_fd() is readable, or by next_poll()'s
deadline.
"""

import collections
import ctypes
import sys
import threading
import warnings

from . import _native
from .constants import (CURSOR_SIZE, DRM_FORMAT_BGR888, DRM_FORMAT_XRGB8888, FEATURES_ALL,
                        MAX_SCANOUTS, QUEUE_CONTROL, RENDERER_VIRGL, dialect_number,
                        renderer_number)
from .errors import EBUSY, EFAULT, EINPROGRESS, ENODATA, ENOENT, VgmError, check

Rect = collections.namedtuple('Rect', 'x y width height')
Mapping = collections.namedtuple('Mapping', 'ptr len cookie fd fd_offset')
Cursor = collections.namedtuple('Cursor', 'pixels hot_x hot_y x y')
DmaBuf = collections.namedtuple('DmaBuf',
                                'fd fourcc modifier stride offset size width height rect')


# Display callbacks always installed: they end what Pixels point at.
_WATCHED = ('scanout_set', 'scanout_disable')


class _Shown:
    """What a scanout shows, as long as it is valid (the header's "Threads
    and pixels"): until the next scanout_set, scanout_dmabuf or
    scanout_disable for that scanout has returned, or the device is closed.
    Shared by the Pixels of that image; valid is changed under the
    device's lock, which read() holds while it copies."""

    __slots__ = ('lock', 'scanout', 'valid')

    def __init__(self, lock, scanout):
        self.lock, self.scanout, self.valid = lock, scanout, True


class Pixels:
    """Pixels of a scanout: data points into the library's image (or guest
    memory), valid until the next scanout_set, scanout_dmabuf or
    scanout_disable for that scanout has returned, or the device is closed
    (the header's struct vgm_pixels). valid says whether it still is;
    read() copies, and raises ValueError once it is not."""

    def __init__(self, px, shown=None):
        self.data, self.stride, self.fourcc = px.data, px.stride, px.fourcc
        self.width, self.height = px.width, px.height
        self._shown = shown  # None: made by hand, not checked

    @property
    def valid(self):
        """Whether data still points at what the scanout shows."""
        return self._shown is None or self._shown.valid

    def read(self, bytes_per_pixel=4):
        """The rows as bytes: height rows of stride bytes (the last one
        width * bytes_per_pixel). May run on another thread than the
        device's; ValueError once the scanout no longer shows them."""
        if self._shown is None:
            return self._copy(bytes_per_pixel)
        with self._shown.lock:
            if not self._shown.valid:
                raise ValueError('scanout %d no longer shows these pixels (a scanout_set, '
                                 'scanout_dmabuf or scanout_disable came since, or the '
                                 'device was closed)' % self._shown.scanout)
            return self._copy(bytes_per_pixel)

    def _copy(self, bytes_per_pixel):
        if not self.data or not self.height:
            return b''
        return ctypes.string_at(self.data, self.stride * (self.height - 1) +
                                self.width * bytes_per_pixel)


class Scanout:
    """One display of the config: connected or not, preferred size (0x0:
    the library's default)."""

    def __init__(self, width=0, height=0, enabled=True):
        self.width, self.height, self.enabled = width, height, enabled


class DeviceConfig:
    """What a device is made of (struct vgm_device_config without the
    callbacks). scanouts: Scanout objects or (width, height) pairs; limits of
    0 are the library's defaults."""

    FIELDS = ('dialect', 'features', 'scanouts', 'max_host_memory', 'max_backing_entries',
              'max_resources', 'max_regions', 'max_table_pieces', 'log_level',
              'stream_threshold', 'flags', 'renderer', 'renderer_flags')

    def __init__(self, dialect='standard', features=FEATURES_ALL, scanouts=((0, 0),),
                 max_host_memory=0, max_backing_entries=0, max_resources=0, max_regions=0,
                 max_table_pieces=0, log_level=0, stream_threshold=0, flags=0,
                 renderer='2d', renderer_flags=0):
        self.dialect = dialect_number(dialect)
        self.features = features
        self.scanouts = [s if isinstance(s, Scanout) else Scanout(*s) for s in scanouts]
        self.max_host_memory, self.max_backing_entries = max_host_memory, max_backing_entries
        self.max_resources, self.max_regions = max_resources, max_regions
        self.max_table_pieces, self.log_level = max_table_pieces, log_level
        self.stream_threshold = stream_threshold
        self.flags = flags  # VGM_DEVICE_SAVEABLE (constants.DEVICE_SAVEABLE) or 0
        self.renderer = renderer_number(renderer)  # '2d', 'virgl' or RENDERER_*
        self.renderer_flags = renderer_flags  # virgl: VIRGL_THREAD_SYNC or 0

    def to_c(self, ops):
        if not 1 <= len(self.scanouts) <= MAX_SCANOUTS:
            raise ValueError('1 to %d scanouts' % MAX_SCANOUTS)
        c = _native.vgm_device_config(
            size=ctypes.sizeof(_native.vgm_device_config), dialect=self.dialect,
            features=self.features & FEATURES_ALL, num_scanouts=len(self.scanouts),
            max_host_memory=self.max_host_memory, max_backing_entries=self.max_backing_entries,
            max_resources=self.max_resources, max_regions=self.max_regions,
            log_level=self.log_level, ops=ctypes.pointer(ops),
            max_table_pieces=self.max_table_pieces, stream_threshold=self.stream_threshold,
            flags=self.flags, renderer=self.renderer, renderer_flags=self.renderer_flags)
        for i, s in enumerate(self.scanouts):
            c.scanouts[i] = _native.vgm_scanout_config(int(bool(s.enabled)), s.width, s.height)
        return c


def _namespace(name, cstruct):
    """A ctypes struct as a namedtuple, without its size field."""
    names = [n for n, _ in cstruct._fields_ if n != 'size']
    values = []
    for n in names:
        v = getattr(cstruct, n)
        if isinstance(v, _native.vgm_rect):
            v = Rect(v.x, v.y, v.width, v.height)
        elif isinstance(v, ctypes.Array):
            v = bytes(v)
        values.append(v)
    return collections.namedtuple(name, names)(*values)


class Device:
    """A device; see the module's documentation."""

    def __init__(self, config=None, **kwargs):
        callbacks = {k: kwargs.pop(k) for k in list(kwargs) if k in _native.CALLBACKS}
        if config is None:
            config = DeviceConfig(**kwargs)
        elif kwargs:
            raise TypeError('unknown arguments: %s' % ', '.join(kwargs))
        if 'translate' not in callbacks:
            raise TypeError('a device needs translate=')
        self._lib = _native.native()
        # Calls from several threads take turns: the library's device is
        # used by one thread at a time, and a call that waited finds the
        # device as the one before left it (closed, it may be). Callbacks
        # run on the calling thread, which holds it already.
        self._call_lock = threading.RLock()
        self._errors = []
        self._depth = 0  # callbacks running
        self._dev = None
        self._in_flight = {}  # the C tag -> (the caller's tag, its _Chain)
        self._next_tag = 0
        # What each scanout shows, once a Pixels of it was given out; the
        # display callbacks end it (and close()), so they are always
        # installed but scanout_dmabuf, whose presence the library asks.
        self._pixels_lock = threading.Lock()
        self._shown = {}
        for name in _WATCHED:
            callbacks.setdefault(name, None)
        self.config = config
        self._ops = _native.vgm_host_ops(size=ctypes.sizeof(_native.vgm_host_ops))
        self._trampolines = {}  # the C function objects must outlive the device
        for name, fn in callbacks.items():
            if fn is not None or name in _WATCHED:
                t = _native.CALLBACKS[name](self._trampoline(name, fn))
                self._trampolines[name] = t
                setattr(self._ops, name, t)
        self._cfg = config.to_c(self._ops)
        # A virgl device belongs to the thread that makes it: the library
        # refuses every call from another (EBUSY), and its
        # vgm_device_destroy() does nothing there.
        self._owner = threading.get_ident() if config.renderer == RENDERER_VIRGL else None
        dev = ctypes.c_void_p()
        self._call('vgm_device_new', ctypes.byref(self._cfg), ctypes.byref(dev))
        self._dev = dev

    # ---- callbacks -----------------------------------------------------------

    def _trampoline(self, name, fn):
        convert = getattr(self, '_cb_' + name)

        def trampoline(_host, *args):
            self._depth += 1
            try:
                return convert(fn, *args)
            except BaseException as e:  # noqa: B036 - nothing may unwind into C
                self._errors.append(e)
                return -EFAULT if name == 'translate' else None
            finally:
                self._depth -= 1
        return trampoline

    @staticmethod
    def _cb_translate(fn, gpa, length, map_p):
        res = fn(gpa, length)
        if res is None:
            return -EFAULT
        if isinstance(res, int):
            if res >= 0:
                raise ValueError('translate() returned %d: a tuple or a negative errno' % res)
            return res
        m = map_p.contents
        m.ptr, m.len = res[0], res[1]
        if len(res) > 2:
            m.fd, m.fd_offset = res[2], res[3]
        return 0

    @staticmethod
    def _cb_release(fn, map_p):
        m = map_p.contents
        fn(Mapping(m.ptr, m.len, m.cookie, m.fd, m.fd_offset))

    @staticmethod
    def _cb_fence_done(fn, ctx_id, ring_idx, fence_id):
        fn(ctx_id, ring_idx, fence_id)

    @staticmethod
    def _cb_config_changed(fn):
        fn()

    def _cb_scanout_set(self, fn, scanout, px_p):
        shown = _Shown(self._pixels_lock, scanout)
        try:
            if fn is not None:
                fn(scanout, Pixels(px_p.contents, shown))
        finally:
            self._stop_showing(scanout, shown)

    def _cb_scanout_disable(self, fn, scanout):
        try:
            if fn is not None:
                fn(scanout)
        finally:
            self._stop_showing(scanout)

    @staticmethod
    def _cb_scanout_update(fn, scanout, rect_p):
        r = rect_p.contents
        fn(scanout, Rect(r.x, r.y, r.width, r.height))

    @staticmethod
    def _cb_cursor_set(fn, scanout, cur_p):
        c = cur_p.contents
        pixels = ctypes.string_at(c.pixels, CURSOR_SIZE * CURSOR_SIZE * 4)
        fn(scanout, Cursor(pixels, c.hot_x, c.hot_y, c.x, c.y))

    @staticmethod
    def _cb_cursor_move(fn, scanout, x, y):
        fn(scanout, x, y)

    @staticmethod
    def _cb_cursor_hide(fn, scanout):
        fn(scanout)

    @staticmethod
    def _cb_log(fn, level, msg):
        fn(level, msg.decode('utf-8', 'replace') if msg else '')

    @staticmethod
    def _cb_resource_uuid(fn, resource_id, uuid_p):
        fn(resource_id, bytes(uuid_p.contents))

    def _cb_request_done(self, fn, tag, written):
        caller_tag, chain = self._in_flight.pop(tag)
        fn(caller_tag, _joined(chain.outs, written))

    def _cb_scanout_dmabuf(self, fn, scanout, buf_p):
        b = buf_p.contents
        r = b.rect
        try:
            fn(scanout, DmaBuf(b.fd, b.fourcc, b.modifier, b.stride, b.offset, b.size,
                               b.width, b.height, Rect(r.x, r.y, r.width, r.height)))
        finally:
            self._stop_showing(scanout)

    def _showing(self, scanout):
        """The _Shown of what scanout shows now."""
        with self._pixels_lock:
            shown = self._shown.get(scanout)
            if shown is None:
                shown = self._shown[scanout] = _Shown(self._pixels_lock, scanout)
            return shown

    def _stop_showing(self, scanout=None, shown=None):
        """The display callback for scanout has returned (scanout None: the
        device goes): the Pixels given out of what it showed raise from now
        on; shown is what it shows instead, if any."""
        with self._pixels_lock:
            old = self._shown.values() if scanout is None else [self._shown.get(scanout)]
            for s in old:
                if s is not None:
                    s.valid = False
            if scanout is None:
                self._shown.clear()
            elif shown is not None:
                self._shown[scanout] = shown
            else:
                self._shown.pop(scanout, None)

    # ---- calls -----------------------------------------------------------------

    def _call(self, name, *args, accept=None):
        """Calls the library; raises what a callback raised during the call,
        else VgmError for a negative errno other than accept (returned)."""
        with self._call_lock:
            return self._finish(name, self._invoke(name, *args), accept)

    def _invoke(self, name, *args):
        """Calls the library; what a callback raised is kept for _finish().
        A call from inside one of the device's callbacks (refused by the
        library, EBUSY, without a callback of its own) leaves what the
        outer call's callbacks raised alone: that call raises it."""
        fn = _function(self._lib, name)
        with self._call_lock:
            # args[0], the device, was taken before this thread's turn.
            if name not in ('vgm_device_new', 'vgm_device_destroy') and args[0] is not self._dev:
                raise ValueError('the device is closed')
            if not self._depth:
                self._errors.clear()
            return fn(*args)

    def _finish(self, name, ret, accept=None):
        if self._errors and not self._depth:
            err = self._errors[0]
            self._errors.clear()
            raise err
        if ret is None or (accept is not None and ret == -accept):
            return ret
        return check(ret, name)

    def _device(self):
        if self._dev is None:
            raise ValueError('the device is closed')
        return self._dev

    def close(self):
        """Destroys the device (its mappings are released). Closing twice is
        a no-op; from inside one of its callbacks it raises VgmError(EBUSY),
        as the library refuses it there, and so it does for a virgl device
        on a thread other than the one that made it (the device stays open
        for that thread)."""
        with self._call_lock:
            if self._dev is None:
                return
            if self._depth or (self._owner is not None and
                               threading.get_ident() != self._owner):
                raise VgmError(EBUSY, 'vgm_device_destroy')
            self._stop_showing()  # before the images go: a display thread's read() raises
            dev, self._dev = self._dev, None
            self._call('vgm_device_destroy', dev)
            # Requests in flight got ERR_UNSPEC in their buffers, without
            # request_done(): nothing will answer them any more.
            self._in_flight.clear()

    def __del__(self, _warn=warnings.warn, _finalizing=sys.is_finalizing,
                _thread=threading.get_ident):
        """A device never closed is destroyed once the collector finds it
        unreachable, with a ResourceWarning, as an unclosed file is. The
        trampolines hold the device, so it always lies in a cycle; the
        collector runs the finalizers of a cycle before it clears any of
        its objects (PEP 442), so destroy's callbacks (release) still find
        theirs, and what they hold, whole. They run on the collector's
        thread. A virgl device collected on another thread than its own
        cannot be destroyed (the library does nothing there): it is left
        live, with the warning. At the interpreter's exit nothing is done:
        the process goes, and Python calls into it would meet a half
        torn-down interpreter."""
        if getattr(self, '_dev', None) is None or _finalizing():
            return
        if self._owner is not None and _thread() != self._owner:
            _warn('unclosed virgl device %r, not destroyed: collected not on the thread '
                  'that made it; it stays live' % self, ResourceWarning, source=self)
            return
        try:
            _warn('unclosed device %r' % self, ResourceWarning, source=self)
        finally:  # destroyed even where warnings are errors
            self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @staticmethod
    def version():
        return _native.native().vgm_version().decode()

    @staticmethod
    def check_renderer(renderer):
        """Raises VgmError when a device with this renderer ('2d', 'virgl')
        cannot be made now (vgm_renderer_available): ENOTSUP, a library
        built without it; ENODEV, EGL cannot run without a display here;
        EBUSY, a virgl device is live in this process; EINVAL, unknown."""
        fn = _function(_native.native(), 'vgm_renderer_available')
        check(fn(renderer_number(renderer)), 'vgm_renderer_available')

    @staticmethod
    def renderer_available(renderer):
        """Whether check_renderer() would pass: True or False."""
        try:
            Device.check_renderer(renderer)
        except VgmError:
            return False
        return True

    @property
    def offered_features(self):
        v = ctypes.c_uint64()
        self._call('vgm_device_get_features', self._device(), ctypes.byref(v))
        return v.value

    def accept_features(self, accepted):
        """What the driver accepted (vgm_device_set_features)."""
        self._call('vgm_device_set_features', self._device(), accepted)

    def config_read(self, offset=0, length=16):
        buf = ctypes.create_string_buffer(length)
        self._call('vgm_device_config_read', self._device(), offset, buf, length)
        return buf.raw

    def config_write(self, offset, data):
        buf = ctypes.create_string_buffer(bytes(data), len(data))
        self._call('vgm_device_config_write', self._device(), offset, buf, len(data))

    def set_display(self, scanout, enabled, width=0, height=0):
        self._call('vgm_device_set_display', self._device(), scanout, enabled, width, height)

    def set_edid(self, scanout, edid):
        """The EDID of a scanout (bytes), or None for the generated one."""
        buf = ctypes.create_string_buffer(bytes(edid), len(edid)) if edid is not None else None
        self._call('vgm_device_set_edid', self._device(), scanout, buf,
                   len(edid) if edid is not None else 0)

    def submit(self, request, queue=QUEUE_CONTROL, response=65536):
        """Runs one request; returns the bytes the device wrote back.

        request: the device-readable part, bytes-like or a sequence of
        bytes-likes (one descriptor each). response: the device-writable
        part: a size, a sequence of sizes, or a sequence of writable buffers
        (bytearray, memoryview) that receive the response too."""
        chain = _Chain(request, queue, response)
        written = ctypes.c_size_t()
        self._call('vgm_device_submit', self._device(), queue, *chain.args(),
                   ctypes.byref(written))
        return _joined(chain.outs, written.value)

    def prefetch(self, request, queue=QUEUE_CONTROL):
        """A hint that request is the next one of queue
        (vgm_device_prefetch): the device asks for the memory its lookup
        will read, so that the miss overlaps the request submitted before
        it. Changes nothing, answers nothing; request as for submit().
        NotImplementedError from a library older than 0.4."""
        chain = _Chain(request, queue, [])
        self._call('vgm_device_prefetch', self._device(), queue, *chain.args()[:2])

    def submit_tagged(self, request, tag=None, queue=QUEUE_CONTROL, response=65536):
        """Runs one request without waiting for work that completes later
        (vgm_device_submit_tagged): the bytes written back when it is
        answered now, as submit() returns them, or None when it stays in
        flight. Then request_done(tag, response) is called once it is
        answered (the device needs request_done= for this call: without it
        VgmError(EINVAL)); the package keeps the writable buffers until
        then. tag: any object of yours (e.g. the descriptor head)."""
        chain = _Chain(request, queue, response)
        written = ctypes.c_size_t()
        name = 'vgm_device_submit_tagged'
        with self._call_lock:
            dev = self._device()
            c_tag = self._next_tag
            self._next_tag += 1
            self._in_flight[c_tag] = (tag, chain)
            ret = self._invoke(name, dev, queue, *chain.args(), c_tag, ctypes.byref(written))
            if ret != -EINPROGRESS:
                del self._in_flight[c_tag]  # answered, or refused: the library holds nothing
            if self._finish(name, ret, accept=EINPROGRESS) == -EINPROGRESS:
                return None
        return _joined(chain.outs, written.value)

    @property
    def in_flight(self):
        """How many requests of submit_tagged() wait for their answer."""
        return len(self._in_flight)

    def poll(self):
        """Answers the requests in flight whose work completed
        (vgm_device_poll): fence_done() and request_done() from inside."""
        self._call('vgm_device_poll', self._device())

    def poll_fd(self):
        """The fd that becomes readable when poll() has work
        (vgm_device_get_poll_fd; renderer_flags=VIRGL_THREAD_SYNC), or None.
        It is the device's: do not close it; valid until reset() or
        close()."""
        return self._value_or_none('vgm_device_get_poll_fd', ctypes.c_int)

    def next_poll(self):
        """While requests are in flight, the time.monotonic_ns() by which
        poll() must be called (vgm_device_next_poll); None otherwise."""
        return self._value_or_none('vgm_device_next_poll', ctypes.c_uint64)

    def _value_or_none(self, name, ctype):
        """What a C getter (device, out) gives, or None where it says -ENOENT."""
        value = ctype()
        if self._call(name, self._device(), ctypes.byref(value), accept=ENOENT) == -ENOENT:
            return None
        return value.value

    def reset(self):
        with self._call_lock:
            ret = self._invoke('vgm_device_reset', self._device())
            if ret == 0:
                # Nothing is shown after a reset: scanout_disable said so
                # for each scanout that showed something; this makes sure.
                self._stop_showing()
            self._finish('vgm_device_reset', ret)

    def resource_info(self, resource_id):
        """A namedtuple of struct vgm_resource_info; VgmError(ENOENT) for none."""
        info = _native.vgm_resource_info(size=ctypes.sizeof(_native.vgm_resource_info))
        self._call('vgm_device_get_resource_info', self._device(), resource_id,
                   ctypes.byref(info))
        return _namespace('ResourceInfo', info)

    def scanout_info(self, scanout):
        info = _native.vgm_scanout_info(size=ctypes.sizeof(_native.vgm_scanout_info))
        self._call('vgm_device_get_scanout_info', self._device(), scanout, ctypes.byref(info))
        return _namespace('ScanoutInfo', info)

    def scanout_pixels(self, scanout):
        """What a scanout shows (Pixels), or None when it shows nothing."""
        px = _native.vgm_pixels()
        with self._call_lock:  # the pixels and what shows them, at one time
            try:
                self._call('vgm_device_get_scanout_pixels', self._device(), scanout,
                           ctypes.byref(px))
            except VgmError as e:
                if e.errno == ENODATA:
                    return None
                raise
            return Pixels(px, self._showing(scanout))

    def read_scanout(self, scanout, fourcc=DRM_FORMAT_XRGB8888, stride=None):
        """A copy of what a scanout shows, converted to fourcc (one of the
        32-bit formats or DRM_FORMAT_BGR888): rows of stride bytes (default:
        width * bytes per pixel, rounded up to 4). None when it shows
        nothing."""
        rect = self.scanout_info(scanout).rect
        bpp = 3 if fourcc == DRM_FORMAT_BGR888 else 4
        if stride is None:
            stride = (rect.width * bpp + 3) & ~3
        buf = ctypes.create_string_buffer(max(stride * rect.height, 1))
        try:
            self._call('vgm_device_read_scanout', self._device(), scanout, fourcc, buf, stride)
        except VgmError as e:
            if e.errno == ENODATA:
                return None
            raise
        return buf.raw[:stride * rect.height]

    def find_uuid(self, uuid):
        arr = (ctypes.c_uint8 * 16)(*bytes(uuid))
        rid = ctypes.c_uint32()
        self._call('vgm_device_find_uuid', self._device(), ctypes.byref(arr), ctypes.byref(rid))
        return rid.value

    def record_start(self, file):
        """Records what the guest sends from now on as a vgm-trace v1 stream
        that vgm-replay replays (vgm_device_record_start): file is a file
        descriptor or an object with fileno(); the library writes to its own
        duplicate of it. Before the first request or after reset()."""
        fd = file if isinstance(file, int) else file.fileno()
        self._call('vgm_device_record_start', self._device(), fd)

    def save(self):
        """The device's state as bytes (vgm_device_save): a device made with
        flags=DEVICE_SAVEABLE; VgmError(EBUSY) when it cannot be saved now."""
        size = ctypes.c_size_t()
        self._call('vgm_device_save_size', self._device(), ctypes.byref(size))
        buf = ctypes.create_string_buffer(size.value or 1)
        written = ctypes.c_size_t()
        self._call('vgm_device_save', self._device(), buf, size.value, ctypes.byref(written))
        return buf.raw[:written.value]

    def load(self, state):
        """Loads saved bytes into this fresh, saveable device (vgm_device_load);
        call resume() once guest memory is mapped."""
        buf = ctypes.create_string_buffer(bytes(state), len(state) or 1)
        self._call('vgm_device_load', self._device(), buf, len(state))

    def resume(self):
        """Translates the loaded state's guest memory anew and replays the
        display callbacks (vgm_device_resume); the number of backings that
        could not be mapped again (0: all were)."""
        return self._call('vgm_device_resume', self._device())

    def unmap_guest(self, gpa, length):
        """The guest range moved: mappings in it are given back and
        translated again (vgm_device_unmap_guest); the number of backings
        lost (0: all mapped again)."""
        return self._call('vgm_device_unmap_guest', self._device(), gpa, length)

    def can_save(self):
        """Why save() would fail now (vgm_device_can_save): the
        SAVE_BLOCKED_* bits, 0 when it would succeed."""
        why = ctypes.c_uint32()
        ret = self._call('vgm_device_can_save', self._device(), ctypes.byref(why), accept=EBUSY)
        if ret == -EBUSY and not why.value:
            # Refused without a reason: called from inside a callback.
            raise VgmError(EBUSY, 'vgm_device_can_save')
        return why.value

    def record_stop(self):
        """Ends the recording; VgmError when it was cut short (EIO: a write
        failed)."""
        self._call('vgm_device_record_stop', self._device())

    def stats(self):
        st = _native.vgm_stats(size=ctypes.sizeof(_native.vgm_stats))
        self._call('vgm_device_get_stats', self._device(), ctypes.byref(st))
        return _namespace('Stats', st)


def _function(lib, name):
    """A function of the library; NotImplementedError when this library
    is older than it."""
    fn = getattr(lib, name)
    if fn is None:
        raise NotImplementedError('%s: not in this library (%s)' %
                                  (name, lib.vgm_version().decode()))
    return fn


def _joined(outs, written):
    """The bytes a response wrote over the writable buffers."""
    return b''.join(bytes(b) for b in outs)[:written]


class _Chain:
    """A descriptor chain as iovec arrays, and the buffers they point to
    (kept alive as long as the chain object)."""

    def __init__(self, request, queue, response):
        self._keep = []
        self._ins = _pieces(request)
        self._in_iov = _iovecs(self._ins, self._keep, writable=False)
        self.outs = _out_buffers(response, queue)
        self._out_iov = _iovecs(self.outs, self._keep, writable=True)

    def args(self):
        """in, in_cnt, out, out_cnt of the C call."""
        return self._in_iov, len(self._ins), self._out_iov, len(self.outs)


def _pieces(request):
    if isinstance(request, (bytes, bytearray, memoryview)):
        return [request]
    return list(request)


def _out_buffers(response, queue):
    if queue != QUEUE_CONTROL and response == 65536:
        return []  # the cursor queue has no writable part
    if isinstance(response, int):
        response = [response]
    return [bytearray(r) if isinstance(r, int) else r for r in response]


def _iovecs(buffers, keep, writable):
    arr = (_native.iovec * max(len(buffers), 1))()
    for i, b in enumerate(buffers):
        n = memoryview(b).nbytes
        if n == 0:
            arr[i] = _native.iovec(None, 0)
            continue
        if isinstance(b, bytes):
            if writable:
                raise TypeError('a writable element must be a bytearray or memoryview')
            c = ctypes.c_char_p(b)
            keep.append((b, c))
            arr[i] = _native.iovec(ctypes.cast(c, ctypes.c_void_p), n)
            continue
        view = memoryview(b)
        if view.readonly:
            if writable:
                raise TypeError('a writable element must be writable')
            data = bytes(view)
            c = ctypes.c_char_p(data)
            keep.append((data, c))
            arr[i] = _native.iovec(ctypes.cast(c, ctypes.c_void_p), n)
            continue
        c = (ctypes.c_char * n).from_buffer(view.cast('B') if view.format != 'B' else view)
        keep.append((view, c))
        arr[i] = _native.iovec(ctypes.addressof(c), n)
    return arr if buffers else None
