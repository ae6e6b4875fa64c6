/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spawn: a helper program started the one careful way virtdeck runs programs (xorriso
 * for a cloud-init seed, qemu-img for an install tree's files): posix_spawnp with an argv
 * array (never a shell), stdin /dev/null, stdout and stderr into one pipe whose read end
 * the caller gets, every other descriptor closed, default signal handling and an empty
 * signal mask (the daemon ignores SIGPIPE and its workers mask signals).
 *
 * Blocking only as fork/exec is: workers (never the service thread). */
#pragma once

#include <sys/types.h>

#include "util/app_error.h"

/* Starts argv (argv[0] found on PATH). Returns 0 with *pid and *out (the read end of its
 * output, O_CLOEXEC: the caller reads it to its end, closes it and reaps *pid), or -1
 * with err 500 "cannot run <argv[0]>: <reason>". */
int spawn_start(char *const argv[], pid_t *pid, int *out, struct app_error *err)
    __attribute__((warn_unused_result));

/* As spawn_start, but its stdin is a pipe whose write end (O_CLOEXEC) the caller gets in
 * *in: the caller writes the input, closes it, then reads *out to its end and reaps *pid
 * (the alert mails to sendmail). */
int spawn_start_input(char *const argv[], pid_t *pid, int *in, int *out, struct app_error *err)
    __attribute__((warn_unused_result));
