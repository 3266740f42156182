#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""virtgpu-mem as a meson subproject of a VMM's project.

    check-subproject.py SOURCE_ROOT

In a temporary directory: the parent project of tests/subproject/parent,
with vmm.c a copy of tests/abi/static-consumer.c and
subprojects/virtgpu-mem a symbolic link to SOURCE_ROOT (no wrap file).
Then, once with virtgpu-mem's default_library=static and once with
shared:
  - meson setup, ninja: the parent's VMM builds against the library;
  - the VMM runs (a device, GET_DISPLAY_INFO; the static one has its own
    log_init, region_create and resource_new);
  - virtgpu-mem defines no executable and registers no test: the parent's
    `meson test --list` is its own one test;
  - meson install into a DESTDIR installs the library, its headers and its
    .pc, and nothing else.
Exits 0, 1 with what failed, 77 (skip) without meson or ninja.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))


class Fail(Exception):
    pass


def run(argv, quiet=False):
    """Runs a command, its output shown (unless quiet); a failure is a Fail."""
    print('$ ' + ' '.join(argv), flush=True)
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    if not quiet or p.returncode != 0:
        print(p.stdout, end='', flush=True)
    if p.returncode != 0:
        raise Fail('%s exited with %d' % (' '.join(argv), p.returncode))
    return p.stdout


def make_parent(tmp, source_root):
    parent = os.path.join(tmp, 'parent')
    shutil.copytree(os.path.join(HERE, 'parent'), parent)
    shutil.copy(os.path.join(source_root, 'tests', 'abi', 'static-consumer.c'),
                os.path.join(parent, 'vmm.c'))
    os.mkdir(os.path.join(parent, 'subprojects'))
    os.symlink(source_root, os.path.join(parent, 'subprojects', 'virtgpu-mem'))
    return parent


def installed_files(destdir):
    found = set()
    for root, _, files in os.walk(destdir):
        for name in files:
            found.add(os.path.relpath(os.path.join(root, name), destdir))
    return found


def check_installed(found, kind):
    """Only the library (of this kind), headers under include/virtgpu-mem/
    (virtgpu-mem.h among them) and the .pc."""
    lib = r'usr/lib/libvirtgpu-mem\.a' if kind == 'static' else \
        r'usr/lib/libvirtgpu-mem\.so(\.\d+)*'
    allowed = [lib, r'usr/include/virtgpu-mem/[\w.-]+\.h', r'usr/lib/pkgconfig/virtgpu-mem\.pc']
    extra = sorted(f for f in found if not any(re.fullmatch(a, f) for a in allowed))
    for f in extra:
        print('installed, and not the library, its headers or its .pc: ' + f)
    needed = ['usr/include/virtgpu-mem/virtgpu-mem.h', 'usr/lib/pkgconfig/virtgpu-mem.pc']
    missing = [f for f in needed if f not in found]
    if not any(re.fullmatch(lib, f) for f in found):
        missing.append(lib)
    for f in missing:
        print('not installed: ' + f)
    if extra or missing:
        raise Fail('%s: the install is not the library alone' % kind)
    print('%s: installed %s' % (kind, ', '.join(sorted(found))))


def check_targets(build):
    """virtgpu-mem makes no program: no test, tool, demo, backend or fuzz
    replay."""
    targets = json.loads(run(['meson', 'introspect', '--targets', build], quiet=True))
    programs = [t['name'] for t in targets
                if t.get('subproject') == 'virtgpu-mem' and t['type'] == 'executable']
    if programs:
        raise Fail('virtgpu-mem builds programs in a parent: ' + ', '.join(programs))


def check_linked(vmm, kind):
    """The VMM uses the shared library, or has the static one inside."""
    readelf = shutil.which('readelf')
    if not readelf:
        print('no readelf: not checking how the VMM is linked')
        return
    needs = 'libvirtgpu-mem.so' in run([readelf, '-d', vmm], quiet=True)
    if needs != (kind == 'shared'):
        raise Fail('the %s VMM %s libvirtgpu-mem.so' % (kind, 'needs' if needs else 'lacks'))


def check_tests(build):
    """The parent's test list is its own test alone."""
    listed = [l for l in run(['meson', 'test', '-C', build, '--list', '--no-rebuild'])
              .splitlines() if l.strip()]
    if len(listed) != 1 or 'virtgpu-mem' in listed[0] or not listed[0].endswith('vmm'):
        raise Fail('the parent lists other tests than its own: %s' % listed)


def one_kind(parent, tmp, kind, configured):
    build = os.path.join(tmp, 'build')
    option = '-Dvirtgpu-mem:default_library=' + kind
    if configured:
        run(['meson', 'configure', build, option])
    else:
        run(['meson', 'setup', build, parent, '--prefix=/usr', '--libdir=lib', option])
    run(['ninja', '-C', build], quiet=True)
    run([os.path.join(build, 'vmm')])
    check_linked(os.path.join(build, 'vmm'), kind)
    check_targets(build)
    check_tests(build)
    destdir = os.path.join(tmp, 'dest-' + kind)
    run(['meson', 'install', '-C', build, '--no-rebuild', '--destdir', destdir])
    check_installed(installed_files(destdir), kind)


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip())
        return 2
    for tool in ('meson', 'ninja'):
        if not shutil.which(tool):
            print('SKIP: no %s in PATH (apt-get install meson ninja-build)' % tool)
            return SKIP
    source_root = os.path.abspath(argv[1])
    with tempfile.TemporaryDirectory(prefix='vgm-subproject-') as tmp:
        parent = make_parent(tmp, source_root)
        try:
            one_kind(parent, tmp, 'static', False)
            one_kind(parent, tmp, 'shared', True)
        except Fail as e:
            print('FAIL: %s' % e)
            return 1
    print('virtgpu-mem as a subproject: only the library, built and installed')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
