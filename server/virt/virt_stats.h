/* virt_stats: per-domain load figures from virConnectGetAllDomainStats.
 *
 * A sampler remembers the previous raw sample per domain and turns two samples into
 * rates. One sampler serves all subscribers; it is used by one worker at a time (the
 * caller guarantees a single stats job in flight), so it has no lock. */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/app_error.h"

struct virt_stats_raw {
    char uuid[37];
    int64_t at_us;               /* monotonic time of the sample */
    uint64_t cpu_time_ns;        /* cpu.time */
    bool has_cpu_time;           /* the driver reported cpu.time (libvirt's test driver does not) */
    unsigned vcpus;              /* vcpu.current (>= 1) */
    bool has_mem_used;           /* the guest reported its own use (balloon driver) */
    uint64_t mem_used_kib;       /* balloon.current - balloon.unused, as the guest reports */
    bool has_mem_resident;       /* the driver reported the VM's resident size on the host */
    uint64_t mem_resident_kib;   /* balloon.rss: host memory the VM's process holds */
    uint64_t rd_bytes, wr_bytes; /* sum of block.N.rd.bytes / wr.bytes */
    uint64_t rx_bytes, tx_bytes; /* sum of net.N.rx.bytes / tx.bytes */
};

struct virt_stats_rates {
    double cpu_percent; /* of the domain's vCPUs: 100 = all vCPUs busy */
    uint64_t disk_rd_bps, disk_wr_bps, net_rx_bps, net_tx_bps;
};

/* Pure: rates between two samples of the same domain. Counters that went backwards
 * (domain restarted) or a zero interval give 0. */
void virt_stats_rates(const struct virt_stats_raw *prev, const struct virt_stats_raw *cur,
                      struct virt_stats_rates *out); /* for tests */

/* Pure: the host's CPU use in % between two readings of its busy and total CPU time
 * (ns, summed over CPUs); -1 when there is no figure (no time passed, or counters
 * that went backwards). */
double virt_stats_host_cpu_percent(uint64_t busy0, uint64_t total0, uint64_t busy1,
                                   uint64_t total1); /* for tests */

struct virt_stats_sampler;
struct virt_stats_sampler *virt_stats_sampler_new(void);
void virt_stats_sampler_free(struct virt_stats_sampler *sampler);

/* Takes one sample of all running domains and returns the websocket message
 * {"type":"stats","interval_ms":N,"domains":[{uuid,cpu_percent,memory_used_kib,
 *  memory_resident_kib,disk_rd_bps,disk_wr_bps,net_rx_bps,net_tx_bps}]} (rates 0 on a
 *  domain's first sample; cpu_percent null when the driver reports no cpu.time, so there
 *  is no figure to give; memory_used_kib null when the guest does not report its own use,
 *  memory_resident_kib null when the driver gives no resident size),
 * plus "host":{"cpu_percent":N|null,"free_memory_kib":N|null} (null: no figure).
 * NULL + err on failure. Blocking: worker thread. */
struct json_object *virt_stats_sample(struct virt_stats_sampler *sampler, virConnectPtr conn,
                                      struct app_error *err);
