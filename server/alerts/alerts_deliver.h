/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* alerts_deliver: sends alert messages out, off every other thread: a JSON POST to the
 * webhook (alert_webhook_url, http:// only) and, when alert_email_to is set, a mail piped
 * to `sendmail -t -i` (alert_sendmail) through util/spawn.c.
 *
 * DESIGN (threads): one "alerts-deliver" thread owns the sending. Any thread (the
 * evaluation worker, an API worker) queues a message with alerts_deliver_post, which
 * never blocks on the network: the queue is bounded (ALERTS_DELIVER_QUEUE_MAX); on
 * overflow the oldest waiting message is dropped and counted. Messages go out in order:
 * the webhook's head message is retried with backoff (1 s, 2 s, 4 s ... at most 60 s)
 * until the receiver answers 2xx, or given up once alert_webhook_retry_minutes have
 * passed since its first try; the next waits behind it, so a firing always reaches the
 * receiver before its resolution and each exactly once when the receiver answers. Each
 * message carries an "id" (the event's row and state) for receivers that deduplicate.
 * The mail is sent once per message (sendmail queues it itself). */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/app_error.h"

#define ALERTS_DELIVER_QUEUE_MAX 256

struct alerts_deliver;

struct alerts_deliver_options {
    const char *webhook_url;  /* borrowed for the call (copied); NULL or "": no webhook */
    int retry_minutes;        /* give a message up after this long (default 60) */
    const char *email_to;     /* borrowed (copied); NULL or "": no mail */
    const char *sendmail;     /* borrowed (copied); the sendmail program's path */
    int64_t backoff_first_ms; /* tests: the first retry's delay (0: 1000) */
};

/* Parses an http:// URL into host, port (default 80) and path (default "/"). Pure.
 * Returns 0, or -1 with a reason in err (400). */
int alerts_deliver_parse_url(const char *url, char *host, size_t hostlen, int *port, char *path,
                             size_t pathlen, struct app_error *err)
    __attribute__((warn_unused_result));

/* Starts the thread (nothing when neither a webhook nor a mail is configured: then
 * alerts_deliver_post only drops). Returns NULL with err for a bad URL or a thread that
 * does not start. Main thread. */
struct alerts_deliver *alerts_deliver_new(const struct alerts_deliver_options *options,
                                          struct app_error *err);
/* Stops the thread (an attempt in progress ends within its timeouts) and frees what is
 * left. NULL-safe. Main thread. */
void alerts_deliver_free(struct alerts_deliver *deliver);

/* Queues msg (taken). Any thread; never blocks on the network. */
void alerts_deliver_post(struct alerts_deliver *deliver, struct json_object *msg);

/* Messages dropped because the queue was full / given up after the retry time. */
uint64_t alerts_deliver_dropped(struct alerts_deliver *deliver);
uint64_t alerts_deliver_given_up(struct alerts_deliver *deliver);
