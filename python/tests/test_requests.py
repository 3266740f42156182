# SPDX-License-Identifier: MIT
"""Requests that complete later: submit_tagged(), request_done, poll(),
poll_fd(), next_poll(), the renderer choice; and a 3D device (renderer
'virgl') whose fenced request is answered through poll()."""

import errno
import gc
import os
import select
import struct
import subprocess
import sys
import threading
import time

import pytest

import virtgpu_mem as vgm
from virtgpu_mem import builders

RAM = 0x100000


@pytest.fixture
def ram():
    r = vgm.GuestRam()
    r.add(RAM, 1 << 20)
    return r


def test_submit_tagged_on_a_2d_device_answers_at_once(ram):
    done, fences = [], []
    with vgm.Device(scanouts=[(640, 480), (320, 200)], translate=ram.translate,
                    request_done=lambda tag, resp: done.append(tag),
                    fence_done=lambda c, r, f: fences.append(f)) as dev:
        request = builders.GET_DISPLAY_INFO(fence=9)
        waited = dev.submit(request)
        out = [bytearray(10), bytearray(500)]
        now = dev.submit_tagged(request, tag='head 3', response=out)
        assert now == waited and len(now) == 408
        assert bytes(out[0]) + bytes(out[1][:398]) == now  # written where it was asked
        assert builders.parse_response(now).fence_id == 9
        assert fences == [9, 9] and done == []  # answered now: no request_done
        assert dev.in_flight == 0
        assert dev.next_poll() is None and dev.poll_fd() is None
        dev.poll()  # nothing in flight: returns at once
        assert done == []
    with pytest.raises(ValueError):
        dev.submit_tagged(request, tag='closed')
    assert dev.in_flight == 0


def test_submit_tagged_without_request_done_is_refused_and_changes_nothing(ram):
    with vgm.Device(translate=ram.translate, flags=vgm.DEVICE_SAVEABLE) as src:
        state = src.save()
    with vgm.Device(translate=ram.translate, flags=vgm.DEVICE_SAVEABLE) as dev:
        with pytest.raises(vgm.VgmError) as e:
            dev.submit_tagged(builders.GET_DISPLAY_INFO(), tag=1)
        assert e.value.errno == errno.EINVAL
        assert e.value.function == 'vgm_device_submit_tagged'
        assert dev.in_flight == 0
        dev.load(state)  # still as created: loads


def test_prefetch_is_a_hint_that_changes_nothing(ram):
    """Hints of the next request, whole, split, cut short or noise, on
    either queue: the device answers and counts as one never hinted."""
    create = builders.RESOURCE_CREATE_2D(resource_id=7, format='B8G8R8X8',
                                         width=4, height=4)
    flush = builders.RESOURCE_FLUSH(resource_id=7, r=(0, 0, 4, 4))
    answers = []
    for hinted in (False, True):
        with vgm.Device(translate=ram.translate) as dev:
            got = []
            for request in (create, flush, builders.RESOURCE_FLUSH(resource_id=8, r=(0, 0, 1, 1))):
                if hinted:
                    for hint in (request, [request[:5], request[5:]], request[:30], b'\xff' * 64):
                        assert dev.prefetch(hint) is None
                        assert dev.prefetch(hint, queue=vgm.QUEUE_CURSOR) is None
                got.append(dev.submit(request))
            answers.append((got, dev.stats()))
            with pytest.raises(vgm.VgmError) as e:
                dev.prefetch(flush, queue=5)
            assert e.value.errno == errno.EINVAL
    assert answers[0] == answers[1]
    assert struct.unpack_from('<I', answers[1][0][2])[0] == 0x1203  # ERR_INVALID_RESOURCE_ID


def test_renderer_choice():
    assert vgm.Device.renderer_available('2d')
    vgm.Device.check_renderer(vgm.RENDERER_2D)
    with pytest.raises(vgm.VgmError) as e:
        vgm.Device.check_renderer(7)
    assert e.value.errno == errno.EINVAL
    assert not vgm.Device.renderer_available(7)
    with pytest.raises(ValueError):
        vgm.Device.check_renderer('3dfx')


def test_can_save_says_why(ram):
    with vgm.Device(translate=ram.translate) as dev:
        assert dev.can_save() == vgm.SAVE_BLOCKED_NOT_SAVEABLE
    with vgm.Device(translate=ram.translate, flags=vgm.DEVICE_SAVEABLE) as dev:
        assert dev.can_save() == 0


# ---- a virgl device ---------------------------------------------------------------------

CTX, RES, W, H = 1, 5, 64, 64
GREEN = (0.0, 1.0, 0.0, 1.0)


def virgl_clear(resource, rgba):
    """virgl commands (virgl_protocol.h) that clear resource to rgba: a
    surface of it (B8G8R8A8, virgl format 1), the framebuffer, a clear."""
    def cmd(number, obj, dwords):
        return struct.pack('<I', number | obj << 8 | len(dwords) << 16) + b''.join(dwords)
    u32 = lambda v: struct.pack('<I', v)  # noqa: E731
    surface = cmd(1, 8, [u32(20), u32(resource), u32(1), u32(0), u32(0)])
    framebuffer = cmd(5, 0, [u32(1), u32(0), u32(20)])
    clear = cmd(7, 0, [u32(1 << 2)] + [struct.pack('<f', c) for c in rgba] +
                [u32(0), u32(0), u32(0)])
    return surface + framebuffer + clear


@pytest.fixture
def virgl_device(ram):
    try:
        vgm.Device.check_renderer('virgl')
    except vgm.VgmError as e:
        pytest.skip('renderer virgl not available here: %s' % e)
    events = []
    dev = vgm.Device(scanouts=[(W, H)], translate=ram.translate, renderer='virgl',
                     renderer_flags=vgm.VIRGL_THREAD_SYNC,
                     request_done=lambda tag, resp: events.append(('done', tag, resp)),
                     fence_done=lambda c, r, f: events.append(('fence', c, f)))
    dev.accept_features(dev.offered_features)
    for request in (builders.CTX_CREATE(hdr_ctx_id=CTX, debug_name=b'pytest'),
                    builders.RESOURCE_CREATE_2D(resource_id=RES, format='B8G8R8A8', width=W,
                                                height=H),
                    builders.RESOURCE_ATTACH_BACKING(resource_id=RES,
                                                     entries=[(RAM, W * H * 4)]),
                    builders.CTX_ATTACH_RESOURCE(hdr_ctx_id=CTX, resource_id=RES)):
        assert builders.parse_response(dev.submit(request)).name == 'OK_NODATA'
    yield dev, events
    dev.close()


def wait_answered(dev, events, n):
    """poll() when the poll fd is readable or by next_poll()'s deadline,
    until request_done came n times (at most 10 s); how many polls."""
    fd = dev.poll_fd()
    assert fd is not None and fd >= 0
    give_up = time.monotonic() + 10
    polls = 0
    while sum(e[0] == 'done' for e in events) < n:
        assert time.monotonic() < give_up, 'not answered in 10 s'
        deadline = dev.next_poll()
        assert deadline is not None  # in flight
        select.select([fd], [], [], max(0, deadline - time.monotonic_ns()) / 1e9)
        dev.poll()
        polls += 1
    return polls


def test_virgl_fenced_request_answered_through_poll(virgl_device):
    dev, events = virgl_device
    offered = dev.offered_features
    assert offered & 1 << vgm.F_VIRGL
    submit = builders.SUBMIT_3D(hdr_ctx_id=CTX, fence=7, data=virgl_clear(RES, GREEN))
    assert dev.submit_tagged(submit, tag='clear') is None  # in flight
    assert dev.in_flight == 1 and events == []
    assert dev.can_save() & vgm.SAVE_BLOCKED_IN_FLIGHT
    assert wait_answered(dev, events, 1) >= 1
    assert events[0] == ('fence', CTX, 7)  # fence_done comes before request_done
    kind, tag, response = events[1]
    assert (kind, tag) == ('done', 'clear')
    answer = builders.parse_response(response)
    assert answer.name == 'OK_NODATA' and answer.fence_id == 7 and answer.ctx_id == CTX
    assert dev.in_flight == 0 and dev.next_poll() is None
    # What the context drew, shown on scanout 0.
    for request in (builders.SET_SCANOUT(scanout_id=0, resource_id=RES, r=(0, 0, W, H)),
                    builders.RESOURCE_FLUSH(resource_id=RES, r=(0, 0, W, H))):
        assert builders.parse_response(dev.submit(request)).name == 'OK_NODATA'
    green_argb = bytes((0x00, 0xff, 0x00, 0xff))  # B, G, R, A
    assert dev.read_scanout(0, vgm.DRM_FORMAT_ARGB8888) == green_argb * (W * H)


def test_virgl_reset_answers_what_is_in_flight(virgl_device):
    dev, events = virgl_device
    submit = builders.SUBMIT_3D(hdr_ctx_id=CTX, fence=8, data=virgl_clear(RES, GREEN))
    assert dev.submit_tagged(submit, tag=('head', 4)) is None
    dev.reset()
    assert [e[:2] for e in events] == [('done', ('head', 4))]  # no fence_done
    answer = builders.parse_response(events[0][2])
    assert answer.name == 'ERR_UNSPEC' and answer.fence_id == 8
    assert dev.in_flight == 0


def test_virgl_close_on_another_thread_is_refused_and_keeps_the_device(virgl_device):
    # The library does nothing when a virgl device is destroyed on a thread
    # other than its owner's: close() must say so, not drop the handle.
    dev, events = virgl_device
    got = []

    def close_here():
        try:
            dev.close()
            got.append('closed')
        except vgm.VgmError as e:
            got.append((e.errno, e.function))

    t = threading.Thread(target=close_here)
    t.start()
    t.join()
    assert got == [(errno.EBUSY, 'vgm_device_destroy')]
    assert dev.stats().resources == 1  # still the owner's, and live
    dev.close()
    vgm.Device.check_renderer('virgl')  # none live now: another can be made


def skip_without_virgl():
    try:
        vgm.Device.check_renderer('virgl')
    except vgm.VgmError as e:
        pytest.skip('renderer virgl not available here: %s' % e)


def test_an_unclosed_virgl_device_is_destroyed_when_collected(ram):
    skip_without_virgl()
    gc.disable()
    try:
        vgm.Device(translate=ram.translate, renderer='virgl')  # dropped at once, not closed
        with pytest.raises(vgm.VgmError) as e:
            vgm.Device.check_renderer('virgl')
        assert e.value.errno == errno.EBUSY  # live: in a cycle, for the collector
        with pytest.warns(ResourceWarning, match='unclosed'):
            gc.collect()
    finally:
        gc.enable()
    vgm.Device.check_renderer('virgl')  # destroyed: another can be made


def test_a_virgl_device_collected_on_another_thread_is_left_with_a_warning():
    # It cannot be destroyed there (the library does nothing); a child
    # process, as the device stays live for good.
    skip_without_virgl()
    script = (
        'import gc, threading, warnings\n'
        'import virtgpu_mem as vgm\n'
        'warnings.simplefilter("always")\n'
        'gc.disable()\n'
        'vgm.Device(translate=lambda gpa, length: None, renderer="virgl")\n'
        't = threading.Thread(target=gc.collect)\n'
        't.start()\n'
        't.join()\n'
        'try:\n'
        '    vgm.Device.check_renderer("virgl")\n'
        'except vgm.VgmError as e:\n'
        '    print("still live:", e.errno)\n')
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(
        __file__))))
    res = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                         env=env, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout == 'still live: %d\n' % errno.EBUSY
    assert 'ResourceWarning: unclosed virgl device' in res.stderr
    assert 'not on the thread that made it' in res.stderr
