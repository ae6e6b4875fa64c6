/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* metrics_expo: the Prometheus text and OpenMetrics renderer (see the header). Pure, any
 * thread. Families are tables (name, type, help, which field); one walk per family over
 * the VMs the subject may see, so each family's samples stay together as both formats
 * require. */
#include "metrics/metrics_expo.h"

#include <inttypes.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xalloc.h"

enum expo_type { EXPO_GAUGE, EXPO_COUNTER, EXPO_HISTOGRAM };

struct expo {
    struct buf *out; /* borrowed */
    enum metrics_expo_format format;
    const char *family; /* the family whose header is pending or written */
    enum expo_type type;
    const char *help;
    bool header_done;
    bool failed;
};

struct expo_label {
    const char *name;
    const char *value;
};

/* A figure: an integer, a double, or none (omitted). */
struct expo_value {
    bool has;
    bool integer;
    uint64_t u;
    double d;
};

static struct expo_value expo_int(uint64_t u)
{
    return (struct expo_value){.has = true, .integer = true, .u = u};
}

static struct expo_value expo_num(double d)
{
    return (struct expo_value){.has = !isnan(d), .d = d};
}

static struct expo_value expo_ns(uint64_t ns)
{
    return expo_num((double)ns / 1e9);
}

static const struct expo_value expo_none = {.has = false};

static void expo_append(struct expo *e, const char *s, size_t n)
{
    if (!e->failed && buf_append(e->out, s, n) < 0)
        e->failed = true;
}

static void expo_str(struct expo *e, const char *s)
{
    expo_append(e, s, strlen(s));
}

/* A label value: backslash, double quote and line feed escaped (both formats). */
static void expo_escaped(struct expo *e, const char *s)
{
    const char *run = s;

    for (; *s; s++) {
        const char *esc = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : *s == '\n' ? "\\n" : NULL;
        if (!esc)
            continue;
        expo_append(e, run, (size_t)(s - run));
        expo_str(e, esc);
        run = s + 1;
    }
    expo_append(e, run, (size_t)(s - run));
}

static void expo_family(struct expo *e, const char *family, enum expo_type type, const char *help)
{
    e->family = family;
    e->type = type;
    e->help = help;
    e->header_done = false;
}

static void expo_header(struct expo *e)
{
    static const char *const types[] = {"gauge", "counter", "histogram"};
    /* 0.0.4 names a counter by its sample (`x_total`), OpenMetrics by its family (`x`) */
    const char *suffix = e->type == EXPO_COUNTER && e->format == METRICS_EXPO_TEXT ? "_total" : "";

    if (e->header_done)
        return;
    e->header_done = true;
    expo_str(e, "# HELP ");
    expo_str(e, e->family);
    expo_str(e, suffix);
    expo_str(e, " ");
    expo_str(e, e->help);
    expo_str(e, "\n# TYPE ");
    expo_str(e, e->family);
    expo_str(e, suffix);
    expo_str(e, " ");
    expo_str(e, types[e->type]);
    expo_str(e, "\n");
}

/* One sample of the current family: name + suffix ("_bucket"; a counter's "_total" is
 * added here), labels, value. An absent value writes nothing (not even the header). */
static void expo_sample(struct expo *e, const char *suffix, const struct expo_label *labels,
                        size_t n, struct expo_value v)
{
    char num[64];

    if (!v.has)
        return;
    expo_header(e);
    expo_str(e, e->family);
    expo_str(e, e->type == EXPO_COUNTER ? "_total" : suffix);
    for (size_t i = 0; i < n; i++) {
        expo_str(e, i ? "," : "{");
        expo_str(e, labels[i].name);
        expo_str(e, "=\"");
        expo_escaped(e, labels[i].value);
        expo_str(e, "\"");
    }
    if (n)
        expo_str(e, "}");
    if (v.integer)
        snprintf(num, sizeof(num), " %" PRIu64 "\n", v.u);
    else if (isinf(v.d))
        snprintf(num, sizeof(num), " %s\n", v.d > 0 ? "+Inf" : "-Inf");
    else
        snprintf(num, sizeof(num), " %.15g\n", v.d);
    expo_str(e, num);
}

/* ---- per VM ----------------------------------------------------------------------------- */

#define EXPO_DOMAIN_FAMILIES(X)                                                                    \
    X(STATE, "libvirt_domain_info_state", GAUGE,                                                   \
      "The VM state (virDomainState: 1 running, 2 blocked, 3 paused, 5 shut off, 6 crashed)")      \
    X(CPU_TIME, "libvirt_domain_info_cpu_time_seconds", COUNTER,                                   \
      "CPU time used by the VM, all its vCPUs and the emulator")                                   \
    X(VCPUS, "libvirt_domain_info_virtual_cpus", GAUGE, "Number of virtual CPUs of the VM")        \
    X(MEM_MAX, "libvirt_domain_info_maximum_memory_bytes", GAUGE,                                  \
      "Maximum memory of the VM (balloon maximum)")                                                \
    X(MEM_CUR, "libvirt_domain_info_memory_usage_bytes", GAUGE,                                    \
      "Memory the VM has now (balloon current)")                                                   \
    X(MEM_USED, "libvirt_domain_memory_stats_used_bytes", GAUGE,                                   \
      "Memory in use as the guest sees it (balloon driver)")                                       \
    X(MEM_AVAIL, "libvirt_domain_memory_stats_available_bytes", GAUGE,                             \
      "Memory available to the guest as it sees it (balloon driver)")                              \
    X(MEM_RSS, "libvirt_domain_memory_stats_rss_bytes", GAUGE,                                     \
      "Resident memory of the VM process on the host")                                             \
    X(CPU_PCT, "virtdeck_domain_cpu_percent", GAUGE,                                               \
      "CPU use of the VM since the previous collection, percent of all its vCPUs")                 \
    X(STEAL_PCT, "virtdeck_domain_steal_percent", GAUGE,                                           \
      "Time its vCPUs were runnable but not run (steal), mean percent over vCPUs")                 \
    X(STARTED, "virtdeck_domain_start_time_seconds", GAUGE, "When the VM last started (Unix time)")

enum expo_domain_id {
#define EXPO_ID(id, name, type, help) EXPO_DOMAIN_##id,
    EXPO_DOMAIN_FAMILIES(EXPO_ID)
#undef EXPO_ID
};

struct expo_family_row {
    int id;
    const char *name;
    enum expo_type type;
    const char *help;
};

static const struct expo_family_row expo_domain_rows[] = {
#define EXPO_ROW(id, name, type, help) {EXPO_DOMAIN_##id, name, EXPO_##type, help},
    EXPO_DOMAIN_FAMILIES(EXPO_ROW)
#undef EXPO_ROW
};

static struct expo_value expo_domain_value(int id, const struct metrics_domain *d)
{
    switch ((enum expo_domain_id)id) {
    case EXPO_DOMAIN_STATE:
        return expo_int((uint64_t)(d->state < 0 ? 0 : d->state));
    case EXPO_DOMAIN_CPU_TIME:
        return d->has_cpu_time ? expo_ns(d->cpu_time_ns) : expo_none;
    case EXPO_DOMAIN_VCPUS:
        return d->vcpu_count ? expo_int(d->vcpu_count) : expo_none;
    case EXPO_DOMAIN_MEM_MAX:
        return d->memory_max_kib ? expo_int(d->memory_max_kib * 1024) : expo_none;
    case EXPO_DOMAIN_MEM_CUR:
        return d->memory_current_kib ? expo_int(d->memory_current_kib * 1024) : expo_none;
    case EXPO_DOMAIN_MEM_USED:
        return d->has_mem_used ? expo_int(d->mem_used_kib * 1024) : expo_none;
    case EXPO_DOMAIN_MEM_AVAIL:
        return d->has_mem_used ? expo_int(d->mem_available_kib * 1024) : expo_none;
    case EXPO_DOMAIN_MEM_RSS:
        return d->has_mem_resident ? expo_int(d->mem_resident_kib * 1024) : expo_none;
    case EXPO_DOMAIN_CPU_PCT:
        return expo_num(d->cpu_percent);
    case EXPO_DOMAIN_STEAL_PCT:
        return expo_num(d->steal_percent);
    case EXPO_DOMAIN_STARTED:
        return d->started_ms > 0 ? expo_num((double)d->started_ms / 1000.0) : expo_none;
    }
    return expo_none;
}

#define EXPO_VCPU_FAMILIES(X)                                                                      \
    X(TIME, "libvirt_domain_vcpu_time_seconds", COUNTER, "CPU time used by one vCPU")              \
    X(WAIT, "libvirt_domain_vcpu_wait_seconds", COUNTER,                                           \
      "Time one vCPU was runnable but not run by the host (steal)")                                \
    X(PCT, "virtdeck_domain_vcpu_cpu_percent", GAUGE,                                              \
      "CPU use of one vCPU since the previous collection, percent of one CPU")

enum expo_vcpu_id {
#define EXPO_ID(id, name, type, help) EXPO_VCPU_##id,
    EXPO_VCPU_FAMILIES(EXPO_ID)
#undef EXPO_ID
};

static const struct expo_family_row expo_vcpu_rows[] = {
#define EXPO_ROW(id, name, type, help) {EXPO_VCPU_##id, name, EXPO_##type, help},
    EXPO_VCPU_FAMILIES(EXPO_ROW)
#undef EXPO_ROW
};

static struct expo_value expo_vcpu_value(int id, const struct metrics_vcpu *v)
{
    switch ((enum expo_vcpu_id)id) {
    case EXPO_VCPU_TIME:
        return expo_ns(v->time_ns);
    case EXPO_VCPU_WAIT:
        return v->has_wait ? expo_ns(v->wait_ns) : expo_none;
    case EXPO_VCPU_PCT:
        return expo_num(v->percent);
    }
    return expo_none;
}

#define EXPO_DISK_FAMILIES(X)                                                                      \
    X(RD_BYTES, "libvirt_domain_block_stats_read_bytes", COUNTER, "Bytes read from a disk")        \
    X(WR_BYTES, "libvirt_domain_block_stats_write_bytes", COUNTER, "Bytes written to a disk")      \
    X(RD_REQS, "libvirt_domain_block_stats_read_requests", COUNTER, "Read requests of a disk")     \
    X(WR_REQS, "libvirt_domain_block_stats_write_requests", COUNTER, "Write requests of a disk")   \
    X(FL_REQS, "libvirt_domain_block_stats_flush_requests", COUNTER, "Flush requests of a disk")   \
    X(RD_TIME, "libvirt_domain_block_stats_read_time_seconds", COUNTER,                            \
      "Time spent in read requests of a disk")                                                     \
    X(WR_TIME, "libvirt_domain_block_stats_write_time_seconds", COUNTER,                           \
      "Time spent in write requests of a disk")                                                    \
    X(FL_TIME, "libvirt_domain_block_stats_flush_time_seconds", COUNTER,                           \
      "Time spent in flush requests of a disk")                                                    \
    X(CAPACITY, "libvirt_domain_block_stats_capacity_bytes", GAUGE,                                \
      "Capacity of a disk as the guest sees it")                                                   \
    X(ALLOCATION, "libvirt_domain_block_stats_allocation_bytes", GAUGE,                            \
      "Bytes of a disk image allocated on the host")                                               \
    X(PHYSICAL, "libvirt_domain_block_stats_physical_bytes", GAUGE,                                \
      "Physical size of a disk image on the host")

enum expo_disk_id {
#define EXPO_ID(id, name, type, help) EXPO_DISK_##id,
    EXPO_DISK_FAMILIES(EXPO_ID)
#undef EXPO_ID
};

static const struct expo_family_row expo_disk_rows[] = {
#define EXPO_ROW(id, name, type, help) {EXPO_DISK_##id, name, EXPO_##type, help},
    EXPO_DISK_FAMILIES(EXPO_ROW)
#undef EXPO_ROW
};

static struct expo_value expo_disk_value(int id, const struct metrics_disk *k)
{
    switch ((enum expo_disk_id)id) {
    case EXPO_DISK_RD_BYTES:
        return expo_int(k->rd_bytes);
    case EXPO_DISK_WR_BYTES:
        return expo_int(k->wr_bytes);
    case EXPO_DISK_RD_REQS:
        return expo_int(k->rd_reqs);
    case EXPO_DISK_WR_REQS:
        return expo_int(k->wr_reqs);
    case EXPO_DISK_FL_REQS:
        return expo_int(k->fl_reqs);
    case EXPO_DISK_RD_TIME:
        return k->has_times ? expo_ns(k->rd_times_ns) : expo_none;
    case EXPO_DISK_WR_TIME:
        return k->has_times ? expo_ns(k->wr_times_ns) : expo_none;
    case EXPO_DISK_FL_TIME:
        return k->has_times ? expo_ns(k->fl_times_ns) : expo_none;
    case EXPO_DISK_CAPACITY:
        return k->has_capacity ? expo_int(k->capacity) : expo_none;
    case EXPO_DISK_ALLOCATION:
        return k->has_capacity ? expo_int(k->allocation) : expo_none;
    case EXPO_DISK_PHYSICAL:
        return k->has_capacity ? expo_int(k->physical) : expo_none;
    }
    return expo_none;
}

/* Every NIC figure is a counter libvirt always gives: its field's offset is enough. */
static const struct {
    const char *name, *help;
    size_t offset; /* of its uint64_t in struct metrics_nic */
} expo_nic_rows[] = {
    {"libvirt_domain_interface_stats_receive_bytes", "Bytes received by a NIC",
     offsetof(struct metrics_nic, rx_bytes)},
    {"libvirt_domain_interface_stats_receive_packets", "Packets received by a NIC",
     offsetof(struct metrics_nic, rx_pkts)},
    {"libvirt_domain_interface_stats_receive_errors", "Receive errors of a NIC",
     offsetof(struct metrics_nic, rx_errs)},
    {"libvirt_domain_interface_stats_receive_drops", "Received packets dropped",
     offsetof(struct metrics_nic, rx_drop)},
    {"libvirt_domain_interface_stats_transmit_bytes", "Bytes sent by a NIC",
     offsetof(struct metrics_nic, tx_bytes)},
    {"libvirt_domain_interface_stats_transmit_packets", "Packets sent by a NIC",
     offsetof(struct metrics_nic, tx_pkts)},
    {"libvirt_domain_interface_stats_transmit_errors", "Transmit errors of a NIC",
     offsetof(struct metrics_nic, tx_errs)},
    {"libvirt_domain_interface_stats_transmit_drops", "Packets to send dropped",
     offsetof(struct metrics_nic, tx_drop)},
};

static struct expo_value expo_nic_value(size_t offset, const struct metrics_nic *c)
{
    uint64_t v;

    memcpy(&v, (const char *)c + offset, sizeof(v));
    return expo_int(v);
}

#define EXPO_N(rows) (sizeof(rows) / sizeof((rows)[0]))

static void expo_domains(struct expo *e, const struct metrics_sample *s, const bool *visible)
{
    for (size_t f = 0; f < EXPO_N(expo_domain_rows); f++) {
        const struct expo_family_row *row = &expo_domain_rows[f];

        expo_family(e, row->name, row->type, row->help);
        for (size_t i = 0; i < s->domain_count; i++) {
            const struct metrics_domain *d = &s->domains[i];
            struct expo_label l[] = {{"uuid", d->uuid}, {"name", d->name ? d->name : ""}};
            if (visible[i])
                expo_sample(e, "", l, 2, expo_domain_value(row->id, d));
        }
    }
    for (size_t f = 0; f < EXPO_N(expo_vcpu_rows); f++) {
        const struct expo_family_row *row = &expo_vcpu_rows[f];

        expo_family(e, row->name, row->type, row->help);
        for (size_t i = 0; i < s->domain_count; i++) {
            const struct metrics_domain *d = &s->domains[i];
            for (unsigned v = 0; visible[i] && v < d->vcpu_count && d->vcpus; v++) {
                char n[16];
                snprintf(n, sizeof(n), "%u", v);
                struct expo_label l[] = {
                    {"uuid", d->uuid}, {"name", d->name ? d->name : ""}, {"vcpu", n}};
                expo_sample(e, "", l, 3, expo_vcpu_value(row->id, &d->vcpus[v]));
            }
        }
    }
    for (size_t f = 0; f < EXPO_N(expo_disk_rows); f++) {
        const struct expo_family_row *row = &expo_disk_rows[f];

        expo_family(e, row->name, row->type, row->help);
        for (size_t i = 0; i < s->domain_count; i++) {
            const struct metrics_domain *d = &s->domains[i];
            for (size_t k = 0; visible[i] && k < d->disk_count; k++) {
                struct expo_label l[] = {{"uuid", d->uuid},
                                         {"name", d->name ? d->name : ""},
                                         {"device", d->disks[k].name ? d->disks[k].name : ""}};
                expo_sample(e, "", l, 3, expo_disk_value(row->id, &d->disks[k]));
            }
        }
    }
    for (size_t f = 0; f < EXPO_N(expo_nic_rows); f++) {
        expo_family(e, expo_nic_rows[f].name, EXPO_COUNTER, expo_nic_rows[f].help);
        for (size_t i = 0; i < s->domain_count; i++) {
            const struct metrics_domain *d = &s->domains[i];
            for (size_t k = 0; visible[i] && k < d->nic_count; k++) {
                struct expo_label l[] = {{"uuid", d->uuid},
                                         {"name", d->name ? d->name : ""},
                                         {"device", d->nics[k].name ? d->nics[k].name : ""}};
                expo_sample(e, "", l, 3, expo_nic_value(expo_nic_rows[f].offset, &d->nics[k]));
            }
        }
    }
}

/* ---- the host, its pools and networks ---------------------------------------------------- */

static void expo_gauge(struct expo *e, const char *family, const char *help, struct expo_value v)
{
    expo_family(e, family, EXPO_GAUGE, help);
    expo_sample(e, "", NULL, 0, v);
}

static bool expo_sees(const struct metrics_expo_view *view, enum metrics_expo_object kind,
                      const char *id)
{
    return !view->visible || view->visible(view->visible_ctx, kind, id ? id : "");
}

static void expo_host(struct expo *e, const struct metrics_expo_view *view,
                      const struct metrics_sample *s)
{
    const struct metrics_host *h = &s->host;

    expo_gauge(e, "virtdeck_host_cpu_percent", "CPU use of the host, percent of all its CPUs",
               expo_num(h->cpu_percent));
    expo_gauge(e, "virtdeck_host_cpus", "CPUs of the host",
               h->cpus ? expo_int(h->cpus) : expo_none);
    expo_gauge(e, "virtdeck_host_memory_total_bytes", "Memory of the host",
               h->has_memory ? expo_int(h->memory_total_kib * 1024) : expo_none);
    expo_gauge(e, "virtdeck_host_memory_free_bytes", "Free memory of the host",
               h->has_memory ? expo_int(h->memory_free_kib * 1024) : expo_none);
    expo_gauge(e, "virtdeck_host_load1", "Load average of the host over 1 minute",
               expo_num(h->load1));
    expo_gauge(e, "virtdeck_host_load5", "Load average of the host over 5 minutes",
               expo_num(h->load5));
    expo_gauge(e, "virtdeck_host_load15", "Load average of the host over 15 minutes",
               expo_num(h->load15));
    expo_gauge(e, "virtdeck_sample_timestamp_seconds",
               "When the figures were collected (Unix time)",
               s->at_ms > 0 ? expo_num((double)s->at_ms / 1000.0) : expo_none);

    static const struct {
        const char *name, *help;
    } pools[] = {
        {"libvirt_pool_info_active", "1 if the storage pool is active"},
        {"libvirt_pool_info_capacity_bytes", "Capacity of the storage pool"},
        {"libvirt_pool_info_allocation_bytes", "Bytes allocated in the storage pool"},
        {"libvirt_pool_info_available_bytes", "Bytes free in the storage pool"},
    };
    bool *seen = xcalloc(s->pool_count + s->network_count + 1, sizeof(*seen));

    for (size_t i = 0; i < s->pool_count; i++)
        seen[i] = expo_sees(view, METRICS_EXPO_POOL, s->pools[i].name);
    for (size_t i = 0; i < s->network_count; i++)
        seen[s->pool_count + i] = expo_sees(view, METRICS_EXPO_NETWORK, s->networks[i].name);
    for (size_t f = 0; f < EXPO_N(pools); f++) {
        expo_family(e, pools[f].name, EXPO_GAUGE, pools[f].help);
        for (size_t i = 0; i < s->pool_count; i++) {
            const struct metrics_pool *p = &s->pools[i];
            if (!seen[i])
                continue;
            struct expo_label l[] = {{"pool", p->name ? p->name : ""}};
            uint64_t v[] = {p->active, p->capacity, p->allocation, p->available};
            /* an inactive pool has no size figures */
            expo_sample(e, "", l, 1, f == 0 || p->active ? expo_int(v[f]) : expo_none);
        }
    }
    expo_family(e, "virtdeck_network_up", EXPO_GAUGE, "1 if the virtual network is active");
    for (size_t i = 0; i < s->network_count; i++) {
        struct expo_label l[] = {{"network", s->networks[i].name ? s->networks[i].name : ""}};
        if (seen[s->pool_count + i])
            expo_sample(e, "", l, 1, expo_int(s->networks[i].active));
    }
    free(seen);
}

/* ---- the daemon ------------------------------------------------------------------------- */

static void expo_http(struct expo *e, const struct metrics_http *http)
{
    static const char *const classes[METRICS_HTTP_CLASSES] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    expo_family(e, "virtdeck_http_requests", EXPO_COUNTER,
                "HTTP requests answered, by route (the route table pattern), method and status "
                "class");
    for (size_t i = 0; i < http->route_count; i++) {
        const struct metrics_http_route *r = &http->routes[i];
        for (size_t c = 0; r->route && c < METRICS_HTTP_CLASSES; c++) {
            uint64_t n = atomic_load_explicit(&r->by_class[c], memory_order_relaxed);
            struct expo_label l[] = {
                {"route", r->route}, {"method", r->method ? r->method : ""}, {"code", classes[c]}};
            if (n)
                expo_sample(e, "", l, 3, expo_int(n));
        }
    }
    expo_family(e, "virtdeck_http_request_duration_seconds", EXPO_HISTOGRAM,
                "Time from a request to its answer being queued, by route and method");
    for (size_t i = 0; i < http->route_count; i++) {
        const struct metrics_http_route *r = &http->routes[i];
        uint64_t count, cum = 0;
        char le[32];

        if (!r->route || !(count = atomic_load_explicit(&r->count, memory_order_relaxed)))
            continue;
        for (size_t b = 0; b < METRICS_HTTP_BUCKETS; b++) {
            struct expo_label l[] = {
                {"route", r->route}, {"method", r->method ? r->method : ""}, {"le", le}};
            cum += atomic_load_explicit(&r->bucket[b], memory_order_relaxed);
            snprintf(le, sizeof(le), "%g", metrics_http_bucket_le[b]);
            expo_sample(e, "_bucket", l, 3, expo_int(cum));
        }
        {
            struct expo_label l[] = {
                {"route", r->route}, {"method", r->method ? r->method : ""}, {"le", "+Inf"}};
            expo_sample(e, "_bucket", l, 3, expo_int(count > cum ? count : cum));
            expo_sample(
                e, "_sum", l, 2,
                expo_num((double)atomic_load_explicit(&r->sum_us, memory_order_relaxed) / 1e6));
            expo_sample(e, "_count", l, 2, expo_int(count > cum ? count : cum));
        }
    }
    expo_family(e, "virtdeck_bytes_sent", EXPO_COUNTER,
                "Bytes written to clients (HTTP bodies and websocket frames)");
    expo_sample(e, "", NULL, 0,
                expo_int(atomic_load_explicit(&http->bytes_sent, memory_order_relaxed)));
}

static void expo_daemon(struct expo *e, const struct metrics_daemon *d)
{
    expo_gauge(e, "virtdeck_up", "1: virtdeck answers", expo_int(1));
    expo_gauge(e, "virtdeck_libvirt_connected", "1 if virtdeck is connected to libvirt",
               expo_int(d->libvirt_connected));
    expo_gauge(e, "libvirt_up", "1 if libvirt answers (as prometheus-libvirt-exporter says)",
               expo_int(d->libvirt_connected));
    expo_gauge(e, "virtdeck_sessions", "Login sessions alive",
               d->has_sessions ? expo_int(d->sessions) : expo_none);
    expo_gauge(e, "virtdeck_consoles_open", "Consoles (graphical and serial) open",
               d->has_consoles ? expo_int(d->consoles) : expo_none);
    expo_gauge(e, "virtdeck_worker_queue_depth", "Jobs waiting for a worker thread",
               d->has_queue ? expo_int(d->queue_depth) : expo_none);
    expo_gauge(e, "virtdeck_start_time_seconds", "When the daemon started (Unix time)",
               expo_num(d->start_time_s));
    if (d->http)
        expo_http(e, d->http);
}

/* ---- the whole text --------------------------------------------------------------------- */

enum metrics_expo_format metrics_expo_negotiate(const char *accept)
{
    return accept && strcasestr(accept, "application/openmetrics-text") ? METRICS_EXPO_OPENMETRICS
                                                                        : METRICS_EXPO_TEXT;
}

const char *metrics_expo_content_type(enum metrics_expo_format format)
{
    return format == METRICS_EXPO_OPENMETRICS ? METRICS_EXPO_OPENMETRICS_TYPE
                                              : METRICS_EXPO_TEXT_TYPE;
}

int metrics_expo_render(const struct metrics_expo_view *view, enum metrics_expo_format format,
                        struct buf *out)
{
    struct expo e = {.out = out, .format = format};
    const struct metrics_sample *s = view->sample;
    bool *visible = NULL;

    if (s && s->domain_count) {
        visible = xcalloc(s->domain_count, sizeof(*visible));
        for (size_t i = 0; i < s->domain_count; i++)
            visible[i] = expo_sees(view, METRICS_EXPO_DOMAIN, s->domains[i].uuid);
        expo_domains(&e, s, visible);
    }
    if (view->host && view->daemon)
        expo_daemon(&e, view->daemon);
    if (view->host && s)
        expo_host(&e, view, s);
    if (format == METRICS_EXPO_OPENMETRICS)
        expo_str(&e, "# EOF\n");
    free(visible);
    return e.failed ? -1 : 0;
}
