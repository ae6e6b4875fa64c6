/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* byte_range: the HTTP Range request header (RFC 9110 §14), one range only.
 *
 * Pure; any thread. Volume downloads use it to resume or fetch part of a volume. A
 * header that is malformed, uses another unit or asks for several ranges is ignored
 * (the whole resource is served), as the RFC allows. */
#pragma once

#include <stdint.h>

struct byte_range {
    uint64_t start;
    uint64_t length; /* > 0 */
};

/* Parses header (may be NULL or "") for a resource of size bytes.
 * Returns 1 with out filled for one satisfiable range (answer 206), 0 to serve the
 * whole resource (200), or -1 when the range cannot be satisfied (answer 416). */
int byte_range_parse(const char *header, uint64_t size, struct byte_range *out);
