#!/bin/sh
# SPDX-License-Identifier: MIT
# Set-up and entry point on a Debian 12 machine:
#   ./run.sh demo    install what is missing, build, run the demo
#   ./run.sh test    install what is missing, build, run every test suite
#                    (as root, the guest suite's QEMU 10 too: it sets
#                    VGM_TESTS_MAY_INSTALL=1 unless it is set already)
# Other words: ./run.sh build (just build), ./run.sh deps (just install).
set -eu
cd "$(dirname "$0")"

BUILD=${BUILD:-build}
# libvirglrenderer-dev and libgl1-mesa-dri (llvmpipe): the virglrenderer
# adapter's test (tests/test-virgl.c) renders for real, without a GPU.
# abigail-tools (abidw, abidiff): the suite abi's check-abi, the library's
# ABI against abi/virtgpu-mem.abi.
# libseccomp-dev: vgm-vhost-user-gpu's sandbox.
# python3-pytest: the Python package's tests (python/tests, suite bindings).
# doxygen: the reference manual (-Ddocs=enabled) and its warning test.
PACKAGES="meson ninja-build pkg-config gcc g++ libpixman-1-dev libdrm-dev libcmocka-dev \
libpng-dev python3 valgrind libegl-dev libgles-dev libgbm-dev libvirglrenderer-dev \
libgl1-mesa-dri abigail-tools libseccomp-dev python3-pytest doxygen"

missing_packages() {
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "ok installed" || echo "$p"
	done
}

install_deps() {
	missing=$(missing_packages)
	[ -z "$missing" ] && return 0
	echo "run.sh: installing $missing"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -q
	# shellcheck disable=SC2086 # the list is words
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
}

build() {
	install_deps
	[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD"
	ninja -C "$BUILD"
}

case "${1:-}" in
deps) install_deps ;;
build) build ;;
demo)
	build
	"$BUILD/examples/vgm-demo" demo-out
	echo "run.sh: the demo wrote demo-out/scanout-0.png and demo-out/scanout-1.png"
	;;
test)
	build
	# What is missing includes the guest suite's QEMU 10, which
	# tests/guest/prepare.sh installs from bookworm-backports (an apt
	# source it adds) only when asked to; VGM_TESTS_MAY_INSTALL=0 keeps it
	# from doing so.
	VGM_TESTS_MAY_INSTALL=${VGM_TESTS_MAY_INSTALL:-1} meson test -C "$BUILD" --print-errorlogs
	;;
*)
	echo "usage: $0 demo|test|build|deps" >&2
	exit 2
	;;
esac
