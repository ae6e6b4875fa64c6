/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virtdeck-pam-helper: checks one system account's password through PAM for the daemon.
 *
 * A program of its own, installed setuid root and executable only by the daemon's group
 * (mode 4750 root:virtdeck), because pam_unix cannot read /etc/shadow from the
 * unprivileged daemon (auth/README.md, "PAM"). It reads "NAME\nPASSWORD\n" on stdin (at
 * most 64 + 1024 bytes, never argv or the environment), runs the "virtdeck" PAM service
 * (pam_authenticate, then pam_acct_mgmt so locked and expired accounts fail) and writes
 * one line to stdout: "ok", "denied" or "expired"; anything else (a bad input, a PAM
 * error) is "error" and exit status 1. Single-threaded, no libvirt, no network, no
 * files of its own; it keeps root only as long as pam_unix needs it (to the end: the
 * check is the last thing it does) and clears the environment first. Every answer other
 * than "error" takes at least VD_PAM_FLOOR_MS, so an unknown user and a wrong password
 * look the same; PAM's own failure delay is replaced (the daemon's throttle is the
 * backoff). */
#include <errno.h>
#include <security/pam_appl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define VD_PAM_SERVICE      "virtdeck"
#define VD_PAM_NAME_MAX     64
#define VD_PAM_PASSWORD_MAX 1024
#define VD_PAM_INPUT_MAX    (VD_PAM_NAME_MAX + 1 + VD_PAM_PASSWORD_MAX + 1)
#define VD_PAM_FLOOR_MS     250

enum vd_pam_answer { VD_PAM_OK, VD_PAM_DENIED, VD_PAM_EXPIRED, VD_PAM_ERROR };

struct vd_pam_input {
    char buf[VD_PAM_INPUT_MAX + 1];
    const char *name;     /* borrowed: into buf */
    const char *password; /* borrowed: into buf */
};

/* The same rule as the daemon's user names (auth_users_name_valid). */
static int vd_pam_name_valid(const char *name)
{
    size_t len = strlen(name);

    if (len == 0 || len > VD_PAM_NAME_MAX || name[0] == '-' || name[0] == '.')
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* Reads all of stdin (bounded) and splits it into exactly two lines. Returns 0 or -1. */
static int vd_pam_read_input(struct vd_pam_input *in)
{
    size_t len = 0;
    char *nl1;
    char *nl2;

    for (;;) {
        ssize_t n = read(STDIN_FILENO, in->buf + len, sizeof(in->buf) - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        len += (size_t)n;
        if (len >= sizeof(in->buf) - 1)
            return -1; /* longer than any sane input */
    }
    in->buf[len] = '\0';
    if (memchr(in->buf, '\0', len))
        return -1;
    nl1 = strchr(in->buf, '\n');
    nl2 = nl1 ? strchr(nl1 + 1, '\n') : NULL;
    if (!nl1 || !nl2 || nl2 != in->buf + len - 1)
        return -1;
    *nl1 = '\0';
    *nl2 = '\0';
    in->name = in->buf;
    in->password = nl1 + 1;
    if (!vd_pam_name_valid(in->name) || strlen(in->password) > VD_PAM_PASSWORD_MAX ||
        strchr(in->password, '\r'))
        return -1;
    return 0;
}

/* Answers every PAM prompt that hides its echo with the password, anything else with
 * nothing: the service stack asks for the password once (pam_unix). */
static int vd_pam_conv(int num_msg, const struct pam_message **msg, struct pam_response **resp,
                       void *appdata)
{
    const char *password = appdata;
    struct pam_response *out;

    if (num_msg <= 0 || num_msg > PAM_MAX_NUM_MSG)
        return PAM_CONV_ERR;
    out = calloc((size_t)num_msg, sizeof(*out));
    if (!out)
        return PAM_BUF_ERR;
    for (int i = 0; i < num_msg; i++) {
        if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF)
            continue;
        out[i].resp = strdup(password);
        if (!out[i].resp) {
            for (int j = 0; j < i; j++)
                free(out[j].resp);
            free(out);
            return PAM_BUF_ERR;
        }
    }
    *resp = out;
    return PAM_SUCCESS;
}

/* PAM's failure delay (pam_unix asks for 2 s) is replaced by the fixed floor. */
static void vd_pam_no_delay(int retval, unsigned usec_delay, void *appdata)
{
    (void)retval;
    (void)usec_delay;
    (void)appdata;
}

static enum vd_pam_answer vd_pam_check(const struct vd_pam_input *in)
{
    enum vd_pam_answer answer = VD_PAM_ERROR;
    struct pam_conv conv = {.conv = vd_pam_conv, .appdata_ptr = (void *)in->password};
    pam_handle_t *pamh = NULL;
    int rc;

    rc = pam_start(VD_PAM_SERVICE, in->name, &conv, &pamh);
    if (rc != PAM_SUCCESS)
        goto cleanup;
    rc = pam_set_item(pamh, PAM_FAIL_DELAY, (const void *)vd_pam_no_delay);
    if (rc != PAM_SUCCESS)
        goto cleanup;
    rc = pam_authenticate(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
    if (rc != PAM_SUCCESS) {
        answer = VD_PAM_DENIED;
        goto cleanup;
    }
    rc = pam_acct_mgmt(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
    if (rc == PAM_SUCCESS)
        answer = VD_PAM_OK;
    else if (rc == PAM_ACCT_EXPIRED || rc == PAM_NEW_AUTHTOK_REQD)
        answer = VD_PAM_EXPIRED;
    else
        answer = VD_PAM_DENIED;

cleanup:
    if (pamh)
        pam_end(pamh, rc);
    return answer;
}

static long vd_pam_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void vd_pam_sleep_until(long deadline_ms)
{
    long left = deadline_ms - vd_pam_now_ms();
    struct timespec ts;

    if (left <= 0)
        return;
    ts.tv_sec = left / 1000;
    ts.tv_nsec = (left % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

int main(void)
{
    static const char *const words[] = {"ok", "denied", "expired", "error"};
    static struct vd_pam_input in;
    struct rlimit no_core = {0, 0};
    long deadline_ms = vd_pam_now_ms() + VD_PAM_FLOOR_MS;
    enum vd_pam_answer answer = VD_PAM_ERROR;

    /* No core file may hold the password; nothing from the caller's environment reaches
     * the PAM modules; a closed stdout must not kill the program half-way. */
    setrlimit(RLIMIT_CORE, &no_core);
    if (clearenv() != 0 || setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1) != 0)
        goto out;
    signal(SIGPIPE, SIG_IGN);
    if (vd_pam_read_input(&in) < 0)
        goto out;
    answer = vd_pam_check(&in);
    vd_pam_sleep_until(deadline_ms);

out:
    explicit_bzero(in.buf, sizeof(in.buf));
    printf("%s\n", words[answer]);
    fflush(stdout);
    return answer == VD_PAM_ERROR ? 1 : 0;
}
