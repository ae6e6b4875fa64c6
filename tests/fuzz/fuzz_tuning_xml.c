/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_tuning_xml: libFuzzer target for the tuning members of PATCH
 * (server/virt/virt_tuning_xml.h: their JSON comes straight from API clients). Runs on
 * libFuzzer's thread; no state between runs.
 *
 * Input: one selector byte (even: a plain definition, odd: one with every kind of tuning
 * already set), then the PATCH body. Invariants beyond "no crash":
 * - a refusal (check or apply) is a 400 naming a field under a tuning member, and apply's
 *   refusal leaves the definition byte for byte as it was;
 * - an accepted patch gives a definition that serialises, re-parses (no injection: the
 *   same elements at the top, nothing outside the root) and reads back the same;
 * - apply∘read round-trips: every member the patch names reads back as asked (cpusets as
 *   the same set of ids, in libvirt's canonical form; "0 = no limit" iotune values as 0;
 *   a null member or object as documented), and every member it does not name reads
 *   back as before. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "fuzz_input.h"
#include "fuzz_xml.h"
#include "virt/virt_tuning_xml.h"
#include "virt/virt_xml.h"

static const char *const fuzz_plain =
    "<domain type='kvm'><name>a</name><memory unit='KiB'>1048576</memory>"
    "<vcpu placement='static'>4</vcpu><os><type>hvm</type></os>"
    "<cpu mode='host-passthrough'/><devices>"
    "<disk type='file' device='disk'><target dev='vda' bus='virtio'/></disk>"
    "<disk type='file' device='cdrom'><target dev='sda' bus='sata'/><readonly/></disk>"
    "</devices></domain>";

static const char *const fuzz_tuned =
    "<domain type='kvm'><name>b</name><memory unit='KiB'>2097152</memory>"
    "<memtune><hard_limit unit='KiB'>3145728</hard_limit><soft_limit>1024</soft_limit>"
    "<min_guarantee unit='KiB'>1024</min_guarantee></memtune>"
    "<memoryBacking><hugepages><page size='2' unit='M'/></hugepages><nosharepages/>"
    "</memoryBacking><blkiotune><weight>800</weight><device><path>/dev/sda</path>"
    "<weight>500</weight></device></blkiotune><vcpu>2</vcpu>"
    "<cputune><shares>2048</shares><period>100000</period><quota>-1</quota>"
    "<vcpupin vcpu='0' cpuset='0-1'/><vcpupin vcpu='1' cpuset='2,4'/>"
    "<emulatorpin cpuset='3'/></cputune>"
    "<numatune><memory mode='interleave' nodeset='0-1'/></numatune><os><type>hvm</type></os>"
    "<cpu mode='custom'><model>qemu64</model><numa><cell id='0' cpus='0' memory='1048576'/>"
    "<cell id='1' cpus='1' memory='1' unit='GiB'/></numa></cpu><devices>"
    "<disk type='file' device='disk'><target dev='vda' bus='virtio'/><iotune>"
    "<total_bytes_sec>10485760</total_bytes_sec><read_iops_sec>400</read_iops_sec>"
    "</iotune></disk><disk type='network' device='disk'><target dev='vdb'/></disk>"
    "</devices></domain>";

static const long long fuzz_pages[] = {2048, 1048576};
static const struct virt_host_cpus fuzz_host = {8, 2, fuzz_pages, 2};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    virt_xml_init();
    return 0;
}

static struct json_object *fuzz_get(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;

    return obj && json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

static bool fuzz_has(struct json_object *obj, const char *key)
{
    return json_object_object_get_ex(obj, key, NULL);
}

/* The tuning members read from root (a new object). */
static struct json_object *fuzz_read(xmlNodePtr root)
{
    struct json_object *config = json_object_new_object();
    struct app_error err;

    app_error_clear(&err);
    FUZZ_ASSERT(virt_tuning_xml_read(root, config, &err) == 0);
    return config;
}

/* Two cpusets name the same ids; got is written the canonical way (ids and ranges,
 * no exclusions, no spaces). */
static void fuzz_cpuset_eq(struct json_object *got, struct json_object *want)
{
    static unsigned char a[VIRT_TUNING_MAX_CPUS / 8], b[VIRT_TUNING_MAX_CPUS / 8];
    const char *g = json_object_get_string(got);

    FUZZ_ASSERT(json_object_is_type(got, json_type_string));
    FUZZ_ASSERT(strspn(g, "0123456789,-") == strlen(g));
    FUZZ_ASSERT(virt_tuning_xml_cpuset(g, VIRT_TUNING_MAX_CPUS, a, sizeof(a), NULL) == 0);
    FUZZ_ASSERT(virt_tuning_xml_cpuset(json_object_get_string(want), VIRT_TUNING_MAX_CPUS, b,
                                       sizeof(b), NULL) == 0);
    FUZZ_ASSERT(memcmp(a, b, sizeof(a)) == 0);
}

static void fuzz_int_eq(struct json_object *got, struct json_object *want)
{
    FUZZ_ASSERT(json_object_is_type(got, json_type_int));
    FUZZ_ASSERT(json_object_get_int64(got) == json_object_get_int64(want));
}

static void fuzz_same(struct json_object *after, struct json_object *before, const char *key)
{
    FUZZ_ASSERT(json_object_equal(fuzz_get(after, key), fuzz_get(before, key)));
}

static void fuzz_check_pins(struct json_object *patch, struct json_object *after)
{
    struct json_object *want = fuzz_get(patch, "vcpupin"), *got = fuzz_get(after, "vcpupin");

    FUZZ_ASSERT(json_object_array_length(got) == json_object_array_length(want));
    for (size_t i = 0; i < json_object_array_length(want); i++) {
        struct json_object *w = json_object_array_get_idx(want, i);
        struct json_object *g = json_object_array_get_idx(got, i);

        fuzz_int_eq(fuzz_get(g, "vcpu"), fuzz_get(w, "vcpu"));
        fuzz_cpuset_eq(fuzz_get(g, "cpuset"), fuzz_get(w, "cpuset"));
    }
}

static void fuzz_check_cells(struct json_object *patch, struct json_object *after)
{
    struct json_object *want = fuzz_get(patch, "numa_cells"), *got = fuzz_get(after, "numa_cells");

    FUZZ_ASSERT(json_object_array_length(got) == json_object_array_length(want));
    for (size_t i = 0; i < json_object_array_length(want); i++) {
        struct json_object *w = json_object_array_get_idx(want, i);
        struct json_object *g = NULL;

        for (size_t j = 0; j < json_object_array_length(got); j++)
            if (json_object_get_int64(fuzz_get(json_object_array_get_idx(got, j), "id")) ==
                json_object_get_int64(fuzz_get(w, "id")))
                g = json_object_array_get_idx(got, j);
        FUZZ_ASSERT(g != NULL);
        fuzz_cpuset_eq(fuzz_get(g, "cpus"), fuzz_get(w, "cpus"));
        fuzz_int_eq(fuzz_get(g, "memory_mib"), fuzz_get(w, "memory_mib"));
    }
}

/* obj (cputune or memtune) after a patch of its keys: named and non-null as asked; a null
 * key kept (cputune) or removed (memtune); absent kept. */
static void fuzz_check_keys(struct json_object *patch, struct json_object *before,
                            struct json_object *after, const char *member, const char *const *keys,
                            size_t n, bool null_removes)
{
    struct json_object *want = fuzz_get(patch, member), *got = fuzz_get(after, member);
    struct json_object *was = fuzz_get(before, member);

    if (!want) {
        /* a null object: the members are gone */
        FUZZ_ASSERT(got == NULL);
        return;
    }
    for (size_t k = 0; k < n; k++) {
        struct json_object *w = fuzz_get(want, keys[k]);

        if (w)
            fuzz_int_eq(fuzz_get(got, keys[k]), w);
        else if (fuzz_has(want, keys[k]) && null_removes)
            FUZZ_ASSERT(fuzz_get(got, keys[k]) == NULL);
        else
            FUZZ_ASSERT(json_object_equal(fuzz_get(got, keys[k]), fuzz_get(was, keys[k])));
    }
}

static void fuzz_check_iotune(struct json_object *patch, struct json_object *before,
                              struct json_object *after)
{
    static const char *const keys[] = {"total_iops_sec",  "read_iops_sec",  "write_iops_sec",
                                       "total_bytes_sec", "read_bytes_sec", "write_bytes_sec"};
    struct json_object *want = fuzz_get(patch, "iotune"), *got = fuzz_get(after, "iotune");
    struct json_object *was = fuzz_get(before, "iotune");

    FUZZ_ASSERT(json_object_array_length(got) == json_object_array_length(was));
    for (size_t i = 0; i < json_object_array_length(got); i++) {
        struct json_object *g = json_object_array_get_idx(got, i), *w = NULL;

        for (size_t j = 0; want && j < json_object_array_length(want); j++)
            if (!strcmp(
                    json_object_get_string(fuzz_get(json_object_array_get_idx(want, j), "target")),
                    json_object_get_string(fuzz_get(g, "target"))))
                w = json_object_array_get_idx(want, j);
        if (!w) {
            FUZZ_ASSERT(json_object_equal(g, json_object_array_get_idx(was, i)));
            continue;
        }
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
            FUZZ_ASSERT(json_object_get_int64(fuzz_get(g, keys[k])) ==
                        (fuzz_get(w, keys[k]) ? json_object_get_int64(fuzz_get(w, keys[k])) : 0));
    }
}

static void fuzz_check_roundtrip(struct json_object *patch, struct json_object *before,
                                 struct json_object *after)
{
    static const char *const cputune[] = {"shares", "period", "quota"};
    static const char *const memtune[] = {"hard_limit_mib", "soft_limit_mib",
                                          "swap_hard_limit_mib"};
    struct json_object *v;

    if (fuzz_has(patch, "vcpupin"))
        fuzz_check_pins(patch, after);
    else
        fuzz_same(after, before, "vcpupin");
    if (!fuzz_has(patch, "emulatorpin"))
        fuzz_same(after, before, "emulatorpin");
    else if ((v = fuzz_get(patch, "emulatorpin")))
        fuzz_cpuset_eq(fuzz_get(after, "emulatorpin"), v);
    else
        FUZZ_ASSERT(fuzz_get(after, "emulatorpin") == NULL);
    if (!fuzz_has(patch, "numatune")) {
        fuzz_same(after, before, "numatune");
    } else if ((v = fuzz_get(patch, "numatune"))) {
        struct json_object *g = fuzz_get(after, "numatune");

        FUZZ_ASSERT(!strcmp(json_object_get_string(fuzz_get(g, "mode")),
                            json_object_get_string(fuzz_get(v, "mode"))));
        fuzz_cpuset_eq(fuzz_get(g, "nodeset"), fuzz_get(v, "nodeset"));
    } else {
        FUZZ_ASSERT(fuzz_get(after, "numatune") == NULL);
    }
    if (fuzz_has(patch, "numa_cells"))
        fuzz_check_cells(patch, after);
    else
        fuzz_same(after, before, "numa_cells");
    if (!fuzz_has(patch, "hugepages"))
        fuzz_same(after, before, "hugepages");
    else if ((v = fuzz_get(patch, "hugepages")))
        fuzz_int_eq(fuzz_get(fuzz_get(after, "hugepages"), "size_kib"), fuzz_get(v, "size_kib"));
    else
        FUZZ_ASSERT(fuzz_get(after, "hugepages") == NULL);
    if (fuzz_has(patch, "cputune"))
        fuzz_check_keys(patch, before, after, "cputune", cputune, 3, false);
    else
        fuzz_same(after, before, "cputune");
    if (!fuzz_has(patch, "blkiotune"))
        fuzz_same(after, before, "blkiotune");
    else if ((v = fuzz_get(patch, "blkiotune")))
        fuzz_int_eq(fuzz_get(fuzz_get(after, "blkiotune"), "weight"), fuzz_get(v, "weight"));
    else
        FUZZ_ASSERT(fuzz_get(after, "blkiotune") == NULL);
    fuzz_check_iotune(patch, before, after);
    if (fuzz_has(patch, "memtune"))
        fuzz_check_keys(patch, before, after, "memtune", memtune, 3, true);
    else
        fuzz_same(after, before, "memtune");
}

/* A refusal: 400 with a message and a field under a tuning member. */
static void fuzz_check_refusal(const struct app_error *err)
{
    char member[64];
    size_t n;

    FUZZ_ASSERT(err->status == 400);
    FUZZ_ASSERT(err->code && !strcmp(err->code, APP_ERR_BAD_REQUEST));
    FUZZ_ASSERT(memchr(err->message, '\0', sizeof(err->message)) && err->message[0]);
    FUZZ_ASSERT(memchr(err->field, '\0', sizeof(err->field)) && err->field[0]);
    n = strcspn(err->field, ".[");
    FUZZ_ASSERT(n < sizeof(member));
    memcpy(member, err->field, n);
    member[n] = '\0';
    FUZZ_ASSERT(virt_tuning_member(member));
}

static void fuzz_apply(struct json_object *patch, const char *base)
{
    struct app_error err;
    xmlDocPtr doc, again;
    struct json_object *before, *after, *reread;
    char *xml_before, *xml;
    xmlNodePtr a, b;

    doc = virt_xml_read(base, "domain", &err);
    FUZZ_ASSERT(doc != NULL);
    before = fuzz_read(xmlDocGetRootElement(doc));
    xml_before = virt_xml_doc_string(doc, false);
    app_error_clear(&err);
    if (virt_tuning_xml_apply(xmlDocGetRootElement(doc), patch, &err) != 0) {
        fuzz_check_refusal(&err);
        xml = virt_xml_doc_string(doc, false);
        FUZZ_ASSERT(!strcmp(xml, xml_before));
        free(xml);
        free(xml_before);
        json_object_put(before);
        xmlFreeDoc(doc);
        return;
    }
    after = fuzz_read(xmlDocGetRootElement(doc));
    xml = virt_xml_doc_string(doc, false);
    again = fuzz_xml_read(xml);
    reread = fuzz_read(xmlDocGetRootElement(again));
    FUZZ_ASSERT(json_object_equal(after, reread));
    /* the same top-level elements in both trees */
    a = xmlDocGetRootElement(doc)->children;
    b = xmlDocGetRootElement(again)->children;
    for (; a && b; a = a->next, b = b->next)
        FUZZ_ASSERT(a->type == b->type && (a->type != XML_ELEMENT_NODE ||
                                           !strcmp((const char *)a->name, (const char *)b->name)));
    FUZZ_ASSERT(!a && !b);
    fuzz_check_roundtrip(patch, before, after);
    json_object_put(reread);
    json_object_put(after);
    json_object_put(before);
    xmlFreeDoc(again);
    xmlFreeDoc(doc);
    free(xml);
    free(xml_before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_object *patch;
    struct app_error err;

    if (size < 1)
        return 0;
    patch = fuzz_xml_request(data + 1, size - 1);
    if (!patch)
        return 0;
    app_error_clear(&err);
    if (virt_tuning_xml_check(patch, &fuzz_host, &err) != 0)
        fuzz_check_refusal(&err);
    else
        fuzz_apply(patch, data[0] & 1 ? fuzz_tuned : fuzz_plain);
    json_object_put(patch);
    return 0;
}
