# SPDX-License-Identifier: MIT
"""Pixels: the address of a scanout's image, valid (the header's "Threads
and pixels") until the next scanout_set, scanout_dmabuf or scanout_disable
for that scanout has returned, or the device is destroyed. A Pixels kept
past that raises from read() instead of reading freed memory."""

import os
import subprocess
import sys

import pytest

import virtgpu_mem as vgm
from virtgpu_mem import builders

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FB = 0x100000

# Run in a child: a read of freed memory may kill the process. The image
# is big enough (3 MiB) that the allocator maps it alone and unmaps it
# when it is freed: a stale read faults rather than copying garbage.
SCRIPT = r'''
import sys
import virtgpu_mem as vgm
from virtgpu_mem import builders

W, H, FB = 1024, 768, 0x100000
ram = vgm.GuestRam()
ram.add(FB, 2 * W * H * 4)
shown = []
case = sys.argv[1]
callbacks = {} if case.endswith('_pixels') else {
    'scanout_set': lambda i, px: shown.append(px)}
dev = vgm.Device(scanouts=[(W, H)], translate=ram.translate, **callbacks)
dev.accept_features(dev.offered_features)


def show(rid, gpa):
    for request in (
            builders.RESOURCE_CREATE_2D(resource_id=rid, format='B8G8R8X8', width=W, height=H),
            builders.RESOURCE_ATTACH_BACKING(resource_id=rid, entries=[(gpa, W * H * 4)]),
            builders.SET_SCANOUT(scanout_id=0, resource_id=rid, r=(0, 0, W, H))):
        assert builders.parse_response(dev.submit(request)).name == 'OK_NODATA'


show(1, FB)
px = shown[-1] if shown else dev.scanout_pixels(0)
assert len(px.read()) == W * H * 4
if case.startswith('unref'):
    dev.submit(builders.RESOURCE_UNREF(resource_id=1))
elif case == 'set_scanout_0':
    dev.submit(builders.SET_SCANOUT(scanout_id=0, resource_id=0, r=(0, 0, 0, 0)))
elif case == 'another_resource':
    show(2, FB + W * H * 4)
    dev.submit(builders.RESOURCE_UNREF(resource_id=1))
    assert len(shown[-1].read()) == W * H * 4
elif case.startswith('close'):
    dev.close()
elif case == 'reset':
    dev.reset()
print('reading', flush=True)
try:
    data = px.read()
except ValueError as e:
    print('raised:', e)
else:
    print('read', len(data), 'bytes')
print('valid:', getattr(px, 'valid', 'no such attribute'))
'''


@pytest.mark.parametrize('case', ['unref', 'set_scanout_0', 'another_resource', 'close',
                                  'reset', 'unref_pixels', 'close_pixels'])
def test_stale_pixels_raise(case):
    env = dict(os.environ, PYTHONPATH=PACKAGE_ROOT)
    res = subprocess.run([sys.executable, '-c', SCRIPT, case], capture_output=True, text=True,
                         env=env, timeout=60)
    assert res.returncode == 0, 'exit %d, %s%s' % (res.returncode, res.stdout, res.stderr)
    lines = res.stdout.splitlines()
    assert lines[1].startswith('raised: scanout 0 no longer shows these pixels'), lines
    assert lines[2] == 'valid: False'


def show(dev, ram, rid, gpa, w=64, h=48, fill=0x40):
    ram.fill(gpa, w * h * 4, fill)
    for request in (
            builders.RESOURCE_CREATE_2D(resource_id=rid, format='B8G8R8X8', width=w, height=h),
            builders.RESOURCE_ATTACH_BACKING(resource_id=rid, entries=[(gpa, w * h * 4)]),
            builders.TRANSFER_TO_HOST_2D(resource_id=rid, r=(0, 0, w, h)),
            builders.SET_SCANOUT(scanout_id=0, resource_id=rid, r=(0, 0, w, h))):
        assert builders.parse_response(dev.submit(request)).name == 'OK_NODATA'


def test_the_old_pixels_stay_valid_until_the_next_scanout_set_returns():
    ram = vgm.GuestRam()
    ram.add(FB, 1 << 20)
    shown, during = [], []

    def scanout_set(i, px):
        if shown:  # the old image is still readable inside the callback
            during.append((shown[-1].valid, shown[-1].read()[:4]))
        shown.append(px)

    with vgm.Device(translate=ram.translate, scanout_set=scanout_set,
                    scanout_update=lambda i, r: during.append(shown[-1].valid)) as dev:
        show(dev, ram, 1, FB, fill=0x11)
        old = shown[-1]
        # A flush says which pixels changed; the image stays the same.
        dev.submit(builders.RESOURCE_FLUSH(resource_id=1, r=(0, 0, 64, 48)))
        assert during == [True] and old.valid and old.read()[:4] == b'\x11' * 4
        from_getter = dev.scanout_pixels(0)
        assert from_getter.valid and from_getter.data == old.data
        show(dev, ram, 2, FB + 0x10000, fill=0x22)
        assert during == [True, (True, b'\x11' * 4)]
        assert not old.valid and not from_getter.valid
        for stale in (old, from_getter):
            with pytest.raises(ValueError):
                stale.read()
        assert shown[-1].valid and shown[-1].read()[:4] == b'\x22' * 4
    assert not shown[-1].valid  # closed


THREAD_SCRIPT = r'''
import threading
import virtgpu_mem as vgm
from virtgpu_mem import builders

W, H, FB = 1024, 768, 0x100000
ram = vgm.GuestRam()
ram.add(FB, W * H * 4)
latest = []
dev = vgm.Device(scanouts=[(W, H)], translate=ram.translate,
                 scanout_set=lambda i, px: latest.append(px))
dev.accept_features(dev.offered_features)
done = threading.Event()
reads = {'ok': 0, 'stale': 0}


def display():
    while not done.is_set():
        if not latest:
            continue
        try:
            reads['ok'] += len(latest[-1].read()) == W * H * 4
        except ValueError:
            reads['stale'] += 1


t = threading.Thread(target=display)
t.start()
for rid in range(1, 101):  # each image is freed while the display thread may read it
    for request in (
            builders.RESOURCE_CREATE_2D(resource_id=rid, format='B8G8R8X8', width=W, height=H),
            builders.RESOURCE_ATTACH_BACKING(resource_id=rid, entries=[(FB, W * H * 4)]),
            builders.SET_SCANOUT(scanout_id=0, resource_id=rid, r=(0, 0, W, H)),
            builders.RESOURCE_UNREF(resource_id=rid)):
        dev.submit(request)
dev.close()
done.set()
t.join()
print('reads', reads['ok'] + reads['stale'] > 0)
'''


def test_a_display_thread_reads_while_the_images_go():
    env = dict(os.environ, PYTHONPATH=PACKAGE_ROOT)
    res = subprocess.run([sys.executable, '-c', THREAD_SCRIPT], capture_output=True, text=True,
                         env=env, timeout=120)
    assert res.returncode == 0, 'exit %d, %s%s' % (res.returncode, res.stdout, res.stderr)
    assert res.stdout == 'reads True\n'
