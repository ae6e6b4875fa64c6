/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_osinfo: reads the osinfo database through libosinfo into the plain-C list of
 * virt_osinfo.h, searches it, and keeps the process's one copy.
 *
 * This is the only file that includes libosinfo (and so GLib/GObject): the loader, its
 * database and every list are unreferenced before virt_osinfo_list_load returns. Loading
 * runs on a worker (disk); the shared list is published under shared_lock and never
 * changes afterwards, so readers need no lock once they hold it. */
#include "virt/virt_osinfo.h"

#include <malloc.h>
#include <osinfo/osinfo.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/xalloc.h"

#define OSINFO_MIB  (1024LL * 1024LL)
#define OSINFO_GIB  (1024LL * 1024LL * 1024LL)
#define OSINFO_ARCH "x86_64"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
/* libosinfo 1.10's loader loses a few small blocks per database directory it reads
 * (about 200 bytes for Debian 12's osinfo-db, inside osinfo_loader_process_default_path,
 * after every object we hold is released). It happens once per load and the daemon loads
 * once, so LeakSanitizer ignores what this thread allocates during that one call (its
 * stack cannot be matched: GLib has no frame pointers); a leak of ours is still found. */
#define OSINFO_LEAKS_IGNORED_BEGIN() __lsan_disable()
#define OSINFO_LEAKS_IGNORED_END()   __lsan_enable()
#else
#define OSINFO_LEAKS_IGNORED_BEGIN() ((void)0)
#define OSINFO_LEAKS_IGNORED_END()   ((void)0)
#endif

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static struct virt_osinfo_list *shared_list; /* owned; shared_lock (set once) */

static char *osinfo_dup(const char *s)
{
    return xstrdup(s ? s : "");
}

/* ---- resources ------------------------------------------------------------------------ */

/* The resources of one kind (get) for x86_64 or "all" from os, else from the OS it
 * derives from (the database writes them once for a line of releases), at most 16 deep. */
static OsinfoResources *osinfo_resources_find(OsinfoOs *os, OsinfoResourcesList *(*get)(OsinfoOs *))
{
    OsinfoResources *found = NULL;

    for (int depth = 0; os && depth < 16 && !found; depth++) {
        OsinfoResourcesList *list = get(os);
        OsinfoProductList *parents;
        int n = osinfo_list_get_length(OSINFO_LIST(list));

        for (int i = 0; i < n && !found; i++) {
            OsinfoResources *r = OSINFO_RESOURCES(osinfo_list_get_nth(OSINFO_LIST(list), i));
            const char *arch = osinfo_resources_get_architecture(r);

            if (arch && (!strcmp(arch, OSINFO_ARCH) || !strcmp(arch, "all")))
                found = r; /* the db keeps it alive while list is unreferenced */
        }
        g_object_unref(list);
        if (found)
            break;
        parents = osinfo_product_get_related(OSINFO_PRODUCT(os),
                                             OSINFO_PRODUCT_RELATIONSHIP_DERIVES_FROM);
        os = osinfo_list_get_length(OSINFO_LIST(parents)) > 0
                 ? OSINFO_OS(osinfo_list_get_nth(OSINFO_LIST(parents), 0))
                 : NULL;
        g_object_unref(parents);
    }
    return found;
}

static long long osinfo_scaled(gint64 bytes, long long unit)
{
    return bytes > 0 ? (long long)(bytes / unit) : -1;
}

static void osinfo_read_resources(OsinfoOs *os, struct virt_osinfo_os *out)
{
    OsinfoResources *min = osinfo_resources_find(os, osinfo_os_get_minimum_resources);
    OsinfoResources *rec = osinfo_resources_find(os, osinfo_os_get_recommended_resources);

    out->memory_min_mib = min ? osinfo_scaled(osinfo_resources_get_ram(min), OSINFO_MIB) : -1;
    out->memory_rec_mib = rec ? osinfo_scaled(osinfo_resources_get_ram(rec), OSINFO_MIB) : -1;
    out->disk_min_gib = min ? osinfo_scaled(osinfo_resources_get_storage(min), OSINFO_GIB) : -1;
    out->disk_rec_gib = rec ? osinfo_scaled(osinfo_resources_get_storage(rec), OSINFO_GIB) : -1;
    out->vcpus_min =
        min && osinfo_resources_get_n_cpus(min) > 0 ? osinfo_resources_get_n_cpus(min) : -1;
    out->vcpus_rec =
        rec && osinfo_resources_get_n_cpus(rec) > 0 ? osinfo_resources_get_n_cpus(rec) : -1;
}

/* ---- devices and firmware ------------------------------------------------------------ */

static void osinfo_read_devices(OsinfoOs *os, struct virt_osinfo_os *out)
{
    OsinfoDeviceList *devices = osinfo_os_get_all_devices(os, NULL);
    int n = osinfo_list_get_length(OSINFO_LIST(devices));
    bool q35 = false, e1000e = false, e1000 = false, tpm = false;

    for (int i = 0; i < n; i++) {
        OsinfoDevice *dev = OSINFO_DEVICE(osinfo_list_get_nth(OSINFO_LIST(devices), i));
        const char *name = osinfo_device_get_name(dev);
        const char *class = osinfo_device_get_class(dev);

        if (!name)
            continue;
        if (!strncmp(name, "virtio", 6) && strstr(name, "-block"))
            out->virtio_disk = true;
        else if (!strncmp(name, "virtio", 6) && strstr(name, "-net"))
            out->virtio_net = true;
        else if (!strcmp(name, "qemu-x86-q35"))
            q35 = true; /* q35's disk controller is AHCI (SATA) */
        else if (!strcmp(name, "e1000e"))
            e1000e = true;
        else if (!strcmp(name, "e1000"))
            e1000 = true;
        if ((class && !strcmp(class, "tpm")) || !strncmp(name, "tpm", 3))
            tpm = true;
    }
    g_object_unref(devices);

    out->q35 = q35;
    out->disk_bus = out->virtio_disk ? "virtio" : q35 ? "sata" : "ide";
    out->nic_model = out->virtio_net ? "virtio" : e1000e ? "e1000e" : e1000 ? "e1000" : "rtl8139";
    /* osinfo-db 20221130 (Debian 12) lists no TPM device for any OS; Windows 11 needs a
     * TPM 2.0 by Microsoft's own requirements, so it is named here until the db says so */
    out->tpm_required = tpm || !strncmp(out->short_id, "win11", 5);
}

static void osinfo_read_firmware(OsinfoOs *os, struct virt_osinfo_os *out)
{
    OsinfoFirmwareList *list = osinfo_os_get_complete_firmware_list(os, NULL);
    int n = osinfo_list_get_length(OSINFO_LIST(list));

    /* where the database says nothing, both are possible */
    out->uefi_supported = true;
    out->bios_supported = true;
    for (int i = 0; i < n; i++) {
        OsinfoFirmware *fw = OSINFO_FIRMWARE(osinfo_list_get_nth(OSINFO_LIST(list), i));
        const char *arch = osinfo_firmware_get_architecture(fw);
        const char *type = osinfo_firmware_get_firmware_type(fw);

        if (!arch || !type || strcmp(arch, OSINFO_ARCH))
            continue;
        if (!strcmp(type, "efi"))
            out->uefi_supported = osinfo_firmware_is_supported(fw);
        else if (!strcmp(type, "bios"))
            out->bios_supported = osinfo_firmware_is_supported(fw);
    }
    g_object_unref(list);
    out->uefi_required = out->uefi_supported && !out->bios_supported;
}

/* The OS's x86_64 install tree, if the database lists one (the first with a kernel path
 * wins over one without). */
static void osinfo_read_tree(OsinfoOs *os, struct virt_osinfo_os *out)
{
    OsinfoTreeList *list = osinfo_os_get_tree_list(os);
    int n = osinfo_list_get_length(OSINFO_LIST(list));

    for (int i = 0; i < n; i++) {
        OsinfoTree *tree = OSINFO_TREE(osinfo_list_get_nth(OSINFO_LIST(list), i));
        const char *arch = osinfo_tree_get_architecture(tree);
        const char *kernel = osinfo_tree_get_kernel_path(tree);
        const char *initrd = osinfo_tree_get_initrd_path(tree);

        if (!arch || strcmp(arch, OSINFO_ARCH) || (out->tree && out->tree_kernel[0]))
            continue;
        out->tree = true;
        out->tree_treeinfo = out->tree_treeinfo || osinfo_tree_get_treeinfo_family(tree);
        if (kernel && initrd) {
            free(out->tree_kernel);
            free(out->tree_initrd);
            out->tree_kernel = osinfo_dup(kernel);
            out->tree_initrd = osinfo_dup(initrd);
        }
    }
    g_object_unref(list);
}

/* ---- one OS ---------------------------------------------------------------------------- */

static void osinfo_read_os(OsinfoOs *os, const char *today, struct virt_osinfo_os *out)
{
    OsinfoProduct *p = OSINFO_PRODUCT(os);

    out->id = osinfo_dup(osinfo_entity_get_id(OSINFO_ENTITY(os)));
    out->short_id = osinfo_dup(osinfo_product_get_short_id(p));
    out->name = osinfo_dup(osinfo_product_get_name(p));
    out->vendor = osinfo_dup(osinfo_product_get_vendor(p));
    out->family = osinfo_dup(osinfo_os_get_family(os));
    out->distro = osinfo_dup(osinfo_os_get_distro(os));
    out->version = osinfo_dup(osinfo_product_get_version(p));
    out->release_date = osinfo_dup(osinfo_product_get_release_date_string(p));
    out->eol_date = osinfo_dup(osinfo_product_get_eol_date_string(p));
    /* both are YYYY-MM-DD, so the string order is the date order */
    out->eol = out->eol_date[0] && strcmp(out->eol_date, today) < 0;
    osinfo_read_resources(os, out);
    osinfo_read_devices(os, out);
    osinfo_read_firmware(os, out);
    out->tree_kernel = osinfo_dup(NULL);
    out->tree_initrd = osinfo_dup(NULL);
    osinfo_read_tree(os, out);
}

static void osinfo_os_clear(struct virt_osinfo_os *os)
{
    free(os->id);
    free(os->short_id);
    free(os->name);
    free(os->vendor);
    free(os->family);
    free(os->distro);
    free(os->version);
    free(os->release_date);
    free(os->eol_date);
    free(os->tree_kernel);
    free(os->tree_initrd);
}

/* ---- order ----------------------------------------------------------------------------- */

/* Versions compare part by part: runs of digits as numbers ("10" > "9"), the rest as
 * text; a version that is not a number ("testing", "unknown") sorts as newest. */
static int osinfo_version_cmp(const char *a, const char *b)
{
    bool a_num = a[0] >= '0' && a[0] <= '9', b_num = b[0] >= '0' && b[0] <= '9';

    if (a_num != b_num)
        return a_num ? -1 : 1;
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            char *ae, *be;
            unsigned long long x = strtoull(a, &ae, 10), y = strtoull(b, &be, 10);

            if (x != y)
                return x < y ? -1 : 1;
            a = ae;
            b = be;
        } else if (*a != *b) {
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        } else {
            a++;
            b++;
        }
    }
    return *a ? 1 : *b ? -1 : 0;
}

static int osinfo_os_cmp(const void *pa, const void *pb)
{
    const struct virt_osinfo_os *a = pa, *b = pb;
    int c = strcmp(a->family, b->family);

    if (!c)
        c = strcmp(a->distro, b->distro);
    if (!c)
        c = -osinfo_version_cmp(a->version, b->version);
    if (!c)
        c = strcmp(a->short_id, b->short_id);
    return c;
}

void virt_osinfo_prepare(char **argv)
{
    if (getenv("G_SLICE"))
        return;
    /* GLib reads G_SLICE once, before main runs: only a fresh image of this program
     * sees it. If exec fails, the daemon runs on with GSlice (more memory, same answers). */
    setenv("G_SLICE", "always-malloc", 1);
    execv("/proc/self/exe", argv);
}

/* ---- the list ---------------------------------------------------------------------------- */

struct virt_osinfo_list *virt_osinfo_list_load(struct app_error *err)
{
    struct virt_osinfo_list *ret = NULL;
    struct virt_osinfo_list *list = NULL;
    OsinfoLoader *loader = NULL;
    OsinfoOsList *oses = NULL;
    GError *gerr = NULL;
    char today[16];
    time_t now = time(NULL);
    struct tm tm;
    int n;

    gmtime_r(&now, &tm);
    strftime(today, sizeof(today), "%Y-%m-%d", &tm);

    loader = osinfo_loader_new();
    OSINFO_LEAKS_IGNORED_BEGIN();
    osinfo_loader_process_default_path(loader, &gerr);
    OSINFO_LEAKS_IGNORED_END();
    if (gerr) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot read the osinfo database: %s",
                      gerr->message);
        goto cleanup;
    }
    oses = osinfo_db_get_os_list(osinfo_loader_get_db(loader));
    n = osinfo_list_get_length(OSINFO_LIST(oses));
    if (n <= 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL,
                      "the osinfo database lists no OS (is osinfo-db installed?)");
        goto cleanup;
    }

    list = xcalloc(1, sizeof(*list));
    list->items = xcalloc((size_t)n, sizeof(*list->items));
    for (int i = 0; i < n; i++) {
        OsinfoOs *os = OSINFO_OS(osinfo_list_get_nth(OSINFO_LIST(oses), i));

        if (!osinfo_product_get_short_id(OSINFO_PRODUCT(os)))
            continue; /* nothing to name it by */
        osinfo_read_os(os, today, &list->items[list->count++]);
    }
    qsort(list->items, list->count, sizeof(*list->items), osinfo_os_cmp);
    ret = list;
    list = NULL;

cleanup:
    virt_osinfo_list_free(list);
    if (gerr)
        g_error_free(gerr);
    if (oses)
        g_object_unref(oses);
    if (loader)
        g_object_unref(loader);
    /* the database's objects (tens of MiB) are gone: give their pages back */
    malloc_trim(0);
    return ret;
}

void virt_osinfo_list_free(struct virt_osinfo_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++)
        osinfo_os_clear(&list->items[i]);
    free(list->items);
    free(list);
}

static bool osinfo_os_matches(const struct virt_osinfo_os *os, const char *q)
{
    return strcasestr(os->name, q) || strcasestr(os->short_id, q) || strcasestr(os->family, q) ||
           strcasestr(os->distro, q) || strcasestr(os->vendor, q) || strcasestr(os->version, q);
}

size_t virt_osinfo_list_search(const struct virt_osinfo_list *list, const char *q,
                               const struct virt_osinfo_os **out, size_t max)
{
    size_t found = 0;

    for (size_t i = 0; i < list->count; i++) {
        if (q && q[0] && !osinfo_os_matches(&list->items[i], q))
            continue;
        if (found < max)
            out[found] = &list->items[i];
        found++;
    }
    return found;
}

const struct virt_osinfo_os *virt_osinfo_list_find(const struct virt_osinfo_list *list,
                                                   const char *short_id)
{
    for (size_t i = 0; list && short_id && i < list->count; i++)
        if (!strcmp(list->items[i].short_id, short_id))
            return &list->items[i];
    return NULL;
}

const struct virt_osinfo_os *virt_osinfo_list_find_id(const struct virt_osinfo_list *list,
                                                      const char *id)
{
    for (size_t i = 0; list && id && i < list->count; i++)
        if (!strcmp(list->items[i].id, id))
            return &list->items[i];
    return NULL;
}

void virt_osinfo_json_short_id(struct json_object *obj, const char *key)
{
    const struct virt_osinfo_os *os;
    struct json_object *v;
    struct app_error err;

    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return;
    app_error_clear(&err);
    os = virt_osinfo_list_find_id(virt_osinfo_shared(&err), json_object_get_string(v));
    json_object_object_add(obj, key, os ? json_object_new_string(os->short_id) : NULL);
}

const struct virt_osinfo_list *virt_osinfo_shared(struct app_error *err)
{
    struct virt_osinfo_list *list;

    pthread_mutex_lock(&shared_lock);
    if (!shared_list) {
        struct timespec t0, t1;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        shared_list = virt_osinfo_list_load(err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (shared_list)
            log_info("osinfo: %zu OS variants read in %ld ms", shared_list->count,
                     (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
    }
    list = shared_list;
    pthread_mutex_unlock(&shared_lock);
    return list;
}

void virt_osinfo_shared_free(void)
{
    pthread_mutex_lock(&shared_lock);
    virt_osinfo_list_free(shared_list);
    shared_list = NULL;
    pthread_mutex_unlock(&shared_lock);
}
