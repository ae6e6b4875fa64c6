/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_snapshot: a domain's snapshots through libvirt (see the header). Worker
 * threads only. */
#include "virt/virt_snapshot.h"

#include <stdlib.h>
#include <libvirt/virterror.h>
#include <string.h>

#include "virt/virt_error.h"
#include "virt/virt_snapshot_xml.h"

/* The snapshot name of dom, or NULL with err (404 when there is none). */
static virDomainSnapshotPtr snapshot_lookup(virDomainPtr dom, const char *name,
                                            struct app_error *err)
{
    virDomainSnapshotPtr snap = virDomainSnapshotLookupByName(dom, name, 0);
    virErrorPtr last;

    if (!snap) {
        last = virGetLastError();
        if (last && last->code == VIR_ERR_NO_DOMAIN_SNAPSHOT) {
            app_error_set(err, 404, APP_ERR_NOT_FOUND, "no snapshot named \"%.64s\"", name);
            virResetLastError();
        } else {
            virt_error_capture(err, "look up snapshot");
        }
    }
    return snap;
}

/* The snapshot as the list shows it, or NULL with err. */
static struct json_object *snapshot_json(virDomainSnapshotPtr snap, struct app_error *err)
{
    char *xml = virDomainSnapshotGetXMLDesc(snap, 0);
    struct json_object *obj = NULL;
    int current, children;

    if (!xml) {
        virt_error_capture(err, "read snapshot");
        goto cleanup;
    }
    if (!(obj = virt_snapshot_xml_to_json(xml, err)))
        goto cleanup;
    current = virDomainSnapshotIsCurrent(snap, 0);
    children = virDomainSnapshotNumChildren(snap, 0);
    if (current < 0 || children < 0) {
        virt_error_capture(err, "read snapshot");
        json_object_put(obj);
        obj = NULL;
        goto cleanup;
    }
    json_object_object_add(obj, "current", json_object_new_boolean(current));
    json_object_object_add(obj, "children", json_object_new_int(children));

cleanup:
    free(xml);
    return obj;
}

/* virt_snapshot_xml_can for dom now. */
static struct json_object *snapshot_can(virDomainPtr dom, struct app_error *err)
{
    char *xml = virDomainGetXMLDesc(dom, 0);
    int active = virDomainIsActive(dom);
    struct json_object *can = NULL;

    if (!xml || active < 0)
        virt_error_capture(err, "read domain");
    else
        can = virt_snapshot_xml_can(xml, active == 1, err);
    free(xml);
    return can;
}

/* creation_time, then name: a parent is older than its children. */
static int snapshot_cmp(const void *a, const void *b)
{
    struct json_object *x = *(struct json_object *const *)a, *y = *(struct json_object *const *)b;
    struct json_object *tx, *ty, *nx, *ny;
    int64_t cx, cy;

    json_object_object_get_ex(x, "creation_time", &tx);
    json_object_object_get_ex(y, "creation_time", &ty);
    cx = json_object_get_int64(tx);
    cy = json_object_get_int64(ty);
    if (cx != cy)
        return cx < cy ? -1 : 1;
    json_object_object_get_ex(x, "name", &nx);
    json_object_object_get_ex(y, "name", &ny);
    return strcmp(json_object_get_string(nx), json_object_get_string(ny));
}

struct json_object *virt_snapshot_list(virDomainPtr dom, struct app_error *err)
{
    virDomainSnapshotPtr *snaps = NULL;
    struct json_object *arr = NULL, *out = NULL, *can = NULL, *item;
    int n = virDomainListAllSnapshots(dom, &snaps, 0);

    if (n < 0) {
        virt_error_capture(err, "list snapshots");
        goto cleanup;
    }
    arr = json_object_new_array();
    for (int i = 0; i < n; i++) {
        if (!(item = snapshot_json(snaps[i], err)))
            goto cleanup;
        json_object_array_add(arr, item);
    }
    json_object_array_sort(arr, snapshot_cmp);
    if (!(can = snapshot_can(dom, err)))
        goto cleanup;
    out = json_object_new_object();
    json_object_object_add(out, "snapshots", arr);
    json_object_object_add(out, "can", can);
    arr = NULL;
    can = NULL;

cleanup:
    for (int i = 0; snaps && i < n; i++)
        virDomainSnapshotFree(snaps[i]);
    free(snaps);
    json_object_put(arr);
    json_object_put(can);
    return out;
}

/* Refuses with 409 what can (virt_snapshot_xml_can) does not allow for memory. */
static int snapshot_check_kind(struct json_object *can, bool active, bool memory,
                               struct app_error *err)
{
    struct json_object *v;
    const char *reason = NULL;

    if (memory && !(json_object_object_get_ex(can, "memory", &v) && json_object_get_boolean(v))) {
        if (json_object_object_get_ex(can, "memory_reason", &v))
            reason = json_object_get_string(v);
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "this VM cannot take a snapshot with its memory now (%s)",
                      reason ? reason : "unknown");
        app_error_at_field(err, "", "memory");
        return -1;
    }
    if (!memory && active) {
        app_error_set(err, 409, APP_ERR_CONFLICT,
                      "a running VM's internal snapshot must include its memory");
        app_error_at_field(err, "", "memory");
        return -1;
    }
    if (!(json_object_object_get_ex(can, "internal", &v) && json_object_get_boolean(v))) {
        if (json_object_object_get_ex(can, "reason", &v))
            reason = json_object_get_string(v);
        app_error_set(err, 409, APP_ERR_CONFLICT, "this VM cannot take an internal snapshot (%s)",
                      reason ? reason : "unknown");
        return -1;
    }
    return 0;
}

struct json_object *virt_snapshot_create(virDomainPtr dom, struct json_object *req,
                                         struct app_error *err)
{
    struct json_object *copy = NULL, *can = NULL, *v, *out = NULL;
    virDomainSnapshotPtr snap = NULL;
    char *xml = NULL;
    int active;
    bool memory;

    if ((active = virDomainIsActive(dom)) < 0) {
        virt_error_capture(err, "read domain");
        goto cleanup;
    }
    memory =
        json_object_object_get_ex(req, "memory", &v) ? json_object_get_boolean(v) : active == 1;
    if (json_object_object_get_ex(req, "name", &v) &&
        (snap = virDomainSnapshotLookupByName(dom, json_object_get_string(v), 0))) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "this VM has a snapshot named \"%.64s\" already",
                      json_object_get_string(v));
        app_error_at_field(err, "", "name");
        goto cleanup;
    }
    virResetLastError();
    if (!(can = snapshot_can(dom, err)) || snapshot_check_kind(can, active == 1, memory, err) < 0)
        goto cleanup;
    if (json_object_deep_copy(req, &copy, NULL) < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot copy the request");
        goto cleanup;
    }
    json_object_object_add(copy, "memory", json_object_new_boolean(memory));
    if (virt_snapshot_xml_build(copy, &xml, err) < 0)
        goto cleanup;
    if (!(snap = virDomainSnapshotCreateXML(dom, xml, 0))) {
        virt_error_capture(err, "create snapshot");
        goto cleanup;
    }
    out = snapshot_json(snap, err);

cleanup:
    if (snap)
        virDomainSnapshotFree(snap);
    json_object_put(copy);
    json_object_put(can);
    free(xml);
    return out;
}

int virt_snapshot_revert(virDomainPtr dom, const char *name, struct app_error *err)
{
    int ret = -1;
    virDomainSnapshotPtr snap;

    if (!(snap = snapshot_lookup(dom, name, err)))
        return -1;
    if (virDomainRevertToSnapshot(snap, 0) < 0) {
        virt_error_capture(err, "revert to snapshot");
        goto cleanup;
    }
    ret = 0;

cleanup:
    virDomainSnapshotFree(snap);
    return ret;
}

int virt_snapshot_delete(virDomainPtr dom, const char *name, bool children, struct app_error *err)
{
    int ret = -1;
    virDomainSnapshotPtr snap;

    if (!(snap = snapshot_lookup(dom, name, err)))
        return -1;
    if (virDomainSnapshotDelete(snap, children ? VIR_DOMAIN_SNAPSHOT_DELETE_CHILDREN : 0) < 0) {
        virt_error_capture(err, "delete snapshot");
        goto cleanup;
    }
    ret = 0;

cleanup:
    virDomainSnapshotFree(snap);
    return ret;
}
