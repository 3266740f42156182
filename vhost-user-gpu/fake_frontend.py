# SPDX-License-Identifier: MIT
"""A fake QEMU for vgm-vhost-user-gpu: both of QEMU's sockets (vhost-user
and the display), guest memory in a memfd, split rings, eventfds; the
requests to set a back-end up and to make a resource. Used by
test-vhost-user.py and test-lent-pixels.py. Linux, Python >= 3.10."""

import mmap
import os
import select
import socket
import struct
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from vhost_user_numbers import (  # noqa: E402
    CMD_ATTACH, CMD_CREATE_2D, CMD_TRANSFER, D_GET_DISPLAY_INFO, D_GET_EDID,
    D_GET_PROTOCOL_FEATURES, F_INDIRECT, F_NEXT, F_WRITE, GET_CONFIG, GET_FEATURES,
    GET_PROTOCOL_FEATURES, GPU_SET_SOCKET, NEED_REPLY, RESP_OK_DISPLAY_INFO, RESP_OK_EDID,
    RESP_OK_NODATA, SET_FEATURES, SET_MEM_TABLE, SET_OWNER, SET_PROTOCOL_FEATURES, SET_VRING_ADDR,
    SET_VRING_BASE, SET_VRING_CALL, SET_VRING_ENABLE, SET_VRING_KICK, SET_VRING_NUM)

MiB = 1 << 20
MEM = 16 * MiB
UVA = [0x7F0000000000, 0x7F1000000000]  # front-end addresses of the two regions
HALF = MEM // 2
QSIZE = 64
FEATURES = (1 << 1) | (1 << 28) | (1 << 29) | (1 << 30) | (1 << 32)

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


class Ring:
    """A split ring in guest memory, the driver's side."""

    def __init__(self, mem, base):
        self.mem, self.desc, self.avail, self.used = mem, base, base + 0x1000, base + 0x2000
        self.avail_idx = self.used_seen = 0
        self.free = 0

    def put_desc(self, table, i, addr, length, flags, nxt):
        struct.pack_into("<QIHH", self.mem, table + 16 * i, addr, length, flags, nxt)

    def offer(self, bufs):
        """bufs: [(gpa, len, writable)]; returns the head."""
        head = self.free
        for k, (addr, length, w) in enumerate(bufs):
            i = (head + k) % QSIZE
            more = k + 1 < len(bufs)
            self.put_desc(self.desc, i, addr, length, (F_WRITE if w else 0) | (F_NEXT if more else 0),
                          (i + 1) % QSIZE)
        self.free = (head + len(bufs)) % QSIZE
        self.offer_head(head)
        return head

    def offer_head(self, head):
        # used_event (EVENT_IDX): interrupt me when the next entry is used
        struct.pack_into("<H", self.mem, self.avail + 4 + 2 * QSIZE, self.used_seen)
        struct.pack_into("<H", self.mem, self.avail + 4 + 2 * (self.avail_idx % QSIZE), head)
        self.avail_idx = (self.avail_idx + 1) & 0xFFFF
        struct.pack_into("<H", self.mem, self.avail + 2, self.avail_idx)

    def used_idx(self):
        return struct.unpack_from("<H", self.mem, self.used + 2)[0]

    def pop_used(self):
        i = self.used_seen % QSIZE
        self.used_seen += 1
        return struct.unpack_from("<II", self.mem, self.used + 4 + 8 * i)


class Frontend:
    def __init__(self, backend, args=(), log=None, sndbuf=None, env=None):
        """log: a file for the back-end's stderr (None: ours); sndbuf: the
        send buffer of the back-end's end of the socket; env: variables
        added to the back-end's environment."""
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        if sndbuf:
            theirs.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
        self.log = log
        self.proc = subprocess.Popen([backend, "--fd", str(theirs.fileno())] + list(args),
                                     pass_fds=[theirs.fileno()],
                                     stderr=open(log, "w") if log else None,
                                     env=dict(os.environ, **env) if env else None)
        theirs.close()
        self.memfd = os.memfd_create("guest")
        os.ftruncate(self.memfd, MEM)
        self.mem = mmap.mmap(self.memfd, MEM)
        self.display, self.display_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.dbuf = b""
        self.events = []  # display messages we did not have to answer
        self.modes = {0: (1024, 768)}
        self.edid = fake_edid(0)
        self.edid_asked = []  # scanouts of the GET_EDID questions
        self.read_display = True  # wait() reads the display socket (a QEMU that keeps up)
        self.kick = [os.eventfd(0, os.EFD_NONBLOCK) for _ in range(2)]
        self.call = [os.eventfd(0, os.EFD_NONBLOCK) for _ in range(2)]
        self.rings = [Ring(self.mem, 0x1000), Ring(self.mem, 0x10000)]

    # -- vhost-user socket ------------------------------------------------
    def send(self, req, payload=b"", fds=(), flags=0x1):
        msg = struct.pack("<III", req, flags, len(payload)) + payload
        if fds:
            socket.send_fds(self.sock, [msg], list(fds))
        else:
            self.sock.sendall(msg)

    def recv(self):
        hdr = self.recv_exact(12)
        req, flags, size = struct.unpack("<III", hdr)
        return req, flags, self.recv_exact(size)

    def recv_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError("back-end closed the socket")
            data += chunk
        return data

    def call_u64(self, req):
        self.send(req)
        r, flags, p = self.recv()
        assert r == req and flags & 0x4, (r, flags)
        return struct.unpack("<Q", p)[0]

    def acked(self, req, payload=b"", fds=()):
        """Sends with need_reply; returns the ack (0 = success)."""
        self.send(req, payload, fds, flags=0x1 | NEED_REPLY)
        r, _flags, p = self.recv()
        assert r == req, (r, req)
        return struct.unpack("<Q", p)[0]

    # -- display socket (QEMU's side) ------------------------------------
    def display_reply(self, req, payload):
        self.display.sendall(struct.pack("<III", req, 0x4, len(payload)) + payload)

    def display_info(self):
        hdr = struct.pack("<IIQIB3x", RESP_OK_DISPLAY_INFO, 0, 0, 0, 0)
        modes = b""
        for i in range(16):
            w, h = self.modes.get(i, (0, 0))
            modes += struct.pack("<IIIIII", 0, 0, w, h, 1 if i in self.modes else 0, 0)
        return hdr + modes

    def handle_display(self, req, payload):
        if req == D_GET_PROTOCOL_FEATURES:
            self.display_reply(req, struct.pack("<Q", 3))  # EDID | DMABUF2, as QEMU 10
        elif req == D_GET_DISPLAY_INFO:
            self.display_reply(req, self.display_info())
        elif req == D_GET_EDID:
            scanout = struct.unpack_from("<I", payload)[0]
            self.edid_asked.append(scanout)
            edid = fake_edid(scanout)
            edid += bytes(1024 - len(edid))
            self.display_reply(req, struct.pack("<IIQIB3xII", RESP_OK_EDID, 0, 0, 0, 0, 1024, 0) + edid)
        else:
            self.events.append((req, payload))

    def pump_display(self, most=1 << 20):
        """Reads up to most bytes of the display socket and handles the
        messages they complete. Returns the bytes read."""
        data = self.display.recv(most)
        if not data:
            raise EOFError("display socket closed")
        self.dbuf += data
        while len(self.dbuf) >= 12:
            req, _flags, size = struct.unpack_from("<III", self.dbuf)
            if len(self.dbuf) < 12 + size:
                break
            payload, self.dbuf = self.dbuf[12:12 + size], self.dbuf[12 + size:]
            self.handle_display(req, payload)
        return len(data)

    def log_text(self):
        """What the back-end logged so far (log= given), echoed for the test log."""
        with open(self.log) as f:
            text = f.read()
        sys.stderr.write(text)
        return text

    def end(self, timeout=120):
        """Closes the vhost-user socket; returns the back-end's exit code."""
        self.sock.close()
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return "still running"

    def wait(self, cond, what, timeout=5.0):
        """Serves the display socket until cond() holds."""
        while not cond():
            fds = [self.display] if self.read_display else []
            r, _, _ = select.select(fds + [self.call[0], self.call[1]], [], [], timeout)
            if not r:
                check(False, "timed out waiting for " + what)
                return False
            for f in r:
                if f is self.display:
                    self.pump_display()
                else:
                    os.eventfd_read(f)
        return True

    # -- requests -------------------------------------------------------
    def request(self, q, cmd, resp_len=24, extra_out=(), indirect=False, timeout=5.0):
        ring = self.rings[q]
        req_at, resp_at = 0x100000 + 0x4000 * q, 0x108000 + 0x4000 * q
        self.mem[req_at:req_at + len(cmd)] = cmd
        bufs = [(req_at, len(cmd), False)] + list(extra_out)
        if resp_len:
            bufs.append((resp_at, resp_len, True))
        if indirect:
            table = 0x30000
            for k, (addr, length, w) in enumerate(bufs):
                more = k + 1 < len(bufs)
                ring.put_desc(table, k, addr, length, (F_WRITE if w else 0) | (F_NEXT if more else 0), k + 1)
            head = ring.free
            ring.put_desc(ring.desc, head, table, 16 * len(bufs), F_INDIRECT, 0)
            ring.free = (head + 1) % QSIZE
            ring.offer_head(head)
        else:
            ring.offer(bufs)
        os.eventfd_write(self.kick[q], 1)
        want = ring.used_seen + 1
        self.wait(lambda: ring.used_idx() >= want, "used element on queue %d" % q, timeout)
        _id, length = ring.pop_used()
        return bytes(self.mem[resp_at:resp_at + length])


def fake_edid(scanout):
    """A 128-byte EDID, its serial number the scanout's."""
    edid = bytes([0, 255, 255, 255, 255, 255, 255, 0]) + bytes(4) + struct.pack("<I", scanout) + bytes(111)
    return edid + bytes([(-sum(edid)) & 255])


def hdr(cmd_type):
    return struct.pack("<IIQIB3x", cmd_type, 0, 0, 0, 0)


def resp_type(resp):
    return struct.unpack_from("<I", resp)[0] if len(resp) >= 4 else None


def setup(fe, features=FEATURES, scanouts=1):
    handshake(fe, features, scanouts)
    check(set_memory(fe) == 0, "SET_MEM_TABLE, two regions")
    setup_rings(fe)


def handshake(fe, features=FEATURES, scanouts=1):
    """Features and protocol features, as QEMU starts."""
    f = fe.call_u64(GET_FEATURES)
    check(f & FEATURES == FEATURES, "GET_FEATURES offers EDID, INDIRECT, EVENT_IDX, PROTOCOL_FEATURES, VERSION_1")
    pf = fe.call_u64(GET_PROTOCOL_FEATURES)
    check(pf & (1 << 9) and pf & (1 << 3), "protocol features: CONFIG and REPLY_ACK")
    fe.send(SET_PROTOCOL_FEATURES, struct.pack("<Q", pf))
    fe.send(SET_OWNER)
    fe.send(GET_CONFIG, struct.pack("<III", 0, 16, 0) + bytes(16))
    _r, _fl, p = fe.recv()
    check(len(p) == 28 and struct.unpack_from("<I", p, 12 + 8)[0] == scanouts,
          "GET_CONFIG: num_scanouts %d" % scanouts)
    check(fe.acked(SET_FEATURES, struct.pack("<Q", features | (1 << 40))) == 0,
          "SET_FEATURES with a transport bit of QEMU's own (RING_RESET)")


def set_memory(fe, regions=((0, HALF, UVA[0], 0), (HALF, HALF, UVA[1], HALF))):
    """SET_MEM_TABLE of regions (gpa, size, uva, offset), all in the memfd;
    returns the ack (0: accepted)."""
    payload = struct.pack("<II", len(regions), 0)
    for r in regions:
        payload += struct.pack("<QQQQ", *r)
    return fe.acked(SET_MEM_TABLE, payload, [fe.memfd] * len(regions))


def setup_rings(fe, bases=(0, 0)):
    """The display socket and both rings, started at bases (where an earlier
    back-end stopped them: GET_VRING_BASE)."""
    fe.send(GPU_SET_SOCKET, fds=[fe.display_theirs.fileno()])
    fe.display_theirs.close()
    start_rings(fe, bases)


def start_rings(fe, bases=(0, 0)):
    """Both rings (fe.rings) set up, started at bases and enabled."""
    for q, ring in enumerate(fe.rings):
        fe.send(SET_VRING_NUM, struct.pack("<II", q, QSIZE))
        fe.send(SET_VRING_BASE, struct.pack("<II", q, bases[q]))
        fe.send(SET_VRING_ADDR, struct.pack("<IIQQQQ", q, 0, UVA[0] + ring.desc, UVA[0] + ring.used,
                                            UVA[0] + ring.avail, 0))
        fe.send(SET_VRING_CALL, struct.pack("<Q", q), [fe.call[q]])
        fe.send(SET_VRING_KICK, struct.pack("<Q", q), [fe.kick[q]])
        check(fe.acked(SET_VRING_ENABLE, struct.pack("<II", q, 1)) == 0, "ring %d enabled" % q)


def pattern(w, h, seed):
    return bytes(((x * 7 + y * 13 + seed + c * 50) & 255) if c < 3 else 0
                 for y in range(h) for x in range(w) for c in range(4))


def create(fe, q, rid, fmt, w, h, gpa, pixels):
    check(resp_type(fe.request(q, hdr(CMD_CREATE_2D) + struct.pack("<IIII", rid, fmt, w, h))) == RESP_OK_NODATA,
          "RESOURCE_CREATE_2D %d" % rid)
    fe.mem[gpa:gpa + len(pixels)] = pixels
    entries_at = 0x200000
    fe.mem[entries_at:entries_at + 16] = struct.pack("<QII", gpa, len(pixels), 0)
    r = fe.request(q, hdr(CMD_ATTACH) + struct.pack("<II", rid, 1), extra_out=[(entries_at, 16, False)])
    check(resp_type(r) == RESP_OK_NODATA, "ATTACH_BACKING %d (entries in a second descriptor)" % rid)
    r = fe.request(q, hdr(CMD_TRANSFER) + struct.pack("<IIIIQII", 0, 0, w, h, 0, rid, 0), indirect=True)
    check(resp_type(r) == RESP_OK_NODATA, "TRANSFER_TO_HOST_2D %d (indirect descriptors)" % rid)
