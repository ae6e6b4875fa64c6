/* auth_policy: the one place that decides who may do what to which object.
 *
 * Every authorization check in virtdeck calls auth_policy_allows(); nothing else
 * looks at roles. Pure logic, any thread. Per-VM ownership (a later issue) adds
 * itself here through struct auth_object's owner field, so callers already pass
 * the object they act on. */
#pragma once

#include <stdbool.h>

enum auth_role {
    AUTH_ROLE_VIEWER = 0,
    AUTH_ROLE_OPERATOR = 1,
    AUTH_ROLE_ADMIN = 2,
};

enum auth_action {
    AUTH_ACTION_HOST_READ,        /* GET /api/host */
    AUTH_ACTION_DOMAIN_READ,      /* list, detail, events */
    AUTH_ACTION_DOMAIN_LIFECYCLE, /* start, shutdown, destroy, reboot, reset, suspend, resume;
                                   * snapshots: take, revert, delete */
    AUTH_ACTION_DOMAIN_CONSOLE,   /* open a graphical or serial console */
    AUTH_ACTION_USER_MANAGE,      /* add/remove users, change roles */
    AUTH_ACTION_DOMAIN_CONFIGURE, /* attach/detach/change a VM's disks and interfaces */
    AUTH_ACTION_NETWORK_READ,     /* list networks, their leases */
    AUTH_ACTION_NETWORK_MANAGE,   /* create, start, stop, autostart, delete networks */
    AUTH_ACTION_STORAGE_READ,     /* list pools and volumes */
    AUTH_ACTION_STORAGE_MANAGE,   /* create/change/delete pools and volumes */
    AUTH_ACTION_VOLUME_CONTENT,   /* upload or download a volume's bytes */
    AUTH_ACTION_AUDIT_READ,       /* read the audit log (GET /api/audit) */
};

enum auth_object_kind {
    AUTH_OBJECT_HOST,
    AUTH_OBJECT_DOMAIN,
    AUTH_OBJECT_USER,
    AUTH_OBJECT_NETWORK,
    AUTH_OBJECT_POOL,
};

struct auth_subject {
    const char *username; /* borrowed */
    enum auth_role role;
};

struct auth_object {
    enum auth_object_kind kind;
    const char *id; /* borrowed: domain UUID, user/network/pool name; NULL for the host */
};

/* True if subject may perform action on object (object may be NULL for "any"). */
bool auth_policy_allows(const struct auth_subject *subject, enum auth_action action,
                        const struct auth_object *object);

/* True if subject may give an API token the rights of scope: a token never exceeds its
 * user (read ⊂ operate ⊂ admin follows viewer ⊂ operator ⊂ admin). */
bool auth_policy_may_grant(const struct auth_subject *subject, enum auth_role scope);

/* "admin"/"operator"/"viewer" <-> enum. Returns 0, or -1 for an unknown name. */
int auth_role_parse(const char *name, enum auth_role *out) __attribute__((warn_unused_result));
const char *auth_role_name(enum auth_role role);
/* How many roles there are: the values 0..auth_role_count()-1 of enum auth_role. */
int auth_role_count(void);
