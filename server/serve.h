/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* serve: the daemon's life: start every part, run the service loop, shut down.
 *
 * Main thread (which becomes the lws service thread). */
#pragma once

#include <stddef.h>

struct config;

/* How SIGHUP rereads the configuration: load fills out (config_init'ed by the caller) the
 * way the start did (the same file and drop-ins, the flags still winning, the same
 * checks) and returns 0, or -1 with a message in err. Called on the service thread; ctx
 * is borrowed and must outlive serve_run. */
struct serve_reloader {
    int (*load)(void *ctx, struct config *out, char *err, size_t errlen);
    void *ctx; /* borrowed */
};

/* Runs the daemon until SIGTERM/SIGINT; SIGHUP rereads the configuration through
 * reloader (NULL: only the certificate is reloaded) and applies what can change while
 * running. Tells a service manager (NOTIFY_SOCKET, util/notify.h) READY, RELOADING,
 * STOPPING and feeds its watchdog. Returns the process exit code. */
int serve_run(const struct config *config, const struct serve_reloader *reloader);
