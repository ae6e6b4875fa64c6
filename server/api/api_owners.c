/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_owners: the owner, shares and group endpoints (see api_owners.h). Checks run on
 * the service thread (memory only); runs on workers. */
#include "api/api_owners.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_quota.h"
#include "auth_owners.h"
#include "auth_users.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_domain.h"

/* The body's "owner": a user name, or null (no owner). Returns 0 with *owner (NULL for
 * null), or -1 with reply->err. */
static int api_owners_owner_member(const struct api_call *call, const char **owner,
                                   struct api_reply *reply)
{
    struct json_object *v = NULL;

    if (!json_object_object_get_ex(call->body, "owner", &v)) {
        app_error_set(&reply->err, 400, APP_ERR_BAD_REQUEST,
                      "field \"owner\" is required (a user name, or null)");
        return -1;
    }
    *owner = v ? json_object_get_string(v) : NULL;
    if (v && (!json_object_is_type(v, json_type_string) || !auth_users_name_valid(*owner))) {
        app_error_set(&reply->err, 400, APP_ERR_BAD_REQUEST,
                      "field \"owner\" must be a user name or null");
        return -1;
    }
    return 0;
}

static int api_owners_owner_check(struct api_call *call, const struct http_request *req,
                                  struct api_reply *reply)
{
    const char *owner;

    return api_owners_owner_member(call, &owner, reply);
}

/* The call's domain exists and the caller sees it (else err: 404 as for any domain). */
static int api_owners_domain_exists(const struct api_call *call, struct app_error *err)
{
    virDomainPtr dom = virt_domain_lookup(call->conn, call->uuid, err);

    if (!dom)
        return -1;
    virDomainFree(dom);
    return 0;
}

static void api_owners_set_domain_run(struct api_call *call, struct api_reply *reply)
{
    const char *owner = NULL, *uuids[1] = {call->uuid};

    if (api_owners_owner_member(call, &owner, reply) < 0 ||
        api_owners_domain_exists(call, &reply->err) < 0 ||
        auth_owners_set_owner(call->owners, uuids, 1, owner, &reply->err) < 0)
        return;
    api_reply_json(reply, 200, auth_owners_shares_json(call->owners, call->uuid));
}

const struct api_handler api_owners_set_domain = {.check = api_owners_owner_check,
                                                  .run = api_owners_set_domain_run};

/* PUT /api/owners: {"owner", "uuids": [1..AUTH_OWNERS_BULK_MAX domain UUIDs]}. */
static int api_owners_many_check(struct api_call *call, const struct http_request *req,
                                 struct api_reply *reply)
{
    struct json_object *uuids = NULL;
    const char *owner;
    size_t n;

    if (api_owners_owner_member(call, &owner, reply) < 0)
        return -1;
    if (!json_object_object_get_ex(call->body, "uuids", &uuids) ||
        !json_object_is_type(uuids, json_type_array) ||
        (n = json_object_array_length(uuids)) == 0 || n > AUTH_OWNERS_BULK_MAX) {
        app_error_set(&reply->err, 400, APP_ERR_BAD_REQUEST,
                      "field \"uuids\" must be an array of 1 to %d domain UUIDs",
                      AUTH_OWNERS_BULK_MAX);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        struct json_object *u = json_object_array_get_idx(uuids, i);

        if (!json_object_is_type(u, json_type_string) ||
            !virt_domain_uuid_valid(json_object_get_string(u))) {
            app_error_set(&reply->err, 400, APP_ERR_BAD_REQUEST,
                          "field \"uuids[%zu]\" is not a domain UUID", i);
            return -1;
        }
    }
    return 0;
}

static void api_owners_set_many_run(struct api_call *call, struct api_reply *reply)
{
    struct json_object *uuids = NULL;
    const char *owner = NULL, *list[AUTH_OWNERS_BULK_MAX];
    size_t n;

    if (api_owners_owner_member(call, &owner, reply) < 0 ||
        !json_object_object_get_ex(call->body, "uuids", &uuids))
        return;
    n = json_object_array_length(uuids);
    api_reply_audit_object(reply, "owner:%s", owner ? owner : "-");
    for (size_t i = 0; i < n && i < AUTH_OWNERS_BULK_MAX; i++) {
        struct app_error err;
        virDomainPtr dom;

        list[i] = json_object_get_string(json_object_array_get_idx(uuids, i));
        app_error_clear(&err);
        if (!(dom = virt_domain_lookup(call->conn, list[i], &err))) {
            app_error_set(&reply->err, err.status == 404 ? 400 : err.status,
                          err.status == 404 ? APP_ERR_BAD_REQUEST : err.code,
                          "field \"uuids[%zu]\": %s", i, err.message);
            return; /* nothing changed: all or none */
        }
        virDomainFree(dom);
    }
    if (auth_owners_set_owner(call->owners, list, n, owner, &reply->err) < 0)
        return;
    json_object_get(uuids);
    api_reply_json(reply, 200, json_object_new_object());
    json_object_object_add(reply->json, "owner", owner ? json_object_new_string(owner) : NULL);
    json_object_object_add(reply->json, "uuids", uuids);
}

const struct api_handler api_owners_set_many = {.check = api_owners_many_check,
                                                .run = api_owners_set_many_run};

static void api_owners_shares_get_run(struct api_call *call, struct api_reply *reply)
{
    if (api_owners_domain_exists(call, &reply->err) == 0)
        api_reply_json(reply, 200, auth_owners_shares_json(call->owners, call->uuid));
}

const struct api_handler api_owners_shares_get = {.run = api_owners_shares_get_run};

/* The body is the whole list: [{"user"|"group": name, "level": ...}] (auth_owners
 * checks each share against the users and groups when it writes). */
static int api_owners_shares_check(struct api_call *call, const struct http_request *req,
                                   struct api_reply *reply)
{
    struct json_tokener *tok = json_tokener_new_ex(4);
    struct json_object *list = NULL;

    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    if (req->body_len)
        list = json_tokener_parse_ex(tok, req->body, (int)req->body_len);
    if (list && json_tokener_get_parse_end(tok) != req->body_len) {
        json_object_put(list);
        list = NULL;
    }
    json_tokener_free(tok);
    if (!json_object_is_type(list, json_type_array)) {
        json_object_put(list);
        app_error_set(&reply->err, 400, APP_ERR_BAD_REQUEST,
                      "the body must be a JSON array of shares "
                      "[{\"user\" or \"group\": name, \"level\": view|console|operate}]");
        return -1;
    }
    call->body = list;
    return 0;
}

static void api_owners_shares_put_run(struct api_call *call, struct api_reply *reply)
{
    if (api_owners_domain_exists(call, &reply->err) < 0 ||
        auth_owners_set_shares(call->owners, call->uuid, call->body, &reply->err) < 0)
        return;
    api_reply_json(reply, 200, auth_owners_shares_json(call->owners, call->uuid));
}

const struct api_handler api_owners_shares_put = {.check = api_owners_shares_check,
                                                  .run = api_owners_shares_put_run};

/* The groups as the index has them, each with the quota set on it (api_quota.h). */
static struct json_object *api_owners_groups_with_quota(struct api_call *call)
{
    struct json_object *groups = auth_owners_groups_json(call->owners);
    size_t n = json_object_array_length(groups);

    for (size_t i = 0; i < n; i++) {
        struct json_object *g = json_object_array_get_idx(groups, i), *name = NULL;

        if (json_object_object_get_ex(g, "name", &name))
            json_object_object_add(
                g, "quota", api_quota_set_json(call->db, true, json_object_get_string(name)));
    }
    return groups;
}

static void api_owners_groups_list_run(struct api_call *call, struct api_reply *reply)
{
    struct json_object *obj = json_object_new_object();

    json_object_object_add(obj, "groups", api_owners_groups_with_quota(call));
    api_reply_json(reply, 200, obj);
}

const struct api_handler api_owners_groups_list = {.run = api_owners_groups_list_run};

/* The group's JSON as the list shows it, after a change. */
static void api_owners_group_reply(struct api_call *call, const char *name, int status,
                                   struct api_reply *reply)
{
    struct json_object *groups = api_owners_groups_with_quota(call);
    size_t n = json_object_array_length(groups);

    for (size_t i = 0; i < n; i++) {
        struct json_object *g = json_object_array_get_idx(groups, i), *v = NULL;

        if (json_object_object_get_ex(g, "name", &v) &&
            strcmp(json_object_get_string(v), name) == 0) {
            api_reply_json(reply, status, json_object_get(g));
            break;
        }
    }
    json_object_put(groups);
}

static struct json_object *api_owners_members(const struct api_call *call)
{
    struct json_object *members = NULL;

    return json_object_object_get_ex(call->body, "members", &members) ? members : NULL;
}

static void api_owners_group_create_run(struct api_call *call, struct api_reply *reply)
{
    const char *name = api_call_string(call, "name");

    api_reply_audit_object(reply, "group:%s", name);
    if (auth_owners_group_create(call->owners, name, api_owners_members(call), &reply->err) == 0)
        api_owners_group_reply(call, name, 201, reply);
}

const struct api_handler api_owners_group_create = {.run = api_owners_group_create_run};

static int api_owners_group_change_check(struct api_call *call, const struct http_request *req,
                                         struct api_reply *reply)
{
    if (api_owners_members(call))
        return 0;
    app_error_set(&reply->err, 400, APP_ERR_BAD_REQUEST,
                  "field \"members\" is required (an array of user names)");
    return -1;
}

static void api_owners_group_change_run(struct api_call *call, struct api_reply *reply)
{
    api_reply_audit_object(reply, "group:%s", call->name);
    if (auth_owners_group_set_members(call->owners, call->name, api_owners_members(call),
                                      &reply->err) == 0)
        api_owners_group_reply(call, call->name, 200, reply);
}

const struct api_handler api_owners_group_change = {.check = api_owners_group_change_check,
                                                    .run = api_owners_group_change_run};

static void api_owners_group_delete_run(struct api_call *call, struct api_reply *reply)
{
    struct json_object *ok;

    api_reply_audit_object(reply, "group:%s", call->name);
    if (auth_owners_group_delete(call->owners, call->name, &reply->err) < 0)
        return;
    ok = json_object_new_object();
    json_object_object_add(ok, "ok", json_object_new_boolean(1));
    api_reply_json(reply, 200, ok);
}

const struct api_handler api_owners_group_delete = {.run = api_owners_group_delete_run};

/* The detail inside what a create or clone answers: the body itself (a create), or its
 * "domain" (a clone); NULL when it names no domain. */
static struct json_object *api_owners_made_detail(struct json_object *made)
{
    struct json_object *domain = NULL, *uuid = NULL;

    if (json_object_object_get_ex(made, "domain", &domain))
        made = domain;
    if (!json_object_object_get_ex(made, "uuid", &uuid) ||
        !json_object_is_type(uuid, json_type_string))
        return NULL;
    return made;
}

/* The domain's owner and subject's access on it, as api_owners_annotate adds them. */
static void api_owners_add_access(struct auth_owners *owners, const struct auth_subject *subject,
                                  const char *uuid, struct json_object *detail)
{
    const char *access = auth_owners_access(owners, subject, uuid);
    char owner[AUTH_USERNAME_MAX + 1];

    json_object_object_add(detail, "owner",
                           auth_owners_owner(owners, uuid, owner) ? json_object_new_string(owner)
                                                                  : NULL);
    json_object_object_add(detail, "access", access ? json_object_new_string(access) : NULL);
}

void api_owners_record_made(struct auth_owners *owners, const struct auth_subject *subject,
                            struct json_object *made)
{
    struct json_object *detail = api_owners_made_detail(made);
    struct app_error err;
    const char *uuids[1];
    char *uuid;

    if (!detail)
        return;
    app_error_clear(&err);
    uuid = xstrdup(json_object_get_string(json_object_object_get(detail, "uuid")));
    uuids[0] = uuid;
    if (auth_owners_set_owner(owners, uuids, 1, subject->username, &err) < 0)
        log_error("owners: %s made %s but cannot own it: %s", subject->username, uuid, err.message);
    api_owners_add_access(owners, subject, uuid, detail); /* as the detail will read */
    free(uuid);
}

void api_owners_record_reply(const struct api_call *call, struct api_reply *reply)
{
    struct auth_subject subject;

    if (reply->status != 201 || !reply->json || !call->has_session)
        return;
    subject = api_call_subject(call);
    api_owners_record_made(call->owners, &subject, reply->json);
}

struct json_object *api_owners_annotate(const struct api_call *call, const char *uuid,
                                        struct json_object *detail)
{
    struct auth_subject subject = api_call_subject(call);

    if (detail)
        api_owners_add_access(call->owners, &subject, uuid, detail);
    return detail;
}

void api_owners_forget(const struct api_call *call, const char *uuid)
{
    if (auth_owners_forget(call->owners, uuid) < 0)
        log_warn("owners: %s was deleted but its owner row stays", uuid);
}
