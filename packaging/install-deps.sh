#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs every Debian package that building, running and testing virtdeck needs,
# and the pinned npm packages (package-lock.json). Idempotent: a machine that has
# everything already is left alone in well under a second.
#
# apt runs with --no-install-recommends, so every package whose program is run (by
# virtdeck, by libvirt on its behalf, or by the tests) is listed here by name, even
# where another package only recommends it (qemu-img in qemu-utils is a Recommends of
# qemu-system-x86). The browser tests run Debian's chromium and firefox-esr headless:
# neither needs more than its Depends there (no X server, no sound), but the UI speaks
# Chinese and neither browser depends on a font with CJK glyphs (their screenshots would
# show boxes), so fonts-noto-cjk is listed; fontconfig's fc-list lets the tests check
# for it. GET /api/os reads the OS database through libosinfo: libosinfo-1.0-dev brings
# the library, but the data is osinfo-db, only a Recommends of libosinfo-1.0-0, so it is
# listed. ovmf gives QEMU its UEFI firmware (GET /api/host/capabilities lists it; only a
# Recommends of qemu-system-x86). xorriso writes the cloud-init seed ISO of the create
# wizard. swtpm (with swtpm_setup from swtpm-tools) is the TPM emulator libvirt starts
# for a VM's emulated TPM (PATCH /api/domains/{uuid} "tpm", a Windows 11 guest); neither
# is a dependency of libvirt or QEMU. The tests' guest (tests/guest/build-guest.sh) is
# built from downloaded Debian packages with syslinux (its installer and syslinux-common's
# ldlinux.c32), isolinux, mtools, dosfstools, cpio, xorriso and qemu-img. virtinst's
# virt-install is what `make bench` times virtdeck's create against. The tokens test
# changes the database behind the daemon's back with the sqlite3 CLI. A network install
# (POST /api/domains with a url source) fetches the tree's kernel and initrd with
# qemu-img's curl block driver, which qemu-block-extra ships (block-curl.so).
# System accounts log in through PAM (pam = on): libpam0g-dev builds virtdeck-pam-helper,
# and the `virtdeck` PAM service file (packaging/pam.d/virtdeck) is installed in
# /etc/pam.d/ below; the PAM test creates accounts with passwd's useradd, chpasswd,
# usermod, chage and groupadd and runs the daemon unprivileged with util-linux's setpriv.
# GET /metrics is checked by Prometheus itself: `prometheus` brings both the server (the
# prometheus-qemu test starts its own, on a free loopback port with a temporary TSDB) and
# promtool (`check metrics`, `check rules`); its only Recommends, prometheus-node-exporter,
# is not needed. On a machine with systemd its package enables prometheus.service (a
# system Prometheus on :9090); the tests never use or need that one.
# `make bench` measures monitoring next to prometheus-libvirt-exporter (Debian's libvirt
# exporter), scraping the same domains.
# `make deb` builds the package with debhelper (dpkg-buildpackage, from dpkg-dev) and
# check-package (tests/package/) checks it with lintian, runs dpkg -i/-r/--purge, and
# `systemd-analyze verify` and `security` on the unit: systemd (a fresh Debian 12
# container has none). Debian's libvirtd lets the libvirt group in through polkit over
# the system D-Bus: polkitd and dbus (both already dependencies of libvirt-daemon-system;
# listed because the tests start them, tests/lib/system-libvirtd.mjs).
# The manual pages (packaging/man/) are checked by `make lint` with groff (groff-base)
# and man-db's man and lexgrog.
# packaging/tools.tsv maps each program to its package, and
# packaging/check-tools.sh, run at the end, fails naming any that is still missing.
#
# With --deb, only what `make deb` needs to build the package (the compiler, the
# libraries' -dev packages, debhelper, git for the file list, Node.js for the UI build
# and the pinned npm packages): a machine that only builds and installs the .deb gets no
# browsers, hypervisor or test tools from here (the package's own Depends and Recommends
# bring libvirt).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=all
if [[ "${1:-}" == --deb ]]; then mode=deb; fi

packages=(
  build-essential pkg-config clang libclang-rt-14-dev
  libwebsockets-dev libvirt-dev libjson-c-dev libsqlite3-dev libxml2-dev
  libssl-dev libcrypt-dev zlib1g-dev libcmocka-dev
  libvirt-daemon libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils
  qemu-block-extra libvirt-daemon-driver-storage-rbd dnsmasq-base iptables iproute2
  mount e2fsprogs parted lvm2 nfs-common open-iscsi dmidecode
  chromium firefox-esr fonts-noto-cjk fontconfig openssl curl procps clang-format
  socat websockify
  libosinfo-1.0-dev osinfo-db ovmf xorriso swtpm swtpm-tools
  syslinux syslinux-common isolinux mtools dosfstools cpio virtinst sqlite3
  libpam0g-dev passwd util-linux
  prometheus prometheus-libvirt-exporter
  nginx apache2-bin
  debhelper dpkg-dev fakeroot lintian systemd dbus polkitd
  groff-base man-db
)
if [[ $mode == deb ]]; then
  packages=(
    build-essential pkg-config git
    libwebsockets-dev libvirt-dev libjson-c-dev libsqlite3-dev libxml2-dev
    libssl-dev libcrypt-dev zlib1g-dev libosinfo-1.0-dev libpam0g-dev
    debhelper dpkg-dev fakeroot
  )
fi
# Node.js and npm: Debian's packages, unless a node with npm is already there (some
# images ship a nodejs package that bundles npm and conflicts with Debian's npm).
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

# as root, or through sudo for a user (`make deb`, `make run`)
as_root=()
if ((EUID != 0)); then as_root=(sudo --preserve-env=DEBIAN_FRONTEND); fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [[ -f package-lock.json ]]; then
  if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "install-deps: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi

if [[ $mode == deb ]]; then
  exec packaging/check-tools.sh cc git dpkg-buildpackage dh node npm
fi

# The PAM service the helper opens (a file of our own: written only when it differs).
if ! cmp -s packaging/pam.d/virtdeck /etc/pam.d/virtdeck; then
  echo "install-deps: installing /etc/pam.d/virtdeck"
  "${as_root[@]}" install -m 0644 packaging/pam.d/virtdeck /etc/pam.d/virtdeck
fi

packaging/check-tools.sh
