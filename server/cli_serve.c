/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli_serve: the `serve` subcommand's flags and configuration (main thread). */
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

int cli_serve_main(int argc, char **argv)
{
    struct virt_pool_policy policy;
    struct config config;
    const char *config_path = CONFIG_DEFAULT_PATH;
    bool config_required = false;
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
            config_path = argv[++i];
            config_required = true;
        } else if (cli_serve_key_for(argv[i])) {
            if (i + 1 >= argc)
                goto usage;
            i++;
        } else {
            fprintf(stderr, "virtdeck serve: unknown argument '%s'\n", argv[i]);
            goto usage;
        }
    }
    if (config_load_file(&config, config_path, config_required, err, sizeof(err)) < 0) {
        fprintf(stderr, "virtdeck: %s\n", err);
        ret = 1;
        goto cleanup;
    }
    for (int i = 1; i < argc; i += 2) {
        const char *key = cli_serve_key_for(argv[i]);
        if (key && config_set(&config, key, argv[i + 1], err, sizeof(err)) < 0) {
            fprintf(stderr, "virtdeck: %s %s: %s\n", argv[i], argv[i + 1], err);
            ret = 2;
            goto cleanup;
        }
    }
    if (config_validate(&config, err, sizeof(err)) < 0 ||
        virt_pool_policy_parse(&policy, config.pool_roots, config.pool_types, err, sizeof(err)) <
            0) {
        fprintf(stderr, "virtdeck: %s\n", err);
        ret = 2;
        goto cleanup;
    }
    virt_pool_policy_install(&policy);               /* before serve_run starts any thread */
    virt_domain_create_set_type(config.domain_type); /* likewise */
    if (!strcmp(config.log_level, "debug"))
        log_set_level(LOG_DEBUG);
    else if (!strcmp(config.log_level, "warn"))
        log_set_level(LOG_WARN);
    else if (!strcmp(config.log_level, "error"))
        log_set_level(LOG_ERROR);
    ret = serve_run(&config);
    goto cleanup;

usage:
    cli_serve_usage(stderr);
    ret = 2;

cleanup:
    config_free(&config);
    return ret;
}
