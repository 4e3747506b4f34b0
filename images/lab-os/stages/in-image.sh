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
# It unpacks the whole initramfs into /run at every boot (tens of seconds of CPU under TCG)
# only to run it again at shutdown, which a lab VM does not need.
systemctl mask dracut-shutdown.service >/dev/null 2>&1

# SELinux: the small module that gives Flatcar's container_runtime_exec_t.
semodule -i /usr/lib/selinux-lab/container_runtime.cil

# A live or installed lab machine only ever sees QEMU's q35 hardware: keep the driver classes it
# presents (plus what containers and overlay networks load) and drop the rest.
mods=/usr/lib/modules/$LAB_KVER/kernel
keep_drivers=" acpi ata base block cdrom char crypto firmware input md net nvdimm pci scsi tty vhost virtio watchdog "
for d in "$mods"/drivers/*; do
    case $keep_drivers in *" ${d##*/} "*) ;; *) rm -rf "$d" ;; esac
done
# Top-level net drivers are the virtual ones (virtio_net, tun, veth, vxlan, macvlan, bonding, ...).
for d in "$mods"/drivers/net/*/; do
    case ${d%/} in */ethernet | */phy | */team) ;; *) rm -rf "$d" ;; esac
done
for d in "$mods"/drivers/net/ethernet/*/; do
    case ${d%/} in */intel) ;; *) rm -rf "$d" ;; esac
done
rm -rf "$mods"/drivers/net/ethernet/intel/{ice,i40e,iavf,ixgbe,ixgbevf,idpf,fm10k,igc}
# SCSI host adapters live in subdirectories; virtio_scsi, sd_mod and sr_mod are top-level.
for d in "$mods"/drivers/scsi/*/; do rm -rf "$d"; done
rm -rf "$mods"/sound "$mods"/net/{wireless,mac80211,bluetooth,nfc,rxrpc,ceph} \
       "$mods"/fs/{ocfs2,gfs2,ceph,nfs,nfsd,xfs,btrfs,ubifs,jffs2,cifs,smbfs_common,f2fs,ntfs3,reiserfs,jfs,nilfs2}
# Also never used by a q35 guest or a K3s node: a hypervisor inside the guest, the kernel's
# self-tests, network filesystems and cluster/legacy protocols, game and touch input. Netfilter,
# bridge, vxlan, overlay, sctp, wireguard, dm and iscsi stay (a node's configs load those).
rm -rf "$mods"/arch/x86/kvm "$mods"/lib/test_*.ko \
       "$mods"/fs/{smb,afs,dlm,9p,coda,orangefs,hfs,hfsplus,ufs,minix,omfs,zonefs} \
       "$mods"/net/{sunrpc,tipc,batman-adv,smc,rds,9p,can,ieee802154,6lowpan,l2tp,atm,appletalk,x25,lapb,phonet,caif,hsr,qrtr} \
       "$mods"/drivers/input/{joystick,touchscreen,tablet,rmi4}
depmod -a "$LAB_KVER"

# The initramfs: systemd + Ignition + the lab's Flatcar glue, drivers for QEMU's q35 machine only.
dracut --force --no-hostonly --no-hostonly-cmdline --kver "$LAB_KVER" \
    --add "lab-flatcar" \
    --omit "plymouth btrfs crypt dm dmraid lvm mdraid multipath iscsi nfs cifs fcoe fcoe-uefi nbd nvmf resume network-legacy network-manager connman biosdevname i18n ssh-client memstrack rngd" \
    --drivers "virtio_pci virtio_scsi virtio_net virtio_rng virtio_blk sd_mod squashfs loop ext4 vfat nls_cp437 nls_ascii nls_utf8 nls_iso8859-1 crc32c_generic" \
    --compress zstd \
    /boot/lab-initrd.img >/tmp/dracut.log 2>&1 || { tail -n 30 /tmp/dracut.log >&2; exit 1; }

# Flatcar's /usr carries no package manager front-end and no initramfs tooling.
rm -rf /usr/bin/apt /usr/bin/apt-* /usr/lib/dracut/modules.d/30ignition/ignition
# Nor ignition-validate, nor ISC's DHCP client (dracut-network's; networkd does DHCP in the
# initramfs and after), nor documentation; of glibc's iconv modules only the Unicode ones stay.
rm -rf /usr/bin/ignition-validate /usr/sbin/dhclient /usr/sbin/dhclient-script /usr/share/doc/*
find /usr/lib/x86_64-linux-gnu/gconv -name '*.so' ! -name 'UTF-*' ! -name 'UNICODE.so' -delete
rm -rf /var/lib/apt /var/cache/apt /var/cache/debconf/*-old /var/log/* /tmp/* 2>/dev/null || true
