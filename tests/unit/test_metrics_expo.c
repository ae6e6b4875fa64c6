/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_metrics_expo: server/metrics/metrics_expo.c and metrics_http.c — GET /metrics's
 * text from hand-built samples: the families and their HELP/TYPE lines, label escaping
 * of a VM name with a double quote, a backslash and a line feed, absent figures (NAN,
 * !has_*) omitted rather than 0, OpenMetrics's "# EOF" and counter naming, the
 * visibility filter hiding a VM, the host/daemon families only for a subject who reads
 * the host, the request histogram, and the bound. Single thread. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics/metrics_expo.h"
#include "util/xalloc.h"

#define UUID_A "11111111-1111-4111-8111-111111111111"
#define UUID_B "22222222-2222-4222-8222-222222222222"

/* Two running VMs: A (quoted name, a vCPU, a disk, a NIC, a first-collection NAN rate),
 * B (plain). A pool and a network. */
static struct metrics_sample *sample_two(void)
{
    struct metrics_sample *s = metrics_sample_new();
    struct metrics_domain *a, *b;

    s->at_ms = 1700000000000;
    s->connected = true;
    s->host.cpu_percent = 12.5;
    s->host.cpus = 8;
    s->host.has_memory = true;
    s->host.memory_total_kib = 1024;
    s->host.memory_free_kib = 512;
    s->host.load1 = 0.5;
    s->domain_count = 2;
    s->domains = xcalloc(2, sizeof(*s->domains));
    a = &s->domains[0];
    b = &s->domains[1];
    memcpy(a->uuid, UUID_A, sizeof(a->uuid));
    a->name = xstrdup("we\"b\\1\nx");
    a->state = 1;
    a->has_cpu_time = true;
    a->cpu_time_ns = 2500000000ull;
    a->cpu_percent = NAN;
    a->steal_percent = NAN;
    a->vcpu_count = 1;
    a->vcpus = xcalloc(1, sizeof(*a->vcpus));
    a->vcpus[0].time_ns = 1000000000ull;
    a->vcpus[0].percent = NAN;
    a->vcpus[0].steal_percent = NAN;
    a->memory_max_kib = 2048;
    a->memory_current_kib = 1024;
    a->disk_count = 1;
    a->disks = xcalloc(1, sizeof(*a->disks));
    a->disks[0].name = xstrdup("vda");
    a->disks[0].rd_bytes = 4096;
    a->disks[0].rd_bps = NAN;
    a->nic_count = 1;
    a->nics = xcalloc(1, sizeof(*a->nics));
    a->nics[0].name = xstrdup("vnet0");
    a->nics[0].rx_bytes = 777;
    memcpy(b->uuid, UUID_B, sizeof(b->uuid));
    b->name = xstrdup("db");
    b->state = 1;
    b->has_cpu_time = true;
    b->cpu_time_ns = 1000000000ull;
    b->cpu_percent = 42.0;
    b->steal_percent = NAN;
    s->pool_count = 1;
    s->pools = xcalloc(1, sizeof(*s->pools));
    s->pools[0].name = xstrdup("default");
    s->pools[0].active = true;
    s->pools[0].capacity = 1000;
    s->pools[0].allocation = 900;
    s->pools[0].available = 100;
    s->network_count = 1;
    s->networks = xcalloc(1, sizeof(*s->networks));
    s->networks[0].name = xstrdup("default");
    s->networks[0].active = true;
    return s;
}

static char *render(const struct metrics_expo_view *view, enum metrics_expo_format format)
{
    struct buf b;

    buf_init(&b, METRICS_EXPO_MAX);
    assert_int_equal(metrics_expo_render(view, format, &b), 0);
    return buf_take(&b);
}

static bool only_b(void *ctx, enum metrics_expo_object kind, const char *id)
{
    if (kind != METRICS_EXPO_DOMAIN)
        return false; /* no pool, no network */
    (*(int *)ctx)++;
    return strcmp(id, UUID_B) == 0;
}

static void test_families_and_help(void **state)
{
    struct metrics_sample *s = sample_two();
    struct metrics_daemon d = {.libvirt_connected = true, .start_time_s = NAN};
    struct metrics_expo_view view = {.sample = s, .daemon = &d, .host = true};
    char *text = render(&view, METRICS_EXPO_TEXT);

    assert_non_null(strstr(text, "# HELP libvirt_domain_info_cpu_time_seconds_total "));
    assert_non_null(strstr(text, "# TYPE libvirt_domain_info_cpu_time_seconds_total counter\n"));
    assert_non_null(strstr(text, "libvirt_domain_info_cpu_time_seconds_total{uuid=\"" UUID_B
                                 "\",name=\"db\"} 1\n"));
    assert_non_null(strstr(text, "libvirt_domain_info_cpu_time_seconds_total{uuid=\"" UUID_A));
    assert_non_null(strstr(text, "} 2.5\n"));
    assert_non_null(strstr(text, "# TYPE libvirt_domain_info_maximum_memory_bytes gauge\n"));
    assert_non_null(strstr(text, "libvirt_domain_vcpu_time_seconds_total{uuid=\"" UUID_A));
    assert_non_null(strstr(text, ",vcpu=\"0\"} 1\n"));
    assert_non_null(strstr(text, "libvirt_domain_block_stats_read_bytes_total{uuid=\"" UUID_A));
    assert_non_null(strstr(text, ",device=\"vda\"} 4096\n"));
    assert_non_null(strstr(text, ",device=\"vnet0\"} 777\n"));
    assert_non_null(
        strstr(text, "# TYPE libvirt_domain_interface_stats_receive_bytes_total counter"));
    assert_non_null(
        strstr(text, "virtdeck_domain_cpu_percent{uuid=\"" UUID_B "\",name=\"db\"} 42\n"));
    assert_non_null(strstr(text, "virtdeck_host_cpu_percent 12.5\n"));
    assert_non_null(strstr(text, "virtdeck_host_memory_total_bytes 1048576\n"));
    assert_non_null(strstr(text, "libvirt_pool_info_capacity_bytes{pool=\"default\"} 1000\n"));
    assert_non_null(strstr(text, "virtdeck_network_up{network=\"default\"} 1\n"));
    assert_non_null(strstr(text, "virtdeck_up 1\n"));
    assert_non_null(strstr(text, "virtdeck_libvirt_connected 1\n"));
    assert_null(strstr(text, "# EOF"));
    /* every sample line's family has its HELP and TYPE before it */
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n');
        assert_non_null(end);
        if (line[0] != '#') {
            char name[128], help[160];
            size_t n = strcspn(line, "{ ");
            const char *p;
            assert_true(n < sizeof(name));
            memcpy(name, line, n);
            name[n] = '\0';
            snprintf(help, sizeof(help), "# TYPE %s ", name);
            p = strstr(text, help);
            if (!p) { /* histogram samples: the family without _bucket/_sum/_count */
                char *u = strrchr(name, '_');
                *u = '\0';
                snprintf(help, sizeof(help), "# TYPE %s histogram", name);
                p = strstr(text, help);
            }
            assert_non_null(p);
            assert_true(p < line);
        }
        line = end + 1;
    }
    free(text);
    metrics_sample_unref(s);
}

static void test_label_escaping(void **state)
{
    struct metrics_sample *s = sample_two();
    struct metrics_expo_view view = {.sample = s};
    char *text = render(&view, METRICS_EXPO_TEXT);

    /* we"b\1<LF>x: quote, backslash and line feed escaped; no raw line feed in a value */
    assert_non_null(strstr(text, "name=\"we\\\"b\\\\1\\nx\""));
    assert_null(strstr(text, "we\"b"));
    free(text);
    metrics_sample_unref(s);
}

static void test_absent_figures_omitted(void **state)
{
    struct metrics_sample *s = sample_two();
    struct metrics_expo_view view = {.sample = s, .host = true};
    char *text = render(&view, METRICS_EXPO_TEXT);

    /* A's cpu_percent is NAN: no line for A, only B's; vCPU percent NAN: no family */
    assert_null(strstr(text, "virtdeck_domain_cpu_percent{uuid=\"" UUID_A));
    assert_null(strstr(text, "virtdeck_domain_vcpu_cpu_percent"));
    assert_null(strstr(text, "virtdeck_domain_steal_percent"));
    assert_null(strstr(text, "NaN"));
    /* !has_times, !has_capacity, !has_mem_used, !has_wait: left out, never 0 */
    assert_null(strstr(text, "libvirt_domain_block_stats_read_time_seconds"));
    assert_null(strstr(text, "libvirt_domain_block_stats_capacity_bytes"));
    assert_null(strstr(text, "libvirt_domain_memory_stats_used_bytes"));
    assert_null(strstr(text, "libvirt_domain_vcpu_wait_seconds"));
    /* load5 and load15 are NAN, load1 is there */
    assert_non_null(strstr(text, "virtdeck_host_load1 0.5\n"));
    assert_null(strstr(text, "virtdeck_host_load5"));
    /* B has no vcpus array, no disks: nothing made up for it */
    assert_null(strstr(text, "libvirt_domain_block_stats_read_bytes_total{uuid=\"" UUID_B));
    /* no daemon figures were given */
    assert_null(strstr(text, "virtdeck_up"));
    free(text);
    metrics_sample_unref(s);
}

static void test_openmetrics(void **state)
{
    struct metrics_sample *s = sample_two();
    struct metrics_daemon d = {.libvirt_connected = false, .start_time_s = 1700000000.0};
    struct metrics_expo_view view = {.sample = s, .daemon = &d, .host = true};
    char *text = render(&view, METRICS_EXPO_OPENMETRICS);
    size_t len = strlen(text);

    assert_true(len > 6);
    assert_string_equal(text + len - 6, "# EOF\n");
    /* the family is named without _total, its samples with it */
    assert_non_null(strstr(text, "# TYPE libvirt_domain_info_cpu_time_seconds counter\n"));
    assert_non_null(strstr(text, "# HELP libvirt_domain_info_cpu_time_seconds "));
    assert_null(strstr(text, "# TYPE libvirt_domain_info_cpu_time_seconds_total"));
    assert_non_null(strstr(text, "libvirt_domain_info_cpu_time_seconds_total{uuid=\"" UUID_B));
    assert_non_null(strstr(text, "virtdeck_libvirt_connected 0\n"));
    assert_non_null(strstr(text, "virtdeck_start_time_seconds 1700000000\n"));
    assert_int_equal(metrics_expo_negotiate(NULL), METRICS_EXPO_TEXT);
    assert_int_equal(metrics_expo_negotiate("text/plain;version=0.0.4"), METRICS_EXPO_TEXT);
    assert_int_equal(
        metrics_expo_negotiate("application/openmetrics-text;version=1.0.0,text/plain;q=0.5"),
        METRICS_EXPO_OPENMETRICS);
    assert_string_equal(metrics_expo_content_type(METRICS_EXPO_OPENMETRICS),
                        "application/openmetrics-text; version=1.0.0; charset=utf-8");
    assert_string_equal(metrics_expo_content_type(METRICS_EXPO_TEXT),
                        "text/plain; version=0.0.4; charset=utf-8");
    free(text);
    metrics_sample_unref(s);
}

static void test_visibility_hides_vm(void **state)
{
    struct metrics_sample *s = sample_two();
    struct metrics_daemon d = {.libvirt_connected = true, .start_time_s = NAN};
    int calls = 0;
    struct metrics_expo_view view = {
        .sample = s, .daemon = &d, .host = false, .visible = only_b, .visible_ctx = &calls};
    char *text = render(&view, METRICS_EXPO_TEXT);

    assert_int_equal(calls, 2); /* once per VM, not per family */
    assert_null(strstr(text, UUID_A));
    assert_null(strstr(text, "we\\\"b"));
    assert_null(strstr(text, "vnet0"));
    assert_non_null(strstr(text, UUID_B));
    /* no host right: no host, pool, network or daemon family */
    assert_null(strstr(text, "virtdeck_host_"));
    assert_null(strstr(text, "libvirt_pool_info"));
    assert_null(strstr(text, "virtdeck_network_up"));
    assert_null(strstr(text, "virtdeck_up"));
    free(text);
    /* with the host right: the host's figures, but no pool or network it may not see */
    view.host = true;
    text = render(&view, METRICS_EXPO_TEXT);
    assert_non_null(strstr(text, "virtdeck_host_cpu_percent 12.5\n"));
    assert_non_null(strstr(text, "virtdeck_up 1\n"));
    assert_null(strstr(text, "libvirt_pool_info"));
    assert_null(strstr(text, "virtdeck_network_up"));
    assert_null(strstr(text, UUID_A));
    free(text);
    metrics_sample_unref(s);
}

static void test_http_counters(void **state)
{
    struct metrics_http *http = metrics_http_new(3);
    struct metrics_daemon d = {.http = http, .start_time_s = NAN};
    struct metrics_expo_view view = {.daemon = &d, .host = true};
    char *text;

    metrics_http_label(http, 0, "/api/domains", "GET");
    metrics_http_label(http, 1, "/api/domains/{uuid}", "DELETE");
    metrics_http_count(http, 0, 200, 500);      /* 0.5 ms */
    metrics_http_count(http, 0, 200, 30000);    /* 30 ms */
    metrics_http_count(http, 0, 404, 20000000); /* 20 s: past every bound */
    metrics_http_count(http, 2, 200, 1);        /* no label: not counted */
    metrics_http_count(http, 9, 200, 1);        /* out of range: ignored */
    metrics_http_sent(http, 1234);
    text = render(&view, METRICS_EXPO_TEXT);
    assert_non_null(strstr(text, "# TYPE virtdeck_http_requests_total counter\n"));
    assert_non_null(strstr(
        text,
        "virtdeck_http_requests_total{route=\"/api/domains\",method=\"GET\",code=\"2xx\"} 2\n"));
    assert_non_null(strstr(
        text,
        "virtdeck_http_requests_total{route=\"/api/domains\",method=\"GET\",code=\"4xx\"} 1\n"));
    assert_null(strstr(text, "code=\"5xx\""));
    assert_null(strstr(text, "DELETE")); /* never answered: no series */
    assert_non_null(strstr(text, "# TYPE virtdeck_http_request_duration_seconds histogram\n"));
    assert_non_null(strstr(text, "virtdeck_http_request_duration_seconds_bucket{route=\"/api/"
                                 "domains\",method=\"GET\",le=\"0.001\"} 1\n"));
    assert_non_null(strstr(text, "virtdeck_http_request_duration_seconds_bucket{route=\"/api/"
                                 "domains\",method=\"GET\",le=\"0.05\"} 2\n"));
    assert_non_null(strstr(text, "virtdeck_http_request_duration_seconds_bucket{route=\"/api/"
                                 "domains\",method=\"GET\",le=\"10\"} 2\n"));
    assert_non_null(strstr(text, "virtdeck_http_request_duration_seconds_bucket{route=\"/api/"
                                 "domains\",method=\"GET\",le=\"+Inf\"} 3\n"));
    assert_non_null(strstr(text, "virtdeck_http_request_duration_seconds_count{route=\"/api/"
                                 "domains\",method=\"GET\"} 3\n"));
    assert_non_null(strstr(text, "virtdeck_http_request_duration_seconds_sum{route=\"/api/"
                                 "domains\",method=\"GET\"} 20.0305\n"));
    assert_non_null(strstr(text, "virtdeck_bytes_sent_total 1234\n"));
    /* no sample yet: no VM or host family, the daemon's still there */
    assert_null(strstr(text, "libvirt_domain_"));
    assert_non_null(strstr(text, "virtdeck_up 1\n"));
    free(text);
    metrics_http_free(http);
    metrics_http_free(NULL);
}

/* 1,000 VMs with 2 vCPUs, 2 disks and a NIC each: every VM is there, in a few MiB. */
static void test_thousand_vms(void **state)
{
    struct metrics_sample *s = metrics_sample_new();
    struct metrics_expo_view view = {.sample = s, .host = true};
    char *text;
    size_t lines = 0;

    s->domain_count = 1000;
    s->domains = xcalloc(s->domain_count, sizeof(*s->domains));
    for (size_t i = 0; i < s->domain_count; i++) {
        struct metrics_domain *d = &s->domains[i];
        snprintf(d->uuid, sizeof(d->uuid), "00000000-0000-4000-8000-%012u", (unsigned)i % 1000000u);
        d->name = xstrdup("vm-with-a-longish-name");
        d->state = 1;
        d->has_cpu_time = true;
        d->cpu_percent = 12.5;
        d->steal_percent = NAN;
        d->vcpu_count = 2;
        d->vcpus = xcalloc(2, sizeof(*d->vcpus));
        d->memory_max_kib = d->memory_current_kib = 1048576;
        d->disk_count = 2;
        d->disks = xcalloc(2, sizeof(*d->disks));
        d->disks[0].name = xstrdup("vda");
        d->disks[1].name = xstrdup("vdb");
        d->nic_count = 1;
        d->nics = xcalloc(1, sizeof(*d->nics));
        d->nics[0].name = xstrdup("vnet0");
    }
    text = render(&view, METRICS_EXPO_TEXT);
    for (const char *p = text; (p = strchr(p, '\n')); p++)
        lines++;
    print_message("1,000 VMs: %zu bytes, %zu lines\n", strlen(text), lines);
    assert_true(strlen(text) < 16u * 1024 * 1024);
    assert_non_null(strstr(text, "uuid=\"00000000-0000-4000-8000-000000000999\""));
    assert_non_null(strstr(text, "uuid=\"00000000-0000-4000-8000-000000000000\""));
    free(text);
    metrics_sample_unref(s);
}

static void test_bound(void **state)
{
    struct metrics_sample *s = sample_two();
    struct metrics_expo_view view = {.sample = s, .host = true};
    struct buf b;

    buf_init(&b, 200);
    assert_int_equal(metrics_expo_render(&view, METRICS_EXPO_TEXT, &b), -1);
    assert_true(b.len <= 200);
    buf_free(&b);
    metrics_sample_unref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_families_and_help),      cmocka_unit_test(test_label_escaping),
        cmocka_unit_test(test_absent_figures_omitted), cmocka_unit_test(test_openmetrics),
        cmocka_unit_test(test_visibility_hides_vm),    cmocka_unit_test(test_http_counters),
        cmocka_unit_test(test_thousand_vms),           cmocka_unit_test(test_bound),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
