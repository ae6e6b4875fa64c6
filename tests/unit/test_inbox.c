/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_inbox: server/work/inbox.c — items run in post order, a post of a queued item
 * coalesces, the capacity refuses the post past it (counting what a running drain has not
 * reached yet), cancel takes an item out (also from a drain in progress), run() may
 * re-post its item (it then waits for the next drain), wake is called once per
 * empty → non-empty, and several posting threads with one draining thread run every item
 * exactly once, in each thread's order, with no wake lost.
 *
 * Threads: the test thread drains (it plays the service thread); the last test adds
 * posting threads. Every wait has a deadline, so a lost wake fails instead of hanging. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "wakes.h"
#include "work/inbox.h"

#define WAIT_S 2

static struct wakes w = WAKES_INIT;

static void on_wake(void *ctx)
{
    wakes_note(&w, ctx);
}

/* The order items ran in (test thread only). */
static int ran[64];
static unsigned nran;

struct thing {
    int id;
    struct inbox_item item;
    struct inbox *inbox;    /* borrowed: for the items that post from run() */
    int reposts;            /* run() posts the item again this many more times */
    struct thing *posts[2]; /* run() posts these... */
    int post_results[2];    /* ...and records what inbox_post returned */
    struct thing *cancels;  /* run() cancels this one */
};

static void thing_run(struct inbox_item *item)
{
    struct thing *t = inbox_item_owner(item, struct thing, item);

    assert_false(item->queued);
    assert_true(nran < sizeof(ran) / sizeof(ran[0]));
    ran[nran++] = t->id;
    if (t->reposts > 0) {
        t->reposts--;
        assert_int_equal(inbox_post(t->inbox, &t->item), 0);
    }
    for (int i = 0; i < 2; i++)
        if (t->posts[i])
            t->post_results[i] = inbox_post(t->inbox, &t->posts[i]->item);
    if (t->cancels)
        inbox_cancel(t->inbox, &t->cancels->item);
}

static void thing_init(struct thing *t, int id, struct inbox *inbox)
{
    memset(t, 0, sizeof(*t));
    t->id = id;
    t->inbox = inbox;
    inbox_item_init(&t->item, thing_run);
}

static void assert_ran(const int *want, unsigned n)
{
    assert_int_equal(nran, n);
    for (unsigned i = 0; i < n; i++)
        if (ran[i] != want[i])
            fail_msg("item %u: ran %d, expected %d", i, ran[i], want[i]);
}

static int setup(void **state)
{
    wakes_reset(&w);
    nran = 0;
    return 0;
}

static int teardown(void **state)
{
    assert_int_equal(w.bad_ctx, 0);
    return 0;
}

static void test_order(void **state)
{
    struct inbox *inbox = inbox_new(8, on_wake, &w);
    struct thing t[4];
    static const int want[] = {3, 1, 4, 2};

    for (int i = 0; i < 4; i++)
        thing_init(&t[i], i + 1, inbox);
    assert_ptr_equal(inbox_item_owner(&t[2].item, struct thing, item), &t[2]);
    for (int i = 0; i < 4; i++)
        assert_int_equal(inbox_post(inbox, &t[want[i] - 1].item), 0);
    assert_true(t[0].item.queued);
    assert_int_equal(nran, 0); /* nothing runs before the drain */
    inbox_drain(inbox);
    assert_ran(want, 4);
    for (int i = 0; i < 4; i++)
        assert_false(t[i].item.queued);
    /* An empty drain runs nothing. */
    inbox_drain(inbox);
    assert_int_equal(nran, 4);
    inbox_free(inbox);
    inbox_free(NULL);
}

static void test_coalesce(void **state)
{
    struct inbox *inbox = inbox_new(8, on_wake, &w);
    struct thing a, b;
    static const int want[] = {1, 2, 1};

    thing_init(&a, 1, inbox);
    thing_init(&b, 2, inbox);
    assert_int_equal(inbox_post(inbox, &a.item), 0);
    assert_int_equal(inbox_post(inbox, &b.item), 0);
    assert_int_equal(inbox_post(inbox, &a.item), 0); /* waits already: keeps its place */
    assert_int_equal(inbox_post(inbox, &a.item), 0);
    inbox_drain(inbox);
    assert_ran(want, 2);
    /* Once run, it is posted anew. */
    assert_int_equal(inbox_post(inbox, &a.item), 0);
    inbox_drain(inbox);
    assert_ran(want, 3);
    inbox_free(inbox);
}

static void test_capacity(void **state)
{
    struct inbox *inbox = inbox_new(2, on_wake, &w);
    struct thing a, b, c, d;
    static const int want[] = {1, 2, 3, 4, 1, 2};

    thing_init(&a, 1, inbox);
    thing_init(&b, 2, inbox);
    thing_init(&c, 3, inbox);
    thing_init(&d, 4, inbox);
    assert_int_equal(inbox_post(inbox, &a.item), 0);
    assert_int_equal(inbox_post(inbox, &b.item), 0);
    assert_int_equal(inbox_post(inbox, &c.item), -1); /* full: refused, not queued */
    assert_false(c.item.queued);
    assert_int_equal(inbox_post(inbox, &a.item), 0); /* coalescing needs no room */
    assert_int_equal(wakes_get(&w), 1);              /* the refused post did not wake */

    /* While a drain runs a, b still waits: one place is free, not two. */
    a.posts[0] = &c;
    a.posts[1] = &d;
    inbox_drain(inbox);
    assert_int_equal(a.post_results[0], 0);
    assert_int_equal(a.post_results[1], -1);
    assert_ran(want, 2);
    assert_true(c.item.queued);
    assert_false(d.item.queued);
    a.posts[0] = a.posts[1] = NULL;

    /* c waits; a fills the inbox; cancelling it makes room for d. */
    assert_int_equal(inbox_post(inbox, &a.item), 0);
    assert_int_equal(inbox_post(inbox, &d.item), -1);
    inbox_cancel(inbox, &a.item);
    assert_false(a.item.queued);
    assert_int_equal(inbox_post(inbox, &d.item), 0);
    assert_int_equal(inbox_post(inbox, &a.item), -1);
    inbox_drain(inbox);
    assert_ran(want, 4);

    /* Drained: room for capacity items again. */
    assert_int_equal(inbox_post(inbox, &a.item), 0);
    assert_int_equal(inbox_post(inbox, &b.item), 0);
    inbox_drain(inbox);
    assert_ran(want, 6);
    inbox_free(inbox);
}

static void test_cancel(void **state)
{
    struct inbox *inbox = inbox_new(8, on_wake, &w);
    struct thing t[5];
    static const int want[] = {1, 3, 5, 1, 3, 1};
    unsigned before;

    for (int i = 0; i < 5; i++) {
        thing_init(&t[i], i + 1, inbox);
        assert_int_equal(inbox_post(inbox, &t[i].item), 0);
    }
    inbox_cancel(inbox, &t[1].item); /* middle */
    inbox_cancel(inbox, &t[3].item); /* then the one before the tail */
    inbox_cancel(inbox, &t[4].item); /* the tail: the next post goes after 3 */
    inbox_cancel(inbox, &t[4].item); /* not queued: nothing happens */
    assert_false(t[1].item.queued);
    assert_int_equal(inbox_post(inbox, &t[4].item), 0);
    inbox_drain(inbox);
    assert_ran(want, 3);

    /* From inside a drain: 1 cancels 2, which the drain had not reached. */
    t[0].cancels = &t[1];
    for (int i = 0; i < 3; i++)
        assert_int_equal(inbox_post(inbox, &t[i].item), 0);
    inbox_drain(inbox);
    assert_ran(want, 5);
    assert_false(t[1].item.queued);
    t[0].cancels = NULL;

    /* Cancelling the only item leaves an empty inbox: the next post wakes again. */
    before = wakes_get(&w);
    assert_int_equal(inbox_post(inbox, &t[0].item), 0);
    inbox_cancel(inbox, &t[0].item);
    assert_int_equal(inbox_post(inbox, &t[0].item), 0);
    assert_int_equal(wakes_get(&w), before + 2);
    inbox_drain(inbox);
    assert_ran(want, 6);
    inbox_free(inbox);
}

/* run() re-posts its item: it is not run twice in one drain; the next drain runs it. */
static void test_repost_from_run(void **state)
{
    struct inbox *inbox = inbox_new(4, on_wake, &w);
    struct thing a, b;
    static const int want[] = {1, 2, 1, 1};

    thing_init(&a, 1, inbox);
    thing_init(&b, 2, inbox);
    a.reposts = 2;
    assert_int_equal(inbox_post(inbox, &a.item), 0);
    assert_int_equal(inbox_post(inbox, &b.item), 0);
    assert_int_equal(wakes_get(&w), 1);
    inbox_drain(inbox);
    assert_ran(want, 2);
    assert_true(a.item.queued);
    assert_int_equal(wakes_get(&w), 2); /* the re-post found the inbox empty: a wake */
    inbox_drain(inbox);
    assert_ran(want, 3);
    inbox_drain(inbox);
    assert_ran(want, 4);
    assert_false(a.item.queued);
    assert_int_equal(wakes_get(&w), 3);
    inbox_drain(inbox);
    assert_int_equal(nran, 4);
    inbox_free(inbox);
}

/* Nested: a drain called from run() returns at once (the outer one keeps order). */
static struct inbox *nested_inbox;

static void nested_run(struct inbox_item *item)
{
    assert_true(nran < sizeof(ran) / sizeof(ran[0]));
    ran[nran++] = 0;
    inbox_drain(nested_inbox);
}

static void test_wake_once(void **state)
{
    struct inbox *inbox = inbox_new(8, on_wake, &w);
    struct thing t[4];
    struct inbox_item nested;
    static const int want[] = {1, 0, 2, 3};

    for (int i = 0; i < 4; i++)
        thing_init(&t[i], i + 1, inbox);
    assert_int_equal(wakes_get(&w), 0);
    assert_int_equal(inbox_post(inbox, &t[0].item), 0);
    assert_int_equal(wakes_get(&w), 1);
    assert_int_equal(inbox_post(inbox, &t[1].item), 0); /* not empty: no wake */
    assert_int_equal(inbox_post(inbox, &t[0].item), 0); /* coalesced: no wake */
    assert_int_equal(wakes_get(&w), 1);
    inbox_drain(inbox);
    assert_int_equal(wakes_get(&w), 1); /* draining does not wake */
    assert_int_equal(inbox_post(inbox, &t[2].item), 0);
    assert_int_equal(inbox_post(inbox, &t[3].item), 0);
    assert_int_equal(wakes_get(&w), 2);
    inbox_drain(inbox);
    assert_int_equal(nran, 4);

    /* A drain inside run() does nothing; the outer drain runs the rest in order. */
    nran = 0;
    nested_inbox = inbox;
    inbox_item_init(&nested, nested_run);
    assert_int_equal(inbox_post(inbox, &t[0].item), 0);
    assert_int_equal(inbox_post(inbox, &nested), 0);
    assert_int_equal(inbox_post(inbox, &t[1].item), 0);
    assert_int_equal(inbox_post(inbox, &t[2].item), 0);
    inbox_drain(inbox);
    assert_ran(want, 4);
    assert_int_equal(wakes_get(&w), 3);
    inbox_free(inbox);
}

/* ---- several posting threads, one draining thread ---- */

enum { POSTERS = 4, PER_POSTER = 5000, SMALL_CAPACITY = 64 };

struct mt_item {
    struct inbox_item item;
    unsigned poster, seq;
    unsigned runs; /* draining thread */
};

static struct mt_item mt_items[POSTERS][PER_POSTER];
static struct inbox_item mt_flag; /* every poster posts it after each item: coalesces */
static unsigned mt_next[POSTERS]; /* draining thread: the seq each poster's next item must have */
static unsigned mt_total, mt_flag_runs, mt_out_of_order;

static void mt_run(struct inbox_item *item)
{
    struct mt_item *it = inbox_item_owner(item, struct mt_item, item);

    it->runs++;
    if (it->seq != mt_next[it->poster])
        mt_out_of_order++;
    mt_next[it->poster] = it->seq + 1;
    mt_total++;
}

static void mt_flag_run(struct inbox_item *item)
{
    mt_flag_runs++;
}

struct mt_poster {
    struct inbox *inbox;
    unsigned index;
    unsigned refused; /* posts refused for capacity (then retried) */
    bool gave_up;     /* a post was refused too long */
    unsigned flag_ok; /* flag posts accepted */
};

static void *mt_poster_main(void *opaque)
{
    struct mt_poster *p = opaque;

    for (unsigned i = 0; i < PER_POSTER && !p->gave_up; i++) {
        unsigned tries = 0;

        while (inbox_post(p->inbox, &mt_items[p->index][i].item) < 0) {
            p->refused++;
            if (++tries > 10000000) {
                p->gave_up = true;
                break;
            }
            sched_yield();
        }
        if (inbox_post(p->inbox, &mt_flag) == 0)
            p->flag_ok++;
    }
    return NULL;
}

static void test_threads(void **state)
{
    struct inbox *inbox = inbox_new(SMALL_CAPACITY, on_wake, &w);
    struct mt_poster posters[POSTERS];
    pthread_t threads[POSTERS];
    unsigned seen = 0, drains = 0, refused = 0, flag_ok = 0;

    memset(mt_items, 0, sizeof(mt_items));
    memset(mt_next, 0, sizeof(mt_next));
    mt_total = mt_flag_runs = mt_out_of_order = 0;
    inbox_item_init(&mt_flag, mt_flag_run);
    for (unsigned p = 0; p < POSTERS; p++) {
        for (unsigned i = 0; i < PER_POSTER; i++) {
            inbox_item_init(&mt_items[p][i].item, mt_run);
            mt_items[p][i].poster = p;
            mt_items[p][i].seq = i;
        }
        posters[p] = (struct mt_poster){.inbox = inbox, .index = p};
        assert_int_equal(pthread_create(&threads[p], NULL, mt_poster_main, &posters[p]), 0);
    }
    /* The service loop: drain only after a wake. A wake lost while items wait times out. */
    while (mt_total < POSTERS * PER_POSTER) {
        if (!wakes_wait(&w, seen, WAIT_S))
            fail_msg("no wake after %u of %u items (%u drains)", mt_total, POSTERS * PER_POSTER,
                     drains);
        seen = wakes_get(&w);
        inbox_drain(inbox);
        drains++;
    }
    for (unsigned p = 0; p < POSTERS; p++) {
        assert_int_equal(pthread_join(threads[p], NULL), 0);
        assert_false(posters[p].gave_up);
        refused += posters[p].refused;
        flag_ok += posters[p].flag_ok;
    }
    /* The flag's last post may still wait for a drain that its own wake asked for. */
    if (mt_flag.queued) {
        assert_true(wakes_wait(&w, seen, WAIT_S));
        inbox_drain(inbox);
        drains++;
    }
    assert_false(mt_flag.queued);

    for (unsigned p = 0; p < POSTERS; p++)
        for (unsigned i = 0; i < PER_POSTER; i++)
            if (mt_items[p][i].runs != 1)
                fail_msg("item %u of poster %u ran %u times", i, p, mt_items[p][i].runs);
    assert_int_equal(mt_out_of_order, 0);
    assert_int_equal(mt_total, POSTERS * PER_POSTER);
    /* The flag ran at least once and never more often than it was posted. */
    assert_true(mt_flag_runs >= 1);
    assert_true(mt_flag_runs <= flag_ok);
    /* At most one wake per drain that found the inbox non-empty (+ the last one). */
    assert_true(wakes_get(&w) <= drains + 1);
    print_message("%u items, %u drains, %u wakes, %u refused posts, flag ran %u times\n", mt_total,
                  drains, wakes_get(&w), refused, mt_flag_runs);
    inbox_free(inbox);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_coalesce, setup, teardown),
        cmocka_unit_test_setup_teardown(test_capacity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repost_from_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wake_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
