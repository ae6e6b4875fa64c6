/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli_token: the `virtdeck token create` command: an API token for a user, made on the
 * command line (for a Prometheus scrape job, a script) without logging in.
 *
 * Runs on the main thread of a short-lived process, in place of the daemon, on the same
 * database (SQLite WAL); a running daemon reads the new token within a store-watch
 * interval (auth_tokens_sync). */
#pragma once

/* argv[0] is "token", the rest are its words. Prints the token's text once on stdout
 * (its id, user, scope and expiry on stderr). Returns the process exit code: 0 success,
 * 1 error, 2 usage error (messages on stderr; `token --help` prints usage on stdout, 0). */
int cli_token_main(int argc, char **argv);
