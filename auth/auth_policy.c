/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_policy: who may do what (see auth_policy.h).
 *
 * Pure logic over constant tables; any thread, no locks. The decision has three
 * steps: the role table below (what a role may ever do), capped by a token's scope
 * (the table row of the role the scope names), then the object rule
 * (auth_policy_object_allows): the action's object kind, and for a domain of a `user`
 * or a "shared only" viewer the level the subject holds on it. Anything unknown (NULL
 * subject, out-of-range role, scope or action) is refused: deny by default. */
#include "auth_policy.h"

#include <stddef.h>
#include <string.h>

#define AUTH_ROLE_COUNT   4
#define AUTH_ACTION_COUNT 18
#define AUTH_LEVEL_COUNT  5

/* auth_policy_role_table[role][action]: what each role may ever do (absent: false). */
static const bool auth_policy_role_table[AUTH_ROLE_COUNT][AUTH_ACTION_COUNT] = {
    [AUTH_ROLE_VIEWER] =
        {
            [AUTH_ACTION_HOST_READ] = true,
            [AUTH_ACTION_DOMAIN_READ] = true,
            [AUTH_ACTION_NETWORK_READ] = true,
            [AUTH_ACTION_NETWORK_LEASES] = true,
            [AUTH_ACTION_STORAGE_READ] = true,
            [AUTH_ACTION_AUDIT_READ] = true, /* the rows it may see: auth_policy_audit_reach */
        },
    [AUTH_ROLE_OPERATOR] =
        {
            [AUTH_ACTION_HOST_READ] = true,
            [AUTH_ACTION_DOMAIN_READ] = true,
            [AUTH_ACTION_DOMAIN_LIFECYCLE] = true,
            [AUTH_ACTION_DOMAIN_CONSOLE] = true,
            [AUTH_ACTION_DOMAIN_MANAGE] = true,
            [AUTH_ACTION_NETWORK_READ] = true,
            [AUTH_ACTION_NETWORK_LEASES] = true,
            [AUTH_ACTION_STORAGE_READ] = true,
            [AUTH_ACTION_AUDIT_READ] = true,
        },
    [AUTH_ROLE_ADMIN] =
        {
            [AUTH_ACTION_HOST_READ] = true,
            [AUTH_ACTION_DOMAIN_READ] = true,
            [AUTH_ACTION_DOMAIN_LIFECYCLE] = true,
            [AUTH_ACTION_DOMAIN_CONSOLE] = true,
            [AUTH_ACTION_USER_MANAGE] = true,
            [AUTH_ACTION_DOMAIN_CONFIGURE] = true,
            [AUTH_ACTION_NETWORK_READ] = true,
            [AUTH_ACTION_NETWORK_LEASES] = true,
            [AUTH_ACTION_NETWORK_MANAGE] = true,
            [AUTH_ACTION_STORAGE_READ] = true,
            [AUTH_ACTION_STORAGE_MANAGE] = true,
            [AUTH_ACTION_VOLUME_CONTENT] = true,
            [AUTH_ACTION_AUDIT_READ] = true,
            [AUTH_ACTION_DOMAIN_MANAGE] = true,
            [AUTH_ACTION_DOMAIN_XML] = true,
            [AUTH_ACTION_DOMAIN_SHARE] = true,
            [AUTH_ACTION_DOMAIN_OWNER] = true,
            [AUTH_ACTION_SELF_SERVICE] = true,
        },
    /* a user acts on its own VMs (and those shared with it: the object rule) and may
     * create VMs; it reads the networks and pools an admin approved for self-service
     * (the object rule: their level), the others are absent for it; not the networks'
     * leases, which name every VM on them (its own VMs' addresses are on each VM); it
     * manages nothing else */
    [AUTH_ROLE_USER] =
        {
            [AUTH_ACTION_HOST_READ] = true,
            [AUTH_ACTION_DOMAIN_READ] = true,
            [AUTH_ACTION_DOMAIN_LIFECYCLE] = true,
            [AUTH_ACTION_DOMAIN_CONSOLE] = true,
            [AUTH_ACTION_DOMAIN_CONFIGURE] = true,
            [AUTH_ACTION_DOMAIN_MANAGE] = true,
            [AUTH_ACTION_DOMAIN_SHARE] = true,
            [AUTH_ACTION_NETWORK_READ] = true,
            [AUTH_ACTION_STORAGE_READ] = true,
            [AUTH_ACTION_AUDIT_READ] = true,
        },
};

/* The level a `user` needs on a domain for each domain action. */
static const enum auth_level auth_policy_user_needs[AUTH_ACTION_COUNT] = {
    [AUTH_ACTION_DOMAIN_READ] = AUTH_LEVEL_VIEW,
    [AUTH_ACTION_DOMAIN_CONSOLE] = AUTH_LEVEL_CONSOLE,
    [AUTH_ACTION_DOMAIN_LIFECYCLE] = AUTH_LEVEL_OPERATE,
    [AUTH_ACTION_DOMAIN_CONFIGURE] = AUTH_LEVEL_OWNER,
    [AUTH_ACTION_DOMAIN_MANAGE] = AUTH_LEVEL_OWNER,
    [AUTH_ACTION_DOMAIN_SHARE] = AUTH_LEVEL_OWNER,
};

static const char *const auth_policy_role_names[AUTH_ROLE_COUNT] = {
    [AUTH_ROLE_VIEWER] = "viewer",
    [AUTH_ROLE_OPERATOR] = "operator",
    [AUTH_ROLE_ADMIN] = "admin",
    [AUTH_ROLE_USER] = "user",
};

static const char *const auth_policy_level_names[AUTH_LEVEL_COUNT] = {
    [AUTH_LEVEL_NONE] = "none",       [AUTH_LEVEL_VIEW] = "view",
    [AUTH_LEVEL_CONSOLE] = "console", [AUTH_LEVEL_OPERATE] = "operate",
    [AUTH_LEVEL_OWNER] = "owner",
};

/* A domain with an id, for the subject's role: may the level it holds do action? */
static bool auth_policy_domain_allows(const struct auth_subject *subject, enum auth_action action,
                                      const struct auth_object *object)
{
    if (!object->id)
        return true; /* lists filter item by item; a create makes a VM of its own */
    switch (subject->role) {
    case AUTH_ROLE_ADMIN:
    case AUTH_ROLE_OPERATOR:
        return true;
    case AUTH_ROLE_VIEWER:
        return !subject->shared_only || object->level >= AUTH_LEVEL_VIEW;
    case AUTH_ROLE_USER:
        return auth_policy_user_needs[action] != AUTH_LEVEL_NONE &&
               object->level >= auth_policy_user_needs[action];
    }
    return false;
}

/* A network or pool with an id: a `user` reads only those the self-service set gives a
 * level (auth_approved.h); every other role reads all. */
static bool auth_policy_resource_allows(const struct auth_subject *subject,
                                        const struct auth_object *object)
{
    return !object->id || subject->role != AUTH_ROLE_USER || object->level >= AUTH_LEVEL_VIEW;
}

/* The object rule: the action's kind of object, a domain's level, and for a `user` a
 * network's or pool's. */
static bool auth_policy_object_allows(const struct auth_subject *subject, enum auth_action action,
                                      const struct auth_object *object)
{
    if (!object)
        return true;
    switch (action) {
    case AUTH_ACTION_HOST_READ:
        return object->kind == AUTH_OBJECT_HOST;
    case AUTH_ACTION_DOMAIN_READ:
    case AUTH_ACTION_DOMAIN_LIFECYCLE:
    case AUTH_ACTION_DOMAIN_CONSOLE:
    case AUTH_ACTION_DOMAIN_CONFIGURE:
    case AUTH_ACTION_DOMAIN_MANAGE:
    case AUTH_ACTION_DOMAIN_XML:
    case AUTH_ACTION_DOMAIN_SHARE:
    case AUTH_ACTION_DOMAIN_OWNER:
        return object->kind == AUTH_OBJECT_DOMAIN &&
               auth_policy_domain_allows(subject, action, object);
    case AUTH_ACTION_NETWORK_READ:
    case AUTH_ACTION_NETWORK_LEASES:
        return object->kind == AUTH_OBJECT_NETWORK && auth_policy_resource_allows(subject, object);
    case AUTH_ACTION_NETWORK_MANAGE:
        return object->kind == AUTH_OBJECT_NETWORK;
    case AUTH_ACTION_STORAGE_READ:
        return object->kind == AUTH_OBJECT_POOL && auth_policy_resource_allows(subject, object);
    case AUTH_ACTION_STORAGE_MANAGE:
    case AUTH_ACTION_VOLUME_CONTENT:
        return object->kind == AUTH_OBJECT_POOL;
    case AUTH_ACTION_USER_MANAGE:
        return object->kind == AUTH_OBJECT_USER;
    case AUTH_ACTION_AUDIT_READ:
    case AUTH_ACTION_SELF_SERVICE:
        return object->kind == AUTH_OBJECT_HOST;
    }
    return false;
}

bool auth_policy_role_allows(const struct auth_subject *subject, enum auth_action action)
{
    static const int capped_by[] = {
        [AUTH_SCOPE_FULL] = -1,
        [AUTH_SCOPE_READ] = AUTH_ROLE_VIEWER,
        [AUTH_SCOPE_OPERATE] = AUTH_ROLE_OPERATOR,
    };

    if (!subject || subject->enrol_only)
        return false;
    if ((int)subject->role < 0 || (int)subject->role >= AUTH_ROLE_COUNT)
        return false;
    if ((int)subject->scope < 0 || (int)subject->scope > AUTH_SCOPE_OPERATE)
        return false;
    if ((int)action < 0 || (int)action >= AUTH_ACTION_COUNT)
        return false;
    if (capped_by[subject->scope] >= 0 &&
        !auth_policy_role_table[capped_by[subject->scope]][action])
        return false;
    return auth_policy_role_table[subject->role][action];
}

bool auth_policy_allows(const struct auth_subject *subject, enum auth_action action,
                        const struct auth_object *object)
{
    return auth_policy_role_allows(subject, action) &&
           auth_policy_object_allows(subject, action, object);
}

bool auth_policy_may_use_session(const struct auth_subject *subject)
{
    return subject && !subject->enrol_only;
}

bool auth_policy_may_manage_account(const struct auth_subject *subject)
{
    return subject && !subject->token;
}

bool auth_policy_sees(const struct auth_subject *subject, const struct auth_object *object)
{
    struct auth_subject reader;
    enum auth_action read = AUTH_ACTION_DOMAIN_READ;

    if (!subject)
        return false;
    reader = *subject;
    reader.scope = AUTH_SCOPE_FULL; /* every scope reads */
    if (object && object->kind == AUTH_OBJECT_NETWORK)
        read = AUTH_ACTION_NETWORK_READ;
    else if (object && object->kind == AUTH_OBJECT_POOL)
        read = AUTH_ACTION_STORAGE_READ;
    return auth_policy_allows(&reader, read, object);
}

bool auth_policy_approved_only(const struct auth_subject *subject)
{
    return !subject || subject->role == AUTH_ROLE_USER; /* deny by default */
}

bool auth_policy_sees_every_domain(const struct auth_subject *subject)
{
    return subject && (subject->role == AUTH_ROLE_ADMIN || subject->role == AUTH_ROLE_OPERATOR ||
                       (subject->role == AUTH_ROLE_VIEWER && !subject->shared_only));
}

enum auth_audit_reach auth_policy_audit_reach(const struct auth_subject *subject)
{
    if (!auth_policy_role_allows(subject, AUTH_ACTION_AUDIT_READ))
        return AUTH_AUDIT_NONE;
    if (subject->role == AUTH_ROLE_ADMIN && subject->scope == AUTH_SCOPE_FULL)
        return AUTH_AUDIT_ALL;
    if (auth_policy_sees_every_domain(subject))
        return AUTH_AUDIT_EVERY_DOMAIN;
    return AUTH_AUDIT_VISIBLE_DOMAINS;
}

bool auth_policy_quota_applies(const struct auth_subject *subject)
{
    return subject && subject->role == AUTH_ROLE_USER;
}

bool auth_policy_may_grant(const struct auth_subject *subject, enum auth_role scope)
{
    if (!subject || (int)subject->role < 0 || (int)subject->role >= AUTH_ROLE_COUNT)
        return false;
    switch (scope) { /* and a token never makes a token of more than its own scope */
    case AUTH_ROLE_VIEWER:
        return true;
    case AUTH_ROLE_OPERATOR:
        return subject->role != AUTH_ROLE_VIEWER && subject->scope != AUTH_SCOPE_READ;
    case AUTH_ROLE_ADMIN:
        return subject->role == AUTH_ROLE_ADMIN && subject->scope == AUTH_SCOPE_FULL;
    case AUTH_ROLE_USER:
        return false; /* not a scope */
    }
    return false;
}

enum auth_scope auth_policy_token_scope(enum auth_role scope)
{
    switch (scope) {
    case AUTH_ROLE_VIEWER:
        return AUTH_SCOPE_READ;
    case AUTH_ROLE_OPERATOR:
        return AUTH_SCOPE_OPERATE;
    case AUTH_ROLE_ADMIN:
        return AUTH_SCOPE_FULL;
    case AUTH_ROLE_USER:
        break;
    }
    return AUTH_SCOPE_READ; /* never more than reading for a value that is no scope */
}

/* names[i] == name: i, else -1. */
static int auth_policy_name_index(const char *const *names, int count, const char *name)
{
    for (int i = 0; name && i < count; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

int auth_role_parse(const char *name, enum auth_role *out)
{
    int i = auth_policy_name_index(auth_policy_role_names, AUTH_ROLE_COUNT, name);

    if (i >= 0 && out)
        *out = (enum auth_role)i;
    return i >= 0 ? 0 : -1;
}

const char *auth_role_name(enum auth_role role)
{
    if ((int)role < 0 || (int)role >= AUTH_ROLE_COUNT)
        return "unknown";
    return auth_policy_role_names[role];
}

int auth_level_parse(const char *name, enum auth_level *out)
{
    int i = auth_policy_name_index(auth_policy_level_names, AUTH_LEVEL_COUNT, name);

    if (i >= 0 && out)
        *out = (enum auth_level)i;
    return i >= 0 ? 0 : -1;
}

const char *auth_level_name(enum auth_level level)
{
    if ((int)level < 0 || (int)level >= AUTH_LEVEL_COUNT)
        return "unknown";
    return auth_policy_level_names[level];
}

int auth_role_count(void)
{
    return AUTH_ROLE_COUNT;
}
