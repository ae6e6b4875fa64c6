/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config: virtdeck's settings (see config.h). Main thread before the daemon starts, or the
 * service thread at SIGHUP (a fresh struct config; never one another thread reads).
 *
 * Invariants: every string field of a struct config is owned and non-NULL after
 * config_init (except cert_file/key_file, NULL = self-signed); config_set changes a
 * field only when the whole value is valid, so a failed set leaves the old value. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "alerts/alerts_deliver.h"
#include "alerts/alerts_rule.h"
#include "auth_password_policy.h"
#include "util/xalloc.h"
#include "virt/virt_pool_policy.h"

#define CONFIG_WEB_ROOT_INSTALLED "/usr/share/virtdeck/web"
#define CONFIG_MAX_LINE           4096
#define CONFIG_TIMEOUT_MIN        60
#define CONFIG_TIMEOUT_MAX        31536000
#define CONFIG_WORKERS_MAX        64

const char *const config_pam_group_keys[CONFIG_PAM_GROUPS] = {
    "pam_admin_group", "pam_operator_group", "pam_user_group", "pam_viewer_group"};

/* A binary run from the build tree runs the helper built next to it (tests set
 * pam_helper to their own setuid copy); an installed one, the packaged helper. */
static const char *config_default_pam_helper(void)
{
#ifdef VIRTDECK_SOURCE_DIR
    struct stat st;

    if (stat(VIRTDECK_SOURCE_DIR "/build/virtdeck-pam-helper", &st) == 0 && S_ISREG(st.st_mode))
        return VIRTDECK_SOURCE_DIR "/build/virtdeck-pam-helper";
#endif
    return CONFIG_PAM_HELPER_INSTALLED;
}

/* A binary run from the build tree serves the web build's output (`make web-build`),
 * never web/ itself: what the tests and the demo load is what is installed. */
static const char *config_default_web_root(void)
{
#ifdef VIRTDECK_SOURCE_DIR
    struct stat st;

    if (stat(VIRTDECK_SOURCE_DIR "/build/web", &st) == 0 && S_ISDIR(st.st_mode))
        return VIRTDECK_SOURCE_DIR "/build/web";
#endif
    return CONFIG_WEB_ROOT_INSTALLED;
}

void config_init(struct config *config)
{
    memset(config, 0, sizeof(*config));
    config->listen_host = xstrdup("127.0.0.1");
    config->listen_port = 9443;
    config->uri = xstrdup("qemu:///system");
    config->state_dir = xstrdup("/var/lib/virtdeck");
    config->web_root = xstrdup(config_default_web_root());
    config->cert_file = NULL;
    config->key_file = NULL;
    config->session_idle_s = 900;
    config->session_max_s = 43200;
    config->allowed_origins = xstrdup("");
    config->server_names = xstrdup("");
    config->metrics_token = xstrdup("");
    config->max_connections_per_address = 256;
    config->max_handshakes_per_address = 32;
    config->first_request_timeout_s = 5;
    config->workers = 4;
    config->audit_retention_days = 365;
    config->metrics_keep_deleted_hours = 24;
    config->audit_retention_rows = 1000000;
    config->metrics_interval_s = 10;
    config->metrics_interval_watched_s = 2;
    config->password_min_length = AUTH_PASSWORD_MIN_DEFAULT;
    config->log_level = xstrdup("info");
    config->pool_roots = xstrdup(VIRT_POOL_POLICY_DEFAULT_ROOTS);
    config->pool_types = xstrdup(VIRT_POOL_POLICY_DEFAULT_TYPES);
    config->domain_type = xstrdup("auto");
    config->pam = false;
    config->pam_helper = xstrdup(config_default_pam_helper());
    for (size_t i = 0; i < CONFIG_PAM_GROUPS; i++)
        config->pam_groups[i] = xstrdup("");
    config->alert_webhook_url = xstrdup("");
    config->alert_webhook_retry_minutes = 60;
    config->alert_email_to = xstrdup("");
    config->alert_sendmail = xstrdup("/usr/sbin/sendmail");
    config->alert_rules = xstrdup("");
}

void config_free(struct config *config)
{
    if (!config)
        return;
    free(config->listen_host);
    free(config->uri);
    free(config->state_dir);
    free(config->web_root);
    free(config->cert_file);
    free(config->key_file);
    free(config->allowed_origins);
    free(config->server_names);
    if (config->metrics_token)
        OPENSSL_cleanse(config->metrics_token, strlen(config->metrics_token));
    free(config->metrics_token);
    free(config->log_level);
    free(config->pool_roots);
    free(config->pool_types);
    free(config->domain_type);
    free(config->pam_helper);
    for (size_t i = 0; i < CONFIG_PAM_GROUPS; i++)
        free(config->pam_groups[i]);
    free(config->alert_webhook_url);
    free(config->alert_email_to);
    free(config->alert_sendmail);
    free(config->alert_rules);
    memset(config, 0, sizeof(*config));
}

/* Whole-string decimal integer in [min, max]: no sign games, no trailing bytes. */
static int config_parse_int(const char *text, long min, long max, int *out)
{
    char *end = NULL;
    long v;

    if (!text || text[0] < '0' || text[0] > '9')
        return -1;
    errno = 0;
    v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

int config_parse_listen(const char *text, char **host_out, int *port_out)
{
    int ret = -1;
    const char *colon;
    const char *port_text;
    char *host = NULL;
    int port = 0;

    if (!text || !host_out || !port_out)
        goto cleanup;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');

        if (!close || close == text + 1 || close[1] != ':')
            goto cleanup;
        host = xstrndup(text + 1, (size_t)(close - text - 1));
        if (strchr(host, '[') || strchr(host, ']') || !strchr(host, ':'))
            goto cleanup;
        port_text = close + 2;
    } else {
        colon = strchr(text, ':');
        /* A bare IPv6 literal (more than one ':') is ambiguous without brackets. */
        if (!colon || strchr(colon + 1, ':'))
            goto cleanup;
        host = colon == text ? xstrdup("127.0.0.1") : xstrndup(text, (size_t)(colon - text));
        port_text = colon + 1;
    }
    if (strpbrk(host, " \t/[]") || config_parse_int(port_text, 1, 65535, &port) < 0)
        goto cleanup;
    *host_out = host;
    host = NULL;
    *port_out = port;
    ret = 0;

cleanup:
    free(host);
    return ret;
}

/* Replaces *field with a copy of value; NULL-able fields take "" as NULL. */
static void config_replace(char **field, const char *value, int empty_is_null)
{
    free(*field);
    *field = (empty_is_null && value[0] == '\0') ? NULL : xstrdup(value);
}

/* The whole-number keys with their bounds. */
static int *config_int_field(struct config *config, const char *key, long *min, long *max)
{
    static const struct {
        const char *key;
        size_t offset;
        long min, max;
    } keys[] = {
        {"workers", offsetof(struct config, workers), 1, CONFIG_WORKERS_MAX},
        {"max_connections_per_address", offsetof(struct config, max_connections_per_address), 1,
         100000},
        {"max_handshakes_per_address", offsetof(struct config, max_handshakes_per_address), 1,
         100000},
        {"first_request_timeout", offsetof(struct config, first_request_timeout_s), 1, 300},
        {"audit_retention_days", offsetof(struct config, audit_retention_days), 0, 36500},
        {"audit_retention_rows", offsetof(struct config, audit_retention_rows), 0, 1000000000},
        {"metrics_keep_deleted_hours", offsetof(struct config, metrics_keep_deleted_hours), 0,
         87840},
        {"alert_webhook_retry_minutes", offsetof(struct config, alert_webhook_retry_minutes), 1,
         10080},
        {"metrics_interval", offsetof(struct config, metrics_interval_s), 1, 3600},
        {"metrics_interval_watched", offsetof(struct config, metrics_interval_watched_s), 1, 3600},
        {"password_min_length", offsetof(struct config, password_min_length),
         AUTH_PASSWORD_MIN_LOWEST, AUTH_PASSWORD_MAX_BYTES},
    };

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (!strcmp(key, keys[i].key)) {
            *min = keys[i].min;
            *max = keys[i].max;
            return (int *)((char *)config + keys[i].offset);
        }
    }
    return NULL;
}

static int config_set_timeout(int *field, const char *key, const char *value, char *err,
                              size_t errlen)
{
    if (config_parse_int(value, CONFIG_TIMEOUT_MIN, CONFIG_TIMEOUT_MAX, field) < 0) {
        snprintf(err, errlen, "%s: expected whole seconds between %d and %d, got \"%s\"", key,
                 CONFIG_TIMEOUT_MIN, CONFIG_TIMEOUT_MAX, value);
        return -1;
    }
    return 0;
}

/* pam, pam_helper and the pam_<role>_group keys (group names are checked, with the role
 * each maps to, by auth_pam_map_init when the daemon starts). */
static int config_set_pam(struct config *config, const char *key, const char *value, char *err,
                          size_t errlen)
{
    if (strcmp(key, "pam") == 0) {
        if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0) {
            snprintf(err, errlen, "pam: expected on or off, got \"%s\"", value);
            return -1;
        }
        config->pam = strcmp(value, "on") == 0;
        return 0;
    }
    if (strcmp(key, "pam_helper") == 0) {
        if (value[0] != '/') {
            snprintf(err, errlen, "pam_helper: expected an absolute path, got \"%s\"", value);
            return -1;
        }
        config_replace(&config->pam_helper, value, 0);
        return 0;
    }
    for (size_t i = 0; i < CONFIG_PAM_GROUPS; i++) {
        if (strcmp(key, config_pam_group_keys[i]) == 0) {
            config_replace(&config->pam_groups[i], value, 0);
            return 0;
        }
    }
    snprintf(err, errlen, "unknown key \"%s\"", key);
    return -1;
}

/* metrics_token (the value) or metrics_token_file (a file whose first line is it): ""
 * turns it off; otherwise CONFIG_METRICS_TOKEN_MIN..MAX printable ASCII bytes, no space
 * (an Authorization header carries it). */
static int config_set_metrics_token(struct config *config, const char *key, const char *value,
                                    char *err, size_t errlen)
{
    char token[CONFIG_METRICS_TOKEN_MAX + 2] = "";
    FILE *fp = NULL;
    size_t n;
    int ret = -1;

    if (strcmp(key, "metrics_token_file") == 0 && value[0]) {
        struct stat st;
        /* a regular file only: a FIFO or a terminal would block the start */
        int fd = open(value, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        const char *why = NULL;

        if (fd < 0 || fstat(fd, &st) < 0)
            why = strerror(errno);
        else if (!S_ISREG(st.st_mode))
            why = "not a regular file";
        else if (!(fp = fdopen(fd, "r")))
            why = strerror(errno);
        if (why) {
            snprintf(err, errlen, "%s: %s: %s", key, value, why);
            if (fd >= 0)
                close(fd);
            goto cleanup;
        }
        if (!fgets(token, sizeof(token), fp))
            token[0] = '\0';
        token[strcspn(token, "\r\n")] = '\0';
    } else {
        snprintf(token, sizeof(token), "%s", value);
    }
    n = strlen(token);
    for (size_t i = 0; i < n; i++) {
        if (token[i] <= ' ' || token[i] > '~')
            n = 0; /* refused below */
    }
    if (token[0] && (n < CONFIG_METRICS_TOKEN_MIN || n > CONFIG_METRICS_TOKEN_MAX)) {
        snprintf(err, errlen, "%s: the token must be %d-%d printable characters without spaces",
                 key, CONFIG_METRICS_TOKEN_MIN, CONFIG_METRICS_TOKEN_MAX);
        goto cleanup;
    }
    OPENSSL_cleanse(config->metrics_token, strlen(config->metrics_token));
    config_replace(&config->metrics_token, token, 0);
    ret = 0;

cleanup:
    OPENSSL_cleanse(token, sizeof(token));
    if (fp)
        fclose(fp);
    return ret;
}

/* alert_webhook_url, alert_email_to, alert_sendmail and alert_rule (repeatable: each
 * line adds a read-only rule, checked here, numbered cfg-1, cfg-2 ... in file order). */
static int config_set_alert(struct config *config, const char *key, const char *value, char *err,
                            size_t errlen)
{
    struct app_error why;
    char host[256], path[1024];
    int port;

    app_error_clear(&why);
    if (strcmp(key, "alert_webhook_url") == 0) {
        if (value[0] && alerts_deliver_parse_url(value, host, sizeof(host), &port, path,
                                                 sizeof(path), &why) < 0) {
            snprintf(err, errlen, "%s", why.message);
            return -1;
        }
        config_replace(&config->alert_webhook_url, value, 0);
    } else if (strcmp(key, "alert_email_to") == 0) {
        if (strpbrk(value, "\r\n")) {
            snprintf(err, errlen, "alert_email_to: one line of addresses expected");
            return -1;
        }
        config_replace(&config->alert_email_to, value, 0);
    } else if (strcmp(key, "alert_sendmail") == 0) {
        if (value[0] != '/') {
            snprintf(err, errlen, "alert_sendmail: expected an absolute path, got \"%s\"", value);
            return -1;
        }
        config_replace(&config->alert_sendmail, value, 0);
    } else if (strcmp(key, "alert_rule") == 0) {
        struct alerts_rule rule;
        char *joined;

        if (alerts_rule_parse_text(value, &rule, &why) < 0) {
            snprintf(err, errlen, "alert_rule: %s", why.message);
            return -1;
        }
        joined = config->alert_rules[0] ? xasprintf("%s\n%s", config->alert_rules, value)
                                        : xstrdup(value);
        free(config->alert_rules);
        config->alert_rules = joined;
    } else {
        snprintf(err, errlen, "unknown key \"%s\"", key);
        return -1;
    }
    return 0;
}

int config_set(struct config *config, const char *key, const char *value, char *err, size_t errlen)
{
    int ret = -1;
    char *host = NULL;
    int port = 0;
    int *int_field;
    long min, max;

    if (!key || !value) {
        snprintf(err, errlen, "missing key or value");
        goto cleanup;
    }
    if (strcmp(key, "listen") == 0) {
        if (config_parse_listen(value, &host, &port) < 0) {
            snprintf(err, errlen,
                     "listen: expected HOST:PORT, [IPV6]:PORT or :PORT "
                     "(port 1-65535), got \"%s\"",
                     value);
            goto cleanup;
        }
        free(config->listen_host);
        config->listen_host = host;
        host = NULL;
        config->listen_port = port;
    } else if (strcmp(key, "uri") == 0 || strcmp(key, "state_dir") == 0 ||
               strcmp(key, "web_root") == 0) {
        char **field = key[0] == 'u'   ? &config->uri
                       : key[0] == 's' ? &config->state_dir
                                       : &config->web_root;

        if (value[0] == '\0') {
            snprintf(err, errlen, "%s: must not be empty", key);
            goto cleanup;
        }
        config_replace(field, value, 0);
    } else if (strcmp(key, "cert") == 0) {
        config_replace(&config->cert_file, value, 1);
    } else if (strcmp(key, "key") == 0) {
        config_replace(&config->key_file, value, 1);
    } else if (strcmp(key, "session_idle_timeout") == 0) {
        if (config_set_timeout(&config->session_idle_s, key, value, err, errlen) < 0)
            goto cleanup;
    } else if (strcmp(key, "session_max_lifetime") == 0) {
        if (config_set_timeout(&config->session_max_s, key, value, err, errlen) < 0)
            goto cleanup;
    } else if (strcmp(key, "allowed_origins") == 0) {
        config_replace(&config->allowed_origins, value, 0);
    } else if (strcmp(key, "server_names") == 0) {
        config_replace(&config->server_names, value, 0);
    } else if (strcmp(key, "metrics_token") == 0 || strcmp(key, "metrics_token_file") == 0) {
        if (config_set_metrics_token(config, key, value, err, errlen) < 0)
            goto cleanup;
    } else if ((int_field = config_int_field(config, key, &min, &max))) {
        if (config_parse_int(value, min, max, int_field) < 0) {
            snprintf(err, errlen, "%s: expected %ld-%ld, got \"%s\"", key, min, max, value);
            goto cleanup;
        }
    } else if (strcmp(key, "log_level") == 0) {
        if (strcmp(value, "debug") != 0 && strcmp(value, "info") != 0 &&
            strcmp(value, "warn") != 0 && strcmp(value, "error") != 0) {
            snprintf(err, errlen, "log_level: expected debug, info, warn or error, got \"%s\"",
                     value);
            goto cleanup;
        }
        config_replace(&config->log_level, value, 0);
    } else if (strcmp(key, "pool_roots") == 0 || strcmp(key, "pool_types") == 0) {
        bool roots = strcmp(key, "pool_roots") == 0;
        struct virt_pool_policy policy;

        /* parsed here only to refuse a bad value early; cli_serve installs the policy */
        if (virt_pool_policy_parse(&policy, roots ? value : NULL, roots ? NULL : value, err,
                                   errlen) < 0)
            goto cleanup;
        virt_pool_policy_clear(&policy);
        config_replace(roots ? &config->pool_roots : &config->pool_types, value, 0);
    } else if (strcmp(key, "domain_type") == 0) {
        if (strcmp(value, "auto") != 0 && strcmp(value, "kvm") != 0 && strcmp(value, "qemu") != 0) {
            snprintf(err, errlen, "domain_type: expected auto, kvm or qemu, got \"%s\"", value);
            goto cleanup;
        }
        config_replace(&config->domain_type, value, 0);
    } else if (strcmp(key, "totp_required_for_admins") == 0) {
        if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
            snprintf(err, errlen, "totp_required_for_admins: expected true or false, got \"%s\"",
                     value);
            goto cleanup;
        }
        config->totp_required_for_admins = strcmp(value, "true") == 0;
    } else if (strncmp(key, "alert_", 6) == 0) {
        if (config_set_alert(config, key, value, err, errlen) < 0)
            goto cleanup;
    } else if (strncmp(key, "pam", 3) == 0) {
        if (config_set_pam(config, key, value, err, errlen) < 0)
            goto cleanup;
    } else {
        snprintf(err, errlen, "unknown key \"%s\"", key);
        goto cleanup;
    }
    ret = 0;

cleanup:
    free(host);
    return ret;
}

static char *config_trim(char *s)
{
    char *end;

    while (*s == ' ' || *s == '\t')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        end--;
    *end = '\0';
    return s;
}

/* Parses one non-comment line in place into key and value. Returns 0 or -1 + msg. */
static int config_split_line(char *line, char **key_out, char **value_out, char *msg, size_t msglen)
{
    int ret = -1;
    char *eq = strchr(line, '=');
    char *key;
    char *value;
    size_t len;

    if (!eq) {
        snprintf(msg, msglen, "expected \"key = value\"");
        goto cleanup;
    }
    *eq = '\0';
    key = config_trim(line);
    value = config_trim(eq + 1);
    if (key[0] == '\0' || strpbrk(key, " \t\"")) {
        snprintf(msg, msglen, "malformed key");
        goto cleanup;
    }
    len = strlen(value);
    if (len > 0 && (value[0] == '"' || value[len - 1] == '"')) {
        if (len < 2 || value[0] != '"' || value[len - 1] != '"') {
            snprintf(msg, msglen, "%s: unbalanced quotes", key);
            goto cleanup;
        }
        value[len - 1] = '\0';
        value++;
    }
    *key_out = key;
    *value_out = value;
    ret = 0;

cleanup:
    return ret;
}

/* One file's lines, in order. */
static int config_load_one(struct config *config, const char *path, bool required, char *err,
                           size_t errlen)
{
    int ret = -1;
    FILE *fp = NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lineno = 0;
    char msg[512];

    fp = fopen(path, "re");
    if (!fp) {
        if (errno == ENOENT && !required) {
            ret = 0;
            goto cleanup;
        }
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto cleanup;
    }
    while ((n = getline(&line, &cap, fp)) >= 0) {
        char *text;
        char *key = NULL;
        char *value = NULL;

        lineno++;
        if ((size_t)n > CONFIG_MAX_LINE || memchr(line, '\0', (size_t)n)) {
            snprintf(err, errlen, "%s:%lu: line too long or contains NUL", path, lineno);
            goto cleanup;
        }
        text = config_trim(line);
        if (text[0] == '\0' || text[0] == '#')
            continue;
        if (config_split_line(text, &key, &value, msg, sizeof(msg)) < 0 ||
            config_set(config, key, value, msg, sizeof(msg)) < 0) {
            snprintf(err, errlen, "%s:%lu: %s", path, lineno, msg);
            goto cleanup;
        }
    }
    if (ferror(fp)) {
        snprintf(err, errlen, "%s: read error", path);
        goto cleanup;
    }
    ret = 0;

cleanup:
    free(line);
    if (fp)
        fclose(fp);
    return ret;
}

/* scandir filters: "*.conf", not hidden; byte order (not the locale's collation). */
static int config_dropin_filter(const struct dirent *d)
{
    size_t n = strlen(d->d_name);

    return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".conf") == 0;
}

static int config_dropin_compare(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int config_load_file(struct config *config, const char *path, bool required, char *err,
                     size_t errlen)
{
    int ret = -1;
    char *dir = NULL;
    struct dirent **names = NULL;
    int count = 0;

    if (config_load_one(config, path, required, err, errlen) < 0)
        goto cleanup;
    dir = xasprintf("%s.d", path);
    count = scandir(dir, &names, config_dropin_filter, config_dropin_compare);
    if (count < 0) {
        count = 0;
        if (errno != ENOENT && errno != ENOTDIR) {
            snprintf(err, errlen, "%s: %s", dir, strerror(errno));
            goto cleanup;
        }
    }
    for (int i = 0; i < count; i++) {
        char *file = xasprintf("%s/%s", dir, names[i]->d_name);
        int rc = config_load_one(config, file, true, err, errlen);

        free(file);
        if (rc < 0)
            goto cleanup;
    }
    ret = 0;

cleanup:
    for (int i = 0; i < count; i++)
        free(names[i]);
    free(names);
    free(dir);
    return ret;
}

/* The settings a SIGHUP compares: every field of struct config, by its key. live: applied
 * at run time by config_settings_apply; the others need a restart, and the running value is
 * kept in the reloaded struct so that a later SIGHUP names them again. */
enum config_setting_kind { CONFIG_SETTING_STR, CONFIG_SETTING_INT, CONFIG_SETTING_BOOL };
static const struct config_setting {
    const char *key;
    size_t offset;
    enum config_setting_kind kind;
    bool live;
} config_settings[] = {
#define CONFIG_S(key, field, kind, live)                                                           \
    {                                                                                              \
        key, offsetof(struct config, field), CONFIG_SETTING_##kind, live                           \
    }
    CONFIG_S("listen", listen_host, STR, false),
    CONFIG_S("listen", listen_port, INT, false),
    CONFIG_S("uri", uri, STR, false),
    CONFIG_S("state_dir", state_dir, STR, false),
    CONFIG_S("web_root", web_root, STR, false),
    CONFIG_S("cert", cert_file, STR, false),
    CONFIG_S("key", key_file, STR, false),
    CONFIG_S("session_idle_timeout", session_idle_s, INT, true),
    CONFIG_S("session_max_lifetime", session_max_s, INT, true),
    CONFIG_S("allowed_origins", allowed_origins, STR, true),
    CONFIG_S("server_names", server_names, STR, true),
    CONFIG_S("metrics_token", metrics_token, STR, true),
    CONFIG_S("max_connections_per_address", max_connections_per_address, INT, false),
    CONFIG_S("max_handshakes_per_address", max_handshakes_per_address, INT, false),
    CONFIG_S("first_request_timeout", first_request_timeout_s, INT, false),
    CONFIG_S("workers", workers, INT, false),
    CONFIG_S("log_level", log_level, STR, true),
    CONFIG_S("pool_roots", pool_roots, STR, false),
    CONFIG_S("pool_types", pool_types, STR, false),
    CONFIG_S("domain_type", domain_type, STR, false),
    CONFIG_S("audit_retention_days", audit_retention_days, INT, false),
    CONFIG_S("metrics_keep_deleted_hours", metrics_keep_deleted_hours, INT, false),
    CONFIG_S("audit_retention_rows", audit_retention_rows, INT, false),
    CONFIG_S("metrics_interval", metrics_interval_s, INT, true),
    CONFIG_S("metrics_interval_watched", metrics_interval_watched_s, INT, true),
    CONFIG_S("password_min_length", password_min_length, INT, false),
    CONFIG_S("pam", pam, BOOL, false),
    CONFIG_S("pam_helper", pam_helper, STR, false),
    CONFIG_S("pam_admin_group", pam_groups[0], STR, false),
    CONFIG_S("pam_operator_group", pam_groups[1], STR, false),
    CONFIG_S("pam_user_group", pam_groups[2], STR, false),
    CONFIG_S("pam_viewer_group", pam_groups[3], STR, false),
    CONFIG_S("totp_required_for_admins", totp_required_for_admins, BOOL, false),
    CONFIG_S("alert_webhook_url", alert_webhook_url, STR, false),
    CONFIG_S("alert_webhook_retry_minutes", alert_webhook_retry_minutes, INT, false),
    CONFIG_S("alert_email_to", alert_email_to, STR, false),
    CONFIG_S("alert_sendmail", alert_sendmail, STR, false),
    CONFIG_S("alert_rule", alert_rules, STR, false),
#undef CONFIG_S
};

static bool config_setting_differs(const struct config_setting *s, const struct config *a,
                                   const struct config *b)
{
    const char *pa = (const char *)a + s->offset, *pb = (const char *)b + s->offset;

    switch (s->kind) {
    case CONFIG_SETTING_STR: {
        const char *x = *(char *const *)pa, *y = *(char *const *)pb;
        return (x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0);
    }
    case CONFIG_SETTING_INT:
        return *(const int *)pa != *(const int *)pb;
    case CONFIG_SETTING_BOOL:
        return *(const bool *)pa != *(const bool *)pb;
    }
    return false;
}

/* Sets fresh's field to running's (a restart-only key keeps its running value). */
static void config_setting_keep(const struct config_setting *s, struct config *fresh,
                                const struct config *running)
{
    char *pf = (char *)fresh + s->offset;
    const char *pr = (const char *)running + s->offset;

    switch (s->kind) {
    case CONFIG_SETTING_STR: {
        char **field = (char **)pf;
        const char *value = *(char *const *)pr;

        free(*field);
        *field = value ? xstrdup(value) : NULL;
        break;
    }
    case CONFIG_SETTING_INT:
        *(int *)pf = *(const int *)pr;
        break;
    case CONFIG_SETTING_BOOL:
        *(bool *)pf = *(const bool *)pr;
        break;
    }
}

/* Appends key to list ("a, b") unless it is already the last one (listen's two rows). */
static void config_settings_name(char *list, size_t len, const char *key)
{
    const char *last = strrchr(list, ' ');

    if (strcmp(last ? last + 1 : list, key) == 0)
        return;
    snprintf(list + strlen(list), len - strlen(list), "%s%s", list[0] ? ", " : "", key);
}

void config_reload_diff(struct config *fresh, const struct config *running, char *applied,
                        size_t applied_len, char *restart, size_t restart_len)
{
    applied[0] = restart[0] = '\0';
    for (size_t i = 0; i < sizeof(config_settings) / sizeof(config_settings[0]); i++) {
        const struct config_setting *s = &config_settings[i];

        if (!config_setting_differs(s, fresh, running))
            continue;
        if (s->live) {
            config_settings_name(applied, applied_len, s->key);
        } else {
            config_settings_name(restart, restart_len, s->key);
            config_setting_keep(s, fresh, running);
        }
    }
}

int config_validate(const struct config *config, char *err, size_t errlen)
{
    int ret = -1;

    if ((config->cert_file == NULL) != (config->key_file == NULL)) {
        snprintf(err, errlen,
                 "cert and key must be given together (or neither, for a "
                 "self-signed certificate)");
        goto cleanup;
    }
    if (config->session_idle_s > config->session_max_s) {
        snprintf(err, errlen, "session_idle_timeout (%d) exceeds session_max_lifetime (%d)",
                 config->session_idle_s, config->session_max_s);
        goto cleanup;
    }
    if (config->workers < 1 || config->workers > CONFIG_WORKERS_MAX) {
        snprintf(err, errlen, "workers must be 1-%d", CONFIG_WORKERS_MAX);
        goto cleanup;
    }
    ret = 0;

cleanup:
    return ret;
}
