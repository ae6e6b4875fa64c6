/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_osinfo: the OS variants of the osinfo database (libosinfo, osinfo-db) as a plain-C
 * list the create wizard searches: names, release and end-of-life dates, the resources
 * the database gives, virtio support, firmware and TPM needs.
 *
 * The database is read once, on the first worker that asks (virt_osinfo_shared); the list
 * is immutable from then on, so any thread may read it without a lock. No GLib type
 * leaves virt_osinfo.c: every libosinfo object is released once the list is built. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "util/app_error.h"

/* One OS variant. Strings are owned by the entry; "" where the database says nothing.
 * A number is -1 where the database gives none. */
struct virt_osinfo_os {
    char *id;           /* owned: the database's URL, "http://debian.org/debian/11" */
    char *short_id;     /* owned: "debian11" */
    char *name;         /* owned: "Debian 11" */
    char *vendor;       /* owned */
    char *family;       /* owned: "linux", "winnt", ... */
    char *distro;       /* owned: "debian", ... */
    char *version;      /* owned: "11" */
    char *release_date; /* owned: "2021-08-14" */
    char *eol_date;     /* owned */
    bool eol;           /* its end of life is in the past (at load time) */
    long long memory_min_mib, memory_rec_mib;
    int vcpus_min, vcpus_rec;
    long long disk_min_gib, disk_rec_gib;
    bool virtio_disk;      /* the OS has a virtio block driver */
    bool virtio_net;       /* ... and a virtio network driver */
    bool q35;              /* the OS knows QEMU's q35 machine (its device qemu-x86-q35) */
    const char *disk_bus;  /* borrowed (static): "virtio", "sata" (the OS knows q35) or "ide" */
    const char *nic_model; /* borrowed (static): "virtio", "e1000e", "e1000" or "rtl8139" */
    bool uefi_supported;   /* x86_64 UEFI: the database does not rule it out */
    bool uefi_required;    /* ... and BIOS is marked unsupported */
    bool bios_supported;
    bool tpm_required;
    /* its x86_64 install tree (libosinfo's <tree arch="x86_64">), for a network install */
    bool tree;          /* the database lists one */
    bool tree_treeinfo; /* ... described by a .treeinfo (kernel and initrd in images/pxeboot) */
    char *tree_kernel;  /* owned: the kernel's path inside the tree; "" when not given */
    char *tree_initrd;  /* owned: the initrd's path inside the tree; "" when not given */
};

struct virt_osinfo_list {
    struct virt_osinfo_os *items; /* owned: count entries, sorted (see virt_osinfo_list_load) */
    size_t count;
};

/* Makes GLib's slice allocator use plain malloc, so the tens of MiB the database takes
 * while it loads go back once it is freed (Debian 12's GLib 2.74 keeps GSlice memory
 * cached for the life of the process: measured +46 MiB RSS instead of +4 MiB). GLib
 * reads G_SLICE before main, so when it is unset this sets G_SLICE=always-malloc and
 * re-executes the program with argv (same pid); it returns only when G_SLICE was already
 * set or the exec failed. Call first thing in main, before any thread exists. */
void virt_osinfo_prepare(char **argv);

/* Reads the osinfo database from libosinfo's default path (OSINFO_SYSTEM_DIR etc. as
 * libosinfo honours them) into a new list, sorted by family, then distro, then version
 * (newest first), then short id. Blocks (disk): a worker only. Returns the list (free with
 * virt_osinfo_list_free), or NULL with err set (500). */
struct virt_osinfo_list *virt_osinfo_list_load(struct app_error *err)
    __attribute__((warn_unused_result));

/* Frees list and everything it owns. NULL-safe. */
void virt_osinfo_list_free(struct virt_osinfo_list *list);

/* The entries of list whose name, short id, family, distro, vendor or version contains q
 * (ASCII case-insensitive; "" or NULL matches all), in list order. Writes up to max
 * borrowed pointers into out and returns how many matched in all (may exceed max). */
size_t virt_osinfo_list_search(const struct virt_osinfo_list *list, const char *q,
                               const struct virt_osinfo_os **out, size_t max);

/* The process's list: loaded on the first call (by whichever worker makes it; others
 * wait), then the same list until virt_osinfo_shared_free. Any worker. Returns it
 * (borrowed, immutable), or NULL with err set when the database cannot be read (the next
 * call tries again). */
const struct virt_osinfo_list *virt_osinfo_shared(struct app_error *err);

/* The entry of list whose short id is short_id (exact), or NULL. Borrowed from list. */
const struct virt_osinfo_os *virt_osinfo_list_find(const struct virt_osinfo_list *list,
                                                   const char *short_id);

/* The entry of list whose id (URL) is id (exact), or NULL. Borrowed from list. */
const struct virt_osinfo_os *virt_osinfo_list_find_id(const struct virt_osinfo_list *list,
                                                      const char *id);

/* The namespace of the libosinfo metadata element in a domain's XML, as virt-install
 * writes it: <libosinfo:libosinfo><libosinfo:os id="<the OS's id URL>"/></...>. */
#define VIRT_OSINFO_METADATA_NS "http://libosinfo.org/xmlns/libvirt/domain/1.0"

/* Replaces the string obj[key] (an OS id URL) with that OS's short id from the shared
 * list, or with null when the list does not know it or cannot be read. Nothing when
 * obj[key] is not a string. Blocks on the first load: workers only. */
void virt_osinfo_json_short_id(struct json_object *obj, const char *key);

/* Frees the process's list (at shutdown, after the workers have stopped). */
void virt_osinfo_shared_free(void);
