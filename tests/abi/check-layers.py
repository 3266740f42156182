#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the library's layers (docs/architecture.md) from its #include lines.

    check-layers.py SOURCE_ROOT         check the tree
    check-layers.py --graph SOURCE_ROOT print lib/'s include graph: files, edges, cycles
    check-layers.py --self-test         check the checker on trees with seeded faults

The layers, lowest first: util, wire, core, render, state, cmd, api. Each is a
folder lib/<layer>/ with one interface header lib/<layer>/<layer>.h and,
if its files share structs, one internal header lib/<layer>/<layer>-impl.h.
It fails (exit 1, a line per fault) on:
- a file under lib/ that includes the header of a layer above its own;
- a file that includes another layer's internal header: under lib/ never,
  under tests/ only a test of that layer (one internal header per test
  file), nowhere else (tools/, fuzz/, bench/, examples/: util's header at
  most);
- an include cycle among lib/'s files;
- a file directly under lib/ other than meson.build and the version script;
- a layer folder without its interface header, or a folder under lib/
  that is not a layer.
"""

import os
import re
import sys
import tempfile

LAYERS = ['util', 'wire', 'core', 'render', 'state', 'cmd', 'api']
TOP_FILES = {'meson.build', 'virtgpu-mem.map'}
OUTSIDE = ['tools', 'fuzz', 'bench', 'examples', 'vhost-user-gpu']
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(top):
    """Every .c and .h file below top, relative to top's parent."""
    found = []
    for d, dirs, files in os.walk(top):
        dirs[:] = sorted(x for x in dirs if not x.startswith('build'))
        for f in sorted(files):
            if f.endswith(('.c', '.h')):
                found.append(os.path.join(d, f))
    return found


def includes(path):
    with open(path, errors='replace') as f:
        return INCLUDE.findall(f.read())


def resolve(root, path, name):
    """The lib/ file an include names, or None (not the library's)."""
    lib = os.path.join(root, 'lib')
    for base in (os.path.dirname(path), lib):
        cand = os.path.normpath(os.path.join(base, name))
        if cand.startswith(lib + os.sep) and os.path.isfile(cand):
            return cand
    return None


def layer_of(root, path):
    """(layer, internal?) of a lib/ header or source, layer None outside one."""
    rel = os.path.relpath(path, os.path.join(root, 'lib')).split(os.sep)
    if len(rel) != 2 or rel[0] not in LAYERS:
        return None, False
    return rel[0], rel[1] == rel[0] + '-impl.h'


def check_tree_shape(root, faults):
    lib = os.path.join(root, 'lib')
    for entry in sorted(os.listdir(lib)):
        full = os.path.join(lib, entry)
        if os.path.isdir(full):
            if entry not in LAYERS:
                faults.append(f'lib/{entry}/: not a layer ({", ".join(LAYERS)})')
            elif not os.path.isfile(os.path.join(full, entry + '.h')):
                faults.append(f'lib/{entry}/: no interface header lib/{entry}/{entry}.h')
        elif entry not in TOP_FILES:
            faults.append(f'lib/{entry}: a file directly under lib/ (put it in its layer)')


def check_lib_file(root, path, faults, graph):
    me, _ = layer_of(root, path)
    rel = os.path.relpath(path, root)
    graph[path] = []
    for name in includes(path):
        target = resolve(root, path, name)
        if not target:
            continue
        graph[path].append(target)
        them, internal = layer_of(root, target)
        if me is None or them is None:
            continue
        if LAYERS.index(them) > LAYERS.index(me):
            faults.append(f'{rel}: includes "{name}" of {them}, above its layer {me}')
        elif internal and them != me:
            faults.append(f'{rel}: includes "{name}", the internal header of {them}')


def check_outside_file(root, path, faults):
    rel = os.path.relpath(path, root)
    is_test = rel.startswith('tests' + os.sep)
    internal_seen = []
    for name in includes(path):
        target = resolve(root, path, name)
        if not target:
            continue
        them, internal = layer_of(root, target)
        if internal:
            internal_seen.append(them)
            if not is_test:
                faults.append(f'{rel}: includes "{name}", the internal header of {them}')
        elif not is_test and them != 'util':
            faults.append(f'{rel}: includes "{name}": outside lib/ and tests/, only '
                          'util/util.h and the public headers')
    if is_test and len(set(internal_seen)) > 1:
        layers = ', '.join(sorted(set(internal_seen)))
        faults.append(f'{rel}: includes the internal headers of {layers}: '
                      'a test belongs to one layer')


def cycles(graph):
    """The strongly connected components of more than one file (or a self loop)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, []):
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def check(root):
    root = os.path.abspath(root)
    faults, graph = [], {}
    check_tree_shape(root, faults)
    for path in sources(os.path.join(root, 'lib')):
        check_lib_file(root, path, faults, graph)
    for comp in cycles(graph):
        faults.append('include cycle: ' + ' -> '.join(os.path.relpath(p, root) for p in comp))
    for top in ['tests'] + OUTSIDE:
        if os.path.isdir(os.path.join(root, top)):
            for path in sources(os.path.join(root, top)):
                check_outside_file(root, path, faults)
    return faults, graph


def print_graph(root):
    root = os.path.abspath(root)
    faults, graph = check(root)
    edges = sum(len(v) for v in graph.values())
    comps = cycles(graph)
    print(f'lib/: {len(graph)} files, {edges} includes of lib/ files, {len(comps)} cycles')
    for layer in [None] + LAYERS:
        members = [p for p in graph if layer_of(root, p)[0] == layer]
        if members:
            print(f'  {layer or "(no layer)"}: {len(members)} files')
    for comp in comps:
        print('  cycle: ' + ' '.join(os.path.relpath(p, root) for p in comp))
    return 1 if faults else 0


# ---- the checker on seeded faults ---------------------------------------------------

def write(root, rel, text=''):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def clean_tree(root):
    write(root, 'lib/meson.build')
    write(root, 'lib/virtgpu-mem.map')
    below = []
    for layer in LAYERS:
        inc = ''.join(f'#include "{b}/{b}.h"\n' for b in below[-1:])
        write(root, f'lib/{layer}/{layer}.h', inc)
        write(root, f'lib/{layer}/{layer}-impl.h', f'#include "{layer}.h"\n')
        write(root, f'lib/{layer}/one.c', f'#include "{layer}-impl.h"\n#include "util/util.h"\n')
        below.append(layer)
    write(root, 'tests/test-core.c', '#include "core/core-impl.h"\n#include "wire/wire.h"\n')
    write(root, 'tools/tool.c', '#include "util/util.h"\n')


SEEDED = [
    ('an upper layer\'s header', 'lib/core/two.c', '#include "cmd/cmd.h"\n', 'above its layer'),
    ('an upper layer\'s header, relative', 'lib/wire/two.c', '#include "../render/render.h"\n',
     'above its layer'),
    ('another layer\'s internal header', 'lib/render/two.c', '#include "core/core-impl.h"\n',
     'internal header of core'),
    ('a cycle', 'lib/util/util.h', '#include "one.h"\n', 'include cycle'),
    ('a file under lib/', 'lib/private.h', '', 'directly under lib/'),
    ('a folder that is no layer', 'lib/misc/misc.h', '', 'not a layer'),
    ('a test of two layers', 'tests/test-two.c',
     '#include "core/core-impl.h"\n#include "render/render-impl.h"\n',
     'a test belongs to one layer'),
    ('a tool with internals', 'tools/bad.c', '#include "core/core.h"\n', 'only'),
    ('a tool with an internal header', 'fuzz/bad.c', '#include "wire/wire-impl.h"\n',
     'internal header'),
]


def self_test():
    failed = 0
    with tempfile.TemporaryDirectory() as root:
        clean_tree(root)
        faults, _ = check(root)
        if faults:
            print('self-test: the clean tree has faults:', *faults, sep='\n  ')
            failed += 1
    for what, rel, text, expect in SEEDED:
        with tempfile.TemporaryDirectory() as root:
            clean_tree(root)
            if what == 'a cycle':
                write(root, 'lib/util/one.h', '#include "util.h"\n')
            write(root, rel, text)
            faults, _ = check(root)
            if not any(expect in f for f in faults):
                print(f'self-test: {what} ({rel}) not caught; faults: {faults}')
                failed += 1
    with tempfile.TemporaryDirectory() as root:
        clean_tree(root)
        os.remove(os.path.join(root, 'lib/cmd/cmd.h'))
        write(root, 'lib/api/api.h')
        if not any('no interface header' in f for f in check(root)[0]):
            print('self-test: a layer without its interface header not caught')
            failed += 1
    print(f'self-test: {len(SEEDED) + 2} trees, {failed} wrong')
    return 1 if failed else 0


def main(argv):
    if argv[1:] == ['--self-test']:
        return self_test()
    if len(argv) == 3 and argv[1] == '--graph':
        return print_graph(argv[2])
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    faults, graph = check(argv[1])
    for f in faults:
        print(f)
    print(f'check-layers: {len(graph)} files of lib/, {len(faults)} faults')
    return 1 if faults else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
