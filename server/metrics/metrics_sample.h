/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* metrics_sample: one collection of every figure virtdeck keeps, graphs, exports and
 * alerts on: per running domain (raw counters and the rates since the previous
 * collection), per host, per storage pool and per network.
 *
 * The stats job builds one on a worker (virt/virt_stats.c fills it from one
 * virConnectGetAllDomainStats plus the host, pool and network calls), then never changes
 * it: it is shared by reference between the events websocket's stats message, the
 * history writer, the /metrics exposition and the alert evaluator, on any thread.
 * metrics_latest holds the newest one (a mutex around one pointer swap).
 *
 * Absent figures: a double field is NAN and a bool has_* is false when the driver gives
 * no figure; never a made-up 0. Times are wall-clock milliseconds since the epoch. */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct metrics_vcpu {
    uint64_t time_ns; /* vcpu.N.time */
    double percent;   /* of one CPU since the previous collection; NAN on the first */
    bool has_wait;    /* vcpu.N.wait (steal: time the vCPU was runnable but not run) */
    uint64_t wait_ns;
    double steal_percent; /* NAN without has_wait (or has_delay) or on the first collection;
                           * from delay_ns when has_delay, else from wait_ns */
    unsigned id;          /* N of vcpu.N (an offline vCPU is left out, so not the index) */
    bool has_delay;       /* vcpu.N.delay (libvirt >= 7.9, qemu: the vCPU thread's run delay
                           * from schedstat, what the guest sees as steal) */
    uint64_t delay_ns;
};

struct metrics_disk {
    char *name; /* owned: the target ("vda") */
    uint64_t rd_bytes, wr_bytes, rd_reqs, wr_reqs, fl_reqs;
    bool has_times; /* rd/wr/fl.times: total ns spent in requests */
    uint64_t rd_times_ns, wr_times_ns, fl_times_ns;
    bool has_capacity;
    uint64_t capacity, allocation, physical;
    /* Rates since the previous collection; NAN on the first. */
    double rd_bps, wr_bps, rd_iops, wr_iops;
    double rd_latency_ms, wr_latency_ms; /* mean per request; NAN without has_times or requests */
};

struct metrics_nic {
    char *name; /* owned: the host-side device ("vnet3") */
    uint64_t rx_bytes, tx_bytes, rx_pkts, tx_pkts, rx_drop, tx_drop, rx_errs, tx_errs;
    double rx_bps, tx_bps, rx_pps, tx_pps; /* NAN on the first collection */
};

struct metrics_domain {
    char uuid[37];
    char *name; /* owned */
    int state;  /* virDomainState */
    int reason; /* its reason */
    bool has_cpu_time;
    uint64_t cpu_time_ns, cpu_user_ns, cpu_system_ns;
    double cpu_percent;   /* of all its vCPUs (100 = all busy); NAN: no figure */
    double steal_percent; /* mean over vCPUs; NAN: no figure */
    unsigned vcpu_count;
    struct metrics_vcpu *vcpus;  /* owned, vcpu_count */
    unsigned vcpu_current;       /* vcpu.current: online vCPUs, cpu_percent's divisor (may
                                  * exceed vcpu_count when the driver gives no times) */
    uint64_t memory_max_kib;     /* balloon.maximum (or the definition's) */
    uint64_t memory_current_kib; /* balloon.current */
    bool has_mem_used;           /* the guest's own view (balloon driver) */
    uint64_t mem_used_kib, mem_available_kib; /* used = current - unused; available: see
                                               * has_mem_available */
    bool has_mem_resident;                    /* RSS of the VM's process on the host */
    uint64_t mem_resident_kib;
    uint64_t mem_unused_kib; /* balloon.unused, with has_mem_used */
    bool has_mem_available;  /* balloon.available: what the guest can use (guest view) */
    size_t disk_count;
    struct metrics_disk *disks; /* owned */
    size_t nic_count;
    struct metrics_nic *nics; /* owned */
    /* Sums over disks and NICs, as rates (NAN on the first collection). */
    double disk_rd_bps, disk_wr_bps, net_rx_bps, net_tx_bps;
    int64_t started_ms; /* last start seen, 0 unknown (metrics_lifecycle.h: from the lifecycle
                         * events; a stopped VM's last stop is only there) */
};

struct metrics_pool {
    char *name; /* owned */
    bool active;
    uint64_t capacity, allocation, available; /* bytes */
};

struct metrics_network {
    char *name; /* owned */
    bool active;
};

struct metrics_host {
    double cpu_percent; /* all CPUs, NAN: no figure */
    unsigned cpus;
    bool has_memory;
    uint64_t memory_total_kib, memory_free_kib;
    double load1, load5, load15; /* NAN when the host's loadavg is unreadable; the daemon's
                                  * own /proc/loadavg: the hypervisor's only for a local
                                  * libvirt URI */
};

struct metrics_sample {
    atomic_int refs;
    int64_t at_ms;       /* wall clock when collected */
    int64_t interval_ms; /* since the previous collection; 0 for the first */
    bool connected;      /* libvirt answered; false: only host/daemon figures hold */
    struct metrics_host host;
    size_t domain_count;
    struct metrics_domain *domains; /* owned; sorted by uuid */
    size_t pool_count;
    struct metrics_pool *pools; /* owned */
    size_t network_count;
    struct metrics_network *networks; /* owned */
};

/* An empty sample with one reference, every double field NAN. */
struct metrics_sample *metrics_sample_new(void);
struct metrics_sample *metrics_sample_ref(struct metrics_sample *sample);
/* Drops one reference; the last frees everything. NULL is fine. */
void metrics_sample_unref(struct metrics_sample *sample);
/* The domain by UUID (binary search), NULL if it is not in the sample. */
const struct metrics_domain *metrics_sample_domain(const struct metrics_sample *sample,
                                                   const char *uuid);

/* The newest sample, any thread. */
struct metrics_latest {
    pthread_mutex_t lock;
    struct metrics_sample *sample; /* owned reference, NULL before the first */
};

void metrics_latest_init(struct metrics_latest *latest);
void metrics_latest_destroy(struct metrics_latest *latest);
/* Takes over the caller's reference. */
void metrics_latest_put(struct metrics_latest *latest, struct metrics_sample *sample);
/* A new reference to the newest sample (NULL if none yet): unref it when done. */
struct metrics_sample *metrics_latest_get(struct metrics_latest *latest);
