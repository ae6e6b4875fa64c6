/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_route: libFuzzer target for route_match (server/http/route.h), which sees every
 * request path a client sends. Runs on libFuzzer's thread; no state between inputs.
 *
 * Input: the path (bytes up to the first NUL). Invariants checked beyond "no crash":
 * the {uuid}/{action} segments are NUL-terminated within ROUTE_PARAM_MAX, non-empty when
 * their route needs them and never contain '/'; a refused path leaves a zeroed match;
 * non-/api/ paths are the public static UI; an /api/ match rebuilds exactly the path it
 * came from; websocket and public flags belong only to their routes; the Allow header
 * never overruns its buffer; every allowed method has exactly one row of the matched
 * route, and the table's checks (route_authorize for each role, the {action} and the
 * query checks, with the path as the query) answer 0 or a 400/403 with a message; a
 * volume name the checks let through passes the name rule (util/utf8_name.h). */
#include <stdio.h>
#include <string.h>

#include "fuzz_input.h"
#include "http/route.h"
#include "util/utf8_name.h"

#define FUZZ_ROUTE_ALL_METHODS                                                                     \
    (HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE | HTTP_OPTIONS)

/* The path a match came from, or NULL for ROUTE_NONE/ROUTE_STATIC (caller frees). */
static char *fuzz_route_rebuild(const struct route_match *m)
{
    const char *u = m->uuid, *n = m->name, *i = m->item, *a = m->action;

    switch (m->id) {
    case ROUTE_LOGIN:
        return xstrdup("/api/login");
    case ROUTE_LOGOUT:
        return xstrdup("/api/logout");
    case ROUTE_SESSION:
        return xstrdup("/api/session");
    case ROUTE_HOST:
        return xstrdup("/api/host");
    case ROUTE_HOST_CAPABILITIES:
        return xstrdup("/api/host/capabilities");
    case ROUTE_OS:
        return xstrdup("/api/os");
    case ROUTE_EVENTS:
        return xstrdup("/api/events");
    case ROUTE_DOMAINS:
        return xstrdup("/api/domains");
    case ROUTE_DOMAIN:
        return xasprintf("/api/domains/%s", u);
    case ROUTE_DOMAIN_ACTION:
    case ROUTE_CONSOLE:
    case ROUTE_SERIAL:
        return xasprintf("/api/domains/%s/%s", u, a);
    case ROUTE_DOMAIN_ADDRESSES:
        return xasprintf("/api/domains/%s/addresses", u);
    case ROUTE_DOMAIN_METADATA:
        return xasprintf("/api/domains/%s/metadata", u);
    case ROUTE_DOMAIN_TEMPLATE:
        return xasprintf("/api/domains/%s/template", u);
    case ROUTE_DOMAIN_VOLUMES:
        return xasprintf("/api/domains/%s/volumes", u);
    case ROUTE_DOMAIN_CLONE:
        return xasprintf("/api/domains/%s/clone", u);
    case ROUTE_DOMAIN_XML:
        return xasprintf("/api/domains/%s/xml", u);
    case ROUTE_DOMAIN_DISKS:
        return xasprintf("/api/domains/%s/disks", u);
    case ROUTE_DOMAIN_DISK:
        return xasprintf("/api/domains/%s/disks/%s", u, i);
    case ROUTE_DOMAIN_DISK_MEDIA:
        return xasprintf("/api/domains/%s/disks/%s/media", u, i);
    case ROUTE_DOMAIN_INTERFACES:
        return xasprintf("/api/domains/%s/interfaces", u);
    case ROUTE_DOMAIN_INTERFACE:
        return xasprintf("/api/domains/%s/interfaces/%s", u, i);
    case ROUTE_DOMAIN_SNAPSHOTS:
        return xasprintf("/api/domains/%s/snapshots", u);
    case ROUTE_DOMAIN_SNAPSHOT:
        return xasprintf("/api/domains/%s/snapshots/%s", u, i);
    case ROUTE_DOMAIN_SNAPSHOT_ACTION:
        return xasprintf("/api/domains/%s/snapshots/%s/%s", u, i, a);
    case ROUTE_NETWORKS:
        return xstrdup("/api/networks");
    case ROUTE_NETWORK:
        return xasprintf("/api/networks/%s", n);
    case ROUTE_NETWORK_LEASES:
        return xasprintf("/api/networks/%s/leases", n);
    case ROUTE_NETWORK_ACTION:
        return xasprintf("/api/networks/%s/%s", n, a);
    case ROUTE_POOLS:
        return xstrdup("/api/pools");
    case ROUTE_POOL:
        return xasprintf("/api/pools/%s", n);
    case ROUTE_POOL_ACTION:
        return xasprintf("/api/pools/%s/%s", n, a);
    case ROUTE_VOLUMES:
        return xasprintf("/api/pools/%s/volumes", n);
    case ROUTE_VOLUME:
        return xasprintf("/api/pools/%s/volumes/%s", n, i);
    case ROUTE_VOLUME_ACTION:
        return xasprintf("/api/pools/%s/volumes/%s/%s", n, i, a);
    case ROUTE_VOLUME_CONTENT:
        return xasprintf("/api/pools/%s/volumes/%s/content", n, i);
    case ROUTE_JOBS:
        return xstrdup("/api/jobs");
    case ROUTE_JOB:
        return xasprintf("/api/jobs/%s", n);
    case ROUTE_TOKENS:
        return xstrdup("/api/tokens");
    case ROUTE_TOKEN:
        return xasprintf("/api/tokens/%s", n);
    case ROUTE_AUDIT:
        return xstrdup("/api/audit");
    case ROUTE_USERS:
        return xstrdup("/api/users");
    case ROUTE_USER:
        return xasprintf("/api/users/%s", n);
    case ROUTE_ACCOUNT:
        return xstrdup("/api/account");
    case ROUTE_ACCOUNT_PASSWORD:
        return xstrdup("/api/account/password");
    case ROUTE_ACCOUNT_TOTP:
        return xstrdup("/api/account/totp");
    case ROUTE_ACCOUNT_TOTP_CONFIRM:
        return xstrdup("/api/account/totp/confirm");
    case ROUTE_ACCOUNT_SESSIONS:
        return xstrdup("/api/account/sessions");
    case ROUTE_ACCOUNT_SESSION:
        return xasprintf("/api/account/sessions/%s", n);
    case ROUTE_ACCOUNT_LOGOUT_ALL:
        return xstrdup("/api/account/logout-all");
    case ROUTE_DOMAIN_OWNER:
        return xasprintf("/api/domains/%s/owner", u);
    case ROUTE_DOMAIN_SHARES:
        return xasprintf("/api/domains/%s/shares", u);
    case ROUTE_OWNERS:
        return xstrdup("/api/owners");
    case ROUTE_GROUPS:
        return xstrdup("/api/groups");
    case ROUTE_GROUP:
        return xasprintf("/api/groups/%s", n);
    case ROUTE_SELF_SERVICE:
        return xstrdup("/api/self-service");
    case ROUTE_QUOTA:
        return xstrdup("/api/quota");
    case ROUTE_USER_QUOTA:
        return xasprintf("/api/users/%s/quota", n);
    case ROUTE_GROUP_QUOTA:
        return xasprintf("/api/groups/%s/quota", n);
    case ROUTE_METRICS:
        return xstrdup("/metrics");
    case ROUTE_HOST_METRICS:
        return xstrdup("/api/host/metrics");
    case ROUTE_DOMAIN_METRICS:
        return xasprintf("/api/domains/%s/metrics", u);
    case ROUTE_ALERT_RULES:
        return xstrdup("/api/alerts/rules");
    case ROUTE_ALERT_RULE:
        return xasprintf("/api/alerts/rules/%s", n);
    case ROUTE_ALERTS:
        return xstrdup("/api/alerts");
    default:
        return NULL;
    }
}

/* Which routes carry which parameter, and which may change state. */
static bool fuzz_route_in(enum route_id id, const enum route_id *set, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (set[k] == id)
            return true;
    return false;
}

#define FUZZ_ROUTE_IN(id, ...)                                                                     \
    fuzz_route_in((id), (const enum route_id[]){__VA_ARGS__},                                      \
                  sizeof((const enum route_id[]){__VA_ARGS__}) / sizeof(enum route_id))

static void fuzz_route_check_param(const char *param, bool required)
{
    const char *nul = memchr(param, '\0', ROUTE_PARAM_MAX);

    FUZZ_ASSERT(nul != NULL);
    FUZZ_ASSERT(!memchr(param, '/', (size_t)(nul - param)));
    FUZZ_ASSERT(required ? param[0] != '\0' : param[0] == '\0');
}

static void fuzz_route_check_allow_header(unsigned methods, size_t outlen)
{
    char full[128];
    char part[128];

    route_allow_header(methods, full, sizeof(full));
    memset(part, 'X', sizeof(part));
    route_allow_header(methods, part, outlen);
    FUZZ_ASSERT(memchr(part, '\0', outlen) != NULL);
    FUZZ_ASSERT(strncmp(full, part, strlen(part)) == 0);
    /* Nothing written past outlen. */
    for (size_t i = outlen; i < sizeof(part); i++)
        FUZZ_ASSERT(part[i] == 'X');
}

/* Every allowed method has its row; the checks of each row answer sanely. */
static void fuzz_route_check_rows(const struct route_match *m, const char *query)
{
    static const enum http_method methods[] = {HTTP_GET,   HTTP_HEAD,   HTTP_POST,    HTTP_PUT,
                                               HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS, HTTP_OTHER};

    FUZZ_ASSERT(m->rows && m->nrows >= 1);
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        const struct route_row *row = route_row_for(m, methods[i]);
        struct app_error err;

        FUZZ_ASSERT((row != NULL) == route_allows(m, methods[i]));
        if (!row)
            continue;
        FUZZ_ASSERT(row->route == m->id && (row->methods & (unsigned)methods[i]));
        for (int role = -1; role <= AUTH_ROLE_USER; role++) {
            /* kind 1: an API token; kind 2: a session that must enrol TOTP first */
            for (int kind = 0; kind < 3 && (kind == 0 || role >= 0); kind++) {
                for (int level = AUTH_LEVEL_NONE; level <= AUTH_LEVEL_OWNER; level++) {
                    struct auth_subject subject = {.username = "fuzz",
                                                   .role = (enum auth_role)(role < 0 ? 0 : role),
                                                   .token = kind == 1,
                                                   .enrol_only = kind == 2};
                    bool hidden = false;
                    int rc;

                    app_error_clear(&err);
                    rc = route_authorize(m, methods[i], role < 0 ? NULL : &subject,
                                         (enum auth_level)level, &hidden, &err);
                    if (rc < 0)
                        FUZZ_ASSERT((err.status == 400 || err.status == 401 || err.status == 403) &&
                                    err.message[0]);
                    else /* a VM the subject holds a level on is never hidden from it */
                        FUZZ_ASSERT(!hidden || level == AUTH_LEVEL_NONE);
                    /* a token never reaches the account; enrolment reaches little else */
                    if (rc == 0 && kind == 1)
                        FUZZ_ASSERT(row->access != ROUTE_ACCESS_ACCOUNT);
                    if (rc == 0 && kind == 2)
                        FUZZ_ASSERT(row->access == ROUTE_ACCESS_ACCOUNT ||
                                    row->access == ROUTE_ACCESS_ANY ||
                                    row->access == ROUTE_ACCESS_PUBLIC);
                }
            }
        }
        app_error_clear(&err);
        /* a volume that passes is a name in any script, but never one out of its pool */
        if (row->param == ROUTE_PARAM_ITEM && route_check_object(row, m, &err) == 0)
            FUZZ_ASSERT(utf8_name_file_valid(m->item) && !strchr(m->item, '/') &&
                        strcmp(m->item, "..") != 0 && strcmp(m->item, ".") != 0);
        app_error_clear(&err);
        if (route_check_action(row, m, &err) < 0)
            FUZZ_ASSERT(err.status == 400 && row->unknown);
        app_error_clear(&err);
        if (route_check_query(row, query, &err) < 0)
            FUZZ_ASSERT(err.status == 400 && row->query);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = fuzz_input_cstr(data, size);
    char *rebuilt = NULL;
    struct route_match m;
    bool is_api = strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0;
    int r;

    memset(&m, 0xa5, sizeof(m));
    r = route_match(path, &m);
    FUZZ_ASSERT(r == 0 || r == -1);
    fuzz_route_check_param(
        m.uuid,
        FUZZ_ROUTE_IN(m.id, ROUTE_DOMAIN, ROUTE_DOMAIN_ACTION, ROUTE_CONSOLE, ROUTE_SERIAL,
                      ROUTE_DOMAIN_ADDRESSES, ROUTE_DOMAIN_METADATA, ROUTE_DOMAIN_TEMPLATE,
                      ROUTE_DOMAIN_VOLUMES, ROUTE_DOMAIN_CLONE, ROUTE_DOMAIN_XML,
                      ROUTE_DOMAIN_DISKS, ROUTE_DOMAIN_DISK, ROUTE_DOMAIN_DISK_MEDIA,
                      ROUTE_DOMAIN_INTERFACES, ROUTE_DOMAIN_INTERFACE, ROUTE_DOMAIN_SNAPSHOTS,
                      ROUTE_DOMAIN_SNAPSHOT, ROUTE_DOMAIN_SNAPSHOT_ACTION, ROUTE_DOMAIN_OWNER,
                      ROUTE_DOMAIN_SHARES, ROUTE_DOMAIN_METRICS));
    fuzz_route_check_param(
        m.name, FUZZ_ROUTE_IN(m.id, ROUTE_NETWORK, ROUTE_NETWORK_LEASES, ROUTE_NETWORK_ACTION,
                              ROUTE_POOL, ROUTE_POOL_ACTION, ROUTE_VOLUMES, ROUTE_VOLUME,
                              ROUTE_VOLUME_ACTION, ROUTE_VOLUME_CONTENT, ROUTE_JOB, ROUTE_TOKEN,
                              ROUTE_USER, ROUTE_GROUP, ROUTE_ACCOUNT_SESSION, ROUTE_USER_QUOTA,
                              ROUTE_GROUP_QUOTA, ROUTE_ALERT_RULE));
    fuzz_route_check_param(m.item,
                           FUZZ_ROUTE_IN(m.id, ROUTE_DOMAIN_DISK, ROUTE_DOMAIN_DISK_MEDIA,
                                         ROUTE_DOMAIN_INTERFACE, ROUTE_VOLUME, ROUTE_VOLUME_ACTION,
                                         ROUTE_VOLUME_CONTENT, ROUTE_DOMAIN_SNAPSHOT,
                                         ROUTE_DOMAIN_SNAPSHOT_ACTION));
    fuzz_route_check_param(m.action,
                           FUZZ_ROUTE_IN(m.id, ROUTE_DOMAIN_ACTION, ROUTE_CONSOLE, ROUTE_SERIAL,
                                         ROUTE_NETWORK_ACTION, ROUTE_POOL_ACTION,
                                         ROUTE_VOLUME_ACTION, ROUTE_DOMAIN_SNAPSHOT_ACTION));
    FUZZ_ASSERT(m.id != ROUTE_CONSOLE || strcmp(m.action, "console") == 0);
    FUZZ_ASSERT(m.id != ROUTE_SERIAL || strcmp(m.action, "serial") == 0);
    if (r < 0) {
        FUZZ_ASSERT(is_api);
        FUZZ_ASSERT(m.id == ROUTE_NONE && m.methods == 0 && !m.websocket && !m.public_route);
        goto cleanup;
    }
    FUZZ_ASSERT(m.methods != 0 && (m.methods & ~(unsigned)FUZZ_ROUTE_ALL_METHODS) == 0);
    FUZZ_ASSERT(m.websocket ==
                (m.id == ROUTE_EVENTS || m.id == ROUTE_CONSOLE || m.id == ROUTE_SERIAL));
    FUZZ_ASSERT(m.public_route == (m.id == ROUTE_STATIC || m.id == ROUTE_LOGIN));
    /* Only these routes may change state, each with its own methods. */
    FUZZ_ASSERT(!route_allows(&m, HTTP_POST) ||
                FUZZ_ROUTE_IN(m.id, ROUTE_LOGIN, ROUTE_LOGOUT, ROUTE_DOMAINS, ROUTE_DOMAIN_ACTION,
                              ROUTE_DOMAIN_TEMPLATE, ROUTE_DOMAIN_DISKS, ROUTE_DOMAIN_INTERFACES,
                              ROUTE_NETWORKS, ROUTE_NETWORK_ACTION, ROUTE_POOLS, ROUTE_POOL_ACTION,
                              ROUTE_VOLUMES, ROUTE_VOLUME_ACTION, ROUTE_DOMAIN_SNAPSHOTS,
                              ROUTE_DOMAIN_SNAPSHOT_ACTION, ROUTE_DOMAIN_CLONE, ROUTE_TOKENS,
                              ROUTE_USERS, ROUTE_GROUPS, ROUTE_ACCOUNT_PASSWORD, ROUTE_ACCOUNT_TOTP,
                              ROUTE_ACCOUNT_TOTP_CONFIRM, ROUTE_ACCOUNT_LOGOUT_ALL,
                              ROUTE_ALERT_RULES));
    FUZZ_ASSERT(!route_allows(&m, HTTP_PUT) ||
                FUZZ_ROUTE_IN(m.id, ROUTE_DOMAIN_METADATA, ROUTE_DOMAIN_XML,
                              ROUTE_DOMAIN_DISK_MEDIA, ROUTE_VOLUME_CONTENT, ROUTE_DOMAIN_OWNER,
                              ROUTE_DOMAIN_SHARES, ROUTE_OWNERS, ROUTE_SELF_SERVICE,
                              ROUTE_USER_QUOTA, ROUTE_GROUP_QUOTA));
    FUZZ_ASSERT(!route_allows(&m, HTTP_DELETE) ||
                FUZZ_ROUTE_IN(m.id, ROUTE_DOMAIN, ROUTE_DOMAIN_DISK, ROUTE_DOMAIN_DISK_MEDIA,
                              ROUTE_DOMAIN_INTERFACE, ROUTE_NETWORK, ROUTE_POOL, ROUTE_VOLUME,
                              ROUTE_DOMAIN_SNAPSHOT, ROUTE_TOKEN, ROUTE_USER, ROUTE_GROUP,
                              ROUTE_ACCOUNT_TOTP, ROUTE_ACCOUNT_SESSION, ROUTE_ALERT_RULE));
    FUZZ_ASSERT(!route_allows(&m, HTTP_PATCH) ||
                FUZZ_ROUTE_IN(m.id, ROUTE_DOMAIN, ROUTE_DOMAIN_DISK, ROUTE_DOMAIN_INTERFACE,
                              ROUTE_USER, ROUTE_GROUP));
    FUZZ_ASSERT(!route_allows(&m, HTTP_OTHER));
    /* outside /api: the UI's files, or exactly /metrics (the scrape token opens it too) */
    FUZZ_ASSERT(m.scrape == (m.id == ROUTE_METRICS));
    FUZZ_ASSERT(m.id != ROUTE_METRICS || (!is_api && m.methods == (HTTP_GET | HTTP_HEAD)));
    if (!is_api && m.id != ROUTE_METRICS) {
        FUZZ_ASSERT(m.id == ROUTE_STATIC);
    } else {
        rebuilt = fuzz_route_rebuild(&m);
        FUZZ_ASSERT(rebuilt != NULL);
        FUZZ_ASSERT(strcmp(rebuilt, path) == 0);
    }
    fuzz_route_check_allow_header(m.methods, 1 + strlen(path) % 40);
    fuzz_route_check_rows(&m, path);

cleanup:
    free(rebuilt);
    free(path);
    return 0;
}
