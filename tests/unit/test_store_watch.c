/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_store_watch: the store-watch thread of server/store/store_watch.c calls back
 * at its first look, again when the last call asked for it, and after each commit of
 * another connection, and stops promptly. Against a real SQLite store in a private
 * temp directory (removed afterwards); waits are bounded (5 s) and end as soon as the
 * callback ran. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"
#include "store/store_watch.h"
#include "util/clock.h"
#include "util/log.h"

#define WAIT_MS 5000

static char test_dir[] = "/tmp/virtdeck-test-watch.XXXXXX";

struct calls {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    unsigned n;     /* lock */
    unsigned again; /* lock: return true from the calls up to this one */
};

static bool on_change(void *ctx)
{
    struct calls *c = ctx;
    bool again;

    pthread_mutex_lock(&c->lock);
    c->n++;
    again = c->n <= c->again;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    return again;
}

/* Waits until at least n calls happened (or WAIT_MS passed); returns the count. */
static unsigned wait_calls(struct calls *c, unsigned n)
{
    struct timespec deadline;
    unsigned got;

    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += WAIT_MS / 1000;
    pthread_mutex_lock(&c->lock);
    while (c->n < n && pthread_cond_timedwait(&c->cond, &c->lock, &deadline) != ETIMEDOUT)
        continue;
    got = c->n;
    pthread_mutex_unlock(&c->lock);
    return got;
}

static void test_calls_back_on_other_commits(void **state)
{
    static const char *const files[] = {"virtdeck.db", "virtdeck.db-wal", "virtdeck.db-shm"};
    struct app_error err = {0};
    char dir[128];
    char path[256];
    sqlite3 *daemon, *cli;
    struct store_watch *watch;
    struct calls calls = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 1};
    int64_t start;

    snprintf(dir, sizeof(dir), "%s/db", test_dir);
    daemon = store_open(dir, &err);
    cli = store_open(dir, &err);
    assert_non_null(daemon);
    assert_non_null(cli);
    watch = store_watch_new(daemon, 10, on_change, &calls);
    assert_non_null(watch);
    assert_true(wait_calls(&calls, 1) >= 1); /* the first look */
    /* The first call asked for another look: it comes without any commit. */
    assert_true(wait_calls(&calls, 2) >= 2);

    store_audit(cli, "admin", NULL, "cli", NULL, "ok");
    assert_true(wait_calls(&calls, 3) >= 3);
    store_audit(cli, "admin", NULL, "cli", NULL, "again");
    assert_true(wait_calls(&calls, 4) >= 4);

    start = clock_mono_ms();
    store_watch_free(watch);
    assert_true(clock_mono_ms() - start < 1000);
    store_watch_free(NULL);

    store_close(cli);
    store_close(daemon);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
    assert_int_equal(rmdir(dir), 0);
}

static void test_refuses_bad_arguments(void **state)
{
    struct calls calls = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};

    assert_null(store_watch_new(NULL, 10, on_change, &calls));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calls_back_on_other_commits),
        cmocka_unit_test(test_refuses_bad_arguments),
    };
    int failed;

    log_set_level(LOG_ERROR);
    assert_non_null(mkdtemp(test_dir));
    failed = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(test_dir);
    return failed;
}
