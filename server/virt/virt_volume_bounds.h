/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_volume_bounds: whether a volume's bytes stay inside its pool.
 *
 * libvirt lists every entry of a dir pool's directory as a volume, symbolic links
 * included, and reads or writes through them as root: a link in a pool to /etc/shadow
 * is a volume whose download returns that file. This module says where a volume's path
 * leads on this host, so that whatever reads or writes its data (content transfers,
 * wipe, resize, clone, a backing file, attaching it to a VM) can refuse a volume that
 * leads out of its pool, and the volume object can show it ("outside_pool").
 *
 * The rules, by pool type:
 *  - directory pools (dir, fs, netfs, vstorage): the path, symbolic links followed
 *    (realpath), must lie below the pool's target directory, itself resolved; the
 *    volume must sit directly in that directory; and a target that goes through a
 *    symbolic link must resolve inside pool_roots (else whoever controls the link,
 *    e.g. the server of a netfs pool above it, could point the whole pool at /etc).
 *  - block pools (logical, iscsi, disk, scsi, mpath, zfs, and any type not named here):
 *    the path as libvirt reports it must lie below the pool's target path (a /dev
 *    directory), and resolve to a block device node under /dev.
 *  - network pools (rbd, gluster, sheepdog, iscsi-direct): volumes have no host path;
 *    nothing to check.
 * A path with nothing behind it on this host (libvirt's test driver, a remote libvirtd,
 * a volume deleted meanwhile) is ABSENT: libvirt then fails on its own or touches no
 * file of ours. The checks see this host's file system: with a remote libvirt URI they
 * are advisory only.
 *
 * A race remains and is documented in server/README.md: libvirt opens the path after
 * our check, so whoever can change the pool's directory (root on the host, the server of
 * a netfs pool, the content of an fs pool's device) can swap a file for a link in
 * between. Transfers check again right after libvirt opened the volume.
 *
 * Every function resolves paths (lstat/realpath) or calls libvirt: workers and transfer
 * threads only, never the service thread. */
#pragma once

#include <libvirt/libvirt.h>
#include <stdbool.h>

#include "util/app_error.h"

enum virt_volume_place {
    VIRT_VOLUME_INSIDE,   /* leads inside the pool, or a network volume (no host path) */
    VIRT_VOLUME_ABSENT,   /* nothing at the path on this host */
    VIRT_VOLUME_LINK_OUT, /* a symbolic link in the pool's directory that leads out of it (or
                           * nowhere): deleting it removes only the link */
    VIRT_VOLUME_OUTSIDE,  /* anything else that cannot be shown to stay inside */
};

enum virt_volume_bounds_kind {
    VIRT_VOLUME_BOUNDS_DIR,
    VIRT_VOLUME_BOUNDS_BLOCK,
    VIRT_VOLUME_BOUNDS_NETWORK,
};

/* What a pool's volumes must stay within. */
struct virt_volume_bounds {
    enum virt_volume_bounds_kind kind;
    char *pool;   /* owned: the pool's name, for messages */
    char *target; /* owned: the pool's target path as libvirt reports it; NULL if none */
};

/* Reads pool's type and target path (one libvirt call). Returns 0, or -1 with err;
 * *b is empty then. Free with virt_volume_bounds_clear. */
int virt_volume_bounds_init(struct virt_volume_bounds *b, virStoragePoolPtr pool,
                            struct app_error *err) __attribute__((warn_unused_result));
/* Frees b's strings; NULL-safe and idempotent. */
void virt_volume_bounds_clear(struct virt_volume_bounds *b);

/* Where path, a volume path of b's pool as libvirt reports it, leads now. */
enum virt_volume_place virt_volume_bounds_place(const struct virt_volume_bounds *b,
                                                const char *path);

/* Refuses volume `name` at path when it leads out of its pool: 403 "outside_pool", the
 * message saying "refusing to <what> it" ("download", "wipe", …). entry_only: the action only
 * removes the pool's directory entry (delete), which is allowed for a LINK_OUT volume.
 * When place_out is not NULL it receives the place. Returns 0 or -1 with err. */
int virt_volume_bounds_allow(const struct virt_volume_bounds *b, const char *name, const char *path,
                             const char *what, bool entry_only, enum virt_volume_place *place_out,
                             struct app_error *err) __attribute__((warn_unused_result));

/* virt_volume_bounds_allow for vol, its pool and path read from libvirt. */
int virt_volume_bounds_check(virStorageVolPtr vol, const char *what, bool entry_only,
                             struct app_error *err) __attribute__((warn_unused_result));

/* Refuses (409) to create volume `name` in b's directory pool when something already
 * sits at its path that libvirt does not list (a dangling symbolic link: qemu-img would
 * write through it). Returns 0 or -1 with err. */
int virt_volume_bounds_check_new(const struct virt_volume_bounds *b, const char *name,
                                 struct app_error *err) __attribute__((warn_unused_result));
