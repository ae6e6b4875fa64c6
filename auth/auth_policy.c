/* auth_policy: who may do what (see auth_policy.h).
 *
 * Pure logic over constant tables; any thread, no locks. The decision has two
 * steps: the role table below (what a role may ever do), then the object rule
 * (auth_policy_object_allows), where per-VM ownership will slot in later. Anything
 * unknown (NULL subject, out-of-range role or action) is refused: deny by default. */
#include "auth_policy.h"

#include <stddef.h>
#include <string.h>

#define AUTH_ROLE_COUNT   3
#define AUTH_ACTION_COUNT 12

/* auth_policy_role_table[role][action]: what each role may ever do. */
static const bool auth_policy_role_table[AUTH_ROLE_COUNT][AUTH_ACTION_COUNT] = {
    [AUTH_ROLE_VIEWER] =
        {
            [AUTH_ACTION_HOST_READ] = true,
            [AUTH_ACTION_DOMAIN_READ] = true,
            [AUTH_ACTION_DOMAIN_LIFECYCLE] = false,
            [AUTH_ACTION_DOMAIN_CONSOLE] = false,
            [AUTH_ACTION_USER_MANAGE] = false,
            [AUTH_ACTION_DOMAIN_CONFIGURE] = false,
            [AUTH_ACTION_NETWORK_READ] = true,
            [AUTH_ACTION_NETWORK_MANAGE] = false,
            [AUTH_ACTION_STORAGE_READ] = true,
            [AUTH_ACTION_STORAGE_MANAGE] = false,
            [AUTH_ACTION_VOLUME_CONTENT] = false,
            [AUTH_ACTION_AUDIT_READ] = false,
        },
    [AUTH_ROLE_OPERATOR] =
        {
            [AUTH_ACTION_HOST_READ] = true,
            [AUTH_ACTION_DOMAIN_READ] = true,
            [AUTH_ACTION_DOMAIN_LIFECYCLE] = true,
            [AUTH_ACTION_DOMAIN_CONSOLE] = true,
            [AUTH_ACTION_USER_MANAGE] = false,
            [AUTH_ACTION_DOMAIN_CONFIGURE] = false,
            [AUTH_ACTION_NETWORK_READ] = true,
            [AUTH_ACTION_NETWORK_MANAGE] = false,
            [AUTH_ACTION_STORAGE_READ] = true,
            [AUTH_ACTION_STORAGE_MANAGE] = false,
            [AUTH_ACTION_VOLUME_CONTENT] = false,
            [AUTH_ACTION_AUDIT_READ] = false,
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
            [AUTH_ACTION_NETWORK_MANAGE] = true,
            [AUTH_ACTION_STORAGE_READ] = true,
            [AUTH_ACTION_STORAGE_MANAGE] = true,
            [AUTH_ACTION_VOLUME_CONTENT] = true,
            [AUTH_ACTION_AUDIT_READ] = true,
        },
};

static const char *const auth_policy_role_names[AUTH_ROLE_COUNT] = {
    [AUTH_ROLE_VIEWER] = "viewer",
    [AUTH_ROLE_OPERATOR] = "operator",
    [AUTH_ROLE_ADMIN] = "admin",
};

/* The object rule. Today every object a role may act on is shared by all users of
 * that role, so only the pairing of action and object kind is checked. Per-VM
 * ownership adds its test here (e.g. a domain's owner against subject->username). */
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
        return object->kind == AUTH_OBJECT_DOMAIN;
    case AUTH_ACTION_NETWORK_READ:
    case AUTH_ACTION_NETWORK_MANAGE:
        return object->kind == AUTH_OBJECT_NETWORK;
    case AUTH_ACTION_STORAGE_READ:
    case AUTH_ACTION_STORAGE_MANAGE:
    case AUTH_ACTION_VOLUME_CONTENT:
        return object->kind == AUTH_OBJECT_POOL;
    case AUTH_ACTION_USER_MANAGE:
        return object->kind == AUTH_OBJECT_USER;
    case AUTH_ACTION_AUDIT_READ:
        return object->kind == AUTH_OBJECT_HOST;
    }
    return false;
}

bool auth_policy_allows(const struct auth_subject *subject, enum auth_action action,
                        const struct auth_object *object)
{
    if (!subject)
        return false;
    if ((int)subject->role < 0 || (int)subject->role >= AUTH_ROLE_COUNT)
        return false;
    if ((int)action < 0 || (int)action >= AUTH_ACTION_COUNT)
        return false;
    if (!auth_policy_role_table[subject->role][action])
        return false;
    return auth_policy_object_allows(subject, action, object);
}

bool auth_policy_may_grant(const struct auth_subject *subject, enum auth_role scope)
{
    if (!subject || (int)subject->role < 0 || (int)subject->role >= AUTH_ROLE_COUNT)
        return false;
    if ((int)scope < 0 || (int)scope >= AUTH_ROLE_COUNT)
        return false;
    return scope <= subject->role;
}

int auth_role_parse(const char *name, enum auth_role *out)
{
    int ret = -1;

    if (!name)
        goto cleanup;
    for (int i = 0; i < AUTH_ROLE_COUNT; i++) {
        if (strcmp(name, auth_policy_role_names[i]) == 0) {
            if (out)
                *out = (enum auth_role)i;
            ret = 0;
            break;
        }
    }

cleanup:
    return ret;
}

const char *auth_role_name(enum auth_role role)
{
    if ((int)role < 0 || (int)role >= AUTH_ROLE_COUNT)
        return "unknown";
    return auth_policy_role_names[role];
}

int auth_role_count(void)
{
    return AUTH_ROLE_COUNT;
}
