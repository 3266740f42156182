#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Helpers for the virtgpu-mem guest tests (Python 3 standard library only).

This module is both a library (imported by run-guest.py) and a small CLI:

  guestlib.py modules KERNEL_ROOT [ROOT_MODULE...]
        print the insmod order computed from the modules' .modinfo depends=
  guestlib.py initramfs --kernel-root DIR --busybox FILE --out FILE.cpio.gz
                        [--program FILE --lib-root DIR...]
        build the guest initramfs (cpio newc, gzip, reproducible); with
        --program, also that dynamically linked program (as /usr/bin/NAME)
        and the libraries it needs, found in the --lib-root trees (the
        extracted Debian packages)
  guestlib.py vmlinux BZIMAGE OUT
        extract the uncompressed kernel (boots faster under TCG via PVH)
  guestlib.py expected W H OUT.{png,ppm}
        write the expected screen image of the test pattern
  guestlib.py check-pattern SCREENDUMP [--diff DIFF.png]
        exit 0 iff SCREENDUMP is pixel-identical to the pattern of its size
  guestlib.py compare A B [--diff DIFF.png]
        exit 0 iff two screendumps (PPM or PNG) are pixel-identical
  guestlib.py selftest --busybox BUSYBOX
        host-only: init.sh's pattern code vs this file's, comparison checks
  guestlib.py topng IN OUT.png
        convert a PPM screendump to PNG
  guestlib.py text-check IMAGE TEXT
        exit 0 iff IMAGE shows TEXT's words in one text row (see text_row)

The test pattern is defined here (pattern_pixel, and the fast row builder
_pattern_rows) and, for the guest, in busybox awk in init.sh (draw_pattern).
They must stay in sync: `selftest` runs init.sh's code with the guest's
busybox on the host, and the guest prints the md5 of the frame it wrote, so
a mismatch between the definitions is told apart from a display-path error.
"""

import argparse
import gzip
import hashlib
import io
import lzma
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------
# Markers printed by the guest's /init on the serial console (ttyS0).
# init.sh contains @NAME@ placeholders that are replaced by these values.
# ---------------------------------------------------------------------------
MARKERS = {
    "MARK_GEOMETRY": "VGM-GUEST-GEOMETRY",   # followed by: W H STRIDE BPP
    "MARK_READY": "VGM-GUEST-READY",         # screen content is final
    "MARK_MD5": "VGM-GUEST-FRAME-MD5",       # followed by: md5 of frame
    "MARK_ERROR": "VGM-GUEST-ERROR",         # followed by: reason
    "MARK_BENCH": "VGM-GUEST-BENCH",         # followed by: frames=N pause_ms=N start=S end=S
    "MARK_FLIPPING": "VGM-GUEST-FLIPPING",   # page flips began; followed by: seconds=S
    "MARK_FLIPS": "VGM-GUEST-FLIPS",         # followed by: seconds=S freq=F,F,... (one per 60 flips)
    "MARK_DMESG_BEGIN": "VGM-DMESG-BEGIN",
    "MARK_DMESG_END": "VGM-DMESG-END",
}

# Modules the guest needs: the PCI transport and the GPU driver.  Their
# dependencies are computed from .modinfo (never hard-coded).
ROOT_MODULES = ["virtio_pci", "virtio_gpu"]

CELL = 16  # pattern cell size in pixels (init.sh uses the same constant)


# ---------------------------------------------------------------------------
# Kernel modules: .modinfo parsing and dependency order
# ---------------------------------------------------------------------------
MODULE_SUFFIXES = (".ko", ".ko.xz", ".ko.zst", ".ko.gz")


def norm_modname(name):
    """Kernel module names treat '-' and '_' as the same character."""
    return name.replace("-", "_")


def module_basename(path):
    base = os.path.basename(path)
    for suf in MODULE_SUFFIXES:
        if base.endswith(suf):
            return base[: -len(suf)]
    return None


def read_module_bytes(path):
    """Return the (decompressed) ELF image of a .ko / .ko.xz / .ko.zst / .ko.gz."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".gz"):
        return gzip.decompress(data)
    if path.endswith(".zst"):
        zstd = shutil.which("zstd")
        if not zstd:
            raise RuntimeError("%s is zstd-compressed but the zstd tool is missing" % path)
        return subprocess.run([zstd, "-dc"], input=data, stdout=subprocess.PIPE,
                              check=True).stdout
    return data


def elf_section(data, wanted):
    """Return the contents of ELF section `wanted` (bytes) or None."""
    if data[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    ei_class, ei_data = data[4], data[5]
    end = "<" if ei_data == 1 else ">"
    if ei_class == 2:  # ELF64
        shoff = struct.unpack_from(end + "Q", data, 0x28)[0]
        shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", data, 0x3A)
        def sh(i):
            o = shoff + i * shentsize
            name, = struct.unpack_from(end + "I", data, o)
            off, size = struct.unpack_from(end + "QQ", data, o + 0x18)
            return name, off, size
    elif ei_class == 1:  # ELF32
        shoff = struct.unpack_from(end + "I", data, 0x20)[0]
        shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", data, 0x2E)
        def sh(i):
            o = shoff + i * shentsize
            name, = struct.unpack_from(end + "I", data, o)
            off, size = struct.unpack_from(end + "II", data, o + 0x10)
            return name, off, size
    else:
        raise ValueError("unknown ELF class %d" % ei_class)
    _, stroff, strsize = sh(shstrndx)
    strtab = data[stroff:stroff + strsize]
    for i in range(shnum):
        name, off, size = sh(i)
        nend = strtab.index(b"\0", name)
        if strtab[name:nend].decode("ascii", "replace") == wanted:
            return data[off:off + size]
    return None


def read_modinfo(path):
    """Parse a module's .modinfo section into {key: [values]}."""
    sec = elf_section(read_module_bytes(path), ".modinfo")
    info = {}
    if sec is None:
        return info
    for item in sec.split(b"\0"):
        if b"=" not in item:
            continue
        k, v = item.split(b"=", 1)
        info.setdefault(k.decode("ascii", "replace"), []).append(v.decode("utf-8", "replace"))
    return info


def find_modules_dir(kernel_root):
    """KERNEL_ROOT is the dpkg-deb -x output; return (kver, lib/modules/KVER)."""
    for base in ("lib/modules", "usr/lib/modules"):
        d = os.path.join(kernel_root, base)
        if os.path.isdir(d):
            vers = sorted(v for v in os.listdir(d) if os.path.isdir(os.path.join(d, v, "kernel")))
            if len(vers) == 1:
                return vers[0], os.path.join(d, vers[0])
            if len(vers) > 1:
                raise RuntimeError("several kernels in %s: %s" % (d, vers))
    raise RuntimeError("no lib/modules/VERSION/kernel under %s" % kernel_root)


class ModuleIndex:
    def __init__(self, moddir):
        self.moddir = moddir
        self.paths = {}   # normalized name -> path
        for dirpath, _dirs, files in os.walk(os.path.join(moddir, "kernel")):
            for fn in files:
                b = module_basename(fn)
                if b is not None:
                    self.paths.setdefault(norm_modname(b), os.path.join(dirpath, fn))
        self.builtin = set()
        bfile = os.path.join(moddir, "modules.builtin")
        if os.path.exists(bfile):
            with open(bfile) as f:
                for line in f:
                    b = module_basename(line.strip())
                    if b:
                        self.builtin.add(norm_modname(b))
        self._info = {}

    def info(self, name):
        name = norm_modname(name)
        if name not in self._info:
            self._info[name] = read_modinfo(self.paths[name])
        return self._info[name]

    def depends(self, name):
        deps = []
        for v in self.info(name).get("depends", []):
            deps.extend(d for d in v.split(",") if d)
        return deps

    def load_order(self, roots):
        """Depth-first post-order: every module comes after its dependencies.

        Dependencies are visited in the order .modinfo lists them, roots in
        the order given, so the result is deterministic.  Built-in modules
        are skipped, missing ones are an error."""
        order, state = [], {}

        def visit(name, chain):
            n = norm_modname(name)
            if n in self.builtin and n not in self.paths:
                return
            if state.get(n) == "done":
                return
            if state.get(n) == "active":
                raise RuntimeError("module dependency cycle: %s" % " -> ".join(chain + [n]))
            if n not in self.paths:
                raise RuntimeError("module %s not found (needed by %s)" % (name, " -> ".join(chain) or "root"))
            state[n] = "active"
            for d in self.depends(n):
                visit(d, chain + [n])
            state[n] = "done"
            order.append(n)

        for r in roots:
            visit(r, [])
        return order


# ---------------------------------------------------------------------------
# cpio newc writer (no root needed: device nodes are just archive entries)
# ---------------------------------------------------------------------------
class CpioWriter:
    def __init__(self, fileobj, mtime=0):
        self.f = fileobj
        self.ino = 1
        self.mtime = mtime
        self.seen = set()

    def _entry(self, name, mode, data=b"", rdev=(0, 0), nlink=1):
        name_b = name.encode() + b"\0"
        hdr = "070701" + "".join("%08X" % v for v in (
            self.ino, mode, 0, 0, nlink, self.mtime, len(data), 0, 0,
            rdev[0], rdev[1], len(name_b), 0))
        self.ino += 1
        buf = hdr.encode() + name_b
        buf += b"\0" * (-len(buf) % 4)
        buf += data
        buf += b"\0" * (-len(data) % 4)
        self.f.write(buf)

    def dir(self, name, perm=0o755):
        name = name.strip("/")
        if name and name not in self.seen:
            parent = os.path.dirname(name)
            if parent:
                self.dir(parent)
            self.seen.add(name)
            self._entry(name, stat.S_IFDIR | perm, nlink=2)

    def file(self, name, data, perm=0o644):
        name = name.strip("/")
        self.dir(os.path.dirname(name))
        self.seen.add(name)
        self._entry(name, stat.S_IFREG | perm, data)

    def symlink(self, name, target):
        name = name.strip("/")
        self.dir(os.path.dirname(name))
        self.seen.add(name)
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, name, major, minor, perm=0o600):
        name = name.strip("/")
        self.dir(os.path.dirname(name))
        self.seen.add(name)
        self._entry(name, stat.S_IFCHR | perm, rdev=(major, minor))

    def close(self):
        self._entry("TRAILER!!!", 0)


# ---------------------------------------------------------------------------
# Dynamically linked programs: their interpreter and DT_NEEDED libraries,
# found in extracted Debian packages, for the initramfs (the guest has no
# libc of its own: busybox is static).
# ---------------------------------------------------------------------------
LIB_DIRS = ("lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib64", "usr/lib64", "lib", "usr/lib")


def elf_dynamic(data):
    """(interpreter path or None, [DT_NEEDED names]) of an ELF64 LE file."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not an ELF64 little-endian file")
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    interp, dyn, loads = None, None, []
    for i in range(phnum):
        p_type, _flags, off, vaddr, _paddr, filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if p_type == 3:  # PT_INTERP
            interp = data[off:off + filesz].rstrip(b"\0").decode()
        elif p_type == 2:  # PT_DYNAMIC
            dyn = (off, filesz)
        elif p_type == 1:  # PT_LOAD: maps vaddr to file offset
            loads.append((vaddr, off, filesz))
    if dyn is None:
        return interp, []
    entries = [struct.unpack_from("<qQ", data, dyn[0] + k) for k in range(0, dyn[1], 16)]
    strtab = next((v for t, v in entries if t == 5), None)  # DT_STRTAB, a vaddr
    base = next((o + strtab - va for va, o, sz in loads if va <= strtab < va + sz), None)
    if base is None:
        raise ValueError("DT_STRTAB outside the loaded segments")
    needed = [data[base + v:data.index(b"\0", base + v)].decode() for t, v in entries if t == 1]
    return interp, needed


def find_lib(name, roots):
    for root in roots:
        for d in LIB_DIRS:
            path = os.path.join(root, d, name)
            if os.path.exists(path):
                return path
    raise RuntimeError("library %s not found in %s" % (name, " ".join(roots)))


def program_files(program, roots):
    """[(path in the guest, host file)] for a program and what it loads:
    its interpreter and every DT_NEEDED library, transitively. Libraries go
    to /lib/x86_64-linux-gnu (the guest's LD_LIBRARY_PATH), the interpreter
    where PT_INTERP names it."""
    with open(program, "rb") as f:
        interp, todo = elf_dynamic(f.read())
    files = [("usr/bin/" + os.path.basename(program), program)]
    if interp:
        files.append((interp.lstrip("/"), find_lib(os.path.basename(interp), roots)))
    seen = {os.path.basename(interp)} if interp else set()
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        path = find_lib(name, roots)
        files.append(("lib/x86_64-linux-gnu/" + name, path))
        with open(path, "rb") as f:
            todo += elf_dynamic(f.read())[1]
    return files


def render_init(template_path=None):
    path = template_path or os.path.join(HERE, "init.sh")
    with open(path) as f:
        text = f.read()
    subst = dict(MARKERS, CELL=str(CELL))
    for k, v in subst.items():
        text = text.replace("@%s@" % k, v)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise RuntimeError("unreplaced placeholders in init template: %s" % left)
    return text


def build_initramfs(kernel_root, busybox, out, roots=ROOT_MODULES, log=print, programs=(),
                    lib_roots=()):
    kver, moddir = find_modules_dir(kernel_root)
    idx = ModuleIndex(moddir)
    order = idx.load_order(roots)
    raw = io.BytesIO()
    cw = CpioWriter(raw)
    for d in ("bin", "sbin", "dev", "proc", "sys", "tmp", "etc", "lib/modules", "root"):
        cw.dir(d)
    cw.chardev("dev/console", 5, 1)
    cw.chardev("dev/null", 1, 3, 0o666)
    with open(busybox, "rb") as f:
        cw.file("bin/busybox", f.read(), 0o755)
    cw.symlink("bin/sh", "busybox")
    cw.file("init", render_init().encode(), 0o755)
    names = []
    for n in order:
        src = idx.paths[n]
        fn = module_basename(src) + ".ko"   # stored decompressed: busybox insmod
        cw.file("lib/modules/" + fn, read_module_bytes(src), 0o644)
        names.append(fn)
    cw.file("etc/modules.order", ("\n".join(names) + "\n").encode())
    for prog in programs:
        for dest, src in program_files(prog, lib_roots):
            with open(os.path.realpath(src), "rb") as f:  # symlinks (libc.so.6) stored as files
                cw.file(dest, f.read(), 0o755)
            log("initramfs: /%s from %s" % (dest, src))
    cw.file("etc/vgm-kernel-version", (kver + "\n").encode())
    cw.close()
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        # mtime=0 and no file name in the gzip header: reproducible output
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=6) as gz:
            gz.write(raw.getvalue())
    os.replace(tmp, out)
    log("initramfs %s: kernel %s, modules (insmod order): %s" % (out, kver, " ".join(order)))
    return kver, order


# ---------------------------------------------------------------------------
# Kernel image: bzImage -> uncompressed vmlinux (ELF) for a direct PVH boot.
# Under TCG the in-guest xz decompression of Debian's bzImage costs ~4 s;
# QEMU boots an ELF vmlinux that has a PVH entry note directly.
# ---------------------------------------------------------------------------
def elf_notes(data):
    """Yield (name, type, desc) of the PT_NOTE segments of an ELF64 LE file."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        o = phoff + i * phentsize
        p_type, = struct.unpack_from("<I", data, o)
        if p_type != 4:  # PT_NOTE
            continue
        off, = struct.unpack_from("<Q", data, o + 8)
        size, = struct.unpack_from("<Q", data, o + 32)
        pos, end = off, off + size
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            pos += 12
            name = data[pos:pos + namesz].rstrip(b"\0").decode("ascii", "replace")
            pos += (namesz + 3) & ~3
            desc = data[pos:pos + descsz]
            pos += (descsz + 3) & ~3
            yield name, ntype, desc


XEN_ELFNOTE_PHYS32_ENTRY = 18


def has_pvh_entry(data):
    return any(n == "Xen" and t == XEN_ELFNOTE_PHYS32_ENTRY for n, t, _ in elf_notes(data))


def extract_vmlinux(bzimage, out):
    """Decompress the payload of an x86 bzImage into `out`.  Returns True if
    the result is an ELF with a PVH entry point (bootable by QEMU -kernel)."""
    with open(bzimage, "rb") as f:
        d = f.read()
    if d[0x202:0x206] != b"HdrS":
        raise ValueError("%s is not an x86 bzImage" % bzimage)
    setup_sects = d[0x1F1] or 4
    off, length = struct.unpack_from("<II", d, 0x248)
    payload = d[(setup_sects + 1) * 512 + off:][:length]
    if payload[:6] == b"\xfd7zXZ\x00":
        elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload)
    elif payload[:2] == b"\x1f\x8b":
        elf = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(payload)
    elif payload[:3] == b"\x5d\x00\x00":
        elf = lzma.LZMADecompressor(format=lzma.FORMAT_ALONE).decompress(payload)
    elif payload[:3] == b"BZh":
        import bz2
        elf = bz2.BZ2Decompressor().decompress(payload)
    elif payload[:4] == b"\x28\xb5\x2f\xfd":
        zstd = shutil.which("zstd")
        if not zstd:
            raise RuntimeError("zstd-compressed kernel but no zstd tool")
        elf = subprocess.run([zstd, "-dc"], input=payload, stdout=subprocess.PIPE, check=True).stdout
    else:
        raise ValueError("unknown kernel payload compression %r" % payload[:6])
    if elf[:4] != b"\x7fELF":
        raise ValueError("decompressed kernel payload is not an ELF file")
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(elf)
    os.replace(tmp, out)
    return has_pvh_entry(elf)


# ---------------------------------------------------------------------------
# The test pattern.  For pixel (x, y), cell (i, j) = (x // 16, y // 16):
#   r = (i*13 + j*7) % 255 + 1, g = (i*3 + j*17 + 64) % 255 + 1,
#   b = ((i ^ j) * 29) % 255 + 1
# except the first pixel of each cell (x % 16 == 0 and y % 16 == 0), which is
# inverted (256 - r, 256 - g, 256 - b): a dot grid that shows 1-pixel shifts.
# In guest memory the pixel is XRGB8888 little endian: bytes B, G, R, X with
# X = 0xff; rows are padded to the stride with 0xff.  No byte is 0 because
# the guest builds the rows as busybox awk strings (see init.sh).
# ---------------------------------------------------------------------------
def cell_rgb(i, j):
    return ((i * 13 + j * 7) % 255 + 1, (i * 3 + j * 17 + 64) % 255 + 1, ((i ^ j) * 29) % 255 + 1)


def pattern_pixel(x, y):
    i, j = x // CELL, y // CELL
    r, g, b = cell_rgb(i, j)
    if x % CELL == 0 and y % CELL == 0:
        return 256 - r, 256 - g, 256 - b
    return r, g, b


def _pattern_rows(w, h, fmt):
    """Yield each row of the pattern as bytes, 'rgb' (RGB888) or 'bgrx' (XRGB8888 LE)."""
    ncell = (w + CELL - 1) // CELL
    for j in range((h + CELL - 1) // CELL):
        first, other = bytearray(), bytearray()
        for i in range(ncell):
            r, g, b = cell_rgb(i, j)
            if fmt == "rgb":
                px, dot = bytes((r, g, b)), bytes((256 - r, 256 - g, 256 - b))
            else:
                px, dot = bytes((b, g, r, 255)), bytes((256 - b, 256 - g, 256 - r, 255))
            first += dot + px * (CELL - 1)
            other += px * CELL
        bpp = 3 if fmt == "rgb" else 4
        first, other = bytes(first[: w * bpp]), bytes(other[: w * bpp])
        for k in range(CELL):
            if j * CELL + k >= h:
                break
            yield first if k == 0 else other


def expected_rgb(w, h):
    return b"".join(_pattern_rows(w, h, "rgb"))


def expected_frame_md5(w, h, stride):
    """md5 of the bytes the guest writes to /dev/fb0 (rows padded to stride)."""
    m = hashlib.md5()
    pad = b"\xff" * (stride - w * 4)
    for row in _pattern_rows(w, h, "bgrx"):
        m.update(row)
        m.update(pad)
    return m.hexdigest()


# ---------------------------------------------------------------------------
# Images: PPM (P6) and PNG (8-bit RGB/RGBA/gray, non-interlaced) to RGB888
# ---------------------------------------------------------------------------
class Image:
    def __init__(self, w, h, rgb):
        assert len(rgb) == w * h * 3, (w, h, len(rgb))
        self.w, self.h, self.rgb = w, h, bytes(rgb)

    def pixel(self, x, y):
        o = (y * self.w + x) * 3
        return tuple(self.rgb[o:o + 3])


def _read_ppm(data):
    fields, pos = [], 2
    while len(fields) < 3:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(int(data[start:pos]))
    pos += 1  # exactly one whitespace after maxval
    w, h, maxval = fields
    if maxval != 255:
        raise ValueError("PPM maxval %d unsupported" % maxval)
    body = data[pos:]
    padded = (w * 3 + 3) & ~3
    if len(body) == h * padded and padded != w * 3:
        # QEMU's screendump (ppm_save, still in 10.0) writes each row with the
        # stride of its pixman r8g8b8 line buffer, i.e. padded to 4 bytes, when
        # the width is not a multiple of 4.  Such a file is not a valid PPM;
        # read it the way it was written.
        body = b"".join(body[y * padded:y * padded + w * 3] for y in range(h))
        PPM_QUIRKS.append("row padding (QEMU ppm_save stride bug)")
    elif len(body) < w * h * 3:
        raise ValueError("PPM truncated: %d bytes of pixel data for %dx%d" % (len(body), w, h))
    return Image(w, h, body[:w * h * 3])


PPM_QUIRKS = []


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _read_png(data):
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        length, ctype = struct.unpack_from(">I4s", data, pos)
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if ctype == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif ctype == b"IDAT":
            idat.append(body)
        elif ctype == b"IEND":
            break
    w, h, depth, color, _comp, _filt, interlace = ihdr
    chans = {0: 1, 2: 3, 4: 2, 6: 4}.get(color)
    if depth != 8 or chans is None or interlace:
        raise ValueError("PNG depth %d color %d interlace %d unsupported" % (depth, color, interlace))
    raw = zlib.decompress(b"".join(idat))
    bpp, stride = chans, w * chans
    out, prev, p = bytearray(), bytearray(stride), 0
    for _y in range(h):
        ft = raw[p]
        line = bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        if ft == 1:
            for x in range(bpp, stride):
                line[x] = (line[x] + line[x - bpp]) & 255
        elif ft == 2:
            for x in range(stride):
                line[x] = (line[x] + prev[x]) & 255
        elif ft == 3:
            for x in range(stride):
                left = line[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + ((left + prev[x]) >> 1)) & 255
        elif ft == 4:
            for x in range(stride):
                left = line[x - bpp] if x >= bpp else 0
                ul = prev[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + _paeth(left, prev[x], ul)) & 255
        elif ft != 0:
            raise ValueError("bad PNG filter %d" % ft)
        prev = line
        if chans == 3:
            out += line
        elif chans == 4:
            for x in range(w):
                out += line[x * 4:x * 4 + 3]
        else:
            for x in range(w):
                v = line[x * chans]
                out += bytes((v, v, v))
    return Image(w, h, out)


def read_image(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"P6":
        return _read_ppm(data)
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _read_png(data)
    raise ValueError("%s: neither a binary PPM nor a PNG" % path)


def write_png(path, img):
    def chunk(t, body):
        c = struct.pack(">I", len(body)) + t + body
        return c + struct.pack(">I", zlib.crc32(t + body) & 0xFFFFFFFF)
    stride = img.w * 3
    raw = b"".join(b"\0" + img.rgb[y * stride:(y + 1) * stride] for y in range(img.h))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", img.w, img.h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 6)))
        f.write(chunk(b"IEND", b""))


def write_image(path, img):
    if path.endswith(".ppm"):
        with open(path, "wb") as f:
            f.write(b"P6\n%d %d\n255\n" % (img.w, img.h) + img.rgb)
    else:
        write_png(path, img)


def compare_images(a, b, diff_path=None):
    """Return (ok, message).  Optionally write a diff image: differing pixels
    in magenta over a dimmed copy of `a`."""
    if (a.w, a.h) != (b.w, b.h):
        return False, "size differs: %dx%d vs %dx%d" % (a.w, a.h, b.w, b.h)
    if a.rgb == b.rgb:
        return True, "identical (%dx%d)" % (a.w, a.h)
    n, first, box = 0, None, [a.w, a.h, -1, -1]
    diff = bytearray(len(a.rgb)) if diff_path else None
    stride = a.w * 3
    for y in range(a.h):
        ra, rb = a.rgb[y * stride:(y + 1) * stride], b.rgb[y * stride:(y + 1) * stride]
        if diff is not None:
            diff[y * stride:(y + 1) * stride] = bytes(v // 3 for v in ra)
        if ra == rb:
            continue
        for x in range(a.w):
            o = x * 3
            if ra[o:o + 3] != rb[o:o + 3]:
                n += 1
                if first is None:
                    first = (x, y, tuple(ra[o:o + 3]), tuple(rb[o:o + 3]))
                box = [min(box[0], x), min(box[1], y), max(box[2], x), max(box[3], y)]
                if diff is not None:
                    diff[y * stride + o:y * stride + o + 3] = b"\xff\x00\xff"
    if diff is not None:
        write_png(diff_path, Image(a.w, a.h, diff))
    x, y, pa, pb = first
    swapped = " (looks like R/B swapped)" if pa == pb[::-1] else ""
    return False, ("%d of %d pixels differ, bbox x=%d..%d y=%d..%d; first at (%d,%d): "
                   "%s vs %s%s" % (n, a.w * a.h, box[0], box[2], box[1], box[3], x, y,
                                    "#%02x%02x%02x" % pa, "#%02x%02x%02x" % pb, swapped))


def check_pattern(path, diff_path=None):
    img = read_image(path)
    return compare_images(img, Image(img.w, img.h, expected_rgb(img.w, img.h)), diff_path)


# ---------------------------------------------------------------------------
# Text on a screen: where a line of fixed text is, without a font. The
# text's colour is the screen's commonest colour but its background; its
# first band of rows is the first line; in it, columns apart by a cell
# (8 px) or more separate words. Each word must start at its character's
# cell and span as many cells as it has characters, counted from the
# first word's left edge.
# ---------------------------------------------------------------------------
CELL_W = 8  # the width of the UEFI shell's (and fbcon's) glyphs


def text_row(img):
    """[(first cell, cells)] of the words of the first text line, in cells
    from the first word's left edge; [] for a screen of one colour."""
    px = [img.rgb[i:i + 3] for i in range(0, len(img.rgb), 3)]
    counts = {}
    for p in px:
        counts[p] = counts.get(p, 0) + 1
    if len(counts) < 2:
        return []
    fg = sorted(counts, key=counts.get, reverse=True)[1]
    band = []
    for y in range(img.h):
        if fg in px[y * img.w:(y + 1) * img.w]:
            band.append(y)
        elif band:
            break
    cols = [x for x in range(img.w) if any(px[y * img.w + x] == fg for y in band)]
    words = []
    for x in cols:
        if words and x - words[-1][1] <= CELL_W:
            words[-1][1] = x
        else:
            words.append([x, x])
    x0 = words[0][0]
    return [(round((l - x0) / CELL_W), round((r - l + 1) / CELL_W)) for l, r in words]


def text_words(text):
    """[(first cell, cells)] of the words of one line of text."""
    words, col = [], 0
    for w in text.split(" "):
        if w:
            words.append((col, len(w)))
        col += len(w) + 1
    first = words[0][0]
    return [(c - first, n) for c, n in words]


def check_text(img, text):
    """(ok, message): the first text line of img has text's words."""
    got, want = text_row(img), text_words(text)
    if got == want:
        return True, "the first text line has the %d words of %r at their cells" % (len(want), text)
    return False, "the first text line's words (cell, length) are %s, %r has %s" % (got[:8], text, want)


# ---------------------------------------------------------------------------
# UEFI firmware (OVMF): a FAT disk with a startup.nsh that the firmware's
# shell runs after its 5 s countdown: with commands not echoed, it clears
# the screen and prints UEFI_TEXT; then the shell prompts ("Shell> ").
# ---------------------------------------------------------------------------
UEFI_TEXT = "virtgpu-mem UEFI firmware test"
UEFI_READY_RE = re.compile(re.escape(UEFI_TEXT) + r"\r?\n[^\n]*Shell> ")


def uefi_startup_script():
    return ("@echo -off\r\ncls\r\necho \"%s\"\r\n" % UEFI_TEXT).encode()


def make_uefi_disk(path, mkfs=None, mcopy=None):
    """A 2 MiB FAT image holding startup.nsh (its volume id fixed)."""
    mkfs = mkfs or shutil.which("mkfs.vfat") or "/sbin/mkfs.vfat"
    mcopy = mcopy or shutil.which("mcopy")
    if not os.path.exists(mkfs) or not mcopy:
        raise FileNotFoundError("mkfs.vfat (dosfstools) and mcopy (mtools) are needed")
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run([mkfs, "-C", "-i", "56474d31", "-n", "VGMTEST", path, "2048"], check=True,
                   stdout=subprocess.DEVNULL)
    with tempfile.NamedTemporaryFile(suffix=".nsh") as f:
        f.write(uefi_startup_script())
        f.flush()
        subprocess.run([mcopy, "-i", path, f.name, "::/startup.nsh"], check=True,
                       env=dict(os.environ, MTOOLS_SKIP_CHECK="1"))


def strip_ansi(text):
    """The firmware's serial console without its terminal escapes."""
    return re.sub(r"\x1b\[[0-9;?=]*[A-Za-z]", "", text)


def uefi_ready(text):
    return UEFI_READY_RE.search(text) is not None


# ---------------------------------------------------------------------------
# Host-side self test (no QEMU): the pattern code of init.sh run by the
# guest's own busybox must produce exactly the frame computed here, and the
# comparison must catch small errors.
# ---------------------------------------------------------------------------
def selftest(busybox, log=print):
    text = render_init()
    start = text.index("# >>> draw_pattern")
    end = text.index("# <<< draw_pattern")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="vgm-selftest-") as tmp:
        lib = os.path.join(tmp, "pattern.sh")
        with open(lib, "w") as f:
            f.write(text[start:end])
        for w, h, s in ((1280, 800, 5120), (1024, 768, 4096), (640, 480, 2560),
                        (1920, 1080, 7680), (33, 17, 140), (100, 37, 416), (1, 1, 4)):
            out = subprocess.run([busybox, "sh", "-c", '. "$0"; draw_pattern "$1" "$2" "$3"',
                                  lib, str(w), str(h), str(s)], stdout=subprocess.PIPE, check=True).stdout
            got, want = hashlib.md5(out).hexdigest(), expected_frame_md5(w, h, s)
            ok = got == want and len(out) == h * s
            failures += not ok
            log("selftest draw_pattern %dx%d stride %d: %s" % (w, h, s, "OK" if ok else
                "MISMATCH guest %s (%d bytes) host %s" % (got, len(out), want)))
        # the fast row builder against the per-pixel definition
        w, h = 53, 35
        rgb = expected_rgb(w, h)
        ok = all(tuple(rgb[(y * w + x) * 3:(y * w + x) * 3 + 3]) == pattern_pixel(x, y)
                 for y in range(h) for x in range(w))
        failures += not ok
        log("selftest row builder vs pattern_pixel %dx%d: %s" % (w, h, "OK" if ok else "MISMATCH"))
        # the comparison itself
        w, h = 64, 48
        ref = Image(w, h, expected_rgb(w, h))
        for path in (os.path.join(tmp, "a.png"), os.path.join(tmp, "a.ppm")):
            write_image(path, ref)
            ok, msg = compare_images(read_image(path), ref)
            failures += not ok
            log("selftest %s round trip: %s" % (os.path.splitext(path)[1], msg))
        padded = os.path.join(tmp, "padded.ppm")   # QEMU's ppm_save quirk
        with open(padded, "wb") as f:
            f.write(b"P6\n%d %d\n255\n" % (w - 1, h))
            for y in range(h):
                f.write(ref.rgb[y * w * 3:y * w * 3 + (w - 1) * 3] + b"\0" * 3)
        ok, msg = compare_images(read_image(padded), Image(w - 1, h, b"".join(
            ref.rgb[y * w * 3:y * w * 3 + (w - 1) * 3] for y in range(h))))
        failures += not ok
        log("selftest PPM with 4-byte row padding read: %s" % msg)
        bad = bytearray(ref.rgb)
        bad[(5 * w + 7) * 3] ^= 1
        ok, msg = compare_images(Image(w, h, bad), ref)
        failures += ok
        log("selftest one changed pixel detected: %s" % msg)
        swapped = bytearray(ref.rgb)
        swapped[0::3], swapped[2::3] = ref.rgb[2::3], ref.rgb[0::3]
        ok, msg = compare_images(Image(w, h, swapped), ref)
        failures += ok or "R/B swapped" not in msg
        log("selftest R/B swap detected: %s" % msg)
    failures += selftest_text(log)
    return failures


def _cells(text, skip=None, w=400, h=60):
    """A screen with a 6x12 block in the cell of each character of text
    but the skip'th, a second line of text below it, another colour."""
    rgb = bytearray(w * h * 3)
    for i, ch in enumerate(text):
        for y in range(10, 22):
            for x in range(16 + i * CELL_W + 1, 16 + i * CELL_W + 7):
                if ch != " " and i != skip:
                    rgb[(y * w + x) * 3:(y * w + x) * 3 + 3] = b"\x98\x98\x98"
    for x in range(16, 64):
        rgb[(40 * w + x) * 3:(40 * w + x) * 3 + 3] = b"\xff\xff\x00"
    return Image(w, h, rgb)


def selftest_text(log):
    """check_text passes the text, fails a blank screen and a missing or
    extra letter."""
    failures = 0
    for what, img, want in (("the text", _cells(UEFI_TEXT), True),
                            ("a blank screen", Image(64, 32, bytes(64 * 32 * 3)), False),
                            ("a letter missing", _cells(UEFI_TEXT, skip=3), False),
                            ("a letter more", _cells(UEFI_TEXT + "s"), False)):
        ok, msg = check_text(img, UEFI_TEXT)
        failures += ok != want
        log("selftest text check, %s: %s (%s)" % (what, "OK" if ok == want else "WRONG", msg))
    return failures


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("modules", help="print module load order")
    p.add_argument("--paths", action="store_true", help="print the module files only")
    p.add_argument("kernel_root")
    p.add_argument("roots", nargs="*", default=ROOT_MODULES)
    p = sub.add_parser("initramfs", help="build the initramfs")
    p.add_argument("--kernel-root", required=True)
    p.add_argument("--busybox", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--program", action="append", default=[],
                   help="a dynamically linked program to add as /usr/bin/NAME, with its libraries")
    p.add_argument("--lib-root", action="append", default=[],
                   help="a tree (an extracted .deb) to find the programs' libraries in")
    p = sub.add_parser("vmlinux", help="extract vmlinux from a bzImage (exit 3 if it has no PVH entry)")
    p.add_argument("bzimage")
    p.add_argument("out")
    p = sub.add_parser("expected", help="write the expected pattern image")
    p.add_argument("w", type=int)
    p.add_argument("h", type=int)
    p.add_argument("out")
    p = sub.add_parser("check-pattern", help="check a screendump against the pattern")
    p.add_argument("image")
    p.add_argument("--diff")
    p = sub.add_parser("compare", help="compare two screendumps")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--diff")
    p = sub.add_parser("selftest", help="host-only checks of the pattern and comparison code")
    p.add_argument("--busybox", required=True, help="the guest's busybox (CACHE/busybox/bin/busybox)")
    p = sub.add_parser("topng", help="convert PPM/PNG to PNG")
    p.add_argument("src")
    p.add_argument("dst")
    p = sub.add_parser("text-check", help="check that an image shows a line of text")
    p.add_argument("image")
    p.add_argument("text")
    a = ap.parse_args(argv)

    if a.cmd == "modules":
        _kver, moddir = find_modules_dir(a.kernel_root)
        idx = ModuleIndex(moddir)
        for n in idx.load_order(a.roots):
            if a.paths:
                print(os.path.abspath(idx.paths[n]))
            else:
                print("%-24s depends=%s" % (n, ",".join(idx.depends(n))))
        return 0
    if a.cmd == "initramfs":
        build_initramfs(a.kernel_root, a.busybox, a.out, programs=a.program, lib_roots=a.lib_root)
        return 0
    if a.cmd == "vmlinux":
        pvh = extract_vmlinux(a.bzimage, a.out)
        print("%s: %s" % (a.out, "ELF with PVH entry" if pvh else "ELF WITHOUT PVH entry (not bootable with -kernel)"))
        return 0 if pvh else 3
    if a.cmd == "expected":
        write_image(a.out, Image(a.w, a.h, expected_rgb(a.w, a.h)))
        return 0
    if a.cmd == "check-pattern":
        ok, msg = check_pattern(a.image, a.diff)
        print("pattern check %s: %s" % ("OK" if ok else "FAILED", msg))
        return 0 if ok else 1
    if a.cmd == "compare":
        ok, msg = compare_images(read_image(a.a), read_image(a.b), a.diff)
        print("compare %s: %s" % ("OK" if ok else "FAILED", msg))
        return 0 if ok else 1
    if a.cmd == "selftest":
        n = selftest(a.busybox)
        print("selftest: %s" % ("OK" if n == 0 else "%d FAILED" % n))
        return 0 if n == 0 else 1
    if a.cmd == "topng":
        write_png(a.dst, read_image(a.src))
        return 0
    if a.cmd == "text-check":
        ok, msg = check_text(read_image(a.image), a.text)
        print("text check %s: %s" % ("OK" if ok else "FAILED", msg))
        return 0 if ok else 1
    return 2


def run_cli(main_fn, prog):
    """Exit with main_fn()'s status; its errors as one line, status 1."""
    try:
        sys.exit(main_fn())
    except (RuntimeError, ValueError, OSError) as e:
        print("%s: error: %s" % (prog, e), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    run_cli(main, "guestlib")
