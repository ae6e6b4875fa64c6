/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_domain: domains as the JSON of docs/api.md, and their lifecycle actions.
 *
 * Runs on worker threads and on the virt-events thread (never the service thread):
 * every function here may block in libvirt. The name tables and the XML reader are
 * pure. The summary needs two facts only the domain XML holds (os_type, has_vnc);
 * they are kept in a small per-UUID cache (see "XML traits cache" below) so that a
 * list of a thousand domains does not format and parse a thousand XML documents. The
 * list learns everything else in four RPCs whatever its length (see virt_domain_list);
 * a single summary asks its domain directly. Both end in domain_summary_build. */
#include "virt/virt_domain.h"

#include <libvirt/virterror.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/utf8_name.h"
#include "util/xalloc.h"
#include "virt/virt_domain_config.h"
#include "virt/virt_domain_template.h"
#include "virt/virt_error.h"
#include "virt/virt_osinfo.h"
#include "virt/virt_xml.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- names ------------------------------------------------------------------ */

static const char *const domain_state_names[] = {
    [VIR_DOMAIN_NOSTATE] = "nostate",   [VIR_DOMAIN_RUNNING] = "running",
    [VIR_DOMAIN_BLOCKED] = "blocked",   [VIR_DOMAIN_PAUSED] = "paused",
    [VIR_DOMAIN_SHUTDOWN] = "shutdown", [VIR_DOMAIN_SHUTOFF] = "shutoff",
    [VIR_DOMAIN_CRASHED] = "crashed",   [VIR_DOMAIN_PMSUSPENDED] = "pmsuspended",
};

/* Indexed by the libvirt enum value (libvirt-domain.h, 9.0). */
static const char *const reason_running[] = {
    "unknown",       "booted",   "migrated",           "restored",
    "from_snapshot", "unpaused", "migration_canceled", "save_canceled",
    "wakeup",        "crashed",  "postcopy",           "postcopy_failed",
};
static const char *const reason_paused[] = {
    "unknown",       "user",
    "migration",     "save",
    "dump",          "ioerror",
    "watchdog",      "from_snapshot",
    "shutting_down", "snapshot",
    "crashed",       "starting_up",
    "postcopy",      "postcopy_failed",
};
static const char *const reason_shutdown[] = {"unknown", "user"};
static const char *const reason_shutoff[] = {
    "unknown", "shutdown", "destroyed",     "crashed", "migrated",
    "saved",   "failed",   "from_snapshot", "daemon",
};
static const char *const reason_crashed[] = {"unknown", "panicked"};
static const char *const reason_unknown_only[] = {"unknown"};

static const char *const event_names[] = {
    [VIR_DOMAIN_EVENT_DEFINED] = "defined",   [VIR_DOMAIN_EVENT_UNDEFINED] = "undefined",
    [VIR_DOMAIN_EVENT_STARTED] = "started",   [VIR_DOMAIN_EVENT_SUSPENDED] = "suspended",
    [VIR_DOMAIN_EVENT_RESUMED] = "resumed",   [VIR_DOMAIN_EVENT_STOPPED] = "stopped",
    [VIR_DOMAIN_EVENT_SHUTDOWN] = "shutdown", [VIR_DOMAIN_EVENT_PMSUSPENDED] = "pmsuspended",
    [VIR_DOMAIN_EVENT_CRASHED] = "crashed",
};

static const char *const detail_defined[] = {"added", "updated", "renamed", "from_snapshot"};
static const char *const detail_undefined[] = {"removed", "renamed"};
static const char *const detail_started[] = {
    "booted", "migrated", "restored", "from_snapshot", "wakeup",
};
static const char *const detail_suspended[] = {
    "paused",        "migrated",  "ioerror",  "watchdog",        "restored",
    "from_snapshot", "api_error", "postcopy", "postcopy_failed",
};
static const char *const detail_resumed[] = {
    "unpaused", "migrated", "from_snapshot", "postcopy", "postcopy_failed",
};
static const char *const detail_stopped[] = {
    "shutdown", "destroyed", "crashed", "migrated", "saved", "failed", "from_snapshot",
};
static const char *const detail_shutdown[] = {"finished", "guest", "host"};
static const char *const detail_pmsuspended[] = {"memory", "disk"};
static const char *const detail_crashed[] = {"panicked", "crashloaded"};
/* VIRT_DOMAIN_EVENT_METADATA's details: a virDomainMetadataType */
static const char *const detail_metadata[] = {
    [VIR_DOMAIN_METADATA_DESCRIPTION] = "description",
    [VIR_DOMAIN_METADATA_TITLE] = "title",
    [VIR_DOMAIN_METADATA_ELEMENT] = "element",
};

struct name_table {
    const char *const *names; /* borrowed: a static table above */
    size_t len;
};

#define NAME_TABLE(a)                                                                              \
    {                                                                                              \
        (a), ARRAY_LEN(a)                                                                          \
    }

static const char *name_lookup(const struct name_table *table, int value, const char *fallback)
{
    if (value < 0 || (size_t)value >= table->len || !table->names[value])
        return fallback;
    return table->names[value];
}

const char *virt_domain_state_name(int state)
{
    const struct name_table table = NAME_TABLE(domain_state_names);

    return name_lookup(&table, state, "nostate");
}

const char *virt_domain_reason_name(int state, int reason)
{
    static const struct name_table tables[] = {
        [VIR_DOMAIN_NOSTATE] = NAME_TABLE(reason_unknown_only),
        [VIR_DOMAIN_RUNNING] = NAME_TABLE(reason_running),
        [VIR_DOMAIN_BLOCKED] = NAME_TABLE(reason_unknown_only),
        [VIR_DOMAIN_PAUSED] = NAME_TABLE(reason_paused),
        [VIR_DOMAIN_SHUTDOWN] = NAME_TABLE(reason_shutdown),
        [VIR_DOMAIN_SHUTOFF] = NAME_TABLE(reason_shutoff),
        [VIR_DOMAIN_CRASHED] = NAME_TABLE(reason_crashed),
        [VIR_DOMAIN_PMSUSPENDED] = NAME_TABLE(reason_unknown_only),
    };

    if (state < 0 || (size_t)state >= ARRAY_LEN(tables))
        return "unknown";
    return name_lookup(&tables[state], reason, "unknown");
}

const char *virt_domain_event_name(int event)
{
    const struct name_table table = NAME_TABLE(event_names);

    if (event == VIRT_DOMAIN_EVENT_METADATA)
        return "metadata";
    return name_lookup(&table, event, "unknown");
}

const char *virt_domain_event_detail_name(int event, int detail)
{
    static const struct name_table tables[] = {
        [VIR_DOMAIN_EVENT_DEFINED] = NAME_TABLE(detail_defined),
        [VIR_DOMAIN_EVENT_UNDEFINED] = NAME_TABLE(detail_undefined),
        [VIR_DOMAIN_EVENT_STARTED] = NAME_TABLE(detail_started),
        [VIR_DOMAIN_EVENT_SUSPENDED] = NAME_TABLE(detail_suspended),
        [VIR_DOMAIN_EVENT_RESUMED] = NAME_TABLE(detail_resumed),
        [VIR_DOMAIN_EVENT_STOPPED] = NAME_TABLE(detail_stopped),
        [VIR_DOMAIN_EVENT_SHUTDOWN] = NAME_TABLE(detail_shutdown),
        [VIR_DOMAIN_EVENT_PMSUSPENDED] = NAME_TABLE(detail_pmsuspended),
        [VIR_DOMAIN_EVENT_CRASHED] = NAME_TABLE(detail_crashed),
    };
    const struct name_table metadata = NAME_TABLE(detail_metadata);

    if (event == VIRT_DOMAIN_EVENT_METADATA)
        return name_lookup(&metadata, detail, "unknown");
    if (event < 0 || (size_t)event >= ARRAY_LEN(tables))
        return "unknown";
    return name_lookup(&tables[event], detail, "unknown");
}

int virt_domain_uuid_valid(const char *s)
{
    size_t i;

    if (!s || strlen(s) != 36)
        return 0;
    for (i = 0; i < 36; i++) {
        char c = s[i];

        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return 0;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return 0;
        }
    }
    return 1;
}

/* ---- JSON helpers --------------------------------------------------------------- */

/* json-c fails here only when it cannot allocate; like x*alloc, that aborts. */
static void domain_json_set(struct json_object *obj, const char *key, struct json_object *val)
{
    if (json_object_object_add(obj, key, val) < 0) {
        log_error("virt_domain: out of memory building JSON");
        abort();
    }
}

static void domain_json_push(struct json_object *arr, struct json_object *val)
{
    if (json_object_array_add(arr, val) < 0) {
        log_error("virt_domain: out of memory building JSON");
        abort();
    }
}

/* ---- XML → JSON (pure) ------------------------------------------------------------ */

/* virt_xml_xpath_string, but "" (never NULL) when it selects nothing. */
static char *domain_xpath_string(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
    char *s = virt_xml_xpath_string(ctx, node, expr);

    return s ? s : xstrdup("");
}

static struct json_object *domain_xml_disks(xmlXPathContextPtr ctx)
{
    struct json_object *arr = json_object_new_array();
    xmlXPathObjectPtr nodes =
        virt_xml_xpath_nodes(ctx, xmlDocGetRootElement(ctx->doc), "/domain/devices/disk");
    int i;

    for (i = 0; nodes && i < nodes->nodesetval->nodeNr; i++) {
        xmlNodePtr node = nodes->nodesetval->nodeTab[i];
        struct json_object *disk = json_object_new_object();
        char *source = domain_xpath_string(
            ctx, node, "string((source/@file | source/@dev | source/@dir | source/@name)[1])");
        char *device = domain_xpath_string(ctx, node, "string(@device)");

        if (!source[0] && virt_xml_xpath_bool(ctx, node, "boolean(source/@volume)")) {
            char *pool = domain_xpath_string(ctx, node, "string(source/@pool)");
            char *vol = domain_xpath_string(ctx, node, "string(source/@volume)");

            free(source);
            source = xasprintf("%s/%s", pool, vol);
            free(pool);
            free(vol);
        }
        domain_json_set(disk, "device", json_object_new_string(device[0] ? device : "disk"));
        virt_xml_json_set_xpath(disk, "target", ctx, node, "string(target/@dev)", "");
        virt_xml_json_set_xpath(disk, "bus", ctx, node, "string(target/@bus)", "");
        domain_json_set(disk, "source", json_object_new_string(source));
        virt_xml_json_set_xpath(disk, "format", ctx, node, "string(driver/@type)", "");
        domain_json_set(
            disk, "readonly",
            json_object_new_boolean(virt_xml_xpath_bool(ctx, node, "boolean(readonly)")));
        domain_json_push(arr, disk);
        free(source);
        free(device);
    }
    xmlXPathFreeObject(nodes);
    return arr;
}

static struct json_object *domain_xml_interfaces(xmlXPathContextPtr ctx)
{
    struct json_object *arr = json_object_new_array();
    xmlXPathObjectPtr nodes =
        virt_xml_xpath_nodes(ctx, xmlDocGetRootElement(ctx->doc), "/domain/devices/interface");
    int i;

    for (i = 0; nodes && i < nodes->nodesetval->nodeNr; i++) {
        xmlNodePtr node = nodes->nodesetval->nodeTab[i];
        struct json_object *nic = json_object_new_object();

        virt_xml_json_set_xpath(nic, "type", ctx, node, "string(@type)", "");
        virt_xml_json_set_xpath(nic, "mac", ctx, node, "string(mac/@address)", "");
        virt_xml_json_set_xpath(
            nic, "source", ctx, node,
            "string((source/@network | source/@bridge | source/@dev | source/@name)[1])", "");
        virt_xml_json_set_xpath(nic, "model", ctx, node, "string(model/@type)", "");
        virt_xml_json_set_xpath(nic, "target", ctx, node, "string(target/@dev)", "");
        /* libvirt leaves <link> out while the link is up */
        virt_xml_json_set_xpath(nic, "link", ctx, node,
                                "concat(link/@state, substring('up', 1, 2 * not(link/@state)))",
                                "");
        domain_json_push(arr, nic);
    }
    xmlXPathFreeObject(nodes);
    return arr;
}

/* libvirt writes port='-1' for an autoport display that has no port yet; a missing
 * or unparsable port is reported the same way. */
static int domain_parse_port(const char *s)
{
    char *end = NULL;
    long v;

    if (!s[0])
        return -1;
    v = strtol(s, &end, 10);
    if (*end != '\0' || v < -1 || v > 65535)
        return -1;
    return (int)v;
}

static struct json_object *domain_xml_graphics(xmlXPathContextPtr ctx, bool *has_vnc)
{
    struct json_object *arr = json_object_new_array();
    xmlXPathObjectPtr nodes =
        virt_xml_xpath_nodes(ctx, xmlDocGetRootElement(ctx->doc), "/domain/devices/graphics");
    int i;

    *has_vnc = false;
    for (i = 0; nodes && i < nodes->nodesetval->nodeNr; i++) {
        xmlNodePtr node = nodes->nodesetval->nodeTab[i];
        struct json_object *gfx = json_object_new_object();
        char *type = domain_xpath_string(ctx, node, "string(@type)");
        char *port = domain_xpath_string(ctx, node, "string(@port)");
        char *autoport = domain_xpath_string(ctx, node, "string(@autoport)");

        if (strcmp(type, "vnc") == 0)
            *has_vnc = true;
        domain_json_set(gfx, "type", json_object_new_string(type));
        virt_xml_json_set_xpath(gfx, "listen", ctx, node, "string((@listen | listen/@address)[1])",
                                "");
        virt_xml_json_set_xpath(gfx, "socket", ctx, node,
                                "string((@socket | listen[@type='socket']/@socket)[1])", "");
        domain_json_set(gfx, "port", json_object_new_int(domain_parse_port(port)));
        domain_json_set(gfx, "autoport", json_object_new_boolean(strcmp(autoport, "yes") == 0));
        domain_json_push(arr, gfx);
        free(type);
        free(port);
        free(autoport);
    }
    xmlXPathFreeObject(nodes);
    return arr;
}

int virt_domain_xml_to_json(const char *xml, struct json_object *obj, struct app_error *err)
{
    int ret = -1;
    xmlDocPtr doc = NULL;
    xmlXPathContextPtr ctx = NULL;
    xmlNodePtr root;
    bool has_vnc = false;
    struct json_object *graphics;

    if (!(doc = virt_xml_read(xml, "domain", err)))
        goto cleanup;
    root = xmlDocGetRootElement(doc);
    ctx = virt_xml_xpath_new(doc);
    virt_xml_json_set_xpath(obj, "description", ctx, root, "string(/domain/description)", "");
    virt_xml_json_set_xpath(obj, "title", ctx, root, "string(/domain/title)", "");
    domain_json_set(obj, "disks", domain_xml_disks(ctx));
    domain_json_set(obj, "interfaces", domain_xml_interfaces(ctx));
    graphics = domain_xml_graphics(ctx, &has_vnc);
    domain_json_set(obj, "graphics", graphics);
    domain_json_set(obj, "has_vnc", json_object_new_boolean(has_vnc));
    virt_xml_json_set_xpath(obj, "os_type", ctx, root, "string(/domain/os/type)", "");
    /* the OS id virt-install and our create record (a libosinfo URL; detail maps it) */
    virt_xml_json_set_xpath(
        obj, "os", ctx, root,
        "string(/domain/metadata/*[local-name()='libosinfo' and namespace-uri()="
        "'" VIRT_OSINFO_METADATA_NS "']/*[local-name()='os']/@id)",
        NULL);
    ret = 0;

cleanup:
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return ret;
}

/* Canonical UUID string → 16 bytes. */
__attribute__((warn_unused_result)) static int domain_uuid_parse(const char *s,
                                                                 unsigned char raw[VIR_UUID_BUFLEN])
{
    int ret = -1;
    size_t i, n = 0;

    if (!virt_domain_uuid_valid(s))
        goto cleanup;
    for (i = 0; s[i]; i++) {
        char c = s[i];
        unsigned v;

        if (c == '-')
            continue;
        if (c >= '0' && c <= '9')
            v = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = (unsigned)(c - 'a' + 10);
        else
            v = (unsigned)(c - 'A' + 10);
        if (n % 2 == 0)
            raw[n / 2] = (unsigned char)(v << 4);
        else
            raw[n / 2] |= (unsigned char)v;
        n++;
    }
    ret = 0;

cleanup:
    return ret;
}

/* ---- XML traits cache ----------------------------------------------------------------
 *
 * The summary's os_type, has_vnc, title and description come from the domain XML.
 * Formatting and parsing it per domain dominates a list of many domains, so they are
 * cached per (UUID, domain id). The id changes on every start, which is when the live
 * XML is rebuilt; an inactive domain's XML changes only when it is (re)defined or its
 * title or description is set, and virt_conn calls virt_domain_forget() for every
 * lifecycle and metadata event (and forget-all on each new connection), as does
 * virt_domain_set_metadata itself. A generation counter, bumped by every forget, keeps a
 * worker that read the XML before a forget from storing its stale result afterwards.
 * Each entry owns its strings; what leaves the table is a copy.
 *
 * entries is sorted by (uuid, id) for bsearch. Guarded by domain_cache.lock; any
 * thread. virt_domain_list replaces the whole table with the domains it saw, so the
 * table never outgrows the hypervisor's domain count by more than a few transients. */

struct domain_traits {
    bool has_vnc;
    bool template; /* marked as a template (virt_domain_template.h) */
    char os_type[16];
    char *title;       /* owned; "" when the domain has none */
    char *description; /* owned; "" when the domain has none */
};

static void domain_traits_clear(struct domain_traits *t)
{
    free(t->title);
    free(t->description);
    t->title = t->description = NULL;
}

/* dst (owning nothing) becomes a copy of src. */
static void domain_traits_copy(struct domain_traits *dst, const struct domain_traits *src)
{
    *dst = *src;
    dst->title = xstrdup(src->title ? src->title : "");
    dst->description = xstrdup(src->description ? src->description : "");
}

struct domain_cache_entry {
    unsigned char uuid[VIR_UUID_BUFLEN];
    int id;
    struct domain_traits traits;
};

static struct {
    pthread_mutex_t lock;
    struct domain_cache_entry *entries; /* owned; sorted */
    size_t len;
    size_t cap;
    uint64_t generation;
} domain_cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int domain_cache_cmp(const void *a, const void *b)
{
    const struct domain_cache_entry *x = a;
    const struct domain_cache_entry *y = b;
    int c = memcmp(x->uuid, y->uuid, VIR_UUID_BUFLEN);

    if (c)
        return c;
    return (x->id > y->id) - (x->id < y->id);
}

static uint64_t domain_cache_generation(void)
{
    uint64_t gen;

    pthread_mutex_lock(&domain_cache.lock);
    gen = domain_cache.generation;
    pthread_mutex_unlock(&domain_cache.lock);
    return gen;
}

static bool domain_cache_get(const struct domain_cache_entry *key, struct domain_traits *out)
{
    const struct domain_cache_entry *hit;

    pthread_mutex_lock(&domain_cache.lock);
    hit = domain_cache.len
              ? bsearch(key, domain_cache.entries, domain_cache.len, sizeof(*key), domain_cache_cmp)
              : NULL;
    if (hit)
        domain_traits_copy(out, &hit->traits);
    pthread_mutex_unlock(&domain_cache.lock);
    return hit != NULL;
}

/* Inserts or replaces one entry (a copy of it), unless a forget happened since gen was
 * read. */
static void domain_cache_put(const struct domain_cache_entry *given, uint64_t gen)
{
    struct domain_cache_entry copy = *given, *entry = &copy;
    size_t lo = 0, hi;

    domain_traits_copy(&copy.traits, &given->traits);
    pthread_mutex_lock(&domain_cache.lock);
    if (gen != domain_cache.generation)
        goto unlock;
    hi = domain_cache.len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (domain_cache_cmp(&domain_cache.entries[mid], entry) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < domain_cache.len && domain_cache_cmp(&domain_cache.entries[lo], entry) == 0) {
        domain_traits_clear(&domain_cache.entries[lo].traits);
        domain_cache.entries[lo] = *entry;
        copy.traits.title = copy.traits.description = NULL; /* the table has them */
        goto unlock;
    }
    if (domain_cache.len == domain_cache.cap) {
        domain_cache.cap = domain_cache.cap ? domain_cache.cap * 2 : 64;
        domain_cache.entries =
            xrealloc(domain_cache.entries, domain_cache.cap * sizeof(*domain_cache.entries));
    }
    memmove(&domain_cache.entries[lo + 1], &domain_cache.entries[lo],
            (domain_cache.len - lo) * sizeof(*entry));
    domain_cache.entries[lo] = *entry;
    domain_cache.len++;
    copy.traits.title = copy.traits.description = NULL;
unlock:
    pthread_mutex_unlock(&domain_cache.lock);
    domain_traits_clear(&copy.traits); /* only when the table did not take them */
}

/* Frees n entries and their strings. */
static void domain_cache_entries_free(struct domain_cache_entry *entries, size_t n)
{
    for (size_t i = 0; entries && i < n; i++)
        domain_traits_clear(&entries[i].traits);
    free(entries);
}

/* Replaces the table with entries (taken; n of them, any order), unless a forget
 * happened since gen was read. */
static void domain_cache_replace(struct domain_cache_entry *entries, size_t n, uint64_t gen)
{
    struct domain_cache_entry *old = entries;
    size_t old_len = n;

    qsort(entries, n, sizeof(*entries), domain_cache_cmp);
    pthread_mutex_lock(&domain_cache.lock);
    if (gen == domain_cache.generation) {
        old = domain_cache.entries;
        old_len = domain_cache.len;
        domain_cache.entries = entries;
        domain_cache.len = n;
        domain_cache.cap = n;
    }
    pthread_mutex_unlock(&domain_cache.lock);
    domain_cache_entries_free(old, old_len);
}

void virt_domain_forget(const char *uuid)
{
    unsigned char raw[VIR_UUID_BUFLEN];
    size_t i, kept = 0;
    bool all = uuid == NULL;

    if (!all && domain_uuid_parse(uuid, raw) < 0)
        return;
    pthread_mutex_lock(&domain_cache.lock);
    domain_cache.generation++;
    for (i = 0; i < domain_cache.len; i++) {
        if (all || memcmp(domain_cache.entries[i].uuid, raw, VIR_UUID_BUFLEN) == 0) {
            domain_traits_clear(&domain_cache.entries[i].traits);
            continue;
        }
        domain_cache.entries[kept++] = domain_cache.entries[i];
    }
    domain_cache.len = kept;
    if (all) {
        free(domain_cache.entries);
        domain_cache.entries = NULL;
        domain_cache.cap = 0;
    }
    pthread_mutex_unlock(&domain_cache.lock);
}

/* Reads os_type, has_vnc, title and description from a domain XML (out owns nothing
 * before; its strings are set only on success). */
__attribute__((warn_unused_result)) static int
domain_xml_traits(const char *xml, struct domain_traits *out, struct app_error *err)
{
    int ret = -1;
    xmlDocPtr doc = NULL;
    xmlXPathContextPtr ctx = NULL;
    xmlNodePtr root;
    char *os_type = NULL;

    if (!(doc = virt_xml_read(xml, "domain", err)))
        goto cleanup;
    root = xmlDocGetRootElement(doc);
    ctx = virt_xml_xpath_new(doc);
    out->has_vnc = virt_xml_xpath_bool(ctx, root, "boolean(/domain/devices/graphics[@type='vnc'])");
    os_type = domain_xpath_string(ctx, root, "string(/domain/os/type)");
    snprintf(out->os_type, sizeof(out->os_type), "%s", os_type);
    out->title = domain_xpath_string(ctx, root, "string(/domain/title)");
    out->description = domain_xpath_string(ctx, root, "string(/domain/description)");
    out->template = virt_xml_xpath_bool(ctx, root, VIRT_DOMAIN_TEMPLATE_XPATH);
    ret = 0;

cleanup:
    free(os_type);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return ret;
}

/* The traits of dom: from the cache, else from its live XML. entry (its traits owning
 * nothing) receives the key and the traits, a copy the caller clears with
 * domain_traits_clear; with store, a cache miss is stored (if no forget since gen). */
__attribute__((warn_unused_result)) static int domain_traits_get(virDomainPtr dom,
                                                                 struct domain_cache_entry *entry,
                                                                 uint64_t gen, bool store,
                                                                 struct app_error *err)
{
    int ret = -1;
    char *xml = NULL;

    if (virDomainGetUUID(dom, entry->uuid) < 0) {
        virt_error_capture(err, "get domain UUID");
        goto cleanup;
    }
    entry->id = (int)virDomainGetID(dom);
    if (domain_cache_get(entry, &entry->traits)) {
        ret = 0;
        goto cleanup;
    }
    xml = virDomainGetXMLDesc(dom, 0);
    if (!xml) {
        virt_error_capture(err, "get domain XML");
        goto cleanup;
    }
    if (domain_xml_traits(xml, &entry->traits, err) < 0)
        goto cleanup;
    if (store)
        domain_cache_put(entry, gen);
    ret = 0;

cleanup:
    free(xml);
    return ret;
}

/* ---- facts: state, sizes, persistence ------------------------------------------------ */

unsigned int virt_domain_facts_from_stats(const virTypedParameter *params, int nparams,
                                          struct virt_domain_facts *facts)
{
    unsigned int found = 0;
    int state, reason;
    unsigned int vcpus;
    unsigned long long cur, max;

    /* virTypedParamsGet* only read the array, but take it as non-const. */
    virTypedParameterPtr p = (virTypedParameterPtr)params;

    if (virTypedParamsGetInt(p, nparams, "state.state", &state) == 1 &&
        virTypedParamsGetInt(p, nparams, "state.reason", &reason) == 1) {
        facts->state = state;
        facts->reason = reason;
        found |= VIRT_DOMAIN_FACT_STATE;
    }
    if (virTypedParamsGetUInt(p, nparams, "vcpu.current", &vcpus) == 1) {
        facts->vcpus = vcpus;
        found |= VIRT_DOMAIN_FACT_VCPUS;
    }
    if (virTypedParamsGetULLong(p, nparams, "balloon.current", &cur) == 1 &&
        virTypedParamsGetULLong(p, nparams, "balloon.maximum", &max) == 1) {
        facts->memory_kib = cur;
        facts->max_memory_kib = max;
        found |= VIRT_DOMAIN_FACT_MEMORY;
    }
    virResetLastError(); /* a missing field is not an error here */
    return found;
}

/* Asks dom for the facts in need (VIRT_DOMAIN_FACT_* bits), one call per group. */
__attribute__((warn_unused_result)) static int domain_facts_query(virDomainPtr dom,
                                                                  unsigned int need,
                                                                  struct virt_domain_facts *facts,
                                                                  struct app_error *err)
{
    int ret = -1;
    virDomainInfo info;
    int v;

    if ((need & VIRT_DOMAIN_FACT_STATE) &&
        virDomainGetState(dom, &facts->state, &facts->reason, 0) < 0) {
        virt_error_capture(err, "get domain state");
        goto cleanup;
    }
    if (need & (VIRT_DOMAIN_FACT_VCPUS | VIRT_DOMAIN_FACT_MEMORY)) {
        if (virDomainGetInfo(dom, &info) < 0) {
            virt_error_capture(err, "get domain info");
            goto cleanup;
        }
        facts->vcpus = info.nrVirtCpu;
        facts->memory_kib = info.memory;
        facts->max_memory_kib = info.maxMem;
    }
    if (need & VIRT_DOMAIN_FACT_PERSISTENT) {
        if ((v = virDomainIsPersistent(dom)) < 0) {
            virt_error_capture(err, "get domain persistence");
            goto cleanup;
        }
        facts->persistent = v == 1;
    }
    if (need & VIRT_DOMAIN_FACT_AUTOSTART) {
        if (virDomainGetAutostart(dom, &v) < 0) {
            virt_error_capture(err, "get domain autostart");
            goto cleanup;
        }
        facts->autostart = v != 0;
    }
    ret = 0;

cleanup:
    return ret;
}

/* ---- summary, detail, list ---------------------------------------------------------- */

/* The summary of dom from its facts; entry (owning nothing) receives its cache key and
 * XML traits, which the caller clears (domain_traits_clear). */
static struct json_object *domain_summary_build(virDomainPtr dom,
                                                const struct virt_domain_facts *facts,
                                                struct domain_cache_entry *entry, uint64_t gen,
                                                bool store, struct app_error *err)
{
    struct json_object *ret = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    const char *name;

    if (virDomainGetUUIDString(dom, uuid) < 0 || !(name = virDomainGetName(dom))) {
        virt_error_capture(err, "get domain identity");
        goto cleanup;
    }
    if (domain_traits_get(dom, entry, gen, store, err) < 0)
        goto cleanup;

    ret = json_object_new_object();
    domain_json_set(ret, "uuid", json_object_new_string(uuid));
    domain_json_set(ret, "name", json_object_new_string(name));
    domain_json_set(ret, "title", json_object_new_string(entry->traits.title));
    domain_json_set(ret, "state", json_object_new_string(virt_domain_state_name(facts->state)));
    domain_json_set(ret, "reason",
                    json_object_new_string(virt_domain_reason_name(facts->state, facts->reason)));
    domain_json_set(ret, "persistent", json_object_new_boolean(facts->persistent));
    domain_json_set(ret, "autostart", json_object_new_boolean(facts->autostart));
    domain_json_set(ret, "template", json_object_new_boolean(entry->traits.template));
    domain_json_set(ret, "vcpus", json_object_new_int((int)facts->vcpus));
    domain_json_set(ret, "memory_kib", json_object_new_int64((int64_t)facts->memory_kib));
    domain_json_set(ret, "max_memory_kib", json_object_new_int64((int64_t)facts->max_memory_kib));
    domain_json_set(ret, "os_type", json_object_new_string(entry->traits.os_type));
    domain_json_set(ret, "has_vnc", json_object_new_boolean(entry->traits.has_vnc));
    domain_json_set(ret, "description", json_object_new_string(entry->traits.description));

cleanup:
    return ret;
}

struct json_object *virt_domain_summary(virDomainPtr dom, struct app_error *err)
{
    struct domain_cache_entry entry = {0};
    struct virt_domain_facts facts = {.state = VIR_DOMAIN_NOSTATE};
    uint64_t gen = domain_cache_generation();
    struct json_object *obj;

    if (domain_facts_query(dom, VIRT_DOMAIN_FACT_ALL, &facts, err) < 0)
        return NULL;
    obj = domain_summary_build(dom, &facts, &entry, gen, true, err);
    domain_traits_clear(&entry.traits);
    return obj;
}

/* The detail's "config" and "pending" (virt_domain_config.h), from the live and the
 * persistent definition read with their secrets: the VNC password is compared, never
 * copied. */
__attribute__((warn_unused_result)) static int
domain_detail_config(virDomainPtr dom, struct json_object *detail, struct app_error *err)
{
    int ret = -1, active = virDomainIsActive(dom);
    char *live = NULL, *persistent = NULL;

    if (active < 0) {
        virt_error_capture(err, "read domain state");
        goto cleanup;
    }
    if ((active && !(live = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_SECURE))) ||
        !(persistent = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE))) {
        virt_error_capture(err, "get domain XML");
        goto cleanup;
    }
    ret = virt_domain_config_detail(live, persistent, active == 1, detail, err);

cleanup:
    if (live)
        memset(live, 0, strlen(live));
    if (persistent)
        memset(persistent, 0, strlen(persistent));
    free(live);
    free(persistent);
    return ret;
}

struct json_object *virt_domain_detail(virDomainPtr dom, struct app_error *err)
{
    struct json_object *ret = NULL;
    struct json_object *obj = NULL;
    char *xml = NULL;

    obj = virt_domain_summary(dom, err);
    if (!obj)
        goto cleanup;
    xml = virDomainGetXMLDesc(dom, 0);
    if (!xml) {
        virt_error_capture(err, "get domain XML");
        goto cleanup;
    }
    if (virt_domain_xml_to_json(xml, obj, err) < 0 || domain_detail_config(dom, obj, err) < 0)
        goto cleanup;
    virt_osinfo_json_short_id(obj, "os");
    ret = obj;
    obj = NULL;

cleanup:
    free(xml);
    json_object_put(obj);
    return ret;
}

/* One listed domain while the list is built; rows are sorted by uuid. */
struct domain_row {
    unsigned char uuid[VIR_UUID_BUFLEN];
    virDomainPtr dom;  /* borrowed from the listing */
    unsigned int have; /* VIRT_DOMAIN_FACT_* bits the bulk calls filled */
    struct virt_domain_facts facts;
};

static int domain_row_cmp(const void *a, const void *b)
{
    return memcmp(((const struct domain_row *)a)->uuid, ((const struct domain_row *)b)->uuid,
                  VIR_UUID_BUFLEN);
}

static struct domain_row *domain_row_find(struct domain_row *rows, size_t n, virDomainPtr dom)
{
    struct domain_row key;

    if (virDomainGetUUID(dom, key.uuid) < 0) {
        virResetLastError();
        return NULL;
    }
    return n ? bsearch(&key, rows, n, sizeof(key), domain_row_cmp) : NULL;
}

/* Sets fact (VIRT_DOMAIN_FACT_PERSISTENT or _AUTOSTART) on every row: listed_value
 * for the domains virConnectListAllDomains(flags) lists, the opposite for the rest.
 * The flags are chosen so that the listing is usually short (transient domains,
 * autostarted ones). One RPC. */
__attribute__((warn_unused_result)) static int
domain_rows_mark(virConnectPtr conn, struct domain_row *rows, size_t n, unsigned int flags,
                 unsigned int fact, bool listed_value, struct app_error *err)
{
    virDomainPtr *doms = NULL;
    int i, count = virConnectListAllDomains(conn, &doms, flags);
    bool *field;

    if (count < 0) {
        virt_error_capture(err, "list domains");
        return -1;
    }
    for (i = 0; (size_t)i < n; i++) {
        field = fact == VIRT_DOMAIN_FACT_PERSISTENT ? &rows[i].facts.persistent
                                                    : &rows[i].facts.autostart;
        *field = !listed_value;
        rows[i].have |= fact;
    }
    for (i = 0; i < count; i++) {
        struct domain_row *row = domain_row_find(rows, n, doms[i]);

        if (row && fact == VIRT_DOMAIN_FACT_PERSISTENT)
            row->facts.persistent = listed_value;
        else if (row)
            row->facts.autostart = listed_value;
        virDomainFree(doms[i]);
    }
    free(doms);
    return 0;
}

/* Fills state, vCPUs and memory from one virDomainListGetStats over doms (NULL
 * terminated). NOWAIT: a domain busy in a long job (migration, a stuck monitor) does
 * not hold the list up; its balloon size then comes from the definition, which QEMU
 * keeps current from balloon events, as virDomainGetInfo does. A failure only leaves
 * the rows to the per-domain fallback. */
static void domain_rows_stats(virDomainPtr *doms, struct domain_row *rows, size_t n)
{
    virDomainStatsRecordPtr *records = NULL;
    int i, count;

    count = virDomainListGetStats(
        doms, VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_BALLOON, &records,
        VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT);
    if (count < 0) {
        log_debug("virt_domain: bulk stats failed, asking each domain: %s",
                  virGetLastErrorMessage());
        virResetLastError();
        return;
    }
    for (i = 0; i < count; i++) {
        struct domain_row *row = domain_row_find(rows, n, records[i]->dom);

        if (row)
            row->have |=
                virt_domain_facts_from_stats(records[i]->params, records[i]->nparams, &row->facts);
    }
    virDomainStatsRecordListFree(records);
}

struct domain_list_item {
    const char *name;        /* borrowed from obj */
    struct json_object *obj; /* owned */
};

static int domain_list_item_cmp(const void *a, const void *b)
{
    const struct domain_list_item *x = a;
    const struct domain_list_item *y = b;

    return strcmp(x->name, y->name);
}

struct json_object *virt_domain_list(virConnectPtr conn, struct app_error *err)
{
    struct json_object *ret = NULL;
    struct json_object *arr = NULL;
    virDomainPtr *doms = NULL;
    struct domain_row *rows = NULL;
    struct domain_list_item *items = NULL;
    struct domain_cache_entry *entries = NULL;
    size_t i, nrows = 0, count = 0;
    int n;
    uint64_t gen = domain_cache_generation();

    n = virConnectListAllDomains(conn, &doms, 0);
    if (n < 0) {
        virt_error_capture(err, "list domains");
        goto cleanup;
    }
    rows = xcalloc((size_t)n + 1, sizeof(*rows));
    for (i = 0; i < (size_t)n; i++) {
        if (virDomainGetUUID(doms[i], rows[nrows].uuid) < 0) {
            virt_error_capture(err, "get domain UUID");
            goto cleanup;
        }
        rows[nrows].dom = doms[i];
        rows[nrows].facts.state = VIR_DOMAIN_NOSTATE;
        nrows++;
    }
    qsort(rows, nrows, sizeof(*rows), domain_row_cmp);
    if (domain_rows_mark(conn, rows, nrows, VIR_CONNECT_LIST_DOMAINS_TRANSIENT,
                         VIRT_DOMAIN_FACT_PERSISTENT, false, err) < 0 ||
        domain_rows_mark(conn, rows, nrows, VIR_CONNECT_LIST_DOMAINS_AUTOSTART,
                         VIRT_DOMAIN_FACT_AUTOSTART, true, err) < 0)
        goto cleanup;
    if (n > 0)
        domain_rows_stats(doms, rows, nrows);

    items = xcalloc(nrows + 1, sizeof(*items));
    entries = xcalloc(nrows + 1, sizeof(*entries));
    for (i = 0; i < nrows; i++) {
        struct app_error one;
        struct domain_row *row = &rows[i];
        struct json_object *obj = NULL;

        if (domain_facts_query(row->dom, VIRT_DOMAIN_FACT_ALL & ~row->have, &row->facts, &one) == 0)
            obj = domain_summary_build(row->dom, &row->facts, &entries[count], gen, false, &one);
        if (!obj) {
            domain_traits_clear(&entries[count].traits);
            /* A domain that vanished between the listing and now is simply left out. */
            if (one.status == 404)
                continue;
            if (err)
                *err = one;
            goto cleanup;
        }
        items[count].obj = obj;
        items[count].name = json_object_get_string(json_object_object_get(obj, "name"));
        count++;
    }
    qsort(items, count, sizeof(*items), domain_list_item_cmp);
    arr = json_object_new_array_ext((int)count);
    for (i = 0; i < count; i++) {
        domain_json_push(arr, items[i].obj);
        items[i].obj = NULL;
    }
    domain_cache_replace(entries, count, gen);
    entries = NULL;
    ret = json_object_new_object();
    domain_json_set(ret, "domains", arr);
    arr = NULL;

cleanup:
    for (i = 0; items && i < count; i++)
        json_object_put(items[i].obj);
    free(items);
    domain_cache_entries_free(entries, nrows + 1);
    free(rows);
    json_object_put(arr);
    for (i = 0; doms && i < (size_t)n; i++)
        virDomainFree(doms[i]);
    free(doms);
    return ret;
}

void virt_domain_absent(const char *uuid, struct app_error *err)
{
    app_error_set(err, 404, APP_ERR_NOT_FOUND, "no domain with UUID %s", uuid);
}

virDomainPtr virt_domain_lookup(virConnectPtr conn, const char *uuid, struct app_error *err)
{
    return virt_domain_find(conn, uuid, false, err);
}

virDomainPtr virt_domain_find(virConnectPtr conn, const char *uuid, bool hidden,
                              struct app_error *err)
{
    virDomainPtr dom = NULL;
    virErrorPtr last;

    if (!virt_domain_uuid_valid(uuid)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "malformed domain UUID");
        goto cleanup;
    }
    if (hidden) {
        virt_domain_absent(uuid, err);
        goto cleanup;
    }
    dom = virDomainLookupByUUIDString(conn, uuid);
    if (!dom) {
        last = virGetLastError();
        if (last && last->code == VIR_ERR_NO_DOMAIN) {
            virt_domain_absent(uuid, err);
            virResetLastError();
        } else {
            virt_error_capture(err, "look up domain");
        }
    }

cleanup:
    return dom;
}

int virt_domain_require_shutoff(virDomainPtr dom, const char *transient, const char *advice,
                                struct app_error *err)
{
    int persistent = virDomainIsPersistent(dom), active = virDomainIsActive(dom);
    const char *name = virDomainGetName(dom);

    if (persistent < 0 || active < 0 || !name) {
        virt_error_capture(err, "read domain state");
        return -1;
    }
    if (!persistent) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "domain \"%s\" is transient: %s", name,
                      transient);
        return -1;
    }
    if (active) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "domain \"%s\" is running or paused: %s", name,
                      advice);
        return -1;
    }
    return 0;
}

/* ---- actions ------------------------------------------------------------------------- */

enum domain_precheck {
    DOMAIN_NEEDS_INACTIVE, /* start */
    DOMAIN_NEEDS_ACTIVE,
    DOMAIN_NEEDS_UNPAUSED, /* suspend: active and not paused yet */
    DOMAIN_NEEDS_PAUSED,   /* resume */
};

static int domain_do_reboot(virDomainPtr dom)
{
    return virDomainReboot(dom, 0);
}

static int domain_do_reset(virDomainPtr dom)
{
    return virDomainReset(dom, 0);
}

struct domain_action {
    const char *name;
    int (*run)(virDomainPtr dom);
    enum domain_precheck precheck;
};

static const struct domain_action domain_actions[] = {
    {"start", virDomainCreate, DOMAIN_NEEDS_INACTIVE},
    {"shutdown", virDomainShutdown, DOMAIN_NEEDS_ACTIVE},
    {"destroy", virDomainDestroy, DOMAIN_NEEDS_ACTIVE},
    {"reboot", domain_do_reboot, DOMAIN_NEEDS_ACTIVE},
    {"reset", domain_do_reset, DOMAIN_NEEDS_ACTIVE},
    {"suspend", virDomainSuspend, DOMAIN_NEEDS_UNPAUSED},
    {"resume", virDomainResume, DOMAIN_NEEDS_PAUSED},
};

static const struct domain_action *domain_action_find(const char *name)
{
    size_t i;

    for (i = 0; name && i < ARRAY_LEN(domain_actions); i++) {
        if (strcmp(domain_actions[i].name, name) == 0)
            return &domain_actions[i];
    }
    return NULL;
}

int virt_domain_action_valid(const char *action)
{
    return domain_action_find(action) != NULL;
}

/* 409 when the state makes the action certain to fail; libvirt decides the rest. */
__attribute__((warn_unused_result)) static int
domain_action_check(virDomainPtr dom, const struct domain_action *action, struct app_error *err)
{
    int ret = -1;
    int active, state = VIR_DOMAIN_NOSTATE, reason = 0;

    active = virDomainIsActive(dom);
    if (active < 0 || virDomainGetState(dom, &state, &reason, 0) < 0) {
        virt_error_capture(err, "get domain state");
        goto cleanup;
    }
    switch (action->precheck) {
    case DOMAIN_NEEDS_INACTIVE:
        if (active) {
            app_error_set(err, 409, APP_ERR_CONFLICT, "domain is already running");
            goto cleanup;
        }
        break;
    case DOMAIN_NEEDS_ACTIVE:
        if (!active) {
            app_error_set(err, 409, APP_ERR_CONFLICT, "domain is not running");
            goto cleanup;
        }
        break;
    case DOMAIN_NEEDS_UNPAUSED:
        /* Drivers disagree here (QEMU: silent success, test: internal error). */
        if (!active) {
            app_error_set(err, 409, APP_ERR_CONFLICT, "domain is not running");
            goto cleanup;
        }
        if (state == VIR_DOMAIN_PAUSED) {
            app_error_set(err, 409, APP_ERR_CONFLICT, "domain is already paused");
            goto cleanup;
        }
        break;
    case DOMAIN_NEEDS_PAUSED:
        if (state != VIR_DOMAIN_PAUSED) {
            app_error_set(err, 409, APP_ERR_CONFLICT, "domain is not paused");
            goto cleanup;
        }
        break;
    }
    ret = 0;

cleanup:
    return ret;
}

/* 409 APP_ERR_TEMPLATE when action starts a domain marked as a template. */
__attribute__((warn_unused_result)) static int
domain_template_check(virDomainPtr dom, const struct domain_action *action, struct app_error *err)
{
    bool marked = false;

    if (action->precheck != DOMAIN_NEEDS_INACTIVE)
        return 0;
    if (virt_domain_template_get(dom, &marked, err) < 0)
        return -1;
    if (marked) {
        app_error_set(err, 409, APP_ERR_TEMPLATE,
                      "a template cannot be started: clone it or unmark it");
        return -1;
    }
    return 0;
}

int virt_domain_act(virDomainPtr dom, const char *action, struct app_error *err)
{
    int ret = -1;
    const struct domain_action *act = domain_action_find(action);
    char what[32];

    if (!act) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "unknown action");
        goto cleanup;
    }
    if (domain_action_check(dom, act, err) < 0 || domain_template_check(dom, act, err) < 0)
        goto cleanup;
    if (act->run(dom) < 0) {
        snprintf(what, sizeof(what), "%s domain", act->name);
        virt_error_capture(err, what);
        goto cleanup;
    }
    ret = 0;

cleanup:
    return ret;
}

/* ---- title and description ---------------------------------------------------------- */

/* 400 naming key when text (if given) breaks kind's rule. */
__attribute__((warn_unused_result)) static int domain_metadata_check(const char *key,
                                                                     const char *text,
                                                                     enum utf8_name_kind kind,
                                                                     struct app_error *err)
{
    enum utf8_name_fault fault = text ? utf8_name_check(text, strlen(text), kind) : UTF8_NAME_OK;

    if (fault) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"%s\" %s", key,
                      utf8_name_fault_text(fault, kind));
        return -1;
    }
    return 0;
}

/* Sets one of title/description (NULL: nothing to do) with flags. */
__attribute__((warn_unused_result)) static int
domain_metadata_set(virDomainPtr dom, int type, const char *key, const char *text,
                    unsigned int flags, struct app_error *err)
{
    char what[32];

    /* libvirt removes the element for NULL; "" would leave an empty one */
    if (text && virDomainSetMetadata(dom, type, text[0] ? text : NULL, NULL, NULL, flags) < 0) {
        snprintf(what, sizeof(what), "set domain %s", key);
        virt_error_capture(err, what);
        return -1;
    }
    return 0;
}

int virt_domain_set_metadata(virDomainPtr dom, const char *title, const char *description,
                             struct app_error *err)
{
    int ret = -1, active, persistent;
    unsigned int flags = 0;
    char uuid[VIR_UUID_STRING_BUFLEN] = "";

    if (domain_metadata_check("title", title, UTF8_NAME_TITLE, err) < 0 ||
        domain_metadata_check("description", description, UTF8_NAME_DESCRIPTION, err) < 0)
        goto cleanup;
    if ((active = virDomainIsActive(dom)) < 0 || (persistent = virDomainIsPersistent(dom)) < 0 ||
        virDomainGetUUIDString(dom, uuid) < 0) {
        virt_error_capture(err, "get domain state");
        goto cleanup;
    }
    /* the definition, and the running domain too: a transient one has only the latter */
    if (active)
        flags |= VIR_DOMAIN_AFFECT_LIVE;
    if (persistent)
        flags |= VIR_DOMAIN_AFFECT_CONFIG;
    if (domain_metadata_set(dom, VIR_DOMAIN_METADATA_TITLE, "title", title, flags, err) < 0 ||
        domain_metadata_set(dom, VIR_DOMAIN_METADATA_DESCRIPTION, "description", description, flags,
                            err) < 0)
        goto cleanup;
    ret = 0;

cleanup:
    /* even after a half-done change: the next summary reads the XML again */
    virt_domain_forget(uuid);
    return ret;
}

virDomainPtr virt_domain_lookup_active(virConnectPtr conn, const char *uuid, bool hidden,
                                       char *name_out, size_t name_len, struct app_error *err)
{
    virDomainPtr dom = NULL;
    virDomainPtr ret = NULL;
    int state = 0, reason = 0;

    if (!(dom = virt_domain_find(conn, uuid, hidden, err)))
        goto cleanup;
    snprintf(name_out, name_len, "%s", virDomainGetName(dom) ? virDomainGetName(dom) : "");
    if (virDomainGetState(dom, &state, &reason, 0) < 0) {
        virt_error_capture(err, "get domain state");
        goto cleanup;
    }
    if (state != VIR_DOMAIN_RUNNING && state != VIR_DOMAIN_PAUSED && state != VIR_DOMAIN_BLOCKED) {
        app_error_set(err, 409, APP_ERR_CONFLICT, "the domain is not running");
        goto cleanup;
    }
    ret = dom;
    dom = NULL;

cleanup:
    if (dom)
        virDomainFree(dom);
    return ret;
}
