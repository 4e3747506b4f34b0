#!/bin/sh
# Ignition ran to the end: later boots take the boot loader's normal entry, so Ignition
# never runs again (Flatcar removes a flag file on its boot partition for the same reason).
set -e
mkdir -p /run/lab-efi
mount -t vfat /dev/disk/by-partlabel/EFI-SYSTEM /run/lab-efi
sed -i 's/^DEFAULT flatcar-first-boot$/DEFAULT flatcar/' /run/lab-efi/syslinux.cfg
sync
umount /run/lab-efi
echo "lab-firstboot-done: next boots skip Ignition" >/dev/kmsg
