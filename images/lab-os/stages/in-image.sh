#!/bin/bash
# Runs inside the image tree (chroot) during `images build`: accounts, units, SELinux module,
# a slim kernel module set and the initramfs. Inputs come as environment variables.
set -euo pipefail
: "${LAB_KVER:?}"

# The core user, as on Flatcar (uid 500, sudo without password, no password login).
groupadd -g 500 core
useradd -u 500 -g core -G sudo -m -s /bin/bash -c 'Flatcar lab OS admin' core
usermod -p '*' core
mkdir -p /opt/bin

# Each machine makes its own host key and machine id on its first boot; presets then apply.
rm -f /etc/ssh/ssh_host_*
echo uninitialized >/etc/machine-id
rm -f /var/lib/dbus/machine-id
# Make the unit state match the presets now (systemd only *enables* from presets on first boot).
systemctl preset-all >/dev/null 2>&1
# Flatcar never relabels the whole disk at boot; Ignition labels only what it writes.
systemctl mask selinux-autorelabel.service selinux-autorelabel-mark.service >/dev/null 2>&1

# SELinux: the small module that gives Flatcar's container_runtime_exec_t.
semodule -i /usr/lib/selinux-lab/container_runtime.cil

# A live or installed lab machine only ever sees QEMU's hardware: drop drivers for everything else.
mods=/usr/lib/modules/$LAB_KVER/kernel
rm -rf "$mods"/drivers/{gpu,media,infiniband,net/wireless,staging,iio,bluetooth,usb,hid,isdn,input/touchscreen,input/joystick,input/misc,mmc,mtd,nfc,sound,thunderbolt,video,scsi/lpfc,scsi/qla2xxx,scsi/qla4xxx,scsi/bfa,scsi/be2iscsi,scsi/mpt3sas,scsi/megaraid,scsi/aacraid,scsi/hisi_sas,scsi/smartpqi,scsi/fnic,scsi/bnx2fc,scsi/csiostor,target,hwmon,edac,platform/x86,net/ethernet/{mellanox,chelsio,broadcom,qlogic,cavium,marvell,sfc,intel/ice,intel/i40e,intel/iavf,intel/ixgbe,intel/ixgbevf,huawei,emulex,netronome,pensando,amazon,microsoft,cisco,brocade,myricom,neterion,qualcomm,aquantia,google,freescale,ti,sun,dec,amd,realtek,atheros,mediatek,8390,3com,adaptec,natsemi,nvidia,packetengines,rdc,sis,smsc,via,wiznet,xircom,fungible,engleder,vertexcom,asix,davicom}} \
       "$mods"/{sound,net/wireless,net/mac80211,net/bluetooth,net/nfc,net/rxrpc,net/ceph,fs/ocfs2,fs/gfs2,fs/ceph,fs/nfs,fs/nfsd,fs/xfs,fs/btrfs,fs/ubifs,fs/jffs2,fs/cifs,fs/smbfs_common,fs/f2fs,fs/ntfs3,fs/reiserfs,fs/jfs,fs/nilfs2}
depmod -a "$LAB_KVER"

# The initramfs: systemd + Ignition + the lab's Flatcar glue, drivers for QEMU's q35 machine only.
dracut --force --no-hostonly --no-hostonly-cmdline --kver "$LAB_KVER" \
    --add "lab-flatcar" \
    --omit "plymouth btrfs crypt dm dmraid lvm mdraid multipath iscsi nfs cifs fcoe fcoe-uefi nbd nvmf resume network-legacy network-manager connman biosdevname i18n ssh-client memstrack rngd" \
    --drivers "virtio_pci virtio_scsi virtio_net virtio_rng virtio_blk sd_mod squashfs loop ext4 vfat nls_cp437 nls_ascii nls_utf8 nls_iso8859-1 crc32c_generic" \
    --compress gzip \
    /boot/lab-initrd.img >/tmp/dracut.log 2>&1 || { tail -n 30 /tmp/dracut.log >&2; exit 1; }

# Flatcar's /usr carries no package manager front-end and no initramfs tooling.
rm -rf /usr/bin/apt /usr/bin/apt-* /usr/lib/dracut/modules.d/30ignition/ignition
rm -rf /var/lib/apt /var/cache/apt /var/cache/debconf/*-old /var/log/* /tmp/* 2>/dev/null || true
