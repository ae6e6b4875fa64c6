/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_snapshot_xml: libFuzzer target for virt_snapshot_xml_build
 * (server/virt/virt_snapshot_xml.h), the JSON request → <domainsnapshot> XML builder,
 * whose fields come from a user, and for its reader virt_snapshot_xml_to_json. Runs on
 * libFuzzer's thread; no state.
 *
 * Input: a JSON document (bytes up to the first NUL); anything that is not an object
 * is skipped. Invariants beyond "no crash": a refusal is a 400 bad_request with a
 * message and no XML; an accepted request gives XML that libxml2 parses back into only
 * <domainsnapshot> with <name> (only when asked), <description> (only when asked and not
 * empty) and <memory snapshot='internal'|'no'/>, each holding exactly the request's
 * value; the name passes utf8_name's FILE rule; and the reader gives back the same name,
 * description and memory. The input bytes are also read as snapshot XML and as a
 * domain's XML (virt_snapshot_xml_can): no crash, an object or a 502. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "fuzz_input.h"
#include "fuzz_xml.h"
#include "util/utf8_name.h"
#include "virt/virt_snapshot_xml.h"

static const char *fuzz_snapshot_string(struct json_object *obj, const char *key)
{
    struct json_object *v;

    if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null))
        return NULL;
    FUZZ_ASSERT(json_object_is_type(v, json_type_string));
    return json_object_get_string(v);
}

static void fuzz_snapshot_check(struct json_object *req, const char *xml)
{
    const char *name = fuzz_snapshot_string(req, "name");
    const char *description = fuzz_snapshot_string(req, "description");
    struct json_object *v, *back;
    bool memory = json_object_object_get_ex(req, "memory", &v) && json_object_get_boolean(v);
    struct app_error err;
    struct fuzz_xml_slot slots[] = {
        {"domainsnapshot/name", NULL, name, 0},
        {"domainsnapshot/description", NULL, description && *description ? description : NULL, 0},
        {"domainsnapshot/memory", "snapshot", memory ? "internal" : "no", 0},
    };

    FUZZ_ASSERT(!name || utf8_name_file_valid(name));
    fuzz_xml_check_slots(xml, slots, sizeof(slots) / sizeof(slots[0]));

    app_error_clear(&err);
    back = virt_snapshot_xml_to_json(xml, &err);
    FUZZ_ASSERT(back != NULL);
    FUZZ_ASSERT(strcmp(fuzz_snapshot_string(back, "name"), name ? name : "") == 0);
    if (description && *description)
        FUZZ_ASSERT(strcmp(fuzz_snapshot_string(back, "description"), description) == 0);
    else
        FUZZ_ASSERT(fuzz_snapshot_string(back, "description") == NULL);
    FUZZ_ASSERT(json_object_object_get_ex(back, "memory", &v) &&
                json_object_get_boolean(v) == memory);
    json_object_put(back);
}

/* The reader and the kinds rule on any bytes: an object, or NULL with a 502. */
static void fuzz_snapshot_read(const uint8_t *data, size_t size)
{
    char *text = fuzz_input_cstr(data, size);
    struct app_error err;
    struct json_object *obj;

    app_error_clear(&err);
    obj = virt_snapshot_xml_to_json(text, &err);
    FUZZ_ASSERT(obj || err.status == 502);
    json_object_put(obj);
    app_error_clear(&err);
    obj = virt_snapshot_xml_can(text, size % 2 == 0, &err);
    FUZZ_ASSERT(obj || err.status == 502);
    json_object_put(obj);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_object *req = fuzz_xml_request(data, size);
    struct app_error err;
    char *xml = NULL;

    if (req) {
        app_error_clear(&err);
        if (fuzz_xml_built(virt_snapshot_xml_build(req, &xml, &err), xml, &err))
            fuzz_snapshot_check(req, xml);
    }
    free(xml);
    json_object_put(req);
    fuzz_snapshot_read(data, size);
    return 0;
}
