#!/bin/sh
# Builds an LXD image (unified tarball) of Debian bookworm with systemd as init, eth0 on DHCP through
# ifupdown (which brings iproute2), iputils-arping (the control plane announces a service address it
# moves onto a member with a gratuitous ARP from inside), procps (ps: the agent finds what a timed-out
# hook left behind by parent pid; kill, pkill), the given packages, and an overlay copied over the
# root file system. The mirror is the one
# this machine's apt uses (debian-mirror.sh); downloaded packages are kept for the next build.
# Usage: debian-image.sh OUT_TARBALL WORK_DIR OVERLAY_DIR CUSTOMIZE_SCRIPT|- [PACKAGE...]
#   CUSTOMIZE_SCRIPT runs as `sh CUSTOMIZE_SCRIPT ROOTFS` after the overlay is in place.
# Env: CADRE_DEBOOTSTRAP_CACHE (default /var/cache/cadre/debootstrap)
set -eu
out=${1:?usage: debian-image.sh OUT_TARBALL WORK_DIR OVERLAY_DIR CUSTOMIZE_SCRIPT|- [PACKAGE...]}
work=${2:?work dir missing}
overlay=${3:?overlay dir missing}
customize=${4:?customize script or - missing}
shift 4
here=$(cd "$(dirname "$0")" && pwd)
suite=bookworm
cache=${CADRE_DEBOOTSTRAP_CACHE:-/var/cache/cadre/debootstrap}
rootfs=$work/rootfs

if ! command -v debootstrap >/dev/null 2>&1; then
  echo "debian-image.sh: installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null 2>&1 || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  }
fi

# whatever debootstrap mounted inside the root file system goes, even when it failed half-way
unmount_all() {
  awk -v root="$rootfs" '$2 == root || index($2, root "/") == 1 { print $2 }' /proc/mounts 2>/dev/null |
    sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
trap unmount_all EXIT INT TERM

mirror=$(sh "$here/debian-mirror.sh" "$suite")
echo "debian-image.sh: debootstrap $suite from $mirror with: $*"
include=systemd-sysv,ifupdown,isc-dhcp-client,iputils-arping,procps
for p in "$@"; do include=$include,$p; done
mkdir -p "$cache" "$rootfs"
debootstrap --variant=minbase --include="$include" --cache-dir="$cache" "$suite" "$rootfs" "$mirror"
unmount_all

cat > "$rootfs/etc/network/interfaces" <<'NET'
auto lo
iface lo inet loopback

auto eth0
iface eth0 inet dhcp
NET
# systemd makes a machine id on first boot: each container gets its own
: > "$rootfs/etc/machine-id"
rm -f "$rootfs/var/lib/dbus/machine-id"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*_Packages
cp -a "$overlay/." "$rootfs/"
if [ "$customize" != - ]; then
  sh "$customize" "$rootfs"
fi

cat > "$work/metadata.yaml" <<META
architecture: $(uname -m)
creation_date: $(date +%s)
properties:
  os: debian
  release: $suite
  description: cadre debian $suite image
templates:
  /etc/hostname:
    when: [create, copy]
    template: hostname.tpl
  /etc/hosts:
    when: [create, copy]
    template: hosts.tpl
META
mkdir -p "$work/templates"
echo '{{ container.name }}' > "$work/templates/hostname.tpl"
printf '127.0.0.1 localhost\n127.0.1.1 {{ container.name }}\n' > "$work/templates/hosts.tpl"
tmp="$out.tmp.$$"
tar -C "$work" --numeric-owner -czf "$tmp" metadata.yaml rootfs templates
mv "$tmp" "$out"
