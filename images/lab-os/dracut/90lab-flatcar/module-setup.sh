#!/bin/bash
# dracut module: what Flatcar's initramfs does around Ignition, for the lab OS.
#  - first-boot detection from flatcar.first_boot (PXE: =1, disk: =detected from the boot loader)
#  - the live root when the initrd carries /lab-live/*.squashfs (PXE: kernel + initrd are self-contained)
#  - OEM/config.ign copied to /usr/lib/ignition/user.ign on the first disk boot
#  - the boot loader's first-boot entry switched off once Ignition succeeded
#  - networking (systemd-networkd, DHCP on every NIC) only for Ignition's fetch stage

check() {
    # Only when asked for by name.
    return 255
}

depends() {
    echo ignition systemd-networkd
}

install() {
    inst_multiple cp mkdir mount umount sed sync cat grep losetup setfiles
    inst_script "$moddir/lab-flatcar-generator" "$systemdutildir/system-generators/lab-flatcar-generator"
    # Ignition's own generator keys first boot off ignition.firstboot only; ours also reads
    # flatcar.first_boot and picks the platform, so it replaces it.
    rm -f "$initdir$systemdutildir/system-generators/ignition-generator"
    inst_hook cmdline 10 "$moddir/lab-live-cmdline.sh"

    inst_script "$moddir/lab-live-root.sh" /usr/sbin/lab-live-root
    inst_script "$moddir/lab-oem-config.sh" /usr/sbin/lab-oem-config
    inst_script "$moddir/lab-firstboot-done.sh" /usr/sbin/lab-firstboot-done
    for unit in lab-live-root.service lab-oem-config.service lab-firstboot-done.service; do
        inst_simple "$moddir/$unit" "$systemdsystemunitdir/$unit"
    done
    inst_simple "$moddir/ignition-fetch-network.conf" "$systemdsystemunitdir/ignition-fetch.service.d/10-lab-network.conf"
    inst_simple "$moddir/ignition-files-usr.conf" "$systemdsystemunitdir/ignition-files.service.d/10-lab-usr.conf"
    inst_simple "$moddir/90-lab-dhcp.network" /etc/systemd/network/90-lab-dhcp.network
    # Ignition relabels what it writes with the target's policy; setfiles reads these.
    if [ -e "$dracutsysrootdir/etc/selinux/config" ]; then
        inst_simple /etc/selinux/config
    fi
}
