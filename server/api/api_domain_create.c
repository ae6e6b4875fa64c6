/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_domain_create: the create-a-VM endpoint (see api_domain_create.h). The body is
 * checked on the service thread into the call's state (a struct
 * virt_domain_create_req); the create runs on a worker with the request's libvirt
 * connection, or, for a whole copy of a template's disks of API_RUNNER_SYNC_MAX
 * allocated bytes or more (or asked with Prefer: respond-async), as a job on the job
 * runner's lane with a copy of the request (202). The audit record names the new VM:
 * "domain:<name>". */
#include "api/api_domain_create.h"

#include "api/api_owners.h"
#include "api/api_self_service.h"

#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_copy_job.h"
#include "api/api_job.h"
#include "api/api_quota.h"
#include "api/api_runner.h"
#include "util/xalloc.h"
#include "virt/virt_device_xml.h"
#include "virt/virt_domain_clone.h"
#include "virt/virt_domain.h"
#include "virt/virt_domain_create.h"
#include "virt/virt_pool.h"
#include "virt/virt_volume.h"

static int create_refuse(struct app_error *err, const char *prefix, const char *key,
                         const char *message)
{
    app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s%s\" %s", prefix, key, message);
    app_error_at_field(err, prefix, key);
    return -1;
}

/* 400 at prefix+key for the first member of obj not in allowed (NULL-terminated). */
static int create_known(struct json_object *obj, const char *prefix, const char *const *allowed,
                        struct app_error *err)
{
    json_object_object_foreach(obj, key, value)
    {
        const char *const *a = allowed;

        (void)value;
        while (*a && strcmp(*a, key))
            a++;
        if (!*a)
            return create_refuse(err, prefix, key, "is not a member of this object");
    }
    return 0;
}

/* obj[key] as a string into out (outlen with its NUL); absent: 0 when !required (out
 * untouched), else 400. valid (may be NULL) checks the value. */
static int create_string(struct json_object *obj, const char *prefix, const char *key,
                         bool required, bool (*valid)(const char *), char *out, size_t outlen,
                         struct app_error *err)
{
    struct json_object *v;
    const char *s;

    if (!json_object_object_get_ex(obj, key, &v))
        return required ? create_refuse(err, prefix, key, "is required") : 0;
    if (!json_object_is_type(v, json_type_string))
        return create_refuse(err, prefix, key, "must be a string");
    s = json_object_get_string(v);
    if ((size_t)json_object_get_string_len(v) >= outlen ||
        strlen(s) != (size_t)json_object_get_string_len(v) || (valid && !valid(s)))
        return create_refuse(err, prefix, key, "is not valid here");
    snprintf(out, outlen, "%s", s);
    return 0;
}

/* obj[key] as an integer in [min, max] into *out; absent: untouched. */
static int create_int(struct json_object *obj, const char *key, long long min, long long max,
                      unsigned long long *out, struct app_error *err)
{
    struct json_object *v;
    long long n;

    if (!json_object_object_get_ex(obj, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_int) || (n = json_object_get_int64(v)) < min || n > max) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "\"%s\" must be an integer from %lld to %lld",
                      key, min, max);
        app_error_at_range(err, "", key, min, max);
        return -1;
    }
    *out = (unsigned long long)n;
    return 0;
}

/* obj[key] as a boolean into *out; absent: untouched. */
static int create_bool(struct json_object *obj, const char *prefix, const char *key, bool *out,
                       struct app_error *err)
{
    struct json_object *v;

    if (!json_object_object_get_ex(obj, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_boolean))
        return create_refuse(err, prefix, key, "must be true or false");
    *out = json_object_get_boolean(v);
    return 0;
}

static bool create_pool_valid(const char *s)
{
    return virt_pool_name_valid(s) != 0;
}

static bool create_volume_valid(const char *s)
{
    return virt_volume_name_valid(s) != 0;
}

static bool create_firmware_valid(const char *s)
{
    return !strcmp(s, "bios") || !strcmp(s, "uefi");
}

static bool create_format_valid(const char *s)
{
    return !strcmp(s, "qcow2") || !strcmp(s, "raw");
}

/* A libosinfo short id: 1..63 of [a-z0-9._-] ("debian11", "win2k22", "rhel9.2"). */
static bool create_os_valid(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789._-", s[i]))
            return false;
    return true;
}

static bool create_uuid_valid(const char *s)
{
    return virt_domain_uuid_valid(s) != 0;
}

/* obj[key] must be an object; into *out (borrowed). absent: *out NULL (400 if required). */
static int create_object(struct json_object *obj, const char *prefix, const char *key,
                         bool required, struct json_object **out, struct app_error *err)
{
    *out = NULL;
    if (!json_object_object_get_ex(obj, key, out))
        return required ? create_refuse(err, prefix, key, "is required") : 0;
    if (!json_object_is_type(*out, json_type_object))
        return create_refuse(err, prefix, key, "must be an object");
    return 0;
}

/* {"pool","name"} of a volume at prefix ("source.volume."). */
static int create_volume_ref(struct json_object *obj, const char *prefix, char *pool,
                             size_t pool_len, char *name, size_t name_len, struct app_error *err)
{
    static const char *const keys[] = {"pool", "name", NULL};

    if (create_known(obj, prefix, keys, err) < 0 ||
        create_string(obj, prefix, "pool", true, create_pool_valid, pool, pool_len, err) < 0 ||
        create_string(obj, prefix, "name", true, create_volume_valid, name, name_len, err) < 0)
        return -1;
    return 0;
}

/* obj[key] is absent, null or a string; 400 otherwise. */
static int create_string_or_null(struct json_object *obj, const char *key, struct app_error *err)
{
    struct json_object *v;

    if (!json_object_object_get_ex(obj, key, &v) || !v || json_object_is_type(v, json_type_string))
        return 0;
    return create_refuse(err, "source.cloud_init.", key, "must be a string or null");
}

/* source.cloud_init: its members' types here, their values by virt_nocloud_check (a
 * password is checked as if hashed: the run hashes it). */
static int create_parse_cloud_init(struct virt_domain_create_req *out, struct app_error *err)
{
    static const char *const keys[] = {"hostname", "user",      "password", "password_hash",
                                       "ssh_keys", "user_data", NULL};
    static const char *const string_keys[] = {"hostname",      "user",      "password",
                                              "password_hash", "user_data", NULL};
    const char *ssh_keys[VIRT_NOCLOUD_SSH_KEYS_MAX];
    struct virt_nocloud_seed seed;
    struct json_object *v, *pw = NULL, *hash = NULL;

    if (create_known(out->cloud_init, "source.cloud_init.", keys, err) < 0)
        return -1;
    for (const char *const *k = string_keys; *k; k++)
        if (create_string_or_null(out->cloud_init, *k, err) < 0)
            return -1;
    if (json_object_object_get_ex(out->cloud_init, "ssh_keys", &v)) {
        if (!json_object_is_type(v, json_type_array) ||
            json_object_array_length(v) > VIRT_NOCLOUD_SSH_KEYS_MAX)
            return create_refuse(err, "source.cloud_init.", "ssh_keys",
                                 "must be an array of at most 64 keys");
        for (size_t i = 0; i < json_object_array_length(v); i++)
            if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_string))
                return create_refuse(err, "source.cloud_init.", "ssh_keys",
                                     "must hold strings only");
    }
    json_object_object_get_ex(out->cloud_init, "password", &pw);
    json_object_object_get_ex(out->cloud_init, "password_hash", &hash);
    if (pw && hash)
        return create_refuse(err, "source.cloud_init.", "password",
                             "and \"password_hash\" cannot both be given");
    if (pw && (!json_object_get_string_len(pw) || json_object_get_string_len(pw) >= 512))
        return create_refuse(err, "source.cloud_init.", "password", "must be 1 to 511 bytes");
    virt_domain_create_seed(out->cloud_init, "iid-check", ssh_keys, &seed);
    if (pw)
        seed.password_hash = "$6$checkonly$x"; /* the shape a hash will have */
    return virt_nocloud_check(&seed, err);
}

static int create_parse_source(struct json_object *body, struct virt_domain_create_req *out,
                               struct app_error *err)
{
    static const char *const volume_keys[] = {"type", "volume", NULL};
    static const char *const url_keys[] = {"type", "url", NULL};
    static const char *const cloud_keys[] = {"type", "image", "linked", "cloud_init", NULL};
    static const char *const template_keys[] = {"type", "template", "linked", NULL};
    static const char *const none_keys[] = {"type", NULL};
    struct json_object *source, *ref;
    char type[16] = "";

    if (create_object(body, "", "source", true, &source, err) < 0 ||
        create_string(source, "source.", "type", true, NULL, type, sizeof(type), err) < 0)
        return -1;
    if (!strcmp(type, "iso") || !strcmp(type, "import")) {
        out->source = type[1] == 's' ? VIRT_DOMAIN_CREATE_ISO : VIRT_DOMAIN_CREATE_IMPORT;
        if (create_known(source, "source.", volume_keys, err) < 0 ||
            create_object(source, "source.", "volume", true, &ref, err) < 0)
            return -1;
        return create_volume_ref(ref, "source.volume.", out->source_pool, sizeof(out->source_pool),
                                 out->source_volume, sizeof(out->source_volume), err);
    }
    if (!strcmp(type, "none")) {
        out->source = VIRT_DOMAIN_CREATE_NONE;
        return create_known(source, "source.", none_keys, err);
    }
    if (!strcmp(type, "url")) {
        out->source = VIRT_DOMAIN_CREATE_URL;
        if (create_known(source, "source.", url_keys, err) < 0 ||
            create_string(source, "source.", "url", true, NULL, out->source_url,
                          sizeof(out->source_url), err) < 0)
            return -1;
        return virt_tree_url_check(out->source_url, err);
    }
    if (!strcmp(type, "cloud_image")) {
        out->source = VIRT_DOMAIN_CREATE_CLOUD_IMAGE;
        if (create_known(source, "source.", cloud_keys, err) < 0 ||
            create_object(source, "source.", "image", true, &ref, err) < 0 ||
            create_volume_ref(ref, "source.image.", out->source_pool, sizeof(out->source_pool),
                              out->source_volume, sizeof(out->source_volume), err) < 0)
            return -1;
        if (create_bool(source, "source.", "linked", &out->linked, err) < 0 ||
            create_object(source, "source.", "cloud_init", true, &out->cloud_init, err) < 0)
            return -1;
        return create_parse_cloud_init(out, err);
    }
    if (!strcmp(type, "template")) {
        out->source = VIRT_DOMAIN_CREATE_TEMPLATE;
        if (create_known(source, "source.", template_keys, err) < 0 ||
            create_string(source, "source.", "template", true, create_uuid_valid,
                          out->template_uuid, sizeof(out->template_uuid), err) < 0)
            return -1;
        return create_bool(source, "source.", "linked", &out->linked, err);
    }
    return create_refuse(err, "source.", "type",
                         "must be iso, import, url, cloud_image, template or none");
}

static int create_parse_disk(struct json_object *body, struct virt_domain_create_req *out,
                             struct app_error *err)
{
    static const char *const keys[] = {"pool", "size_gib", "format", "bus", NULL};
    struct json_object *disk, *v;
    unsigned long long gib = 0;

    out->disk = out->source != VIRT_DOMAIN_CREATE_IMPORT;
    if (!json_object_object_get_ex(body, "disk", &v))
        return 0;
    if (!v) {
        out->disk = false;
        return 0;
    }
    if (out->source == VIRT_DOMAIN_CREATE_IMPORT)
        return create_refuse(err, "", "disk", "must be absent or null for an import");
    if (create_object(body, "", "disk", false, &disk, err) < 0 ||
        create_known(disk, "disk.", keys, err) < 0 ||
        create_string(disk, "disk.", "pool", false, create_pool_valid, out->disk_pool,
                      sizeof(out->disk_pool), err) < 0 ||
        create_string(disk, "disk.", "format", false, create_format_valid, out->disk_format,
                      sizeof(out->disk_format), err) < 0 ||
        create_string(disk, "disk.", "bus", false, virt_create_xml_bus_valid, out->disk_bus,
                      sizeof(out->disk_bus), err) < 0)
        return -1;
    if (create_int(disk, "size_gib", 1, VIRT_DOMAIN_CREATE_DISK_GIB_MAX, &gib, err) < 0) {
        app_error_at_range(err, "disk.", "size_gib", 1, VIRT_DOMAIN_CREATE_DISK_GIB_MAX);
        return -1;
    }
    out->disk_size_gib = (unsigned)gib;
    return 0;
}

static int create_parse_network(struct json_object *body, struct virt_domain_create_req *out,
                                struct app_error *err)
{
    static const char *const keys[] = {"network", "bridge", "user", "model", NULL};
    struct virt_device_nic_req nic;
    struct json_object *net;
    char field[sizeof(err->field)];

    out->nic = VIRT_CREATE_NIC_NONE;
    if (!json_object_object_get_ex(body, "network", &net))
        return 0;
    out->has_network = true;
    if (!net)
        return 0;
    if (create_object(body, "", "network", false, &net, err) < 0 ||
        create_known(net, "network.", keys, err) < 0)
        return -1;
    memset(&nic, 0, sizeof(nic));
    if (virt_device_xml_nic_parse(net, false, &nic, err) < 0) {
        /* the device parser names the member inside the object */
        snprintf(field, sizeof(field), "%s", err->field);
        app_error_at_field(err, "network.", field[0] ? field : "network");
        return -1;
    }
    out->nic = nic.user         ? VIRT_CREATE_NIC_USER
               : nic.has_bridge ? VIRT_CREATE_NIC_BRIDGE
                                : VIRT_CREATE_NIC_NETWORK;
    snprintf(out->nic_source, sizeof(out->nic_source), "%s",
             nic.has_bridge    ? nic.bridge
             : nic.has_network ? nic.network
                               : "");
    if (nic.has_model)
        snprintf(out->nic_model, sizeof(out->nic_model), "%s", nic.model);
    return 0;
}

int api_domain_create_parse(struct json_object *body, struct virt_domain_create_req *out,
                            struct app_error *err)
{
    static const char *const keys[] = {"name",       "title",     "description", "os",     "vcpus",
                                       "memory_mib", "firmware",  "tpm",         "source", "disk",
                                       "network",    "autostart", "start",       NULL};
    unsigned long long n = 0;
    bool tpm;

    memset(out, 0, sizeof(*out));
    out->tpm = -1;
    out->linked = true;
    if (!body || !json_object_is_type(body, json_type_object))
        return create_refuse(err, "", "body", "must be an object");
    if (create_known(body, "", keys, err) < 0 ||
        create_string(body, "", "name", true, utf8_name_file_valid, out->name, sizeof(out->name),
                      err) < 0 ||
        create_string(body, "", "title", false, NULL, out->title, sizeof(out->title), err) < 0 ||
        create_string(body, "", "description", false, NULL, out->description,
                      sizeof(out->description), err) < 0 ||
        create_string(body, "", "os", false, create_os_valid, out->os, sizeof(out->os), err) < 0 ||
        create_string(body, "", "firmware", false, create_firmware_valid, out->firmware,
                      sizeof(out->firmware), err) < 0)
        return -1;
    if (utf8_name_explain(out->title, UTF8_NAME_TITLE))
        return create_refuse(err, "", "title", utf8_name_explain(out->title, UTF8_NAME_TITLE));
    if (utf8_name_explain(out->description, UTF8_NAME_DESCRIPTION))
        return create_refuse(err, "", "description",
                             utf8_name_explain(out->description, UTF8_NAME_DESCRIPTION));
    if (create_int(body, "vcpus", 1, VIRT_CREATE_VCPUS_MAX, &n, err) < 0)
        return -1;
    out->vcpus = (unsigned)n;
    if (create_int(body, "memory_mib", 1, (long long)VIRT_CREATE_MEMORY_MIB_MAX, &out->memory_mib,
                   err) < 0)
        return -1;
    if (json_object_object_get_ex(body, "tpm", NULL)) {
        if (create_bool(body, "", "tpm", &tpm, err) < 0)
            return -1;
        out->tpm = tpm;
    }
    if (create_bool(body, "", "autostart", &out->autostart, err) < 0 ||
        create_bool(body, "", "start", &out->start, err) < 0 ||
        create_parse_source(body, out, err) < 0 || create_parse_disk(body, out, err) < 0 ||
        create_parse_network(body, out, err) < 0)
        return -1;
    /* a network install runs in the started VM only (virt_domain_create.h): it starts */
    if (out->source == VIRT_DOMAIN_CREATE_URL) {
        if (json_object_object_get_ex(body, "start", NULL) && !out->start)
            return create_refuse(err, "", "start",
                                 "must be true for a url source: the install boot exists only "
                                 "in the started VM");
        out->start = true;
    }
    return 0;
}

/* ---- the handler ---------------------------------------------------------------------- */

/* A caller held to the self-service set (a `user`) creates only from an approved
 * template or ISO, on an approved network, with its new disk in an approved pool (a
 * template's disks stay beside the template's: the admin approved those with it).
 * Returns 0, or -1 with err (403 at the field; api_self_service.h). */
static int create_check_approved(const struct api_call *call,
                                 const struct virt_domain_create_req *create, struct app_error *err)
{
    struct auth_subject subject = api_call_subject(call);
    const char *pool = create->disk_pool[0] ? create->disk_pool : "default";

    if (!auth_policy_approved_only(&subject))
        return 0;
    if (create->source == VIRT_DOMAIN_CREATE_TEMPLATE) {
        if (api_self_service_require(call, AUTH_APPROVED_TEMPLATE, NULL, create->template_uuid,
                                     "source.", "template", err) < 0)
            return -1;
    } else if (create->source == VIRT_DOMAIN_CREATE_ISO) {
        if (api_self_service_require(call, AUTH_APPROVED_ISO, create->source_pool,
                                     create->source_volume, "source.volume.", "name", err) < 0)
            return -1;
    } else {
        app_error_set(err, 403, APP_ERR_FORBIDDEN,
                      "role user creates VMs only from an approved template or ISO");
        app_error_at_field(err, "source.", "type");
        return -1;
    }
    if (api_self_service_require_nic(
            call, create->nic == VIRT_CREATE_NIC_BRIDGE, create->nic == VIRT_CREATE_NIC_USER,
            "network", create->nic == VIRT_CREATE_NIC_NETWORK ? create->nic_source : NULL,
            "network.", err) < 0)
        return -1;
    if (create->source != VIRT_DOMAIN_CREATE_TEMPLATE && create->disk)
        return api_self_service_require(call, AUTH_APPROVED_POOL, NULL, pool, "disk.", "pool", err);
    return 0;
}

static int api_domain_create_check(struct api_call *call, const struct http_request *req,
                                   struct api_reply *reply)
{
    struct virt_domain_create_req *create = api_call_state_new(call, sizeof(*create));

    if (api_domain_create_parse(call->body, create, &reply->err) < 0)
        return -1;
    return create_check_approved(call, create, &reply->err);
}

/* The bytes a full copy writes: a cloud image's allocation (linked false), or a
 * template's disks' allocations when the clone's checks pass on it (shut off, the name
 * free, every disk a pool volume); else -1 (nothing is copied whole, or the synchronous
 * create answers with its own error). Worker. */
static int create_copy_bytes(virConnectPtr conn, const struct virt_domain_create_req *create,
                             unsigned long long *bytes)
{
    struct app_error ignored;
    virDomainPtr tdom;
    virStorageVolPtr image;
    virStorageVolInfo info;
    int ret = -1;

    app_error_clear(&ignored);
    if (create->linked)
        return -1;
    if (create->source == VIRT_DOMAIN_CREATE_CLOUD_IMAGE) { /* a whole copy of the image */
        if ((image = virt_volume_lookup(conn, create->source_pool, create->source_volume, NULL,
                                        &ignored))) {
            if (virStorageVolGetInfo(image, &info) == 0) {
                *bytes = info.allocation;
                ret = 0;
            }
            virStorageVolFree(image);
        }
    } else if (create->source == VIRT_DOMAIN_CREATE_TEMPLATE &&
               (tdom = virt_domain_lookup(conn, create->template_uuid, &ignored))) {
        ret = virt_domain_clone_check(tdom, create->name, bytes, &ignored);
        virDomainFree(tdom);
    }
    virResetLastError();
    return ret;
}

/* The runner's lane: the create (a full copy of a template or a cloud image), with its
 * copies' progress. */
/* What a create job's task needs (its arg): a copy of the request, and who gets the VM. */
struct create_task {
    struct virt_domain_create_req req; /* its cloud_init owned */
    struct auth_owners *owners;        /* borrowed */
    struct auth_quota *quota;          /* borrowed */
    uint64_t ticket;                   /* the quota reservation it ends (0: none) */
    struct auth_subject subject;       /* who asked: its username is user's */
    char user[AUTH_USERNAME_MAX + 1];
};

static struct json_object *create_task_run(struct api_runner_job *job, virConnectPtr conn,
                                           void *arg, struct app_error *err)
{
    struct create_task *task = arg;
    struct api_copy_job copy;
    struct json_object *out;

    api_copy_job_start(&copy, job, conn);
    task->req.progress = &copy.progress;
    out = virt_domain_create(conn, &task->req, err);
    task->req.progress = NULL;
    api_copy_job_stop(&copy);
    /* a new VM belongs to its creator, in the step that ends its reservation */
    api_quota_settle_made(task->quota, task->ticket, task->owners, &task->subject, out);
    task->ticket = 0;
    return out;
}

static void create_task_free(void *arg)
{
    struct create_task *task = arg;

    /* a task dropped before it ran (shutdown, a full lane) gives its reservation back */
    api_quota_settle_made(task->quota, task->ticket, NULL, NULL, NULL);
    json_object_put(task->req.cloud_init);
    free(task);
}

/* The 202 answer: the copy goes to the job runner with a copy of the request, and of
 * its cloud_init (borrowed from the body, which goes with the call), and with the quota
 * reservation *ticket (then 0: the task ends it, api_quota_settle_made). */
static void api_domain_create_start(struct api_call *call, struct api_reply *reply,
                                    unsigned long long bytes, uint64_t *ticket)
{
    const struct virt_domain_create_req *create = call->state;
    struct create_task *task = xcalloc(1, sizeof(*task));
    char audit_object[sizeof(reply->audit_object)];
    struct json_object *json;
    struct app_error err;

    app_error_clear(&err);
    task->req = *create;
    task->req.cloud_init = NULL;
    task->owners = call->owners;
    snprintf(task->user, sizeof(task->user), "%s", call->session.username);
    task->subject = api_call_subject(call);
    task->subject.username = task->user;
    if (create->cloud_init &&
        json_object_deep_copy(create->cloud_init, &task->req.cloud_init, NULL) < 0) {
        free(task);
        app_error_set(&err, 500, APP_ERR_INTERNAL, "no memory to copy the request");
        api_reply_error(reply, &err);
        return;
    }
    api_job_audit_target(call, reply, audit_object, sizeof(audit_object));
    task->quota = call->quota;
    task->ticket = *ticket;
    *ticket = 0;
    json = api_runner_start(call->jobs,
                            &(struct api_runner_task){.kind = "create",
                                                      .owner = call->session.username,
                                                      .object = create->template_uuid,
                                                      .name = create->name,
                                                      .total = bytes,
                                                      .ok_status = 201,
                                                      .peer = call->peer,
                                                      .audit = call->row->audit,
                                                      .audit_object = audit_object,
                                                      .run = create_task_run,
                                                      .arg = task,
                                                      .arg_free = create_task_free},
                            &err);
    api_runner_reply(reply, json, &err);
}

static void api_domain_create_run(struct api_call *call, struct api_reply *reply)
{
    const struct virt_domain_create_req *create = call->state;
    unsigned long long bytes = 0;
    struct virt_quota_use demand;
    struct app_error err;
    uint64_t ticket = 0;

    app_error_clear(&err);
    api_reply_audit_object(reply, "domain:%s", create->name); /* the job's records name it too */
    if (api_quota_applies(call) &&
        (api_quota_create_demand(call->conn, create, &demand, &reply->err) < 0 ||
         api_quota_reserve(call, &demand, &ticket, &reply->err) < 0))
        return; /* over quota: nothing is made */
    if (create_copy_bytes(call->conn, create, &bytes) == 0 &&
        (call->prefer_async || bytes >= API_RUNNER_SYNC_MAX))
        api_domain_create_start(call, reply, bytes, &ticket); /* the job ends the ticket */
    else
        api_reply_result(reply, 201, virt_domain_create(call->conn, create, &err), &err);
    api_quota_settle_reply(call, ticket, reply); /* a new VM belongs to its creator */
}

const struct api_handler api_domain_create = {
    .check = api_domain_create_check,
    .run = api_domain_create_run,
};
