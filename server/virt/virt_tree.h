/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_tree: a network install tree (POST /api/domains with "source":{"type":"url"}):
 * the rule for its URL, where the kernel and initrd lie in it, and the kernel command
 * line that points the installer at it.
 *
 * Layouts: an OS whose osinfo entry gives its x86_64 tree's kernel and initrd paths
 * (Debian, Ubuntu, ...) has exactly that one; an OS whose tree is described by a
 * .treeinfo (Fedora, RHEL, CentOS, ... : Anaconda) has the layout every such tree has,
 * images/pxeboot/vmlinuz and initrd.img; without "os" both well-known layouts are tried
 * in turn (images/pxeboot, then Debian's netboot installer under
 * main/installer-amd64/current/images/...); an OS with no x86_64 tree in the database has
 * none (the create refuses it at "os").
 *
 * Pure (no I/O); any thread. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util/app_error.h"
#include "virt/virt_osinfo.h"

#define VIRT_TREE_URL_MAX     1024 /* bytes of an install tree URL, NUL excluded */
#define VIRT_TREE_LAYOUTS_MAX 2
#define VIRT_TREE_CMDLINE_MAX (VIRT_TREE_URL_MAX + 64)

/* Where a tree keeps its installer's kernel and initrd (paths relative to the tree). */
struct virt_tree_layout {
    const char *kernel; /* borrowed: static or from the osinfo list */
    const char *initrd; /* borrowed */
    bool anaconda;      /* an Anaconda tree: the installer is told the tree (inst.repo=) */
};

/* Checks url as an install tree: "http://" or "https://", a host (a host name by
 * virt_nocloud_hostname_valid, or an IPv4 or bracketed IPv6 literal), an optional port
 * 1-65535, an optional path; no user or password, no query, no fragment, nothing but
 * RFC 3986's unreserved, sub-delims, ':', '@', '/' and '%'-escapes, at most
 * VIRT_TREE_URL_MAX bytes. Returns 0, or -1 with err 400 at "source.url". */
int virt_tree_url_check(const char *url, struct app_error *err) __attribute__((warn_unused_result));

/* The layouts to try for os (NULL: no "os" given), in order, into out (at least
 * VIRT_TREE_LAYOUTS_MAX entries). Returns how many; 0 when os has no known layout. */
size_t virt_tree_layouts(const struct virt_osinfo_os *os, struct virt_tree_layout *out);

/* url (checked) and the relative path rel joined by one '/' into out. Returns 0, or -1
 * when it does not fit len. */
int virt_tree_join(const char *url, const char *rel, char *out, size_t len)
    __attribute__((warn_unused_result));

/* The installer's kernel command line for the tree url (checked) of layout into out
 * (VIRT_TREE_CMDLINE_MAX): "console=tty0 console=ttyS0" (the installer on the serial
 * console, the kernel's messages on both), plus " inst.repo=<url>" for an Anaconda
 * tree (a Debian netboot initrd finds its mirror itself). */
void virt_tree_cmdline(const struct virt_tree_layout *layout, const char *url, char *out,
                       size_t len);
