#!/bin/sh
# A PXE initrd carries the live root; it needs no root= (Flatcar's PXE kernel args have none).
if [ -e /lab-live/usr.squashfs ] && [ -z "$root" ]; then
    root=lab-live
    rootok=1
fi
