/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_pam: the group → role map and the PAM helper's runner (see auth_pam.h).
 *
 * auth_pam_check runs on the password lane only: it starts the helper (posix_spawn, an
 * argv of one, an empty environment), writes "NAME\nPASSWORD\n" into its stdin (one write:
 * at most 1.1 KB, below a pipe's capacity), waits for its answer with a deadline (the
 * helper is killed and reaped when it passes) and wipes the buffer that held the
 * password. The role comes from NSS, read by the daemon itself: group membership is
 * public, only the password check needs the helper's privilege. */
#include "auth_pam.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth_users.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#define AUTH_PAM_GROUPS_MAX   256 /* an account's groups looked at */
#define AUTH_PAM_NSS_BUF      16384
#define AUTH_PAM_ANSWER_MAX   16
#define AUTH_PAM_PASSWORD_MAX 1024

const char *const auth_pam_slot_roles[AUTH_PAM_MAP_SLOTS] = {"admin", "operator", "user", "viewer"};

struct auth_pam {
    char *helper; /* owned */
    struct auth_pam_map map;
};

static bool auth_pam_group_valid(const char *name)
{
    size_t len = strlen(name);

    if (len == 0 || len > AUTH_PAM_GROUP_MAX || name[0] == '-')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

int auth_pam_map_init(struct auth_pam_map *map, const char *const groups[AUTH_PAM_MAP_SLOTS],
                      char *err, size_t errlen)
{
    int ret = -1;

    memset(map, 0, sizeof(*map));
    for (size_t i = 0; i < AUTH_PAM_MAP_SLOTS; i++) {
        enum auth_role role;

        if (!groups[i] || !groups[i][0])
            continue;
        if (!auth_pam_group_valid(groups[i])) {
            snprintf(err, errlen, "pam_%s_group: invalid group name \"%s\"", auth_pam_slot_roles[i],
                     groups[i]);
            goto cleanup;
        }
        if (auth_role_parse(auth_pam_slot_roles[i], &role) < 0) {
            snprintf(err, errlen, "pam_%s_group: this virtdeck has no role \"%s\"",
                     auth_pam_slot_roles[i], auth_pam_slot_roles[i]);
            goto cleanup;
        }
        snprintf(map->entries[map->count].group, sizeof(map->entries[0].group), "%s", groups[i]);
        map->entries[map->count].role = role;
        map->count++;
    }
    if (map->count == 0) {
        snprintf(err, errlen, "pam = on needs at least one pam_<role>_group");
        goto cleanup;
    }
    ret = 0;

cleanup:
    return ret;
}

bool auth_pam_map_role(const struct auth_pam_map *map, const char *const *names, size_t count,
                       enum auth_role *role)
{
    for (size_t i = 0; i < map->count; i++) {
        for (size_t j = 0; j < count; j++) {
            if (names[j] && strcmp(names[j], map->entries[i].group) == 0) {
                *role = map->entries[i].role;
                return true;
            }
        }
    }
    return false;
}

struct auth_pam *auth_pam_new(const char *helper, const struct auth_pam_map *map)
{
    struct auth_pam *pam = xcalloc(1, sizeof(*pam));

    pam->helper = xstrdup(helper);
    pam->map = *map;
    return pam;
}

void auth_pam_free(struct auth_pam *pam)
{
    if (!pam)
        return;
    free(pam->helper);
    free(pam);
}

/* Starts the helper with pipes on its stdin and stdout (stderr: /dev/null). */
static int auth_pam_spawn(const struct auth_pam *pam, pid_t *pid, int *in, int *out)
{
    int ret = -1;
    int to_child[2] = {-1, -1};
    int from_child[2] = {-1, -1};
    char *argv[] = {pam->helper, NULL};
    char *envp[] = {NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, dflt;
    int rc;

    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    if (pipe2(to_child, O_CLOEXEC) < 0 || pipe2(from_child, O_CLOEXEC) < 0) {
        log_error("auth_pam: pipe: %s", strerror(errno));
        goto cleanup;
    }
    sigemptyset(&none);
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dflt);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawn_file_actions_adddup2(&fa, to_child[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, from_child[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
    rc = posix_spawn(pid, pam->helper, &fa, &attr, argv, envp);
    if (rc != 0) {
        log_error("auth_pam: cannot run %s: %s", pam->helper, strerror(rc));
        goto cleanup;
    }
    *in = to_child[1];
    to_child[1] = -1;
    *out = from_child[0];
    from_child[0] = -1;
    ret = 0;

cleanup:
    for (int i = 0; i < 2; i++) {
        if (to_child[i] >= 0)
            close(to_child[i]);
        if (from_child[i] >= 0)
            close(from_child[i]);
    }
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return ret;
}

/* Reads the helper's answer line until it ends, the pipe closes or the deadline passes.
 * Returns the answer (AUTH_PAM_OK, _DENIED or _EXPIRED) or -1. */
static int auth_pam_read_answer(int fd, int64_t deadline_ms)
{
    char buf[AUTH_PAM_ANSWER_MAX + 1];
    size_t len = 0;

    while (len < AUTH_PAM_ANSWER_MAX) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int64_t left = deadline_ms - clock_mono_ms();
        ssize_t n;

        if (left <= 0) {
            log_error("auth_pam: the helper did not answer within %d ms", AUTH_PAM_TIMEOUT_MS);
            return -1;
        }
        if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
            return -1;
        if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        n = read(fd, buf + len, AUTH_PAM_ANSWER_MAX - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (memchr(buf, '\n', len))
            break;
    }
    buf[len] = '\0';
    if (!strcmp(buf, "ok\n"))
        return AUTH_PAM_OK;
    if (!strcmp(buf, "denied\n"))
        return AUTH_PAM_DENIED;
    if (!strcmp(buf, "expired\n"))
        return AUTH_PAM_EXPIRED;
    log_error("auth_pam: the helper failed (answer \"%.*s\")", (int)strcspn(buf, "\n"), buf);
    return -1;
}

/* Runs the helper for name and password. Returns an answer or -1 (logged). */
static int auth_pam_run_helper(const struct auth_pam *pam, const char *name, const char *password)
{
    int ret = -1;
    char input[AUTH_USERNAME_MAX + AUTH_PAM_PASSWORD_MAX + 3];
    int in = -1, out = -1;
    pid_t pid = -1;
    int len;

    len = snprintf(input, sizeof(input), "%s\n%s\n", name, password);
    if (len < 0 || (size_t)len >= sizeof(input))
        goto cleanup;
    if (auth_pam_spawn(pam, &pid, &in, &out) < 0)
        goto cleanup;
    if (write(in, input, (size_t)len) != len) {
        log_error("auth_pam: cannot write to the helper: %s", strerror(errno));
        goto cleanup;
    }
    close(in);
    in = -1;
    ret = auth_pam_read_answer(out, clock_mono_ms() + AUTH_PAM_TIMEOUT_MS);

cleanup:
    OPENSSL_cleanse(input, sizeof(input));
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    if (pid > 0) {
        int status;

        if (ret < 0)
            kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    return ret;
}

/* The account's role from its groups (NSS). Returns AUTH_PAM_OK with *role, or
 * AUTH_PAM_NO_ROLE. */
static int auth_pam_role_of(const struct auth_pam *pam, const char *name, enum auth_role *role)
{
    int ret = AUTH_PAM_NO_ROLE;
    char *buf = xmalloc(AUTH_PAM_NSS_BUF);
    char *names[AUTH_PAM_GROUPS_MAX] = {0};
    gid_t gids[AUTH_PAM_GROUPS_MAX];
    int ngids = AUTH_PAM_GROUPS_MAX;
    struct passwd pw, *pwp = NULL;
    size_t count = 0;

    if (getpwnam_r(name, &pw, buf, AUTH_PAM_NSS_BUF, &pwp) != 0 || !pwp)
        goto cleanup;
    /* More groups than the bound: the first AUTH_PAM_GROUPS_MAX are looked at. */
    if (getgrouplist(name, pw.pw_gid, gids, &ngids) < 0)
        ngids = AUTH_PAM_GROUPS_MAX;
    for (int i = 0; i < ngids; i++) {
        struct group gr, *grp = NULL;

        if (getgrgid_r(gids[i], &gr, buf, AUTH_PAM_NSS_BUF, &grp) == 0 && grp)
            names[count++] = xstrdup(gr.gr_name);
    }
    if (auth_pam_map_role(&pam->map, (const char *const *)names, count, role))
        ret = AUTH_PAM_OK;

cleanup:
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(buf);
    return ret;
}

int auth_pam_check(const struct auth_pam *pam, const char *name, const char *password,
                   enum auth_role *role, struct app_error *err)
{
    int ret;

    /* The helper refuses these too; refusing them here spares a process. Not the local
     * password policy: a system password is the system's business. */
    if (!auth_users_name_valid(name) || strnlen(password, AUTH_PAM_PASSWORD_MAX + 1) == 0 ||
        strnlen(password, AUTH_PAM_PASSWORD_MAX + 1) > AUTH_PAM_PASSWORD_MAX ||
        strpbrk(password, "\r\n"))
        return AUTH_PAM_DENIED;
    ret = auth_pam_run_helper(pam, name, password);
    if (ret < 0) {
        app_error_set(err, 500, APP_ERR_INTERNAL, "cannot check the password with PAM");
        return -1;
    }
    if (ret == AUTH_PAM_OK)
        ret = auth_pam_role_of(pam, name, role);
    return ret;
}
