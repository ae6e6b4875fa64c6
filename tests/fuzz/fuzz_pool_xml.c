/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_pool_xml: libFuzzer target for virt_pool_xml_build (server/virt/virt_pool_xml.h),
 * the JSON request → <pool> XML builder, whose every field comes from a user. Runs on
 * libFuzzer's thread; no state.
 *
 * Input: a JSON document (bytes up to the first NUL); anything that is not an object
 * is skipped. Invariants beyond "no crash": a refusal is a 400 bad_request with a
 * message and no XML; an accepted request gives XML that libxml2 parses back into
 * exactly the elements, attributes and text the request asked for, with the request's
 * values (plus the documented defaults: netfs format "nfs", iscsi target
 * /dev/disk/by-path, rbd auth type "ceph"), every asked-for value appears exactly
 * once, and the target path is normalised (virt_pool_xml_path_valid). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "fuzz_input.h"
#include "fuzz_xml.h"
#include "virt/virt_pool_xml.h"

static const char *fuzz_pool_str(struct json_object *req, const char *key)
{
    struct json_object *v;

    if (!json_object_object_get_ex(req, key, &v))
        return NULL;
    FUZZ_ASSERT(json_object_is_type(v, json_type_string)); /* it was accepted */
    return json_object_get_string(v);
}

static void fuzz_pool_check(struct json_object *req, const char *xml)
{
    const char *type = fuzz_pool_str(req, "type");
    const char *target = fuzz_pool_str(req, "target_path");
    const char *format = fuzz_pool_str(req, "source_format");
    const char *iqn = fuzz_pool_str(req, "source_iqn");
    const char *device = fuzz_pool_str(req, "source_device");
    const char *user = fuzz_pool_str(req, "auth_username");
    struct json_object *v;
    char port[16] = "";

    if (json_object_object_get_ex(req, "source_port", &v))
        snprintf(port, sizeof(port), "%d", json_object_get_int(v));
    if (!target && strcmp(type, "iscsi") == 0)
        target = "/dev/disk/by-path";
    if (!format && strcmp(type, "netfs") == 0)
        format = "nfs";
    FUZZ_ASSERT(!(iqn && device));
    {
        struct fuzz_xml_slot slots[] = {
            {"pool", "type", type, 0},
            {"pool/name", NULL, fuzz_pool_str(req, "name"), 0},
            {"pool/target/path", NULL, target, 0},
            {"pool/source/host", "name", fuzz_pool_str(req, "source_host"), 0},
            {"pool/source/host", "port", port[0] ? port : NULL, 0},
            {"pool/source/dir", "path", fuzz_pool_str(req, "source_path"), 0},
            {"pool/source/device", "path", iqn ? iqn : device, 0},
            {"pool/source/initiator/iqn", "name", fuzz_pool_str(req, "initiator_iqn"), 0},
            {"pool/source/name", NULL, fuzz_pool_str(req, "source_name"), 0},
            {"pool/source/format", "type", format, 0},
            {"pool/source/auth", "type", user ? "ceph" : NULL, 0},
            {"pool/source/auth", "username", user, 0},
            {"pool/source/auth/secret", "uuid", fuzz_pool_str(req, "auth_secret_uuid"), 0},
        };

        fuzz_xml_check_slots(xml, slots, sizeof(slots) / sizeof(slots[0]));
    }
    if (target)
        FUZZ_ASSERT(virt_pool_xml_path_valid(target));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_object *req = fuzz_xml_request(data, size);
    struct app_error err;
    char *xml = NULL;

    if (req) {
        app_error_clear(&err);
        if (fuzz_xml_built(virt_pool_xml_build(req, &xml, &err), xml, &err))
            fuzz_pool_check(req, xml);
    }
    free(xml);
    json_object_put(req);
    return 0;
}
