/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_volume_xml: libFuzzer target for virt_volume_xml_build
 * (server/virt/virt_volume_xml.h), the JSON request → <volume> XML builder, whose
 * fields come from a user. Runs on libFuzzer's thread; no state.
 *
 * Input: a JSON document (bytes up to the first NUL); anything that is not an object
 * is skipped. When the request has "backing", a fixed resolved backing path and format
 * are passed, as the worker would. Invariants beyond "no crash": a refusal is a 400
 * bad_request with a message and no XML; an accepted request gives XML that libxml2
 * parses back into only <volume> with <name>, <capacity unit='bytes'>, <allocation
 * unit='bytes'> (only when asked), <target><format type/></target> and
 * <backingStore><path/><format type/></backingStore> (only with "backing"), each
 * holding exactly the request's value; capacity is 1..16 TiB, allocation ≤ capacity,
 * the name passes virt_volume_xml_name_valid (so it can never leave the pool's
 * directory), and the format is qcow2, raw or iso. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "fuzz_input.h"
#include "fuzz_xml.h"
#include "virt/virt_volume_xml.h"

#define FUZZ_VOLUME_BACKING_PATH   "/pool/base & <b>.img"
#define FUZZ_VOLUME_BACKING_FORMAT "qcow2"

/* The member as the string the XML must hold: strings as they are, integers in decimal. */
static const char *fuzz_volume_value(struct json_object *req, const char *key, char *buf,
                                     size_t len)
{
    struct json_object *v;

    if (!json_object_object_get_ex(req, key, &v))
        return NULL;
    if (json_object_is_type(v, json_type_int)) {
        FUZZ_ASSERT(json_object_get_int64(v) >= 0);
        snprintf(buf, len, "%" PRId64, json_object_get_int64(v));
        return buf;
    }
    FUZZ_ASSERT(json_object_is_type(v, json_type_string));
    return json_object_get_string(v);
}

static void fuzz_volume_check(struct json_object *req, bool backing, const char *xml)
{
    char cap[32], alloc[32], scratch[32];
    const char *name = fuzz_volume_value(req, "name", scratch, sizeof(scratch));
    const char *format = fuzz_volume_value(req, "format", scratch, sizeof(scratch));
    const char *capacity = fuzz_volume_value(req, "capacity_bytes", cap, sizeof(cap));
    const char *allocation = fuzz_volume_value(req, "allocation_bytes", alloc, sizeof(alloc));
    struct fuzz_xml_slot slots[] = {
        {"volume/name", NULL, name, 0},
        {"volume/capacity", NULL, capacity, 0},
        {"volume/capacity", "unit", "bytes", 0},
        {"volume/allocation", NULL, allocation, 0},
        {"volume/allocation", "unit", allocation ? "bytes" : NULL, 0},
        {"volume/target/format", "type", format, 0},
        {"volume/backingStore/path", NULL, backing ? FUZZ_VOLUME_BACKING_PATH : NULL, 0},
        {"volume/backingStore/format", "type", backing ? FUZZ_VOLUME_BACKING_FORMAT : NULL, 0},
    };
    uint64_t c, a;

    FUZZ_ASSERT(name && virt_volume_xml_name_valid(name));
    FUZZ_ASSERT(format && (strcmp(format, "qcow2") == 0 || strcmp(format, "raw") == 0 ||
                           strcmp(format, "iso") == 0));
    FUZZ_ASSERT(!backing || strcmp(format, "qcow2") == 0);
    FUZZ_ASSERT(capacity && sscanf(capacity, "%" SCNu64, &c) == 1);
    FUZZ_ASSERT(c >= 1 && c <= VIRT_VOLUME_MAX_CAPACITY);
    if (allocation) {
        FUZZ_ASSERT(sscanf(allocation, "%" SCNu64, &a) == 1);
        FUZZ_ASSERT(a <= c);
    }
    fuzz_xml_check_slots(xml, slots, sizeof(slots) / sizeof(slots[0]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_object *req = fuzz_xml_request(data, size);
    struct app_error err;
    char *xml = NULL;

    if (req) {
        bool backing = json_object_object_get_ex(req, "backing", NULL);
        int rc;

        app_error_clear(&err);
        rc = virt_volume_xml_build(req, backing ? FUZZ_VOLUME_BACKING_PATH : NULL,
                                   backing ? FUZZ_VOLUME_BACKING_FORMAT : NULL, &xml, &err);
        if (fuzz_xml_built(rc, xml, &err))
            fuzz_volume_check(req, backing, xml);
    }
    free(xml);
    json_object_put(req);
    return 0;
}
