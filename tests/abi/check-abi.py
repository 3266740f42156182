#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the shared library's ABI against the released one (abi/virtgpu-mem.abi).

    check-abi.py LIBRARY HEADERS_DIR BASELINE
        compare LIBRARY with BASELINE: exit 0 when compatible, 1 when not
    check-abi.py --write LIBRARY HEADERS_DIR OUT
        write LIBRARY's ABI to OUT (tools/abi-baseline.sh makes the baseline so)
    check-abi.py --self-test HEADERS_DIR VERSION_H PROBE_C CC...
        check the checker: a probe library built against changed copies of
        the public header, each change known to be compatible or not

The ABI is what libabigail's abidw reads from the library's debug
information, limited to the types of the public headers (HEADERS_DIR) and
to the exported functions. abidiff compares it with the baseline; what the
policy (docs/releasing.md) allows is not reported:
- functions added (abidiff --no-added-syms), enumerators added (abidiff
  ignores them itself);
- members added at the end of a struct that carries its size, i.e. whose
  first member is `uint32_t size` documented as `sizeof(struct NAME)`: the
  library reads such a struct only as far as its caller's size says. Those
  members are cut from the library's ABI before the comparison; whatever
  else changed in the struct is still compared, member by member.
Anything else abidiff finds fails: a function removed or changed, a member
moved, resized, retyped or renamed, a struct without a size that grew, an
enumerator's value changed, a symbol version changed. Exit 77 (skip)
without abidw and abidiff (Debian: abigail-tools).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SKIP = 77
HARD_ERROR = 99
# abidiff's exit status bits (libabigail's abidiff_status).
ABIDIFF_ERROR = 1
ABIDIFF_USAGE_ERROR = 2
ABIDIFF_ABI_CHANGE = 4
ABIDIFF_ABI_INCOMPATIBLE_CHANGE = 8

# No paths, architecture or DT_NEEDED in the file: the same library built
# in another directory, or on another 64-bit machine, gives the same ABI.
# Hashed type ids keep a regenerated baseline's diff to what changed.
ABIDW_OPTIONS = ['--drop-private-types', '--exported-interfaces-only', '--no-corpus-path',
                 '--no-comp-dir-path', '--short-locs', '--no-architecture', '--no-elf-needed',
                 '--type-id-style', 'hash']
ABIDIFF_OPTIONS = ['--no-added-syms', '--no-architecture']

SIZED_STRUCT = re.compile(
    r'struct\s+(vgm_\w+)\s*\{\s*/\*\*(?:(?!\*/).)*?sizeof\(struct\s+\1\)(?:(?!\*/).)*?\*/'
    r'\s*uint32_t\s+size\s*;', re.S)


def tools():
    """(abidw, abidiff), or None when abigail-tools is missing."""
    abidw, abidiff = shutil.which('abidw'), shutil.which('abidiff')
    return (abidw, abidiff) if abidw and abidiff else None


def sized_structs(headers_dir):
    """Names of the public structs that carry their size, so may grow at the end."""
    names = set()
    for name in sorted(os.listdir(headers_dir)):
        if name.endswith('.h'):
            with open(os.path.join(headers_dir, name)) as f:
                names.update(SIZED_STRUCT.findall(f.read()))
    return names


def write_abi(abidw, library, headers_dir, out):
    subprocess.run([abidw, '--headers-dir', headers_dir] + ABIDW_OPTIONS +
                   ['--out-file', out, library], check=True)


def definitions(root, name):
    """The class-decl elements that define struct name (not declarations)."""
    return [e for e in root.iter('class-decl')
            if e.get('name') == name and e.get('is-declaration-only') != 'yes']


def placement(members):
    """(name, offset) of each data-member element."""
    return [(m.find('var-decl').get('name'), m.get('layout-offset-in-bits')) for m in members]


def cut_struct(struct, old):
    """Removes the members struct has past those of old, its baseline
    definition, and returns their names; nothing when old's members are not
    struct's first ones where they were: abidiff then reports what moved,
    not the cut."""
    members = struct.findall('data-member')
    old_members = old.findall('data-member')
    keep = len(old_members)
    if placement(members[:keep]) != placement(old_members):
        return []
    for member in members[keep:]:
        struct.remove(member)
    if members[keep:]:
        struct.set('size-in-bits', old.get('size-in-bits'))
    return [m.find('var-decl').get('name') for m in members[keep:]]


def cut_appended(current, baseline, names):
    """Cuts from the current ABI the members that sized structs gained at
    their end since the baseline; returns 'struct: member, ...' lines."""
    notes = []
    for name in sorted(names):
        old = definitions(baseline, name)  # none: new since the baseline
        for struct in definitions(current, name) if old else []:
            added = cut_struct(struct, old[0])
            note = '%s: %s' % (name, ', '.join(added))
            if added and note not in notes:
                notes.append(note)
    return notes


def added_symbols(current, baseline):
    def symbols(root):
        return {(s.get('name'), s.get('version')) for s in root.iter('elf-symbol')}
    return sorted(symbols(current) - symbols(baseline))


def compare(library, headers_dir, baseline_path, quiet=False):
    """0 when library keeps baseline's ABI, 1 when not; HARD_ERROR when
    abidiff itself fails."""
    abidw, abidiff = tools()
    with tempfile.TemporaryDirectory() as tmp:
        current_path = os.path.join(tmp, 'current.abi')
        write_abi(abidw, library, headers_dir, current_path)
        current = ET.parse(current_path)
        baseline = ET.parse(baseline_path).getroot()
        notes = cut_appended(current.getroot(), baseline, sized_structs(headers_dir))
        trimmed_path = os.path.join(tmp, 'compared.abi')
        current.write(trimmed_path)
        run = subprocess.run([abidiff] + ABIDIFF_OPTIONS + [baseline_path, trimmed_path],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True)
        added = added_symbols(current.getroot(), baseline)
    return verdict(run, notes, added, quiet)


def verdict(run, notes, added, quiet):
    if run.returncode & (ABIDIFF_ERROR | ABIDIFF_USAGE_ERROR):
        print(run.stdout, end='')
        print('check-abi: abidiff failed (status %d)' % run.returncode)
        return HARD_ERROR
    if run.returncode & (ABIDIFF_ABI_CHANGE | ABIDIFF_ABI_INCOMPATIBLE_CHANGE):
        if not quiet:
            print(run.stdout, end='')
            print('check-abi: the ABI changed incompatibly since the baseline. A deliberate '
                  'break: bump the minor version, run tools/abi-baseline.sh and name the '
                  'break in CHANGELOG.md, in one commit (docs/releasing.md).')
        return 1
    if not quiet:
        for name, version in added:
            print('check-abi: added (allowed): %s@%s' % (name, version))
        for line in notes:
            print('check-abi: appended to a sized struct (allowed): ' + line)
        print('check-abi: compatible with the baseline')
    return 0


# ---- self-test --------------------------------------------------------------------

def append_member(text, struct, decl):
    """decl as the last member of struct."""
    start = text.index('struct %s {' % struct)
    end = text.index('\n};', start)
    return text[:end] + '\n\t' + decl + text[end:]


def replace_once(text, old, new):
    if text.count(old) != 1:
        raise ValueError('self-test: %r is not once in the header' % old)
    return text.replace(old, new)


def member_of(text, struct, old, new):
    """Replaces member line old by new inside struct only."""
    start = text.index('struct %s {' % struct)
    end = text.index('\n};', start)
    return text[:start] + replace_once(text[start:end], old, new) + text[end:]


SAME = ('unchanged', None, [], 0)
# (what, header change, probe's -D flags, expected result)
CASES = [
    SAME,
    ('a function added', None, ['-DPROBE_ADDED'], 0),
    ('a member appended to vgm_device_config', lambda t: append_member(
        t, 'vgm_device_config', 'uint64_t probe_new_limit;'), [], 0),
    ('a callback appended to vgm_host_ops', lambda t: append_member(
        t, 'vgm_host_ops', 'void (*probe_new_callback)(void *host, uint64_t arg);'), [], 0),
    ('two members appended to vgm_stats', lambda t: append_member(
        t, 'vgm_stats', 'uint32_t probe_a;\n\tuint64_t probe_b;'), [], 0),
    ('an enumerator appended to vgm_log_level', lambda t: replace_once(
        t, '\tVGM_LOG_DEBUG = 4,\n', '\tVGM_LOG_DEBUG = 4,\n\tVGM_LOG_PROBE = 5,\n'), [], 0),
    ('a function removed', None, ['-DPROBE_WITHOUT_STATS'], 1),
    ('a member inserted inside vgm_device_config', lambda t: member_of(
        t, 'vgm_device_config', '\tuint32_t max_backing_entries;',
        '\tuint64_t probe_inserted;\n\tuint32_t max_backing_entries;'), [], 1),
    ('a member of vgm_stats widened', lambda t: member_of(
        t, 'vgm_stats', '\tuint32_t resources;', '\tuint64_t resources;'), [], 1),
    ('two members of vgm_resource_info swapped', lambda t: member_of(
        t, 'vgm_resource_info', '\tuint32_t width;\n\tuint32_t height;',
        '\tuint32_t height;\n\tuint32_t width;'), [], 1),
    ('a member removed from the end of vgm_scanout_info', lambda t: member_of(
        t, 'vgm_scanout_info', '\tstruct vgm_rect rect;', ''), [], 1),
    ('a member appended to vgm_scanout_config (no size; in an array)', lambda t: append_member(
        t, 'vgm_scanout_config', 'uint32_t probe_refresh;'), [], 1),
    ('a member appended to vgm_rect (no size; inside vgm_scanout_info)', lambda t: append_member(
        t, 'vgm_rect', 'uint32_t probe_z;'), [], 1),
    ('a callback parameter widened', lambda t: member_of(
        t, 'vgm_host_ops', 'uint32_t scanout, uint32_t x, uint32_t y);',
        'uint32_t scanout, uint64_t x, uint32_t y);'), [], 1),
    ('an enumerator renumbered', lambda t: replace_once(
        t, '\tVGM_LOG_DEBUG = 4,\n', '\tVGM_LOG_DEBUG = 5,\n'), [], 1),
]


def without_comments(text):
    """The header without the comments that follow a member or enumerator on
    its line, so that the changes below match declarations however they are
    documented (the comments before a struct's first member stay: they say
    which structs carry their size)."""
    return re.sub(r'([;,])[ \t]*/\*(?:(?!\*/).)*\*/[ \t]*\n', r'\1\n', text)


def probe_library(work, headers_dir, version_h, probe_c, cc, change, defines):
    """Builds the probe against a copy of the public headers, with change
    applied to virtgpu-mem.h; returns (library, its headers dir)."""
    include = os.path.join(work, 'include')
    headers = os.path.join(include, 'virtgpu-mem')
    shutil.copytree(headers_dir, headers)
    if change:
        path = os.path.join(headers, 'virtgpu-mem.h')
        with open(path) as f:
            text = without_comments(f.read())
        changed = change(text)
        if changed == text:
            raise ValueError('self-test: a change left the header as it was')
        with open(path, 'w') as f:
            f.write(changed)
    library = os.path.join(work, 'libprobe.so')
    # version.h is generated: found after the copy, in the build tree.
    built_include = os.path.dirname(os.path.dirname(version_h))
    subprocess.run(cc + ['-g', '-O0', '-shared', '-fPIC', '-fvisibility=hidden',
                         '-I' + include, '-I' + built_include] + defines +
                   ['-o', library, probe_c], check=True)
    return library, headers


def self_test(headers_dir, version_h, probe_c, cc):
    abidw, _ = tools()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        base_lib, base_headers = probe_library(os.path.join(tmp, 'baseline'), headers_dir,
                                               version_h, probe_c, cc, None, [])
        baseline = os.path.join(tmp, 'baseline.abi')
        write_abi(abidw, base_lib, base_headers, baseline)
        for i, (what, change, defines, expected) in enumerate(CASES):
            lib, headers = probe_library(os.path.join(tmp, 'case%d' % i), headers_dir,
                                         version_h, probe_c, cc, change, defines)
            got = compare(lib, headers, baseline, quiet=True)
            ok = got == expected
            failures += not ok
            print('%s: %s: %s' % ('ok' if ok else 'WRONG', what,
                                  'fails' if got else 'passes'))
            if not ok:
                compare(lib, headers, baseline)  # what abidiff said
    print('check-abi self-test: %d of %d cases wrong' % (failures, len(CASES)))
    return 1 if failures else 0


def main(argv):
    if tools() is None:
        print('SKIP: abidw and abidiff not found (Debian: apt-get install abigail-tools)')
        return SKIP
    if len(argv) >= 6 and argv[1] == '--self-test':
        return self_test(argv[2], argv[3], argv[4], argv[5:])
    if len(argv) == 5 and argv[1] == '--write':
        write_abi(tools()[0], argv[2], argv[3], argv[4])
        return 0
    if len(argv) == 4:
        return compare(argv[1], argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
