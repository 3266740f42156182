#!/bin/bash
# SPDX-License-Identifier: MIT
# prepare.sh CACHE_DIR [--no-install] [--skip-qemu]
#
# Prepares everything the guest tests (run-guest.py) need, idempotently:
#   1. Debian's guest kernel (the package linux-image-amd64 depends on) and
#      busybox-static: `apt-get download` into CACHE_DIR/debs, `dpkg-deb -x`
#      into CACHE_DIR/kernel and CACHE_DIR/busybox (no root needed).
#   2. CACHE_DIR/initramfs.cpio.gz built by guestlib.py: busybox, /init from
#      init.sh, and the virtio-gpu modules (order from their .modinfo).
#   3. QEMU >= 10 (vhost-user-gpu-pci refuses TCG in 7.2): when missing,
#      running as root and VGM_TESTS_MAY_INSTALL=1, adds bookworm-backports
#      to apt's sources and installs qemu-system-x86 + qemu-system-gui (which
#      ships the reference backend /usr/lib/qemu/vhost-user-gpu) from it.
#      Otherwise prints how to, and skips.
#   4. CACHE_DIR/vmlinux: the kernel decompressed on the host (QEMU boots it
#      through its PVH entry; the guest's own xz decompression costs ~4 s
#      under TCG).
#   5. For the KMS guest (vgm.mode=kms): libdrm's modetest (libdrm-tests)
#      and what it loads (libdrm2, libc6), `apt-get download`ed and
#      extracted like the kernel, in CACHE_DIR/initramfs-kms.cpio.gz: the
#      initramfs of 2., plus /usr/bin/modetest and its libraries.
#   6. For the UEFI guest: Debian's OVMF firmware (ovmf), and mkfs.vfat
#      (dosfstools) and mcopy (mtools) for its FAT disk; installed with
#      apt-get when missing, running as root and VGM_TESTS_MAY_INSTALL=1.
#   7. For the GL guest (vgm.mode=gl): Debian's Mesa and the 9p modules,
#      prepare-gl.sh, run before the kernel tree is pruned (it takes the 9p
#      modules from it); when it cannot, only the GL cases skip.
#   8. CACHE_DIR/guest.env: KERNEL, KERNEL_BZIMAGE, INITRD, KVER, MODULES,
#      QEMU, VHOST_USER_GPU; and, when those could be had (else the tests
#      that need them skip, saying why), CACHE_DIR/kms.env: INITRD_KMS,
#      CACHE_DIR/uefi.env: OVMF_CODE, OVMF_VARS, MKFS_VFAT, MCOPY,
#      CACHE_DIR/gl.env: GL_ROOT, GL_MODULES_CPIO, GL_MESA (files of their
#      own: run-guest.py reads all four).
# Exit: 0 ready, 77 something could not be had (reason printed), 1 error.
# Environment: VGM_GUEST_KERNEL_PKG overrides the kernel package name;
# VGM_TESTS_MAY_INSTALL=1 lets it change the machine (apt-get update, an apt
# source, apt-get install; as root): .ci/run and `./run.sh test` set it.
# Without it nothing outside CACHE_DIR is changed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=${PYTHON:-python3}
NO_INSTALL=0
SKIP_QEMU=0
CACHE=
for arg in "$@"; do
	case "$arg" in
	--no-install) NO_INSTALL=1 ;;
	--skip-qemu) SKIP_QEMU=1 ;;
	-h|--help) sed -n '3,39p' "$0"; exit 0 ;;
	-*) echo "prepare.sh: unknown option $arg" >&2; exit 2 ;;
	*) CACHE=$arg ;;
	esac
done
[ -n "$CACHE" ] || { echo "usage: prepare.sh CACHE_DIR [--no-install] [--skip-qemu]" >&2; exit 2; }
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

say() { echo "[prepare] $*" >&2; }  # stdout is reserved for function results
skip() { say "SKIP: $*"; exit 77; }
IS_ROOT=0
[ "$(id -u)" = 0 ] && IS_ROOT=1
# May this script change the machine's packages? Only when asked.
MAY_INSTALL=0
[ $IS_ROOT = 1 ] && [ "${VGM_TESTS_MAY_INSTALL:-0}" = 1 ] && MAY_INSTALL=1

for t in apt-get apt-cache dpkg-deb "$PY"; do
	command -v "$t" >/dev/null || skip "$t not found (a Debian system is needed)"
done

APT_UPDATED=0
apt_update() {
	if [ $APT_UPDATED = 0 ] && [ $MAY_INSTALL = 1 ]; then
		say "apt-get update"
		apt-get update -qq
		APT_UPDATED=1
		return 0
	fi
	return 1
}

# candidate version of a package, empty if unknown
candidate() {
	apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { if ($2 != "(none)") print $2; exit }'
}

# fetch PKG: make sure CACHE/debs holds the candidate .deb of PKG; prints its path
fetch() {
	local pkg=$1 ver deb f old
	mkdir -p "$CACHE/debs"
	ver=$(candidate "$pkg")
	if [ -z "$ver" ] && apt_update; then ver=$(candidate "$pkg"); fi
	if [ -z "$ver" ]; then
		# offline / no package lists: use what the cache already has
		deb=$(ls -1 "$CACHE/debs/${pkg}"_*.deb 2>/dev/null | sort -V | tail -n 1 || true)
		[ -n "$deb" ] || skip "package $pkg unknown to apt and not cached (run apt-get update?)"
		say "$pkg: no apt candidate, using cached $(basename "$deb")"
		echo "$deb"
		return
	fi
	for f in "$CACHE/debs/${pkg}"_*.deb; do
		[ -e "$f" ] || continue
		if [ "$(dpkg-deb -f "$f" Version)" = "$ver" ]; then
			say "$pkg $ver: cached $(basename "$f")"
			echo "$f"
			return
		fi
	done
	say "$pkg $ver: apt-get download"
	# apt drops privileges to _apt for downloads: use a world-writable temp dir
	local tmp
	tmp=$(mktemp -d "$CACHE/debs/.dl.XXXXXX")
	chmod 0777 "$tmp"
	if ! (cd "$tmp" && apt-get download -q "$pkg=$ver" >&2); then
		# stale package lists name a version the mirror no longer has
		if apt_update && ver=$(candidate "$pkg") && [ -n "$ver" ]; then
			say "$pkg $ver: apt-get download (after apt-get update)"
			(cd "$tmp" && apt-get download -q "$pkg=$ver" >&2) || { rm -rf "$tmp"; skip "apt-get download $pkg failed"; }
		else
			rm -rf "$tmp"; skip "apt-get download $pkg failed"
		fi
	fi
	f=$(ls -1 "$tmp"/*.deb)
	# drop older versions of the same package from the cache
	for old in "$CACHE/debs/${pkg}"_*.deb; do
		[ -e "$old" ] && rm -f "$old" && say "removed old $(basename "$old")"
	done
	mv "$f" "$CACHE/debs/"
	rmdir "$tmp" 2>/dev/null || rm -rf "$tmp"
	echo "$CACHE/debs/$(basename "$f")"
}

# extract DEB DIR: dpkg-deb -x unless DIR already holds that .deb
extract() {
	local deb=$1 dir=$2
	if [ -f "$dir/.vgm-source" ] && [ "$(cat "$dir/.vgm-source")" = "$(basename "$deb")" ]; then
		say "$(basename "$dir"): already extracted from $(basename "$deb")"
		return
	fi
	say "extract $(basename "$deb") -> $dir"
	rm -rf "$dir" "$dir.tmp"
	mkdir -p "$dir.tmp"
	dpkg-deb -x "$deb" "$dir.tmp"
	basename "$deb" > "$dir.tmp/.vgm-source"
	mv "$dir.tmp" "$dir"
}

# ---------------------------------------------------------------- guest ----
KPKG=${VGM_GUEST_KERNEL_PKG:-}
if [ -z "$KPKG" ]; then
	[ -n "$(candidate linux-image-amd64)" ] || apt_update || true
	KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }')
	if [ -z "$KPKG" ]; then
		KPKG=$(ls -1 "$CACHE"/debs/linux-image-*.deb 2>/dev/null | sed 's|.*/||; s|_.*||' | sort -V | tail -n 1 || true)
		[ -n "$KPKG" ] || skip "cannot resolve linux-image-amd64 (no apt lists? run apt-get update)"
	fi
fi
say "guest kernel package: $KPKG (from linux-image-amd64)"
KDEB=$(fetch "$KPKG")
BDEB=$(fetch busybox-static)
extract "$KDEB" "$CACHE/kernel"
extract "$BDEB" "$CACHE/busybox"

VMLINUZ=$(ls -1 "$CACHE"/kernel/boot/vmlinuz-* | head -n 1)
[ -f "$VMLINUZ" ] || skip "no vmlinuz in $KDEB"
# Uncompressed kernel for a direct PVH boot: saves the in-guest xz
# decompression (~4 s under TCG).  Falls back to the bzImage.
VMLINUX=$CACHE/vmlinux
KERNEL=$VMLINUZ
if [ -f "$VMLINUX" ] && [ "$(cat "$VMLINUX.source" 2>/dev/null)" = "$(cat "$CACHE/kernel/.vgm-source")" ]; then
	say "vmlinux up to date: $VMLINUX"
	KERNEL=$VMLINUX
elif "$PY" "$HERE/guestlib.py" vmlinux "$VMLINUZ" "$VMLINUX" >&2; then
	cp "$CACHE/kernel/.vgm-source" "$VMLINUX.source"
	say "extracted $VMLINUX (PVH boot)"
	KERNEL=$VMLINUX
else
	rm -f "$VMLINUX" "$VMLINUX.source"
	say "no PVH-bootable vmlinux, booting the bzImage"
fi
BUSYBOX=$CACHE/busybox/bin/busybox
[ -x "$BUSYBOX" ] || skip "no bin/busybox in $BDEB"

# Rebuild the initramfs when any input changed.
INITRD=$CACHE/initramfs.cpio.gz
STAMP=$(cat "$HERE/init.sh" "$HERE/guestlib.py" "$CACHE/kernel/.vgm-source" "$CACHE/busybox/.vgm-source" | md5sum | cut -d' ' -f1)
build_initramfs() {
	"$PY" "$HERE/guestlib.py" initramfs --kernel-root "$CACHE/kernel" --busybox "$BUSYBOX" --out "$INITRD" \
		| sed 's/^/[prepare] /' >&2
}
if [ -f "$INITRD" ] && [ -f "$INITRD.stamp" ] && [ "$(cat "$INITRD.stamp")" = "$STAMP" ]; then
	say "initramfs up to date: $INITRD"
else
	say "building $INITRD"
	if ! build_initramfs; then
		[ -f "$CACHE/kernel/.vgm-pruned" ] || exit 1
		say "module missing from the pruned kernel tree: extracting it again"
		rm -rf "$CACHE/kernel"
		extract "$KDEB" "$CACHE/kernel"
		build_initramfs
	fi
	echo "$STAMP" > "$INITRD.stamp"
fi
MODULES=$("$PY" "$HERE/guestlib.py" modules "$CACHE/kernel" | awk '{ printf "%s%s", sep, $1; sep = " " }')
say "module load order: $MODULES"

# The GL guest, before the kernel tree is pruned (it takes the 9p modules).
set +e
( set -e; . "$HERE/prepare-gl.sh" )
GL_RC=$?
set -e
[ $GL_RC = 0 ] || say "GL guest not prepared (status $GL_RC): the GL cases will skip"

# The package holds ~4000 modules (400 MB extracted): keep only the ones the
# guest loads (and boot/, modules.*), unless VGM_GUEST_KEEP_KERNEL_TREE=1.
if [ "${VGM_GUEST_KEEP_KERNEL_TREE:-0}" != 1 ] && [ ! -f "$CACHE/kernel/.vgm-pruned" ]; then
	KEEP=$("$PY" "$HERE/guestlib.py" modules --paths "$CACHE/kernel")
	find "$CACHE/kernel" -name '*.ko*' -type f | grep -vxF "$KEEP" | xargs -r rm -f
	find "$CACHE/kernel" -depth -type d -empty -delete
	touch "$CACHE/kernel/.vgm-pruned"
	say "pruned $CACHE/kernel to the $(echo "$KEEP" | wc -l) modules the guest needs ($(du -sh "$CACHE/kernel" | cut -f1))"
fi
KVER=$(basename "$(ls -1d "$CACHE"/kernel/lib/modules/*/ | head -n 1)")

# ----------------------------------------------------------------- KMS -----
# modetest and the libraries it loads, for the initramfs of vgm.mode=kms.
# Optional: without them only the KMS test skips.
INITRD_KMS=
if TDEB=$(fetch libdrm-tests) && DDEB=$(fetch libdrm2) && CDEB=$(fetch libc6); then
	extract "$TDEB" "$CACHE/libdrm-tests"
	extract "$DDEB" "$CACHE/libdrm2"
	extract "$CDEB" "$CACHE/libc6"
	INITRD_KMS=$CACHE/initramfs-kms.cpio.gz
	KSTAMP=$(cat "$INITRD.stamp" "$CACHE"/libdrm-tests/.vgm-source "$CACHE"/libdrm2/.vgm-source \
		"$CACHE"/libc6/.vgm-source | md5sum | cut -d' ' -f1)
	if [ -f "$INITRD_KMS" ] && [ "$(cat "$INITRD_KMS.stamp" 2>/dev/null)" = "$KSTAMP" ]; then
		say "initramfs with modetest up to date: $INITRD_KMS"
	else
		say "building $INITRD_KMS"
		"$PY" "$HERE/guestlib.py" initramfs --kernel-root "$CACHE/kernel" --busybox "$BUSYBOX" \
			--out "$INITRD_KMS" --program "$CACHE/libdrm-tests/usr/bin/modetest" \
			--lib-root "$CACHE/libdrm2" --lib-root "$CACHE/libc6" | sed 's/^/[prepare] /' >&2
		echo "$KSTAMP" > "$INITRD_KMS.stamp"
	fi
else
	say "the KMS test will skip: libdrm-tests, libdrm2 or libc6 could not be downloaded (see above)"
fi

# ----------------------------------------------------------------- UEFI ----
# Debian's OVMF, and the tools for the FAT disk its shell runs a script from.
uefi_ok() {
	OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
	OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
	MKFS_VFAT=$(PATH=$PATH:/sbin:/usr/sbin command -v mkfs.vfat || true)
	MCOPY=$(command -v mcopy || true)
	[ -f "$OVMF_CODE" ] && [ -f "$OVMF_VARS" ] && [ -n "$MKFS_VFAT" ] && [ -n "$MCOPY" ]
}
UEFI_STATUS=ok
if uefi_ok; then
	say "UEFI: $OVMF_CODE, $MKFS_VFAT, $MCOPY"
elif [ $MAY_INSTALL = 1 ] && [ $NO_INSTALL = 0 ]; then
	apt_update || true
	say "installing ovmf, mtools, dosfstools"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ovmf mtools dosfstools \
		>"$CACHE/uefi-install.log" 2>&1 || tail -n 20 "$CACHE/uefi-install.log" >&2
	uefi_ok || UEFI_STATUS="ovmf, mtools or dosfstools still missing after install (see $CACHE/uefi-install.log)"
else
	UEFI_STATUS="ovmf, mtools and dosfstools are needed; as root: apt-get install ovmf mtools dosfstools, or let the tests do it: VGM_TESTS_MAY_INSTALL=1"
fi
[ "$UEFI_STATUS" = ok ] || say "UEFI tests will skip: $UEFI_STATUS"

# ----------------------------------------------------------------- QEMU ----
qemu_major() {
	"$1" --version 2>/dev/null | sed -n 's/.*version \([0-9][0-9]*\)\..*/\1/p' | head -n 1
}
QEMU=$(command -v qemu-system-x86_64 || true)
VUG=/usr/lib/qemu/vhost-user-gpu
qemu_ok() {
	QEMU=$(command -v qemu-system-x86_64 || true)
	[ -n "$QEMU" ] && [ "$(qemu_major "$QEMU")" -ge 10 ] 2>/dev/null && [ -x "$VUG" ]
}
QEMU_STATUS=ok
if [ $SKIP_QEMU = 1 ]; then
	QEMU_STATUS=skipped
elif qemu_ok; then
	say "QEMU: $("$QEMU" --version | head -n 1) at $QEMU; reference backend $VUG"
else
	. /etc/os-release 2>/dev/null || true
	CODENAME=${VERSION_CODENAME:-unknown}
	if [ "$CODENAME" = bookworm ]; then
		SUITE=bookworm-backports
	else
		SUITE=
	fi
	HOW="apt-get install -y --no-install-recommends${SUITE:+ -t $SUITE} qemu-system-x86 qemu-system-gui"
	if [ $MAY_INSTALL = 1 ] && [ $NO_INSTALL = 0 ]; then
		if [ -n "$SUITE" ] && ! grep -rqsE "^[^#]*$SUITE" /etc/apt/sources.list /etc/apt/sources.list.d/; then
			# same mirror as the main Debian suite
			MIRROR=$(grep -rhsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/ \
				| grep -oE 'https?://[^ ]*/debian/?( |$)' | grep -v security | head -n 1 | tr -d ' ' || true)
			MIRROR=${MIRROR:-http://deb.debian.org/debian}
			MIRROR=${MIRROR%/}
			OPT=
			[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] && OPT=" [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]"
			say "adding $SUITE ($MIRROR) to /etc/apt/sources.list.d/vgm-$SUITE.list"
			echo "deb$OPT $MIRROR $SUITE main" > "/etc/apt/sources.list.d/vgm-$SUITE.list"
			APT_UPDATED=0
		fi
		apt_update || true
		say "installing QEMU: $HOW"
		DEBIAN_FRONTEND=noninteractive $HOW -q >"$CACHE/qemu-install.log" 2>&1 \
			|| { tail -n 20 "$CACHE/qemu-install.log"; QEMU_STATUS="install failed (see $CACHE/qemu-install.log)"; }
		if qemu_ok; then
			say "QEMU: $("$QEMU" --version | head -n 1) at $QEMU; reference backend $VUG"
			QEMU_STATUS=ok
		else
			[ "$QEMU_STATUS" != ok ] || QEMU_STATUS="QEMU >= 10 with $VUG still missing after install"
		fi
	else
		QEMU_STATUS="QEMU >= 10 (with $VUG) missing: install qemu-system-x86 and qemu-system-gui${SUITE:+ from $SUITE}"
		say "QEMU >= 10 is needed (vhost-user-gpu-pci refuses TCG in QEMU 7.2). As root:"
		[ -z "$SUITE" ] || say "  echo 'deb http://deb.debian.org/debian $SUITE main' > /etc/apt/sources.list.d/$SUITE.list"
		say "  apt-get update && $HOW"
		say "or let the tests do it, as root: VGM_TESTS_MAY_INSTALL=1 (.ci/run and ./run.sh test set it)"
	fi
fi

{
	echo "# written by tests/guest/prepare.sh"
	echo "KERNEL=$KERNEL"
	echo "KERNEL_BZIMAGE=$VMLINUZ"
	echo "INITRD=$INITRD"
	echo "KVER=$KVER"
	echo "KERNEL_DEB=$(basename "$KDEB")"
	echo "BUSYBOX_DEB=$(basename "$BDEB")"
	echo "MODULES='$MODULES'"
	if [ "$QEMU_STATUS" = ok ]; then
		echo "QEMU=$QEMU"
		echo "VHOST_USER_GPU=$VUG"
	fi
} > "$CACHE/guest.env.tmp"
mv "$CACHE/guest.env.tmp" "$CACHE/guest.env"
say "wrote $CACHE/guest.env"
# write_env NAME KEY=VALUE...: CACHE/NAME.env with those lines, or none
write_env() {
	local f=$CACHE/$1.env
	shift
	if [ $# = 0 ]; then
		rm -f "$f"
		return
	fi
	{ echo "# written by tests/guest/prepare.sh"; printf '%s\n' "$@"; } > "$f.tmp"
	mv "$f.tmp" "$f"
	say "wrote $f"
}
if [ -n "$INITRD_KMS" ]; then write_env kms "INITRD_KMS=$INITRD_KMS"; else write_env kms; fi
if [ "$UEFI_STATUS" = ok ]; then
	write_env uefi "OVMF_CODE=$OVMF_CODE" "OVMF_VARS=$OVMF_VARS" "MKFS_VFAT=$MKFS_VFAT" "MCOPY=$MCOPY"
else
	write_env uefi
fi
if [ "$QEMU_STATUS" != ok ] && [ "$QEMU_STATUS" != skipped ]; then
	skip "$QEMU_STATUS"
fi
say "ready"
