/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_stats: one collection of every figure virtdeck keeps (a struct metrics_sample,
 * metrics/metrics_sample.h) from libvirt, and the events websocket's stats message built
 * from it.
 *
 * One collection costs, on a real libvirtd: one virConnectGetAllDomainStats (groups
 * STATE, CPU_TOTAL, BALLOON, VCPU, INTERFACE, BLOCK, running domains only), the host's
 * CPU counters (virNodeGetCPUStats, twice the first time: its size), virNodeGetInfo,
 * virNodeGetFreeMemory, one virConnectListAllStoragePools plus one virStoragePoolGetInfo
 * per pool, and two virConnectListAllNetworks (active, inactive): never a call per
 * domain (only a driver without the balloon group, libvirt's in-process test driver, is
 * asked per domain for its memory). The host's load comes from /proc/loadavg: the
 * daemon's own host, which is the hypervisor's for a local libvirt (qemu:///system);
 * for a remote URI it is the wrong machine's (then still the daemon's own load).
 *
 * A sampler remembers the previous collection and turns two into rates (per domain by
 * UUID, per vCPU by number, per disk and NIC by name). It is used by one worker at a
 * time (the caller keeps a single stats job in flight), so it has no lock. */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>
#include <stdint.h>

#include "metrics/metrics_sample.h"
#include "util/app_error.h"

struct metrics_lifecycle;

/* Pure: fills cur's rate fields (cpu_percent, each vCPU's percent and steal, the
 * domain's steal_percent, each disk's and NIC's rates and latencies, the sums) from its
 * counters and prev's (the same domain dt_us earlier; NULL: none). Without a previous
 * collection, a zero or negative interval, or for a device new since prev, the rates are
 * NAN. A counter that went backwards (the domain restarted, a disk was replaced) gives
 * NAN for that figure, never a huge or negative rate. cpu_percent is NAN without
 * has_cpu_time. Sums over disks and NICs are NAN without prev, else the sum of the
 * devices' rates that have a figure. Percentages are clamped to 100 (sampling jitter). */
void virt_stats_domain_rates(const struct metrics_domain *prev, struct metrics_domain *cur,
                             int64_t dt_us); /* for tests */

/* Pure: the host's CPU use in % between two readings of its busy and total CPU time
 * (ns, summed over CPUs); -1 when there is no figure (no time passed, or counters
 * that went backwards). */
double virt_stats_host_cpu_percent(uint64_t busy0, uint64_t total0, uint64_t busy1,
                                   uint64_t total1); /* for tests */

/* Pure: the three load averages of /proc/loadavg's text. -1 if it does not parse. */
__attribute__((warn_unused_result)) int virt_stats_parse_loadavg(const char *text,
                                                                 double load[3]); /* for tests */

/* lifecycle (borrowed, may be NULL; outlives the sampler) gives each running domain's
 * started_ms. */
struct virt_stats_sampler *virt_stats_sampler_new(struct metrics_lifecycle *lifecycle);
void virt_stats_sampler_free(struct virt_stats_sampler *sampler);

/* Takes one collection of all running domains, the host, its pools and networks
 * (connected = true), sorted by UUID, with rates since the previous collection.
 * A new sample (one reference) or NULL + err when virConnectGetAllDomainStats failed
 * (failures of the host, pool and network calls only leave those figures out).
 * Blocking: worker thread. */
struct metrics_sample *virt_stats_sample(struct virt_stats_sampler *sampler, virConnectPtr conn,
                                         struct app_error *err);

/* A collection while libvirt is down: connected = false, interval_ms 0, no domains,
 * pools or networks, only the host's load. The sampler keeps its previous connected
 * collection for the rates of the next. Worker thread. */
struct metrics_sample *virt_stats_sample_offline(struct virt_stats_sampler *sampler);

/* The events websocket's stats message of a sample:
 * {"type":"stats","at_ms":N,"interval_ms":N,"domains":[{uuid,cpu_percent,memory_used_kib,
 *  memory_resident_kib,disk_rd_bps,disk_wr_bps,net_rx_bps,net_tx_bps, ...}],
 *  "host":{"cpu_percent":N|null,"free_memory_kib":N|null, ...}}.
 * The first eight domain fields keep their old meaning: rates are whole numbers and 0 on
 * a domain's first collection; cpu_percent (one decimal) is 0 then, null when the driver
 * reports no cpu.time; memory_used_kib null when the guest does not report its own use,
 * memory_resident_kib null when the driver gives no resident size. The added fields are
 * null when there is no figure (first collection included): name, state, reason,
 * started_ms, cpu_time_ns, steal_percent, memory_max_kib, memory_current_kib,
 * disk_rd_iops, disk_wr_iops, "vcpus":[{id,time_ns,percent,steal_percent}],
 * "disks":[{name,rd_bytes,wr_bytes,rd_reqs,wr_reqs,rd_bps,wr_bps,rd_iops,wr_iops,
 * rd_latency_ms,wr_latency_ms}], "nics":[{name,rx_bytes,tx_bytes,rx_pkts,tx_pkts,rx_bps,
 * tx_bps,rx_pps,tx_pps,rx_drop,tx_drop,rx_errs,tx_errs}] (counters as libvirt gives them,
 * rates since the previous collection); host adds cpus, memory_total_kib, load1, load5,
 * load15. docs/api.md has the table. Any thread. */
struct json_object *virt_stats_message(const struct metrics_sample *sample);
