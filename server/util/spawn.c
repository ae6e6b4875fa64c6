/* spawn: start a helper program with its output in a pipe (see spawn.h). Workers. */
#include "util/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

int spawn_start(char *const argv[], pid_t *pid, int *out, struct app_error *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, dflt;
    int pipefd[2] = {-1, -1};
    int rc, ret = -1;

    *out = -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot run %s: %s", argv[0], strerror(errno));
        goto cleanup;
    }
    sigemptyset(&none);
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dflt);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
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
    ret = 0;

cleanup:
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return ret;
}
