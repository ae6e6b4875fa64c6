/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_stats: one metrics_sample per collection from libvirt (running domains, the host,
 * its pools and networks), the rates between two collections, and the events
 * websocket's stats message built from a sample.
 *
 * One sampler is used by one worker thread at a time (the caller keeps a single stats
 * job in flight), so it has no lock. It keeps a reference to the previous connected
 * collection; each new one replaces it, which forgets domains that stopped or vanished
 * (a domain back later starts without rates). Samples are immutable once returned. */
#include "virt/virt_stats.h"

#include <libvirt/virterror.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics_lifecycle.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_error.h"

#define STATS_LOADAVG_PATH "/proc/loadavg"

struct virt_stats_sampler {
    struct metrics_lifecycle *lifecycle; /* borrowed, may be NULL */
    struct metrics_sample *prev;         /* owned reference: the previous connected collection */
    int64_t prev_at_us;                  /* its monotonic time; 0 before the first */
    bool host_have; /* host_busy_ns / host_total_ns hold the previous host reading */
    uint64_t host_busy_ns, host_total_ns;
    int host_nparams; /* virNodeGetCPUStats's size, 0 until asked */
};

/* ---- rates (pure) ------------------------------------------------ */

/* Per second between two readings of a counter; NAN if it went backwards. */
static double stats_rate(uint64_t before, uint64_t after, double dt_s)
{
    if (after < before)
        return NAN;
    return (double)(after - before) / dt_s;
}

/* % of dt_ns that a counter of ns grew by, clamped to 100; NAN if it went backwards. */
static double stats_percent(uint64_t before, uint64_t after, double dt_ns, double of)
{
    double pct;

    if (after < before)
        return NAN;
    pct = (double)(after - before) * 100.0 / (dt_ns * of);
    return pct > 100.0 ? 100.0 : pct;
}

/* Mean ms per request: delta times / delta requests; NAN without requests. */
static double stats_latency(uint64_t t0, uint64_t t1, uint64_t r0, uint64_t r1)
{
    if (t1 < t0 || r1 <= r0)
        return NAN;
    return (double)(t1 - t0) / (double)(r1 - r0) / 1e6;
}

static const struct metrics_disk *stats_disk_by_name(const struct metrics_domain *dom,
                                                     const char *name)
{
    for (size_t i = 0; dom && i < dom->disk_count; i++)
        if (strcmp(dom->disks[i].name, name) == 0)
            return &dom->disks[i];
    return NULL;
}

static const struct metrics_nic *stats_nic_by_name(const struct metrics_domain *dom,
                                                   const char *name)
{
    for (size_t i = 0; dom && i < dom->nic_count; i++)
        if (strcmp(dom->nics[i].name, name) == 0)
            return &dom->nics[i];
    return NULL;
}

static const struct metrics_vcpu *stats_vcpu_by_id(const struct metrics_domain *dom, unsigned id)
{
    for (unsigned i = 0; dom && i < dom->vcpu_count; i++)
        if (dom->vcpus[i].id == id)
            return &dom->vcpus[i];
    return NULL;
}

/* NAN-aware sum: a figure adds, NAN is skipped. */
static void stats_add(double *sum, double v)
{
    if (!isnan(v))
        *sum += v;
}

static void stats_vcpu_rates(const struct metrics_domain *prev, struct metrics_domain *cur,
                             double dt_ns)
{
    double steal_sum = 0.0;
    unsigned steal_n = 0;

    for (unsigned i = 0; i < cur->vcpu_count; i++) {
        struct metrics_vcpu *v = &cur->vcpus[i];
        const struct metrics_vcpu *p = stats_vcpu_by_id(prev, v->id);

        v->percent = NAN;
        v->steal_percent = NAN;
        if (!p)
            continue;
        v->percent = stats_percent(p->time_ns, v->time_ns, dt_ns, 1.0);
        if (v->has_delay && p->has_delay)
            v->steal_percent = stats_percent(p->delay_ns, v->delay_ns, dt_ns, 1.0);
        else if (v->has_wait && p->has_wait)
            v->steal_percent = stats_percent(p->wait_ns, v->wait_ns, dt_ns, 1.0);
        if (!isnan(v->steal_percent)) {
            steal_sum += v->steal_percent;
            steal_n++;
        }
    }
    cur->steal_percent = steal_n ? steal_sum / steal_n : NAN;
}

static void stats_disk_rates(const struct metrics_domain *prev, struct metrics_domain *cur,
                             double dt_s)
{
    for (size_t i = 0; i < cur->disk_count; i++) {
        struct metrics_disk *d = &cur->disks[i];
        const struct metrics_disk *p = prev ? stats_disk_by_name(prev, d->name) : NULL;

        d->rd_bps = d->wr_bps = d->rd_iops = d->wr_iops = NAN;
        d->rd_latency_ms = d->wr_latency_ms = NAN;
        if (!p)
            continue;
        d->rd_bps = stats_rate(p->rd_bytes, d->rd_bytes, dt_s);
        d->wr_bps = stats_rate(p->wr_bytes, d->wr_bytes, dt_s);
        d->rd_iops = stats_rate(p->rd_reqs, d->rd_reqs, dt_s);
        d->wr_iops = stats_rate(p->wr_reqs, d->wr_reqs, dt_s);
        if (d->has_times && p->has_times) {
            d->rd_latency_ms =
                stats_latency(p->rd_times_ns, d->rd_times_ns, p->rd_reqs, d->rd_reqs);
            d->wr_latency_ms =
                stats_latency(p->wr_times_ns, d->wr_times_ns, p->wr_reqs, d->wr_reqs);
        }
        stats_add(&cur->disk_rd_bps, d->rd_bps);
        stats_add(&cur->disk_wr_bps, d->wr_bps);
    }
}

static void stats_nic_rates(const struct metrics_domain *prev, struct metrics_domain *cur,
                            double dt_s)
{
    for (size_t i = 0; i < cur->nic_count; i++) {
        struct metrics_nic *n = &cur->nics[i];
        const struct metrics_nic *p = prev ? stats_nic_by_name(prev, n->name) : NULL;

        n->rx_bps = n->tx_bps = n->rx_pps = n->tx_pps = NAN;
        if (!p)
            continue;
        n->rx_bps = stats_rate(p->rx_bytes, n->rx_bytes, dt_s);
        n->tx_bps = stats_rate(p->tx_bytes, n->tx_bytes, dt_s);
        n->rx_pps = stats_rate(p->rx_pkts, n->rx_pkts, dt_s);
        n->tx_pps = stats_rate(p->tx_pkts, n->tx_pkts, dt_s);
        stats_add(&cur->net_rx_bps, n->rx_bps);
        stats_add(&cur->net_tx_bps, n->tx_bps);
    }
}

void virt_stats_domain_rates(const struct metrics_domain *prev, struct metrics_domain *cur,
                             int64_t dt_us)
{
    double dt_s = (double)dt_us / 1e6;
    double dt_ns = (double)dt_us * 1000.0;

    if (dt_us <= 0)
        prev = NULL;
    cur->cpu_percent = NAN;
    if (prev && cur->has_cpu_time && prev->has_cpu_time)
        cur->cpu_percent = stats_percent(prev->cpu_time_ns, cur->cpu_time_ns, dt_ns,
                                         cur->vcpu_current ? (double)cur->vcpu_current : 1.0);
    stats_vcpu_rates(prev, cur, dt_ns);
    cur->disk_rd_bps = cur->disk_wr_bps = cur->net_rx_bps = cur->net_tx_bps = prev ? 0.0 : NAN;
    stats_disk_rates(prev, cur, dt_s);
    stats_nic_rates(prev, cur, dt_s);
}

double virt_stats_host_cpu_percent(uint64_t busy0, uint64_t total0, uint64_t busy1, uint64_t total1)
{
    double pct;

    if (total1 <= total0 || busy1 < busy0)
        return -1.0;
    pct = (double)(busy1 - busy0) * 100.0 / (double)(total1 - total0);
    return pct > 100.0 ? 100.0 : pct;
}

int virt_stats_parse_loadavg(const char *text, double load[3])
{
    char *end;

    for (int i = 0; i < 3; i++) {
        while (*text == ' ')
            text++;
        load[i] = strtod(text, &end);
        if (end == text || (*end != ' ' && *end != '\n' && *end != '\0') || load[i] < 0.0)
            return -1;
        text = end;
    }
    return 0;
}

/* ---- the sampler ------------------------------------------------ */

struct virt_stats_sampler *virt_stats_sampler_new(struct metrics_lifecycle *lifecycle)
{
    struct virt_stats_sampler *sampler = xcalloc(1, sizeof(*sampler));

    sampler->lifecycle = lifecycle;
    return sampler;
}

void virt_stats_sampler_free(struct virt_stats_sampler *sampler)
{
    if (!sampler)
        return;
    metrics_sample_unref(sampler->prev);
    free(sampler);
}

/* ---- one record ------------------------------------------------ */

struct stats_params {
    virTypedParameterPtr params; /* borrowed */
    int nparams;
};

static bool stats_ull(const struct stats_params *p, uint64_t *out, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The ULLong parameter named by fmt; false (and *out untouched) when absent. */
static bool stats_ull(const struct stats_params *p, uint64_t *out, const char *fmt, ...)
{
    char name[VIR_TYPED_PARAM_FIELD_LENGTH];
    unsigned long long v;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(name, sizeof(name), fmt, ap);
    va_end(ap);
    if (virTypedParamsGetULLong(p->params, p->nparams, name, &v) != 1)
        return false;
    *out = v;
    return true;
}

static unsigned stats_uint(const struct stats_params *p, const char *name)
{
    unsigned int v = 0;

    if (virTypedParamsGetUInt(p->params, p->nparams, name, &v) != 1)
        return 0;
    return v;
}

static int stats_int(const struct stats_params *p, const char *name)
{
    int v = 0;

    if (virTypedParamsGetInt(p->params, p->nparams, name, &v) != 1)
        return 0;
    return v;
}

/* The string parameter "<prefix>.<i>.name", or "<prefix><i>" when absent. owned. */
static char *stats_device_name(const struct stats_params *p, const char *prefix, unsigned i)
{
    char name[VIR_TYPED_PARAM_FIELD_LENGTH];
    const char *v = NULL;

    snprintf(name, sizeof(name), "%s.%u.name", prefix, i);
    if (virTypedParamsGetString(p->params, p->nparams, name, &v) == 1 && v)
        return xstrdup(v);
    return xasprintf("%s%u", prefix, i);
}

/* The memory figures of one record. The guest's own use is the balloon's size minus
 * what the guest's balloon driver reports unused; without that driver (firmware-only
 * VMs, guests without virtio-balloon) the guest says nothing about its use, and the
 * allocation is not a figure of use: has_mem_used stays false. The resident size
 * (balloon.rss) is the host's side: what the VM's process holds, with the hypervisor's
 * own overhead. A driver without the balloon group (libvirt's test driver) is asked
 * with virDomainMemoryStats and virDomainGetInfo instead; real drivers always give the
 * group, so this costs no call per domain there. */
static void stats_memory(virDomainStatsRecordPtr rec, const struct stats_params *p,
                         struct metrics_domain *dom)
{
    virDomainMemoryStatStruct ms[VIR_DOMAIN_MEMORY_STAT_NR];
    uint64_t current = 0, unused = 0, rss = 0, available = 0, maximum = 0;
    bool has_current, has_unused, has_rss, has_available;
    virDomainInfo info;
    int i, n;

    has_current = stats_ull(p, &current, "balloon.current");
    has_unused = stats_ull(p, &unused, "balloon.unused");
    has_rss = stats_ull(p, &rss, "balloon.rss");
    has_available = stats_ull(p, &available, "balloon.available");
    if (stats_ull(p, &maximum, "balloon.maximum"))
        dom->memory_max_kib = maximum;
    if (!has_current &&
        (n = virDomainMemoryStats(rec->dom, ms, VIR_DOMAIN_MEMORY_STAT_NR, 0)) > 0) {
        for (i = 0; i < n; i++) {
            if (ms[i].tag == VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON) {
                has_current = true;
                current = ms[i].val;
            } else if (ms[i].tag == VIR_DOMAIN_MEMORY_STAT_UNUSED) {
                has_unused = true;
                unused = ms[i].val;
            } else if (ms[i].tag == VIR_DOMAIN_MEMORY_STAT_RSS) {
                has_rss = true;
                rss = ms[i].val;
            } else if (ms[i].tag == VIR_DOMAIN_MEMORY_STAT_AVAILABLE) {
                has_available = true;
                available = ms[i].val;
            }
        }
        if (virDomainGetInfo(rec->dom, &info) == 0)
            dom->memory_max_kib = info.maxMem;
        else
            virResetLastError();
    } else if (!has_current) {
        virResetLastError(); /* no figures: not an error of the sample */
    }
    dom->memory_current_kib = has_current ? current : 0;
    dom->has_mem_used = has_current && has_unused && unused <= current;
    dom->mem_used_kib = dom->has_mem_used ? current - unused : 0;
    dom->mem_unused_kib = dom->has_mem_used ? unused : 0;
    dom->has_mem_available = has_available;
    dom->mem_available_kib = has_available ? available : 0;
    dom->has_mem_resident = has_rss;
    dom->mem_resident_kib = has_rss ? rss : 0;
}

/* vcpu.N.time / wait / delay for N below vcpu.maximum (vcpu.current when absent); an
 * offline vCPU has no time and is left out. */
static void stats_vcpus(const struct stats_params *p, struct metrics_domain *dom)
{
    unsigned current = stats_uint(p, "vcpu.current");
    unsigned max = stats_uint(p, "vcpu.maximum");
    unsigned n = max > current ? max : current;

    dom->vcpus = n ? xcalloc(n, sizeof(*dom->vcpus)) : NULL;
    for (unsigned i = 0; i < n; i++) {
        struct metrics_vcpu *v = &dom->vcpus[dom->vcpu_count];

        if (!stats_ull(p, &v->time_ns, "vcpu.%u.time", i))
            continue;
        v->id = i;
        v->has_wait = stats_ull(p, &v->wait_ns, "vcpu.%u.wait", i);
        v->has_delay = stats_ull(p, &v->delay_ns, "vcpu.%u.delay", i);
        dom->vcpu_count++;
    }
    /* The domain's CPU % is over its online vCPUs, also when the driver gives no times. */
    dom->vcpu_current = current ? current : dom->vcpu_count;
}

static void stats_disks(const struct stats_params *p, struct metrics_domain *dom)
{
    unsigned n = stats_uint(p, "block.count");

    dom->disks = n ? xcalloc(n, sizeof(*dom->disks)) : NULL;
    for (unsigned i = 0; i < n; i++) {
        struct metrics_disk *d = &dom->disks[dom->disk_count++];

        d->name = stats_device_name(p, "block", i);
        stats_ull(p, &d->rd_bytes, "block.%u.rd.bytes", i);
        stats_ull(p, &d->wr_bytes, "block.%u.wr.bytes", i);
        stats_ull(p, &d->rd_reqs, "block.%u.rd.reqs", i);
        stats_ull(p, &d->wr_reqs, "block.%u.wr.reqs", i);
        stats_ull(p, &d->fl_reqs, "block.%u.fl.reqs", i);
        d->has_times = stats_ull(p, &d->rd_times_ns, "block.%u.rd.times", i);
        stats_ull(p, &d->wr_times_ns, "block.%u.wr.times", i);
        stats_ull(p, &d->fl_times_ns, "block.%u.fl.times", i);
        d->has_capacity = stats_ull(p, &d->capacity, "block.%u.capacity", i);
        stats_ull(p, &d->allocation, "block.%u.allocation", i);
        stats_ull(p, &d->physical, "block.%u.physical", i);
    }
}

static void stats_nics(const struct stats_params *p, struct metrics_domain *dom)
{
    unsigned n = stats_uint(p, "net.count");

    dom->nics = n ? xcalloc(n, sizeof(*dom->nics)) : NULL;
    for (unsigned i = 0; i < n; i++) {
        struct metrics_nic *d = &dom->nics[dom->nic_count++];

        d->name = stats_device_name(p, "net", i);
        stats_ull(p, &d->rx_bytes, "net.%u.rx.bytes", i);
        stats_ull(p, &d->tx_bytes, "net.%u.tx.bytes", i);
        stats_ull(p, &d->rx_pkts, "net.%u.rx.pkts", i);
        stats_ull(p, &d->tx_pkts, "net.%u.tx.pkts", i);
        stats_ull(p, &d->rx_drop, "net.%u.rx.drop", i);
        stats_ull(p, &d->tx_drop, "net.%u.tx.drop", i);
        stats_ull(p, &d->rx_errs, "net.%u.rx.errs", i);
        stats_ull(p, &d->tx_errs, "net.%u.tx.errs", i);
    }
}

/* Fills dom from one record (counters only; the rates come after). */
__attribute__((warn_unused_result)) static int stats_domain_fill(struct virt_stats_sampler *sampler,
                                                                 virDomainStatsRecordPtr rec,
                                                                 struct metrics_domain *dom,
                                                                 struct app_error *err)
{
    struct stats_params p = {rec->params, rec->nparams};
    struct metrics_lifecycle_entry life;
    const char *name;

    if (virDomainGetUUIDString(rec->dom, dom->uuid) < 0) {
        virt_error_capture(err, "get domain UUID");
        return -1;
    }
    name = virDomainGetName(rec->dom);
    dom->name = xstrdup(name ? name : "");
    dom->state = stats_int(&p, "state.state");
    dom->reason = stats_int(&p, "state.reason");
    dom->has_cpu_time = stats_ull(&p, &dom->cpu_time_ns, "cpu.time");
    stats_ull(&p, &dom->cpu_user_ns, "cpu.user");
    stats_ull(&p, &dom->cpu_system_ns, "cpu.system");
    stats_vcpus(&p, dom);
    stats_memory(rec, &p, dom);
    stats_disks(&p, dom);
    stats_nics(&p, dom);
    if (metrics_lifecycle_get(sampler->lifecycle, dom->uuid, &life))
        dom->started_ms = life.started_ms;
    return 0;
}

static int stats_domain_cmp(const void *a, const void *b)
{
    const struct metrics_domain *x = a;
    const struct metrics_domain *y = b;

    return strcmp(x->uuid, y->uuid);
}

/* ---- the host ------------------------------------------------ */

/* The host's CPU counters summed over all CPUs: busy (all but idle and iowait) and
 * total, in ns. -1 when the driver reports none (its error is dropped: no figure). */
static int stats_host_cpu(struct virt_stats_sampler *sampler, virConnectPtr conn, uint64_t *busy,
                          uint64_t *total)
{
    int ret = -1;
    int nparams = sampler->host_nparams, i;
    virNodeCPUStatsPtr params = NULL;

    if (nparams <= 0 &&
        (virNodeGetCPUStats(conn, VIR_NODE_CPU_STATS_ALL_CPUS, NULL, &nparams, 0) < 0 ||
         nparams <= 0))
        goto cleanup;
    params = xcalloc((size_t)nparams, sizeof(*params));
    if (virNodeGetCPUStats(conn, VIR_NODE_CPU_STATS_ALL_CPUS, params, &nparams, 0) < 0) {
        nparams = 0; /* asked again next time */
        goto cleanup;
    }
    *busy = 0;
    *total = 0;
    for (i = 0; i < nparams; i++) {
        if (strcmp(params[i].field, VIR_NODE_CPU_STATS_UTILIZATION) == 0)
            continue; /* a percentage, not a counter */
        *total += params[i].value;
        if (strcmp(params[i].field, VIR_NODE_CPU_STATS_IDLE) != 0 &&
            strcmp(params[i].field, VIR_NODE_CPU_STATS_IOWAIT) != 0)
            *busy += params[i].value;
    }
    ret = 0;

cleanup:
    sampler->host_nparams = nparams;
    if (ret < 0)
        virResetLastError();
    free(params);
    return ret;
}

/* The daemon's host load (see the header: the hypervisor's for a local libvirt). */
static void stats_host_load(struct metrics_host *host)
{
    char text[128];
    double load[3];
    FILE *f = fopen(STATS_LOADAVG_PATH, "re");
    size_t n = 0;

    if (f) {
        n = fread(text, 1, sizeof(text) - 1, f);
        fclose(f);
    }
    text[n] = '\0';
    if (n && virt_stats_parse_loadavg(text, load) == 0) {
        host->load1 = load[0];
        host->load5 = load[1];
        host->load15 = load[2];
    }
}

static void stats_host(struct virt_stats_sampler *sampler, virConnectPtr conn,
                       struct metrics_host *host)
{
    uint64_t busy = 0, total = 0;
    unsigned long long free_bytes;
    virNodeInfo info;
    double pct = -1.0;

    if (stats_host_cpu(sampler, conn, &busy, &total) == 0) {
        if (sampler->host_have)
            pct = virt_stats_host_cpu_percent(sampler->host_busy_ns, sampler->host_total_ns, busy,
                                              total);
        sampler->host_have = true;
        sampler->host_busy_ns = busy;
        sampler->host_total_ns = total;
    } else {
        sampler->host_have = false;
    }
    host->cpu_percent = pct >= 0.0 ? pct : NAN;
    if (virNodeGetInfo(conn, &info) == 0) {
        host->cpus = info.cpus;
        host->memory_total_kib = info.memory;
    } else {
        virResetLastError();
    }
    /* 0 is libvirt's failure ("cause unknown"): the test driver has no figure. */
    free_bytes = virNodeGetFreeMemory(conn);
    if (free_bytes == 0)
        virResetLastError();
    host->has_memory = free_bytes && host->memory_total_kib;
    host->memory_free_kib = host->has_memory ? free_bytes / 1024 : 0;
    stats_host_load(host);
}

/* Every storage pool: one list call, then one info call per pool (not per domain). */
static void stats_pools(virConnectPtr conn, struct metrics_sample *sample)
{
    virStoragePoolPtr *pools = NULL;
    int n = virConnectListAllStoragePools(conn, &pools, 0);

    if (n < 0) {
        virResetLastError();
        return;
    }
    sample->pools = n ? xcalloc((size_t)n, sizeof(*sample->pools)) : NULL;
    for (int i = 0; i < n; i++) {
        struct metrics_pool *pool = &sample->pools[sample->pool_count];
        virStoragePoolInfo info;
        const char *name = virStoragePoolGetName(pools[i]);

        if (virStoragePoolGetInfo(pools[i], &info) == 0) {
            pool->name = xstrdup(name ? name : "");
            pool->active =
                info.state == VIR_STORAGE_POOL_RUNNING || info.state == VIR_STORAGE_POOL_DEGRADED;
            pool->capacity = info.capacity;
            pool->allocation = info.allocation;
            pool->available = info.available;
            sample->pool_count++;
        } else {
            virResetLastError(); /* gone meanwhile: left out */
        }
        virStoragePoolFree(pools[i]);
    }
    free(pools);
}

/* Appends the networks of one list call (flags: active or inactive ones). */
static void stats_networks_of(virConnectPtr conn, struct metrics_sample *sample, unsigned int flags,
                              bool active)
{
    virNetworkPtr *nets = NULL;
    int n = virConnectListAllNetworks(conn, &nets, flags);

    if (n < 0) {
        virResetLastError();
        return;
    }
    sample->networks = xrealloc(sample->networks, (sample->network_count + (size_t)n + 1) *
                                                      sizeof(*sample->networks));
    for (int i = 0; i < n; i++) {
        struct metrics_network *net = &sample->networks[sample->network_count++];
        const char *name = virNetworkGetName(nets[i]);

        net->name = xstrdup(name ? name : "");
        net->active = active;
        virNetworkFree(nets[i]);
    }
    free(nets);
}

/* ---- a collection ------------------------------------------------ */

struct metrics_sample *virt_stats_sample(struct virt_stats_sampler *sampler, virConnectPtr conn,
                                         struct app_error *err)
{
    const unsigned int groups = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL |
                                VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_VCPU |
                                VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK;
    struct metrics_sample *ret = NULL;
    struct metrics_sample *sample = NULL;
    virDomainStatsRecordPtr *records = NULL;
    int64_t now_us, dt_us = 0;
    size_t i;
    int n;

    n = virConnectGetAllDomainStats(conn, groups, &records,
                                    VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
    if (n < 0) {
        virt_error_capture(err, "get domain statistics");
        goto cleanup;
    }
    now_us = clock_mono_us();
    sample = metrics_sample_new();
    sample->at_ms = clock_wall_ms();
    sample->connected = true;
    sample->domains = xcalloc((size_t)n + 1, sizeof(*sample->domains));
    for (i = 0; i < (size_t)n; i++) {
        if (stats_domain_fill(sampler, records[i], &sample->domains[i], err) < 0)
            goto cleanup;
        sample->domain_count++;
    }
    qsort(sample->domains, sample->domain_count, sizeof(*sample->domains), stats_domain_cmp);
    if (sampler->prev_at_us) {
        dt_us = now_us - sampler->prev_at_us;
        sample->interval_ms = (dt_us + 500) / 1000;
    }
    for (i = 0; i < sample->domain_count; i++) {
        struct metrics_domain *dom = &sample->domains[i];

        virt_stats_domain_rates(metrics_sample_domain(sampler->prev, dom->uuid), dom, dt_us);
    }
    stats_host(sampler, conn, &sample->host);
    stats_pools(conn, sample);
    stats_networks_of(conn, sample, VIR_CONNECT_LIST_NETWORKS_ACTIVE, true);
    stats_networks_of(conn, sample, VIR_CONNECT_LIST_NETWORKS_INACTIVE, false);

    metrics_sample_unref(sampler->prev);
    sampler->prev = metrics_sample_ref(sample);
    sampler->prev_at_us = now_us;
    ret = sample;
    sample = NULL;

cleanup:
    metrics_sample_unref(sample);
    if (records)
        virDomainStatsRecordListFree(records);
    return ret;
}

struct metrics_sample *virt_stats_sample_offline(struct virt_stats_sampler *sampler)
{
    struct metrics_sample *sample = metrics_sample_new();

    sample->at_ms = clock_wall_ms();
    sample->connected = false;
    stats_host_load(&sample->host);
    return sample;
}

/* ---- the stats message ------------------------------------------------ */

/* json-c fails here only when it cannot allocate; like x*alloc, that aborts. */
static void stats_json_set(struct json_object *obj, const char *key, struct json_object *val)
{
    if (json_object_object_add(obj, key, val) < 0) {
        log_error("virt_stats: out of memory building JSON");
        abort();
    }
}

static void stats_json_push(struct json_object *arr, struct json_object *val)
{
    if (json_object_array_add(arr, val) < 0) {
        log_error("virt_stats: out of memory building JSON");
        abort();
    }
}

/* A figure with the given decimals (written as such: json-c would otherwise print 17
 * digits); null for NAN. */
static struct json_object *stats_json_num(double v, int decimals)
{
    char text[48];

    if (isnan(v))
        return NULL;
    snprintf(text, sizeof(text), "%.*f", decimals, v);
    return json_object_new_double_s(v, text);
}

/* A rate as the old whole number: 0 for no figure. */
static struct json_object *stats_json_rate0(double v)
{
    return json_object_new_uint64(isnan(v) || v < 0.0 ? 0 : (uint64_t)v);
}

static struct json_object *stats_json_u64_if(bool has, uint64_t v)
{
    return has ? json_object_new_uint64(v) : NULL;
}

static struct json_object *stats_vcpus_json(const struct metrics_domain *dom)
{
    struct json_object *arr = json_object_new_array_ext((int)dom->vcpu_count);

    for (unsigned i = 0; i < dom->vcpu_count; i++) {
        struct json_object *o = json_object_new_object();

        stats_json_set(o, "id", json_object_new_int64(dom->vcpus[i].id));
        stats_json_set(o, "time_ns", json_object_new_uint64(dom->vcpus[i].time_ns));
        stats_json_set(o, "percent", stats_json_num(dom->vcpus[i].percent, 1));
        stats_json_set(o, "steal_percent", stats_json_num(dom->vcpus[i].steal_percent, 1));
        stats_json_push(arr, o);
    }
    return arr;
}

static struct json_object *stats_disks_json(const struct metrics_domain *dom, double *rd_iops,
                                            double *wr_iops)
{
    struct json_object *arr = json_object_new_array_ext((int)dom->disk_count);

    for (size_t i = 0; i < dom->disk_count; i++) {
        const struct metrics_disk *d = &dom->disks[i];
        struct json_object *o = json_object_new_object();

        stats_json_set(o, "name", json_object_new_string(d->name));
        stats_json_set(o, "rd_bytes", json_object_new_uint64(d->rd_bytes));
        stats_json_set(o, "wr_bytes", json_object_new_uint64(d->wr_bytes));
        stats_json_set(o, "rd_reqs", json_object_new_uint64(d->rd_reqs));
        stats_json_set(o, "wr_reqs", json_object_new_uint64(d->wr_reqs));
        stats_json_set(o, "rd_bps", stats_json_num(d->rd_bps, 0));
        stats_json_set(o, "wr_bps", stats_json_num(d->wr_bps, 0));
        stats_json_set(o, "rd_iops", stats_json_num(d->rd_iops, 1));
        stats_json_set(o, "wr_iops", stats_json_num(d->wr_iops, 1));
        stats_json_set(o, "rd_latency_ms", stats_json_num(d->rd_latency_ms, 3));
        stats_json_set(o, "wr_latency_ms", stats_json_num(d->wr_latency_ms, 3));
        stats_json_push(arr, o);
        stats_add(rd_iops, d->rd_iops);
        stats_add(wr_iops, d->wr_iops);
    }
    return arr;
}

static struct json_object *stats_nics_json(const struct metrics_domain *dom)
{
    struct json_object *arr = json_object_new_array_ext((int)dom->nic_count);

    for (size_t i = 0; i < dom->nic_count; i++) {
        const struct metrics_nic *n = &dom->nics[i];
        struct json_object *o = json_object_new_object();

        stats_json_set(o, "name", json_object_new_string(n->name));
        stats_json_set(o, "rx_bytes", json_object_new_uint64(n->rx_bytes));
        stats_json_set(o, "tx_bytes", json_object_new_uint64(n->tx_bytes));
        stats_json_set(o, "rx_pkts", json_object_new_uint64(n->rx_pkts));
        stats_json_set(o, "tx_pkts", json_object_new_uint64(n->tx_pkts));
        stats_json_set(o, "rx_bps", stats_json_num(n->rx_bps, 0));
        stats_json_set(o, "tx_bps", stats_json_num(n->tx_bps, 0));
        stats_json_set(o, "rx_pps", stats_json_num(n->rx_pps, 1));
        stats_json_set(o, "tx_pps", stats_json_num(n->tx_pps, 1));
        stats_json_set(o, "rx_drop", json_object_new_uint64(n->rx_drop));
        stats_json_set(o, "tx_drop", json_object_new_uint64(n->tx_drop));
        stats_json_set(o, "rx_errs", json_object_new_uint64(n->rx_errs));
        stats_json_set(o, "tx_errs", json_object_new_uint64(n->tx_errs));
        stats_json_push(arr, o);
    }
    return arr;
}

static struct json_object *stats_domain_json(const struct metrics_domain *dom)
{
    struct json_object *obj = json_object_new_object();
    double rd_iops = 0.0, wr_iops = 0.0;
    bool first = isnan(dom->disk_rd_bps); /* no previous collection of it */
    struct json_object *disks = stats_disks_json(dom, &rd_iops, &wr_iops);

    stats_json_set(obj, "uuid", json_object_new_string(dom->uuid));
    /* No cpu.time from the driver: no figure (null), rather than a made-up 0; 0 on the
     * domain's first collection, as the UI has always had. */
    stats_json_set(obj, "cpu_percent",
                   dom->has_cpu_time
                       ? stats_json_num(isnan(dom->cpu_percent) ? 0.0 : dom->cpu_percent, 1)
                       : NULL);
    /* No figure from the guest: null, never its allocation as if it were all in use. */
    stats_json_set(obj, "memory_used_kib", stats_json_u64_if(dom->has_mem_used, dom->mem_used_kib));
    stats_json_set(obj, "memory_resident_kib",
                   stats_json_u64_if(dom->has_mem_resident, dom->mem_resident_kib));
    stats_json_set(obj, "disk_rd_bps", stats_json_rate0(dom->disk_rd_bps));
    stats_json_set(obj, "disk_wr_bps", stats_json_rate0(dom->disk_wr_bps));
    stats_json_set(obj, "net_rx_bps", stats_json_rate0(dom->net_rx_bps));
    stats_json_set(obj, "net_tx_bps", stats_json_rate0(dom->net_tx_bps));
    /* Added with the always-on collection: null for no figure. */
    stats_json_set(obj, "name", json_object_new_string(dom->name ? dom->name : ""));
    stats_json_set(obj, "state", json_object_new_int(dom->state));
    stats_json_set(obj, "reason", json_object_new_int(dom->reason));
    stats_json_set(obj, "started_ms",
                   dom->started_ms ? json_object_new_int64(dom->started_ms) : NULL);
    stats_json_set(obj, "cpu_time_ns", stats_json_u64_if(dom->has_cpu_time, dom->cpu_time_ns));
    stats_json_set(obj, "steal_percent", stats_json_num(dom->steal_percent, 1));
    stats_json_set(obj, "memory_max_kib",
                   stats_json_u64_if(dom->memory_max_kib, dom->memory_max_kib));
    stats_json_set(obj, "memory_current_kib",
                   stats_json_u64_if(dom->memory_current_kib, dom->memory_current_kib));
    stats_json_set(obj, "disk_rd_iops", first ? NULL : stats_json_num(rd_iops, 1));
    stats_json_set(obj, "disk_wr_iops", first ? NULL : stats_json_num(wr_iops, 1));
    stats_json_set(obj, "vcpus", stats_vcpus_json(dom));
    stats_json_set(obj, "disks", disks);
    stats_json_set(obj, "nics", stats_nics_json(dom));
    return obj;
}

static struct json_object *stats_host_json(const struct metrics_host *host)
{
    struct json_object *obj = json_object_new_object();

    stats_json_set(obj, "cpu_percent", stats_json_num(host->cpu_percent, 1));
    stats_json_set(obj, "free_memory_kib",
                   stats_json_u64_if(host->has_memory, host->memory_free_kib));
    stats_json_set(obj, "memory_total_kib",
                   stats_json_u64_if(host->memory_total_kib, host->memory_total_kib));
    stats_json_set(obj, "cpus", stats_json_u64_if(host->cpus, host->cpus));
    stats_json_set(obj, "load1", stats_json_num(host->load1, 2));
    stats_json_set(obj, "load5", stats_json_num(host->load5, 2));
    stats_json_set(obj, "load15", stats_json_num(host->load15, 2));
    return obj;
}

struct json_object *virt_stats_message(const struct metrics_sample *sample)
{
    struct json_object *msg = json_object_new_object();
    struct json_object *arr = json_object_new_array_ext((int)sample->domain_count);

    for (size_t i = 0; i < sample->domain_count; i++)
        stats_json_push(arr, stats_domain_json(&sample->domains[i]));
    stats_json_set(msg, "type", json_object_new_string("stats"));
    stats_json_set(msg, "at_ms", json_object_new_int64(sample->at_ms));
    stats_json_set(msg, "interval_ms", json_object_new_int64(sample->interval_ms));
    stats_json_set(msg, "domains", arr);
    stats_json_set(msg, "host", stats_host_json(&sample->host));
    return msg;
}
