/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli_user: the `virtdeck user add|passwd|del|list` command.
 *
 * Runs on the main thread of a short-lived process, in place of the daemon. It opens
 * the same database the daemon uses (SQLite WAL lets both have it open at once);
 * sessions ended here (passwd, del) leave a running daemon's memory at its next
 * auth_sessions_expire. */
#pragma once

/* argv[0] is "user", the rest are its words. Reads a password from the first line
 * of stdin for add and passwd. Returns the process exit code: 0 success, 1 error,
 * 2 usage error (messages on stderr; `user --help` prints usage on stdout, 0). */
int cli_user_main(int argc, char **argv);

/* One option of a CLI command (cli_user.c, cli_token.c): argv[*i] is opt ("--role") with
 * its value as the next word or after '='. Returns 1 (value set; *i past the value), 0
 * (argv[*i] is not opt), or -1 (opt without a value). */
int cli_user_option(const char *opt, int argc, char **argv, int *i, const char **value);
