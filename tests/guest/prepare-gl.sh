# SPDX-License-Identifier: MIT
# prepare-gl.sh: the GL guest's part of prepare.sh, which sources it in a
# subshell once the kernel is extracted (it uses prepare.sh's say, skip,
# fetch and extract, and its CACHE, HERE, PY and KDEB). Idempotent:
#   1. The guest's Mesa: the packages libgl1-mesa-dri (virtio_gpu_dri.so,
#      Mesa's virgl driver), libegl-mesa0, libegl1, libgles2, libgbm1,
#      libdrm2 and libc6 (the dynamic loader) need, with every dependency
#      (apt-cache depends --recurse), from the host's Debian release itself
#      (pinned, so that a backports version the host has installed does not
#      leak in): `apt-get download` into CACHE/debs.
#   2. CACHE/gl-root: all of them extracted together, the tree QEMU shares
#      read-only with the guest over virtio-9p.
#   3. CACHE/gl-modules.cpio: the 9p modules the base initramfs lacks
#      (gllib.py modules-cpio); the kernel tree is extracted again when
#      prepare.sh pruned them away before.
#   4. CACHE/gl.env: GL_ROOT, GL_MODULES_CPIO, GL_MESA (a file of its own,
#      which run-guest.py reads beside guest.env, kms.env and uefi.env).
# Exit (of the subshell): 0 ready, 77 something could not be had.

GL_ROOTS="libgl1-mesa-dri libegl-mesa0 libegl1 libgles2 libgbm1 libdrm2 libc6"
GL_DIR=$CACHE/gl
rm -f "$CACHE/gl.env"
mkdir -p "$GL_DIR"

# The release's own versions win over installed ones (priority > 1000).
RELEASE=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
[ -n "$RELEASE" ] || skip "no VERSION_CODENAME in /etc/os-release: cannot name the release for the guest's Mesa"
printf 'Package: *\nPin: release n=%s\nPin-Priority: 1001\n' "$RELEASE" > "$GL_DIR/apt-preferences"
printf 'Dir::Etc::Preferences "%s";\n' "$GL_DIR/apt-preferences" > "$GL_DIR/apt.conf"
export APT_CONFIG=$GL_DIR/apt.conf

gl_closure() {
	# shellcheck disable=SC2086 # GL_ROOTS is words
	apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
		--no-replaces --no-enhances $GL_ROOTS 2>/dev/null | grep -v '^ ' | grep -v '^<' | sort -u
}
PKGS=$(gl_closure || true)
if [ -z "$PKGS" ] && apt_update; then PKGS=$(gl_closure || true); fi
if [ -z "$PKGS" ]; then
	# offline: the list of the last run, with its cached packages
	PKGS=$(cat "$GL_DIR/packages.txt" 2>/dev/null) || skip "cannot resolve the guest's Mesa packages (no apt lists?)"
else
	echo "$PKGS" > "$GL_DIR/packages.txt"
fi
say "guest Mesa: $(echo "$PKGS" | wc -l) packages from $RELEASE: $(echo "$PKGS" | tr '\n' ' ')"
# One apt-cache call for every version and one apt-get download for every
# package not cached yet (fetch, for the rest, asks apt twice per package).
# shellcheck disable=SC2086 # PKGS is words
VERSIONS=$(apt-cache policy $PKGS 2>/dev/null | awk '/^[^ ].*:$/ { p = substr($1, 1, length($1) - 1) }
	/Candidate:/ && $2 != "(none)" { print p, $2 }' || true)
version_of() {
	echo "$VERSIONS" | awk -v p="$1" '$1 == p { print $2 }'
}
cached_deb() {  # cached_deb PKG: the cached .deb of its version in VERSIONS (apt-get download's name)
	local v f
	v=$(version_of "$1")
	[ -n "$v" ] || return 1
	for f in "$CACHE/debs/$1_${v//:/%3a}_"*.deb; do
		[ -e "$f" ] && echo "$f" && return 0
	done
	return 1
}
MISSING=
for p in $PKGS; do
	cached_deb "$p" >/dev/null || MISSING="$MISSING $p=$(version_of "$p")"
done
if [ -n "$MISSING" ] && [ -n "$VERSIONS" ]; then
	say "apt-get download of $(echo "$MISSING" | wc -w) packages"
	DL=$(mktemp -d "$CACHE/debs/.dl.XXXXXX")
	chmod 0777 "$DL"  # apt downloads as _apt
	# shellcheck disable=SC2086 # MISSING is words
	if (cd "$DL" && apt-get download -q $MISSING >&2); then
		for f in "$DL"/*.deb; do
			rm -f "$CACHE/debs/$(dpkg-deb -f "$f" Package)"_*.deb
			mv "$f" "$CACHE/debs/"
		done
	fi
	rm -rf "$DL"
fi
DEBS=
for p in $PKGS; do
	d=$(cached_deb "$p") || d=$(fetch "$p") || exit $?
	DEBS="$DEBS $d"
done

GL_ROOT=$CACHE/gl-root
STAMP=$(for d in $DEBS; do basename "$d"; done | sort | md5sum | cut -d' ' -f1)
if [ "$(cat "$GL_ROOT/.vgm-source" 2>/dev/null)" = "$STAMP" ]; then
	say "gl-root up to date: $GL_ROOT"
else
	say "extracting $(echo "$DEBS" | wc -w) packages into $GL_ROOT"
	rm -rf "$GL_ROOT" "$GL_ROOT.tmp"
	mkdir -p "$GL_ROOT.tmp"
	for d in $DEBS; do
		dpkg-deb -x "$d" "$GL_ROOT.tmp"
	done
	echo "$STAMP" > "$GL_ROOT.tmp/.vgm-source"
	mv "$GL_ROOT.tmp" "$GL_ROOT"
fi
for f in usr/lib/x86_64-linux-gnu/dri/virtio_gpu_dri.so usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0 \
	usr/share/glvnd/egl_vendor.d/50_mesa.json lib64/ld-linux-x86-64.so.2; do
	[ -e "$GL_ROOT/$f" ] || [ -L "$GL_ROOT/$f" ] || skip "the guest's Mesa has no /$f"
done
say "guest Mesa in $GL_ROOT: $(du -sh "$GL_ROOT" | cut -f1)"

GL_MODULES=$CACHE/gl-modules.cpio
MSTAMP=$(cat "$CACHE/kernel/.vgm-source" "$HERE/gllib.py" "$HERE/guestlib.py" | md5sum | cut -d' ' -f1)
if [ -f "$GL_MODULES" ] && [ "$(cat "$GL_MODULES.stamp" 2>/dev/null)" = "$MSTAMP" ]; then
	say "9p modules up to date: $GL_MODULES"
else
	if ! "$PY" "$HERE/gllib.py" modules-cpio --kernel-root "$CACHE/kernel" --out "$GL_MODULES" >&2; then
		[ -f "$CACHE/kernel/.vgm-pruned" ] || skip "the guest kernel has no 9p modules"
		say "9p modules pruned from the kernel tree: extracting it again"
		rm -rf "$CACHE/kernel"
		extract "$KDEB" "$CACHE/kernel"
		"$PY" "$HERE/gllib.py" modules-cpio --kernel-root "$CACHE/kernel" --out "$GL_MODULES" >&2 \
			|| skip "the guest kernel has no 9p modules"
	fi
	echo "$MSTAMP" > "$GL_MODULES.stamp"
fi

{
	echo "GL_ROOT=$GL_ROOT"
	echo "GL_MODULES_CPIO=$GL_MODULES"
	for d in $DEBS; do
		case "$d" in */libgl1-mesa-dri_*) echo "GL_MESA=$(basename "$d")" ;; esac
	done
} > "$CACHE/gl.env"
say "GL guest ready"
