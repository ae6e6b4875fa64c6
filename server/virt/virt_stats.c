/* virt_stats: load figures for running domains, as rates between two samples, and the
 * host's CPU use (between two samples too) and free memory.
 *
 * One sampler is used by one worker thread at a time (the caller keeps a single
 * stats job in flight), so it has no lock. It remembers the previous raw sample of
 * each domain, sorted by UUID; each new sample replaces the whole table, which
 * forgets domains that stopped or vanished. */
#include "virt/virt_stats.h"

#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "virt/virt_error.h"

struct virt_stats_sampler {
    struct virt_stats_raw *prev; /* owned; sorted by uuid */
    size_t prev_len;
    int64_t prev_at_us; /* time of the previous sample; 0 before the first */
    bool host_have;     /* host_busy_ns / host_total_ns hold the previous host reading */
    uint64_t host_busy_ns, host_total_ns;
};

/* Bytes per second between two readings of a counter; 0 if it went backwards. */
static uint64_t stats_rate(uint64_t before, uint64_t after, int64_t dt_us)
{
    if (after < before)
        return 0;
    return (uint64_t)((double)(after - before) * 1e6 / (double)dt_us);
}

void virt_stats_rates(const struct virt_stats_raw *prev, const struct virt_stats_raw *cur,
                      struct virt_stats_rates *out)
{
    int64_t dt_us;

    memset(out, 0, sizeof(*out));
    if (!prev || !cur)
        return;
    dt_us = cur->at_us - prev->at_us;
    if (dt_us <= 0)
        return;
    if (cur->cpu_time_ns >= prev->cpu_time_ns) {
        unsigned vcpus = cur->vcpus ? cur->vcpus : 1;
        double pct = (double)(cur->cpu_time_ns - prev->cpu_time_ns) * 100.0 /
                     ((double)dt_us * 1000.0 * (double)vcpus);

        /* Sampling jitter can push a fully busy domain a little over 100. */
        out->cpu_percent = pct > 100.0 ? 100.0 : pct;
    }
    out->disk_rd_bps = stats_rate(prev->rd_bytes, cur->rd_bytes, dt_us);
    out->disk_wr_bps = stats_rate(prev->wr_bytes, cur->wr_bytes, dt_us);
    out->net_rx_bps = stats_rate(prev->rx_bytes, cur->rx_bytes, dt_us);
    out->net_tx_bps = stats_rate(prev->tx_bytes, cur->tx_bytes, dt_us);
}

struct virt_stats_sampler *virt_stats_sampler_new(void)
{
    return xcalloc(1, sizeof(struct virt_stats_sampler));
}

void virt_stats_sampler_free(struct virt_stats_sampler *sampler)
{
    if (!sampler)
        return;
    free(sampler->prev);
    free(sampler);
}

static int stats_raw_cmp(const void *a, const void *b)
{
    const struct virt_stats_raw *x = a;
    const struct virt_stats_raw *y = b;

    return strcmp(x->uuid, y->uuid);
}

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

static uint64_t stats_param_ullong(virTypedParameterPtr params, int nparams, const char *name)
{
    unsigned long long v = 0;

    if (virTypedParamsGetULLong(params, nparams, name, &v) != 1)
        return 0;
    return v;
}

static unsigned stats_param_uint(virTypedParameterPtr params, int nparams, const char *name)
{
    unsigned int v = 0;

    if (virTypedParamsGetUInt(params, nparams, name, &v) != 1)
        return 0;
    return v;
}

/* Sums "<prefix>.<i>.<field>" over i < "<prefix>.count". */
static uint64_t stats_param_sum(virTypedParameterPtr params, int nparams, const char *prefix,
                                const char *field)
{
    char name[VIR_TYPED_PARAM_FIELD_LENGTH];
    unsigned i, count;
    uint64_t sum = 0;

    snprintf(name, sizeof(name), "%s.count", prefix);
    count = stats_param_uint(params, nparams, name);
    for (i = 0; i < count; i++) {
        snprintf(name, sizeof(name), "%s.%u.%s", prefix, i, field);
        sum += stats_param_ullong(params, nparams, name);
    }
    return sum;
}

/* The memory figures of one record. The guest's own use is the balloon's size minus
 * what the guest's balloon driver reports unused; without that driver (firmware-only
 * VMs, guests without virtio-balloon) the guest says nothing about its use, and the
 * allocation is not a figure of use: has_mem_used stays false. The resident size
 * (balloon.rss) is the host's side: what the VM's process holds, with the hypervisor's
 * own overhead. A driver without the balloon group (libvirt's test driver) is asked
 * with virDomainMemoryStats instead; real drivers always give the group, so this costs
 * no call per domain there. */
static void stats_raw_memory(virDomainStatsRecordPtr rec, struct virt_stats_raw *raw)
{
    virDomainMemoryStatStruct ms[VIR_DOMAIN_MEMORY_STAT_NR];
    unsigned long long current = 0, unused = 0, rss = 0;
    bool has_current, has_unused, has_rss;
    int i, n;

    has_current =
        virTypedParamsGetULLong(rec->params, rec->nparams, "balloon.current", &current) == 1;
    has_unused = virTypedParamsGetULLong(rec->params, rec->nparams, "balloon.unused", &unused) == 1;
    has_rss = virTypedParamsGetULLong(rec->params, rec->nparams, "balloon.rss", &rss) == 1;
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
            }
        }
    } else if (!has_current) {
        virResetLastError(); /* no figures: not an error of the sample */
    }
    raw->has_mem_used = has_current && has_unused && unused <= current;
    raw->mem_used_kib = raw->has_mem_used ? current - unused : 0;
    raw->has_mem_resident = has_rss;
    raw->mem_resident_kib = has_rss ? rss : 0;
}

/* Fills raw from one record. Groups the driver does not report read as 0. */
__attribute__((warn_unused_result)) static int stats_raw_fill(virDomainStatsRecordPtr rec,
                                                              int64_t now_us,
                                                              struct virt_stats_raw *raw,
                                                              struct app_error *err)
{
    int ret = -1;
    unsigned long long cpu_time = 0;

    memset(raw, 0, sizeof(*raw));
    if (virDomainGetUUIDString(rec->dom, raw->uuid) < 0) {
        virt_error_capture(err, "get domain UUID");
        goto cleanup;
    }
    raw->at_us = now_us;
    raw->has_cpu_time =
        virTypedParamsGetULLong(rec->params, rec->nparams, "cpu.time", &cpu_time) == 1;
    raw->cpu_time_ns = cpu_time;
    raw->vcpus = stats_param_uint(rec->params, rec->nparams, "vcpu.current");
    if (raw->vcpus == 0)
        raw->vcpus = 1;
    stats_raw_memory(rec, raw);
    raw->rd_bytes = stats_param_sum(rec->params, rec->nparams, "block", "rd.bytes");
    raw->wr_bytes = stats_param_sum(rec->params, rec->nparams, "block", "wr.bytes");
    raw->rx_bytes = stats_param_sum(rec->params, rec->nparams, "net", "rx.bytes");
    raw->tx_bytes = stats_param_sum(rec->params, rec->nparams, "net", "tx.bytes");
    ret = 0;

cleanup:
    return ret;
}

double virt_stats_host_cpu_percent(uint64_t busy0, uint64_t total0, uint64_t busy1, uint64_t total1)
{
    double pct;

    if (total1 <= total0 || busy1 < busy0)
        return -1.0;
    pct = (double)(busy1 - busy0) * 100.0 / (double)(total1 - total0);
    return pct > 100.0 ? 100.0 : pct;
}

/* The host's CPU counters summed over all CPUs: busy (all but idle and iowait) and
 * total, in ns. -1 when the driver reports none (its error is dropped: no figure). */
static int stats_host_cpu(virConnectPtr conn, uint64_t *busy, uint64_t *total)
{
    int ret = -1;
    int nparams = 0, i;
    virNodeCPUStatsPtr params = NULL;

    if (virNodeGetCPUStats(conn, VIR_NODE_CPU_STATS_ALL_CPUS, NULL, &nparams, 0) < 0 ||
        nparams <= 0)
        goto cleanup;
    params = xcalloc((size_t)nparams, sizeof(*params));
    if (virNodeGetCPUStats(conn, VIR_NODE_CPU_STATS_ALL_CPUS, params, &nparams, 0) < 0)
        goto cleanup;
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
    if (ret < 0)
        virResetLastError();
    free(params);
    return ret;
}

/* {"cpu_percent": N | null, "free_memory_kib": N | null}: null where the driver gives
 * no figure (no CPU counters, no second reading yet, or no free memory). */
static struct json_object *stats_host_json(struct virt_stats_sampler *sampler, virConnectPtr conn)
{
    struct json_object *obj = json_object_new_object();
    uint64_t busy = 0, total = 0;
    unsigned long long free_bytes;
    double pct = -1.0;
    char text[32];

    if (stats_host_cpu(conn, &busy, &total) == 0) {
        if (sampler->host_have)
            pct = virt_stats_host_cpu_percent(sampler->host_busy_ns, sampler->host_total_ns, busy,
                                              total);
        sampler->host_have = true;
        sampler->host_busy_ns = busy;
        sampler->host_total_ns = total;
    } else {
        sampler->host_have = false;
    }
    snprintf(text, sizeof(text), "%.1f", pct);
    stats_json_set(obj, "cpu_percent", pct >= 0.0 ? json_object_new_double_s(pct, text) : NULL);
    /* 0 is libvirt's failure ("cause unknown"): the test driver has no figure. */
    free_bytes = virNodeGetFreeMemory(conn);
    if (free_bytes == 0)
        virResetLastError();
    stats_json_set(obj, "free_memory_kib",
                   free_bytes ? json_object_new_uint64(free_bytes / 1024) : NULL);
    return obj;
}

static struct json_object *stats_domain_json(const struct virt_stats_raw *raw,
                                             const struct virt_stats_rates *rates)
{
    struct json_object *obj = json_object_new_object();
    char pct[32];

    /* One decimal, written as such: json-c would otherwise print 17 digits. */
    snprintf(pct, sizeof(pct), "%.1f", rates->cpu_percent);
    stats_json_set(obj, "uuid", json_object_new_string(raw->uuid));
    /* No cpu.time from the driver: no figure (null), rather than a made-up 0. */
    stats_json_set(obj, "cpu_percent",
                   raw->has_cpu_time ? json_object_new_double_s(rates->cpu_percent, pct) : NULL);
    /* No figure from the guest: null, never its allocation as if it were all in use. */
    stats_json_set(obj, "memory_used_kib",
                   raw->has_mem_used ? json_object_new_uint64(raw->mem_used_kib) : NULL);
    stats_json_set(obj, "memory_resident_kib",
                   raw->has_mem_resident ? json_object_new_uint64(raw->mem_resident_kib) : NULL);
    stats_json_set(obj, "disk_rd_bps", json_object_new_uint64(rates->disk_rd_bps));
    stats_json_set(obj, "disk_wr_bps", json_object_new_uint64(rates->disk_wr_bps));
    stats_json_set(obj, "net_rx_bps", json_object_new_uint64(rates->net_rx_bps));
    stats_json_set(obj, "net_tx_bps", json_object_new_uint64(rates->net_tx_bps));
    return obj;
}

struct json_object *virt_stats_sample(struct virt_stats_sampler *sampler, virConnectPtr conn,
                                      struct app_error *err)
{
    const unsigned int groups = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL |
                                VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_VCPU |
                                VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK;
    struct json_object *ret = NULL;
    struct json_object *arr = NULL;
    virDomainStatsRecordPtr *records = NULL;
    struct virt_stats_raw *raws = NULL;
    int64_t now_us, interval_ms = 0;
    size_t i;
    int n;

    n = virConnectGetAllDomainStats(conn, groups, &records,
                                    VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
    if (n < 0) {
        virt_error_capture(err, "get domain statistics");
        goto cleanup;
    }
    now_us = clock_mono_us();
    raws = xcalloc((size_t)n + 1, sizeof(*raws));
    for (i = 0; i < (size_t)n; i++) {
        if (stats_raw_fill(records[i], now_us, &raws[i], err) < 0)
            goto cleanup;
    }
    qsort(raws, (size_t)n, sizeof(*raws), stats_raw_cmp);

    arr = json_object_new_array_ext(n);
    for (i = 0; i < (size_t)n; i++) {
        const struct virt_stats_raw *prev = NULL;
        struct virt_stats_rates rates;

        if (sampler->prev_len)
            prev =
                bsearch(&raws[i], sampler->prev, sampler->prev_len, sizeof(*raws), stats_raw_cmp);
        virt_stats_rates(prev, &raws[i], &rates);
        stats_json_push(arr, stats_domain_json(&raws[i], &rates));
    }
    if (sampler->prev_at_us)
        interval_ms = (now_us - sampler->prev_at_us + 500) / 1000;

    free(sampler->prev);
    sampler->prev = raws;
    sampler->prev_len = (size_t)n;
    sampler->prev_at_us = now_us;
    raws = NULL;

    ret = json_object_new_object();
    stats_json_set(ret, "type", json_object_new_string("stats"));
    stats_json_set(ret, "interval_ms", json_object_new_int64(interval_ms));
    stats_json_set(ret, "domains", arr);
    arr = NULL;
    stats_json_set(ret, "host", stats_host_json(sampler, conn));

cleanup:
    json_object_put(arr);
    free(raws);
    if (records)
        virDomainStatsRecordListFree(records);
    return ret;
}
