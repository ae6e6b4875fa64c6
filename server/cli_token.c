/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli_token: `virtdeck token create` (see cli_token.h). Main thread of its own process.
 *
 * The same rules as POST /api/tokens: a name in the title rule, a scope never above the
 * user's role (auth_policy_may_grant), 1..3650 days or never; a disabled user gets none.
 * The secret exists only in this process's output and is wiped once printed. */
#include "cli_token.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "auth_policy.h"
#include "auth_tokens.h"
#include "auth_users.h"
#include "cli_user.h"
#include "config.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/utf8_name.h"

#define CLI_TOKEN_OK    0
#define CLI_TOKEN_ERROR 1
#define CLI_TOKEN_USAGE 2
#define CLI_TOKEN_DAY_S 86400

struct cli_token_args {
    const char *user, *scope, *name, *days, *state_dir, *config; /* borrowed */
    bool help;
};

static void cli_token_usage(FILE *out)
{
    fputs("usage: virtdeck token create --user NAME --scope read|operate|admin --name TEXT\n"
          "       [--expires-in-days DAYS] [--state-dir DIR] [--config FILE]\n"
          "\n"
          "Creates an API token for user NAME and prints it once on standard output; send\n"
          "it as `Authorization: Bearer <token>` (a Prometheus scrape job's credentials\n"
          "file, a script). Its scope is never above the user's role; it never expires\n"
          "unless --expires-in-days (1-3650) says so. Revoke it in the UI (API tokens) or\n"
          "with DELETE /api/tokens/{id}.\n"
          "  --state-dir DIR   the daemon's state directory (default: the config file's\n"
          "                    state_dir, else /var/lib/virtdeck)\n"
          "  --config FILE     the config file (default /etc/virtdeck/virtdeck.conf)\n",
          out);
}

/* Returns CLI_TOKEN_OK or CLI_TOKEN_USAGE (message printed). */
static int cli_token_parse(int argc, char **argv, struct cli_token_args *args)
{
    static const char *const options[] = {"--user",      "--scope", "--name", "--expires-in-days",
                                          "--state-dir", "--config"};
    const char **slots[] = {&args->user, &args->scope,     &args->name,
                            &args->days, &args->state_dir, &args->config};

    memset(args, 0, sizeof(*args));
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        args->help = true;
        return CLI_TOKEN_OK;
    }
    if (argc < 2 || strcmp(argv[1], "create") != 0) {
        fprintf(stderr, "virtdeck token: expected `create`\n\n");
        cli_token_usage(stderr);
        return CLI_TOKEN_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        int matched = 0;

        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            args->help = true;
            continue;
        }
        for (size_t k = 0; k < sizeof(options) / sizeof(options[0]) && !matched; k++) {
            matched = cli_user_option(options[k], argc, argv, &i, slots[k]);
            if (matched < 0) {
                fprintf(stderr, "virtdeck token: %s needs a value\n", options[k]);
                return CLI_TOKEN_USAGE;
            }
        }
        if (!matched) {
            fprintf(stderr, "virtdeck token: unexpected '%s'\n\n", argv[i]);
            cli_token_usage(stderr);
            return CLI_TOKEN_USAGE;
        }
    }
    if (!args->help && (!args->user || !args->scope || !args->name)) {
        fprintf(stderr, "virtdeck token: --user, --scope and --name are required\n\n");
        cli_token_usage(stderr);
        return CLI_TOKEN_USAGE;
    }
    return CLI_TOKEN_OK;
}

/* The expiry (Unix seconds, 0: never) from --expires-in-days. Returns 0 or -1 (printed). */
static int cli_token_expiry(const char *days, int64_t *out)
{
    char *end = NULL;
    long n;

    *out = 0;
    if (!days)
        return 0;
    errno = 0;
    n = strtol(days, &end, 10);
    if (errno || end == days || *end || n < 1 || n > AUTH_TOKEN_DAYS_MAX) {
        fprintf(stderr, "virtdeck token: --expires-in-days must be a whole number from 1 to %d\n",
                AUTH_TOKEN_DAYS_MAX);
        return -1;
    }
    *out = clock_wall_s() + (int64_t)n * CLI_TOKEN_DAY_S;
    return 0;
}

/* Checks the request against the user (exists, enabled, role high enough) and makes the
 * token. Returns CLI_TOKEN_OK, CLI_TOKEN_USAGE or CLI_TOKEN_ERROR (printed). */
static int cli_token_create(const struct cli_token_args *args, sqlite3 *db)
{
    int ret = CLI_TOKEN_ERROR;
    struct auth_user user;
    struct auth_tokens *tokens = NULL;
    struct auth_token_info info;
    struct app_error err = {0};
    char text[AUTH_TOKEN_TEXT_LEN + 1] = "";
    char expiry[64] = "never expires";
    enum auth_role scope;
    const char *why;
    int64_t expires_s;
    int found;

    memset(&user, 0, sizeof(user));
    if (auth_tokens_scope_parse(args->scope, &scope) < 0) {
        fprintf(stderr, "virtdeck token: --scope must be read, operate or admin\n");
        return CLI_TOKEN_USAGE;
    }
    if (!args->name[0] || strlen(args->name) > AUTH_TOKEN_NAME_MAX ||
        (why = utf8_name_explain(args->name, UTF8_NAME_TITLE))) {
        fprintf(stderr, "virtdeck token: --name must be 1-%d bytes of one line of text\n",
                AUTH_TOKEN_NAME_MAX);
        return CLI_TOKEN_USAGE;
    }
    if (cli_token_expiry(args->days, &expires_s) < 0)
        return CLI_TOKEN_USAGE;
    found = auth_users_get(db, args->user, &user, &err);
    if (found <= 0) {
        fprintf(stderr, "virtdeck token: %s\n", found < 0 ? err.message : "no such user");
        goto cleanup;
    }
    if (user.disabled) {
        fprintf(stderr, "virtdeck token: user %s is disabled\n", user.name);
        goto cleanup;
    }
    {
        struct auth_subject subject = {.username = user.name, .role = user.role};
        if (!auth_policy_may_grant(&subject, scope)) {
            fprintf(stderr, "virtdeck token: role %s may not have %s tokens\n",
                    auth_role_name(user.role), auth_tokens_scope_name(scope));
            goto cleanup;
        }
    }
    tokens = auth_tokens_new(db);
    if (auth_tokens_create(tokens, user.name, args->name, scope, expires_s, text, &info, &err) <
        0) {
        fprintf(stderr, "virtdeck token: %s\n", err.message);
        goto cleanup;
    }
    printf("%s\n", text);
    if (info.expires_s) {
        time_t t = (time_t)info.expires_s;
        struct tm tm;
        strftime(expiry, sizeof(expiry), "expires %Y-%m-%d %H:%M UTC", gmtime_r(&t, &tm));
    }
    fprintf(stderr, "virtdeck token: created token %s for %s, scope %s, %s; it is shown only now\n",
            info.id, info.username, auth_tokens_scope_name(info.scope), expiry);
    ret = CLI_TOKEN_OK;

cleanup:
    OPENSSL_cleanse(text, sizeof(text));
    auth_tokens_free(tokens);
    auth_user_clear(&user);
    return ret;
}

int cli_token_main(int argc, char **argv)
{
    int ret = CLI_TOKEN_ERROR;
    struct cli_token_args args;
    struct config config;
    struct app_error err = {0};
    sqlite3 *db = NULL;
    char msg[512];

    config_init(&config);
    log_set_level(LOG_WARN); /* migrations' chatter is for the daemon's log */
    if ((ret = cli_token_parse(argc, argv, &args)) != CLI_TOKEN_OK)
        goto cleanup;
    if (args.help) {
        cli_token_usage(stdout);
        goto cleanup;
    }
    ret = CLI_TOKEN_ERROR;
    if (config_load_file(&config, args.config ? args.config : CONFIG_DEFAULT_PATH,
                         args.config != NULL, msg, sizeof(msg)) < 0 ||
        (args.state_dir &&
         config_set(&config, "state_dir", args.state_dir, msg, sizeof(msg)) < 0)) {
        fprintf(stderr, "virtdeck token: %s\n", msg);
        goto cleanup;
    }
    if (!(db = store_open(config.state_dir, &err))) {
        fprintf(stderr, "virtdeck token: %s\n", err.message);
        goto cleanup;
    }
    ret = cli_token_create(&args, db);

cleanup:
    store_close(db);
    config_free(&config);
    if (fflush(stdout) != 0 && ret == CLI_TOKEN_OK) {
        fprintf(stderr, "virtdeck token: cannot write output: %s\n", strerror(errno));
        ret = CLI_TOKEN_ERROR;
    }
    return ret;
}
