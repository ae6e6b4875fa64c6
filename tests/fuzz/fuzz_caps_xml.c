/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_caps_xml: libFuzzer target for virt_caps_xml_host and virt_caps_xml_domain
 * (server/virt/virt_caps_xml.h), which read libvirt's capabilities and domain
 * capabilities XML. libvirt's XML is trusted-ish, but the readers must never crash on
 * odd input. Runs on libFuzzer's thread; no state between runs.
 *
 * Input: XML (bytes up to the first NUL), given to both readers. Invariants beyond "no
 * crash": each returns an object, or NULL with a 502 error and a message; every list it
 * returns holds at most VIRT_CAPS_XML_MAX_ITEMS entries, strings or whole numbers >= 0
 * (huge page sizes > 4). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "fuzz_input.h"
#include "virt/virt_caps_xml.h"

static void fuzz_caps_list(struct json_object *obj, const char *key, enum json_type type,
                           long long above)
{
    struct json_object *arr = NULL;

    FUZZ_ASSERT(json_object_object_get_ex(obj, key, &arr));
    if (!arr)
        return; /* null: a list the document does not have (nic_models) */
    FUZZ_ASSERT(json_object_is_type(arr, json_type_array));
    FUZZ_ASSERT(json_object_array_length(arr) <= VIRT_CAPS_XML_MAX_ITEMS);
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        struct json_object *v = json_object_array_get_idx(arr, i);

        FUZZ_ASSERT(json_object_is_type(v, type));
        if (type == json_type_int)
            FUZZ_ASSERT(json_object_get_int64(v) > above);
        else
            FUZZ_ASSERT(json_object_get_string(v)[0] != '\0');
    }
}

static void fuzz_caps_failed(const struct app_error *err)
{
    FUZZ_ASSERT(err->status == 502);
    FUZZ_ASSERT(err->message[0] != '\0');
}

static void fuzz_caps_host(const char *xml)
{
    struct app_error err;
    struct json_object *host, *numa, *guests;

    app_error_clear(&err);
    host = virt_caps_xml_host(xml, &err);
    if (!host) {
        fuzz_caps_failed(&err);
        return;
    }
    fuzz_caps_list(host, "page_sizes_kib", json_type_int, -1);
    fuzz_caps_list(host, "huge_pages_kib", json_type_int, 4);
    FUZZ_ASSERT(json_object_object_get_ex(host, "numa", &numa));
    FUZZ_ASSERT(json_object_array_length(numa) <= VIRT_CAPS_XML_MAX_ITEMS);
    for (size_t i = 0; i < json_object_array_length(numa); i++)
        fuzz_caps_list(json_object_array_get_idx(numa, i), "cpus", json_type_int, -1);
    FUZZ_ASSERT(json_object_object_get_ex(host, "guests", &guests));
    for (size_t i = 0; i < json_object_array_length(guests); i++) {
        fuzz_caps_list(json_object_array_get_idx(guests, i), "machines", json_type_string, 0);
        fuzz_caps_list(json_object_array_get_idx(guests, i), "domains", json_type_string, 0);
    }
    json_object_put(host);
}

static void fuzz_caps_domain(const char *xml)
{
    struct app_error err;
    struct json_object *dom, *fw, *tpm;

    app_error_clear(&err);
    dom = virt_caps_xml_domain(xml, &err);
    if (!dom) {
        fuzz_caps_failed(&err);
        return;
    }
    fuzz_caps_list(dom, "cpu_modes", json_type_string, 0);
    fuzz_caps_list(dom, "cpu_models", json_type_string, 0);
    fuzz_caps_list(dom, "disk_buses", json_type_string, 0);
    fuzz_caps_list(dom, "nic_models", json_type_string, 0);
    FUZZ_ASSERT(json_object_object_get_ex(dom, "firmware", &fw));
    fuzz_caps_list(fw, "loaders", json_type_string, 0);
    FUZZ_ASSERT(json_object_object_get_ex(dom, "tpm", &tpm));
    fuzz_caps_list(tpm, "models", json_type_string, 0);
    fuzz_caps_list(tpm, "backends", json_type_string, 0);
    json_object_put(dom);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *xml = fuzz_input_cstr(data, size);

    fuzz_caps_host(xml);
    fuzz_caps_domain(xml);
    free(xml);
    return 0;
}
