/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_byte_range: server/http/byte_range.c, the download Range header parser.
 * The first 8 input bytes are the resource size, the rest is the header. Invariants:
 * the result is -1, 0 or 1; a range is non-empty and lies inside the resource; parsing
 * is deterministic. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "http/byte_range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t resource = 0;
    struct byte_range r = {0, 0}, again = {0, 0};
    char *header;
    int rc;

    if (size >= 8) {
        memcpy(&resource, data, 8);
        resource >>= (data[0] & 63); /* small sizes too */
        data += 8;
        size -= 8;
    }
    header = fuzz_input_cstr(data, size);
    rc = byte_range_parse(header, resource, &r);
    FUZZ_ASSERT(rc == -1 || rc == 0 || rc == 1);
    if (rc == 1) {
        FUZZ_ASSERT(r.length > 0);
        FUZZ_ASSERT(r.start < resource);
        FUZZ_ASSERT(r.length <= resource - r.start);
    }
    FUZZ_ASSERT(byte_range_parse(header, resource, &again) == rc);
    FUZZ_ASSERT(rc != 1 || (again.start == r.start && again.length == r.length));
    free(header);
    return 0;
}
