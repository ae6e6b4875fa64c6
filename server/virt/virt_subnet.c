/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_subnet: subnet parsing, overlap and formatting (see virt_subnet.h).
 *
 * Pure; any thread. Two subnets overlap exactly when they agree on the bits of the
 * shorter prefix: the shorter one then contains the longer one. */
#include "virt/virt_subnet.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static unsigned subnet_bits(int family)
{
    return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

int virt_subnet_set(int family, const void *raw, unsigned prefix, struct virt_subnet *out)
{
    unsigned bits = subnet_bits(family);

    memset(out, 0, sizeof(*out));
    if (bits == 0 || prefix > bits)
        return -1;
    out->family = family;
    out->prefix = prefix;
    memcpy(out->b, raw, bits / 8);
    return 0;
}

int virt_subnet_parse(const char *address, int family, unsigned prefix, struct virt_subnet *out)
{
    unsigned char raw[16];

    memset(out, 0, sizeof(*out));
    if (!address || subnet_bits(family) == 0 || inet_pton(family, address, raw) != 1)
        return -1;
    return virt_subnet_set(family, raw, prefix, out);
}

bool virt_subnet_overlap(const struct virt_subnet *a, const struct virt_subnet *b)
{
    unsigned n = a->prefix < b->prefix ? a->prefix : b->prefix;

    if (a->family != b->family || subnet_bits(a->family) == 0)
        return false;
    for (unsigned i = 0; i < n; i++) {
        unsigned mask = 0x80u >> (i % 8);

        if ((a->b[i / 8] & mask) != (b->b[i / 8] & mask))
            return false;
    }
    return true;
}

void virt_subnet_format(const struct virt_subnet *s, char *out, size_t size)
{
    unsigned char net[16] = {0};
    char text[INET6_ADDRSTRLEN];

    for (unsigned i = 0; i < s->prefix; i++)
        net[i / 8] |= (unsigned char)(s->b[i / 8] & (0x80u >> (i % 8)));
    if (!inet_ntop(s->family, net, text, sizeof(text)))
        snprintf(text, sizeof(text), "?");
    snprintf(out, size, "%s/%u", text, s->prefix);
}
