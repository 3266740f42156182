# SPDX-License-Identifier: MIT
# /etc/vgm-gl.sh: the GL part of the test guest's /init (init.sh), sourced by
# it in vgm.mode=gl once virtio-gpu is up; a template like init.sh (the
# @MARK_*@ placeholders). It never returns: it ends like init.sh does, with
# the ready marker, the kernel log and an idle loop.
#
# Flow: insmod the 9p modules (/etc/vgm-gl-modules.order), mount the guest's
# Mesa (Debian 12's libraries, the virgl driver and their dependencies,
# shared by the host read-only over virtio-9p with the mount tag vgmgl) on
# /gl and link /usr, /lib64 and /lib/x86_64-linux-gnu into it, so that the
# dynamic loader, libglvnd and Mesa find everything where Debian puts it;
# then run /bin/vgm-gl-guest. Kernel command line options read here:
#   vgm.frames=N           frames to draw (default 3)
#   vgm.fence=egl|finish   how each frame is waited for (default egl)
#   vgm.gl_env=K=V,K=V     extra environment for the program (e.g.
#                          MESA_DEBUG=1); no spaces

GL_FRAMES=3
GL_FENCE=egl
GL_ENV=
for w in $(cat /proc/cmdline); do
	case "$w" in
	vgm.frames=*) GL_FRAMES=${w#vgm.frames=} ;;
	vgm.fence=*) GL_FENCE=${w#vgm.fence=} ;;
	vgm.gl_env=*) GL_ENV=$(echo "${w#vgm.gl_env=}" | tr ',' ' ') ;;
	esac
done

while read -r m; do
	[ -n "$m" ] || continue
	insmod "/lib/modules/$m" || fail "insmod $m"
done < /etc/vgm-gl-modules.order
mkdir -p /gl
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 vgmgl /gl \
	|| fail "cannot mount the guest's Mesa (9p tag vgmgl)"
ln -s /gl/usr /usr
ln -s /gl/lib64 /lib64
ln -s /gl/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu
[ -e /usr/lib/x86_64-linux-gnu/dri/virtio_gpu_dri.so ] || fail "no virtio_gpu_dri.so on the 9p share"
unbind_fbcon
echo "VGM-GUEST-INFO GL: Mesa from 9p, running vgm-gl-guest --frames $GL_FRAMES --fence $GL_FENCE $GL_ENV"

# shellcheck disable=SC2086 # GL_ENV is words
env $GL_ENV /bin/vgm-gl-guest --frames "$GL_FRAMES" --fence "$GL_FENCE"
rc=$?
[ $rc -le 1 ] || fail "vgm-gl-guest could not run (exit $rc)"
echo "@MARK_READY@ mode=gl exit=$rc"
dump_dmesg
idle
