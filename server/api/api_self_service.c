/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_self_service: the self-service set's endpoints and read filter (see
 * api_self_service.h). Service thread for the PUT's check and the filter; workers for
 * the runs (libvirt lookups). */
#include "api/api_self_service.h"

#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>

#include "auth_approved.h"
#include "auth_owners.h"
#include "virt/virt_domain.h"
#include "virt/virt_domain_template.h"
#include "virt/virt_network.h"
#include "virt/virt_pool.h"
#include "virt/virt_volume.h"

/* ---- what a user may use ------------------------------------------------------------ */

int api_self_service_require(const struct api_call *call, enum auth_approved_kind kind,
                             const char *pool, const char *name, const char *prefix,
                             const char *key, struct app_error *err)
{
    static const char *const what[] = {
        [AUTH_APPROVED_TEMPLATE] = "template",
        [AUTH_APPROVED_ISO] = "ISO",
        [AUTH_APPROVED_NETWORK] = "network",
        [AUTH_APPROVED_POOL] = "pool",
    };
    struct auth_subject subject = api_call_subject(call);

    if (!auth_policy_approved_only(&subject) || auth_approved_has(call->approved, kind, pool, name))
        return 0;
    app_error_set(err, 403, APP_ERR_FORBIDDEN, "%s \"%s\" is not approved for self-service",
                  what[kind], name ? name : "");
    app_error_at_field(err, prefix, key);
    return -1;
}

int api_self_service_require_nic(const struct api_call *call, bool bridge, bool user,
                                 const char *other_field, const char *network, const char *prefix,
                                 struct app_error *err)
{
    struct auth_subject subject = api_call_subject(call);

    if (!auth_policy_approved_only(&subject))
        return 0;
    if (bridge || user) {
        app_error_set(err, 403, APP_ERR_FORBIDDEN,
                      "role user connects VMs only to approved networks (no bridge or user "
                      "network)");
        app_error_at_field(err, "", other_field);
        return -1;
    }
    return network ? api_self_service_require(call, AUTH_APPROVED_NETWORK, NULL, network, prefix,
                                              "network", err)
                   : 0;
}

/* ---- the read filter ---------------------------------------------------------------- */

/* Replaces obj's member (an array of objects with "uuid") by the ones subject sees. */
static void api_self_service_domains(const struct api_call *call,
                                     const struct auth_subject *subject, struct json_object *obj,
                                     const char *member)
{
    struct json_object *domains = NULL;

    if (json_object_object_get_ex(obj, member, &domains) &&
        json_object_is_type(domains, json_type_array))
        json_object_object_add(obj, member,
                               auth_owners_visible(call->owners, subject, domains, false));
}

struct json_object *api_self_service_filter(const struct api_call *call, enum auth_object_kind kind,
                                            const char *pool, struct json_object *out)
{
    static const char *const lists[] = {"networks", "pools", "volumes"};
    struct auth_subject subject = api_call_subject(call);
    struct json_object *items = NULL;

    if (!out || auth_policy_sees_every_domain(&subject))
        return out; /* it sees every network, pool and VM */
    auth_approved_visible(call->approved, &subject, kind, pool, out);
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]) && !items; i++)
        json_object_object_get_ex(out, lists[i], &items);
    for (size_t i = 0; items && i < json_object_array_length(items); i++) {
        api_self_service_domains(call, &subject, json_object_array_get_idx(items, i), "domains");
        api_self_service_domains(call, &subject, json_object_array_get_idx(items, i), "used_by");
    }
    if (!items) {
        api_self_service_domains(call, &subject, out, "domains");
        api_self_service_domains(call, &subject, out, "used_by");
    }
    return out;
}

/* ---- GET ------------------------------------------------------------------------------ */

/* Each template UUID of set's "templates" as {"uuid", "name", "title"} (name null when
 * no domain has it now, title null when it has none). Worker. */
static void api_self_service_templates(virConnectPtr conn, struct json_object *set)
{
    struct json_object *uuids = NULL, *out = json_object_new_array();

    json_object_object_get_ex(set, "templates", &uuids);
    for (size_t i = 0; uuids && i < json_object_array_length(uuids); i++) {
        const char *uuid = json_object_get_string(json_object_array_get_idx(uuids, i));
        struct json_object *t = json_object_new_object();
        struct app_error ignored;
        virDomainPtr dom;
        char *title = NULL;

        app_error_clear(&ignored);
        json_object_object_add(t, "uuid", json_object_new_string(uuid));
        if ((dom = virt_domain_lookup(conn, uuid, &ignored))) {
            title = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_TITLE, NULL,
                                         VIR_DOMAIN_AFFECT_CONFIG);
            json_object_object_add(t, "name", json_object_new_string(virDomainGetName(dom)));
            virDomainFree(dom);
        } else {
            json_object_object_add(t, "name", NULL);
        }
        json_object_object_add(t, "title", title ? json_object_new_string(title) : NULL);
        free(title);
        json_object_array_add(out, t);
    }
    virResetLastError(); /* a template with no title is no error */
    json_object_object_add(set, "templates", out);
}

static void api_self_service_get_run(struct api_call *call, struct api_reply *reply)
{
    struct json_object *set = auth_approved_json(call->approved);

    api_self_service_templates(call->conn, set);
    api_reply_json(reply, 200, set);
}

const struct api_handler api_self_service_get = {.run = api_self_service_get_run};

/* ---- PUT ------------------------------------------------------------------------------ */

static int api_self_service_put_check(struct api_call *call, const struct http_request *req,
                                      struct api_reply *reply)
{
    return auth_approved_check(call->body, &reply->err);
}

/* err (a lookup's) as the 400 of the body's member at index i. Returns -1. */
static int api_self_service_unknown(const char *member, size_t i, const struct app_error *lookup,
                                    struct app_error *err)
{
    char field[64];

    snprintf(field, sizeof(field), "%s[%zu]", member, i);
    app_error_set(err, lookup->status == 404 || lookup->status == 400 ? 400 : lookup->status,
                  lookup->status == 404 || lookup->status == 400 ? APP_ERR_BAD_REQUEST
                                                                 : lookup->code,
                  "field \"%s\": %s", field, lookup->message);
    app_error_at_field(err, "", field);
    return -1;
}

/* The template uuid exists and is marked a template. Returns 0, or -1 with err. */
static int api_self_service_template(virConnectPtr conn, const char *uuid, struct app_error *err)
{
    virDomainPtr dom = virt_domain_lookup(conn, uuid, err);
    bool marked = false;
    int ret = -1;

    if (!dom)
        return -1;
    if (virt_domain_template_get(dom, &marked, err) < 0)
        goto cleanup;
    if (!marked) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "domain %s is not a template (mark it with POST .../template)", uuid);
        goto cleanup;
    }
    ret = 0;

cleanup:
    virDomainFree(dom);
    return ret;
}

/* One entry of the body's member exists in libvirt. Returns 0, or -1 with err. */
static int api_self_service_exists(virConnectPtr conn, const char *member, struct json_object *item,
                                   struct app_error *err)
{
    struct json_object *pool = NULL, *name = NULL;
    virNetworkPtr net;
    virStoragePoolPtr p;
    virStorageVolPtr vol;

    switch (member[0]) {
    case 't': /* templates */
        return api_self_service_template(conn, json_object_get_string(item), err);
    case 'i': /* isos */
        json_object_object_get_ex(item, "pool", &pool);
        json_object_object_get_ex(item, "name", &name);
        if (!(vol = virt_volume_lookup(conn, json_object_get_string(pool),
                                       json_object_get_string(name), NULL, err)))
            return -1;
        virStorageVolFree(vol);
        return 0;
    case 'n': /* networks */
        if (!(net = virt_network_lookup(conn, json_object_get_string(item), err)))
            return -1;
        virNetworkFree(net);
        return 0;
    default: /* pools */
        if (!(p = virt_pool_lookup(conn, json_object_get_string(item), err)))
            return -1;
        virStoragePoolFree(p);
        return 0;
    }
}

static void api_self_service_put_run(struct api_call *call, struct api_reply *reply)
{
    static const char *const members[] = {"templates", "isos", "networks", "pools"};
    struct json_object *set;

    api_reply_audit_object(reply, "%s", "self-service");
    for (size_t m = 0; m < sizeof(members) / sizeof(members[0]); m++) {
        struct json_object *array = NULL;

        if (!json_object_object_get_ex(call->body, members[m], &array))
            continue;
        for (size_t i = 0; i < json_object_array_length(array); i++) {
            struct app_error lookup;

            app_error_clear(&lookup);
            if (api_self_service_exists(call->conn, members[m], json_object_array_get_idx(array, i),
                                        &lookup) < 0) {
                api_self_service_unknown(members[m], i, &lookup, &reply->err);
                return;
            }
        }
    }
    if (auth_approved_set(call->approved, call->body, &reply->err) < 0)
        return;
    set = auth_approved_json(call->approved);
    api_self_service_templates(call->conn, set);
    api_reply_json(reply, 200, set);
}

const struct api_handler api_self_service_put = {.check = api_self_service_put_check,
                                                 .run = api_self_service_put_run};
