/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_virt_stats: server/virt/virt_stats.c — the rate arithmetic (pure), parsing of
 * virConnectGetAllDomainStats records and the sampler's memory of previous samples
 * (through link seams on virConnectGetAllDomainStats and clock_mono_us), and one real
 * sample from the test driver (test:///default). Single thread. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libvirt/virterror.h>

#include "util/app_error.h"
#include "metrics/metrics_lifecycle.h"
#include "metrics/metrics_sample.h"
#include "util/clock.h"
#include "virt/virt_stats.h"

#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"

/* ---- link seams ------------------------------------------------------------------ */

/* When fake_on, virConnectGetAllDomainStats returns fake_n copies of one record for
 * the domain "test", built from fake (and the clock reads fake_now_us). */
static struct {
    int on;
    int n;
    int fail;
    int64_t now_us;
    unsigned long long cpu_time, balloon_current, balloon_unused, balloon_rss;
    int with_unused, with_rss;
    unsigned vcpus;
    unsigned long long rd[2], wr[2], rx, tx;
    /* full: the rest of what qemu gives (names, requests, times, vCPUs, packets) */
    int full;
    unsigned long long rd_reqs[2], rd_times[2], vcpu_time[2], vcpu_delay[2], rx_pkts;
} fake;

int __real_virConnectGetAllDomainStats(virConnectPtr conn, unsigned int stats,
                                       virDomainStatsRecordPtr **retStats, unsigned int flags);
int __wrap_virConnectGetAllDomainStats(virConnectPtr conn, unsigned int stats,
                                       virDomainStatsRecordPtr **retStats, unsigned int flags);
int64_t __real_clock_mono_us(void);
int64_t __wrap_clock_mono_us(void);

static unsigned int seen_stats, seen_flags;

int64_t __wrap_clock_mono_us(void)
{
    return fake.on ? fake.now_us : __real_clock_mono_us();
}

int __wrap_virConnectGetAllDomainStats(virConnectPtr conn, unsigned int stats,
                                       virDomainStatsRecordPtr **retStats, unsigned int flags)
{
    virDomainStatsRecordPtr *list;
    virDomainStatsRecordPtr rec;
    int max = 0;

    seen_stats = stats;
    seen_flags = flags;
    if (fake.fail)
        return __real_virConnectGetAllDomainStats(NULL, stats, retStats, flags);
    if (!fake.on)
        return __real_virConnectGetAllDomainStats(conn, stats, retStats, flags);
    /* Built with libvirt's own allocators so virDomainStatsRecordListFree frees it. */
    assert_int_equal(__real_virConnectGetAllDomainStats(conn, VIR_DOMAIN_STATS_STATE, &list, 0), 1);
    rec = list[0];
    if (fake.n == 0) {
        virDomainStatsRecordListFree(list);
        list = calloc(1, sizeof(*list));
        /* virDomainStatsRecordListFree() releases the array with g_free == free. */
        *retStats = list;
        return 0;
    }
    virTypedParamsFree(rec->params, rec->nparams);
    rec->params = NULL;
    rec->nparams = 0;
    assert_int_equal(
        virTypedParamsAddULLong(&rec->params, &rec->nparams, &max, "cpu.time", fake.cpu_time), 0);
    assert_int_equal(
        virTypedParamsAddUInt(&rec->params, &rec->nparams, &max, "vcpu.current", fake.vcpus), 0);
    assert_int_equal(virTypedParamsAddULLong(&rec->params, &rec->nparams, &max, "balloon.current",
                                             fake.balloon_current),
                     0);
    if (fake.with_rss)
        assert_int_equal(virTypedParamsAddULLong(&rec->params, &rec->nparams, &max, "balloon.rss",
                                                 fake.balloon_rss),
                         0);
    if (fake.with_unused)
        assert_int_equal(virTypedParamsAddULLong(&rec->params, &rec->nparams, &max,
                                                 "balloon.unused", fake.balloon_unused),
                         0);
    assert_int_equal(virTypedParamsAddUInt(&rec->params, &rec->nparams, &max, "block.count", 2), 0);
    assert_int_equal(
        virTypedParamsAddULLong(&rec->params, &rec->nparams, &max, "block.0.rd.bytes", fake.rd[0]),
        0);
    assert_int_equal(
        virTypedParamsAddULLong(&rec->params, &rec->nparams, &max, "block.1.rd.bytes", fake.rd[1]),
        0);
    assert_int_equal(
        virTypedParamsAddULLong(&rec->params, &rec->nparams, &max, "block.0.wr.bytes", fake.wr[0]),
        0);
    assert_int_equal(
        virTypedParamsAddULLong(&rec->params, &rec->nparams, &max, "block.1.wr.bytes", fake.wr[1]),
        0);
    assert_int_equal(virTypedParamsAddUInt(&rec->params, &rec->nparams, &max, "net.count", 1), 0);
    assert_int_equal(
        virTypedParamsAddULLong(&rec->params, &rec->nparams, &max, "net.0.rx.bytes", fake.rx), 0);
    assert_int_equal(
        virTypedParamsAddULLong(&rec->params, &rec->nparams, &max, "net.0.tx.bytes", fake.tx), 0);
    if (fake.full) {
        static const char *const disks[] = {"vda", "sdb"};

        assert_int_equal(virTypedParamsAddInt(&rec->params, &rec->nparams, &max, "state.state",
                                              VIR_DOMAIN_RUNNING),
                         0);
        assert_int_equal(virTypedParamsAddInt(&rec->params, &rec->nparams, &max, "state.reason",
                                              VIR_DOMAIN_RUNNING_BOOTED),
                         0);
        assert_int_equal(
            virTypedParamsAddULLong(&rec->params, &rec->nparams, &max, "cpu.user", 111), 0);
        assert_int_equal(
            virTypedParamsAddULLong(&rec->params, &rec->nparams, &max, "balloon.maximum", 2097152),
            0);
        assert_int_equal(
            virTypedParamsAddUInt(&rec->params, &rec->nparams, &max, "vcpu.maximum", 2), 0);
        for (int i = 0; i < 2; i++) {
            char name[VIR_TYPED_PARAM_FIELD_LENGTH];

            snprintf(name, sizeof(name), "block.%d.name", i);
            assert_int_equal(
                virTypedParamsAddString(&rec->params, &rec->nparams, &max, name, disks[i]), 0);
            snprintf(name, sizeof(name), "block.%d.rd.reqs", i);
            assert_int_equal(
                virTypedParamsAddULLong(&rec->params, &rec->nparams, &max, name, fake.rd_reqs[i]),
                0);
            snprintf(name, sizeof(name), "block.%d.rd.times", i);
            assert_int_equal(
                virTypedParamsAddULLong(&rec->params, &rec->nparams, &max, name, fake.rd_times[i]),
                0);
            snprintf(name, sizeof(name), "vcpu.%d.time", i);
            assert_int_equal(
                virTypedParamsAddULLong(&rec->params, &rec->nparams, &max, name, fake.vcpu_time[i]),
                0);
            snprintf(name, sizeof(name), "vcpu.%d.delay", i);
            assert_int_equal(virTypedParamsAddULLong(&rec->params, &rec->nparams, &max, name,
                                                     fake.vcpu_delay[i]),
                             0);
        }
        assert_int_equal(
            virTypedParamsAddString(&rec->params, &rec->nparams, &max, "net.0.name", "vnet3"), 0);
        assert_int_equal(virTypedParamsAddULLong(&rec->params, &rec->nparams, &max, "net.0.rx.pkts",
                                                 fake.rx_pkts),
                         0);
    }
    *retStats = list;
    return 1;
}

/* ---- helpers ------------------------------------------------------------------------ */

static struct json_object *field(struct json_object *obj, const char *key)
{
    struct json_object *v = NULL;

    assert_true(json_object_object_get_ex(obj, key, &v));
    return v;
}

static struct json_object *domains_of(struct json_object *msg)
{
    struct json_object *arr = field(msg, "domains");

    assert_true(json_object_is_type(arr, json_type_array));
    return arr;
}

/* One collection as the websocket message (what the tests of the old API checked),
 * or NULL when the collection failed. */
static struct json_object *sample_msg(struct virt_stats_sampler *sampler, virConnectPtr conn,
                                      struct app_error *err)
{
    struct metrics_sample *sample = virt_stats_sample(sampler, conn, err);
    struct json_object *msg;

    if (!sample)
        return NULL;
    msg = virt_stats_message(sample);
    metrics_sample_unref(sample);
    return msg;
}

static void quiet(void *opaque, virErrorPtr error)
{
}

/* ---- pure rates ---------------------------------------------------------------------- */

static struct metrics_disk disk_named(const char *name)
{
    struct metrics_disk d;

    memset(&d, 0, sizeof(d));
    d.name = (char *)name;
    return d;
}

static struct metrics_nic nic_named(const char *name)
{
    struct metrics_nic n;

    memset(&n, 0, sizeof(n));
    n.name = (char *)name;
    return n;
}

static struct metrics_domain dom_with(struct metrics_disk *disks, size_t ndisks,
                                      struct metrics_nic *nics, size_t nnics)
{
    struct metrics_domain d;

    memset(&d, 0, sizeof(d));
    memcpy(d.uuid, TEST_UUID, sizeof(d.uuid));
    d.has_cpu_time = true;
    d.vcpu_current = 1;
    d.disks = disks;
    d.disk_count = ndisks;
    d.nics = nics;
    d.nic_count = nnics;
    return d;
}

#define NEAR(x, v) assert_true(fabs((x) - (v)) < 1e-6)

static void test_rates_basic(void **state)
{
    struct metrics_disk da = disk_named("vda"), db = disk_named("vda");
    struct metrics_nic na = nic_named("vnet0"), nb = nic_named("vnet0");
    struct metrics_domain a = dom_with(&da, 1, &na, 1), b = dom_with(&db, 1, &nb, 1);

    a.cpu_time_ns = 5000000000ULL;
    b.cpu_time_ns = 6000000000ULL; /* 1 s of CPU in 2 s on 2 vCPUs → 25 % */
    b.vcpu_current = 2;
    da.rd_bytes = 100;
    db.rd_bytes = 100 + 8192;
    db.wr_bytes = 4096;
    na.rx_bytes = 10;
    nb.rx_bytes = 250;
    na.tx_bytes = nb.tx_bytes = 7;
    na.rx_pkts = 1;
    nb.rx_pkts = 5;
    virt_stats_domain_rates(&a, &b, 2000000);
    NEAR(b.cpu_percent, 25.0);
    NEAR(db.rd_bps, 4096.0);
    NEAR(db.wr_bps, 2048.0);
    NEAR(nb.rx_bps, 120.0);
    NEAR(nb.tx_bps, 0.0);
    NEAR(nb.rx_pps, 2.0);
    NEAR(b.disk_rd_bps, 4096.0);
    NEAR(b.disk_wr_bps, 2048.0);
    NEAR(b.net_rx_bps, 120.0);
    NEAR(b.net_tx_bps, 0.0);
}

static void test_rates_edge_cases(void **state)
{
    struct metrics_disk da = disk_named("vda"), db = disk_named("vda");
    struct metrics_domain a = dom_with(&da, 1, NULL, 0), b = dom_with(&db, 1, NULL, 0);

    /* No previous collection: no figure (NAN), never a made-up 0. */
    b.cpu_time_ns = 1000;
    db.rd_bytes = 1000;
    virt_stats_domain_rates(NULL, &b, 1000000);
    assert_true(isnan(b.cpu_percent));
    assert_true(isnan(db.rd_bps));
    assert_true(isnan(b.disk_rd_bps));
    assert_true(isnan(b.net_rx_bps));

    /* Zero and negative intervals: likewise. */
    virt_stats_domain_rates(&a, &b, 0);
    assert_true(isnan(b.cpu_percent));
    assert_true(isnan(db.rd_bps));
    virt_stats_domain_rates(&a, &b, -5);
    assert_true(isnan(db.rd_bps));

    /* Counters that went backwards (restart) give NAN, each on its own; the sum counts
     * the devices with a figure. */
    a.cpu_time_ns = 9000000000ULL;
    b.cpu_time_ns = 1000;
    da.rd_bytes = 5000;
    db.rd_bytes = 10;
    da.wr_bytes = 0;
    db.wr_bytes = 1000;
    virt_stats_domain_rates(&a, &b, 1000000);
    assert_true(isnan(b.cpu_percent));
    assert_true(isnan(db.rd_bps));
    NEAR(db.wr_bps, 1000.0);
    NEAR(b.disk_rd_bps, 0.0);
    NEAR(b.disk_wr_bps, 1000.0);

    /* No cpu.time from the driver: NAN. */
    b.has_cpu_time = false;
    b.cpu_time_ns = 10000000000ULL;
    virt_stats_domain_rates(&a, &b, 1000000);
    assert_true(isnan(b.cpu_percent));
    b.has_cpu_time = true;

    /* Jitter above 100 % is clamped; vcpu_current 0 counts as 1. */
    a.cpu_time_ns = 0;
    b.cpu_time_ns = 1100000000ULL;
    b.vcpu_current = 0;
    virt_stats_domain_rates(&a, &b, 1000000);
    assert_true(b.cpu_percent == 100.0);

    /* Large counters do not overflow: 10 TB in 1 s. */
    da.rd_bytes = 1ULL << 50;
    db.rd_bytes = da.rd_bytes + 10000000000000ULL;
    virt_stats_domain_rates(&a, &b, 1000000);
    NEAR(db.rd_bps, 10000000000000.0);
}

/* Devices are matched by name, not position: a disk removed before another, or a new
 * NIC, keeps the others' rates right; the new one has no figure yet. */
static void test_rates_per_device(void **state)
{
    struct metrics_disk pa[2] = {disk_named("vda"), disk_named("vdb")};
    struct metrics_disk pb[2] = {disk_named("vdb"), disk_named("vdc")};
    struct metrics_nic na[1] = {nic_named("vnet0")};
    struct metrics_nic nb[2] = {nic_named("vnet7"), nic_named("vnet0")};
    struct metrics_domain a = dom_with(pa, 2, na, 1), b = dom_with(pb, 2, nb, 2);

    pa[0].rd_bytes = 1000000; /* vda: gone in b */
    pa[1].rd_bytes = 100;
    pb[0].rd_bytes = 300; /* vdb: +200 */
    pb[1].rd_bytes = 999; /* vdc: new */
    na[0].tx_bytes = 50;
    nb[0].tx_bytes = 1 << 20; /* vnet7: new */
    nb[1].tx_bytes = 450;     /* vnet0: +400 */
    virt_stats_domain_rates(&a, &b, 4000000);
    NEAR(pb[0].rd_bps, 50.0);
    assert_true(isnan(pb[1].rd_bps));
    assert_true(isnan(nb[0].tx_bps));
    NEAR(nb[1].tx_bps, 100.0);
    NEAR(b.disk_rd_bps, 50.0);
    NEAR(b.net_tx_bps, 100.0);
}

/* Latency is delta times over delta requests, per direction; none without requests or
 * without times. */
static void test_rates_latency(void **state)
{
    struct metrics_disk da = disk_named("sda"), db = disk_named("sda");
    struct metrics_domain a = dom_with(&da, 1, NULL, 0), b = dom_with(&db, 1, NULL, 0);

    da.has_times = db.has_times = true;
    da.rd_reqs = 100;
    db.rd_reqs = 150; /* 50 reads */
    da.rd_times_ns = 1000000000ULL;
    db.rd_times_ns = 1100000000ULL; /* 100 ms over 50 reads: 2 ms each */
    da.wr_reqs = db.wr_reqs = 7;    /* no writes: no latency */
    da.wr_times_ns = db.wr_times_ns = 5;
    virt_stats_domain_rates(&a, &b, 2000000);
    NEAR(db.rd_latency_ms, 2.0);
    NEAR(db.rd_iops, 25.0);
    assert_true(isnan(db.wr_latency_ms));
    NEAR(db.wr_iops, 0.0);
    db.has_times = false;
    virt_stats_domain_rates(&a, &b, 2000000);
    assert_true(isnan(db.rd_latency_ms));
}

/* Per vCPU %, matched by id; steal from delay when given, else from wait; the domain's
 * steal is the mean of the vCPUs that have one. */
static void test_rates_vcpus(void **state)
{
    struct metrics_vcpu va[2], vb[3];
    struct metrics_domain a = dom_with(NULL, 0, NULL, 0), b = dom_with(NULL, 0, NULL, 0);

    memset(va, 0, sizeof(va));
    memset(vb, 0, sizeof(vb));
    va[0].id = vb[0].id = 0;
    va[1].id = vb[1].id = 1;
    vb[2].id = 2; /* hot-plugged */
    va[0].time_ns = 1000000000ULL;
    vb[0].time_ns = 1500000000ULL; /* 0.5 s in 1 s: 50 % */
    va[1].time_ns = vb[1].time_ns = 7;
    va[0].has_delay = vb[0].has_delay = true;
    va[0].delay_ns = 0;
    vb[0].delay_ns = 100000000ULL; /* 10 % steal */
    va[0].has_wait = vb[0].has_wait = true;
    vb[0].wait_ns = 900000000ULL; /* ignored: delay wins */
    va[1].has_wait = vb[1].has_wait = true;
    va[1].wait_ns = 0;
    vb[1].wait_ns = 300000000ULL; /* 30 % */
    a.vcpus = va;
    a.vcpu_count = 2;
    b.vcpus = vb;
    b.vcpu_count = 3;
    virt_stats_domain_rates(&a, &b, 1000000);
    NEAR(vb[0].percent, 50.0);
    NEAR(vb[1].percent, 0.0);
    assert_true(isnan(vb[2].percent));
    NEAR(vb[0].steal_percent, 10.0);
    NEAR(vb[1].steal_percent, 30.0);
    assert_true(isnan(vb[2].steal_percent));
    NEAR(b.steal_percent, 20.0);
    /* Neither wait nor delay: no steal figure. */
    vb[0].has_delay = vb[0].has_wait = vb[1].has_wait = false;
    virt_stats_domain_rates(&a, &b, 1000000);
    assert_true(isnan(b.steal_percent));
}

static void test_parse_loadavg(void **state)
{
    double load[3];

    assert_int_equal(virt_stats_parse_loadavg("0.52 1.07 2.00 3/812 12345\n", load), 0);
    NEAR(load[0], 0.52);
    NEAR(load[1], 1.07);
    NEAR(load[2], 2.0);
    assert_int_equal(virt_stats_parse_loadavg("", load), -1);
    assert_int_equal(virt_stats_parse_loadavg("0.5 x 1", load), -1);
    assert_int_equal(virt_stats_parse_loadavg("0.5 0.2", load), -1);
}

/* ---- sampler ------------------------------------------------------------------------- */

static void test_host_cpu_percent(void **state)
{
    /* 3 s busy of 12 s of CPU time (4 CPUs over 3 s) → 25 % */
    double pct = virt_stats_host_cpu_percent(1000, 5000, 3000001000ULL, 12000005000ULL);

    assert_true(pct > 24.999 && pct < 25.001);
    assert_true(virt_stats_host_cpu_percent(0, 0, 10, 10) == 100.0);
    /* No time passed, or counters that went backwards: no figure. */
    assert_true(virt_stats_host_cpu_percent(10, 100, 10, 100) < 0.0);
    assert_true(virt_stats_host_cpu_percent(10, 100, 5, 200) < 0.0);
    assert_true(virt_stats_host_cpu_percent(10, 100, 20, 50) < 0.0);
}

static void test_sampler_with_fake_records(void **state)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    struct virt_stats_sampler *sampler = virt_stats_sampler_new(NULL);
    struct app_error err = {0};
    struct json_object *msg, *d;

    assert_non_null(conn);
    memset(&fake, 0, sizeof(fake));
    fake.on = 1;
    fake.n = 1;
    fake.now_us = 10000000;
    fake.cpu_time = 1000000000ULL;
    fake.vcpus = 2;
    fake.balloon_current = 1048576;
    fake.balloon_unused = 524288;
    fake.with_unused = 1;
    fake.rd[0] = 1000;
    fake.rd[1] = 3000;
    fake.rx = 500;
    fake.tx = 100;

    /* First sample: no rates yet, interval 0. */
    msg = sample_msg(sampler, conn, &err);
    assert_non_null(msg);
    assert_string_equal(json_object_get_string(field(msg, "type")), "stats");
    assert_int_equal(json_object_get_int64(field(msg, "interval_ms")), 0);
    assert_int_equal(json_object_array_length(domains_of(msg)), 1);
    d = json_object_array_get_idx(domains_of(msg), 0);
    assert_string_equal(json_object_get_string(field(d, "uuid")), TEST_UUID);
    assert_true(json_object_get_double(field(d, "cpu_percent")) == 0.0);
    assert_int_equal(json_object_get_int64(field(d, "memory_used_kib")), 524288);
    assert_int_equal(json_object_get_int64(field(d, "disk_rd_bps")), 0);
    assert_int_equal(seen_flags, VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
    assert_int_equal(seen_stats, VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL |
                                     VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_VCPU |
                                     VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK);
    json_object_put(msg);

    /* 2 s later: 1 s of CPU on 2 vCPUs, 8 KiB read over both disks, 2000 B received. */
    fake.now_us += 2000000;
    fake.cpu_time += 1000000000ULL;
    fake.rd[0] += 4096;
    fake.rd[1] += 4096;
    fake.wr[1] += 1000;
    fake.rx += 2000;
    fake.with_unused = 0;
    msg = sample_msg(sampler, conn, &err);
    assert_non_null(msg);
    assert_int_equal(json_object_get_int64(field(msg, "interval_ms")), 2000);
    d = json_object_array_get_idx(domains_of(msg), 0);
    assert_true(json_object_get_double(field(d, "cpu_percent")) == 25.0);
    assert_string_equal(json_object_to_json_string(field(d, "cpu_percent")), "25.0");
    /* No balloon.unused: the guest does not say what it uses. No figure (null), not its
     * whole allocation as if every byte were in use; no resident size either. */
    assert_true(json_object_object_get_ex(d, "memory_used_kib", NULL));
    assert_null(field(d, "memory_used_kib"));
    assert_true(json_object_object_get_ex(d, "memory_resident_kib", NULL));
    assert_null(field(d, "memory_resident_kib"));
    assert_int_equal(json_object_get_int64(field(d, "disk_rd_bps")), 4096);
    assert_int_equal(json_object_get_int64(field(d, "disk_wr_bps")), 500);
    assert_int_equal(json_object_get_int64(field(d, "net_rx_bps")), 1000);
    assert_int_equal(json_object_get_int64(field(d, "net_tx_bps")), 0);
    json_object_put(msg);

    /* No guest balloon driver (no balloon.unused): still no guest figure; the host's
     * resident size of the VM (balloon.rss) is given apart, as it is, even above the
     * allocation (it holds the hypervisor's own memory too). */
    fake.now_us += 2000000;
    fake.with_rss = 1;
    fake.balloon_rss = 40960;
    msg = sample_msg(sampler, conn, &err);
    assert_non_null(msg);
    d = json_object_array_get_idx(domains_of(msg), 0);
    assert_null(field(d, "memory_used_kib"));
    assert_int_equal(json_object_get_int64(field(d, "memory_resident_kib")), 40960);
    json_object_put(msg);
    fake.balloon_rss = 2 * fake.balloon_current;
    fake.now_us += 2000000;
    msg = sample_msg(sampler, conn, &err);
    assert_non_null(msg);
    d = json_object_array_get_idx(domains_of(msg), 0);
    assert_null(field(d, "memory_used_kib"));
    assert_int_equal(json_object_get_int64(field(d, "memory_resident_kib")), 2097152);
    json_object_put(msg);
    /* Both: the guest's own figure and the host's, each in its field. */
    fake.now_us += 2000000;
    fake.with_unused = 1;
    msg = sample_msg(sampler, conn, &err);
    assert_non_null(msg);
    d = json_object_array_get_idx(domains_of(msg), 0);
    assert_int_equal(json_object_get_int64(field(d, "memory_used_kib")), 524288);
    assert_int_equal(json_object_get_int64(field(d, "memory_resident_kib")), 2097152);
    json_object_put(msg);
    fake.with_unused = 0;
    fake.with_rss = 0;

    /* The domain is gone for one sample: the sampler forgets it, so when it is back
     * its first rates are 0 even though its counters grew. */
    fake.now_us += 2000000;
    fake.n = 0;
    msg = sample_msg(sampler, conn, &err);
    assert_non_null(msg);
    assert_int_equal(json_object_array_length(domains_of(msg)), 0);
    json_object_put(msg);

    fake.now_us += 2000000;
    fake.n = 1;
    fake.cpu_time += 4000000000ULL;
    fake.rx += 100000;
    msg = sample_msg(sampler, conn, &err);
    assert_non_null(msg);
    d = json_object_array_get_idx(domains_of(msg), 0);
    assert_true(json_object_get_double(field(d, "cpu_percent")) == 0.0);
    assert_int_equal(json_object_get_int64(field(d, "net_rx_bps")), 0);
    json_object_put(msg);

    memset(&fake, 0, sizeof(fake));
    virt_stats_sampler_free(sampler);
    virConnectClose(conn);
}

/* Everything qemu gives: the sample's per-device figures (named, rated by name) and the
 * message's added fields. */
static void test_sampler_full_figures(void **state)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    struct metrics_lifecycle *life = metrics_lifecycle_new();
    struct virt_stats_sampler *sampler = virt_stats_sampler_new(life);
    struct app_error err = {0};
    struct metrics_sample *s1, *s2;
    const struct metrics_domain *d;
    struct json_object *msg, *m, *x;

    assert_non_null(conn);
    metrics_lifecycle_record(life, TEST_UUID, VIR_DOMAIN_EVENT_STARTED, 0, 1234567);
    memset(&fake, 0, sizeof(fake));
    fake.on = fake.n = fake.full = 1;
    fake.now_us = 50000000;
    fake.vcpus = 2;
    fake.balloon_current = 1048576;
    fake.cpu_time = 1000;
    s1 = virt_stats_sample(sampler, conn, &err);
    assert_non_null(s1);
    assert_true(s1->connected);
    assert_int_equal(s1->interval_ms, 0);
    assert_true(s1->at_ms > 1600000000000LL);
    assert_int_equal(s1->domain_count, 1);
    d = &s1->domains[0];
    assert_string_equal(d->name, "test");
    assert_int_equal(d->state, VIR_DOMAIN_RUNNING);
    assert_int_equal(d->reason, VIR_DOMAIN_RUNNING_BOOTED);
    assert_int_equal(d->started_ms, 1234567);
    assert_int_equal(d->cpu_user_ns, 111);
    assert_int_equal(d->memory_max_kib, 2097152);
    assert_int_equal(d->memory_current_kib, 1048576);
    assert_int_equal(d->vcpu_count, 2);
    assert_true(d->vcpus[1].has_delay);
    assert_int_equal(d->disk_count, 2);
    assert_string_equal(d->disks[0].name, "vda");
    assert_string_equal(d->disks[1].name, "sdb");
    assert_true(d->disks[0].has_times);
    assert_int_equal(d->nic_count, 1);
    assert_string_equal(d->nics[0].name, "vnet3");
    /* the first collection: counters, no rates */
    assert_true(isnan(d->cpu_percent));
    assert_true(isnan(d->disks[0].rd_bps));
    assert_true(isnan(d->disk_rd_bps));
    assert_true(isnan(d->vcpus[0].percent));
    /* the old fields keep their 0 on a first collection; the new ones say null */
    msg = virt_stats_message(s1);
    m = json_object_array_get_idx(domains_of(msg), 0);
    assert_true(json_object_get_double(field(m, "cpu_percent")) == 0.0);
    assert_int_equal(json_object_get_int64(field(m, "disk_rd_bps")), 0);
    assert_null(field(m, "disk_rd_iops"));
    assert_null(field(m, "steal_percent"));
    assert_string_equal(json_object_get_string(field(m, "name")), "test");
    assert_int_equal(json_object_get_int64(field(m, "started_ms")), 1234567);
    x = json_object_array_get_idx(field(m, "disks"), 0);
    assert_null(field(x, "rd_bps"));
    assert_string_equal(json_object_get_string(field(x, "name")), "vda");
    json_object_put(msg);

    /* 2 s later: vda 10 reads of 4 KiB taking 30 ms, sdb nothing, vCPU 0 half busy with
     * 10 % steal, vCPU 1 idle; 20 packets in */
    fake.now_us += 2000000;
    fake.cpu_time += 1000000000ULL;
    fake.rd[0] += 40960;
    fake.rd_reqs[0] += 10;
    fake.rd_times[0] += 30000000ULL;
    fake.vcpu_time[0] += 1000000000ULL;
    fake.vcpu_delay[0] += 200000000ULL;
    fake.rx_pkts += 20;
    fake.rx += 3000;
    s2 = virt_stats_sample(sampler, conn, &err);
    assert_non_null(s2);
    assert_int_equal(s2->interval_ms, 2000);
    d = metrics_sample_domain(s2, TEST_UUID);
    assert_non_null(d);
    assert_true(fabs(d->cpu_percent - 25.0) < 1e-6);
    assert_true(fabs(d->vcpus[0].percent - 50.0) < 1e-6);
    assert_true(fabs(d->vcpus[1].percent) < 1e-6);
    assert_true(fabs(d->vcpus[0].steal_percent - 10.0) < 1e-6);
    assert_true(fabs(d->steal_percent - 5.0) < 1e-6);
    assert_true(fabs(d->disks[0].rd_bps - 20480.0) < 1e-6);
    assert_true(fabs(d->disks[0].rd_iops - 5.0) < 1e-6);
    assert_true(fabs(d->disks[0].rd_latency_ms - 3.0) < 1e-6);
    assert_true(isnan(d->disks[1].rd_latency_ms)); /* no reads: no latency */
    assert_true(fabs(d->nics[0].rx_pps - 10.0) < 1e-6);
    assert_true(fabs(d->net_rx_bps - 1500.0) < 1e-6);
    msg = virt_stats_message(s2);
    m = json_object_array_get_idx(domains_of(msg), 0);
    assert_string_equal(json_object_to_json_string(field(m, "cpu_percent")), "25.0");
    assert_string_equal(json_object_to_json_string(field(m, "steal_percent")), "5.0");
    assert_int_equal(json_object_get_int64(field(m, "disk_rd_bps")), 20480);
    assert_true(json_object_get_double(field(m, "disk_rd_iops")) == 5.0);
    x = json_object_array_get_idx(field(m, "disks"), 0);
    assert_true(json_object_get_double(field(x, "rd_latency_ms")) == 3.0);
    assert_int_equal(json_object_get_int64(field(x, "rd_reqs")), 10);
    x = json_object_array_get_idx(field(m, "vcpus"), 0);
    assert_int_equal(json_object_get_int64(field(x, "time_ns")), 1000000000LL);
    assert_true(json_object_get_double(field(x, "percent")) == 50.0);
    x = json_object_array_get_idx(field(m, "nics"), 0);
    assert_string_equal(json_object_get_string(field(x, "name")), "vnet3");
    assert_int_equal(json_object_get_int64(field(x, "rx_pkts")), 20);
    json_object_put(msg);

    /* the guest rebooted (counters back to 0): no figure for that interval, not a
     * huge rate; the old fields say 0 */
    fake.now_us += 2000000;
    fake.cpu_time = 10;
    fake.rd[0] = 0;
    fake.rd_reqs[0] = 0;
    metrics_sample_unref(s2);
    s2 = virt_stats_sample(sampler, conn, &err);
    d = &s2->domains[0];
    assert_true(isnan(d->cpu_percent));
    assert_true(isnan(d->disks[0].rd_bps));
    assert_true(fabs(d->disk_rd_bps) < 1e-6);
    msg = virt_stats_message(s2);
    m = json_object_array_get_idx(domains_of(msg), 0);
    assert_true(json_object_get_double(field(m, "cpu_percent")) == 0.0);
    assert_int_equal(json_object_get_int64(field(m, "disk_rd_bps")), 0);
    json_object_put(msg);

    /* the first sample is untouched by the later ones (immutable once returned) */
    assert_true(isnan(s1->domains[0].cpu_percent));
    metrics_sample_unref(s1);
    metrics_sample_unref(s2);
    memset(&fake, 0, sizeof(fake));
    virt_stats_sampler_free(sampler);
    metrics_lifecycle_free(life);
    virConnectClose(conn);
}

/* The host, pools and networks of the test driver; libvirt down: an offline sample. */
static void test_sampler_host_pools_networks(void **state)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    struct virt_stats_sampler *sampler = virt_stats_sampler_new(NULL);
    struct app_error err = {0};
    struct metrics_sample *s;
    struct json_object *msg;

    assert_non_null(conn);
    s = virt_stats_sample(sampler, conn, &err);
    assert_non_null(s);
    assert_true(s->host.cpus > 0);
    assert_true(s->host.memory_total_kib > 0);
    assert_true(isnan(s->host.cpu_percent)); /* one reading: no figure */
    assert_true(s->host.load1 >= 0.0);       /* this machine's /proc/loadavg */
    assert_int_equal(s->pool_count, 1);
    assert_string_equal(s->pools[0].name, "default-pool");
    assert_true(s->pools[0].active);
    assert_true(s->pools[0].capacity > 0);
    assert_int_equal(s->network_count, 1);
    assert_string_equal(s->networks[0].name, "default");
    assert_true(s->networks[0].active);
    assert_int_equal(s->domains[0].started_ms, 0); /* no lifecycle table: unknown */
    msg = virt_stats_message(s);
    assert_true(json_object_get_int64(field(field(msg, "host"), "cpus")) > 0);
    assert_true(json_object_is_type(field(field(msg, "host"), "load1"), json_type_double));
    json_object_put(msg);
    metrics_sample_unref(s);

    s = virt_stats_sample_offline(sampler);
    assert_false(s->connected);
    assert_int_equal(s->domain_count, 0);
    assert_int_equal(s->interval_ms, 0);
    assert_true(s->host.load1 >= 0.0);
    metrics_sample_unref(s);
    virt_stats_sampler_free(sampler);
    virConnectClose(conn);
}

/* One real sample: the test driver reports only the "state" group, so the rates are
 * 0 and memory comes from its memory statistics; the running domain is there and a
 * stopped one is not. */
static void test_sampler_real_test_driver(void **state)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    struct virt_stats_sampler *sampler = virt_stats_sampler_new(NULL);
    struct app_error err = {0};
    struct json_object *msg, *d;
    virDomainPtr dom;

    assert_non_null(conn);
    msg = sample_msg(sampler, conn, &err);
    assert_non_null(msg);
    assert_int_equal(json_object_array_length(domains_of(msg)), 1);
    d = json_object_array_get_idx(domains_of(msg), 0);
    assert_string_equal(json_object_get_string(field(d, "uuid")), TEST_UUID);
    /* The test driver reports no cpu.time: no figure, not a made-up 0. */
    assert_true(json_object_object_get_ex(d, "cpu_percent", NULL));
    assert_null(field(d, "cpu_percent"));
    /* No balloon group from the test driver: its memory statistics give the guest's
     * figures (actual 2 GiB, unused 1 GiB, rss 1 GiB). */
    assert_int_equal(json_object_get_int64(field(d, "memory_used_kib")), 1048576);
    assert_int_equal(json_object_get_int64(field(d, "memory_resident_kib")), 1048576);
    /* Host: no CPU figure from one reading; free memory a number or null (no figure). */
    assert_non_null(field(msg, "host"));
    assert_null(field(field(msg, "host"), "cpu_percent"));
    assert_true(field(field(msg, "host"), "free_memory_kib") == NULL ||
                json_object_is_type(field(field(msg, "host"), "free_memory_kib"), json_type_int));
    json_object_put(msg);

    msg = sample_msg(sampler, conn, &err);
    assert_non_null(msg);
    assert_true(json_object_get_int64(field(msg, "interval_ms")) >= 0);
    assert_int_equal(json_object_array_length(domains_of(msg)), 1);
    /* Its host CPU counters stand still: no time passed by them, so still no figure. */
    assert_null(field(field(msg, "host"), "cpu_percent"));
    json_object_put(msg);

    dom = virDomainLookupByUUIDString(conn, TEST_UUID);
    assert_non_null(dom);
    assert_int_equal(virDomainDestroy(dom), 0);
    msg = sample_msg(sampler, conn, &err);
    assert_non_null(msg);
    assert_int_equal(json_object_array_length(domains_of(msg)), 0);
    json_object_put(msg);

    virDomainFree(dom);
    virt_stats_sampler_free(sampler);
    virConnectClose(conn);
}

static void test_sampler_failure(void **state)
{
    struct virt_stats_sampler *sampler = virt_stats_sampler_new(NULL);
    virConnectPtr conn = virConnectOpen("test:///default");
    struct app_error err = {0};

    assert_non_null(conn);
    fake.fail = 1;
    assert_null(sample_msg(sampler, conn, &err));
    fake.fail = 0;
    assert_int_equal(err.status, 503);
    assert_string_equal(err.code, APP_ERR_UNAVAILABLE);
    virt_stats_sampler_free(sampler);
    virt_stats_sampler_free(NULL);
    virConnectClose(conn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rates_basic),
        cmocka_unit_test(test_rates_edge_cases),
        cmocka_unit_test(test_rates_per_device),
        cmocka_unit_test(test_rates_latency),
        cmocka_unit_test(test_rates_vcpus),
        cmocka_unit_test(test_parse_loadavg),
        cmocka_unit_test(test_host_cpu_percent),
        cmocka_unit_test(test_sampler_with_fake_records),
        cmocka_unit_test(test_sampler_full_figures),
        cmocka_unit_test(test_sampler_host_pools_networks),
        cmocka_unit_test(test_sampler_real_test_driver),
        cmocka_unit_test(test_sampler_failure),
    };

    virSetErrorFunc(NULL, quiet);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
