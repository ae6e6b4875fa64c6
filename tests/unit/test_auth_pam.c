/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_auth_pam: the group → role map of auth/auth_pam.c (pure: auth_pam_map_init,
 * auth_pam_map_role); the helper itself is exercised by tests/integration/pam.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auth_pam.h"

/* admin, operator, user, viewer */
static void map_of(struct auth_pam_map *map, const char *a, const char *o, const char *u,
                   const char *v)
{
    const char *const groups[AUTH_PAM_MAP_SLOTS] = {a, o, u, v};
    char err[256] = "";

    if (auth_pam_map_init(map, groups, err, sizeof(err)) != 0)
        fail_msg("map refused: %s", err);
}

static void expect_role(const struct auth_pam_map *map, const char *const *names, size_t n,
                        enum auth_role want)
{
    enum auth_role role = (enum auth_role) - 1;

    assert_true(auth_pam_map_role(map, names, n, &role));
    assert_int_equal(role, want);
}

static void test_highest_role_wins(void **state)
{
    struct auth_pam_map map;
    const char *ops[] = {"users", "vd-ops"};
    const char *both[] = {"vd-view", "vd-ops", "vd-admins"};
    const char *view[] = {"vd-view"};

    map_of(&map, "vd-admins", "vd-ops", NULL, "vd-view");
    assert_int_equal(map.count, 3);
    expect_role(&map, ops, 2, AUTH_ROLE_OPERATOR);
    expect_role(&map, both, 3, AUTH_ROLE_ADMIN);
    expect_role(&map, both, 2, AUTH_ROLE_OPERATOR);
    expect_role(&map, view, 1, AUTH_ROLE_VIEWER);
}

static void test_no_mapped_group(void **state)
{
    struct auth_pam_map map;
    const char *none[] = {"users", "vd-admin", "VD-ADMINS", "vd-admins2", NULL};
    enum auth_role role = AUTH_ROLE_VIEWER;

    map_of(&map, "vd-admins", "", NULL, NULL);
    /* Whole, case-sensitive names only; a NULL name is skipped. */
    assert_false(auth_pam_map_role(&map, none, 5, &role));
    assert_false(auth_pam_map_role(&map, none, 0, &role));
    assert_int_equal(role, AUTH_ROLE_VIEWER);
}

static void test_one_group_for_two_roles(void **state)
{
    struct auth_pam_map map;
    const char *staff[] = {"staff"};

    map_of(&map, NULL, "staff", NULL, "staff");
    expect_role(&map, staff, 1, AUTH_ROLE_OPERATOR);
}

static void test_init_refuses(void **state)
{
    struct auth_pam_map map;
    const char *const none[AUTH_PAM_MAP_SLOTS] = {NULL, "", NULL, ""};
    const char *const bad[AUTH_PAM_MAP_SLOTS] = {"ad mins", NULL, NULL, NULL};
    const char *const dash[AUTH_PAM_MAP_SLOTS] = {NULL, "-ops", NULL, NULL};
    char long_name[AUTH_PAM_GROUP_MAX + 2];
    const char *const too_long[AUTH_PAM_MAP_SLOTS] = {NULL, NULL, NULL, long_name};
    char err[256] = "";
    enum auth_role role;

    assert_int_equal(auth_pam_map_init(&map, none, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "at least one"));
    assert_int_equal(auth_pam_map_init(&map, bad, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "pam_admin_group"));
    assert_int_equal(auth_pam_map_init(&map, dash, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "pam_operator_group"));
    memset(long_name, 'g', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    assert_int_equal(auth_pam_map_init(&map, too_long, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "pam_viewer_group"));
    /* The user slot maps to the role "user" once this build has it, and is refused,
     * naming it, until then. */
    {
        const char *const user[AUTH_PAM_MAP_SLOTS] = {NULL, NULL, "vd-users", NULL};
        const char *names[] = {"vd-users"};

        if (auth_role_parse("user", &role) == 0) {
            assert_int_equal(auth_pam_map_init(&map, user, err, sizeof(err)), 0);
            expect_role(&map, names, 1, role);
        } else {
            assert_int_equal(auth_pam_map_init(&map, user, err, sizeof(err)), -1);
            assert_non_null(strstr(err, "pam_user_group"));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_highest_role_wins),
        cmocka_unit_test(test_no_mapped_group),
        cmocka_unit_test(test_one_group_for_two_roles),
        cmocka_unit_test(test_init_refuses),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
