/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* alerts_deliver: the delivery thread, its bounded queue, the webhook POST and the mail
 * (see alerts_deliver.h for the design). */
#include "alerts/alerts_deliver.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/log.h"
#include "util/spawn.h"
#include "util/xalloc.h"

#define ALERTS_DELIVER_HOST_MAX    256
#define ALERTS_DELIVER_PATH_MAX    1024
#define ALERTS_DELIVER_TIMEOUT_MS  10000
#define ALERTS_DELIVER_BACKOFF_MAX 60000

struct alerts_deliver_item {
    struct json_object *msg; /* owned */
    bool mailed;
};

struct alerts_deliver {
    pthread_t thread;
    bool started;
    char host[ALERTS_DELIVER_HOST_MAX]; /* "" : no webhook */
    char path[ALERTS_DELIVER_PATH_MAX];
    int port;
    int64_t retry_ms;
    int64_t backoff_first_ms;
    char *email_to; /* owned; NULL: no mail */
    char *sendmail; /* owned */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    /* under lock: the waiting messages (the one being sent is the thread's) */
    struct alerts_deliver_item queue[ALERTS_DELIVER_QUEUE_MAX];
    unsigned head, count;
    bool stop;
    uint64_t dropped, given_up;
};

int alerts_deliver_parse_url(const char *url, char *host, size_t hostlen, int *port, char *path,
                             size_t pathlen, struct app_error *err)
{
    const char *p, *slash, *colon;
    size_t n;

    if (strncmp(url, "http://", 7) != 0) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST,
                      "alert_webhook_url: only http:// URLs are supported");
        return -1;
    }
    p = url + 7;
    slash = strchr(p, '/');
    n = slash ? (size_t)(slash - p) : strlen(p);
    colon = memchr(p, ':', n);
    *port = 80;
    if (colon) {
        char *end;
        long v = strtol(colon + 1, &end, 10);

        if (end != p + n || v < 1 || v > 65535 || colon + 1 == end) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "alert_webhook_url: bad port");
            return -1;
        }
        *port = (int)v;
        n = (size_t)(colon - p);
    }
    if (n == 0 || n >= hostlen || memchr(p, '@', n) || memchr(p, '[', n)) {
        app_error_set(err, 400, APP_ERR_BAD_REQUEST, "alert_webhook_url: bad host");
        return -1;
    }
    memcpy(host, p, n);
    host[n] = '\0';
    snprintf(path, pathlen, "%s", slash ? slash : "/");
    for (const char *c = path; *c; c++) {
        if ((unsigned char)*c <= 0x20 || *c == 0x7f) {
            app_error_set(err, 400, APP_ERR_BAD_REQUEST, "alert_webhook_url: bad path");
            return -1;
        }
    }
    return 0;
}

/* ---- the webhook ---------------------------------------------------------------------- */

static int alerts_deliver_wait_fd(int fd, short events, int64_t deadline_ms)
{
    struct pollfd pfd = {.fd = fd, .events = events};
    int64_t left = deadline_ms - clock_mono_ms();
    int rc;

    if (left <= 0)
        return -1;
    do
        rc = poll(&pfd, 1, (int)left);
    while (rc < 0 && errno == EINTR);
    return rc > 0 ? 0 : -1;
}

static int alerts_deliver_connect(const struct alerts_deliver *d, int64_t deadline_ms)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    char port[8];
    int fd = -1;

    snprintf(port, sizeof(port), "%d", d->port);
    if (getaddrinfo(d->host, port, &hints, &res) != 0)
        return -1;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        int soerr = 0;
        socklen_t len = sizeof(soerr);

        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
            (errno == EINPROGRESS && alerts_deliver_wait_fd(fd, POLLOUT, deadline_ms) == 0 &&
             getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0))
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

/* One POST of body; returns the HTTP status, or -1 (no answer). */
static int alerts_deliver_http(const struct alerts_deliver *d, const char *body)
{
    int64_t deadline = clock_mono_ms() + ALERTS_DELIVER_TIMEOUT_MS;
    char *req = NULL, answer[64];
    size_t len, off = 0, got = 0;
    int fd, status = -1;

    if ((fd = alerts_deliver_connect(d, deadline)) < 0)
        return -1;
    req = xasprintf("POST %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: virtdeck\r\n"
                    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                    "Connection: close\r\n\r\n%s",
                    d->path, d->host, d->port, strlen(body), body);
    len = strlen(req);
    while (off < len) {
        ssize_t n = send(fd, req + off, len - off, MSG_NOSIGNAL);

        if (n > 0)
            off += (size_t)n;
        else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (alerts_deliver_wait_fd(fd, POLLOUT, deadline) < 0)
                goto cleanup;
        } else
            goto cleanup;
    }
    while (got < sizeof(answer) - 1 && !memchr(answer, '\n', got)) {
        ssize_t n = recv(fd, answer + got, sizeof(answer) - 1 - got, 0);

        if (n > 0)
            got += (size_t)n;
        else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (alerts_deliver_wait_fd(fd, POLLIN, deadline) < 0)
                break;
        } else
            break;
    }
    answer[got] = '\0';
    if (got >= 12 && strncmp(answer, "HTTP/1.", 7) == 0 && answer[8] == ' ' && answer[9] >= '1' &&
        answer[9] <= '5' && answer[10] >= '0' && answer[10] <= '9' && answer[11] >= '0' &&
        answer[11] <= '9')
        status = (answer[9] - '0') * 100 + (answer[10] - '0') * 10 + (answer[11] - '0');

cleanup:
    free(req);
    close(fd);
    return status;
}

/* ---- the mail ------------------------------------------------------------------------- */

static const char *alerts_deliver_str(struct json_object *msg, const char *key)
{
    struct json_object *v = NULL;

    if (!json_object_object_get_ex(msg, key, &v) || !v)
        return "-";
    return json_object_get_string(v);
}

/* An RFC 5322 message for msg. */
static char *alerts_deliver_mail_text(const struct alerts_deliver *d, struct json_object *msg)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    const char *state = alerts_deliver_str(msg, "state");

    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return xasprintf("To: %s\nSubject: [virtdeck] %s: %s (%s)\nDate: %s\n"
                     "Auto-Submitted: auto-generated\nMIME-Version: 1.0\n"
                     "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                     "Alert:     %s\nState:     %s\nSubject:   %s\nValue:     %s\n"
                     "Threshold: %s\nAt:        %s\nRule:      %s\nEvent:     %s\n",
                     d->email_to, strcmp(state, "firing") == 0 ? "FIRING" : "resolved",
                     alerts_deliver_str(msg, "alert"), alerts_deliver_str(msg, "subject"), date,
                     alerts_deliver_str(msg, "alert"), state, alerts_deliver_str(msg, "subject"),
                     alerts_deliver_str(msg, "value"), alerts_deliver_str(msg, "threshold"),
                     alerts_deliver_str(msg, "at"), alerts_deliver_str(msg, "rule_id"),
                     alerts_deliver_str(msg, "id"));
}

/* Pipes one mail to `sendmail -t -i`; its output goes to the log. */
static void alerts_deliver_mail(const struct alerts_deliver *d, struct json_object *msg)
{
    char *argv[] = {d->sendmail, "-t", "-i", NULL};
    char *text = alerts_deliver_mail_text(d, msg);
    char out[512];
    size_t len = strlen(text), off = 0, got = 0;
    struct app_error err;
    int in = -1, outfd = -1, status = 0;
    pid_t pid;

    app_error_clear(&err);
    if (spawn_start_input(argv, &pid, &in, &outfd, &err) < 0) {
        log_warn("alerts: %s", err.message);
        free(text);
        return;
    }
    while (off < len) {
        ssize_t n = write(in, text + off, len - off);

        if (n > 0)
            off += (size_t)n;
        else if (n < 0 && errno == EINTR)
            continue;
        else
            break;
    }
    close(in);
    for (;;) {
        ssize_t n = read(outfd, out + got, sizeof(out) - 1 - got);

        if (n > 0 && got + (size_t)n < sizeof(out) - 1)
            got += (size_t)n;
        else if (n < 0 && errno == EINTR)
            continue;
        else if (n <= 0)
            break;
    }
    out[got] = '\0';
    close(outfd);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (off < len || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        log_warn("alerts: %s did not take the mail to %s: %s", d->sendmail, d->email_to,
                 got ? out : "(no output)");
    free(text);
}

/* Mails every waiting message not mailed yet (outside the lock). Delivery thread. */
static void alerts_deliver_mail_pending(struct alerts_deliver *d)
{
    struct json_object *batch[ALERTS_DELIVER_QUEUE_MAX];
    size_t n = 0;

    if (!d->email_to)
        return;
    pthread_mutex_lock(&d->lock);
    for (unsigned i = 0; i < d->count; i++) {
        struct alerts_deliver_item *it = &d->queue[(d->head + i) % ALERTS_DELIVER_QUEUE_MAX];

        if (!it->mailed) {
            it->mailed = true;
            batch[n++] = json_object_get(it->msg);
        }
    }
    pthread_mutex_unlock(&d->lock);
    for (size_t i = 0; i < n; i++)
        alerts_deliver_mail(d, batch[i]);
    /* json-c's reference counts are not atomic: every count change of a queued message
     * happens under the lock */
    pthread_mutex_lock(&d->lock);
    for (size_t i = 0; i < n; i++)
        json_object_put(batch[i]);
    pthread_mutex_unlock(&d->lock);
}

/* ---- the thread ----------------------------------------------------------------------- */

/* Waits up to ms (or until stopped), mailing what arrives meanwhile. Returns false once
 * stopped. */
static bool alerts_deliver_sleep(struct alerts_deliver *d, int64_t ms)
{
    int64_t until = clock_mono_ms() + ms;
    bool stop;

    for (;;) {
        struct timespec ts;
        int64_t left = until - clock_mono_ms();

        alerts_deliver_mail_pending(d);
        pthread_mutex_lock(&d->lock);
        if (!d->stop && left > 0) {
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += left / 1000;
            ts.tv_nsec += (left % 1000) * 1000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&d->cond, &d->lock, &ts);
        }
        stop = d->stop;
        pthread_mutex_unlock(&d->lock);
        if (stop)
            return false;
        if (clock_mono_ms() >= until)
            return true;
    }
}

/* Sends msg to the webhook until it answers 2xx, the retry time is up or we stop. */
static void alerts_deliver_webhook(struct alerts_deliver *d, struct json_object *msg)
{
    const char *body = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
    int64_t first = clock_mono_ms(), delay = d->backoff_first_ms;

    for (;;) {
        int status = alerts_deliver_http(d, body);

        if (status >= 200 && status < 300)
            return;
        if (clock_mono_ms() - first >= d->retry_ms) {
            pthread_mutex_lock(&d->lock);
            d->given_up++;
            pthread_mutex_unlock(&d->lock);
            log_warn("alerts: webhook %s:%d gave no 2xx for %lld minutes; message %s given up",
                     d->host, d->port, (long long)(d->retry_ms / 60000),
                     alerts_deliver_str(msg, "id"));
            return;
        }
        log_debug("alerts: webhook answered %d; retrying in %lld ms", status, (long long)delay);
        if (!alerts_deliver_sleep(d, delay))
            return;
        delay = delay * 2 > ALERTS_DELIVER_BACKOFF_MAX ? ALERTS_DELIVER_BACKOFF_MAX : delay * 2;
    }
}

static void *alerts_deliver_main(void *arg)
{
    struct alerts_deliver *d = arg;

    for (;;) {
        struct json_object *msg;

        pthread_mutex_lock(&d->lock);
        while (!d->stop && d->count == 0)
            pthread_cond_wait(&d->cond, &d->lock);
        if (d->stop) {
            pthread_mutex_unlock(&d->lock);
            break;
        }
        pthread_mutex_unlock(&d->lock);
        alerts_deliver_mail_pending(d);
        pthread_mutex_lock(&d->lock);
        if (d->count == 0) { /* dropped meanwhile? never: only posts add, only we take */
            pthread_mutex_unlock(&d->lock);
            continue;
        }
        msg = d->queue[d->head].msg;
        d->queue[d->head].msg = NULL;
        d->head = (d->head + 1) % ALERTS_DELIVER_QUEUE_MAX;
        d->count--;
        pthread_mutex_unlock(&d->lock);
        if (d->host[0])
            alerts_deliver_webhook(d, msg);
        json_object_put(msg);
    }
    return NULL;
}

struct alerts_deliver *alerts_deliver_new(const struct alerts_deliver_options *options,
                                          struct app_error *err)
{
    struct alerts_deliver *d = xcalloc(1, sizeof(*d));

    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->cond, NULL);
    d->retry_ms = (int64_t)(options->retry_minutes > 0 ? options->retry_minutes : 60) * 60000;
    d->backoff_first_ms = options->backoff_first_ms > 0 ? options->backoff_first_ms : 1000;
    if (options->webhook_url && options->webhook_url[0] &&
        alerts_deliver_parse_url(options->webhook_url, d->host, sizeof(d->host), &d->port, d->path,
                                 sizeof(d->path), err) < 0) {
        alerts_deliver_free(d);
        return NULL;
    }
    if (options->email_to && options->email_to[0]) {
        d->email_to = xstrdup(options->email_to);
        d->sendmail = xstrdup(options->sendmail && options->sendmail[0] ? options->sendmail
                                                                        : "/usr/sbin/sendmail");
    }
    if (!d->host[0] && !d->email_to)
        return d; /* nothing to send to: posts are dropped */
    if (pthread_create(&d->thread, NULL, alerts_deliver_main, d) != 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot start the alert delivery thread");
        alerts_deliver_free(d);
        return NULL;
    }
    d->started = true;
    return d;
}

void alerts_deliver_free(struct alerts_deliver *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    d->stop = true;
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
    if (d->started)
        pthread_join(d->thread, NULL);
    while (d->count) {
        json_object_put(d->queue[d->head].msg);
        d->head = (d->head + 1) % ALERTS_DELIVER_QUEUE_MAX;
        d->count--;
    }
    pthread_cond_destroy(&d->cond);
    pthread_mutex_destroy(&d->lock);
    free(d->email_to);
    free(d->sendmail);
    free(d);
}

void alerts_deliver_post(struct alerts_deliver *d, struct json_object *msg)
{
    if (!d || !d->started) {
        json_object_put(msg);
        return;
    }
    pthread_mutex_lock(&d->lock);
    if (d->count == ALERTS_DELIVER_QUEUE_MAX) {
        json_object_put(d->queue[d->head].msg);
        d->head = (d->head + 1) % ALERTS_DELIVER_QUEUE_MAX;
        d->count--;
        d->dropped++;
        log_warn("alerts: delivery queue full (%d); the oldest message was dropped",
                 ALERTS_DELIVER_QUEUE_MAX);
    }
    d->queue[(d->head + d->count) % ALERTS_DELIVER_QUEUE_MAX] =
        (struct alerts_deliver_item){.msg = msg, .mailed = false};
    d->count++;
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
}

uint64_t alerts_deliver_dropped(struct alerts_deliver *d)
{
    uint64_t n;

    pthread_mutex_lock(&d->lock);
    n = d->dropped;
    pthread_mutex_unlock(&d->lock);
    return n;
}

uint64_t alerts_deliver_given_up(struct alerts_deliver *d)
{
    uint64_t n;

    pthread_mutex_lock(&d->lock);
    n = d->given_up;
    pthread_mutex_unlock(&d->lock);
    return n;
}
