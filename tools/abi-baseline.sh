#!/bin/sh
# SPDX-License-Identifier: MIT
# Writes abi/virtgpu-mem.abi, the ABI the suite abi's check-abi compares the
# library with (docs/releasing.md says when):
#   tools/abi-baseline.sh        the source tree as it is (the release commit)
#   tools/abi-baseline.sh REV    a git revision (a release tag, say)
# The shared library is built on its own in a temporary directory, with
# debug information and nothing else, so that the build directory's
# options (sanitizers, LTO, coverage) do not reach the baseline. Needs
# abigail-tools, meson, ninja and the library's build dependencies.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/abi/virtgpu-mem.abi"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

src=$top
if [ $# -ge 1 ]; then
	src="$tmp/src"
	mkdir "$src"
	git -C "$top" archive "$1" | tar -x -C "$src"
fi

# Every part but the library off, as far as the revision has the option.
options=""
for o in tests examples tools vhost-user-gpu fuzzing docs; do
	if grep -q "^option('$o'" "$src/meson_options.txt"; then
		options="$options -D$o=disabled"
	fi
done
# shellcheck disable=SC2086 # the options are words
meson setup "$tmp/build" "$src" --buildtype=debugoptimized -Ddefault_library=shared \
	$options >"$tmp/setup.log" || { cat "$tmp/setup.log"; exit 1; }
ninja -C "$tmp/build" >"$tmp/ninja.log" || { cat "$tmp/ninja.log"; exit 1; }

mkdir -p "$top/abi"
python3 "$top/tests/abi/check-abi.py" --write "$tmp/build/lib/libvirtgpu-mem.so" \
	"$src/include/virtgpu-mem" "$out"
echo "abi-baseline: wrote ${out#"$top"/} from ${1:-the source tree}"
