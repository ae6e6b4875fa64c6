/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* spawn: start a helper program with its output in a pipe (see spawn.h). Workers. */
#include "util/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* in: NULL for /dev/null, else the write end of a pipe to its stdin goes there. */
static int spawn_run(char *const argv[], pid_t *pid, int *in, int *out, struct app_error *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, dflt;
    int pipefd[2] = {-1, -1};
    int infd[2] = {-1, -1};
    int rc, ret = -1;

    *out = -1;
    if (in)
        *in = -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    if (pipe2(pipefd, O_CLOEXEC) < 0 || (in && pipe2(infd, O_CLOEXEC) < 0)) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot run %s: %s", argv[0], strerror(errno));
        goto cleanup;
    }
    sigemptyset(&none);
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dflt);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (in)
        posix_spawn_file_actions_adddup2(&fa, infd[0], STDIN_FILENO);
    else
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
    posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
    if ((rc = posix_spawnp(pid, argv[0], &fa, &attr, argv, environ)) != 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot run %s: %s", argv[0], strerror(rc));
        goto cleanup;
    }
    *out = pipefd[0];
    pipefd[0] = -1;
    if (in) {
        *in = infd[1];
        infd[1] = -1;
    }
    ret = 0;

cleanup:
    for (int i = 0; i < 2; i++)
        if (infd[i] >= 0)
            close(infd[i]);
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return ret;
}

int spawn_start(char *const argv[], pid_t *pid, int *out, struct app_error *err)
{
    return spawn_run(argv, pid, NULL, out, err);
}

int spawn_start_input(char *const argv[], pid_t *pid, int *in, int *out, struct app_error *err)
{
    return spawn_run(argv, pid, in, out, err);
}
