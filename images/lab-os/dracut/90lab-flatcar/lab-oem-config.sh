#!/bin/sh
# Flatcar's initramfs does the same: Ignition finds the installer's config as its user config.
set -e
mkdir -p /run/lab-oem
mount -o ro /dev/disk/by-label/OEM /run/lab-oem
if [ -e /run/lab-oem/config.ign ]; then
    mkdir -p /usr/lib/ignition
    cp /run/lab-oem/config.ign /usr/lib/ignition/user.ign
    echo "lab-oem-config: using OEM/config.ign" >/dev/kmsg
else
    echo "lab-oem-config: no OEM/config.ign" >/dev/kmsg
fi
umount /run/lab-oem
