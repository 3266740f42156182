# SPDX-License-Identifier: MIT
"""Device: callbacks, errors, exceptions in callbacks, iovecs."""

import errno
import gc
import threading

import pytest

import virtgpu_mem as vgm
from virtgpu_mem import builders

OK_NODATA = 0x1100


def ok(resp):
    return builders.parse_response(resp).type == OK_NODATA


@pytest.fixture
def ram():
    r = vgm.GuestRam()
    r.add(0x100000, 1 << 20)
    return r


def show(dev, ram, rid=1, w=64, h=48, fill=0x40):
    ram.fill(0x100000, w * h * 4, fill)
    for req in (builders.RESOURCE_CREATE_2D(resource_id=rid, format='B8G8R8X8', width=w,
                                            height=h),
                builders.RESOURCE_ATTACH_BACKING(resource_id=rid,
                                                 entries=[(0x100000, w * h * 4)]),
                builders.TRANSFER_TO_HOST_2D(resource_id=rid, r=(0, 0, w, h)),
                builders.SET_SCANOUT(scanout_id=0, resource_id=rid, r=(0, 0, w, h)),
                builders.RESOURCE_FLUSH(resource_id=rid, r=(0, 0, w, h), fence=5)):
        assert ok(dev.submit(req))


def test_callbacks_see_the_pixels_and_the_fence(ram):
    seen = []
    with vgm.Device(scanouts=[(800, 600)], translate=ram.translate,
                    scanout_set=lambda i, px: seen.append(('set', i, px.width, px.height,
                                                           px.fourcc, px.read()[:4])),
                    scanout_update=lambda i, r: seen.append(('update', i, r)),
                    fence_done=lambda c, r, f: seen.append(('fence', c, r, f))) as dev:
        show(dev, ram)
        assert seen == [('set', 0, 64, 48, vgm.DRM_FORMAT_XRGB8888, b'\x40' * 4),
                        ('update', 0, vgm.Rect(0, 0, 64, 48)),
                        ('fence', 0, 0, 5)]
        px = dev.read_scanout(0)
        assert px == b'\x40' * (64 * 48 * 4)
        assert dev.scanout_info(0).resource_id == 1
        assert dev.stats().resources == 1


def test_a_guest_error_is_a_response_not_an_exception(ram):
    logs = []
    with vgm.Device(translate=ram.translate, log=lambda lvl, msg: logs.append((lvl, msg))) as dev:
        resp = dev.submit(builders.RESOURCE_UNREF(resource_id=42))
        assert builders.parse_response(resp).name == 'ERR_INVALID_RESOURCE_ID'
        assert logs and logs[0][0] == vgm.LOG_WARNING and 'RESOURCE_UNREF' in logs[0][1]


def test_api_misuse_is_an_errno_exception(ram):
    with vgm.Device(translate=ram.translate) as dev:
        with pytest.raises(vgm.VgmError) as e:
            dev.set_display(7, True, 640, 480)
        assert e.value.errno == errno.EINVAL
        with pytest.raises(vgm.VgmError) as e:
            dev.resource_info(3)
        assert e.value.errno == errno.ENOENT
        assert dev.scanout_pixels(0) is None and dev.read_scanout(0) is None


def test_an_exception_in_a_callback_is_raised_after_the_call(ram):
    class Boom(Exception):
        pass

    calls = []

    def scanout_set(i, px):
        calls.append(i)
        raise Boom('from the callback')

    with vgm.Device(translate=ram.translate, scanout_set=scanout_set) as dev:
        with pytest.raises(Boom):
            show(dev, ram)
        assert calls == [0]
        # The library finished the request: the scanout shows the resource,
        # and the device goes on.
        assert dev.scanout_info(0).resource_id == 1
        assert ok(dev.submit(builders.RESOURCE_FLUSH(resource_id=1, r=(0, 0, 8, 8))))


def test_a_failing_translate_is_a_guest_error_then_the_exception(ram):
    def translate(gpa, length):
        raise RuntimeError('no map')

    with vgm.Device(translate=translate) as dev:
        assert ok(dev.submit(builders.RESOURCE_CREATE_2D(resource_id=1, format=2, width=4,
                                                         height=4)))
        with pytest.raises(RuntimeError):
            dev.submit(builders.RESOURCE_ATTACH_BACKING(resource_id=1,
                                                        entries=[(0x100000, 64)]))
        assert not dev.resource_info(1).backed


def test_a_refused_call_inside_a_callback_keeps_an_earlier_exception(ram):
    # translate's MemoryError is recorded; then the library logs the
    # failure, and the log callback calls its own device (refused, EBUSY)
    # and catches that: the MemoryError must still reach the caller.
    refused = []

    def translate(gpa, length):
        raise MemoryError('the VMM could not map guest memory')

    def log(level, message):
        try:
            dev.stats()
        except vgm.VgmError as e:
            refused.append(e.errno)

    with vgm.Device(translate=translate, log=log) as dev:
        assert ok(dev.submit(builders.RESOURCE_CREATE_2D(resource_id=1, format=2, width=4,
                                                         height=4)))
        with pytest.raises(MemoryError):
            dev.submit(builders.RESOURCE_ATTACH_BACKING(resource_id=1,
                                                        entries=[(0x100000, 64)]))
        assert refused and set(refused) == {errno.EBUSY}
        assert dev.stats().resources == 1  # and the next call raises nothing


def test_calling_the_device_from_its_callback_is_refused(ram):
    got = []

    def config_changed():
        try:
            dev.reset()
        except vgm.VgmError as e:
            got.append(e.errno)
        with pytest.raises(vgm.VgmError):
            dev.close()

    dev = vgm.Device(translate=ram.translate, config_changed=config_changed)
    dev.set_display(0, True, 640, 480)
    assert got == [errno.EBUSY]
    dev.close()
    dev.close()
    with pytest.raises(ValueError):
        dev.reset()


def test_requests_and_responses_in_pieces(ram):
    with vgm.Device(scanouts=[(640, 480), (320, 200)], translate=ram.translate) as dev:
        req = builders.GET_DISPLAY_INFO()
        out = [bytearray(10), bytearray(500)]
        resp = dev.submit([req[:5], b'', memoryview(req)[5:]], response=out)
        assert len(resp) == 408 and resp[:10] == bytes(out[0]) and resp[10:] == out[1][:398]
        m = builders.GET_DISPLAY_INFO.parse_response(resp)
        assert [p['r'] for p in m.pmodes[:2]] == [(0, 0, 640, 480), (0, 0, 320, 200)]
        # A writable part too small gets what fits.
        assert len(dev.submit(req, response=[10])) == 10
        # The cursor queue answers nothing.
        assert dev.submit(builders.MOVE_CURSOR(x=1), queue=vgm.QUEUE_CURSOR) == b''


def test_features_reset_and_config_space(ram):
    with vgm.Device(dialect='memory-rfc', translate=ram.translate) as dev:
        assert dev.offered_features == 1 << vgm.F_EDID | 1 << vgm.F_MEMORY
        dev.accept_features(1 << vgm.F_MEMORY)
        m = vgm.wire.dialect('memory-rfc')
        assert ok(dev.submit(m.MEMORY_CREATE(memory_id=1, entries=[(0x100000, 4096)])))
        assert dev.stats().memory_ids == 1
        dev.set_display(0, True, 640, 480)
        assert dev.config_read()[0] & vgm.EVENT_DISPLAY
        dev.config_write(4, (vgm.EVENT_DISPLAY).to_bytes(4, 'little'))
        assert not dev.config_read()[0] & vgm.EVENT_DISPLAY
        dev.reset()
        assert dev.stats().memory_ids == 0


def test_a_device_needs_translate():
    with pytest.raises(TypeError):
        vgm.Device()


def test_save_load_resume_round_trip(ram):
    shown = []
    with vgm.Device(translate=ram.translate, flags=vgm.DEVICE_SAVEABLE) as dev:
        dev.accept_features(dev.offered_features)
        show(dev, ram, fill=0x5a)
        state = dev.save()
    ram.fill(0x100000, 64 * 48 * 4, 0x00)  # the guest changed its memory since
    with vgm.Device(translate=ram.translate, flags=vgm.DEVICE_SAVEABLE,
                    scanout_set=lambda i, px: shown.append((i, px.width, px.height))) as dst:
        dst.load(state)
        with pytest.raises(vgm.VgmError) as e:
            dst.submit(builders.GET_DISPLAY_INFO())
        assert e.value.errno == errno.EBUSY  # loaded, not resumed
        dst.resume()
        assert shown == [(0, 64, 48)]
        assert dst.read_scanout(0) == b'\x5a' * (64 * 48 * 4)  # the last transfer's
        assert dst.save() == state


def test_an_unclosed_device_is_destroyed_when_collected(ram):
    released, shown = [], []

    def make():
        # The release callback holds the device: a cycle through the
        # caller's objects too, which the collector must still handle.
        box = {}

        def release(m):
            released.append((m.len, box['dev'].config is not None))

        box['dev'] = dev = vgm.Device(translate=ram.translate, release=release,
                                      scanout_set=lambda i, px: shown.append(px))
        dev.accept_features(dev.offered_features)
        show(dev, ram)

    gc.disable()  # collected below, not at an allocation in between
    try:
        make()
        assert released == [] and shown[0].valid
        with pytest.warns(ResourceWarning, match='unclosed'):
            gc.collect()
    finally:
        gc.enable()
    assert released == [(64 * 48 * 4, True)]  # its mapping given back, the callback whole
    assert not shown[0].valid


def _inside_translate(ram):
    """A translate that, at its first call, says so and waits for go."""
    inside, go = threading.Event(), threading.Event()

    def translate(gpa, length):
        if not inside.is_set():
            inside.set()
            assert go.wait(5)
        return ram.translate(gpa, length)
    return translate, inside, go


def _in_thread(fn):
    out = {}

    def run():
        try:
            out['value'] = fn()
        except Exception as e:  # noqa: BLE001 - the test looks at it
            out['error'] = e
    t = threading.Thread(target=run)
    t.start()
    return t, out


def _second_call_during_attach(dev, inside, go, second):
    """ATTACH_BACKING of resource 1 on a thread, held inside translate;
    then second() on another thread, given 0.3 s before the first goes on.
    Returns whether second() was still waiting then, and both outcomes."""
    attach = builders.RESOURCE_ATTACH_BACKING(resource_id=1, entries=[(0x100000, 64)])
    a, a_out = _in_thread(lambda: dev.submit(attach))
    assert inside.wait(5)
    b, b_out = _in_thread(second)
    b.join(0.3)
    waited = b.is_alive()
    go.set()
    a.join(5)
    b.join(5)
    return waited, a_out, b_out


def test_calls_from_two_threads_take_turns(ram):
    """A call from a second thread while the first is inside the library
    waits its turn, rather than being refused (the library's EBUSY for a
    call during its own callback)."""
    translate, inside, go = _inside_translate(ram)
    with vgm.Device(translate=translate) as dev:
        assert ok(dev.submit(builders.RESOURCE_CREATE_2D(resource_id=1, format='B8G8R8X8',
                                                         width=4, height=4)))
        waited, a_out, b_out = _second_call_during_attach(dev, inside, go, dev.stats)
        assert waited, 'the second call ran during the first: %r' % b_out
        assert ok(a_out['value'])
        assert b_out['value'].resources == 1


def test_close_from_another_thread_waits_for_a_call(ram):
    """close() from a second thread while the first is inside the library
    waits for that call, then destroys the device; the first thread's
    next call finds it closed (ValueError), not freed memory."""
    translate, inside, go = _inside_translate(ram)
    released = []
    dev = vgm.Device(translate=translate, release=lambda m: released.append(m))
    assert ok(dev.submit(builders.RESOURCE_CREATE_2D(resource_id=1, format='B8G8R8X8',
                                                     width=4, height=4)))
    waited, a_out, b_out = _second_call_during_attach(dev, inside, go, dev.close)
    assert waited, 'close() ran during the call: %r' % b_out
    assert ok(a_out['value']) and 'error' not in b_out
    assert len(released) == 1  # the backing's mapping, at the destroy
    with pytest.raises(ValueError):
        dev.stats()
