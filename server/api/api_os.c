/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_os: GET /api/os?q=&limit= — searches the osinfo list (virt/virt_osinfo.h) and
 * answers {"total": matches, "os": [first limit matches]}. check (service thread) bounds
 * the query; run (worker) loads the database on the first call and searches it. */
#include "api/api_os.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "virt/virt_osinfo.h"
#include "virt/virt_xml.h"

struct api_os_state {
    char q[API_OS_QUERY_MAX + 1];
    size_t limit;
};

static int api_os_list_check(struct api_call *call, const struct http_request *req,
                             struct api_reply *reply)
{
    struct api_os_state *st = api_call_state_new(call, sizeof(*st));
    char q[API_OS_QUERY_MAX + 2];
    char limit[24];
    const char *given;

    given = api_call_query(call, "q", q, sizeof(q));
    if (given && strlen(given) > API_OS_QUERY_MAX) {
        app_error_set(&reply->err, 400, APP_ERR_BAD_REQUEST, "q is longer than %d bytes",
                      API_OS_QUERY_MAX);
        app_error_at_range(&reply->err, "", "q", 0, API_OS_QUERY_MAX);
        return -1;
    }
    snprintf(st->q, sizeof(st->q), "%s", given ? given : "");

    st->limit = API_OS_LIMIT_DEFAULT;
    given = api_call_query(call, "limit", limit, sizeof(limit));
    if (given) {
        char *end = NULL;
        long long v;

        errno = 0;
        v = strtoll(given, &end, 10);
        if (!given[0] || *end || errno || v < 1 || v > API_OS_LIMIT_MAX || given[0] < '0' ||
            given[0] > '9') {
            app_error_set(&reply->err, 400, APP_ERR_BAD_REQUEST,
                          "limit must be a whole number from 1 to %d", API_OS_LIMIT_MAX);
            app_error_at_range(&reply->err, "", "limit", 1, API_OS_LIMIT_MAX);
            return -1;
        }
        st->limit = (size_t)v;
    }
    return 0;
}

/* a number the database may not give (-1): null then */
static struct json_object *api_os_number(long long v)
{
    return v < 0 ? NULL : json_object_new_int64(v);
}

/* {"<min_key>": min, "<rec_key>": rec}: a minimum and a recommended figure */
static struct json_object *api_os_pair(const char *min_key, long long min, const char *rec_key,
                                       long long rec)
{
    struct json_object *pair = json_object_new_object();

    virt_xml_json_add(pair, min_key, api_os_number(min));
    virt_xml_json_add(pair, rec_key, api_os_number(rec));
    return pair;
}

static struct json_object *api_os_string(const char *s)
{
    return s[0] ? json_object_new_string(s) : NULL;
}

static struct json_object *api_os_entry_json(const struct virt_osinfo_os *os)
{
    struct json_object *obj = json_object_new_object();
    struct json_object *firmware = json_object_new_object();

    virt_xml_json_add(obj, "id", json_object_new_string(os->short_id));
    virt_xml_json_add(obj, "name", json_object_new_string(os->name));
    virt_xml_json_add(obj, "vendor", api_os_string(os->vendor));
    virt_xml_json_add(obj, "family", api_os_string(os->family));
    virt_xml_json_add(obj, "distro", api_os_string(os->distro));
    virt_xml_json_add(obj, "version", api_os_string(os->version));
    virt_xml_json_add(obj, "release_date", api_os_string(os->release_date));
    virt_xml_json_add(obj, "eol_date", api_os_string(os->eol_date));
    virt_xml_json_add(obj, "eol", json_object_new_boolean(os->eol));
    virt_xml_json_add(
        obj, "memory",
        api_os_pair("min_mib", os->memory_min_mib, "recommended_mib", os->memory_rec_mib));
    virt_xml_json_add(obj, "vcpus",
                      api_os_pair("min", os->vcpus_min, "recommended", os->vcpus_rec));
    virt_xml_json_add(
        obj, "disk", api_os_pair("min_gib", os->disk_min_gib, "recommended_gib", os->disk_rec_gib));
    virt_xml_json_add(obj, "virtio", json_object_new_boolean(os->virtio_disk && os->virtio_net));
    virt_xml_json_add(obj, "disk_bus", json_object_new_string(os->disk_bus));
    virt_xml_json_add(obj, "nic_model", json_object_new_string(os->nic_model));
    virt_xml_json_add(firmware, "uefi", json_object_new_boolean(os->uefi_supported));
    virt_xml_json_add(firmware, "uefi_required", json_object_new_boolean(os->uefi_required));
    virt_xml_json_add(firmware, "bios", json_object_new_boolean(os->bios_supported));
    virt_xml_json_add(obj, "firmware", firmware);
    virt_xml_json_add(obj, "tpm_required", json_object_new_boolean(os->tpm_required));
    return obj;
}

static void api_os_list_run(struct api_call *call, struct api_reply *reply)
{
    const struct api_os_state *st = call->state;
    const struct virt_osinfo_list *list;
    const struct virt_osinfo_os **found = NULL;
    struct json_object *out, *items;
    struct app_error err;
    size_t total;

    app_error_clear(&err);
    list = virt_osinfo_shared(&err);
    if (!list) {
        api_reply_error(reply, &err);
        return;
    }
    found = xcalloc(st->limit, sizeof(*found));
    total = virt_osinfo_list_search(list, st->q, found, st->limit);
    items = json_object_new_array_ext((int)(total < st->limit ? total : st->limit));
    for (size_t i = 0; i < total && i < st->limit; i++)
        virt_xml_json_push(items, api_os_entry_json(found[i]));
    free(found);
    out = json_object_new_object();
    virt_xml_json_add(out, "total", json_object_new_int64((int64_t)total));
    virt_xml_json_add(out, "os", items);
    api_reply_json(reply, 200, out);
}

const struct api_handler api_os_list = {.check = api_os_list_check, .run = api_os_list_run};
