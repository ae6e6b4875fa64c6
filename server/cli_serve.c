/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli_serve: the `serve` subcommand's flags and configuration (main thread; its reloader
 * runs on the service thread at SIGHUP, reading the same file, drop-ins and flags). */
#include "cli_serve.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "serve.h"
#include "util/log.h"
#include "virt/virt_domain_create.h"
#include "virt/virt_pool_policy.h"

static const struct {
    const char *flag;
    const char *key;
} cli_serve_flags[] = {
    {"--listen", "listen"},     {"--uri", "uri"},   {"--state-dir", "state_dir"},
    {"--web-root", "web_root"}, {"--cert", "cert"}, {"--key", "key"},
};

static void cli_serve_usage(FILE *out)
{
    fputs("usage: virtdeck serve [--config FILE] [--listen HOST:PORT] [--uri LIBVIRT_URI]\n"
          "                      [--state-dir DIR] [--web-root DIR] [--cert FILE --key FILE]\n"
          "Defaults: --config " CONFIG_DEFAULT_PATH ", --listen 127.0.0.1:9443,\n"
          "          --uri qemu:///system, --state-dir /var/lib/virtdeck.\n"
          "Every flag is also a config key (listen, uri, state_dir, web_root, cert, key).\n",
          out);
}

static const char *cli_serve_key_for(const char *flag)
{
    for (size_t i = 0; i < sizeof(cli_serve_flags) / sizeof(cli_serve_flags[0]); i++)
        if (!strcmp(flag, cli_serve_flags[i].flag))
            return cli_serve_flags[i].key;
    return NULL;
}

/* Where the configuration comes from: the file (and its drop-ins) and the flags. Kept for
 * SIGHUP, which rereads it the same way. */
struct cli_serve_source {
    const char *config_path; /* borrowed: argv or CONFIG_DEFAULT_PATH */
    bool config_required;
    int argc;
    char **argv; /* borrowed */
};

/* Fills config (config_init'ed) from source and checks it. Returns 0, 1 (the file) or 2
 * (a flag or a check) with a message in err. */
static int cli_serve_load(const struct cli_serve_source *source, struct config *config, char *err,
                          size_t errlen)
{
    struct virt_pool_policy policy;
    char msg[512];

    if (config_load_file(config, source->config_path, source->config_required, err, errlen) < 0)
        return 1;
    for (int i = 1; i < source->argc; i += 2) {
        const char *key = cli_serve_key_for(source->argv[i]);

        if (key && config_set(config, key, source->argv[i + 1], msg, sizeof(msg)) < 0) {
            snprintf(err, errlen, "%s %s: %s", source->argv[i], source->argv[i + 1], msg);
            return 2;
        }
    }
    if (config_validate(config, err, errlen) < 0 ||
        virt_pool_policy_parse(&policy, config->pool_roots, config->pool_types, err, errlen) < 0)
        return 2;
    virt_pool_policy_clear(&policy);
    return 0;
}

/* serve_reloader's load: SIGHUP (service thread). */
static int cli_serve_reload(void *ctx, struct config *out, char *err, size_t errlen)
{
    return cli_serve_load(ctx, out, err, errlen) == 0 ? 0 : -1;
}

int cli_serve_main(int argc, char **argv)
{
    struct virt_pool_policy policy;
    struct config config;
    struct cli_serve_source source = {CONFIG_DEFAULT_PATH, false, argc, argv};
    struct serve_reloader reloader = {cli_serve_reload, &source};
    enum log_level level;
    char err[512];
    int ret = 2;

    config_init(&config);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            cli_serve_usage(stdout);
            ret = 0;
            goto cleanup;
        }
        if (!strcmp(argv[i], "--config")) {
            if (i + 1 >= argc)
                goto usage;
            source.config_path = argv[++i];
            source.config_required = true;
        } else if (cli_serve_key_for(argv[i])) {
            if (i + 1 >= argc)
                goto usage;
            i++;
        } else {
            fprintf(stderr, "virtdeck serve: unknown argument '%s'\n", argv[i]);
            goto usage;
        }
    }
    if ((ret = cli_serve_load(&source, &config, err, sizeof(err))) != 0) {
        fprintf(stderr, "virtdeck: %s\n", err);
        goto cleanup;
    }
    /* parsed again to install: cli_serve_load checked it */
    if (virt_pool_policy_parse(&policy, config.pool_roots, config.pool_types, err, sizeof(err)) <
        0) {
        fprintf(stderr, "virtdeck: %s\n", err);
        ret = 2;
        goto cleanup;
    }
    virt_pool_policy_install(&policy);               /* before serve_run starts any thread */
    virt_domain_create_set_type(config.domain_type); /* likewise */
    if (log_level_parse(config.log_level, &level) == 0)
        log_set_level(level);
    ret = serve_run(&config, &reloader);
    goto cleanup;

usage:
    cli_serve_usage(stderr);
    ret = 2;

cleanup:
    config_free(&config);
    return ret;
}
