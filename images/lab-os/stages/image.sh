#!/bin/bash
# Stage 2 of the lab OS: from the mmdebstrap tree to Flatcar-named artifacts.
#   flatcar_production_pxe.vmlinuz, flatcar_production_pxe_image.cpio.gz (self-contained live system),
#   flatcar_production_image.bin.bz2 (GPT disk: EFI-SYSTEM, USR-A, OEM, ROOT; no loop devices used).
# usage: image.sh <rootfs-dir (read only)> <recipe-dir> <empty-output-dir>
# env: LAB_OS_VERSION, LAB_OS_BUILD_ID, LAB_BASE_PREFIX, LAB_PUBKEY, LAB_BOARD, LAB_ROOT_MIB
# Lines starting with "==> " are progress steps for the harness.
set -euo pipefail
rootfs=$1 recipe=$2 out=$3
: "${LAB_OS_VERSION:?}" "${LAB_OS_BUILD_ID:?}" "${LAB_BASE_PREFIX:?}" "${LAB_PUBKEY:?}" "${LAB_BOARD:?}" "${LAB_ROOT_MIB:?}"

# Mounts (overlay, chroot binds) live in a private mount namespace: they vanish with this process.
if [ -z "${LAB_IN_MOUNT_NS:-}" ]; then
    LAB_IN_MOUNT_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi

step() { echo "==> $*"; }
work=$out/.work
tree=$work/tree
mkdir -p "$work/upper" "$work/ovl" "$tree"
# The cached mmdebstrap tree stays pristine: every change lands in the overlay's upper dir.
mount -t overlay overlay -o "lowerdir=$rootfs,upperdir=$work/upper,workdir=$work/ovl" "$tree"

step "overlay files, os-release, flatcar-install"
cp -a "$recipe/overlay/." "$tree/"
rm -f "$tree/opt/bin/.keep"
chmod 0440 "$tree/etc/sudoers.d/core"
chmod 0755 "$tree/usr/bin/flatcar-install" "$tree/usr/lib/systemd/system-generators/flatcar-autologin-generator"
sed -i "s|@LAB_BASE_PREFIX@|$LAB_BASE_PREFIX|" "$tree/usr/bin/flatcar-install"
install -D -m 0644 "$LAB_PUBKEY" "$tree/usr/share/flatcar/image-signing-key.asc"
IFS=. read -r v_build v_branch v_patch <<<"$LAB_OS_VERSION"
cat >"$tree/usr/lib/os-release" <<EOF
NAME="Flatcar Container Linux (lab OS)"
ID=flatcar
ID_LIKE=coreos
VERSION=$LAB_OS_VERSION
VERSION_ID=$LAB_OS_VERSION
BUILD_ID=$LAB_OS_BUILD_ID
SYSEXT_LEVEL=1.0
PRETTY_NAME="Flatcar Container Linux (lab OS) $LAB_OS_VERSION — a stand-in built from Debian bookworm"
ANSI_COLOR="38;5;75"
HOME_URL="https://www.flatcar.org/"
FLATCAR_BOARD="$LAB_BOARD"
EOF
ln -sf ../usr/lib/os-release "$tree/etc/os-release"
mkdir -p "$tree/usr/share/flatcar"
cat >"$tree/usr/share/flatcar/release" <<EOF
FLATCAR_RELEASE_VERSION=$LAB_OS_VERSION
FLATCAR_RELEASE_BOARD=$LAB_BOARD
FLATCAR_RELEASE_APPID={e96281a6-d1af-4bde-9a0a-97b76e56dc57}
EOF
echo "GROUP=stable" >"$tree/usr/share/flatcar/update.conf"
rm -f "$tree/etc/debian_version" "$tree/usr/lib/debian_version" 2>/dev/null || true
# Nothing of the build host goes into the image: mmdebstrap copies its /etc/hostname and
# /etc/resolv.conf. Flatcar has no static hostname (a node takes the one DHCP gives), and the
# lab OS runs no resolver (the lab has no DNS unless a scenario turns it on).
rm -f "$tree/etc/hostname"
echo '# no name servers: the lab OS runs no resolver' >"$tree/etc/resolv.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$tree/etc/hosts"
# Where a person looks (the console's login prompt, the message after login): the lab OS, not
# Debian's banner, nor update-motd's `uname -a` naming Debian's kernel build.
printf 'Flatcar Container Linux (lab OS) %s %s\n\n' "$LAB_OS_VERSION" '\n \l' >"$tree/etc/issue"
echo "Flatcar Container Linux (lab OS) $LAB_OS_VERSION" >"$tree/etc/issue.net"
echo "Flatcar Container Linux (lab OS) $LAB_OS_VERSION: a stand-in for Flatcar, built from Debian bookworm packages." >"$tree/etc/motd"
rm -f "$tree/etc/update-motd.d/10-uname"

step "accounts, units, SELinux module, kernel modules, initramfs (chroot)"
for fs in proc sys dev; do mount --rbind "/$fs" "$tree/$fs"; done
mkdir -p "$tree/usr/lib/dracut/modules.d"
cp -a "$recipe/dracut/." "$tree/usr/lib/dracut/modules.d/"
kver=$(ls "$tree/usr/lib/modules")
install -m 0755 "$recipe/stages/in-image.sh" "$tree/tmp/in-image.sh"
LAB_KVER=$kver chroot "$tree" /tmp/in-image.sh
for fs in dev sys proc; do umount -R "$tree/$fs"; done
rm -rf "$tree"/usr/lib/dracut/modules.d/90lab-*

step "kernel and initramfs"
cp "$tree/boot/vmlinuz-$kver" "$out/flatcar_production_pxe.vmlinuz"
cp "$tree/boot/lab-initrd.img" "$work/initrd.img"
rm -f "$tree/boot/lab-initrd.img"

step "/usr as squashfs (disk; live without the double's runtime)"
squash() { mksquashfs "$1" "$2" -comp zstd -Xcompression-level 12 -b 256K -no-xattrs -noappend -quiet -no-progress "${@:3}" >/dev/null; }
squash "$tree/usr" "$work/usr.squashfs"
# Node.js, its ICU and etcd are in the image only to run the K3s double, which runs from disk;
# Flatcar carries none of them, so its PXE system (the same /usr as its disk, less them) has none.
# Leaving them out of the live /usr takes ~35 MB off what every PXE boot downloads.
double_runtime="nodejs libnode108 libicu72 etcd-server etcd-client"
chroot "$tree" dpkg-query -L $double_runtime | sed -E 's#^/(usr/)?##' | sort -u | while read -r path; do
    if [ -n "$path" ] && { [ -f "$tree/usr/$path" ] || [ -L "$tree/usr/$path" ]; }; then echo "$path"; fi
done >"$work/live-usr-excludes"
[ -s "$work/live-usr-excludes" ] || { echo "image.sh: no files of $double_runtime found" >&2; exit 1; }
squash "$tree/usr" "$work/usr-live.squashfs" -ef "$work/live-usr-excludes"

step "root partition contents"
skel=$work/rootskel
mkdir -p "$skel"
for entry in "$tree"/* "$tree"/.[!.]*; do
    [ -e "$entry" ] || [ -L "$entry" ] || continue
    name=${entry##*/}
    case $name in
        usr | boot | proc | sys | dev | run | tmp | vmlinuz* | initrd.img*) ;;
        *) cp -a "$entry" "$skel/" ;;
    esac
done
mkdir -p "$skel/usr" "$skel/boot" "$skel/proc" "$skel/sys" "$skel/dev" "$skel/run" "$skel/tmp"
chmod 1777 "$skel/tmp"
umount "$tree"

step "PXE initramfs (live /usr and root inside)"
live=$work/live
mkdir -p "$live/lab-live"
mv "$work/usr-live.squashfs" "$live/lab-live/usr.squashfs"
squash "$skel" "$live/lab-live/root.squashfs"
pxe=$out/flatcar_production_pxe_image.cpio.gz
cp "$work/initrd.img" "$pxe"
# The kernel unpacks concatenated archives; an uncompressed one must start 4-byte aligned.
pad=$(( (4 - $(stat -c %s "$pxe") % 4) % 4 ))
head -c "$pad" /dev/zero >>"$pxe"
(cd "$live" && find lab-live | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) >>"$pxe"

step "disk image (GPT: EFI-SYSTEM, USR-A, OEM, ROOT)"
mib=$((1024 * 1024))
usr_mib=$(( ($(stat -c %s "$work/usr.squashfs") + mib - 1) / mib + 8 ))
efi_mib=64 oem_mib=16 root_mib=$LAB_ROOT_MIB
efi_start=1
usr_start=$((efi_start + efi_mib))
oem_start=$((usr_start + usr_mib))
root_start=$((oem_start + oem_mib))
total_mib=$((root_start + root_mib + 1))
disk=$work/disk.img
truncate -s "${total_mib}M" "$disk"
s() { echo $(($1 * 2048)); }
sgdisk -o \
    -n "1:$(s $efi_start):$(($(s $usr_start) - 1))" -t 1:ef00 -c 1:EFI-SYSTEM -A 1:set:2 \
    -n "3:$(s $usr_start):$(($(s $oem_start) - 1))" -t 3:5dfbf5f4-2848-4bac-aa5e-0d9a20b745a6 -c 3:USR-A \
    -n "6:$(s $oem_start):$(($(s $root_start) - 1))" -t 6:8300 -c 6:OEM \
    -n "9:$(s $root_start):$(($(s $((root_start + root_mib))) - 1))" -t 9:3884dd41-8582-4404-b9a8-e9b84f2df50e -c 9:ROOT \
    "$disk" >/dev/null
# sgdisk can skip saving a table it finds invalid and still exit 0: check all four are there.
[ "$(sgdisk -p "$disk" | grep -cE ' (EFI-SYSTEM|USR-A|OEM|ROOT)$')" -eq 4 ] || { sgdisk -p "$disk" >&2; echo "image.sh: partition table incomplete" >&2; exit 1; }

efi=$work/efi.img
mkfs.vfat -C -n EFI-SYSTEM "$efi" $((efi_mib * 1024)) >/dev/null
common="root=LABEL=ROOT rootfstype=ext4 rw mount.usr=PARTLABEL=USR-A mount.usrfstype=squashfs mount.usrflags=ro"
# Debian's kernel picks AppArmor unless told otherwise; Flatcar's runs SELinux (permissive here).
# PXE boots need the same choice: the release says so in lab-pxe-kernel-args.txt, which the
# harness adds to its pxelinux configs.
lsm_args="security=selinux audit=0"
echo "$lsm_args" >"$out/lab-pxe-kernel-args.txt"
common="$common console=ttyS0,115200n8 flatcar.autologin $lsm_args ignition.platform.id=metal"
# SERIAL first (syslinux reads it only as the file's first directive): the boot loader speaks on
# ttyS0 as Flatcar's GRUB does on BIOS machines (build_library/grub.cfg: serial com0 at 115200,
# terminal_output console serial_com0), so a disk that will not boot says why on the console.
cat >"$work/syslinux.cfg" <<EOF
SERIAL 0 115200
# The first-boot entry runs Ignition; the initramfs switches DEFAULT to "flatcar" once it succeeded.
DEFAULT flatcar-first-boot
PROMPT 0
TIMEOUT 0
LABEL flatcar
  LINUX /flatcar/vmlinuz-a
  INITRD /flatcar/initrd-a
  APPEND $common
LABEL flatcar-first-boot
  LINUX /flatcar/vmlinuz-a
  INITRD /flatcar/initrd-a
  APPEND $common flatcar.first_boot=detected
EOF
mmd -i "$efi" ::/flatcar
mcopy -i "$efi" "$out/flatcar_production_pxe.vmlinuz" ::/flatcar/vmlinuz-a
mcopy -i "$efi" "$work/initrd.img" ::/flatcar/initrd-a
mcopy -i "$efi" "$work/syslinux.cfg" ::/syslinux.cfg

mkfs.ext4 -q -F -L OEM -E root_owner=0:0 "$work/oem.img" "${oem_mib}M"
mkfs.ext4 -q -F -L ROOT -E root_owner=0:0 -d "$skel" "$work/root.img" "${root_mib}M"

place() { dd if="$1" of="$disk" bs=1M seek="$2" conv=notrunc,sparse status=none; }
place "$efi" "$efi_start"
place "$work/usr.squashfs" "$usr_start"
place "$work/oem.img" "$oem_start"
place "$work/root.img" "$root_start"
syslinux --install --offset $((efi_start * mib)) "$disk"
dd if=/usr/lib/syslinux/mbr/gptmbr.bin of="$disk" bs=440 count=1 conv=notrunc status=none

step "compress disk image (bzip2)"
if command -v lbzip2 >/dev/null; then bz=lbzip2; else bz=bzip2; fi
$bz -c "$disk" >"$out/flatcar_production_image.bin.bz2"
stat -c '%s' "$disk" >"$out/disk-raw-bytes"
rm -rf "$work"
step "done"
