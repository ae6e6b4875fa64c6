/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_policy: the one place that decides who may do what to which object.
 *
 * Every authorization check in virtdeck calls auth_policy_allows(); nothing else
 * looks at roles. Pure logic, any thread. A domain's ownership reaches the decision
 * through struct auth_object's level (what auth_owners.h's index says the subject
 * holds on it), so the policy stays pure: it never reads the database or the index. */
#pragma once

#include <stdbool.h>

/* Roles are stored as text ("admin", ...), so the numbers are free; a token scope is
 * named by the role whose rights it keeps (read: viewer, operate: operator, admin). */
enum auth_role {
    AUTH_ROLE_VIEWER = 0,
    AUTH_ROLE_OPERATOR = 1,
    AUTH_ROLE_ADMIN = 2,
    AUTH_ROLE_USER = 3, /* self-service: only the VMs it owns or that are shared with it */
};

enum auth_action {
    AUTH_ACTION_HOST_READ,        /* GET /api/host */
    AUTH_ACTION_DOMAIN_READ,      /* list, detail, events */
    AUTH_ACTION_DOMAIN_LIFECYCLE, /* start, shutdown, destroy, reboot, reset, suspend, resume;
                                   * snapshots: take, revert, delete; create (no object id) */
    AUTH_ACTION_DOMAIN_CONSOLE,   /* open a graphical or serial console */
    AUTH_ACTION_USER_MANAGE,      /* add/remove users, change roles, groups */
    AUTH_ACTION_DOMAIN_CONFIGURE, /* attach/detach/change a VM's disks and interfaces */
    AUTH_ACTION_NETWORK_READ,     /* list networks, their leases */
    AUTH_ACTION_NETWORK_MANAGE,   /* create, start, stop, autostart, delete networks */
    AUTH_ACTION_STORAGE_READ,     /* list pools and volumes */
    AUTH_ACTION_STORAGE_MANAGE,   /* create/change/delete pools and volumes */
    AUTH_ACTION_VOLUME_CONTENT,   /* upload or download a volume's bytes */
    AUTH_ACTION_AUDIT_READ,       /* read the audit log (GET /api/audit): which rows is
                                   * auth_policy_audit_reach */
    AUTH_ACTION_DOMAIN_MANAGE,    /* delete, clone, size (PATCH), title, template mark */
    AUTH_ACTION_DOMAIN_XML,       /* read or replace a domain's raw XML (secrets, host paths) */
    AUTH_ACTION_DOMAIN_SHARE,     /* read or replace a domain's shares */
    AUTH_ACTION_DOMAIN_OWNER,     /* give a domain to another owner */
    AUTH_ACTION_SELF_SERVICE,     /* choose what users may create from (PUT /api/self-service) */
    AUTH_ACTION_NETWORK_LEASES,   /* a network's DHCP leases: every VM's MAC, address, host */
};

enum auth_object_kind {
    AUTH_OBJECT_HOST,
    AUTH_OBJECT_DOMAIN,
    AUTH_OBJECT_USER,
    AUTH_OBJECT_NETWORK,
    AUTH_OBJECT_POOL,
};

/* What a subject holds on one domain: its owner's all, or the best share it has (its
 * own or one of its groups'). Ordered: each level includes the ones below. */
enum auth_level {
    AUTH_LEVEL_NONE = 0,
    AUTH_LEVEL_VIEW,    /* read */
    AUTH_LEVEL_CONSOLE, /* read, console */
    AUTH_LEVEL_OPERATE, /* read, console, lifecycle and snapshots */
    AUTH_LEVEL_OWNER,   /* every VM action: configure, clone, delete, shares */
};

/* An API token's cap on its user's rights (zero: none, a login session). */
enum auth_scope {
    AUTH_SCOPE_FULL = 0,
    AUTH_SCOPE_READ,    /* what a viewer may do, within the user's rights */
    AUTH_SCOPE_OPERATE, /* what an operator may do, within the user's rights */
};

struct auth_subject {
    const char *username; /* borrowed */
    enum auth_role role;
    enum auth_scope scope;
    bool shared_only; /* a viewer who sees only what is shared with it (auth_owners.h) */
    bool token;       /* the request carried an API token, not a login session's cookie */
    bool enrol_only;  /* a session that must enrol a second factor (TOTP) before anything
                       * else: it has no right at all, only the account routes */
};

struct auth_object {
    enum auth_object_kind kind;
    const char *id;        /* borrowed: domain UUID, user/network/pool name; NULL for the
                            * host, or for "any" (lists, creates) */
    enum auth_level level; /* a domain: what the subject holds on it (auth_owners_level);
                            * a network or pool (a volume: its pool's id, the volume's
                            * level): VIEW when the self-service set lists it for users
                            * (auth_approved_level), else NONE */
};

/* True if subject may perform action on object (object may be NULL for "any"). */
bool auth_policy_allows(const struct auth_subject *subject, enum auth_action action,
                        const struct auth_object *object);

/* True if subject's role (and scope) may ever perform action, whatever the object: a
 * refusal here names no object, so it answers alike for every id. */
bool auth_policy_role_allows(const struct auth_subject *subject, enum auth_action action);

/* True if subject may use the routes every logged-in session may (its jobs, tokens, the
 * OS list): not while it must first enrol a second factor. */
bool auth_policy_may_use_session(const struct auth_subject *subject);

/* True if subject may change its own account (password, TOTP, its sessions): a login
 * session only, never an API token, even one limited to enrolment. */
bool auth_policy_may_manage_account(const struct auth_subject *subject);

/* True if subject may see the object at all: a domain (its detail, events, console's
 * existence), a network or a pool (a volume: by its level). What it may not see must
 * answer as an object that does not exist. */
bool auth_policy_sees(const struct auth_subject *subject, const struct auth_object *object);

/* True if subject may use only what an admin approved for self-service (auth_approved.h):
 * a VM it creates comes from an approved template or ISO, its networks are approved, its
 * new disks go to approved pools. A `user` (any token scope); others use anything their
 * role reaches. */
bool auth_policy_approved_only(const struct auth_subject *subject);

/* True if subject sees every domain, owned or not (admins, operators, viewers who see
 * all): lists and feeds need no filtering for it. */
bool auth_policy_sees_every_domain(const struct auth_subject *subject);

/* Which rows of the audit log a subject who may read it reads. */
enum auth_audit_reach {
    AUTH_AUDIT_NONE = 0,       /* none: may not read it */
    AUTH_AUDIT_ALL,            /* every row (an admin, not through a capped token) */
    AUTH_AUDIT_EVERY_DOMAIN,   /* the rows about any VM, and its own rows about no VM */
    AUTH_AUDIT_VISIBLE_DOMAINS /* the rows about the VMs it sees (auth_policy_sees), and its
                                * own rows about no VM: never a row about a VM it may not
                                * see, whoever wrote it */
};

/* What subject reads of the audit log: ALL for an admin (full scope); EVERY_DOMAIN for
 * whoever sees every domain (operators, viewers who see all, an admin's capped token);
 * VISIBLE_DOMAINS for a `user` and a viewer who sees what is shared only; NONE when the
 * role (or scope) may not read it. */
enum auth_audit_reach auth_policy_audit_reach(const struct auth_subject *subject);
/* True if subject's changes are held to its quota (auth_quota.h): a `user`'s are
 * (self-service); admins and operators run the host and are not limited. */
bool auth_policy_quota_applies(const struct auth_subject *subject);

/* True if subject may give an API token the rights of scope (a role: viewer = read,
 * operator = operate, admin = admin): a token never exceeds its user. A `user` may
 * create read and operate tokens, which act only on what the user may touch. */
bool auth_policy_may_grant(const struct auth_subject *subject, enum auth_role scope);

/* The cap a token of scope (as above) puts on its user's rights. */
enum auth_scope auth_policy_token_scope(enum auth_role scope);

/* "admin"/"operator"/"user"/"viewer" <-> enum. Returns 0, or -1 for an unknown name. */
int auth_role_parse(const char *name, enum auth_role *out) __attribute__((warn_unused_result));
const char *auth_role_name(enum auth_role role);

/* "view"/"console"/"operate" (shares) and "owner"/"admin" (access) <-> level. */
int auth_level_parse(const char *name, enum auth_level *out) __attribute__((warn_unused_result));
const char *auth_level_name(enum auth_level level);

/* How many roles there are: the values 0..auth_role_count()-1 of enum auth_role. */
int auth_role_count(void);
