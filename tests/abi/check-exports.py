#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the library's exports against the version script and the header.

    check-exports.py LIBRARY MAP_FILE HEADER

The set of dynamic symbols LIBRARY defines (nm -D --defined-only), the set
the version script MAP_FILE exports and the set of functions HEADER declares
with VGM_EXPORT must be the same; every one must start with vgm_, and each
must carry the version node the script puts it in. Prints the differences
and exits 1 on failure, 77 (skip) without nm.
"""

import os
import re
import shutil
import subprocess
import sys

SKIP = 77
PREFIX = 'vgm_'


def strip_c_comments(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    return re.sub(r'//[^\n]*', ' ', text)


def library_symbols(nm, lib, version_nodes):
    """name -> version (None when nm prints none), for defined dynamic symbols."""
    out = subprocess.run([nm, '-D', '--defined-only', lib], check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    symbols = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        kind, raw = fields[-2], fields[-1]
        name, _, version = raw.partition('@')
        version = version.lstrip('@') or None
        # The version script's nodes appear as absolute symbols of their own.
        if kind == 'A' and name in version_nodes:
            continue
        symbols[name] = version
    return symbols


def map_symbols(path):
    """(name -> version node for global names, set of node names, problems)."""
    with open(path) as f:
        text = strip_c_comments(f.read())
    text = re.sub(r'#[^\n]*', ' ', text)
    symbols, nodes, problems = {}, set(), []
    for node, body in re.findall(r'([A-Za-z_][\w.]*)\s*\{(.*?)\}\s*[\w.]*\s*;', text, re.S):
        nodes.add(node)
        section = None
        for item in body.split(';'):
            item = item.strip()
            label = re.match(r'(global|local)\s*:\s*(.*)', item, re.S)
            if label:
                section, item = label.group(1), label.group(2).strip()
            if not item or section != 'global':
                continue
            if any(ch in item for ch in '*?['):
                problems.append('%s: wildcard "%s" in global:' % (node, item))
                continue
            if item in symbols:
                problems.append('%s listed twice' % item)
            symbols[item] = node
    if not nodes:
        problems.append('no version node found in %s' % path)
    return symbols, nodes, problems


def header_symbols(path):
    """Names declared with VGM_EXPORT, outside the macro's own definition."""
    with open(path) as f:
        text = strip_c_comments(f.read())
    text = re.sub(r'\\\n', ' ', text)                      # join continued lines
    text = re.sub(r'^[ \t]*#[^\n]*', ' ', text, flags=re.M)  # drop preprocessor lines
    names = set()
    for decl in re.findall(r'\bVGM_EXPORT\b([^;{]*)', text):
        call = re.search(r'([A-Za-z_]\w*)\s*\(', decl)
        if call:
            names.add(call.group(1))
        else:  # an exported variable: its name is the last identifier
            idents = re.findall(r'[A-Za-z_]\w*', decl)
            if idents:
                names.add(idents[-1])
    return names


def report(title, names):
    print('%s (%d):' % (title, len(names)))
    for name in sorted(names):
        print('    ' + name)


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip())
        return 2
    lib, map_file, header = argv[1:]
    nm = os.environ.get('NM') or shutil.which('nm')
    if not nm:
        print('SKIP: no nm to read the dynamic symbol table')
        return SKIP

    in_map, nodes, problems = map_symbols(map_file)
    in_lib = library_symbols(nm, lib, nodes)
    in_header = header_symbols(header)
    lib_names, map_names = set(in_lib), set(in_map)

    if lib_names - map_names:
        problems.append('defined by the library, not in the version script')
        report('in %s, not in %s' % (os.path.basename(lib), os.path.basename(map_file)),
               lib_names - map_names)
    if map_names - lib_names:
        problems.append('in the version script, not defined by the library')
        report('in %s, not in %s' % (os.path.basename(map_file), os.path.basename(lib)),
               map_names - lib_names)
    if in_header - map_names:
        problems.append('declared VGM_EXPORT, not in the version script')
        report('VGM_EXPORT in %s, not in %s' % (os.path.basename(header),
                                                os.path.basename(map_file)),
               in_header - map_names)
    if map_names - in_header:
        problems.append('in the version script, not declared VGM_EXPORT')
        report('in %s, not VGM_EXPORT in %s' % (os.path.basename(map_file),
                                                os.path.basename(header)),
               map_names - in_header)
    unprefixed = {n for n in lib_names | map_names | in_header if not n.startswith(PREFIX)}
    if unprefixed:
        problems.append('exported without the %s prefix' % PREFIX)
        report('without the %s prefix' % PREFIX, unprefixed)
    for name in sorted(lib_names & map_names):
        if in_lib[name] is not None and in_lib[name] != in_map[name]:
            problems.append('%s has version %s, the script says %s'
                            % (name, in_lib[name], in_map[name]))

    print('%d symbols in the library, %d in the version script, %d VGM_EXPORT in the header'
          % (len(lib_names), len(map_names), len(in_header)))
    if not in_header:
        problems.append('no VGM_EXPORT declaration found in %s' % header)
    for p in problems:
        print('FAIL: ' + p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
