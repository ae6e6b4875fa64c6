/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_osinfo: server/virt/virt_osinfo.c — the plain-C list it builds from an osinfo
 * database: a tiny fixture database (tests/fixtures/osinfo: order, end of life,
 * resources inherited through derives-from, UEFI-only firmware) and the system's
 * osinfo-db (Debian 11's figures, virtio, Windows 11's UEFI and TPM), the search, and
 * that the list frees cleanly (the ASan build checks for leaks). Single thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "virt/virt_osinfo.h"

#define FIXTURE_DB VIRTDECK_SOURCE_DIR "/tests/fixtures/osinfo/db"

static struct virt_osinfo_list *load_from(const char *dir)
{
    struct virt_osinfo_list *list;
    struct app_error err;

    app_error_clear(&err);
    if (dir)
        setenv("OSINFO_SYSTEM_DIR", dir, 1);
    else
        unsetenv("OSINFO_SYSTEM_DIR");
    list = virt_osinfo_list_load(&err);
    if (!list)
        fail_msg("load %s: %s", dir ? dir : "system db", err.message);
    return list;
}

static const struct virt_osinfo_os *find(const struct virt_osinfo_list *list, const char *id)
{
    for (size_t i = 0; i < list->count; i++)
        if (!strcmp(list->items[i].short_id, id))
            return &list->items[i];
    return NULL;
}

static void test_fixture_order_and_figures(void **state)
{
    struct virt_osinfo_list *list = load_from(FIXTURE_DB);
    const struct virt_osinfo_os *v9, *v10, *un;

    (void)state;
    assert_int_equal(list->count, 3);
    /* one family and distro: versions newest first, "10" above "9", text first */
    assert_string_equal(list->items[0].short_id, "vdtestunstable");
    assert_string_equal(list->items[1].short_id, "vdtest10");
    assert_string_equal(list->items[2].short_id, "vdtest9");

    v9 = find(list, "vdtest9");
    assert_string_equal(v9->name, "VDTest Linux 9");
    assert_string_equal(v9->vendor, "VDTest Project");
    assert_string_equal(v9->family, "linux");
    assert_string_equal(v9->distro, "vdtest");
    assert_string_equal(v9->release_date, "2010-01-02");
    assert_string_equal(v9->eol_date, "2015-06-30");
    assert_true(v9->eol);
    assert_int_equal(v9->memory_min_mib, 512);
    assert_int_equal(v9->memory_rec_mib, 2048);
    assert_int_equal(v9->vcpus_min, 1);
    assert_int_equal(v9->vcpus_rec, 2);
    assert_int_equal(v9->disk_min_gib, 5);
    assert_int_equal(v9->disk_rec_gib, 20);
    assert_true(v9->uefi_supported && v9->bios_supported && !v9->uefi_required);
    /* no device in the database: no virtio, the oldest buses */
    assert_false(v9->virtio_disk || v9->virtio_net);
    assert_string_equal(v9->disk_bus, "ide");
    assert_string_equal(v9->nic_model, "rtl8139");
    assert_false(v9->tpm_required);

    v10 = find(list, "vdtest10");
    assert_false(v10->eol);
    assert_int_equal(v10->memory_rec_mib, 2048); /* from vdtest9 */
    assert_true(v10->uefi_supported && v10->uefi_required && !v10->bios_supported);

    un = find(list, "vdtestunstable");
    assert_string_equal(un->release_date, "");
    assert_string_equal(un->eol_date, "");
    assert_false(un->eol);
    assert_int_equal(un->memory_min_mib, 512); /* two steps up */
    assert_true(un->uefi_required);            /* vdtest10's firmware */
    virt_osinfo_list_free(list);
}

static void test_search(void **state)
{
    struct virt_osinfo_list *list = load_from(FIXTURE_DB);
    const struct virt_osinfo_os *out[2];

    (void)state;
    assert_int_equal(virt_osinfo_list_search(list, "", out, 2), 3); /* all, two written */
    assert_ptr_equal(out[0], &list->items[0]);
    assert_ptr_equal(out[1], &list->items[1]);
    assert_int_equal(virt_osinfo_list_search(list, NULL, out, 0), 3);
    assert_int_equal(virt_osinfo_list_search(list, "VDTEST1", out, 2), 1); /* short id */
    assert_string_equal(out[0]->short_id, "vdtest10");
    assert_int_equal(virt_osinfo_list_search(list, "linux 9", out, 2), 1); /* name */
    assert_string_equal(out[0]->short_id, "vdtest9");
    assert_int_equal(virt_osinfo_list_search(list, "project", out, 2), 3); /* vendor */
    assert_int_equal(virt_osinfo_list_search(list, "LINUX", out, 2), 3);   /* family */
    assert_int_equal(virt_osinfo_list_search(list, "unstab", out, 2), 1);  /* version */
    assert_int_equal(virt_osinfo_list_search(list, "debian", out, 2), 0);
    virt_osinfo_list_free(list);
}

static void test_system_db(void **state)
{
    struct virt_osinfo_list *list = load_from(NULL);
    const struct virt_osinfo_os *deb, *win11, *xp;

    (void)state;
    assert_true(list->count > 100);
    deb = find(list, "debian11"); /* Debian 12's osinfo-db has no debian12 yet */
    assert_non_null(deb);
    assert_string_equal(deb->name, "Debian 11");
    assert_int_equal(deb->memory_min_mib, 1024);
    assert_int_equal(deb->memory_rec_mib, 1024);
    assert_int_equal(deb->disk_rec_gib, 20);
    assert_true(deb->virtio_disk && deb->virtio_net);
    assert_string_equal(deb->disk_bus, "virtio");
    assert_string_equal(deb->nic_model, "virtio");

    win11 = find(list, "win11");
    assert_non_null(win11);
    assert_true(win11->uefi_required && win11->tpm_required);
    xp = find(list, "winxp");
    assert_non_null(xp);
    assert_false(xp->virtio_disk);
    assert_false(xp->tpm_required);
    virt_osinfo_list_free(list);
}

static void test_shared_once(void **state)
{
    const struct virt_osinfo_list *a, *b;
    struct app_error err;

    (void)state;
    setenv("OSINFO_SYSTEM_DIR", FIXTURE_DB, 1);
    app_error_clear(&err);
    a = virt_osinfo_shared(&err);
    assert_non_null(a);
    b = virt_osinfo_shared(&err);
    assert_ptr_equal(a, b); /* read once */
    virt_osinfo_shared_free();
    virt_osinfo_shared_free(); /* twice is harmless */
    virt_osinfo_list_free(NULL);
}

static void test_empty_db_fails(void **state)
{
    struct app_error err;

    (void)state;
    setenv("OSINFO_SYSTEM_DIR", VIRTDECK_SOURCE_DIR "/tests/fixtures/no-such-osinfo-dir", 1);
    app_error_clear(&err);
    assert_null(virt_osinfo_list_load(&err));
    assert_int_equal(err.status, 500);
    assert_non_null(strstr(err.message, "osinfo"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_order_and_figures),
        cmocka_unit_test(test_search),
        cmocka_unit_test(test_system_db),
        cmocka_unit_test(test_shared_once),
        cmocka_unit_test(test_empty_db_fails),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
