/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_create_xml: the domain XML of a new VM (POST /api/domains) from a resolved spec:
 * every member checked and every default filled by the caller (virt_domain_create.c),
 * every volume already made (the spec names their paths).
 *
 * Pure (no libvirt calls), any thread; fuzzed by tests/fuzz/fuzz_create_xml.c. XML is
 * built with libxml2's tree API only (virt_xml helpers), never by pasting strings, and
 * every string is checked again here (the utf8_name rules; paths and names without
 * control characters), so no string of the spec can add an element or attribute. The
 * builder emits only what the spec says: a <tpm> only with tpm, an <interface> only with
 * a NIC, <title>/<description> only when not empty, the libosinfo metadata only with an
 * os id. */
#pragma once

#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/app_error.h"
#include "util/utf8_name.h"

#define VIRT_CREATE_DISKS_MAX   4
#define VIRT_CREATE_PATH_MAX    1024 /* a volume's path, NUL included */
#define VIRT_CREATE_NAME_MAX    128  /* a network, bridge or pool name, NUL included */
#define VIRT_CREATE_OS_ID_MAX   256  /* a libosinfo id (URL), NUL included */
#define VIRT_CREATE_MAC_LEN     18   /* "52:54:00:12:34:56" + NUL */
#define VIRT_CREATE_UUID_LEN    37   /* a UUID's 36 characters + NUL */
#define VIRT_CREATE_CMDLINE_MAX 1200 /* a kernel command line, NUL included */

/* One disk or CD-ROM of the new VM, on a volume the caller made or chose. */
struct virt_create_disk {
    bool cdrom;                      /* device='cdrom' (read-only) rather than 'disk' */
    bool block;                      /* <disk type='block'><source dev=...> */
    char path[VIRT_CREATE_PATH_MAX]; /* the volume's path */
    char format[8];                  /* driver type: "qcow2" or "raw" */
    char bus[8];                     /* "virtio", "sata", "scsi" or "ide" */
    char target[8];                  /* "vda", "sda", "hda", ... */
    unsigned boot_order;             /* 1.. ; 0: not bootable */
};

enum virt_create_nic {
    VIRT_CREATE_NIC_NONE,
    VIRT_CREATE_NIC_NETWORK, /* <interface type='network'><source network=...> */
    VIRT_CREATE_NIC_BRIDGE,  /* <interface type='bridge'><source bridge=...> */
    VIRT_CREATE_NIC_USER,    /* <interface type='user'> (QEMU's SLIRP) */
};

/* A new VM, resolved. Plain value (no pointers). */
struct virt_create_spec {
    char name[UTF8_NAME_FILE_MAX + 1];
    char title[UTF8_NAME_TITLE_MAX + 1];             /* "" = none */
    char description[UTF8_NAME_DESCRIPTION_MAX + 1]; /* "" = none */
    char os_id[VIRT_CREATE_OS_ID_MAX];               /* libosinfo URL; "" = no metadata */
    char domain_type[8];                             /* "kvm", "qemu" or "test" */
    char machine[8];                                 /* "q35" or "pc" */
    unsigned vcpus;                                  /* 1..VIRT_CREATE_VCPUS_MAX */
    unsigned long long memory_mib;                   /* 1..VIRT_CREATE_MEMORY_MIB_MAX */
    bool uefi;                                       /* <os firmware='efi'> */
    bool tpm;                                        /* TPM 2.0, emulator backend (swtpm) */
    bool virtio;                                     /* the OS has virtio drivers: virtio video */
    struct virt_create_disk disks[VIRT_CREATE_DISKS_MAX];
    size_t disk_count;
    enum virt_create_nic nic;
    char nic_source[VIRT_CREATE_NAME_MAX]; /* the network or bridge (NETWORK, BRIDGE) */
    char nic_model[16];                    /* "virtio", "e1000e", "e1000" or "rtl8139" */
    unsigned nic_boot_order;               /* 0: the NIC does not boot */
    /* a network install's first boot (virt_domain_create.c: the running VM only, never
     * the persistent definition): the fetched kernel and initrd booted directly with
     * cmdline, and <on_reboot>destroy</on_reboot> so the installer's closing reboot ends
     * it; "" = none (kernel, initrd and cmdline are all set or all empty) */
    char uuid[VIRT_CREATE_UUID_LEN];       /* "" = libvirt makes one */
    char kernel[VIRT_CREATE_PATH_MAX];     /* the kernel volume's path */
    char initrd[VIRT_CREATE_PATH_MAX];     /* the initrd volume's path */
    char cmdline[VIRT_CREATE_CMDLINE_MAX]; /* the kernel command line */
};

#define VIRT_CREATE_VCPUS_MAX      4096
#define VIRT_CREATE_MEMORY_MIB_MAX (16ULL * 1024 * 1024) /* 16 TiB */

/* True if s is one of the disk buses a new VM may use. Pure. */
bool virt_create_xml_bus_valid(const char *s);

/* True if s is one of the NIC models a new VM may use. Pure. */
bool virt_create_xml_nic_model_valid(const char *s);

/* Appends spec's <interface> (nic, nic_source, nic_model, nic_boot_order; nothing for
 * VIRT_CREATE_NIC_NONE) to devices. The members must have passed virt_create_xml_build's
 * rules (the template source checks them the same way). Any thread. */
void virt_create_xml_add_nic(xmlNodePtr devices, const struct virt_create_spec *spec);

/* The domain XML of spec: <domain type=...> with name, <uuid> when given, title,
 * description, the libosinfo metadata, memory, vcpu, <os> (hvm, machine, firmware='efi'
 * for uefi; <kernel>, <initrd>, <cmdline> with a kernel, then <on_reboot>destroy), <features>
 * acpi+apic, <cpu mode='host-passthrough'> on kvm, the disks (and a virtio-scsi
 * controller when one is on bus scsi), the NIC, a serial console
 * and its <console>, VNC on 127.0.0.1 (autoport), video (virtio, else vga), a virtio-rng
 * from /dev/urandom, and a TPM 2.0 (tpm-crb, emulator) when asked. Returns a new string
 * (free()), or NULL with err (400, naming the member as the API calls it) when a member
 * breaks its rule. Any thread. */
char *virt_create_xml_build(const struct virt_create_spec *spec, struct app_error *err)
    __attribute__((warn_unused_result));
