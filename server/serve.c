/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* serve: wires the daemon together and runs the lws service loop.
 *
 * DESIGN (threads): the main thread becomes the lws service thread and owns every
 * connection. Workers (work_pool, its password lane and the events feed's lane), the
 * libvirt event and connect threads (virt_conn) and the signal thread never call lws
 * except lws_cancel_service(), made through serve_wake(), which is guarded by
 * `wake_lock` so no thread wakes a context that is being destroyed. They hand work to
 * the service thread through the one inbox (work/inbox.h; its wake is serve_wake),
 * created before any of them and freed after them all. SIGTERM, SIGINT
 * and SIGHUP are blocked in every thread and taken by the "signals" thread only. The store-watch
 * thread (store_watch.h) syncs the session table when another process (the CLI) committed; the one
 * housekeeping timer (serve_tick, 250 ms) then closes the sockets of sessions that ended, whatever
 * ended them, through the connection layer's session registry; it also runs the one collection of
 * figures (the events' stats job, every metrics_interval, metrics_interval_watched while a browser
 * watches), every 2 s the transfers' idle watch and, every 60 s, the sessions' expiry job. serve.c
 * also names each route's endpoint (the one table of them) and hands the other threads' news (the
 * wake) to their drains. Shutdown order: stop the loop, destroy the lws context (closing every
 * connection), join the workers (the lane before its pool), stop libvirt's and the store-watch
 * threads, free the rest, join the signal thread. SIGHUP, on the service thread: RELOADING=1 to
 * the service manager, the config file and drop-ins reread (serve_reloader: a small file, no
 * libvirt or SQLite), the keys that can change at run time applied (config_reload_diff, then
 * serve_settings_apply: log level,
 * session limits, origins, host names, scrape token, collection intervals), the certificate
 * reloaded into the vhost's SSL_CTX, READY=1; open connections stay. The housekeeping timer also
 * feeds the service manager's watchdog, so a wedged service loop stops feeding it. */
#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <netdb.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libwebsockets.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "alerts/alerts.h"
#include "auth_approved.h"
#include "auth_owners.h"
#include "auth_quota.h"
#include "auth_password_policy.h"
#include "auth_sessions.h"
#include "auth_tokens.h"
#include "auth_pam.h"
#include "auth_throttle.h"
#include "auth_users.h"
#include "config.h"
#include "console.h"
#include "serial.h"
#include "events/events_feed.h"
#include "events/events_hub.h"
#include "events/events_ws.h"
#include "api/api.h"
#include "api/api_endpoint.h"
#include "api/api_runner.h"
#include "http/conn.h"
#include "http/http_server.h"
#include "http/static_endpoint.h"
#include "http/static_files.h"
#include "store/store.h"
#include "store/store_audit_log.h"
#include "store/store_watch.h"
#include "tls/tls_cert.h"
#include "transfer/transfer.h"
#include "util/clock.h"
#include "util/listen_fds.h"
#include "util/log.h"
#include "util/notify.h"
#include "metrics/metrics_expo.h"
#include "metrics/metrics_history.h"
#include "metrics/metrics_lifecycle.h"
#include "metrics/metrics_sample.h"
#include "util/xalloc.h"
#include "virt/virt_caps.h"
#include "virt/virt_conn.h"
#include "virt/virt_osinfo.h"
#include "virt/virt_pump.h"
#include "virt/virt_stats.h"
#include "work/inbox.h"
#include "work/work_pool.h"

#define SERVE_CIPHERS_TLS12                                                                        \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"     \
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
#define SERVE_LIBVIRT_WAIT_MS 10000
#define SERVE_MALLOC_ARENAS   2
/* Password checks (yescrypt, 10-50 ms of CPU each) get one thread of their own: a login
 * flood then costs one core at most and never waits for, or holds up, the libvirt
 * workers. 32 waiting checks are at most about 1.5 s of work; more get 503 at once. */
#define SERVE_PASSWORD_THREADS     1
#define SERVE_PASSWORD_MAX_PENDING 32
#define SERVE_CIPHERS_TLS13                                                                        \
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
/* The housekeeping timer's period, and how often the store-watch thread looks for
 * other processes' commits: together they bound how long a session ended by
 * `virtdeck user passwd/del` lives on (two periods plus the database read). */
#define SERVE_TICK_MS           250
#define SERVE_WATCH_MS          250
#define SERVE_TRANSFER_EVERY_MS 2000
/* The inbox's bound is the sum of its posters' own bounds, so a post only fails when a
 * poster breaks its own (and a finished job always finds room): the pools hold at most
 * WORK_POOL_MAX_JOBS each (work_pool.h), the events hub and feed at most
 * EVENTS_HUB_INBOX_ITEMS and EVENTS_FEED_INBOX_ITEMS (their headers). Every other
 * poster has one coalescing item per long-lived object (a serial console, a transfer:
 * at most one per open connection), so SERVE_INBOX_OBJECTS covers them. Items are
 * embedded in their owners: the bound costs no memory. */
#define SERVE_INBOX_OBJECTS 65536
#define SERVE_INBOX_CAPACITY(workers)                                                              \
    (WORK_POOL_MAX_JOBS((unsigned)(workers), WORK_POOL_MAX_PENDING) +                              \
     WORK_POOL_MAX_JOBS(SERVE_PASSWORD_THREADS, SERVE_PASSWORD_MAX_PENDING) +                      \
     WORK_POOL_MAX_JOBS(API_RUNNER_THREADS, API_RUNNER_MAX_PENDING) + EVENTS_FEED_INBOX_ITEMS +    \
     EVENTS_HUB_INBOX_ITEMS + SERVE_INBOX_OBJECTS)
/* sessions' rows: expired ones deleted, last-seen times flushed (auth_sessions_expire);
 * the audit log pruned to its retention */
#define SERVE_EXPIRE_EVERY_MS 60000
/* at shutdown, how long stream pumps get to close their streams and connections */
#define SERVE_PUMP_WAIT_MS 5000

static pthread_mutex_t serve_wake_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lws_context *serve_context; /* serve_wake_lock */
static atomic_bool serve_stop;            /* set by the signal thread, read by the loop */
static atomic_bool serve_reload;

/* The one housekeeping timer. Service thread. */
struct serve_housekeeping {
    lws_sorted_usec_list_t sul; /* lws's timer entry */
    struct app *app;            /* borrowed */
    struct lws_context *ctx;    /* borrowed; NULL when not scheduled */
    unsigned ticks;
    bool history_busy;        /* a history job is in flight (one at most) */
    int64_t history_last_ms;  /* at_ms of the newest sample handed to it */
    int64_t history_synced_s; /* when libvirt's domain list last marked the deleted (0: never) */
    int64_t watchdog_sent_ms; /* clock_mono_ms of the last WATCHDOG=1 */
};
static struct serve_housekeeping serve_housekeeping;

/* Any thread: wake the service thread. */
static void serve_wake(void *ctx)
{
    (void)ctx;
    pthread_mutex_lock(&serve_wake_lock);
    if (serve_context)
        lws_cancel_service(serve_context);
    pthread_mutex_unlock(&serve_wake_lock);
}

/* Signals are taken on one thread, "signals", with sigwait(): serve_signals_block()
 * blocks them in the main thread before any other thread exists, so every thread
 * inherits the mask, also those started later (transfer, serial, libvirt's). No
 * handler ever runs, so no signal lands on a worker halfway through a job or during
 * shutdown, and the signal thread may take locks (serve_wake) like any thread. */
struct serve_signals {
    sigset_t set; /* SIGTERM, SIGINT, SIGHUP */
    pthread_t thread;
    bool started;
};
static struct serve_signals serve_signals;

static void serve_signals_block(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
    sigemptyset(&serve_signals.set);
    sigaddset(&serve_signals.set, SIGTERM);
    sigaddset(&serve_signals.set, SIGINT);
    sigaddset(&serve_signals.set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &serve_signals.set, NULL);
}

/* The signal thread: SIGHUP asks the service thread to reload the certificate; SIGTERM
 * or SIGINT asks it to stop, and ends this thread. */
static void *serve_signals_main(void *arg)
{
    int sig = 0;

    for (;;) {
        if (sigwait(&serve_signals.set, &sig) != 0)
            continue;
        if (sig != SIGHUP)
            break;
        atomic_store(&serve_reload, true);
        serve_wake(NULL);
    }
    atomic_store(&serve_stop, true);
    serve_wake(NULL);
    return NULL;
}

static int serve_signals_start(void)
{
    if (pthread_create(&serve_signals.thread, NULL, serve_signals_main, NULL) != 0) {
        log_error("cannot start the signal thread");
        return -1;
    }
    serve_signals.started = true;
    pthread_setname_np(serve_signals.thread, "signals");
    return 0;
}

/* Main thread, at exit: a SIGTERM of our own ends the thread if no signal did. */
static void serve_signals_stop(void)
{
    if (!serve_signals.started)
        return;
    pthread_kill(serve_signals.thread, SIGTERM);
    pthread_join(serve_signals.thread, NULL);
    serve_signals.started = false;
}

/* virt_conn callbacks (virt threads): post into the events feed (in order). */
static void serve_on_host_state(void *ctx, bool connected)
{
    struct app *app = ctx;
    struct json_object *msg = json_object_new_object();

    json_object_object_add(msg, "type", json_object_new_string("host"));
    json_object_object_add(msg, "state",
                           json_object_new_string(connected ? "connected" : "disconnected"));
    if (connected)
        log_info("libvirt: connected to %s", app->config->uri);
    else
        log_warn("libvirt: connection to %s lost; reconnecting", app->config->uri);
    alerts_on_host_state(app->alerts, connected);
    events_feed_post_ready(app->feed, msg, EVENTS_KIND_HOST);
}

/* virt-events thread: only queue it; a batch job on a worker builds the message. */
static void serve_on_domain_event(void *ctx, struct virt_conn_event *ev)
{
    struct app *app = ctx;

    /* the history's deletion marks: remembered in memory, written by the history job */
    if (ev->event == VIR_DOMAIN_EVENT_UNDEFINED)
        metrics_history_note_undefined(app->history, ev->uuid, clock_wall_ms());
    else if (ev->event == VIR_DOMAIN_EVENT_DEFINED)
        metrics_history_note_defined(app->history, ev->uuid);
    alerts_on_domain_event(app->alerts, ev->uuid, ev->event, ev->detail); /* a short lock */
    /* the last start and stop of each domain (a mutex and a small table: no libvirt) */
    metrics_lifecycle_record(app->lifecycle, ev->uuid, ev->event, ev->detail, clock_wall_ms());
    events_feed_post(app->feed, ev);
}

static void serve_on_resource_event(void *ctx, struct json_object *msg)
{
    struct app *app = ctx;

    events_feed_post_ready(app->feed, msg, EVENTS_KIND_LIFECYCLE);
}

/* Any thread (the alerts' evaluation job): a VM's alert for those who see the VM. */
static void serve_post_alert(void *ctx, struct json_object *msg, const char *uuid)
{
    struct app *app = ctx;

    events_hub_post(app->events, msg, EVENTS_KIND_LIFECYCLE, uuid);
}

/* Any thread (the job runner's): a job's message for its owner and the admins. */
static void serve_post_job(void *ctx, struct json_object *msg, const char *user)
{
    struct app *app = ctx;

    events_hub_post_job(app->events, msg, user);
}

/* Service thread (the inbox's drain): events reached subscribers' queues. */
static void serve_on_events_news(void *ctx)
{
    struct app *app = ctx;

    events_ws_dispatch(app->events_ws);
}

/* Any thread (the writer of the ownership index): who may see which VM changed, so
 * every events subscriber gets a fresh snapshot filtered for it. */
static void serve_on_owners_change(void *ctx)
{
    struct app *app = ctx;

    events_hub_post_resync(app->events);
}

/* store-watch thread: another process committed (the CLI). API tokens are re-read with
 * their users' roles (a deleted or demoted user's tokens stop now), and the ownership
 * index (a deleted user's VMs and shares, a viewer's setting); sessions whose rows it
 * deleted end now; the next housekeeping tick closes their sockets. Looks again at
 * the next interval if the read failed or raced with a login. */
static bool serve_on_store_change(void *ctx)
{
    struct app *app = ctx;
    bool recheck = false;
    bool failed = auth_tokens_sync(app->tokens) < 0; /* a user deleted or demoted: at once */

    failed = auth_owners_sync(app->owners) < 0 || failed; /* its VMs, shares, memberships */

    return auth_sessions_sync(app->sessions, &recheck) < 0 || recheck || failed;
}

static void serve_expire_run(struct work_job *job)
{
    struct app *app = job->arg;
    int pruned;

    auth_sessions_expire(app->sessions);
    auth_tokens_flush(app->tokens);
    pruned = store_audit_log_prune(app->db, clock_wall_s(), app->config->audit_retention_days,
                                   app->config->audit_retention_rows);
    if (pruned > 0)
        log_info("store: %d audit rows pruned (audit_retention_days %d, audit_retention_rows %d)",
                 pruned, app->config->audit_retention_days, app->config->audit_retention_rows);
}

/* The history job (worker): one sample's figures into metrics.db and, when due, libvirt's
 * list of domains to mark the deleted ones (serve_history_tick decides). */
struct serve_history_job {
    struct app *app;               /* borrowed */
    struct metrics_sample *sample; /* owned reference */
    bool sync;                     /* list the domains first */
    bool synced;                   /* run: the list was read and applied */
};

static void serve_history_job_free(void *arg)
{
    struct serve_history_job *job = arg;

    metrics_sample_unref(job->sample);
    free(job);
}

static void serve_history_sync(struct serve_history_job *job)
{
    virConnectPtr conn = virt_conn_get(job->app->virt);
    virDomainPtr *doms = NULL;
    char(*uuids)[VIR_UUID_STRING_BUFLEN] = NULL;
    const char **names = NULL;
    int n;

    if (!conn)
        return;
    if ((n = virConnectListAllDomains(conn, &doms, 0)) < 0) {
        log_warn("metrics history: cannot list the domains: %s", virGetLastErrorMessage());
        goto cleanup;
    }
    uuids = xcalloc((size_t)n + 1, sizeof(*uuids));
    names = xcalloc((size_t)n + 1, sizeof(*names));
    for (int i = 0; i < n; i++) {
        if (virDomainGetUUIDString(doms[i], uuids[i]) < 0)
            goto cleanup; /* a local accessor: never; but never mark a listed domain */
        names[i] = uuids[i];
    }
    job->synced =
        metrics_history_sync_domains(job->app->history, names, (size_t)n, job->sample->at_ms) == 0;

cleanup:
    for (int i = 0; doms && i < n; i++)
        virDomainFree(doms[i]);
    free(doms);
    free(uuids);
    free(names);
    virConnectClose(conn);
}

static void serve_history_run(struct work_job *work)
{
    struct serve_history_job *job = work->arg;

    if (job->sync)
        serve_history_sync(job);
    if (metrics_history_write(job->app->history, job->sample) < 0)
        log_warn("metrics history: the sample of %" PRId64 " ms was not kept", job->sample->at_ms);
}

static void serve_history_done(struct work_job *work)
{
    struct serve_history_job *job = work->arg;

    serve_housekeeping.history_busy = false;
    if (job->synced)
        serve_housekeeping.history_synced_s = clock_wall_s();
}

/* Service thread: a sample newer than the last one handed over gets ONE job (never two
 * in flight); it also lists the domains at the first job and then hourly. */
static void serve_history_tick(struct serve_housekeeping *hk)
{
    struct app *app = hk->app;
    struct serve_history_job *job;
    struct metrics_sample *sample;

    if (!app->history || hk->history_busy || !(sample = metrics_latest_get(app->metrics)))
        return;
    if (sample->at_ms <= hk->history_last_ms) {
        metrics_sample_unref(sample);
        return;
    }
    job = xcalloc(1, sizeof(*job));
    job->app = app;
    job->sample = sample;
    job->sync = !hk->history_synced_s || clock_wall_s() - hk->history_synced_s >= 3600;
    hk->history_last_ms = sample->at_ms;
    if (work_pool_submit(app->pool, work_job_new(0, serve_history_run, serve_history_done, job,
                                                 serve_history_job_free)) < 0) {
        log_warn("worker queue full, a metrics sample was not kept");
        return;
    }
    hk->history_busy = true;
}

/* The housekeeping timer, every SERVE_TICK_MS on the service thread: closes the
 * sockets of every session that is no longer alive (expiry, logout, the CLI) with one
 * call, each the way its endpoint closes; the collection of figures when its interval has
 * passed (events_ws_tick); every 2 s the transfers' idle watch; at the first tick and every 60 s
 * the sessions' expiry and the audit log's pruning (audit_retention_days, audit_retention_rows),
 * one job. */
static void serve_tick(lws_sorted_usec_list_t *sul)
{
    struct serve_housekeeping *hk = lws_container_of(sul, struct serve_housekeeping, sul);
    struct app *app = hk->app;

    hk->ticks++;
    if (notify_watchdog_usec() > 0 &&
        clock_mono_ms() - hk->watchdog_sent_ms >= notify_watchdog_usec() / 2000) {
        hk->watchdog_sent_ms = clock_mono_ms();
        (void)notify_send("WATCHDOG=1"); /* a failure is logged; the manager then acts */
    }
    conn_sessions_check(app->conns);
    alerts_tick(app->alerts, clock_wall_ms());       /* a job when there is news */
    events_ws_tick(app->events_ws, clock_mono_ms()); /* the collection: its own interval */
    if (hk->ticks % (SERVE_TRANSFER_EVERY_MS / SERVE_TICK_MS) == 0)
        transfer_tick(app->transfers);
    if (hk->ticks % (1000 / SERVE_TICK_MS) == 0)
        serve_history_tick(hk);
    if ((hk->ticks == 1 || hk->ticks % (SERVE_EXPIRE_EVERY_MS / SERVE_TICK_MS) == 0) &&
        work_pool_submit(app->pool, work_job_new(0, serve_expire_run, NULL, app, NULL)) < 0)
        log_warn("worker queue full, session expiry postponed");
    lws_sul_schedule(hk->ctx, 0, &hk->sul, serve_tick, SERVE_TICK_MS * LWS_US_PER_MS);
}

/* The service thread was woken (lws_cancel_service): the other threads' news. */
static void serve_on_wake(void *ctx)
{
    struct app *app = ctx;

    inbox_drain(app->inbox);
}

/* The route table's endpoints: every route not named here is the JSON API's. */
static void serve_route_endpoints(struct app *app)
{
    conn_server_route(app->conns, ROUTE_STATIC, &static_endpoint, app->static_files);
    conn_server_route(app->conns, ROUTE_EVENTS, &events_ws_endpoint, app->events_ws);
    conn_server_route(app->conns, ROUTE_CONSOLE, &console_endpoint, app->consoles);
    conn_server_route(app->conns, ROUTE_SERIAL, &serial_endpoint, app->serials);
    conn_server_route(app->conns, ROUTE_VOLUME_CONTENT, &transfer_endpoint, app->transfers);
}

static void serve_housekeeping_start(struct app *app, struct lws_context *ctx)
{
    memset(&serve_housekeeping, 0, sizeof(serve_housekeeping));
    serve_housekeeping.app = app;
    serve_housekeeping.ctx = ctx;
    lws_sul_schedule(ctx, 0, &serve_housekeeping.sul, serve_tick, SERVE_TICK_MS * LWS_US_PER_MS);
}

static void serve_housekeeping_stop(void)
{
    if (serve_housekeeping.ctx)
        lws_sul_cancel(&serve_housekeeping.sul);
    serve_housekeeping.ctx = NULL;
}

/* pam = on: the group → role map and the helper, checked before serving (a bad group, a
 * role this build lacks, a helper that cannot run are start-up errors, logged). */
static struct auth_pam *serve_pam_new(const struct config *config)
{
    struct auth_pam_map map;
    char err[256];

    if (auth_pam_map_init(&map, (const char *const *)config->pam_groups, err, sizeof(err)) < 0) {
        log_error("%s", err);
        return NULL;
    }
    if (access(config->pam_helper, X_OK) < 0) {
        log_error("pam_helper %s cannot be run: %s", config->pam_helper, strerror(errno));
        return NULL;
    }
    log_info("pam: system accounts log in through %s", config->pam_helper);
    return auth_pam_new(config->pam_helper, &map);
}

/* Creates the first admin when the user table is empty, with 20 random characters or
 * the policy's minimum if that is longer. Returns 0 or -1. */
static int serve_ensure_admin(sqlite3 *db, const char *state_dir)
{
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    unsigned char raw[AUTH_PASSWORD_MAX_BYTES];
    char password[sizeof(raw) + 1];
    size_t len = auth_password_policy_min() > 20 ? (size_t)auth_password_policy_min() : 20;
    char *path = NULL;
    struct app_error err;
    FILE *f = NULL;
    int fd = -1;
    int ret = -1;

    if (auth_users_count(db) != 0)
        return auth_users_count(db) > 0 ? 0 : -1;
    if (RAND_bytes(raw, (int)len) != 1)
        goto cleanup;
    for (size_t i = 0; i < len; i++)
        password[i] = alphabet[raw[i] % (sizeof(alphabet) - 1)];
    password[len] = '\0';
    app_error_clear(&err);
    if (auth_users_add(db, "admin", AUTH_ROLE_ADMIN, password, &err) < 0) {
        log_error("cannot create the first admin: %s", err.message);
        goto cleanup;
    }
    path = xasprintf("%s/initial-admin-password", state_dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || fchmod(fd, 0600) < 0 || !(f = fdopen(fd, "w"))) {
        log_error("cannot write %s: %s", path, strerror(errno));
        goto cleanup;
    }
    fd = -1;
    fprintf(f, "%s\n", password);
    printf("virtdeck: created user 'admin' with password: %s\n"
           "virtdeck: (also written to %s)\n",
           password, path);
    fflush(stdout);
    ret = 0;

cleanup:
    if (f)
        fclose(f);
    if (fd >= 0)
        close(fd);
    free(path);
    OPENSSL_cleanse(password, sizeof(password));
    OPENSSL_cleanse(raw, sizeof(raw));
    return ret;
}

static void serve_reload_certificate(struct app *app, const char *cert, const char *key)
{
    SSL_CTX *ctx = (SSL_CTX *)http_server_ssl_ctx(app->http);

    if (!ctx) {
        log_warn("SIGHUP: no TLS context to reload into");
        return;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        log_error("SIGHUP: could not reload certificate %s / key %s; new connections may fail",
                  cert, key);
        return;
    }
    log_info("SIGHUP: reloaded certificate %s", cert);
}

/* Applies the live keys of c (which must outlive the next call: the connection layer
 * borrows its strings). Service thread. */
static void serve_settings_apply(struct app *app, struct api_services *api, const struct config *c)
{
    enum log_level level;

    if (log_level_parse(c->log_level, &level) == 0)
        log_set_level(level);
    auth_sessions_set_limits(app->sessions, c->session_idle_s, c->session_max_s);
    api->session_max_s = c->session_max_s;
    conn_server_set_settings(app->conns, c->allowed_origins, c->metrics_token, app->listen_host,
                             c->server_names);
    events_ws_set_intervals(app->events_ws, (int64_t)c->metrics_interval_s * 1000,
                            (int64_t)c->metrics_interval_watched_s * 1000);
}

/* SIGHUP's rereading: fresh replaces *reloaded (owned, zeroed until the first reload) as
 * the running configuration when it loads; otherwise every old value stays. *running is
 * what the daemon runs with (config, then reloaded). Logs one line of the applied keys and
 * one of those that need a restart. Service thread. */
static void serve_reload_settings(struct app *app, struct api_services *api,
                                  const struct serve_reloader *reloader, struct config *reloaded,
                                  const struct config **running)
{
    struct config fresh;
    char err[512] = "";
    char applied[1024] = "", restart[1024] = "";

    config_init(&fresh);
    if (reloader->load(reloader->ctx, &fresh, err, sizeof(err)) < 0) {
        log_error("SIGHUP: configuration not reloaded, every old value kept: %s", err);
        goto cleanup;
    }
    config_reload_diff(&fresh, *running, applied, sizeof(applied), restart, sizeof(restart));
    serve_settings_apply(app, api, &fresh); /* before the old strings go */
    config_free(reloaded);
    *reloaded = fresh;
    memset(&fresh, 0, sizeof(fresh));
    *running = reloaded;
    log_info("SIGHUP: configuration reloaded; applied: %s", applied[0] ? applied : "(no change)");
    if (restart[0])
        log_warn("SIGHUP: changed but only applied by a restart: %s", restart);

cleanup:
    config_free(&fresh);
}

/* The listen host as one numeric address (a name is resolved once, here). lws 4.1.6
 * binds its "iface" by interface name or numeric address, but with IPv6 on it parses an
 * IPv4 literal into the wrong field of a sockaddr_in6 and binds "::", every interface;
 * so the caller turns IPv6 off for an IPv4 address. Returns 0 or -1 (logged). */
static int serve_resolve_listen(const char *host, char *numeric, size_t numeric_len, bool *ipv4)
{
    struct addrinfo hints, *found = NULL;
    int rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, NULL, &hints, &found);
    if (rc != 0 || !found) {
        log_error("listen: cannot resolve %s: %s", host, gai_strerror(rc));
        return -1;
    }
    *ipv4 = found->ai_family == AF_INET;
    rc = getnameinfo(found->ai_addr, found->ai_addrlen, numeric, (socklen_t)numeric_len, NULL, 0,
                     NI_NUMERICHOST);
    freeaddrinfo(found);
    if (rc != 0) {
        log_error("listen: cannot use the address of %s: %s", host, gai_strerror(rc));
        return -1;
    }
    return 0;
}

/* The lws context and its one vhost: listening on config's listen address, or (listen_fd
 * >= 0, socket activation) on no socket of its own, the passed one adopted by the caller. */
static struct lws_context *serve_create_context(struct app *app, const struct config *config,
                                                int listen_fd, const char *cert, const char *key)
{
    struct lws_context_creation_info info;
    char address[NI_MAXHOST];
    bool ipv4 = false;

    memset(&info, 0, sizeof(info));
    if (listen_fd >= 0) {
        info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
    } else {
        if (serve_resolve_listen(config->listen_host, address, sizeof(address), &ipv4) < 0)
            return NULL;
        info.port = config->listen_port;
        info.iface = address;
    }
    info.protocols = http_server_protocols(app->http);
    info.user = app->http;
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_VALIDATE_UTF8 |
                   LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
    if (ipv4)
        info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    info.ssl_cert_filepath = cert;
    info.ssl_private_key_filepath = key;
    info.ssl_cipher_list = SERVE_CIPHERS_TLS12;
    info.tls1_3_plus_cipher_list = SERVE_CIPHERS_TLS13;
    info.ssl_options_set =
        (long)(SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_COMPRESSION |
               SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    info.alpn = "http/1.1";
    info.server_string = "virtdeck";
    info.max_http_header_data = 8192;
    /* header buffers are allocated as connections need them; conn_limits keeps one
     * address from holding many, and only for first_request_timeout */
    info.max_http_header_pool = 1024;
    info.timeout_secs = 10;
    info.keepalive_timeout = 10; /* also bounds how long a client may take to send its headers */
    info.pt_serv_buf_size = 32 * 1024;
    return lws_create_context(&info);
}

/* When serve_run began (Unix time): GET /metrics's virtdeck_start_time_seconds. */
static double serve_started_s;

/* GET /metrics's daemon figures (api_services.health): read on the service thread, where
 * the console count lives. */
static void serve_metrics_health(void *ctx, struct metrics_daemon *out)
{
    struct app *app = ctx;

    out->libvirt_connected = virt_conn_is_connected(app->virt);
    out->has_sessions = true;
    out->sessions = auth_sessions_count(app->sessions);
    out->has_consoles = true;
    out->consoles = console_hub_open(app->consoles) + serial_hub_open(app->serials);
    out->has_queue = true;
    out->queue_depth = work_pool_queued(app->pool);
    out->start_time_s = serve_started_s;
    out->http = conn_server_metrics(app->conns);
}

/* The connection layer, the endpoints' own state (what each uses of app, named once
 * here) and the lws protocol that feeds it. api is serve_run's and outlives the lws
 * context. */
static void serve_connections_new(struct app *app, struct api_services *api)
{
    static const struct lws_protocols vnc_raw = {
        CONSOLE_RAW_PROTOCOL, console_raw_callback, 0, 0, 0, NULL, 0};
    const struct config *config = app->config;
    struct conn_server_options conn_options = {
        .io = http_server_io(),
        .sessions = app->sessions,
        .tokens = app->tokens,
        .owners = app->owners,
        .allowed_origins = config->allowed_origins,
        .metrics_token = config->metrics_token,
        .listen_host = app->listen_host,
        .server_names = config->server_names,
        .api = &api_endpoint,
        .api_ctx = api,
    };
    struct http_server_options http_options = {
        .max_connections = config->max_connections_per_address,
        .max_handshakes = config->max_handshakes_per_address,
        .first_request_ms = (int64_t)config->first_request_timeout_s * 1000,
        .on_wake = serve_on_wake,
        .wake_ctx = app,
        .extra = &vnc_raw,
    };
    struct events_ws_deps events_deps;

    app->conns = conn_server_new(&conn_options);
    *api = (struct api_services){
        .db = app->db,
        .sessions = app->sessions,
        .tokens = app->tokens,
        .throttle = app->throttle,
        .owners = app->owners,
        .approved = app->approved,
        .quota = app->quota,
        .session_max_s = config->session_max_s,
        .totp_required_for_admins = config->totp_required_for_admins,
        .pam = app->pam,
        .virt = app->virt,
        .pool = app->pool,
        .password_lane = app->password_lane,
        .conns = app->conns,
        .jobs = app->jobs,
        .metrics = app->metrics,
        .health = serve_metrics_health,
        .health_ctx = app,
        .history = app->history,
        .alerts = app->alerts,
    };
    events_deps = (struct events_ws_deps){
        .hub = app->events,
        .pool = app->pool,
        .virt = app->virt,
        .sampler = app->sampler,
        .conns = app->conns,
        .metrics = app->metrics,
        .interval_ms = (int64_t)config->metrics_interval_s * 1000,
        .interval_watched_ms = (int64_t)config->metrics_interval_watched_s * 1000,
    };
    app->events_ws = events_ws_new(&events_deps);
    app->consoles = console_hub_new(&(struct console_deps){
        .pool = app->pool, .db = app->db, .virt = app->virt, .conns = app->conns});
    app->serials = serial_hub_new(&(struct serial_deps){
        .virt = app->virt, .inbox = app->inbox, .pool = app->pool, .db = app->db});
    app->transfers = transfer_hub_new(&(struct transfer_deps){
        .virt = app->virt, .inbox = app->inbox, .db = app->db, .conns = app->conns});
    serve_route_endpoints(app);
    http_options.conns = app->conns;
    app->http = http_server_new(&http_options);
}

static void serve_lws_log(int level, const char *line)
{
    size_t n = strlen(line);

    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    if (level & LLL_ERR)
        log_error("lws: %.*s", (int)n, line);
    else
        log_warn("lws: %.*s", (int)n, line);
}

int serve_run(const struct config *config, const struct serve_reloader *reloader)
{
    struct config reloaded; /* owned: the configuration since the last good SIGHUP */
    const struct config *running = config;
    struct app app;
    struct api_services api;
    struct app_error err;
    struct virt_conn_callbacks callbacks;
    struct lws_context *ctx = NULL;
    struct store_watch *watch = NULL;
    struct listen_fd passed; /* socket activation: passed.fd >= 0 */
    char *tls_dir = NULL, *cert = NULL, *key = NULL;
    char listen_err[256];
    int ret = 1;

    /* Workers build large JSON documents; with one malloc arena per thread the freed
     * memory stays scattered over many arenas. Two arenas keep the idle footprint
     * small at no measurable cost (the workers mostly wait on libvirt). */
    mallopt(M_ARENA_MAX, SERVE_MALLOC_ARENAS);
    memset(&app, 0, sizeof(app));
    memset(&reloaded, 0, sizeof(reloaded));
    notify_init(); /* before any thread */
    app.config = config;
    app.listen_host = config->listen_host;
    app.listen_port = config->listen_port;
    switch (listen_fds_take(&passed, listen_err, sizeof(listen_err))) { /* before any thread */
    case 1:
        app.listen_host = passed.host;
        app.listen_port = passed.port;
        log_info("listening on the socket the service manager passed (%s port %d), not on "
                 "listen = %s:%d",
                 passed.host, passed.port, config->listen_host, config->listen_port);
        break;
    case 0:
        break;
    default:
        log_error("socket activation: %s", listen_err);
        goto cleanup;
    }
    serve_started_s = (double)clock_wall_s();
    atomic_store(&serve_stop, false);
    atomic_store(&serve_reload, false);
    serve_signals_block(); /* before the first thread starts */
    if (serve_signals_start() < 0)
        goto cleanup;
    app_error_clear(&err);
    lws_set_log_level(LLL_ERR | LLL_WARN, serve_lws_log);

    if (!(app.db = store_open(config->state_dir, &err))) {
        log_error("cannot open the database in %s: %s", config->state_dir, err.message);
        goto cleanup;
    }
    auth_password_policy_set_min(config->password_min_length); /* before the workers */
    if (serve_ensure_admin(app.db, config->state_dir) < 0)
        goto cleanup;
    /* a history that cannot open (a damaged file) costs the graphs, not the daemon */
    if (!(app.history = metrics_history_open(
              config->state_dir, (int64_t)config->metrics_keep_deleted_hours * 3600, &err))) {
        log_error("metrics history unavailable: %s", err.message);
        app_error_clear(&err);
    }
    if (!(app.sessions = auth_sessions_new(app.db, config->session_idle_s, config->session_max_s)))
        goto cleanup;
    if (!(app.tokens = auth_tokens_new(app.db)))
        goto cleanup;
    if (!(app.owners = auth_owners_new(app.db)))
        goto cleanup;
    if (!(app.approved = auth_approved_new(app.db)))
        goto cleanup;
    app.quota = auth_quota_new();
    if (!(watch = store_watch_new(app.db, SERVE_WATCH_MS, serve_on_store_change, &app)))
        goto cleanup;
    app.throttle = auth_throttle_new();
    if (config->pam && !(app.pam = serve_pam_new(config)))
        goto cleanup;
    if (config->cert_file) {
        cert = xstrdup(config->cert_file);
        key = xstrdup(config->key_file);
    } else {
        tls_dir = xasprintf("%s/tls", config->state_dir);
        if (tls_cert_ensure(tls_dir, &err) < 0) {
            log_error("cannot prepare a TLS certificate: %s", err.message);
            goto cleanup;
        }
        cert = xasprintf("%s/virtdeck.crt", tls_dir);
        key = xasprintf("%s/virtdeck.key", tls_dir);
    }
    if (!(app.static_files = static_files_new(config->web_root))) {
        log_error("web root %s is not usable", config->web_root);
        goto cleanup;
    }
    app.inbox = inbox_new(SERVE_INBOX_CAPACITY(config->workers), serve_wake, NULL);
    app.events = events_hub_new(app.inbox, serve_on_events_news, &app);
    events_hub_use_owners(app.events, app.owners);
    events_hub_use_approved(app.events, app.approved);
    auth_owners_on_change(app.owners, serve_on_owners_change, &app);
    app.lifecycle = metrics_lifecycle_new();
    app.sampler = virt_stats_sampler_new(app.lifecycle);
    app.metrics = xcalloc(1, sizeof(*app.metrics));
    metrics_latest_init(app.metrics);
    if (!(app.pool = work_pool_new((unsigned)config->workers, app.inbox)) ||
        !(app.password_lane =
              work_pool_new_lane(app.pool, SERVE_PASSWORD_THREADS, SERVE_PASSWORD_MAX_PENDING)))
        goto cleanup;
    if (!(app.feed = events_feed_new(app.events, app.pool, app.inbox)))
        goto cleanup;
    if (!(app.alerts = alerts_new(
              &(struct alerts_options){
                  .db = app.db,
                  .pool = app.pool,
                  .metrics = app.metrics,
                  .config_rules = config->alert_rules,
                  .deliver = {.webhook_url = config->alert_webhook_url,
                              .retry_minutes = config->alert_webhook_retry_minutes,
                              .email_to = config->alert_email_to,
                              .sendmail = config->alert_sendmail},
                  .post = serve_post_alert,
                  .post_ctx = &app,
              },
              &err))) {
        log_error("alerts: %s", err.message);
        goto cleanup;
    }

    callbacks.on_host_state = serve_on_host_state;
    callbacks.on_domain_event = serve_on_domain_event;
    callbacks.on_resource_event = serve_on_resource_event;
    callbacks.ctx = &app;
    if (!(app.virt = virt_conn_new(config->uri, &callbacks)))
        goto cleanup;
    if (!(app.jobs = api_runner_new(&(struct api_runner_deps){.pool = app.pool,
                                                              .virt = app.virt,
                                                              .post = serve_post_job,
                                                              .post_ctx = &app,
                                                              .db = app.db})))
        goto cleanup;
    serve_connections_new(&app, &api); /* the endpoints name the libvirt connection */
    /* Serve only once libvirt answers, so the first requests do not see 503; if it
     * does not come up, serve anyway (503 until it does) and keep reconnecting. */
    if (!virt_conn_wait_connected(app.virt, SERVE_LIBVIRT_WAIT_MS))
        log_warn("libvirt %s is not reachable yet; serving anyway and retrying", config->uri);

    if (!(ctx = serve_create_context(&app, config, passed.fd, cert, key))) {
        log_error("cannot listen on %s:%d with TLS", app.listen_host, app.listen_port);
        goto cleanup;
    }
    if (passed.fd >= 0) {
        if (http_server_adopt_listener(ctx, passed.fd) < 0) {
            log_error("cannot serve the socket the service manager passed");
            goto cleanup;
        }
        passed.fd = -1; /* lws's now */
    }
    pthread_mutex_lock(&serve_wake_lock);
    serve_context = ctx;
    pthread_mutex_unlock(&serve_wake_lock);

    serve_housekeeping_start(&app, ctx);

    printf("virtdeck: serving https://%s%s%s:%d/ (libvirt %s)\n",
           strchr(app.listen_host, ':') ? "[" : "", app.listen_host,
           strchr(app.listen_host, ':') ? "]" : "", app.listen_port, config->uri);
    fflush(stdout);
    (void)notify_send("READY=1\nSTATUS=serving https://%s%s%s:%d/",
                      strchr(app.listen_host, ':') ? "[" : "", app.listen_host,
                      strchr(app.listen_host, ':') ? "]" : "", app.listen_port);

    while (!atomic_load(&serve_stop)) {
        if (lws_service(ctx, 0) < 0)
            break;
        if (atomic_exchange(&serve_reload, false)) {
            (void)notify_reloading();
            if (reloader)
                serve_reload_settings(&app, &api, reloader, &reloaded, &running);
            serve_reload_certificate(&app, cert, key);
            (void)notify_send("READY=1");
        }
    }
    (void)notify_send("STOPPING=1");
    log_info("shutting down");
    ret = 0;

cleanup:
    if (passed.fd >= 0)
        close(passed.fd);
    serve_housekeeping_stop();
    pthread_mutex_lock(&serve_wake_lock);
    serve_context = NULL;
    pthread_mutex_unlock(&serve_wake_lock);
    if (ctx)
        lws_context_destroy(ctx);
    /* releases its pumps (the consoles' went with their sockets) */
    transfer_hub_free(app.transfers);
    if (virt_pump_wait_all(SERVE_PUMP_WAIT_MS)) /* while libvirt's loop runs: they close */
        log_warn("stream pumps still blocked in libvirt at shutdown");
    serial_hub_free(app.serials);
    work_pool_free(app.password_lane); /* before the pool its finished jobs go to */
    api_runner_free(app.jobs);         /* its lane, likewise: running copies finish */
    events_feed_stop(app.feed);        /* its lane, likewise */
    work_pool_free(app.pool);
    virt_osinfo_shared_free(); /* the workers that read it are gone */
    virt_caps_cache_free();
    virt_conn_free(app.virt);
    events_feed_free(app.feed); /* after virt-events, which posts into it */
    alerts_free(app.alerts); /* after the pool (no evaluation job) and virt-events, virt-connect */
    store_watch_free(watch); /* before the sessions it syncs */
    virt_stats_sampler_free(app.sampler);
    metrics_lifecycle_free(app.lifecycle); /* after virt-events, which records into it */
    if (app.metrics)
        metrics_latest_destroy(app.metrics);
    free(app.metrics);
    http_server_free(app.http);
    conn_server_free(app.conns);
    events_ws_free(app.events_ws); /* after the connections and the jobs that use it */
    console_hub_free(app.consoles);
    events_hub_free(app.events);
    inbox_free(app.inbox); /* after every poster above */
    static_files_free(app.static_files);
    auth_sessions_free(app.sessions);
    auth_tokens_free(app.tokens);
    auth_owners_free(app.owners);
    auth_approved_free(app.approved);
    auth_quota_free(app.quota);
    auth_throttle_free(app.throttle);
    auth_pam_free(app.pam);
    store_close(app.db);
    metrics_history_close(app.history); /* after the workers and virt-events that use it */
    free(tls_dir);
    free(cert);
    free(key);
    serve_signals_stop();
    config_free(&reloaded); /* after the connection layer that borrowed its strings */
    return ret;
}
