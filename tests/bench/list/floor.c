/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* floor: libvirt's own cost of listing every domain with its state, for the domain
 * list benchmark (tests/bench/list/run.mjs).
 *
 * Usage: floor URI. Opens one connection, then for every line read on stdin makes one
 * virConnectGetAllDomainStats(state|cpu|balloon|vcpu) call and prints
 * "<microseconds> <records>" for it, so the caller can interleave these calls with its
 * own requests. Single-threaded; a benchmark helper, not part of the daemon. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <time.h>

static long long floor_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
    int ret = 1;
    virConnectPtr conn = NULL;
    char line[64];

    if (argc != 2) {
        fprintf(stderr, "usage: %s URI\n", argv[0]);
        goto cleanup;
    }
    if (!(conn = virConnectOpen(argv[1]))) {
        fprintf(stderr, "floor: cannot open %s: %s\n", argv[1], virGetLastErrorMessage());
        goto cleanup;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    while (fgets(line, sizeof(line), stdin)) {
        virDomainStatsRecordPtr *records = NULL;
        long long t0 = floor_now_us();
        int n = virConnectGetAllDomainStats(conn,
                                            VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL |
                                                VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_VCPU,
                                            &records, 0);
        long long us = floor_now_us() - t0;

        if (n < 0) {
            fprintf(stderr, "floor: stats failed: %s\n", virGetLastErrorMessage());
            goto cleanup;
        }
        virDomainStatsRecordListFree(records);
        printf("%lld %d\n", us, n);
    }
    ret = 0;

cleanup:
    if (conn)
        virConnectClose(conn);
    return ret;
}
