#!/bin/sh
# Builds a ~1 MB LXD image (unified tarball) from Debian's busybox-static: busybox init as PID 1,
# udhcpc on eth0, and optionally an overlay directory copied over the root file system.
# Usage: busybox-image.sh OUT_TARBALL [OVERLAY_DIR]
# An overlay's /etc/inittab.d/* files are appended to /etc/inittab (busybox init reads only that file).
# Env: CADRE_DEB_CACHE (where the .deb is kept, default /var/cache/cadre/debs)
set -eu
out=${1:?usage: busybox-image.sh OUT_TARBALL [OVERLAY_DIR]}
overlay=${2:-}
cache=${CADRE_DEB_CACHE:-/var/cache/cadre/debs}
mkdir -p "$cache"

deb=$(ls "$cache"/busybox-static_*.deb 2>/dev/null | tail -n 1 || true)
if [ -z "$deb" ]; then
  (cd "$cache" && apt-get -o APT::Sandbox::User=root download busybox-static >/dev/null)
  deb=$(ls "$cache"/busybox-static_*.deb | tail -n 1)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
dpkg-deb -x "$deb" "$work/deb"
root="$work/rootfs"
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/etc/init.d" "$root/proc" \
  "$root/sys" "$root/dev" "$root/tmp" "$root/root" "$root/run" "$root/var/log" "$root/var/lib" \
  "$root/usr/share/udhcpc"
cp "$work/deb/bin/busybox" "$root/bin/busybox"
chmod 0755 "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list-full); do
  [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
ln -sf /bin/busybox "$root/sbin/init"
chmod 1777 "$root/tmp"

cat > "$root/etc/inittab" <<'TAB'
::sysinit:/etc/init.d/rcS
::ctrlaltdel:/sbin/reboot
::shutdown:/etc/init.d/rcK
TAB
cat > "$root/etc/init.d/rcS" <<'RC'
#!/bin/sh
hostname -F /etc/hostname 2>/dev/null || true
ip link set lo up
ip link set eth0 up 2>/dev/null && udhcpc -i eth0 -b -S -p /run/udhcpc.pid -s /usr/share/udhcpc/default.script
for f in /etc/rc.d/*; do [ -x "$f" ] && "$f" start; done
exit 0
RC
cat > "$root/etc/init.d/rcK" <<'RC'
#!/bin/sh
for f in /etc/rc.d/*; do [ -x "$f" ] && "$f" stop; done
[ -f /run/udhcpc.pid ] && kill "$(cat /run/udhcpc.pid)" 2>/dev/null
exit 0
RC
mkdir -p "$root/etc/rc.d"
cat > "$root/usr/share/udhcpc/default.script" <<'DHCP'
#!/bin/sh
# udhcpc calls this with the lease in the environment ($ip, $mask as a prefix length, $router).
case "$1" in
  deconfig) ip addr flush dev "$interface" ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/$mask" dev "$interface"
    if [ -n "${router:-}" ]; then
      ip route replace default via "${router%% *}" dev "$interface"
    fi
    ;;
esac
exit 0
DHCP
chmod 0755 "$root/etc/init.d/rcS" "$root/etc/init.d/rcK" "$root/usr/share/udhcpc/default.script"
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"
echo 'cadre' > "$root/etc/hostname"

if [ -n "$overlay" ]; then
  cp -a "$overlay/." "$root/"
  # an overlay adds init entries (e.g. a respawned service) as files in /etc/inittab.d
  if [ -d "$root/etc/inittab.d" ]; then
    for f in "$root"/etc/inittab.d/*; do
      [ -f "$f" ] && cat "$f" >> "$root/etc/inittab"
    done
  fi
fi

cat > "$work/metadata.yaml" <<META
architecture: $(uname -m)
creation_date: $(date +%s)
properties:
  os: busybox
  description: cadre busybox image
templates:
  /etc/hostname:
    when: [create, copy]
    template: hostname.tpl
META
mkdir -p "$work/templates"
echo '{{ container.name }}' > "$work/templates/hostname.tpl"
tmp="$out.tmp.$$"
tar -C "$work" --numeric-owner --owner=0 --group=0 -czf "$tmp" metadata.yaml rootfs templates
mv "$tmp" "$out"
