/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_tree_fetch: one file of an install tree (the installer's kernel or initrd) fetched
 * over HTTP(S) by QEMU's own curl block driver (qemu-img from qemu-utils, the driver from
 * qemu-block-extra): the daemon has no HTTP client of its own.
 *
 * qemu-img runs twice, each through spawn_start (posix_spawnp with an argv, no shell;
 * util/spawn.h), killed (SIGKILL) at its deadline: `qemu-img info` learns the
 * file's size (the server's Content-Length) so a file over the cap is refused before a
 * byte of it is copied, then `qemu-img convert -f raw -O raw` copies it into a file of a
 * private mkdtemp directory (0700), which the caller reads and removes with
 * virt_tree_fetch_clear. QEMU's block layer counts in 512-byte sectors, so the copy is the
 * file padded with zero bytes to a multiple of 512 (harmless for the files fetched: a
 * bzImage kernel ignores what follows its payload, and the kernel's initramfs unpacker
 * skips zero padding). The URL reaches qemu-img inside a json: pseudo file name written
 * by json-c (escaped), never pasted. The curl driver needs a server that answers HEAD
 * with a Content-Length and byte ranges (Accept-Ranges: bytes), as mirrors do.
 *
 * Blocking (network, disk, child processes): workers only. */
#pragma once

#include "util/app_error.h"

#define VIRT_TREE_FETCH_TIMEOUT_S 600 /* per qemu-img run */

/* A fetched file: open, read-only, in a private directory. */
struct virt_tree_file {
    char *dir;               /* owned: the private directory; NULL when none */
    char *path;              /* owned: the file in it */
    int fd;                  /* the open file; -1 when none */
    unsigned long long size; /* bytes */
};

/* Fetches url (already checked by virt_tree_url_check) into *out, refusing a file of more
 * than max_bytes or none at all. Returns 0, or -1 with err: 502 fetch_failed at
 * "source.url" naming the URL and qemu-img's last words (no such file, no server, a
 * server without byte ranges, too large), 504 when qemu-img outran its deadline, 500
 * when the host cannot run it; out is then cleared. */
int virt_tree_fetch(const char *url, unsigned long long max_bytes, struct virt_tree_file *out,
                    struct app_error *err) __attribute__((warn_unused_result));

/* Closes and removes what *f holds (file and directory); leaves it empty. NULL-safe
 * members; a cleared or zeroed-with-fd=-1 f is fine. */
void virt_tree_fetch_clear(struct virt_tree_file *f);
