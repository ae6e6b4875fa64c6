/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_auth_policy: the role table, object kinds and role names of auth/auth_policy.c.
 * Pure logic, single-threaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "auth_policy.h"

static bool allows(enum auth_role role, enum auth_action action, const struct auth_object *object)
{
    struct auth_subject subject = {.username = "someone", .role = role};

    return auth_policy_allows(&subject, action, object);
}

static void test_viewer_reads_only(void **state)
{
    assert_true(allows(AUTH_ROLE_VIEWER, AUTH_ACTION_HOST_READ, NULL));
    assert_true(allows(AUTH_ROLE_VIEWER, AUTH_ACTION_DOMAIN_READ, NULL));
    assert_false(allows(AUTH_ROLE_VIEWER, AUTH_ACTION_DOMAIN_LIFECYCLE, NULL));
    assert_false(allows(AUTH_ROLE_VIEWER, AUTH_ACTION_DOMAIN_CONSOLE, NULL));
    assert_false(allows(AUTH_ROLE_VIEWER, AUTH_ACTION_USER_MANAGE, NULL));
}

static void test_operator_acts_on_vms(void **state)
{
    assert_true(allows(AUTH_ROLE_OPERATOR, AUTH_ACTION_HOST_READ, NULL));
    assert_true(allows(AUTH_ROLE_OPERATOR, AUTH_ACTION_DOMAIN_READ, NULL));
    assert_true(allows(AUTH_ROLE_OPERATOR, AUTH_ACTION_DOMAIN_LIFECYCLE, NULL));
    assert_true(allows(AUTH_ROLE_OPERATOR, AUTH_ACTION_DOMAIN_CONSOLE, NULL));
    assert_false(allows(AUTH_ROLE_OPERATOR, AUTH_ACTION_USER_MANAGE, NULL));
}

static void test_admin_does_everything(void **state)
{
    assert_true(allows(AUTH_ROLE_ADMIN, AUTH_ACTION_HOST_READ, NULL));
    assert_true(allows(AUTH_ROLE_ADMIN, AUTH_ACTION_DOMAIN_READ, NULL));
    assert_true(allows(AUTH_ROLE_ADMIN, AUTH_ACTION_DOMAIN_LIFECYCLE, NULL));
    assert_true(allows(AUTH_ROLE_ADMIN, AUTH_ACTION_DOMAIN_CONSOLE, NULL));
    assert_true(allows(AUTH_ROLE_ADMIN, AUTH_ACTION_USER_MANAGE, NULL));
}

/* A `user` acts on a VM by the level it holds; what it cannot view it does not see. */
static void test_user_levels(void **state)
{
    struct auth_subject user = {.username = "alice", .role = AUTH_ROLE_USER};
    struct auth_object vm = {AUTH_OBJECT_DOMAIN, "6695eb01-f6a4-8304-79aa-97f2502e193f",
                             AUTH_LEVEL_NONE};
    static const enum auth_action acts[] = {
        AUTH_ACTION_DOMAIN_READ,   AUTH_ACTION_DOMAIN_CONSOLE, AUTH_ACTION_DOMAIN_LIFECYCLE,
        AUTH_ACTION_DOMAIN_MANAGE, AUTH_ACTION_DOMAIN_SHARE,   AUTH_ACTION_DOMAIN_CONFIGURE};
    /* the lowest level each action needs */
    static const enum auth_level needs[] = {AUTH_LEVEL_VIEW,    AUTH_LEVEL_CONSOLE,
                                            AUTH_LEVEL_OPERATE, AUTH_LEVEL_OWNER,
                                            AUTH_LEVEL_OWNER,   AUTH_LEVEL_OWNER};

    for (int l = AUTH_LEVEL_NONE; l <= AUTH_LEVEL_OWNER; l++) {
        vm.level = (enum auth_level)l;
        assert_int_equal(auth_policy_sees(&user, &vm), l >= AUTH_LEVEL_VIEW);
        for (size_t a = 0; a < sizeof(acts) / sizeof(acts[0]); a++)
            assert_int_equal(auth_policy_allows(&user, acts[a], &vm), l >= (int)needs[a]);
        assert_false(auth_policy_allows(&user, AUTH_ACTION_DOMAIN_XML, &vm));
        assert_false(auth_policy_allows(&user, AUTH_ACTION_DOMAIN_OWNER, &vm));
    }
    /* a read token of the owner only reads; an operate token cannot delete */
    vm.level = AUTH_LEVEL_OWNER;
    user.scope = AUTH_SCOPE_READ;
    assert_true(auth_policy_allows(&user, AUTH_ACTION_DOMAIN_READ, &vm));
    assert_false(auth_policy_allows(&user, AUTH_ACTION_DOMAIN_LIFECYCLE, &vm));
    user.scope = AUTH_SCOPE_OPERATE;
    assert_true(auth_policy_allows(&user, AUTH_ACTION_DOMAIN_LIFECYCLE, &vm));
    assert_false(auth_policy_allows(&user, AUTH_ACTION_DOMAIN_CONFIGURE, &vm));
    assert_false(auth_policy_may_grant(&user, AUTH_ROLE_ADMIN));
    user.scope = AUTH_SCOPE_FULL;
    assert_true(auth_policy_may_grant(&user, AUTH_ROLE_OPERATOR));
    assert_false(auth_policy_may_grant(&user, AUTH_ROLE_ADMIN));
    /* no networks, storage or users; creating a VM (no id) is allowed */
    assert_false(auth_policy_allows(&user, AUTH_ACTION_NETWORK_MANAGE, NULL));
    assert_false(auth_policy_allows(&user, AUTH_ACTION_STORAGE_MANAGE, NULL));
    assert_false(auth_policy_allows(&user, AUTH_ACTION_USER_MANAGE, NULL));
    vm.id = NULL;
    vm.level = AUTH_LEVEL_NONE;
    assert_true(auth_policy_allows(&user, AUTH_ACTION_DOMAIN_LIFECYCLE, &vm));
}

/* A `user` reads only the networks and pools the self-service set gives a level; the
 * other roles read all; only a `user` is held to the set when it creates. */
static void test_user_approved_resources(void **state)
{
    struct auth_subject user = {
        .username = "alice", .role = AUTH_ROLE_USER, .scope = AUTH_SCOPE_FULL};
    struct auth_object net = {AUTH_OBJECT_NETWORK, "default", AUTH_LEVEL_NONE};
    struct auth_object pool = {AUTH_OBJECT_POOL, "images", AUTH_LEVEL_NONE};

    assert_false(auth_policy_allows(&user, AUTH_ACTION_NETWORK_READ, &net));
    assert_false(auth_policy_sees(&user, &net));
    assert_false(auth_policy_allows(&user, AUTH_ACTION_STORAGE_READ, &pool));
    assert_false(auth_policy_sees(&user, &pool));
    net.level = pool.level = AUTH_LEVEL_VIEW;
    assert_true(auth_policy_allows(&user, AUTH_ACTION_NETWORK_READ, &net));
    assert_true(auth_policy_sees(&user, &net));
    assert_true(auth_policy_allows(&user, AUTH_ACTION_STORAGE_READ, &pool));
    assert_true(auth_policy_sees(&user, &pool));
    /* a network's leases name every VM on it: not a user's to read */
    assert_false(auth_policy_allows(&user, AUTH_ACTION_NETWORK_LEASES, &net));
    /* approved to read is not approved to change */
    assert_false(auth_policy_allows(&user, AUTH_ACTION_NETWORK_MANAGE, &net));
    assert_false(auth_policy_allows(&user, AUTH_ACTION_STORAGE_MANAGE, &pool));
    assert_false(auth_policy_allows(&user, AUTH_ACTION_SELF_SERVICE, NULL));
    /* the lists (no id) are filtered item by item */
    net.id = NULL;
    net.level = AUTH_LEVEL_NONE;
    assert_true(auth_policy_allows(&user, AUTH_ACTION_NETWORK_READ, &net));
    assert_true(auth_policy_approved_only(&user));
    user.scope = AUTH_SCOPE_OPERATE; /* a user's token is held to it as well */
    assert_true(auth_policy_approved_only(&user));
    assert_true(auth_policy_approved_only(NULL));
    for (int role = AUTH_ROLE_VIEWER; role <= AUTH_ROLE_ADMIN; role++) {
        struct auth_subject other = {
            .username = "bob", .role = (enum auth_role)role, .scope = AUTH_SCOPE_FULL};

        pool.level = AUTH_LEVEL_NONE;
        assert_true(auth_policy_sees(&other, &pool));
        assert_false(auth_policy_approved_only(&other));
        assert_true(auth_policy_allows(&other, AUTH_ACTION_NETWORK_LEASES, &net));
        assert_int_equal(auth_policy_allows(&other, AUTH_ACTION_SELF_SERVICE, NULL),
                         role == AUTH_ROLE_ADMIN);
    }
}

/* A viewer sees all by default; "shared only" sees what is shared with it. */
static void test_viewer_shared_only(void **state)
{
    struct auth_subject viewer = {.username = "v", .role = AUTH_ROLE_VIEWER};
    struct auth_object vm = {AUTH_OBJECT_DOMAIN, "6695eb01-f6a4-8304-79aa-97f2502e193f",
                             AUTH_LEVEL_NONE};

    assert_true(auth_policy_sees(&viewer, &vm));
    viewer.shared_only = true;
    assert_false(auth_policy_sees(&viewer, &vm));
    vm.level = AUTH_LEVEL_VIEW;
    assert_true(auth_policy_sees(&viewer, &vm));
    assert_false(auth_policy_allows(&viewer, AUTH_ACTION_DOMAIN_CONSOLE, &vm));
}

static void test_objects(void **state)
{
    struct auth_object host = {.kind = AUTH_OBJECT_HOST, .id = NULL};
    struct auth_object vm = {.kind = AUTH_OBJECT_DOMAIN,
                             .id = "6695eb01-f6a4-8304-79aa-97f2502e193f"};
    struct auth_object user = {.kind = AUTH_OBJECT_USER, .id = "bob"};

    assert_true(allows(AUTH_ROLE_VIEWER, AUTH_ACTION_HOST_READ, &host));
    assert_true(allows(AUTH_ROLE_VIEWER, AUTH_ACTION_DOMAIN_READ, &vm));
    assert_true(allows(AUTH_ROLE_OPERATOR, AUTH_ACTION_DOMAIN_LIFECYCLE, &vm));
    assert_true(allows(AUTH_ROLE_OPERATOR, AUTH_ACTION_DOMAIN_CONSOLE, &vm));
    assert_true(allows(AUTH_ROLE_ADMIN, AUTH_ACTION_USER_MANAGE, &user));
    /* The role table still decides first. */
    assert_false(allows(AUTH_ROLE_VIEWER, AUTH_ACTION_DOMAIN_LIFECYCLE, &vm));
    assert_false(allows(AUTH_ROLE_OPERATOR, AUTH_ACTION_USER_MANAGE, &user));
    /* An action on the wrong kind of object is refused even to admin. */
    assert_false(allows(AUTH_ROLE_ADMIN, AUTH_ACTION_DOMAIN_LIFECYCLE, &user));
    assert_false(allows(AUTH_ROLE_ADMIN, AUTH_ACTION_USER_MANAGE, &vm));
    assert_false(allows(AUTH_ROLE_ADMIN, AUTH_ACTION_HOST_READ, &vm));
}

/* Networks, storage and VM devices: everyone reads, only admin changes or moves bytes. */
static void test_networks_storage_devices(void **state)
{
    struct auth_object net = {.kind = AUTH_OBJECT_NETWORK, .id = "default"};
    struct auth_object pool = {.kind = AUTH_OBJECT_POOL, .id = "images"};
    struct auth_object vm = {.kind = AUTH_OBJECT_DOMAIN,
                             .id = "6695eb01-f6a4-8304-79aa-97f2502e193f"};
    static const enum auth_action changes[] = {
        AUTH_ACTION_NETWORK_MANAGE, AUTH_ACTION_STORAGE_MANAGE, AUTH_ACTION_VOLUME_CONTENT,
        AUTH_ACTION_DOMAIN_CONFIGURE};
    const struct auth_object *change_objects[] = {&net, &pool, &pool, &vm};

    for (int r = AUTH_ROLE_VIEWER; r <= AUTH_ROLE_ADMIN; r++) {
        assert_true(allows((enum auth_role)r, AUTH_ACTION_NETWORK_READ, &net));
        assert_true(allows((enum auth_role)r, AUTH_ACTION_STORAGE_READ, &pool));
        for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
            assert_int_equal(allows((enum auth_role)r, changes[i], change_objects[i]),
                             r == AUTH_ROLE_ADMIN);
    }
    /* the object kind must fit the action */
    assert_false(allows(AUTH_ROLE_ADMIN, AUTH_ACTION_NETWORK_MANAGE, &pool));
    assert_false(allows(AUTH_ROLE_ADMIN, AUTH_ACTION_STORAGE_MANAGE, &net));
    assert_false(allows(AUTH_ROLE_ADMIN, AUTH_ACTION_VOLUME_CONTENT, &vm));
    assert_false(allows(AUTH_ROLE_ADMIN, AUTH_ACTION_DOMAIN_CONFIGURE, &pool));
    assert_false(allows(AUTH_ROLE_ADMIN, AUTH_ACTION_DOMAIN_LIFECYCLE, &net));
}

static void test_deny_by_default(void **state)
{
    struct auth_subject bogus = {.username = "x", .role = (enum auth_role)7};
    struct auth_subject negative = {.username = "x", .role = (enum auth_role) - 1};
    struct auth_subject admin = {.username = "x", .role = AUTH_ROLE_ADMIN};

    assert_false(auth_policy_allows(NULL, AUTH_ACTION_HOST_READ, NULL));
    assert_false(auth_policy_allows(&bogus, AUTH_ACTION_HOST_READ, NULL));
    assert_false(auth_policy_allows(&negative, AUTH_ACTION_HOST_READ, NULL));
    assert_false(auth_policy_allows(&admin, (enum auth_action)99, NULL));
}

static void test_role_names(void **state)
{
    enum auth_role role = AUTH_ROLE_ADMIN;

    assert_int_equal(auth_role_parse("viewer", &role), 0);
    assert_int_equal(role, AUTH_ROLE_VIEWER);
    assert_int_equal(auth_role_parse("operator", &role), 0);
    assert_int_equal(role, AUTH_ROLE_OPERATOR);
    assert_int_equal(auth_role_parse("admin", &role), 0);
    assert_int_equal(role, AUTH_ROLE_ADMIN);

    role = AUTH_ROLE_VIEWER;
    assert_int_equal(auth_role_parse("Admin", &role), -1);
    assert_int_equal(auth_role_parse("root", &role), -1);
    assert_int_equal(auth_role_parse("", &role), -1);
    assert_int_equal(auth_role_parse("admin ", &role), -1);
    assert_int_equal(auth_role_parse(NULL, &role), -1);
    assert_int_equal(role, AUTH_ROLE_VIEWER); /* untouched on failure */

    assert_string_equal(auth_role_name(AUTH_ROLE_VIEWER), "viewer");
    assert_string_equal(auth_role_name(AUTH_ROLE_OPERATOR), "operator");
    assert_string_equal(auth_role_name(AUTH_ROLE_ADMIN), "admin");
    assert_string_equal(auth_role_name((enum auth_role)42), "unknown");

    /* Round trip. */
    for (int r = AUTH_ROLE_VIEWER; r <= AUTH_ROLE_ADMIN; r++) {
        assert_int_equal(auth_role_parse(auth_role_name((enum auth_role)r), &role), 0);
        assert_int_equal(role, r);
    }
}

/* The audit log: every role reads it, about the host as a whole; which rows is the
 * reach: an admin all, whoever sees every VM every VM's rows, others the VMs they see. */
static void test_audit_read(void **state)
{
    struct auth_object host = {.kind = AUTH_OBJECT_HOST};
    struct auth_object vm = {.kind = AUTH_OBJECT_DOMAIN,
                             .id = "6695eb01-f6a4-8304-79aa-97f2502e193f"};
    struct auth_subject s = {.username = "x", .role = AUTH_ROLE_ADMIN, .scope = AUTH_SCOPE_FULL};

    (void)state;
    assert_true(allows(AUTH_ROLE_VIEWER, AUTH_ACTION_AUDIT_READ, NULL));
    assert_true(allows(AUTH_ROLE_OPERATOR, AUTH_ACTION_AUDIT_READ, &host));
    assert_true(allows(AUTH_ROLE_USER, AUTH_ACTION_AUDIT_READ, &host));
    assert_true(allows(AUTH_ROLE_ADMIN, AUTH_ACTION_AUDIT_READ, NULL));
    assert_true(allows(AUTH_ROLE_ADMIN, AUTH_ACTION_AUDIT_READ, &host));
    assert_false(allows(AUTH_ROLE_ADMIN, AUTH_ACTION_AUDIT_READ, &vm));

    assert_int_equal(auth_policy_audit_reach(&s), AUTH_AUDIT_ALL);
    s.scope = AUTH_SCOPE_READ; /* an admin's read token: every VM, not user management */
    assert_int_equal(auth_policy_audit_reach(&s), AUTH_AUDIT_EVERY_DOMAIN);
    s = (struct auth_subject){
        .username = "x", .role = AUTH_ROLE_OPERATOR, .scope = AUTH_SCOPE_FULL};
    assert_int_equal(auth_policy_audit_reach(&s), AUTH_AUDIT_EVERY_DOMAIN);
    s = (struct auth_subject){.username = "x", .role = AUTH_ROLE_VIEWER, .scope = AUTH_SCOPE_FULL};
    assert_int_equal(auth_policy_audit_reach(&s), AUTH_AUDIT_EVERY_DOMAIN);
    s.shared_only = true;
    assert_int_equal(auth_policy_audit_reach(&s), AUTH_AUDIT_VISIBLE_DOMAINS);
    s = (struct auth_subject){.username = "x", .role = AUTH_ROLE_USER, .scope = AUTH_SCOPE_OPERATE};
    assert_int_equal(auth_policy_audit_reach(&s), AUTH_AUDIT_VISIBLE_DOMAINS);
    s.role = (enum auth_role)42;
    assert_int_equal(auth_policy_audit_reach(&s), AUTH_AUDIT_NONE);
    assert_int_equal(auth_policy_audit_reach(NULL), AUTH_AUDIT_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_viewer_reads_only),
        cmocka_unit_test(test_operator_acts_on_vms),
        cmocka_unit_test(test_admin_does_everything),
        cmocka_unit_test(test_objects),
        cmocka_unit_test(test_user_approved_resources),
        cmocka_unit_test(test_user_levels),
        cmocka_unit_test(test_viewer_shared_only),
        cmocka_unit_test(test_deny_by_default),
        cmocka_unit_test(test_role_names),
        cmocka_unit_test(test_networks_storage_devices),
        cmocka_unit_test(test_audit_read),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
