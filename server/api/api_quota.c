/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_quota: the quota routes and the reservation around a change (see api_quota.h).
 * Checks run on the service thread (memory only: the body's members); runs on workers. */
#include "api/api_quota.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_owners.h"
#include "auth_owners.h"
#include "auth_quota.h"
#include "virt/virt_domain.h"
#include "virt/virt_volume.h"

static void api_quota_from_use(const struct virt_quota_use *use, struct auth_quota_amounts *out)
{
    out->n[AUTH_QUOTA_VMS] = (long long)use->vms;
    out->n[AUTH_QUOTA_VCPUS] = (long long)use->vcpus;
    out->n[AUTH_QUOTA_MEMORY_MIB] = (long long)use->memory_mib;
    out->n[AUTH_QUOTA_DISK_GIB] = (long long)use->disk_gib;
}

/* ---- measuring ---------------------------------------------------------------------- */

struct api_quota_measure {
    struct api_call *call; /* borrowed */
    const char *username;  /* borrowed */
};

/* auth_quota_measure_fn: what username owns now, per the ownership index and libvirt. */
static int api_quota_measure(void *ctx, struct auth_quota_amounts *used, struct app_error *err)
{
    struct api_quota_measure *m = ctx;
    struct virt_quota_use use;
    size_t n = 0;
    char(*uuids)[AUTH_OWNERS_UUID_MAX + 1] = auth_owners_owned(m->call->owners, m->username, &n);
    int ret;

    memset(&use, 0, sizeof(use));
    ret = virt_quota_domains(m->call->conn, (const char(*)[37])uuids, n, &use, err);
    free(uuids);
    if (ret == 0)
        api_quota_from_use(&use, used);
    return ret;
}

/* ---- GET /api/quota ------------------------------------------------------------------- */

static void api_quota_get_run(struct api_call *call, struct api_reply *reply)
{
    struct auth_subject subject = api_call_subject(call);
    struct api_quota_measure m = {.call = call, .username = subject.username};
    bool applies = auth_policy_quota_applies(&subject);
    struct auth_quota_amounts used, reserved;
    struct auth_quota_limits limits;
    struct json_object *out, *dims;

    if (auth_quota_limits_for(call->db, subject.username, &limits, &reply->err) < 0 ||
        api_quota_measure(&m, &used, &reply->err) < 0)
        return;
    auth_quota_reserved(call->quota, subject.username, &reserved);
    dims = json_object_new_object();
    for (int d = 0; d < AUTH_QUOTA_DIMS; d++) {
        struct json_object *dim = json_object_new_object();
        bool limited = applies && limits.limit.n[d] >= 0;

        json_object_object_add(dim, "used", json_object_new_int64(used.n[d]));
        json_object_object_add(dim, "reserved", json_object_new_int64(reserved.n[d]));
        json_object_object_add(dim, "limit",
                               limited ? json_object_new_int64(limits.limit.n[d]) : NULL);
        json_object_object_add(dim, "source",
                               limited ? json_object_new_string(limits.source[d]) : NULL);
        json_object_object_add(dims, auth_quota_dim_key((enum auth_quota_dim)d), dim);
    }
    out = json_object_new_object();
    json_object_object_add(out, "user", json_object_new_string(subject.username));
    json_object_object_add(out, "limited", json_object_new_boolean(applies));
    json_object_object_add(out, "quota", dims);
    api_reply_json(reply, 200, out);
}

const struct api_handler api_quota_get = {.run = api_quota_get_run};

/* ---- PUT /api/users/{name}/quota, /api/groups/{name}/quota ----------------------------- */

static int api_quota_put_check(struct api_call *call, const struct http_request *req,
                               struct api_reply *reply)
{
    struct auth_quota_amounts *limit = api_call_state_new(call, sizeof(*limit));

    return auth_quota_parse(call->body, limit, &reply->err);
}

static void api_quota_put(struct api_call *call, struct api_reply *reply, bool group)
{
    const struct auth_quota_amounts *limit = call->state;
    struct json_object *out;

    api_reply_audit_object(reply, "%s:%.64s", group ? "group" : "user", call->name);
    if (auth_quota_set(call->db, group, call->name, limit, &reply->err) < 0)
        return;
    out = json_object_new_object();
    json_object_object_add(out, "name", json_object_new_string(call->name));
    json_object_object_add(out, "quota", auth_quota_limits_json(limit));
    api_reply_json(reply, 200, out);
}

static void api_quota_user_put_run(struct api_call *call, struct api_reply *reply)
{
    api_quota_put(call, reply, false);
}

static void api_quota_group_put_run(struct api_call *call, struct api_reply *reply)
{
    api_quota_put(call, reply, true);
}

const struct api_handler api_quota_user_put = {.check = api_quota_put_check,
                                               .run = api_quota_user_put_run};
const struct api_handler api_quota_group_put = {.check = api_quota_put_check,
                                                .run = api_quota_group_put_run};

struct json_object *api_quota_set_json(sqlite3 *db, bool group, const char *name)
{
    struct auth_quota_amounts limit;
    struct app_error err;

    app_error_clear(&err);
    if (auth_quota_get(db, group, name, &limit, &err) < 0)
        return NULL;
    return auth_quota_limits_json(&limit);
}

/* ---- the reservation around a change --------------------------------------------------- */

bool api_quota_applies(const struct api_call *call)
{
    struct auth_subject subject = api_call_subject(call);

    return call->quota && auth_policy_quota_applies(&subject);
}

int api_quota_reserve(struct api_call *call, const struct virt_quota_use *demand, uint64_t *ticket,
                      struct app_error *err)
{
    struct auth_subject subject = api_call_subject(call);
    struct api_quota_measure m = {.call = call, .username = subject.username};
    struct auth_quota_amounts want;
    struct auth_quota_limits limits;

    *ticket = 0;
    if (!api_quota_applies(call))
        return 0;
    if (auth_quota_limits_for(call->db, subject.username, &limits, err) < 0)
        return -1;
    api_quota_from_use(demand, &want);
    return auth_quota_reserve(call->quota, subject.username, &limits.limit, &want,
                              api_quota_measure, &m, ticket, err);
}

struct api_quota_record {
    struct api_call *call;   /* borrowed */
    struct api_reply *reply; /* borrowed */
};

static void api_quota_record(void *ctx)
{
    struct api_quota_record *r = ctx;

    api_owners_record_reply(r->call, r->reply); /* a new VM belongs to its creator */
}

void api_quota_settle_reply(struct api_call *call, uint64_t ticket, struct api_reply *reply)
{
    struct api_quota_record r = {.call = call, .reply = reply};

    if (!ticket)
        api_quota_record(&r);
    else
        auth_quota_settle(call->quota, ticket, api_quota_record, &r);
}

struct api_quota_made {
    struct auth_owners *owners;         /* borrowed */
    const struct auth_subject *subject; /* borrowed */
    struct json_object *made;           /* borrowed */
};

static void api_quota_record_made(void *ctx)
{
    struct api_quota_made *m = ctx;

    api_owners_record_made(m->owners, m->subject, m->made);
}

void api_quota_settle_made(struct auth_quota *quota, uint64_t ticket, struct auth_owners *owners,
                           const struct auth_subject *subject, struct json_object *made)
{
    struct api_quota_made m = {.owners = owners, .subject = subject, .made = made};

    if (!ticket) {
        if (made)
            api_quota_record_made(&m);
    } else
        auth_quota_settle(quota, ticket, made ? api_quota_record_made : NULL, &m);
}

void api_quota_settle_run(struct api_call *call, uint64_t ticket, void (*run)(void *ctx), void *ctx)
{
    if (!ticket)
        run(ctx);
    else
        auth_quota_settle(call->quota, ticket, run, ctx);
}

/* ---- demands ------------------------------------------------------------------------- */

unsigned long long api_quota_volume_gib(virConnectPtr conn, const char *pool, const char *name)
{
    struct json_object *disk = json_object_new_object();
    unsigned long long bytes = 0;

    json_object_object_add(disk, "pool", json_object_new_string(pool));
    json_object_object_add(disk, "volume", json_object_new_string(name));
    virt_quota_disk_bytes(conn, disk, &bytes);
    json_object_put(disk);
    return virt_quota_gib(bytes);
}

int api_quota_create_demand(virConnectPtr conn, const struct virt_domain_create_req *req,
                            struct virt_quota_use *out, struct app_error *err)
{
    struct virt_domain_create_sizes sizes;
    struct app_error ignored;
    virDomainPtr tmpl;

    memset(out, 0, sizeof(*out));
    if (virt_domain_create_sizes(req, &sizes, err) < 0)
        return -1;
    out->vms = 1;
    out->vcpus = sizes.vcpus;
    out->memory_mib = sizes.memory_mib;
    out->disk_gib = sizes.disk_gib;
    app_error_clear(&ignored);
    if (req->source == VIRT_DOMAIN_CREATE_TEMPLATE &&
        (tmpl = virt_domain_lookup(conn, req->template_uuid, &ignored))) {
        struct virt_quota_use t;
        int rc = virt_quota_domain(tmpl, &t, err);

        virDomainFree(tmpl);
        if (rc < 0)
            return -1;
        out->vcpus = sizes.vcpus ? sizes.vcpus : t.vcpus;
        out->memory_mib = sizes.memory_mib ? sizes.memory_mib : t.memory_mib;
        out->disk_gib = t.disk_gib > sizes.disk_gib ? t.disk_gib : sizes.disk_gib;
    } else if (req->source == VIRT_DOMAIN_CREATE_IMPORT ||
               req->source == VIRT_DOMAIN_CREATE_CLOUD_IMAGE) {
        unsigned long long gib = api_quota_volume_gib(conn, req->source_pool, req->source_volume);

        out->disk_gib = gib > sizes.disk_gib ? gib : sizes.disk_gib;
    }
    return 0; /* a template that is not there: the create answers its 400 */
}

/* body[key] as a count, when it is one. */
static bool api_quota_member(struct json_object *body, const char *key, unsigned long long *out)
{
    struct json_object *v = NULL;

    if (!json_object_object_get_ex(body, key, &v) || !json_object_is_type(v, json_type_int) ||
        json_object_get_int64(v) < 0)
        return false;
    *out = (unsigned long long)json_object_get_int64(v);
    return true;
}

int api_quota_patch_demand(virDomainPtr dom, struct json_object *body, struct virt_quota_use *out,
                           struct app_error *err)
{
    struct virt_quota_use now;
    unsigned long long vcpus, memory, max_memory;

    memset(out, 0, sizeof(*out));
    if (!api_quota_member(body, "vcpus", &vcpus) &&
        !api_quota_member(body, "memory_mib", &memory) &&
        !api_quota_member(body, "max_memory_mib", &max_memory))
        return 0; /* nothing that grows */
    if (virt_quota_domain(dom, &now, err) < 0)
        return -1;
    if (api_quota_member(body, "vcpus", &vcpus) && vcpus > now.vcpus)
        out->vcpus = vcpus - now.vcpus;
    /* the quota counts the maximum memory: a memory_mib above it raises it */
    max_memory = now.memory_mib;
    if (!api_quota_member(body, "max_memory_mib", &max_memory) &&
        api_quota_member(body, "memory_mib", &memory) && memory > max_memory)
        max_memory = memory;
    if (max_memory > now.memory_mib)
        out->memory_mib = max_memory - now.memory_mib;
    return 0;
}
