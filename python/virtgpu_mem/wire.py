# SPDX-License-Identifier: MIT
"""Requests and responses, built and parsed from the library's wire table.

Nothing here knows a layout: at first use the module asks the library for
every command of a dialect (vgm_wire_command(), types 0x0100..0x03ff) and
builds and parses messages from what it answers, as the library's own
decoder does. A command of the library's table is a callable that returns
the request's bytes:

    from virtgpu_mem import builders
    req = builders.RESOURCE_CREATE_2D(resource_id=1, format='B8G8R8X8',
                                      width=64, height=64)
    req = builders.RESOURCE_ATTACH_BACKING(resource_id=1,
                                           entries=[(0x10000, 16384)])

Keyword names are the table's field names with '.' as '_' ('pos_x',
'hdr_fence_id'), or the last part of a dotted name when no other field of
the command has it ('x', 'fence_id'). Every field is 0 unless given.
Besides the fields: fence=N sets hdr.fence_id and VGM_GPU_FLAG_FENCE,
ring=N hdr.ring_idx and VGM_GPU_FLAG_INFO_RING_IDX; entries= the records
after the fixed part (tuples in the record's field order, or dicts), whose
count (and total size) fields follow from them unless given; data= the
bytes after it (SUBMIT_3D's commands), whose length field follows too.
A rectangle is a 4-tuple (x, y, width, height), a 2D format a number or a
name ('B8G8R8X8').
"""

import struct

from . import _native
from .constants import FLAG_FENCE, FLAG_INFO_RING_IDX, dialect_number, format_number

# enum vgm_wire_kind
U8, U32, U64, RECT, U32S, U64S, TEXT, BYTES, PAD, RECORDS = range(1, 11)
# vgm_wire_field.flags
FLAG_FORMAT, FLAG_COUNT, FLAG_TOTAL, FLAG_TEXT_LENGTH, FLAG_LENGTH = 0x1, 0x2, 0x4, 0x8, 0x10
# enum vgm_wire_trailer
TRAILER_NONE, TRAILER_RECORDS, TRAILER_BYTES = 0, 1, 2

_NUMBER = {U8: '<B', U32: '<I', U64: '<Q'}
_ARRAY = {U32S: ('<I', 4), U64S: ('<Q', 8)}


class Field:
    """One field of a layout, as the library's table gives it."""

    def __init__(self, name, kind, offset, size, count, flags, record):
        self.name, self.kind, self.offset, self.size = name, kind, offset, size
        self.count, self.flags, self.record = count, flags, record

    def __repr__(self):
        return 'Field(%r, kind=%d, offset=%d, size=%d)' % (self.name, self.kind, self.offset,
                                                           self.size)

    def encode(self, value):
        """The field's bytes for value (None: zeros)."""
        if value is None:
            return bytes(self.size)
        if self.kind in _NUMBER:
            if self.flags & FLAG_FORMAT:
                value = format_number(value)
            return _pack(_NUMBER[self.kind], value, self.name)
        if self.kind == RECT:
            x, y, w, h = _rect_tuple(value)
            return b''.join(_pack('<I', v, self.name) for v in (x, y, w, h))
        if self.kind in _ARRAY:
            fmt, width = _ARRAY[self.kind]
            values = list(value)
            if len(values) > self.count:
                raise ValueError('%s takes at most %d numbers' % (self.name, self.count))
            return b''.join(_pack(fmt, v, self.name) for v in values).ljust(self.size, b'\0')
        if self.kind == RECORDS:
            records = list(value)
            if len(records) > self.count:
                raise ValueError('%s takes at most %d records' % (self.name, self.count))
            return b''.join(self.record.encode(r) for r in records).ljust(self.size, b'\0')
        return _byte_value(value, self.size, self.name)

    def decode(self, data):
        """The field's value from the message's bytes."""
        raw = bytes(data[self.offset:self.offset + self.size])
        if self.kind in _NUMBER:
            return struct.unpack(_NUMBER[self.kind], raw)[0]
        if self.kind == RECT:
            return struct.unpack('<4I', raw)
        if self.kind in _ARRAY:
            fmt, width = _ARRAY[self.kind]
            return tuple(struct.unpack('<%d%s' % (self.count, fmt[1]), raw))
        if self.kind == RECORDS:
            size = self.record.size
            return [self.record.decode(raw[i * size:(i + 1) * size]) for i in range(self.count)]
        if self.kind == TEXT:
            return raw.split(b'\0', 1)[0]
        return raw


def _pack(fmt, value, name):
    try:
        return struct.pack(fmt, value)
    except struct.error:
        raise ValueError('%s: %r does not fit in %d bytes' % (name, value,
                                                             struct.calcsize(fmt))) from None


def _rect_tuple(value):
    if hasattr(value, 'width'):
        return value.x, value.y, value.width, value.height
    value = tuple(value)
    if len(value) != 4:
        raise ValueError('a rectangle is (x, y, width, height)')
    return value


def _byte_value(value, size, name):
    if isinstance(value, int):  # a number for padding: its bytes, little-endian
        value = value.to_bytes(size, 'little')
    if isinstance(value, str):
        value = value.encode()
    value = bytes(value)
    if len(value) > size:
        raise ValueError('%s holds %d bytes, not %d' % (name, size, len(value)))
    return value.ljust(size, b'\0')


class Layout:
    """A message or a record: its fields in wire order and what follows them."""

    def __init__(self, size, fields, trailer, record):
        self.size, self.fields, self.trailer, self.record = size, fields, trailer, record
        self.by_name = {f.name: f for f in fields}
        self.keys = _keys(fields)

    def field_flagged(self, flag):
        return next((f for f in self.fields if f.flags & flag), None)

    def encode(self, value):
        """A record from a dict (field names or keys) or a tuple (the fields
        that are not padding, in order)."""
        if not isinstance(value, dict):
            named = [f for f in self.fields if f.kind != PAD]
            values = tuple(value)
            if len(values) > len(named):
                raise ValueError('a record has %d fields' % len(named))
            value = {f.name: v for f, v in zip(named, values)}
        values = self._resolve(value)
        return b''.join(f.encode(values.get(f.name)) for f in self.fields)

    def decode(self, data):
        return {f.name: f.decode(data) for f in self.fields}

    def _resolve(self, kwargs):
        """{field name: value} from keyword names."""
        out = {}
        for key, value in kwargs.items():
            name = self.keys.get(key, key if key in self.by_name else None)
            if name is None:
                raise TypeError('no field %r (fields: %s)' % (key, ', '.join(sorted(self.keys))))
            if name in out:
                raise TypeError('field %s given twice' % name)
            out[name] = value
        return out


def _keys(fields):
    """Keyword name -> field name: 'pos_x' for 'pos.x', and 'x' when unique."""
    keys = {f.name.replace('.', '_'): f.name for f in fields}
    lasts = {}
    for f in fields:
        lasts.setdefault(f.name.rsplit('.', 1)[-1], []).append(f.name)
    for last, names in lasts.items():
        if len(names) == 1 and last not in keys:
            keys[last] = names[0]
    return keys


class Message(dict):
    """A decoded request or response: field name -> value, plus the records
    (entries) and bytes (data) after the fixed part, and names."""

    def __init__(self, fields, name, entries=None, data=b'', short=False):
        super().__init__(fields)
        self.name, self.entries, self.data, self.short = name, entries or [], data, short

    def __getattr__(self, key):
        for name in (key, key.replace('_', '.')):
            if name in self:
                return self[name]
        for name in self:
            if name.rsplit('.', 1)[-1] == key:
                return self[name]
        raise AttributeError(key)

    @property
    def type(self):
        return self['hdr.type']


class Command:
    """A command of the library's table; calling it builds a request."""

    def __init__(self, dialect, c):
        self.dialect = dialect
        self.type, self.name = c.type, c.name.decode()
        self.dialects, self.queue, self.feature = c.dialects, c.queue, c.feature
        self.request = _layout(c.request)
        self.ok = c.ok
        self.response = _layout(c.response) if c.response else None

    def __repr__(self):
        return 'Command(%s 0x%04x)' % (self.name, self.type)

    def __call__(self, *, entries=None, data=b'', fence=None, ring=None, **kwargs):
        lay = self.request
        values = lay._resolve(kwargs)
        values.setdefault('hdr.type', self.type)
        _fence_and_ring(values, fence, ring)
        tail = self._trailer(lay, values, entries, data)
        return b''.join(f.encode(values.get(f.name)) for f in lay.fields) + tail

    @staticmethod
    def _trailer(lay, values, entries, data):
        count = lay.field_flagged(FLAG_COUNT)
        if entries is not None and lay.trailer != TRAILER_RECORDS:
            raise TypeError('this command has no entries')
        tail = b''
        if lay.trailer == TRAILER_RECORDS:
            entries = list(entries or [])
            tail = b''.join(lay.record.encode(e) for e in entries)
            if count:
                values.setdefault(count.name, len(entries))
            total = lay.field_flagged(FLAG_TOTAL)
            if total and 'length' in lay.record.by_name:
                length = lay.record.by_name['length']
                values.setdefault(total.name, sum(length.decode(lay.record.encode(e))
                                                  for e in entries))
        text_len = lay.field_flagged(FLAG_TEXT_LENGTH)
        text = next((f for f in lay.fields if f.kind == TEXT), None)
        if text_len and text and text.name in values:
            values.setdefault(text_len.name, len(_byte_value(values[text.name], text.size,
                                                             text.name).rstrip(b'\0')))
        length = lay.field_flagged(FLAG_LENGTH)
        if length:
            values.setdefault(length.name, len(data))
        return tail + bytes(data)

    def parse_request(self, data):
        """The request's fields, records and trailing bytes."""
        return _parse(self.request, data, self.name)

    def parse_response(self, data):
        """The response's fields: by this command's success layout when its
        type is the success type, else the header (an error)."""
        data = bytes(data)
        if len(data) >= 4 and self.response and struct.unpack_from('<I', data)[0] == self.ok:
            lay = self.response
        else:
            lay = _header_layout(self.dialect)
        rtype = struct.unpack_from('<I', data)[0] if len(data) >= 4 else None
        return _parse(lay, data, response_name(self.dialect, rtype) if rtype is not None else None)


def _fence_and_ring(values, fence, ring):
    """fence= and ring=: the header's id and the flag that says it is there."""
    if fence is not None:
        values['hdr.fence_id'] = fence
        values['hdr.flags'] = values.get('hdr.flags', 0) | FLAG_FENCE
    if ring is not None:
        values['hdr.ring_idx'] = ring
        values['hdr.flags'] = values.get('hdr.flags', 0) | FLAG_INFO_RING_IDX


def _layout(p):
    lay = p.contents
    fields = []
    for i in range(lay.nfields):
        f = lay.fields[i]
        record = _layout(f.record) if f.record else None
        fields.append(Field(f.name.decode(), f.kind, f.offset, f.size, f.count, f.flags, record))
    return Layout(lay.size, fields, lay.trailer, _layout(lay.record) if lay.record else None)


def _parse(lay, data, name):
    data = bytes(data)
    short = len(data) < lay.size
    fixed = data[:lay.size].ljust(lay.size, b'\0')
    msg = Message(lay.decode(fixed), name, short=short)
    rest = data[lay.size:]
    if lay.trailer == TRAILER_RECORDS:
        count = lay.field_flagged(FLAG_COUNT)
        n = min(msg[count.name] if count else 0, len(rest) // lay.record.size)
        msg.entries = [lay.record.decode(rest[i * lay.record.size:(i + 1) * lay.record.size])
                       for i in range(n)]
    elif lay.trailer == TRAILER_BYTES:
        length = lay.field_flagged(FLAG_LENGTH)
        msg.data = rest[:msg[length.name]] if length else rest
    return msg


class Dialect:
    """Every command of a dialect, by name (attributes) and by type."""

    def __init__(self, dialect):
        self.dialect = dialect_number(dialect)
        self._by_name = None
        self._by_type = None
        self._header = None

    def _load(self):
        if self._by_name is not None:
            return
        lib = _native.native()
        by_name, by_type = {}, {}
        for t in range(0x0100, 0x0400):
            p = lib.vgm_wire_command(self.dialect, t)
            if p:
                cmd = Command(self.dialect, p.contents)
                by_name[cmd.name] = by_type[cmd.type] = cmd
        if not by_name:
            raise RuntimeError('the library describes no command (vgm_wire_command)')
        self._by_name, self._by_type = by_name, by_type

    def __getattr__(self, name):
        if name.startswith('_'):
            raise AttributeError(name)
        self._load()
        try:
            return self._by_name[name]
        except KeyError:
            raise AttributeError('no command %s in this dialect' % name) from None

    def __getitem__(self, key):
        self._load()
        return self._by_type[key] if isinstance(key, int) else self._by_name[key]

    def __iter__(self):
        self._load()
        return iter(self._by_name.values())

    def __contains__(self, key):
        self._load()
        return key in (self._by_type if isinstance(key, int) else self._by_name)

    def __dir__(self):
        self._load()
        return list(self._by_name)

    def header(self, type, *, fence=None, ring=None, **kwargs):
        """A bare 24-byte header of any type (keys: flags, fence_id, ...;
        fence= and ring= as for a command)."""
        lay = _header_layout(self.dialect)
        values = lay._resolve(kwargs)
        values['hdr.type'] = type
        _fence_and_ring(values, fence, ring)
        return b''.join(f.encode(values.get(f.name)) for f in lay.fields)

    def parse_request(self, data):
        """A request's fields by its type; a type the dialect does not have
        gives the header only."""
        data = bytes(data)
        t = struct.unpack_from('<I', data)[0] if len(data) >= 4 else None
        if t in self:
            return self[t].parse_request(data)
        return _parse(_header_layout(self.dialect), data, None)

    def parse_response(self, data, request_type=None):
        """A response's fields: with request_type, by that command's success
        layout; without, by the layout of whichever command answers its type."""
        data = bytes(data)
        if request_type is not None and request_type in self:
            return self[request_type].parse_response(data)
        rtype = struct.unpack_from('<I', data)[0] if len(data) >= 4 else None
        for cmd in self:
            if cmd.ok == rtype and cmd.response:
                return cmd.parse_response(data)
        return _parse(_header_layout(self.dialect), data,
                      response_name(self.dialect, rtype) if rtype is not None else None)


_dialects = {}


def dialect(name_or_number='standard'):
    """The commands of a dialect ('standard', 'memory-rfc', or its number)."""
    d = dialect_number(name_or_number)
    if d not in _dialects:
        _dialects[d] = Dialect(d)
    return _dialects[d]


def _header_layout(d):
    """The 24-byte header: the fields named hdr.* that begin every message."""
    dia = dialect(d)
    dia._load()
    if dia._header is None:
        first = next(iter(dia._by_name.values()))
        fields = [f for f in first.request.fields if f.name.startswith('hdr.')]
        dia._header = Layout(fields[-1].offset + fields[-1].size, fields, TRAILER_NONE, None)
    return dia._header


def response_name(d, rtype):
    """The library's name of a response type, or None."""
    name = _native.native().vgm_response_name(dialect_number(d), rtype & 0xffffffff)
    return name.decode() if name else None


def command_name(d, ctype):
    """The library's name of a command type, or None."""
    name = _native.native().vgm_command_name(dialect_number(d), ctype & 0xffffffff)
    return name.decode() if name else None


builders = dialect('standard')
