#!/bin/sh
# SPDX-License-Identifier: MIT
# The installed .pc is enough to build a VMM (suite build):
#     check-pkgconfig.sh SOURCE_ROOT CONSUMER_C
# Builds and installs the library alone into a temporary prefix, then:
# - `pkg-config --cflags virtgpu-mem` gives <drm_fourcc.h>'s directory,
#   as the header's DRM_FORMAT_* need it;
# - `pkg-config --libs virtgpu-mem` links only the library (libdrm and
#   pixman are Requires.private, for static links), and pixman is not a
#   public requirement;
# - CONSUMER_C builds with those flags alone and runs.
# Exits 0, 1 with what failed, 77 (skip) without meson, ninja or pkg-config.
set -eu
src=$1
consumer=$2
for tool in meson ninja pkg-config cc; do
	command -v "$tool" >/dev/null || { echo "SKIP: no $tool"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}

meson setup "$tmp/build" "$src" --prefix="$tmp/prefix" --libdir=lib -Ddefault_library=shared \
	-Dtests=disabled -Dexamples=disabled -Dtools=disabled -Dvhost-user-gpu=disabled \
	-Ddocs=disabled >"$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log"; fail "meson setup"; }
ninja -C "$tmp/build" install >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "ninja install"; }

export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
cflags=$(pkg-config --cflags virtgpu-mem)
libs=$(pkg-config --libs virtgpu-mem)
echo "cflags: $cflags"
echo "libs: $libs"
drm_dir=$(pkg-config --variable=includedir libdrm)/libdrm
[ -f "$drm_dir/drm_fourcc.h" ] || fail "no drm_fourcc.h in $drm_dir"
case " $cflags " in
*" -I$drm_dir "*) ;;
*) fail "--cflags does not give $drm_dir (drm_fourcc.h)" ;;
esac
case " $libs " in
*-lpixman-1* | *-ldrm*) fail "--libs links more than the library: $libs" ;;
esac
if pkg-config --print-requires virtgpu-mem | grep -q pixman; then
	fail "pixman is a public requirement; the header does not use it"
fi

# shellcheck disable=SC2086 # the flags are words
cc -std=c11 -Wall -Werror $cflags -o "$tmp/vmm" "$consumer" $libs || fail "the consumer does not build"
LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/vmm" || fail "the consumer does not run"
echo "OK"
