/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* main: virtdeck's entry point. Only picks the subcommand; each lives in its own
 * file (cli_serve.c, cli_user.c, cli_token.c). Main thread. */
#include <stdio.h>
#include <string.h>

#include "cli_serve.h"
#include "cli_token.h"
#include "cli_user.h"
#include "virt/virt_osinfo.h"

static void main_usage(FILE *out)
{
    fputs("virtdeck " VIRTDECK_VERSION " - a web console for KVM virtual machines\n\n"
          "usage: virtdeck serve [--config FILE] [--listen HOST:PORT] [--uri URI]\n"
          "                      [--state-dir DIR] [--web-root DIR] [--cert FILE --key FILE]\n"
          "       virtdeck user add NAME --role admin|operator|user|viewer [--sees all|shared]\n"
          "                      [--config FILE] [--state-dir DIR]\n"
          "       virtdeck user passwd|del|totp-reset NAME [--config FILE] [--state-dir DIR]\n"
          "       virtdeck user list [--config FILE] [--state-dir DIR]\n"
          "       virtdeck token create --user NAME --scope read|operate|admin --name TEXT\n"
          "                      [--expires-in-days DAYS] [--config FILE] [--state-dir DIR]\n"
          "       virtdeck --help | --version\n\n"
          "`user add` and `user passwd` read the password from the first line of stdin.\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        main_usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        main_usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("virtdeck %s\n", VIRTDECK_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "serve")) {
        virt_osinfo_prepare(argv); /* may re-execute this program, once */
        return cli_serve_main(argc - 1, argv + 1);
    }
    if (!strcmp(argv[1], "user"))
        return cli_user_main(argc - 1, argv + 1);
    if (!strcmp(argv[1], "token"))
        return cli_token_main(argc - 1, argv + 1);
    fprintf(stderr, "virtdeck: unknown command '%s'\n\n", argv[1]);
    main_usage(stderr);
    return 2;
}
