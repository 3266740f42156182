# SPDX-License-Identifier: MIT
"""Plays a vgm-trace v1 file (docs/trace-format.md) through the Python
package, for the tests: the golden traces of tests/traces/ driven through
Device, their symbolic requests built by the package's builders.

A test helper, not a second vgm-replay: it reads what the golden traces
use, prints the lines of vgm-replay's output that the tests compare (ctrl
and dump), and fails loudly on anything else.
"""

import shlex
import zlib

import virtgpu_mem as vgm
from virtgpu_mem import wire

HEADER_KEYS = {'type': 'hdr_type', 'ctx': 'hdr_ctx_id'}
ALIASES = {'id': 'resource_id', 'rect': 'r'}


def number(s):
    return int(s, 0) if s.lower().startswith('0x') else int(s, 10)


class TraceError(Exception):
    pass


class Player:
    def __init__(self, record=None):
        self.record = record  # a file the device records into, or None
        self.ram = vgm.GuestRam()
        self.device_line = {}
        self.dev = None
        self.dialect = wire.dialect('standard')
        self.out = []  # the ctrl and dump lines vgm-replay would print
        self.expect = []  # the trace's "# expect:" lines

    # ---- the device ----------------------------------------------------------

    def parse_device(self, toks):
        for tok in toks:
            key, _, value = tok.partition('=')
            if key in ('display', 'edid'):
                i, _, rest = value.partition(':')
                self.device_line.setdefault(key, {})[int(i)] = rest
            else:
                self.device_line[key] = value
        self.dialect = wire.dialect(self.device_line.get('dialect', 'standard'))

    def make_device(self):
        d = self.device_line
        n = number(d.get('scanouts', '1'))
        displays = d.get('display', {0: '1024x768'})
        scanouts = []
        for i in range(n):
            if i in displays:
                w, h = displays[i].split('x')
                scanouts.append(vgm.Scanout(int(w), int(h), True))
            else:
                scanouts.append(vgm.Scanout(0, 0, False))
        self.dev = vgm.Device(dialect=self.dialect.dialect, scanouts=scanouts,
                              max_host_memory=number(d.get('hostmem', '0')),
                              max_backing_entries=number(d.get('max-entries', '0')),
                              max_resources=number(d.get('max-resources', '0')),
                              max_regions=number(d.get('max-regions', '0')),
                              translate=self.ram.translate)
        if self.record is not None:
            self.dev.record_start(self.record)
        features = number(d['features']) if 'features' in d else self.dev.offered_features
        self.dev.accept_features(features & ((1 << 24) - 1))
        for i, hexbytes in d.get('edid', {}).items():
            self.dev.set_edid(i, bytes.fromhex(hexbytes))

    # ---- requests --------------------------------------------------------------

    def symbolic(self, toks):
        """The bytes and descriptor cuts of NAME key=value ... [hex | ...]."""
        name = toks[0]
        header = name == 'HDR'
        cmd = None if header else self.dialect[name]
        kwargs, extra, cuts, length, hdr_flags = {}, bytearray(), [], None, None
        for tok in toks[1:]:
            key, eq, value = tok.partition('=')
            if not eq:
                if tok == '|':
                    cuts.append(len(extra))
                else:
                    extra += bytes.fromhex(tok)
                continue
            if key == 'len':
                length = number(value)
            elif key == 'split':
                kwargs['__split'] = [number(v) for v in value.split(',')]
            elif key == 'entries':
                kwargs['entries'] = [tuple(number(x) for x in e.split(':'))
                                     for e in value.split(',') if e]
            elif key in ('fence', 'ring'):
                kwargs[key] = number(value)
            elif key == 'hdr_flags':
                hdr_flags = number(value)
            else:
                key = HEADER_KEYS.get(key, ALIASES.get(key, key))
                kwargs[key] = self.value(cmd, key, value)
        split = kwargs.pop('__split', [])
        if header:
            data = bytearray(self.dialect.header(kwargs.pop('hdr_type'), **kwargs))
        else:
            data = bytearray(cmd(**kwargs))
        if hdr_flags is not None:
            data[4:8] = hdr_flags.to_bytes(4, 'little')
        base = len(data)
        data += extra
        if length is not None:
            data = data[:length].ljust(length, b'\0')
        return bytes(data), sorted(split + [base + c for c in cuts])

    def value(self, cmd, key, text):
        field = None
        if cmd is not None:
            lay = cmd.request
            field = lay.by_name.get(lay.keys.get(key, key))
        if field is None or field.kind == wire.TEXT:
            return text if field is not None else number(text)
        if field.kind in (wire.RECT, wire.U32S, wire.U64S):
            return [number(v) for v in text.split(',')]
        if field.flags & wire.FLAG_FORMAT and not text[0].isdigit():
            return text
        return number(text)

    def request(self, toks):
        data, cuts = bytearray(), []
        if toks and not all(c in '0123456789abcdefABCDEF|' for c in toks[0]):
            return self.symbolic(toks)
        for tok in toks:
            if tok == '|':
                cuts.append(len(data))
            else:
                data += bytes.fromhex(tok)
        return bytes(data), cuts

    def submit(self, queue, resp, toks):
        if self.dev is None:
            self.make_device()
        data, cuts = self.request(toks)
        pieces, at = [], 0
        for c in cuts + [len(data)]:
            pieces.append(data[at:c])
            at = c
        if not data:
            pieces = []
        if queue == vgm.QUEUE_CURSOR:
            self.dev.submit(pieces, queue=queue, response=[])
            return
        got = self.dev.submit(pieces, queue=queue, response=resp)
        self.out.append(('ctrl ' + got.hex()).rstrip())

    def dump(self, scanout, path):
        if self.dev is None:
            self.make_device()
        info = self.dev.scanout_info(scanout)
        px = self.dev.read_scanout(scanout, vgm.DRM_FORMAT_BGR888)
        if px is None:
            self.out.append('dump %d off' % scanout)
            return
        w, h = info.rect.width, info.rect.height
        stride = (w * 3 + 3) & ~3
        crc = 0
        for y in range(h):
            crc = zlib.crc32(px[y * stride:y * stride + w * 3], crc)
        self.out.append('dump %d %dx%d crc=%08x %s' % (scanout, w, h, crc, path))

    # ---- lines -------------------------------------------------------------------

    def line(self, text):
        body, _, comment = text.partition('#')
        if comment.strip().startswith('expect:'):
            self.expect.append(comment.strip()[len('expect:'):].strip())
        toks = shlex.split(body, posix=False) if body.strip() else []
        if not toks:
            return
        word, args = toks[0], toks[1:]
        if word == 'device':
            self.parse_device(args)
        elif word == 'ram':
            self.ram.add(number(args[0]), number(args[1]))
        elif word == 'write':
            self.ram.write(number(args[0]), bytes.fromhex(''.join(args[1:])))
        elif word == 'fill':
            self.ram.fill(number(args[0]), number(args[1]), number(args[2]))
        elif word == 'ctrl':
            resp = [65536]
            if args and args[0].startswith('resp='):
                resp = [number(v) for v in args[0][5:].split(',')]
                args = args[1:]
            self.submit(vgm.QUEUE_CONTROL, resp, args)
        elif word == 'cursor':
            self.submit(vgm.QUEUE_CURSOR, None, args)
        elif word == 'dump':
            self.dump(int(args[0]), args[1])
        else:
            raise TraceError('unknown line: ' + text)

    def play(self, path):
        with open(path) as f:
            for n, text in enumerate(f, 1):
                try:
                    self.line(text.rstrip('\r\n'))
                except Exception as e:
                    raise TraceError('%s:%d: %s' % (path, n, e)) from e
        return self

    def close(self):
        if self.dev is not None:
            if self.record is not None:
                self.dev.record_stop()
            self.dev.close()


def golden_lines(out_path):
    """The ctrl and dump lines of a golden .out file (vgm-replay's output)."""
    with open(out_path) as f:
        return [line.rstrip('\n') for line in f
                if line.startswith('ctrl') or line.startswith('dump')]
