/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli_serve: `virtdeck serve [flags]`: reads the config file, applies flags (flags
 * win), validates, and runs the daemon. Main thread. */
#pragma once

/* argv[0] is "serve". Returns the process exit code. */
int cli_serve_main(int argc, char **argv);
