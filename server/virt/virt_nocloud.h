/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_nocloud: the cloud-init NoCloud seed of a new VM made from a cloud image.
 *
 * Checks the seed's fields, hashes a password with crypt(3) SHA-512, writes the
 * meta-data and user-data documents (YAML whose every user-given value is a
 * double-quoted, escaped scalar: never pasted) and packs them into an ISO 9660 image
 * with volume id "cidata" (xorriso, run with posix_spawn in a private temporary
 * directory). The check is pure (any thread); hashing and building block: workers.
 *
 * Where the image goes matters: cloud-init finds it by its label on any block device
 * the guest's kernel sees, but Debian's cloud kernel (that of its genericcloud images)
 * has no AHCI driver, so a SATA CD-ROM is invisible to it; a CD-ROM on a virtio-scsi
 * controller is seen by it and by every other kernel with virtio
 * (tests/integration/guest-image-qemu.test.mjs boots both). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/app_error.h"

/* Longest user_data accepted (bytes). */
#define VIRT_NOCLOUD_USER_DATA_MAX (64 * 1024)
/* Most ssh_keys accepted, and the longest one (bytes). */
#define VIRT_NOCLOUD_SSH_KEYS_MAX    64
#define VIRT_NOCLOUD_SSH_KEY_LEN_MAX 16384

struct virt_nocloud_seed {
    const char *instance_id;     /* borrowed: required */
    const char *hostname;        /* borrowed: required */
    const char *user;            /* borrowed: NULL → cloud-init's default user only */
    const char *password_hash;   /* borrowed: crypt(3) string or NULL */
    const char *const *ssh_keys; /* borrowed: ssh_key_count strings */
    size_t ssh_key_count;
    const char *user_data; /* borrowed: full user-data given by the user (#cloud-config …) or
                              NULL: then built from the fields above */
};

/* True if h is a host name of RFC 1123 labels (letters, digits, '-' not at either end;
 * 1-63 bytes each, at most 253 in all). The rule of a seed's hostname, also used for the
 * host of an install tree URL (virt_tree.c). Pure; any thread. */
bool virt_nocloud_hostname_valid(const char *h);

/* Checks the fields: instance_id (1-128 printable ASCII, no space), hostname (RFC 1123
 * label(s), at most 253 bytes), user ([a-z_][a-z0-9_-]*, at most 32 bytes), password_hash
 * ("$6$", "$5$" or "$y$" crypt string; needs a user), ssh_keys (at most
 * VIRT_NOCLOUD_SSH_KEYS_MAX, each one line of valid UTF-8 without control characters),
 * user_data (at most VIRT_NOCLOUD_USER_DATA_MAX bytes, starting with "#cloud-config" or
 * "#!"). Returns 0, or -1 with err 400 at field "source.cloud_init.<member>"
 * ("source.cloud_init.ssh_keys[2]" for one key). Pure; any thread. */
int virt_nocloud_check(const struct virt_nocloud_seed *seed, struct app_error *err)
    __attribute__((warn_unused_result));

/* Writes the meta-data and user-data documents of seed (already checked) into new heap
 * strings *meta_data and *user_data (caller frees; user_data holds the password hash:
 * wipe it). Returns 0, or -1 with err (a seed that fails the check). Pure; any thread. */
int virt_nocloud_render(const struct virt_nocloud_seed *seed, char **meta_data, char **user_data,
                        struct app_error *err) __attribute__((warn_unused_result));

/* meta-data and user-data documents (YAML written with escaping, never pasted), then an
 * ISO 9660 + Joliet + Rock Ridge image with volume id "cidata" made by xorriso in a private
 * temp dir (removed before returning); the image's bytes into *iso (malloc'd, *iso_len).
 * Returns 0, or -1 with err: 400 for a seed that fails virt_nocloud_check, 500 naming
 * xorriso's own last words when it fails. Blocking: workers. */
int virt_nocloud_build_iso(const struct virt_nocloud_seed *seed, unsigned char **iso,
                           size_t *iso_len, struct app_error *err)
    __attribute__((warn_unused_result));

/* crypt(3) SHA-512 ("$6$") of password with a random 16-byte salt (RAND_bytes) into a
 * malloc'd string (caller frees), or NULL with err: 400 at field
 * "source.cloud_init.password" for an empty password or one of 512 bytes or more, 500
 * when hashing fails. Blocking (a hash takes milliseconds): workers. */
char *virt_nocloud_hash_password(const char *password, struct app_error *err);
