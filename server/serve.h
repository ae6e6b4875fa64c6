/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* serve: the daemon's life: start every part, run the service loop, shut down.
 *
 * Main thread (which becomes the lws service thread). */
#pragma once

struct config;

/* Runs the daemon until SIGTERM/SIGINT. Returns the process exit code. */
int serve_run(const struct config *config);
