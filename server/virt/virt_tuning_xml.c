/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_tuning_xml: the tuning members' checks, edits and reader (virt_tuning_xml.h).
 * Pure, any thread. Every member is checked in full before anything is edited, and
 * virt_tuning_xml_apply checks what needs the definition (vcpu ids against <vcpu>,
 * iotune targets against the disks) before its first edit, so a refusal leaves the
 * definition as it was. Elements are built with the tree API (values escaped); cpusets
 * are re-formatted from their parsed bits, so no text of the request reaches the XML
 * but numbers, the NUMA mode (one of four words) and a disk target that names an
 * existing disk. */
#include "virt/virt_tuning_xml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlmemory.h>

#include "util/buf.h"
#include "util/xalloc.h"
#include "virt/virt_xml.h"

/* libvirt's "unlimited" memory limit in KiB (VIR_DOMAIN_MEMORY_PARAM_UNLIMITED), so the
 * largest limit in MiB is one below it / 1024 */
#define TUNING_UNLIMITED_KIB 9007199254740991LL
#define TUNING_MAX_MIB       (TUNING_UNLIMITED_KIB / 1024 - 1)
/* QEMU's bound on one iotune value (libvirt's QEMU_BLOCK_IOTUNE_MAX) */
#define TUNING_IOTUNE_MAX 1000000000000000LL
/* cputune bounds libvirt's QEMU driver accepts */
#define TUNING_SHARES_MIN 2
#define TUNING_SHARES_MAX 262144
#define TUNING_PERIOD_MIN 1000
#define TUNING_PERIOD_MAX 1000000
#define TUNING_QUOTA_MAX  17592186044415LL
/* blkiotune weight range of libvirt's QEMU driver */
#define TUNING_WEIGHT_MIN 100
#define TUNING_WEIGHT_MAX 1000
#define TUNING_TARGET_MAX 64

static const char *const tuning_members[] = {"vcpupin",    "emulatorpin", "numatune",
                                             "numa_cells", "hugepages",   "cputune",
                                             "blkiotune",  "iotune",      "memtune"};
static const char *const tuning_numa_modes[] = {"strict", "preferred", "interleave", "restrictive"};
static const char *const tuning_iotune_keys[] = {"total_iops_sec", "read_iops_sec",
                                                 "write_iops_sec", "total_bytes_sec",
                                                 "read_bytes_sec", "write_bytes_sec"};
static const char *const tuning_cputune_keys[] = {"shares", "period", "quota"};
static const char *const tuning_memtune_keys[] = {"hard_limit_mib", "soft_limit_mib",
                                                  "swap_hard_limit_mib"};
/* the <memtune> element of each of tuning_memtune_keys */
static const char *const tuning_memtune_elems[] = {"hard_limit", "soft_limit", "swap_hard_limit"};

#define TUNING_COUNT(a) (sizeof(a) / sizeof((a)[0]))

bool virt_tuning_member(const char *key)
{
    for (size_t i = 0; key && i < TUNING_COUNT(tuning_members); i++)
        if (!strcmp(key, tuning_members[i]))
            return true;
    return false;
}

/* ---- cpusets ------------------------------------------------------------------------ */

/* A decimal id at *p (at most 5 digits, no sign); advances *p. -1 when there is none. */
static long long tuning_cpuset_id(const char **p)
{
    long long v = 0;
    int digits = 0;

    while (**p >= '0' && **p <= '9') {
        if (++digits > 5)
            return -1;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    return digits ? v : -1;
}

int virt_tuning_xml_cpuset(const char *text, int limit, unsigned char *map, size_t map_len,
                           long long *bad)
{
    unsigned char *bits = NULL;
    const char *p = text;
    int ret = -1;
    bool any = false;

    if (!text || limit < 1 || limit > VIRT_TUNING_MAX_CPUS || strlen(text) > VIRT_TUNING_MAX_CPUSET)
        return -1;
    bits = xcalloc((size_t)limit, 1);
    for (;;) {
        bool exclude = *p == '^';
        long long lo, hi;

        if (exclude)
            p++;
        lo = hi = tuning_cpuset_id(&p);
        if (lo < 0)
            goto cleanup;
        if (*p == '-' && !exclude) {
            p++;
            hi = tuning_cpuset_id(&p);
            if (hi < lo)
                goto cleanup;
        }
        if (hi >= limit) {
            if (bad)
                *bad = lo >= limit ? lo : limit;
            ret = -2;
            goto cleanup;
        }
        for (long long i = lo; i <= hi; i++)
            bits[i] = !exclude;
        if (*p == '\0')
            break;
        if (*p++ != ',')
            goto cleanup;
    }
    for (int i = 0; i < limit; i++)
        any = any || bits[i];
    if (!any)
        goto cleanup;
    if (map) {
        memset(map, 0, map_len);
        for (int i = 0; i < limit && (size_t)i / 8 < map_len; i++)
            if (bits[i])
                map[i / 8] |= (unsigned char)(1u << (i % 8));
    }
    ret = 0;

cleanup:
    free(bits);
    return ret;
}

/* The canonical form of a checked cpuset ("0-1,3"), as a new string. */
static char *tuning_cpuset_format(const char *text)
{
    size_t len = VIRT_TUNING_MAX_CPUS / 8;
    unsigned char *map = xcalloc(len, 1);
    struct buf b;
    int i = 0;

    buf_init(&b, 8 * VIRT_TUNING_MAX_CPUS);
    if (virt_tuning_xml_cpuset(text, VIRT_TUNING_MAX_CPUS, map, len, NULL) == 0) {
        while (i < VIRT_TUNING_MAX_CPUS) {
            int start;

            if (!(map[i / 8] & (1u << (i % 8)))) {
                i++;
                continue;
            }
            start = i;
            while (i + 1 < VIRT_TUNING_MAX_CPUS && (map[(i + 1) / 8] & (1u << ((i + 1) % 8))))
                i++;
            /* the bound of b holds every id of VIRT_TUNING_MAX_CPUS with a separator */
            if ((b.len && buf_append_str(&b, ",") < 0) ||
                (start == i ? buf_appendf(&b, "%d", start) : buf_appendf(&b, "%d-%d", start, i)) <
                    0)
                break;
            i++;
        }
    }
    free(map);
    return buf_take(&b);
}

/* ---- checks ------------------------------------------------------------------------- */

/* obj[key] into *val (NULL for a JSON null); false when key is absent. */
static bool tuning_get(struct json_object *obj, const char *key, struct json_object **val)
{
    *val = NULL;
    return json_object_object_get_ex(obj, key, val);
}

static bool tuning_is(struct json_object *val, json_type type)
{
    return val && json_object_is_type(val, type);
}

/* Every key of obj is one of keys (n of them); else 400 at the first other. */
static int tuning_check_keys(struct json_object *obj, const char *const *keys, size_t n,
                             const char *prefix, struct app_error *err)
{
    json_object_object_foreach(obj, key, val)
    {
        bool known = false;

        (void)val;
        for (size_t i = 0; i < n && !known; i++)
            known = !strcmp(key, keys[i]);
        if (!known) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "unknown member");
            app_error_at_field(err, prefix, key);
            return -1;
        }
    }
    return 0;
}

/* val is a whole number in [min, max] into *out; else 400 at prefix key. */
static int tuning_check_int(struct json_object *val, const char *prefix, const char *key,
                            long long min, long long max, long long *out, struct app_error *err)
{
    long long v;

    if (!tuning_is(val, json_type_int)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "must be a whole number");
        app_error_at_range(err, prefix, key, min, max);
        return -1;
    }
    errno = 0;
    v = json_object_get_int64(val);
    if (errno || v < min || v > max) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "must be between %lld and %lld", min, max);
        app_error_at_range(err, prefix, key, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

/* val is a cpuset of ids below limit (what names them: "host CPU", "NUMA node",
 * "vCPU"); the bits into map (limit bits) when map is set. */
static int tuning_check_cpuset(struct json_object *val, const char *prefix, const char *key,
                               int limit, const char *what, unsigned char *map,
                               struct app_error *err)
{
    long long bad = 0;
    int rc;

    if (!tuning_is(val, json_type_string)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "must be a %s list such as \"0-3,^2\"", what);
        app_error_at_field(err, prefix, key);
        return -1;
    }
    rc = virt_tuning_xml_cpuset(json_object_get_string(val), limit, map,
                                map ? ((size_t)limit + 7) / 8 : 0, &bad);
    if (rc == -2) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "there is no %s %lld (the ids are 0 to %d)",
                      what, bad, limit - 1);
        app_error_at_range(err, prefix, key, 0, limit - 1);
        return -1;
    }
    if (rc < 0) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "must be a %s list such as \"0-3,^2\" naming at least one", what);
        app_error_at_field(err, prefix, key);
        return -1;
    }
    return 0;
}

/* val is an object (or null when nullable); else 400 at key. */
static int tuning_check_object(struct json_object *val, bool nullable, const char *prefix,
                               const char *key, struct app_error *err)
{
    if (tuning_is(val, json_type_object) || (nullable && !val))
        return 0;
    app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                  nullable ? "must be an object or null" : "must be an object");
    app_error_at_field(err, prefix, key);
    return -1;
}

/* val is an array of at most max items; else 400 at key. */
static int tuning_check_array(struct json_object *val, const char *key, size_t max,
                              struct app_error *err)
{
    if (!tuning_is(val, json_type_array)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "must be an array");
        app_error_at_field(err, "", key);
        return -1;
    }
    if (json_object_array_length(val) > max) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "at most %zu entries", max);
        app_error_at_field(err, "", key);
        return -1;
    }
    return 0;
}

/* The member key of obj, which must be present (400 "required" at prefix key). */
static int tuning_need(struct json_object *obj, const char *prefix, const char *key,
                       struct json_object **val, struct app_error *err)
{
    if (tuning_get(obj, key, val) && *val)
        return 0;
    app_error_set(err, 400, APP_ERR_BAD_REQUEST, "required");
    app_error_at_field(err, prefix, key);
    return -1;
}

/* The patch's max_vcpus when it is a usable number, else VIRT_TUNING_MAX_CPUS. */
static int tuning_patch_max_vcpus(struct json_object *patch)
{
    struct json_object *v;
    long long n;

    if (!tuning_get(patch, "max_vcpus", &v) || !tuning_is(v, json_type_int))
        return VIRT_TUNING_MAX_CPUS;
    n = json_object_get_int64(v);
    return n >= 1 && n <= VIRT_TUNING_MAX_CPUS ? (int)n : VIRT_TUNING_MAX_CPUS;
}

static int tuning_check_vcpupin(struct json_object *arr, int max_vcpus, int host_cpus,
                                struct app_error *err)
{
    static const char *const keys[] = {"vcpu", "cpuset"};
    bool *seen = NULL;
    int ret = -1;

    if (tuning_check_array(arr, "vcpupin", VIRT_TUNING_MAX_ITEMS, err) < 0)
        return -1;
    seen = xcalloc((size_t)max_vcpus, sizeof(*seen));
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        struct json_object *item = json_object_array_get_idx(arr, i), *v;
        char prefix[48];
        long long vcpu;

        snprintf(prefix, sizeof(prefix), "vcpupin[%zu].", i);
        if (!tuning_is(item, json_type_object)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "must be an object");
            snprintf(prefix, sizeof(prefix), "vcpupin[%zu]", i);
            app_error_at_field(err, "", prefix);
            goto cleanup;
        }
        if (tuning_check_keys(item, keys, TUNING_COUNT(keys), prefix, err) < 0 ||
            tuning_need(item, prefix, "vcpu", &v, err) < 0 ||
            tuning_check_int(v, prefix, "vcpu", 0, max_vcpus - 1, &vcpu, err) < 0)
            goto cleanup;
        if (seen[vcpu]) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "vCPU %lld is pinned twice", vcpu);
            app_error_at_field(err, prefix, "vcpu");
            goto cleanup;
        }
        seen[vcpu] = true;
        if (tuning_need(item, prefix, "cpuset", &v, err) < 0 ||
            tuning_check_cpuset(v, prefix, "cpuset", host_cpus, "host CPU", NULL, err) < 0)
            goto cleanup;
    }
    ret = 0;

cleanup:
    free(seen);
    return ret;
}

static int tuning_check_numatune(struct json_object *val, int host_cells, struct app_error *err)
{
    static const char *const keys[] = {"mode", "nodeset"};
    struct json_object *v;
    bool known = false;

    if (tuning_check_object(val, true, "", "numatune", err) < 0)
        return -1;
    if (!val)
        return 0;
    if (tuning_check_keys(val, keys, TUNING_COUNT(keys), "numatune.", err) < 0 ||
        tuning_need(val, "numatune.", "mode", &v, err) < 0)
        return -1;
    for (size_t i = 0; i < TUNING_COUNT(tuning_numa_modes) && tuning_is(v, json_type_string); i++)
        known = known || !strcmp(json_object_get_string(v), tuning_numa_modes[i]);
    if (!known) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "must be strict, preferred, interleave or restrictive");
        app_error_at_field(err, "numatune.", "mode");
        return -1;
    }
    if (tuning_need(val, "numatune.", "nodeset", &v, err) < 0 ||
        tuning_check_cpuset(v, "numatune.", "nodeset", host_cells, "host NUMA node", NULL, err) < 0)
        return -1;
    return 0;
}

static int tuning_check_cells(struct json_object *arr, int max_vcpus, struct app_error *err)
{
    static const char *const keys[] = {"id", "cpus", "memory_mib"};
    size_t n, map_len = ((size_t)max_vcpus + 7) / 8;
    unsigned char *used = NULL, *map = NULL;
    bool ids[VIRT_TUNING_MAX_CELLS] = {false};
    int ret = -1;

    if (tuning_check_array(arr, "numa_cells", VIRT_TUNING_MAX_CELLS, err) < 0)
        return -1;
    n = json_object_array_length(arr);
    used = xcalloc(map_len, 1);
    map = xcalloc(map_len, 1);
    for (size_t i = 0; i < n; i++) {
        struct json_object *item = json_object_array_get_idx(arr, i), *v;
        char prefix[48];
        long long id, mib;

        snprintf(prefix, sizeof(prefix), "numa_cells[%zu].", i);
        if (!tuning_is(item, json_type_object)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "must be an object");
            snprintf(prefix, sizeof(prefix), "numa_cells[%zu]", i);
            app_error_at_field(err, "", prefix);
            goto cleanup;
        }
        if (tuning_check_keys(item, keys, TUNING_COUNT(keys), prefix, err) < 0 ||
            tuning_need(item, prefix, "id", &v, err) < 0 ||
            tuning_check_int(v, prefix, "id", 0, (long long)n - 1, &id, err) < 0)
            goto cleanup;
        if (ids[id]) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "cell %lld is listed twice", id);
            app_error_at_field(err, prefix, "id");
            goto cleanup;
        }
        ids[id] = true;
        if (tuning_need(item, prefix, "cpus", &v, err) < 0 ||
            tuning_check_cpuset(v, prefix, "cpus", max_vcpus, "vCPU", map, err) < 0)
            goto cleanup;
        for (size_t b = 0; b < map_len; b++) {
            if (used[b] & map[b]) {
                app_error_set(err, 400, APP_ERR_BAD_REQUEST, "a vCPU is in two cells");
                app_error_at_field(err, prefix, "cpus");
                goto cleanup;
            }
            used[b] |= map[b];
        }
        if (tuning_need(item, prefix, "memory_mib", &v, err) < 0 ||
            tuning_check_int(v, prefix, "memory_mib", 1, TUNING_MAX_MIB, &mib, err) < 0)
            goto cleanup;
    }
    ret = 0;

cleanup:
    free(used);
    free(map);
    return ret;
}

static int tuning_check_hugepages(struct json_object *val, const struct virt_host_cpus *host,
                                  struct app_error *err)
{
    static const char *const keys[] = {"size_kib"};
    struct json_object *v;
    long long size;

    if (tuning_check_object(val, true, "", "hugepages", err) < 0)
        return -1;
    if (!val)
        return 0;
    if (tuning_check_keys(val, keys, TUNING_COUNT(keys), "hugepages.", err) < 0 ||
        tuning_need(val, "hugepages.", "size_kib", &v, err) < 0 ||
        tuning_check_int(v, "hugepages.", "size_kib", 1, TUNING_MAX_MIB, &size, err) < 0)
        return -1;
    for (size_t i = 0; i < host->page_size_count; i++)
        if (host->page_sizes_kib[i] == size)
            return 0;
    app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the host has no huge pages of %lld KiB", size);
    app_error_at_field(err, "hugepages.", "size_kib");
    return -1;
}

static int tuning_check_cputune(struct json_object *val, struct app_error *err)
{
    struct json_object *v;
    long long n;

    if (tuning_check_object(val, true, "", "cputune", err) < 0)
        return -1;
    if (!val)
        return 0;
    if (tuning_check_keys(val, tuning_cputune_keys, TUNING_COUNT(tuning_cputune_keys), "cputune.",
                          err) < 0)
        return -1;
    if (tuning_get(val, "shares", &v) && v &&
        tuning_check_int(v, "cputune.", "shares", TUNING_SHARES_MIN, TUNING_SHARES_MAX, &n, err) <
            0)
        return -1;
    if (tuning_get(val, "period", &v) && v &&
        tuning_check_int(v, "cputune.", "period", TUNING_PERIOD_MIN, TUNING_PERIOD_MAX, &n, err) <
            0)
        return -1;
    if (tuning_get(val, "quota", &v) && v) {
        if (tuning_check_int(v, "cputune.", "quota", -1, TUNING_QUOTA_MAX, &n, err) < 0)
            return -1;
        if (n >= 0 && n < TUNING_PERIOD_MIN) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                          "must be -1 (no limit) or between %d and %lld", TUNING_PERIOD_MIN,
                          TUNING_QUOTA_MAX);
            app_error_at_range(err, "cputune.", "quota", -1, TUNING_QUOTA_MAX);
            return -1;
        }
    }
    return 0;
}

static int tuning_check_blkiotune(struct json_object *val, struct app_error *err)
{
    static const char *const keys[] = {"weight"};
    struct json_object *v;
    long long n;

    if (tuning_check_object(val, true, "", "blkiotune", err) < 0)
        return -1;
    if (!val)
        return 0;
    if (tuning_check_keys(val, keys, TUNING_COUNT(keys), "blkiotune.", err) < 0 ||
        tuning_need(val, "blkiotune.", "weight", &v, err) < 0 ||
        tuning_check_int(v, "blkiotune.", "weight", TUNING_WEIGHT_MIN, TUNING_WEIGHT_MAX, &n, err) <
            0)
        return -1;
    return 0;
}

/* One iotune entry: target and the six limits; total_X excludes read_X and write_X. */
static int tuning_check_iotune_item(struct json_object *item, const char *prefix,
                                    struct app_error *err)
{
    static const char *const keys[] = {"target",         "total_iops_sec",  "read_iops_sec",
                                       "write_iops_sec", "total_bytes_sec", "read_bytes_sec",
                                       "write_bytes_sec"};
    long long n[TUNING_COUNT(tuning_iotune_keys)] = {0};
    struct json_object *v;
    size_t len;

    if (tuning_check_keys(item, keys, TUNING_COUNT(keys), prefix, err) < 0 ||
        tuning_need(item, prefix, "target", &v, err) < 0)
        return -1;
    len = tuning_is(v, json_type_string) ? strlen(json_object_get_string(v)) : 0;
    if (len < 1 || len > TUNING_TARGET_MAX) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "must be a disk target such as \"vda\"");
        app_error_at_field(err, prefix, "target");
        return -1;
    }
    for (size_t k = 0; k < TUNING_COUNT(tuning_iotune_keys); k++)
        if (tuning_get(item, tuning_iotune_keys[k], &v) && v &&
            tuning_check_int(v, prefix, tuning_iotune_keys[k], 0, TUNING_IOTUNE_MAX, &n[k], err) <
                0)
            return -1;
    /* total_iops_sec with read/write_iops_sec (0..2), the same for bytes (3..5) */
    for (size_t k = 0; k < TUNING_COUNT(tuning_iotune_keys); k += 3) {
        if (n[k] && (n[k + 1] || n[k + 2])) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "%s cannot be set together with %s or %s",
                          tuning_iotune_keys[k], tuning_iotune_keys[k + 1],
                          tuning_iotune_keys[k + 2]);
            app_error_at_field(err, prefix, tuning_iotune_keys[k]);
            return -1;
        }
    }
    return 0;
}

static int tuning_check_iotune(struct json_object *arr, struct app_error *err)
{
    if (tuning_check_array(arr, "iotune", VIRT_TUNING_MAX_ITEMS, err) < 0)
        return -1;
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        struct json_object *item = json_object_array_get_idx(arr, i);
        char prefix[48];

        snprintf(prefix, sizeof(prefix), "iotune[%zu].", i);
        if (!tuning_is(item, json_type_object)) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "must be an object");
            snprintf(prefix, sizeof(prefix), "iotune[%zu]", i);
            app_error_at_field(err, "", prefix);
            return -1;
        }
        if (tuning_check_iotune_item(item, prefix, err) < 0)
            return -1;
        for (size_t j = 0; j < i; j++) {
            struct json_object *a, *b;

            (void)json_object_object_get_ex(item, "target", &a);
            (void)json_object_object_get_ex(json_object_array_get_idx(arr, j), "target", &b);
            if (!strcmp(json_object_get_string(a), json_object_get_string(b))) {
                app_error_set(err, 400, APP_ERR_BAD_REQUEST, "this disk is listed twice");
                app_error_at_field(err, prefix, "target");
                return -1;
            }
        }
    }
    return 0;
}

static int tuning_check_memtune(struct json_object *val, struct app_error *err)
{
    long long n[TUNING_COUNT(tuning_memtune_keys)] = {0};
    struct json_object *v;

    if (tuning_check_object(val, true, "", "memtune", err) < 0)
        return -1;
    if (!val)
        return 0;
    if (tuning_check_keys(val, tuning_memtune_keys, TUNING_COUNT(tuning_memtune_keys), "memtune.",
                          err) < 0)
        return -1;
    for (size_t k = 0; k < TUNING_COUNT(tuning_memtune_keys); k++)
        if (tuning_get(val, tuning_memtune_keys[k], &v) && v &&
            tuning_check_int(v, "memtune.", tuning_memtune_keys[k], 1, TUNING_MAX_MIB, &n[k], err) <
                0)
            return -1;
    /* libvirt: the swap limit (memory plus swap) is at least the hard limit */
    if (n[0] && n[2] && n[2] < n[0]) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "must be at least hard_limit_mib (it counts memory plus swap)");
        app_error_at_range(err, "memtune.", "swap_hard_limit_mib", n[0], TUNING_MAX_MIB);
        return -1;
    }
    return 0;
}

int virt_tuning_xml_check(struct json_object *patch, const struct virt_host_cpus *host,
                          struct app_error *err)
{
    int max_vcpus = tuning_patch_max_vcpus(patch);
    int host_cpus = host->cpu_count, host_cells = host->numa_cells > 0 ? host->numa_cells : 1;
    struct json_object *v;

    if (!tuning_is(patch, json_type_object)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the body must be a JSON object");
        return -1;
    }
    if (host_cpus < 1 || host_cpus > VIRT_TUNING_MAX_CPUS)
        host_cpus = host_cpus < 1 ? 1 : VIRT_TUNING_MAX_CPUS;
    if (host_cells > VIRT_TUNING_MAX_CPUS)
        host_cells = VIRT_TUNING_MAX_CPUS;
    if (tuning_get(patch, "vcpupin", &v) && tuning_check_vcpupin(v, max_vcpus, host_cpus, err) < 0)
        return -1;
    if (tuning_get(patch, "emulatorpin", &v) && v &&
        tuning_check_cpuset(v, "", "emulatorpin", host_cpus, "host CPU", NULL, err) < 0)
        return -1;
    if (tuning_get(patch, "numatune", &v) && tuning_check_numatune(v, host_cells, err) < 0)
        return -1;
    if (tuning_get(patch, "numa_cells", &v) && tuning_check_cells(v, max_vcpus, err) < 0)
        return -1;
    if (tuning_get(patch, "hugepages", &v) && tuning_check_hugepages(v, host, err) < 0)
        return -1;
    if (tuning_get(patch, "cputune", &v) && tuning_check_cputune(v, err) < 0)
        return -1;
    if (tuning_get(patch, "blkiotune", &v) && tuning_check_blkiotune(v, err) < 0)
        return -1;
    if (tuning_get(patch, "iotune", &v) && tuning_check_iotune(v, err) < 0)
        return -1;
    if (tuning_get(patch, "memtune", &v) && tuning_check_memtune(v, err) < 0)
        return -1;
    return 0;
}

/* ---- the tree ----------------------------------------------------------------------- */

static bool tuning_named(xmlNodePtr node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && !strcmp((const char *)node->name, name);
}

/* parent's first element child name, or NULL. */
static xmlNodePtr tuning_child(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
        if (tuning_named(c, name))
            return c;
    return NULL;
}

static xmlNodePtr tuning_child_ensure(xmlNodePtr parent, const char *name)
{
    xmlNodePtr c = tuning_child(parent, name);

    return c ? c : virt_xml_add(parent, name);
}

/* Removes every element child name of parent (NULL-safe). */
static void tuning_drop(xmlNodePtr parent, const char *name)
{
    xmlNodePtr c = parent ? parent->children : NULL;

    while (c) {
        xmlNodePtr next = c->next;

        if (tuning_named(c, name)) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        }
        c = next;
    }
}

/* Removes node (NULL-safe) when it has neither attributes nor element children. */
static void tuning_drop_if_empty(xmlNodePtr node)
{
    if (!node || node->properties)
        return;
    for (xmlNodePtr c = node->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return;
    xmlUnlinkNode(node);
    xmlFreeNode(node);
}

static void tuning_set_int(xmlNodePtr node, const char *name, long long v)
{
    char num[24];

    snprintf(num, sizeof(num), "%lld", v);
    virt_xml_set(node, name, num);
}

static xmlNodePtr tuning_add_int(xmlNodePtr parent, const char *name, long long v)
{
    char num[24];

    snprintf(num, sizeof(num), "%lld", v);
    return virt_xml_add_text(parent, name, num);
}

static void tuning_set_cpuset(xmlNodePtr node, const char *name, struct json_object *val)
{
    char *canon = tuning_cpuset_format(json_object_get_string(val));

    virt_xml_set(node, name, canon);
    free(canon);
}

/* A number of the string s (NULL-safe): whole, no sign but an optional '-' when
 * negative is allowed; false when it is not one. */
static bool tuning_number(const char *s, bool negative, long long *out)
{
    char *end = NULL;

    if (!s || !((s[0] >= '0' && s[0] <= '9') || (negative && s[0] == '-')))
        return false;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return !errno && end != s && !*end;
}

static bool tuning_prop_number(xmlNodePtr node, const char *name, long long *out)
{
    xmlChar *s = node ? xmlGetProp(node, (const xmlChar *)name) : NULL;
    bool ok = tuning_number((const char *)s, false, out);

    xmlFree(s);
    return ok;
}

/* The text of node as a number (NULL-safe). */
static bool tuning_text_number(xmlNodePtr node, bool negative, long long *out)
{
    xmlChar *s = node ? xmlNodeGetContent(node) : NULL;
    bool ok = tuning_number((const char *)s, negative, out);

    xmlFree(s);
    return ok;
}

/* A size of value in unit (libvirt's scaled integers; NULL unit: KiB) in KiB, rounded
 * down; false for an unknown unit or an overflow. */
static bool tuning_kib(long long value, const char *unit, long long *kib)
{
    static const struct {
        const char *unit;
        long long mul, div;
    } units[] = {{"b", 1, 1024},        {"bytes", 1, 1024},  {"KB", 1000, 1024},
                 {"k", 1, 1},           {"KiB", 1, 1},       {"MB", 1000000, 1024},
                 {"M", 1024, 1},        {"MiB", 1024, 1},    {"GB", 1000000000, 1024},
                 {"G", 1048576, 1},     {"GiB", 1048576, 1}, {"T", 1073741824, 1},
                 {"TiB", 1073741824, 1}};

    for (size_t i = 0; i < TUNING_COUNT(units); i++) {
        if (strcmp(unit ? unit : "KiB", units[i].unit))
            continue;
        if (value > TUNING_UNLIMITED_KIB * units[i].div / units[i].mul)
            return false;
        *kib = value * units[i].mul / units[i].div;
        return true;
    }
    return false;
}

/* node's size (text, or attribute attr when set) with its unit attribute, in KiB. */
static bool tuning_node_kib(xmlNodePtr node, const char *attr, long long *kib)
{
    xmlChar *unit;
    long long v;
    bool ok;

    if (!node || !(attr ? tuning_prop_number(node, attr, &v) : tuning_text_number(node, false, &v)))
        return false;
    unit = xmlGetProp(node, (const xmlChar *)"unit");
    ok = tuning_kib(v, (const char *)unit, kib);
    xmlFree(unit);
    return ok;
}

/* ---- apply -------------------------------------------------------------------------- */

/* The definition's <disk> whose <target dev> is dev, or NULL. */
static xmlNodePtr tuning_disk(xmlNodePtr domain, const char *dev)
{
    for (xmlNodePtr d = tuning_child(domain, "devices") ? tuning_child(domain, "devices")->children
                                                        : NULL;
         d; d = d->next) {
        xmlNodePtr target = tuning_named(d, "disk") ? tuning_child(d, "target") : NULL;
        xmlChar *name = target ? xmlGetProp(target, (const xmlChar *)"dev") : NULL;
        bool same = name && !strcmp((const char *)name, dev);

        xmlFree(name);
        if (same)
            return d;
    }
    return NULL;
}

/* The vCPU ids the definition allows: the patch's max_vcpus (B sets <vcpu> to it in the
 * same PATCH), else <vcpu>'s count (1 when it has none). */
static int tuning_max_vcpus(xmlNodePtr domain, struct json_object *patch)
{
    struct json_object *v;
    long long n;

    if (tuning_get(patch, "max_vcpus", &v) && tuning_is(v, json_type_int))
        return tuning_patch_max_vcpus(patch);
    if (!tuning_text_number(tuning_child(domain, "vcpu"), false, &n))
        return 1;
    return n >= 1 && n <= VIRT_TUNING_MAX_CPUS ? (int)n : VIRT_TUNING_MAX_CPUS;
}

/* What apply checks against the definition before its first edit. */
static int tuning_apply_check(xmlNodePtr domain, struct json_object *patch, struct app_error *err)
{
    int max_vcpus = tuning_max_vcpus(domain, patch);
    struct json_object *arr, *item, *v;

    if (tuning_get(patch, "vcpupin", &arr))
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
            char prefix[48];
            long long vcpu;

            item = json_object_array_get_idx(arr, i);
            (void)json_object_object_get_ex(item, "vcpu", &v);
            vcpu = json_object_get_int64(v);
            if (vcpu >= max_vcpus) {
                snprintf(prefix, sizeof(prefix), "vcpupin[%zu].", i);
                app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                              "the VM has %d vCPUs at most (ids 0 to %d)", max_vcpus,
                              max_vcpus - 1);
                app_error_at_range(err, prefix, "vcpu", 0, max_vcpus - 1);
                return -1;
            }
        }
    if (tuning_get(patch, "numa_cells", &arr))
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
            char prefix[48];

            snprintf(prefix, sizeof(prefix), "numa_cells[%zu].", i);
            (void)json_object_object_get_ex(json_object_array_get_idx(arr, i), "cpus", &v);
            if (tuning_check_cpuset(v, prefix, "cpus", max_vcpus, "vCPU", NULL, err) < 0)
                return -1;
        }
    if (tuning_get(patch, "iotune", &arr))
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
            char prefix[48];

            (void)json_object_object_get_ex(json_object_array_get_idx(arr, i), "target", &v);
            if (!tuning_disk(domain, json_object_get_string(v))) {
                snprintf(prefix, sizeof(prefix), "iotune[%zu].", i);
                app_error_set(err, 400, APP_ERR_BAD_REQUEST, "the VM has no disk %s",
                              json_object_get_string(v));
                app_error_at_field(err, prefix, "target");
                return -1;
            }
        }
    return 0;
}

static void tuning_apply_vcpupin(xmlNodePtr domain, struct json_object *arr)
{
    xmlNodePtr cputune = tuning_child_ensure(domain, "cputune");

    tuning_drop(cputune, "vcpupin");
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        struct json_object *item = json_object_array_get_idx(arr, i), *vcpu, *cpuset;
        xmlNodePtr pin = virt_xml_add(cputune, "vcpupin");

        (void)json_object_object_get_ex(item, "vcpu", &vcpu);
        (void)json_object_object_get_ex(item, "cpuset", &cpuset);
        tuning_set_int(pin, "vcpu", json_object_get_int64(vcpu));
        tuning_set_cpuset(pin, "cpuset", cpuset);
    }
    tuning_drop_if_empty(cputune);
}

static void tuning_apply_emulatorpin(xmlNodePtr domain, struct json_object *val)
{
    xmlNodePtr cputune = tuning_child_ensure(domain, "cputune");

    tuning_drop(cputune, "emulatorpin");
    if (val)
        tuning_set_cpuset(virt_xml_add(cputune, "emulatorpin"), "cpuset", val);
    tuning_drop_if_empty(cputune);
}

static void tuning_apply_cputune(xmlNodePtr domain, struct json_object *val)
{
    xmlNodePtr cputune = tuning_child_ensure(domain, "cputune");
    struct json_object *v;

    for (size_t k = 0; k < TUNING_COUNT(tuning_cputune_keys); k++) {
        if (val && (!tuning_get(val, tuning_cputune_keys[k], &v) || !v))
            continue; /* absent or null: unchanged */
        tuning_drop(cputune, tuning_cputune_keys[k]);
        if (val)
            tuning_add_int(cputune, tuning_cputune_keys[k], json_object_get_int64(v));
    }
    tuning_drop_if_empty(cputune);
}

static void tuning_apply_numatune(xmlNodePtr domain, struct json_object *val)
{
    xmlNodePtr numatune = tuning_child_ensure(domain, "numatune"), mem;
    struct json_object *mode, *nodeset;

    tuning_drop(numatune, "memory");
    if (val) {
        (void)json_object_object_get_ex(val, "mode", &mode);
        (void)json_object_object_get_ex(val, "nodeset", &nodeset);
        mem = virt_xml_add(numatune, "memory");
        virt_xml_set(mem, "mode", json_object_get_string(mode));
        tuning_set_cpuset(mem, "nodeset", nodeset);
    }
    tuning_drop_if_empty(numatune);
}

static void tuning_apply_cells(xmlNodePtr domain, struct json_object *arr)
{
    xmlNodePtr cpu = tuning_child_ensure(domain, "cpu"), numa;
    size_t n = json_object_array_length(arr);

    tuning_drop(cpu, "numa");
    if (n) {
        numa = virt_xml_add(cpu, "numa");
        /* in id order, as libvirt numbers them */
        for (size_t id = 0; id < n; id++)
            for (size_t i = 0; i < n; i++) {
                struct json_object *item = json_object_array_get_idx(arr, i), *v;
                xmlNodePtr cell;

                (void)json_object_object_get_ex(item, "id", &v);
                if ((size_t)json_object_get_int64(v) != id)
                    continue;
                cell = virt_xml_add(numa, "cell");
                tuning_set_int(cell, "id", (long long)id);
                (void)json_object_object_get_ex(item, "cpus", &v);
                tuning_set_cpuset(cell, "cpus", v);
                (void)json_object_object_get_ex(item, "memory_mib", &v);
                tuning_set_int(cell, "memory", json_object_get_int64(v) * 1024);
                virt_xml_set(cell, "unit", "KiB");
            }
    }
    tuning_drop_if_empty(cpu);
}

static void tuning_apply_hugepages(xmlNodePtr domain, struct json_object *val)
{
    xmlNodePtr backing = tuning_child_ensure(domain, "memoryBacking"), page;
    struct json_object *size;

    tuning_drop(backing, "hugepages");
    if (val) {
        (void)json_object_object_get_ex(val, "size_kib", &size);
        page = virt_xml_add(virt_xml_add(backing, "hugepages"), "page");
        tuning_set_int(page, "size", json_object_get_int64(size));
        virt_xml_set(page, "unit", "KiB");
    }
    tuning_drop_if_empty(backing);
}

static void tuning_apply_blkiotune(xmlNodePtr domain, struct json_object *val)
{
    xmlNodePtr blkiotune = tuning_child_ensure(domain, "blkiotune");
    struct json_object *weight;

    tuning_drop(blkiotune, "weight");
    if (val) {
        (void)json_object_object_get_ex(val, "weight", &weight);
        tuning_add_int(blkiotune, "weight", json_object_get_int64(weight));
    }
    tuning_drop_if_empty(blkiotune);
}

/* Each entry replaces its disk's <iotune> (0 = no limit: left out; all 0: none). */
static void tuning_apply_iotune(xmlNodePtr domain, struct json_object *arr)
{
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        struct json_object *item = json_object_array_get_idx(arr, i), *v;
        xmlNodePtr disk, iotune;

        (void)json_object_object_get_ex(item, "target", &v);
        disk = tuning_disk(domain, json_object_get_string(v));
        tuning_drop(disk, "iotune");
        iotune = virt_xml_add(disk, "iotune");
        for (size_t k = 0; k < TUNING_COUNT(tuning_iotune_keys); k++)
            if (tuning_get(item, tuning_iotune_keys[k], &v) && v && json_object_get_int64(v))
                tuning_add_int(iotune, tuning_iotune_keys[k], json_object_get_int64(v));
        tuning_drop_if_empty(iotune);
    }
}

static void tuning_apply_memtune(xmlNodePtr domain, struct json_object *val)
{
    xmlNodePtr memtune = tuning_child_ensure(domain, "memtune");
    struct json_object *v;

    for (size_t k = 0; k < TUNING_COUNT(tuning_memtune_keys); k++) {
        bool present = val && tuning_get(val, tuning_memtune_keys[k], &v);

        if (val && !present)
            continue; /* absent: unchanged */
        tuning_drop(memtune, tuning_memtune_elems[k]);
        if (present && v)
            virt_xml_set(
                tuning_add_int(memtune, tuning_memtune_elems[k], json_object_get_int64(v) * 1024),
                "unit", "KiB");
    }
    tuning_drop_if_empty(memtune);
}

int virt_tuning_xml_apply(xmlNodePtr domain, struct json_object *patch, struct app_error *err)
{
    struct json_object *v;

    if (!domain || !tuning_named(domain, "domain")) {
        app_error_set(err, 502, APP_ERR_LIBVIRT, "malformed <domain> XML");
        return -1;
    }
    if (tuning_apply_check(domain, patch, err) < 0)
        return -1;
    if (tuning_get(patch, "vcpupin", &v))
        tuning_apply_vcpupin(domain, v);
    if (tuning_get(patch, "emulatorpin", &v))
        tuning_apply_emulatorpin(domain, v);
    if (tuning_get(patch, "cputune", &v))
        tuning_apply_cputune(domain, v);
    if (tuning_get(patch, "numatune", &v))
        tuning_apply_numatune(domain, v);
    if (tuning_get(patch, "numa_cells", &v))
        tuning_apply_cells(domain, v);
    if (tuning_get(patch, "hugepages", &v))
        tuning_apply_hugepages(domain, v);
    if (tuning_get(patch, "blkiotune", &v))
        tuning_apply_blkiotune(domain, v);
    if (tuning_get(patch, "iotune", &v))
        tuning_apply_iotune(domain, v);
    if (tuning_get(patch, "memtune", &v))
        tuning_apply_memtune(domain, v);
    return 0;
}

/* ---- read --------------------------------------------------------------------------- */

static struct json_object *tuning_json_prop(xmlNodePtr node, const char *name)
{
    xmlChar *s = node ? xmlGetProp(node, (const xmlChar *)name) : NULL;
    struct json_object *ret = s && s[0] ? json_object_new_string((const char *)s) : NULL;

    xmlFree(s);
    return ret;
}

static struct json_object *tuning_read_cputune(xmlNodePtr cputune, struct json_object *config)
{
    struct json_object *pins = json_object_new_array(), *tune = json_object_new_object();
    bool any = false;

    for (xmlNodePtr c = cputune ? cputune->children : NULL; c; c = c->next) {
        struct json_object *pin;
        long long vcpu;

        if (!tuning_named(c, "vcpupin") || !tuning_prop_number(c, "vcpu", &vcpu) ||
            json_object_array_length(pins) >= VIRT_TUNING_MAX_ITEMS)
            continue;
        pin = json_object_new_object();
        virt_xml_json_add(pin, "vcpu", json_object_new_int64(vcpu));
        virt_xml_json_add(pin, "cpuset", tuning_json_prop(c, "cpuset"));
        virt_xml_json_push(pins, pin);
    }
    virt_xml_json_add(config, "vcpupin", pins);
    virt_xml_json_add(config, "emulatorpin",
                      tuning_json_prop(tuning_child(cputune, "emulatorpin"), "cpuset"));
    for (size_t k = 0; k < TUNING_COUNT(tuning_cputune_keys); k++) {
        long long n;
        bool ok = tuning_text_number(tuning_child(cputune, tuning_cputune_keys[k]), k == 2, &n);

        virt_xml_json_add(tune, tuning_cputune_keys[k], ok ? json_object_new_int64(n) : NULL);
        any = any || ok;
    }
    if (!any) {
        json_object_put(tune);
        tune = NULL;
    }
    return tune;
}

static struct json_object *tuning_read_numatune(xmlNodePtr numatune)
{
    xmlNodePtr mem = tuning_child(numatune, "memory");
    struct json_object *obj, *mode;

    if (!mem)
        return NULL;
    obj = json_object_new_object();
    mode = tuning_json_prop(mem, "mode");
    virt_xml_json_add(obj, "mode", mode ? mode : json_object_new_string("strict"));
    virt_xml_json_add(obj, "nodeset", tuning_json_prop(mem, "nodeset"));
    return obj;
}

static struct json_object *tuning_read_cells(xmlNodePtr numa)
{
    struct json_object *arr = json_object_new_array();

    for (xmlNodePtr c = numa ? numa->children : NULL; c; c = c->next) {
        struct json_object *cell;
        long long id, kib;

        if (!tuning_named(c, "cell") || json_object_array_length(arr) >= VIRT_TUNING_MAX_CELLS)
            continue;
        cell = json_object_new_object();
        virt_xml_json_add(cell, "id",
                          tuning_prop_number(c, "id", &id) ? json_object_new_int64(id) : NULL);
        virt_xml_json_add(cell, "cpus", tuning_json_prop(c, "cpus"));
        virt_xml_json_add(cell, "memory_mib",
                          tuning_node_kib(c, "memory", &kib) ? json_object_new_int64(kib / 1024)
                                                             : NULL);
        virt_xml_json_push(arr, cell);
    }
    return arr;
}

static struct json_object *tuning_read_hugepages(xmlNodePtr backing)
{
    xmlNodePtr hp = tuning_child(backing, "hugepages");
    struct json_object *obj;
    long long kib;

    if (!hp)
        return NULL;
    obj = json_object_new_object();
    /* <hugepages/> without <page>: the host's default huge page size */
    virt_xml_json_add(obj, "size_kib",
                      tuning_node_kib(tuning_child(hp, "page"), "size", &kib)
                          ? json_object_new_int64(kib)
                          : NULL);
    return obj;
}

static struct json_object *tuning_read_blkiotune(xmlNodePtr blkiotune)
{
    struct json_object *obj;
    long long w;

    if (!tuning_text_number(tuning_child(blkiotune, "weight"), false, &w))
        return NULL;
    obj = json_object_new_object();
    virt_xml_json_add(obj, "weight", json_object_new_int64(w));
    return obj;
}

/* Every disk with a target, with its six limits (0: none). */
static struct json_object *tuning_read_iotune(xmlNodePtr devices)
{
    struct json_object *arr = json_object_new_array();

    for (xmlNodePtr d = devices ? devices->children : NULL; d; d = d->next) {
        struct json_object *item, *dev;
        xmlNodePtr iotune;

        if (!tuning_named(d, "disk") || json_object_array_length(arr) >= VIRT_TUNING_MAX_ITEMS)
            continue;
        dev = tuning_json_prop(tuning_child(d, "target"), "dev");
        if (!dev)
            continue;
        item = json_object_new_object();
        virt_xml_json_add(item, "target", dev);
        iotune = tuning_child(d, "iotune");
        for (size_t k = 0; k < TUNING_COUNT(tuning_iotune_keys); k++) {
            long long n;

            if (!tuning_text_number(tuning_child(iotune, tuning_iotune_keys[k]), false, &n))
                n = 0;
            virt_xml_json_add(item, tuning_iotune_keys[k], json_object_new_int64(n));
        }
        virt_xml_json_push(arr, item);
    }
    return arr;
}

static struct json_object *tuning_read_memtune(xmlNodePtr memtune)
{
    struct json_object *obj = json_object_new_object();
    bool any = false;

    for (size_t k = 0; k < TUNING_COUNT(tuning_memtune_keys); k++) {
        long long kib;
        bool ok = tuning_node_kib(tuning_child(memtune, tuning_memtune_elems[k]), NULL, &kib) &&
                  kib < TUNING_UNLIMITED_KIB;

        virt_xml_json_add(obj, tuning_memtune_keys[k],
                          ok ? json_object_new_int64(kib / 1024) : NULL);
        any = any || ok;
    }
    if (!any) {
        json_object_put(obj);
        obj = NULL;
    }
    return obj;
}

int virt_tuning_xml_read(xmlNodePtr domain, struct json_object *config, struct app_error *err)
{
    if (!domain || !tuning_named(domain, "domain")) {
        app_error_set(err, 502, APP_ERR_LIBVIRT, "malformed <domain> XML");
        return -1;
    }
    virt_xml_json_add(config, "cputune",
                      tuning_read_cputune(tuning_child(domain, "cputune"), config));
    virt_xml_json_add(config, "numatune", tuning_read_numatune(tuning_child(domain, "numatune")));
    virt_xml_json_add(config, "numa_cells",
                      tuning_read_cells(tuning_child(tuning_child(domain, "cpu"), "numa")));
    virt_xml_json_add(config, "hugepages",
                      tuning_read_hugepages(tuning_child(domain, "memoryBacking")));
    virt_xml_json_add(config, "blkiotune",
                      tuning_read_blkiotune(tuning_child(domain, "blkiotune")));
    virt_xml_json_add(config, "iotune", tuning_read_iotune(tuning_child(domain, "devices")));
    virt_xml_json_add(config, "memtune", tuning_read_memtune(tuning_child(domain, "memtune")));
    return 0;
}
