# SPDX-License-Identifier: MIT
"""The shared library and the C structs of <virtgpu-mem/virtgpu-mem.h>.

The library is found, in this order:
1. $VIRTGPU_MEM_LIBRARY: the path of libvirtgpu-mem.so.0 (or any name);
2. a meson build directory of the source tree this package sits in:
   $VIRTGPU_MEM_BUILD_DIR, else build/ next to python/ (its lib/ holds the
   library);
3. the system's loader: libvirtgpu-mem.so.0 where ld.so finds it.

The structs below mirror the public header's API structs (not the wire
layouts, which come from the library at run time: see wire.py). The
package's tests check every size and offset against the header, compiled.
"""

import ctypes
import os

SONAME = 'libvirtgpu-mem.so.0'


class LibraryNotFound(OSError):
    """No libvirtgpu-mem.so.0 where the package looks (see the module doc)."""


def _candidates():
    env = os.environ.get('VIRTGPU_MEM_LIBRARY')
    if env:
        yield env
        return
    source_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    build = os.environ.get('VIRTGPU_MEM_BUILD_DIR', os.path.join(source_root, 'build'))
    yield os.path.join(build, 'lib', SONAME)
    yield SONAME


def load_library():
    """The library, loaded once; LibraryNotFound says where it looked."""
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path + ' (no such file)')
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append('%s (%s)' % (path, e))
    raise LibraryNotFound('libvirtgpu-mem not found; tried: ' + '; '.join(tried) +
                          '. Set VIRTGPU_MEM_LIBRARY to its path.')


u8, u32, i32, u64 = ctypes.c_uint8, ctypes.c_uint32, ctypes.c_int32, ctypes.c_uint64
c_int, c_size, c_void_p, c_char_p = ctypes.c_int, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_char_p

VGM_MAX_SCANOUTS = 16
VGM_CURSOR_SIZE = 64


class vgm_rect(ctypes.Structure):
    _fields_ = [('x', u32), ('y', u32), ('width', u32), ('height', u32)]


class vgm_guest_map(ctypes.Structure):
    _fields_ = [('ptr', c_void_p), ('len', u64), ('cookie', c_void_p), ('fd', c_int),
                ('fd_offset', u64)]


class vgm_pixels(ctypes.Structure):
    _fields_ = [('data', c_void_p), ('stride', u32), ('fourcc', u32), ('width', u32),
                ('height', u32)]


class vgm_cursor(ctypes.Structure):
    _fields_ = [('pixels', ctypes.POINTER(u32)), ('hot_x', u32), ('hot_y', u32), ('x', u32),
                ('y', u32)]


class vgm_dmabuf(ctypes.Structure):
    _fields_ = [('fd', c_int), ('fourcc', u32), ('modifier', u64), ('stride', u32),
                ('offset', u64), ('size', u64), ('width', u32), ('height', u32),
                ('rect', vgm_rect)]


# The callbacks' C types, in struct vgm_host_ops order.
CALLBACK_TYPES = [
    ('translate', ctypes.CFUNCTYPE(c_int, c_void_p, u64, u64, ctypes.POINTER(vgm_guest_map))),
    ('release', ctypes.CFUNCTYPE(None, c_void_p, ctypes.POINTER(vgm_guest_map))),
    ('fence_done', ctypes.CFUNCTYPE(None, c_void_p, u32, u8, u64)),
    ('config_changed', ctypes.CFUNCTYPE(None, c_void_p)),
    ('scanout_set', ctypes.CFUNCTYPE(None, c_void_p, u32, ctypes.POINTER(vgm_pixels))),
    ('scanout_disable', ctypes.CFUNCTYPE(None, c_void_p, u32)),
    ('scanout_update', ctypes.CFUNCTYPE(None, c_void_p, u32, ctypes.POINTER(vgm_rect))),
    ('cursor_set', ctypes.CFUNCTYPE(None, c_void_p, u32, ctypes.POINTER(vgm_cursor))),
    ('cursor_move', ctypes.CFUNCTYPE(None, c_void_p, u32, u32, u32)),
    ('cursor_hide', ctypes.CFUNCTYPE(None, c_void_p, u32)),
    ('log', ctypes.CFUNCTYPE(None, c_void_p, c_int, c_char_p)),
    ('resource_uuid', ctypes.CFUNCTYPE(None, c_void_p, u32, ctypes.POINTER(u8 * 16))),
    ('scanout_dmabuf', ctypes.CFUNCTYPE(None, c_void_p, u32, ctypes.POINTER(vgm_dmabuf))),
    ('request_done', ctypes.CFUNCTYPE(None, c_void_p, u64, c_size)),
]
CALLBACKS = dict(CALLBACK_TYPES)


class vgm_host_ops(ctypes.Structure):
    _fields_ = [('size', u32)] + CALLBACK_TYPES


class vgm_scanout_config(ctypes.Structure):
    _fields_ = [('enabled', u32), ('width', u32), ('height', u32)]


class vgm_device_config(ctypes.Structure):
    _fields_ = [('size', u32), ('dialect', u32), ('features', u64), ('num_scanouts', u32),
                ('scanouts', vgm_scanout_config * VGM_MAX_SCANOUTS),
                ('max_host_memory', u64), ('max_backing_entries', u32),
                ('max_resources', u32), ('max_regions', u32), ('log_level', u32),
                ('ops', ctypes.POINTER(vgm_host_ops)), ('host', c_void_p),
                ('max_table_pieces', u32), ('reserved', u32), ('stream_threshold', u64),
                ('renderer', u32), ('renderer_flags', u32), ('flags', u32), ('reserved2', u32)]


class vgm_resource_info(ctypes.Structure):
    _fields_ = [('size', u32), ('format', u32), ('fourcc', u32), ('width', u32),
                ('height', u32), ('stride', u32), ('backed', u32), ('memory_id', u32),
                ('backing_offset', u64), ('backing_size', u64), ('scanout_mask', u32),
                ('blob', u32), ('has_uuid', u32), ('blob_size', u64), ('uuid', u8 * 16)]


class vgm_scanout_info(ctypes.Structure):
    _fields_ = [('size', u32), ('enabled', u32), ('width', u32), ('height', u32),
                ('resource_id', u32), ('rect', vgm_rect)]


class vgm_stats(ctypes.Structure):
    _fields_ = [('size', u32), ('resources', u32), ('regions', u32), ('memory_ids', u32),
                ('host_bytes', u64), ('image_bytes', u64), ('table_bytes', u64),
                ('object_bytes', u64), ('backing_entries', u64)]


class iovec(ctypes.Structure):
    _fields_ = [('iov_base', c_void_p), ('iov_len', c_size)]


class vgm_wire_layout(ctypes.Structure):
    pass


class vgm_wire_field(ctypes.Structure):
    _fields_ = [('name', c_char_p), ('kind', u32), ('offset', u32), ('size', u32),
                ('count', u32), ('flags', u32), ('record', ctypes.POINTER(vgm_wire_layout))]


vgm_wire_layout._fields_ = [('size', u32), ('nfields', u32),
                            ('fields', ctypes.POINTER(vgm_wire_field)), ('trailer', u32),
                            ('record', ctypes.POINTER(vgm_wire_layout))]


class vgm_wire_command(ctypes.Structure):
    _fields_ = [('size', u32), ('type', u32), ('name', c_char_p), ('dialects', u32),
                ('queue', u32), ('feature', i32), ('request', ctypes.POINTER(vgm_wire_layout)),
                ('ok', u32), ('response', ctypes.POINTER(vgm_wire_layout))]


# Every struct the tests compare with the header: name -> ctypes class.
STRUCTS = {cls.__name__: cls for cls in (
    vgm_rect, vgm_guest_map, vgm_pixels, vgm_cursor, vgm_dmabuf, vgm_host_ops,
    vgm_scanout_config, vgm_device_config, vgm_resource_info, vgm_scanout_info, vgm_stats,
    vgm_wire_field, vgm_wire_layout, vgm_wire_command)}

P = ctypes.POINTER
dev_p = c_void_p
# name -> (return type, argument types)
PROTOTYPES = {
    'vgm_device_new': (c_int, [P(vgm_device_config), P(c_void_p)]),
    'vgm_device_destroy': (None, [dev_p]),
    'vgm_device_get_features': (c_int, [dev_p, P(u64)]),
    'vgm_device_set_features': (c_int, [dev_p, u64]),
    'vgm_device_config_read': (c_int, [dev_p, u32, c_void_p, u32]),
    'vgm_device_config_write': (c_int, [dev_p, u32, c_void_p, u32]),
    'vgm_device_set_display': (c_int, [dev_p, u32, ctypes.c_bool, u32, u32]),
    'vgm_device_set_edid': (c_int, [dev_p, u32, c_void_p, c_size]),
    'vgm_device_submit': (c_int, [dev_p, c_int, P(iovec), c_size, P(iovec), c_size, P(c_size)]),
    'vgm_device_reset': (c_int, [dev_p]),
    'vgm_device_get_resource_info': (c_int, [dev_p, u32, P(vgm_resource_info)]),
    'vgm_device_get_scanout_info': (c_int, [dev_p, u32, P(vgm_scanout_info)]),
    'vgm_device_get_scanout_pixels': (c_int, [dev_p, u32, P(vgm_pixels)]),
    'vgm_device_read_scanout': (c_int, [dev_p, u32, u32, c_void_p, u32]),
    'vgm_device_find_uuid': (c_int, [dev_p, P(u8 * 16), P(u32)]),
    'vgm_device_get_stats': (c_int, [dev_p, P(vgm_stats)]),
    'vgm_command_name': (c_char_p, [c_int, u32]),
    'vgm_response_name': (c_char_p, [c_int, u32]),
    'vgm_wire_command': (P(vgm_wire_command), [c_int, u32]),
    'vgm_version': (c_char_p, []),
}
# Functions a newer library has; absent from an older one (None then).
OPTIONAL = {
    'vgm_device_record_start': (c_int, [dev_p, c_int]),
    'vgm_device_record_stop': (c_int, [dev_p]),
    'vgm_device_save_size': (c_int, [dev_p, P(c_size)]),
    'vgm_device_save': (c_int, [dev_p, c_void_p, c_size, P(c_size)]),
    'vgm_device_load': (c_int, [dev_p, c_void_p, c_size]),
    'vgm_device_resume': (c_int, [dev_p]),
    'vgm_device_unmap_guest': (c_int, [dev_p, u64, u64]),
    'vgm_device_can_save': (c_int, [dev_p, P(u32)]),
    'vgm_device_submit_tagged': (c_int, [dev_p, c_int, P(iovec), c_size, P(iovec), c_size, u64,
                                         P(c_size)]),
    'vgm_device_prefetch': (c_int, [dev_p, c_int, P(iovec), c_size]),
    'vgm_device_poll': (c_int, [dev_p]),
    'vgm_device_get_poll_fd': (c_int, [dev_p, P(c_int)]),
    'vgm_device_next_poll': (c_int, [dev_p, P(u64)]),
    'vgm_renderer_available': (c_int, [u32]),
}


class Native:
    """The library's functions with their prototypes set."""

    def __init__(self, cdll):
        self.cdll = cdll
        for name, (res, args) in PROTOTYPES.items():
            fn = getattr(cdll, name)
            fn.restype, fn.argtypes = res, args
            setattr(self, name, fn)
        for name, (res, args) in OPTIONAL.items():
            fn = getattr(cdll, name, None)
            if fn is not None:
                fn.restype, fn.argtypes = res, args
            setattr(self, name, fn)


_native = None


def native():
    """The library, loaded at first use."""
    global _native
    if _native is None:
        _native = Native(load_library())
    return _native
