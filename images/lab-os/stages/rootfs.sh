#!/usr/bin/env bash
# Stage 1 of the lab OS: a Debian bookworm tree from packages.txt, by mmdebstrap.
# Network-bound (~3 min), so the harness caches its output keyed by this file and packages.txt.
# usage: rootfs.sh <packages.txt> <empty-output-dir>
set -euo pipefail
packages_file=$1 out=$2

# mmdebstrap mounts /proc and /sys in the target: keep those mounts private to this process tree.
if [ -z "${LAB_IN_MOUNT_NS:-}" ]; then
    LAB_IN_MOUNT_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi

packages=$(grep -v '^\s*#' "$packages_file" | awk 'NF { print $1 }' | paste -sd, -)

# Docs, man pages and locales are most of a minbase tree and nothing in the lab reads them.
# The essential phase takes usrmerge for init-system-helpers' "usrmerge | usr-is-merged", and with
# it perl (~49 MB of /usr, run by nothing in the lab OS): usr-is-merged (packages.txt) stands in,
# and they are purged; dpkg refuses, and the build stops, should anything come to need them.
# The kernel's dracut hook would build a host-specific initramfs we never use: a no-op
# stands in for it during the install (dracut's postinst calls it) and is removed after.
exec mmdebstrap \
  --mode=root \
  --variant=minbase \
  --aptopt='APT::Install-Recommends "false"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/etc/kernel/postinst.d/dracut' \
  --include="$packages" \
  --setup-hook='mkdir -p "$1/etc/kernel/postinst.d" && printf "#!/bin/sh\nexit 0\n" >"$1/etc/kernel/postinst.d/dracut" && chmod 755 "$1/etc/kernel/postinst.d/dracut"' \
  --customize-hook='chroot "$1" dpkg --purge usrmerge libfile-find-rule-perl libnumber-compare-perl libtext-glob-perl perl libperl5.36 perl-modules-5.36 >/dev/null' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/etc/kernel/postinst.d/dracut "$1"/boot/initrd.img-*' \
  bookworm "$out" \
  'deb http://deb.debian.org/debian bookworm main' \
  'deb http://deb.debian.org/debian bookworm-updates main' \
  'deb http://deb.debian.org/debian-security bookworm-security main'
