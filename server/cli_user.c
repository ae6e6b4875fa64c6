/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli_user: `virtdeck user ...` (see cli_user.h). Main thread of its own process.
 *
 * Parses the words, finds the state directory (--state-dir, else the config file's
 * state_dir, else the default), opens the store and calls auth_users. The password
 * is read unbuffered from the first line of stdin (echo off on a terminal), so no
 * copy is left in stdio's buffer, and is wiped as soon as it has been hashed. */
#include "cli_user.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth_owners.h"
#include "auth_password.h"
#include "auth_password_policy.h"
#include "auth_policy.h"
#include "auth_sessions.h"
#include "auth_totp_store.h"
#include "auth_users.h"
#include "config.h"
#include "store/store.h"
#include "util/log.h"

#define CLI_USER_OK           0
#define CLI_USER_ERROR        1
#define CLI_USER_USAGE        2
#define CLI_USER_PASSWORD_MAX AUTH_PASSWORD_MAX_BYTES

struct cli_user_args {
    const char *command;   /* borrowed: add, passwd, del, list, totp-reset */
    const char *name;      /* borrowed */
    const char *role_name; /* borrowed */
    const char *sees;      /* borrowed: a viewer's "all" or "shared" (--sees), or NULL */
    enum auth_role role;   /* parsed role_name */
    const char *state_dir; /* borrowed */
    const char *config;    /* borrowed */
    bool help;
};

static void cli_user_usage(FILE *out)
{
    fputs("usage: virtdeck user add NAME --role admin|operator|user|viewer [--sees all|shared]\n"
          "       [OPTIONS]\n"
          "       virtdeck user passwd NAME [OPTIONS]\n"
          "       virtdeck user del NAME [OPTIONS]\n"
          "       virtdeck user totp-reset NAME [OPTIONS]\n"
          "       virtdeck user list [OPTIONS]\n"
          "\n"
          "add and passwd read the password from the first line of standard input;\n"
          "it needs at least password_min_length characters (config file; default 12)\n"
          "and must not be the user name. passwd and del end the user's sessions; del\n"
          "refuses to remove the last enabled admin.\n"
          "--sees shared: a viewer sees only the VMs shared with it (default: all).\n"
          "totp-reset turns a user's two-factor authentication (TOTP) off and deletes\n"
          "their recovery codes (a lost phone): they log in with the password alone.\n"
          "\n"
          "options:\n"
          "  --state-dir DIR  where virtdeck.db lives (default: the config file's\n"
          "                   state_dir, else /var/lib/virtdeck)\n"
          "  --config FILE    config file (default " CONFIG_DEFAULT_PATH ", if present)\n"
          "  -h, --help       show this help\n",
          out);
}

static int cli_user_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int cli_user_usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("virtdeck user: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\ntry 'virtdeck user --help'\n", stderr);
    return CLI_USER_USAGE;
}

/* "--opt VALUE" or "--opt=VALUE": returns 1 and sets *value (consuming a word for
 * the first form), 0 if word is not opt, -1 if the value is missing. */
int cli_user_option(const char *opt, int argc, char **argv, int *i, const char **value)
{
    size_t len = strlen(opt);
    const char *word = argv[*i];

    if (strncmp(word, opt, len) != 0)
        return 0;
    if (word[len] == '=') {
        *value = word + len + 1;
        return 1;
    }
    if (word[len] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *i += 1;
    *value = argv[*i];
    return 1;
}

/* Returns CLI_USER_OK or CLI_USER_USAGE (message printed). */
static int cli_user_parse(int argc, char **argv, struct cli_user_args *args)
{
    static const char *const options[] = {"--role", "--state-dir", "--config", "--sees"};
    int positional = 0;

    memset(args, 0, sizeof(*args));
    for (int i = 1; i < argc; i++) {
        const char *word = argv[i];
        int matched = 0;

        if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0) {
            args->help = true;
            continue;
        }
        for (size_t k = 0; k < sizeof(options) / sizeof(options[0]) && !matched; k++) {
            const char **slot = k == 0   ? &args->role_name
                                : k == 1 ? &args->state_dir
                                : k == 2 ? &args->config
                                         : &args->sees;
            matched = cli_user_option(options[k], argc, argv, &i, slot);
            if (matched < 0)
                return cli_user_usage_error("%s needs a value", options[k]);
        }
        if (matched)
            continue;
        if (word[0] == '-' && word[1] != '\0')
            return cli_user_usage_error("unknown option %s", word);
        if (positional == 0)
            args->command = word;
        else if (positional == 1)
            args->name = word;
        else
            return cli_user_usage_error("unexpected argument %s", word);
        positional++;
    }
    if (args->help)
        return CLI_USER_OK;
    if (!args->command)
        return cli_user_usage_error("missing command");
    if (strcmp(args->command, "list") == 0) {
        if (args->name)
            return cli_user_usage_error("unexpected argument %s", args->name);
    } else if (strcmp(args->command, "add") == 0 || strcmp(args->command, "passwd") == 0 ||
               strcmp(args->command, "del") == 0 || strcmp(args->command, "totp-reset") == 0) {
        if (!args->name)
            return cli_user_usage_error("%s needs a user name", args->command);
    } else {
        return cli_user_usage_error("unknown command %s", args->command);
    }
    if (strcmp(args->command, "add") != 0) {
        if (args->sees)
            return cli_user_usage_error("--sees is only for add (not %s)", args->command);
        if (args->role_name)
            return cli_user_usage_error("--role is only for add (not %s)", args->command);
    } else if (!args->role_name) {
        return cli_user_usage_error("add needs --role admin|operator|user|viewer");
    } else if (auth_role_parse(args->role_name, &args->role) < 0) {
        return cli_user_usage_error("unknown role %s (admin, operator, user or viewer)",
                                    args->role_name);
    } else if (args->sees && (args->role != AUTH_ROLE_VIEWER ||
                              (strcmp(args->sees, "all") && strcmp(args->sees, "shared")))) {
        return cli_user_usage_error("--sees all|shared is for viewers");
    }
    return CLI_USER_OK;
}

/* Reads the first line of stdin into buf (size > CLI_USER_PASSWORD_MAX + 1), without
 * its newline. Returns 0, or -1 with a message printed. */
static int cli_user_read_password(const char *name, char *buf, size_t size)
{
    int ret = -1;
    struct termios saved;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    size_t len;

    if (tty) {
        struct termios quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        fprintf(stderr, "Password for %s: ", name);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    /* Unbuffered: read exactly one line and keep no copy inside stdio. */
    setvbuf(stdin, NULL, _IONBF, 0);
    if (!fgets(buf, (int)size, stdin)) {
        fputs(tty ? "\n" : "", stderr);
        fputs("virtdeck user: no password on standard input\n", stderr);
        goto cleanup;
    }
    if (tty)
        fputs("\n", stderr);
    len = strlen(buf);
    if (len > 0 && buf[len - 1] == '\n') {
        buf[--len] = '\0';
    } else if (!feof(stdin)) {
        fprintf(stderr, "virtdeck user: password must be at most %d bytes\n",
                CLI_USER_PASSWORD_MAX);
        goto cleanup;
    }
    ret = 0; /* the policy is auth_users' (auth_password_policy_check) */

cleanup:
    if (tty)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    return ret;
}

/* The state directory: --state-dir, else the config file's, else the default. */
static int cli_user_config(const struct cli_user_args *args, struct config *config)
{
    int ret = -1;
    char err[512];

    if (config_load_file(config, args->config ? args->config : CONFIG_DEFAULT_PATH,
                         args->config != NULL, err, sizeof(err)) < 0) {
        fprintf(stderr, "virtdeck user: %s\n", err);
        goto cleanup;
    }
    if (args->state_dir && config_set(config, "state_dir", args->state_dir, err, sizeof(err)) < 0) {
        fprintf(stderr, "virtdeck user: --state-dir: %s\n", err);
        goto cleanup;
    }
    ret = 0;

cleanup:
    return ret;
}

/* Ends every session of name (passwd, del). Returns 0 or -1 (printed). */
static int cli_user_end_sessions(sqlite3 *db, const struct config *config, const char *name)
{
    int ret = -1;
    struct auth_sessions *sessions =
        auth_sessions_new(db, config->session_idle_s, config->session_max_s);

    if (!sessions) {
        fprintf(stderr, "virtdeck user: cannot end the sessions of %s\n", name);
        goto cleanup;
    }
    auth_sessions_destroy_user(sessions, name);
    ret = 0;

cleanup:
    auth_sessions_free(sessions);
    return ret;
}

/* Turns name's TOTP off (404 for no such user). Returns 0 or -1 with err. */
static int cli_user_totp_reset(sqlite3 *db, const char *name, struct app_error *err)
{
    struct auth_user user = {0};
    int found = auth_users_get(db, name, &user, err);

    auth_user_clear(&user);
    if (found == 0)
        app_error_set(err, 404, APP_ERR_NOT_FOUND, "no user %s", name);
    if (found <= 0)
        return -1;
    return auth_totp_store_disable(db, name, err);
}

static void cli_user_print(const struct auth_user *user, void *ctx)
{
    printf("%s %s\n", user->name, auth_role_name(user->role));
}

static int cli_user_run(const struct cli_user_args *args, sqlite3 *db, const struct config *config)
{
    int ret = CLI_USER_ERROR;
    struct app_error err = {0};
    char password[CLI_USER_PASSWORD_MAX + 3];
    const char *cmd = args->command;

    password[0] = '\0';
    if (strcmp(cmd, "list") == 0) {
        if (auth_users_foreach(db, cli_user_print, NULL) < 0) {
            fputs("virtdeck user: cannot list users (database error)\n", stderr);
            goto cleanup;
        }
    } else if (strcmp(cmd, "del") == 0) {
        if (auth_users_delete(db, args->name, &err) < 0)
            goto report;
        fprintf(stderr, "virtdeck user: deleted %s\n", args->name);
    } else if (strcmp(cmd, "totp-reset") == 0) {
        if (cli_user_totp_reset(db, args->name, &err) < 0)
            goto report;
        fprintf(stderr, "virtdeck user: two-factor authentication of %s is off\n", args->name);
    } else {
        if (!auth_users_name_valid(args->name)) {
            fprintf(stderr,
                    "virtdeck user: invalid user name '%s' (1-64 of A-Z a-z 0-9 . _ -, not "
                    "starting with . or -)\n",
                    args->name);
            goto cleanup;
        }
        if (cli_user_read_password(args->name, password, sizeof(password)) < 0)
            goto cleanup;
        if (strcmp(cmd, "add") == 0) {
            if (auth_users_add(db, args->name, args->role, password, &err) < 0 ||
                (args->sees && auth_owners_set_shared_only(
                                   db, args->name, strcmp(args->sees, "shared") == 0, &err) < 0))
                goto report;
            fprintf(stderr, "virtdeck user: added %s (%s)\n", args->name,
                    auth_role_name(args->role));
        } else {
            if (auth_users_set_password(db, args->name, password, &err) < 0)
                goto report;
            if (cli_user_end_sessions(db, config, args->name) < 0)
                goto cleanup;
            fprintf(stderr, "virtdeck user: changed the password of %s and ended their sessions\n",
                    args->name);
        }
    }
    ret = CLI_USER_OK;
    goto cleanup;

report:
    fprintf(stderr, "virtdeck user: %s\n", err.message);

cleanup:
    OPENSSL_cleanse(password, sizeof(password));
    return ret;
}

int cli_user_main(int argc, char **argv)
{
    int ret = CLI_USER_ERROR;
    struct cli_user_args args;
    struct config config;
    struct app_error err = {0};
    sqlite3 *db = NULL;

    config_init(&config);
    /* Library chatter (migrations, ...) is for the daemon's log, not this command. */
    log_set_level(LOG_WARN);
    if (cli_user_parse(argc, argv, &args) != CLI_USER_OK) {
        ret = CLI_USER_USAGE;
        goto cleanup;
    }
    if (args.help) {
        cli_user_usage(stdout);
        ret = CLI_USER_OK;
        goto cleanup;
    }
    if (cli_user_config(&args, &config) < 0)
        goto cleanup;
    auth_password_policy_set_min(config.password_min_length);
    db = store_open(config.state_dir, &err);
    if (!db) {
        fprintf(stderr, "virtdeck user: %s\n", err.message);
        goto cleanup;
    }
    ret = cli_user_run(&args, db, &config);

cleanup:
    store_close(db);
    config_free(&config);
    if (fflush(stdout) != 0 && ret == CLI_USER_OK) {
        fprintf(stderr, "virtdeck user: cannot write output: %s\n", strerror(errno));
        ret = CLI_USER_ERROR;
    }
    return ret;
}
