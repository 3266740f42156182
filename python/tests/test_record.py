# SPDX-License-Identifier: MIT
"""vgm_device_record_start(): every golden trace driven through a device
that records itself; the recording, replayed by vgm-replay, gets the same
responses the device gave, and its "# expect:" lines are those responses."""

import errno
import glob
import os
import subprocess

import pytest

import virtgpu_mem as vgm
from conftest import TRACES
from trace_player import Player
from virtgpu_mem import builders

REPLAY = os.environ.get('VGM_REPLAY')
ALL = sorted(glob.glob(os.path.join(TRACES, 'standard', '*.trace')) +
             glob.glob(os.path.join(TRACES, 'memory-rfc', '*.trace')))


def replay(path, tmp_path):
    res = subprocess.run([REPLAY, '-d', str(tmp_path), str(path)], capture_output=True,
                         text=True)
    assert res.returncode == 0, res.stderr
    return [line for line in res.stdout.splitlines() if line.startswith('ctrl')]


@pytest.mark.skipif(not REPLAY, reason='VGM_REPLAY (vgm-replay) not given')
@pytest.mark.parametrize('path', ALL, ids=lambda p: os.path.relpath(p, TRACES))
def test_a_recording_replays_to_the_same_responses(path, tmp_path):
    rec = tmp_path / 'recorded.trace'
    with open(rec, 'w') as f:
        player = Player(record=f).play(path)
        player.close()
    got = [line for line in player.out if line.startswith('ctrl')]
    replayed = replay(rec, tmp_path)
    assert len(replayed) == len(got)
    for i, (r, g) in enumerate(zip(replayed, got)):
        if not g.startswith('ctrl 05110000'):  # OK_RESOURCE_UUID: a fresh one
            assert r == g, 'response %d' % (i + 1)
    expected = [line.split('# expect: ', 1)[1] for line in rec.read_text().splitlines()
                if line.startswith('# expect: ctrl')]
    assert [e.rstrip() for e in expected] == got


def picture_device(ram):
    return vgm.Device(scanouts=[(64, 32)], translate=ram.translate)


def test_guest_memory_changed_between_requests_is_recorded(tmp_path):
    """The guest draws twice into the same backing; the replay's second
    transfer must see the second picture."""
    ram = vgm.GuestRam()
    ram.add(0x10000, 0x4000)
    rec = tmp_path / 'two.trace'
    with picture_device(ram) as dev, open(rec, 'w') as f:
        dev.record_start(f)
        dev.accept_features(dev.offered_features)
        dev.submit(builders.RESOURCE_CREATE_2D(resource_id=1, format='B8G8R8X8', width=64,
                                               height=32))
        dev.submit(builders.RESOURCE_ATTACH_BACKING(resource_id=1, entries=[(0x10000, 0x2000)]))
        dev.submit(builders.SET_SCANOUT(r=(0, 0, 64, 32), scanout_id=0, resource_id=1))
        for colour in (b'\x11\x22\x33\x00', b'\x44\x55\x66\x00'):
            ram.write(0x10000, colour * (64 * 32))
            dev.submit(builders.TRANSFER_TO_HOST_2D(r=(0, 0, 64, 32), resource_id=1))
        shown = dev.read_scanout(0)
        dev.record_stop()
    with open(rec, 'a') as f:
        f.write('dump 0 out.ppm\n')
    subprocess.run([REPLAY, '-d', str(tmp_path), str(rec)], check=True, capture_output=True)
    ppm = (tmp_path / 'out.ppm').read_bytes()
    assert ppm == b'P6\n64 32\n255\n' + b'\x66\x55\x44' * (64 * 32)
    assert shown[:4] == b'\x44\x55\x66\x00'


def test_record_start_refuses_misuse(tmp_path):
    ram = vgm.GuestRam()
    ram.add(0x10000, 0x4000)
    with picture_device(ram) as dev, open(tmp_path / 'r.trace', 'w') as f:
        with pytest.raises(vgm.VgmError) as e:
            dev.record_start(-1)
        assert e.value.errno == errno.EINVAL
        with pytest.raises(vgm.VgmError) as e:
            dev.record_stop()
        assert e.value.errno == errno.EINVAL
        dev.submit(builders.RESOURCE_CREATE_2D(resource_id=1, format='B8G8R8X8', width=8,
                                               height=8))
        with pytest.raises(vgm.VgmError) as e:
            dev.record_start(f)  # a live resource: too late
        assert e.value.errno == errno.EBUSY
        dev.reset()
        dev.record_start(f)
        with pytest.raises(vgm.VgmError) as e:
            dev.record_start(f)
        assert e.value.errno == errno.EBUSY
        dev.record_stop()


def test_a_write_error_stops_the_recording():
    ram = vgm.GuestRam()
    ram.add(0x10000, 0x4000)
    r, w = os.pipe()
    os.close(r)  # writes fail with EPIPE (python ignores SIGPIPE)
    with picture_device(ram) as dev:
        dev.record_start(w)
        os.close(w)
        dev.submit(builders.GET_DISPLAY_INFO())
        with pytest.raises(vgm.VgmError) as e:
            dev.record_stop()
        assert e.value.errno == errno.EIO
