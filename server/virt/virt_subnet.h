/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_subnet: IP subnets (address + prefix) and whether two of them overlap.
 *
 * Pure functions (any thread; no allocation). Used by virt_network's create check to
 * refuse a network whose subnet overlaps another network's or a host interface's. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Longest text virt_subnet_format writes, with its NUL ("ffff:...:ffff/128"). */
#define VIRT_SUBNET_TEXT_MAX 52

struct virt_subnet {
    int family;      /* AF_INET or AF_INET6 */
    unsigned prefix; /* 0..32 or 0..128 */
    unsigned char b[16];
};

/* Parses address (textual, of family AF_INET or AF_INET6) with prefix into out; host
 * bits are kept (virt_subnet_format masks them). Returns 0, or -1 when address is not
 * of that family or prefix is too long. */
int virt_subnet_parse(const char *address, int family, unsigned prefix, struct virt_subnet *out)
    __attribute__((warn_unused_result));

/* Sets out from a raw address (4 or 16 bytes for family) and its prefix. Returns 0, or
 * -1 for an unknown family or a prefix too long for it. */
int virt_subnet_set(int family, const void *raw, unsigned prefix, struct virt_subnet *out)
    __attribute__((warn_unused_result));

/* True if a and b are of one family and share an address: one contains the other
 * (they agree on the bits of the shorter prefix). */
bool virt_subnet_overlap(const struct virt_subnet *a, const struct virt_subnet *b);

/* Writes s as "network/prefix" (host bits cleared, e.g. "192.168.122.0/24") into out
 * (size >= VIRT_SUBNET_TEXT_MAX for any subnet). */
void virt_subnet_format(const struct virt_subnet *s, char *out, size_t size);
