#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes a call of every exported function, for test-reentry-all.

    gen-api-calls.py MAP_FILE HEADER OUTPUT.c

The functions are the global names of the version script MAP_FILE; their
prototypes come from HEADER (its VGM_EXPORT declarations), and the
callbacks from HEADER's struct vgm_host_ops. OUTPUT.c defines, for
tests/api-calls.h:

- api_calls[]: each function that takes a device (a parameter of type
  struct vgm_device * or const struct vgm_device *), called with that device
  and arguments from struct api_args chosen by parameter type (ARGS below);
- api_exempt[]: the functions that take no device (vgm_version,
  vgm_device_new ...), which cannot be called back into a device;
- api_callbacks[]: the members of struct vgm_host_ops that are callbacks.

It fails (exit 1, and so the build) when the script exports a name the
header does not declare or the other way round, when a function that takes
a device has a parameter type ARGS does not know or returns neither int nor
void (its -EBUSY could not be told), or when nothing is found: a function
added later is called by the test without editing it, or the build says
what is missing.
"""

import importlib.util
import os
import re
import sys

# Parameter type -> the argument passed (a is the struct api_args *).
ARGS = {
    'struct vgm_device *': 'dev',
    'const struct vgm_device *': 'dev',
    'bool': 'false',
    'uint32_t': '0',
    'uint64_t': '0',
    'size_t': '0',
    'int': '-1',  # a file descriptor: none
    'enum vgm_queue': 'VGM_QUEUE_CONTROL',
    'void *': 'a->buf',
    'const void *': 'a->buf',
    'uint32_t *': '&a->u32',
    'int *': '&a->i',
    'uint64_t *': '&a->u64',
    'size_t *': '&a->size',
    'const uint8_t [16]': 'a->uuid',
    'const struct iovec *': 'a->iov',
    'struct vgm_resource_info *': '&a->resource_info',
    'struct vgm_scanout_info *': '&a->scanout_info',
    'struct vgm_pixels *': '&a->pixels',
    'struct vgm_stats *': '&a->stats',
}
DEVICE_TYPES = ('struct vgm_device *', 'const struct vgm_device *')


class Failure(Exception):
    pass


def check_exports():
    """tests/abi/check-exports.py, which reads version scripts and C text."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'abi', 'check-exports.py')
    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    spec = importlib.util.spec_from_file_location('check_exports', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHECK_EXPORTS = check_exports()
strip_comments = CHECK_EXPORTS.strip_c_comments


def map_names(path):
    """The global names of every version node."""
    symbols, _, problems = CHECK_EXPORTS.map_symbols(path)
    if problems:
        raise Failure('%s: %s' % (path, '; '.join(problems)))
    if not symbols:
        raise Failure('%s: no exported name found' % path)
    return list(symbols)


def normalize(ctype):
    """'const  struct vgm_device*' -> 'const struct vgm_device *'."""
    ctype = re.sub(r'\s*\*\s*', ' * ', ctype)
    ctype = re.sub(r'\s+', ' ', ctype).strip()
    return ctype.replace('* *', '**')


def parse_param(text, fn):
    """(type, name) of one parameter; arrays keep their size in the type."""
    text = text.strip()
    m = re.match(r'(.*?)(\w+)\s*(\[\s*\w*\s*\])?$', text, re.S)
    if not m or not m.group(1).strip():
        raise Failure('%s: cannot read the parameter "%s"' % (fn, text))
    ctype = normalize(m.group(1))
    if m.group(3):
        ctype += ' ' + re.sub(r'\s', '', m.group(3))
    return ctype, m.group(2)


def header_functions(path):
    """name -> (return type, [(type, name)]) of every VGM_EXPORT function."""
    with open(path) as f:
        text = strip_comments(f.read())
    text = re.sub(r'^[ \t]*#[^\n]*', ' ', text, flags=re.M)
    funcs = {}
    for decl in re.findall(r'\bVGM_EXPORT\b([^;{]*);', text):
        m = re.match(r'\s*(.*?)\b(\w+)\s*\((.*)\)\s*$', decl, re.S)
        if not m:
            continue
        ret, name, params = normalize(m.group(1)), m.group(2), m.group(3).strip()
        if params in ('', 'void'):
            plist = []
        else:
            plist = [parse_param(p, name) for p in params.split(',')]
        funcs[name] = (ret, plist)
    if not funcs:
        raise Failure('%s: no VGM_EXPORT function found' % path)
    return funcs


def host_callbacks(path):
    """The function pointer members of struct vgm_host_ops."""
    with open(path) as f:
        text = strip_comments(f.read())
    m = re.search(r'struct\s+vgm_host_ops\s*\{(.*?)\}\s*;', text, re.S)
    if not m:
        raise Failure('%s: no struct vgm_host_ops' % path)
    names = re.findall(r'\(\s*\*\s*(\w+)\s*\)\s*\(', m.group(1))
    if not names:
        raise Failure('%s: struct vgm_host_ops has no callback' % path)
    return names


def call_of(name, ret, params):
    """The C function that calls name on dev, or a Failure."""
    args = []
    for ctype, pname in params:
        if ctype not in ARGS:
            raise Failure('%s: no way to call it: parameter "%s %s" has a type '
                          'tests/gen-api-calls.py does not know (add it to ARGS, and '
                          'its field to struct api_args)' % (name, ctype, pname))
        args.append(ARGS[ctype])
    call = '%s(%s)' % (name, ', '.join(args))
    if ret == 'int':
        body = '\treturn %s;' % call
    elif ret == 'void':
        body = '\t%s;\n\treturn 0;' % call
    else:
        raise Failure('%s: returns "%s": a refusal (-EBUSY) could not be told '
                      'from its result' % (name, ret))
    return ('static int call_%s(struct vgm_device *dev, struct api_args *a)\n'
            '{\n\t(void)a;\n%s\n}\n' % (name, body))


def generate(map_file, header):
    names = map_names(map_file)
    funcs = header_functions(header)
    missing = [n for n in names if n not in funcs]
    if missing:
        raise Failure('exported by %s, not declared VGM_EXPORT in %s: %s'
                      % (map_file, header, ', '.join(missing)))
    unlisted = sorted(set(funcs) - set(names))
    if unlisted:
        raise Failure('declared VGM_EXPORT in %s, not exported by %s: %s'
                      % (header, map_file, ', '.join(unlisted)))
    out = ['/* Generated by tests/gen-api-calls.py from %s and %s: do not edit. */'
           % (map_file.split('/')[-1], header.split('/')[-1]),
           '#include <stdbool.h>', '', '#include "api-calls.h"', '']
    calls, exempt = [], []
    for name in sorted(names):
        ret, params = funcs[name]
        if any(ctype in DEVICE_TYPES for ctype, _ in params):
            out.append(call_of(name, ret, params))
            calls.append((name, ret == 'void'))
        else:
            exempt.append(name)
    out.append('const struct api_call api_calls[] = {')
    for name, void in calls:
        out.append('\t{ "%s", %s, call_%s },' % (name, 'true' if void else 'false', name))
    out.append('\t{ 0 },\n};\n')
    out.append('/* They take no device: nothing to call back into. */')
    out.append('const char *const api_exempt[] = {')
    out.extend('\t"%s",' % name for name in exempt)
    out.append('\tNULL,\n};\n')
    out.append('const char *const api_callbacks[] = {')
    out.extend('\t"%s",' % name for name in host_callbacks(header))
    out.append('\tNULL,\n};')
    return '\n'.join(out) + '\n'


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        text = generate(argv[1], argv[2])
    except Failure as e:
        print('gen-api-calls.py: %s' % e, file=sys.stderr)
        return 1
    with open(argv[3], 'w') as f:
        f.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
