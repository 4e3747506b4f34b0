#!/bin/sh
# The live root is a tmpfs; /etc, /var and the rest start as the image's root partition does.
set -e
mkdir -p /run/lab-live-root
mount -t squashfs -o loop,ro /lab-live/root.squashfs /run/lab-live-root
cp -a /run/lab-live-root/. /sysroot/
umount /run/lab-live-root
