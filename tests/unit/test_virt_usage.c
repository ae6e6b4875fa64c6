/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_usage: server/virt/virt_usage.c — the index of who uses which network,
 * bridge, file and pool: interfaces by network and bridge, disks by path, by
 * pool/volume and under a pool's directory, a device seen in both the live and the
 * persistent XML counted once, empty CD-ROMs and network disks ignored, malformed XML
 * refused, the names list of 409 messages, and one domain's own disks. Pure (no libvirt
 * connection); one thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "virt/virt_usage.h"

#define WEB_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"
#define DB_UUID  "11111111-2222-3333-4444-555555555555"

static const char web_xml[] =
    "<domain type='kvm'><name>web</name><devices>"
    "<disk type='file' device='disk'><source file='/pool/web.qcow2'/><target dev='vda'/></disk>"
    "<disk type='volume' device='disk'><source pool='ceph' volume='data'/><target dev='vdb'/>"
    "</disk>"
    "<disk type='file' device='cdrom'><target dev='sda'/></disk>"
    "<disk type='network' device='disk'><source protocol='nbd' name='x'/><target dev='vdc'/>"
    "</disk>"
    "<interface type='network'><mac address='52:54:00:00:00:01'/><source network='lan'/>"
    "</interface>"
    "<interface type='bridge'><mac address='52:54:00:00:00:02'/><source bridge='br0'/>"
    "</interface>"
    "</devices></domain>";

static const char db_xml[] =
    "<domain type='kvm'><name>db</name><devices>"
    "<disk type='block' device='disk'><source dev='/pool/sub/db.img'/><target dev='vda'/></disk>"
    "<interface type='network'><mac address='52:54:00:00:00:03'/><source network='lan'/>"
    "</interface>"
    "</devices></domain>";

static struct virt_usage *build(void)
{
    struct virt_usage *u = virt_usage_new();

    assert_int_equal(virt_usage_add_xml(u, WEB_UUID, "web", true, web_xml), 0);
    /* the same devices again (the persistent XML of a running domain): counted once */
    assert_int_equal(virt_usage_add_xml(u, WEB_UUID, "web", true, web_xml), 0);
    assert_int_equal(virt_usage_add_xml(u, DB_UUID, "db", false, db_xml), 0);
    return u;
}

static const char *field(struct json_object *arr, size_t i, const char *key)
{
    struct json_object *v;

    assert_true(json_object_object_get_ex(json_object_array_get_idx(arr, i), key, &v));
    return json_object_get_string(v);
}

static void test_networks(void **state)
{
    struct virt_usage *u = build();
    bool busy = false;
    struct json_object *users = virt_usage_network_users(u, "lan", NULL, &busy);

    assert_int_equal(json_object_array_length(users), 2);
    assert_string_equal(field(users, 0, "name"), "web");
    assert_string_equal(field(users, 0, "mac"), "52:54:00:00:00:01");
    assert_string_equal(field(users, 1, "uuid"), DB_UUID);
    assert_true(busy);
    json_object_put(users);

    users = virt_usage_network_users(u, "other", "br0", &busy);
    assert_int_equal(json_object_array_length(users), 1);
    assert_string_equal(field(users, 0, "mac"), "52:54:00:00:00:02");
    json_object_put(users);

    users = virt_usage_network_users(u, "nobody", NULL, &busy);
    assert_int_equal(json_object_array_length(users), 0);
    assert_false(busy);
    json_object_put(users);
    virt_usage_free(u);
}

static void test_volumes_and_pools(void **state)
{
    struct virt_usage *u = build();
    bool busy = true;
    struct json_object *users = virt_usage_volume_users(u, "/pool/sub/db.img", NULL, NULL, &busy);

    assert_int_equal(json_object_array_length(users), 1);
    assert_string_equal(field(users, 0, "target"), "vda");
    assert_string_equal(field(users, 0, "device"), "disk");
    assert_false(busy); /* db is not running */
    json_object_put(users);

    users = virt_usage_volume_users(u, NULL, "ceph", "data", &busy);
    assert_int_equal(json_object_array_length(users), 1);
    assert_string_equal(field(users, 0, "target"), "vdb");
    assert_true(busy);
    json_object_put(users);

    users = virt_usage_pool_users(u, NULL, "/pool", &busy);
    assert_int_equal(json_object_array_length(users), 2); /* web.qcow2 and sub/db.img */
    json_object_put(users);
    users = virt_usage_pool_users(u, NULL, "/pool/", &busy);
    assert_int_equal(json_object_array_length(users), 2);
    json_object_put(users);
    users = virt_usage_pool_users(u, NULL, "/poo", &busy); /* a prefix is not a parent dir */
    assert_int_equal(json_object_array_length(users), 0);
    json_object_put(users);
    users = virt_usage_pool_users(u, "ceph", NULL, &busy);
    assert_int_equal(json_object_array_length(users), 1);
    json_object_put(users);
    virt_usage_free(u);
}

static void test_malformed(void **state)
{
    struct virt_usage *u = virt_usage_new();
    bool busy = true;
    struct json_object *users;

    assert_int_equal(virt_usage_add_xml(u, WEB_UUID, "web", true, "<domain><devices>"), -1);
    assert_int_equal(virt_usage_add_xml(u, WEB_UUID, "web", true, "<network/>"), -1);
    assert_int_equal(virt_usage_add_xml(u, WEB_UUID, "web", true, "<domain/>"), 0);
    users = virt_usage_pool_users(u, "any", "/", &busy);
    assert_int_equal(json_object_array_length(users), 0);
    assert_false(busy);
    json_object_put(users);
    virt_usage_free(u);
    virt_usage_free(NULL);
}

/* virt_usage_names: "a, b", running ones only when asked, cut short (NUL-terminated)
 * when the buffer is small, empty for no users. */
static void test_names(void **state)
{
    struct virt_usage *u = build();
    struct json_object *users = virt_usage_pool_users(u, NULL, "/pool", NULL);
    char out[64], tiny[4];

    virt_usage_names(users, false, out, sizeof(out));
    assert_true(strcmp(out, "web, db") == 0 || strcmp(out, "db, web") == 0);
    virt_usage_names(users, true, out, sizeof(out));
    assert_string_equal(out, "web");
    virt_usage_names(users, false, tiny, sizeof(tiny));
    assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
    json_object_put(users);
    users = virt_usage_pool_users(u, NULL, "/poo", NULL);
    virt_usage_names(users, false, out, sizeof(out));
    assert_string_equal(out, "");
    json_object_put(users);
    virt_usage_free(u);
}

/* One domain's disks, each once, with the source it names; another domain's are not. */
static void test_domain_disks(void **state)
{
    struct virt_usage *u = build();
    struct json_object *disks = virt_usage_domain_disks(u, WEB_UUID), *v;

    assert_int_equal(json_object_array_length(disks), 2);
    assert_string_equal(field(disks, 0, "path"), "/pool/web.qcow2");
    assert_string_equal(field(disks, 0, "target"), "vda");
    assert_string_equal(field(disks, 0, "device"), "disk");
    assert_false(json_object_object_get_ex(json_object_array_get_idx(disks, 0), "pool", &v));
    assert_string_equal(field(disks, 1, "pool"), "ceph");
    assert_string_equal(field(disks, 1, "volume"), "data");
    assert_false(json_object_object_get_ex(json_object_array_get_idx(disks, 1), "path", &v));
    json_object_put(disks);
    disks = virt_usage_domain_disks(u, DB_UUID);
    assert_int_equal(json_object_array_length(disks), 1);
    assert_string_equal(field(disks, 0, "path"), "/pool/sub/db.img");
    json_object_put(disks);
    disks = virt_usage_domain_disks(u, "00000000-0000-0000-0000-000000000000");
    assert_int_equal(json_object_array_length(disks), 0);
    json_object_put(disks);
    virt_usage_free(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_networks),     cmocka_unit_test(test_volumes_and_pools),
        cmocka_unit_test(test_malformed),    cmocka_unit_test(test_names),
        cmocka_unit_test(test_domain_disks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
