#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds the tests' guest from Debian packages: a tiny Linux that boots in seconds and
# reports on its serial console how it booted and which NoCloud seed it found
# (tests/guest/init). `make guest-image` runs it; the Makefile reruns it only when this
# script or the init changes.
#
#   tests/guest/build-guest.sh OUT_DIR
#
# Writes OUT_DIR/initrd.img, OUT_DIR/vmlinuz, OUT_DIR/guest.qcow2 (the "cloud image": a
# FAT disk booted by syslinux) and OUT_DIR/guest.iso (the same kernel and initrd on an
# El Torito CD booted by isolinux). Nothing is installed into the host: the kernel
# (the real package behind linux-image-cloud-amd64, the kernel of Debian's genericcloud
# images) and busybox-static are fetched with `apt-get download` (apt's own sources, no
# other network) and unpacked with dpkg-deb -x into a scratch directory. No mount, no
# loop device, no root needed beyond apt: the FAT image is written with mtools, syslinux
# installs itself into the image file, xorriso writes the ISO.
#
# Packages (packaging/install-deps.sh): syslinux syslinux-common isolinux mtools
# dosfstools cpio xorriso qemu-utils.
set -euo pipefail

out=${1:?usage: build-guest.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/virtdeck-guest.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$here/../../packaging/check-tools.sh" syslinux mcopy mkfs.vfat cpio xorriso qemu-img
for f in /usr/lib/ISOLINUX/isolinux.bin:isolinux /usr/lib/syslinux/modules/bios/ldlinux.c32:syslinux-common; do
    [[ -f "${f%%:*}" ]] || { echo "build-guest: no ${f%%:*}: install the Debian package ${f#*:}" >&2; exit 1; }
done

# ---- the packages -------------------------------------------------------------------
# linux-image-cloud-amd64 is a metapackage: its one linux-image-* dependency is the
# kernel. As root apt would hand the download to its _apt user, who cannot write here.
# A machine whose package lists were never fetched knows neither package yet.
apt-cache show linux-image-cloud-amd64 busybox-static >/dev/null 2>&1 || apt-get update -qq
kpkg=$(apt-cache depends linux-image-cloud-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
[[ -n "$kpkg" ]] || { echo "build-guest: no kernel package behind linux-image-cloud-amd64" >&2; exit 1; }
(cd "$work" && apt-get -q -o APT::Sandbox::User=root download "$kpkg" busybox-static >/dev/null)
dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel"
dpkg-deb -x "$work"/busybox-static_*.deb "$work/busybox"
kver=${kpkg#linux-image-}
config="$work/kernel/boot/config-$kver"
moddir="$work/kernel/lib/modules/$kver"

# ---- the modules the guest needs -----------------------------------------------------
# What the kernel must reach: virtio PCI devices (disk, SCSI controller), a CD-ROM (sr)
# on virtio-scsi, on the legacy IDE controller (ata_piix) and on SATA (AHCI), the ISO
# 9660 file system, and FAT (the boot disk's, with the code page and character set its
# defaults name) so the guest's shell can mount its own disk, and the virtio balloon so
# the guest gives back the memory a live memory_mib change takes from it. Whatever the
# package's config builds in (=y) needs nothing; a module (=m) is copied with everything
# it depends on, in load order; an option the kernel lacks is reported: Debian's cloud
# kernel has no AHCI driver at all, so a SATA CD-ROM stays invisible to it (and to
# Debian's genericcloud images).
wanted="VIRTIO_PCI:virtio_pci VIRTIO_BLK:virtio_blk SCSI_VIRTIO:virtio_scsi ATA_PIIX:ata_piix
        SATA_AHCI:ahci BLK_DEV_SR:sr_mod ISO9660_FS:isofs VFAT_FS:vfat NLS_CODEPAGE_437:nls_cp437
        NLS_UTF8:nls_utf8 NLS_ASCII:nls_ascii VIRTIO_BALLOON:virtio_balloon"
order=()
add_module() { # name: appends its dependencies, then itself, once each
    local name=$1 file dep
    [[ " ${order[*]} " == *" $name "* ]] && return 0
    file=$(find "$moddir" -name "$name.ko" | head -n 1)
    [[ -n "$file" ]] || { echo "build-guest: module $name not in $kpkg" >&2; exit 1; }
    for dep in $(tr '\0' '\n' <"$file" | sed -n 's/^depends=//p' | tr ',' ' '); do
        add_module "$dep"
    done
    order+=("$name")
}
for w in $wanted; do
    opt=${w%%:*} mod=${w#*:}
    case $(sed -n "s/^CONFIG_$opt=//p" "$config") in
        y) ;;
        m) add_module "$mod" ;;
        *) echo "build-guest: note: $kpkg has no CONFIG_$opt ($mod): the guest cannot use it" ;;
    esac
done

# ---- initrd.img ---------------------------------------------------------------------
root="$work/initrd"
mkdir -p "$root"/{bin,dev,proc,sys,mnt/seed,mnt/disk,lib/modules}
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
cp "$here/init" "$root/init"
chmod 0755 "$root/init" "$root/bin/busybox"
for m in "${order[@]}"; do
    cp "$(find "$moddir" -name "$m.ko" | head -n 1)" "$root/lib/modules/"
done
printf '%s\n' "${order[@]}" >"$root/lib/modules/load-order"
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) | gzip -9n >"$work/initrd.img"
cp "$work/kernel/boot/vmlinuz-$kver" "$work/vmlinuz"

# ---- guest.qcow2: a FAT file system booted by syslinux --------------------------------
# A whole-disk FAT (no partition table): syslinux puts its boot code in the volume's
# boot sector, which the BIOS runs as the disk's first sector.
cat >"$work/syslinux.cfg" <<CFG
DEFAULT guest
PROMPT 0
TIMEOUT 0
LABEL guest
  KERNEL vmlinuz
  APPEND initrd=initrd.img console=ttyS0 quiet virtdeck.boot=disk
CFG
rm -f "$work/disk.img"
mkfs.vfat -C -n VDGUEST "$work/disk.img" 32768 >/dev/null
syslinux --install "$work/disk.img"
mcopy -i "$work/disk.img" "$work/vmlinuz" "$work/initrd.img" "$work/syslinux.cfg" ::/
qemu-img convert -q -f raw -O qcow2 "$work/disk.img" "$work/guest.qcow2"

# ---- guest.iso: the same on an El Torito CD booted by isolinux -------------------------
iso="$work/iso"
mkdir -p "$iso/isolinux"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$iso/isolinux/"
cp "$work/vmlinuz" "$work/initrd.img" "$iso/"
sed 's/virtdeck.boot=disk/virtdeck.boot=cdrom/; s/KERNEL vmlinuz/KERNEL \/vmlinuz/; s/initrd=initrd.img/initrd=\/initrd.img/' \
    "$work/syslinux.cfg" >"$iso/isolinux/isolinux.cfg"
xorriso -no_rc -as mkisofs -quiet -o "$work/guest.iso" -V VDGUEST -J -R \
    -b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot -boot-load-size 4 \
    -boot-info-table "$iso"

# Only complete outputs replace the old ones.
for f in initrd.img vmlinuz guest.qcow2 guest.iso; do mv -f "$work/$f" "$out/$f"; done
echo "build-guest: $out: kernel $kver, modules: ${order[*]}"
