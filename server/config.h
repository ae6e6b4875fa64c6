/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config: virtdeck's settings, from defaults, the config file and command-line flags
 * (flags win).
 *
 * The file is plain "key = value" lines; '#' starts a comment line; blank lines are
 * ignored; unknown keys and malformed lines are errors (with the line number). Every
 * serve flag is also a key (listen, uri, state_dir, web_root, cert, key) plus
 * session_idle_timeout, session_max_lifetime, allowed_origins, server_names,
 * max_connections_per_address, max_handshakes_per_address, first_request_timeout, workers,
 * log_level, pool_roots, pool_types, domain_type, audit_retention_days,
 * audit_retention_rows, metrics_interval, metrics_interval_watched,
 * metrics_keep_deleted_hours, password_min_length, pam, pam_helper, pam_admin_group,
 * pam_operator_group, pam_user_group, pam_viewer_group, totp_required_for_admins,
 * metrics_token, metrics_token_file, alert_webhook_url, alert_webhook_retry_minutes,
 * alert_email_to, alert_sendmail, alert_rule (repeatable).
 *
 * Drop-ins: after the main file, "<path>.d/NAME.conf" (e.g. /etc/virtdeck/virtdeck.conf.d/)
 * are read in byte order, same syntax; a later file's key wins (alert_rule adds).
 *
 * Main thread before the daemon starts; the service thread rereads into a fresh struct
 * at SIGHUP (serve.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_DEFAULT_PATH         "/etc/virtdeck/virtdeck.conf"
#define CONFIG_PAM_HELPER_INSTALLED "/usr/libexec/virtdeck/virtdeck-pam-helper"
#define CONFIG_PAM_GROUPS           4
/* A scrape token's length in bytes (printable ASCII, no space). */
#define CONFIG_METRICS_TOKEN_MIN 16
#define CONFIG_METRICS_TOKEN_MAX 200

struct config {
    char *listen_host;     /* owned; default "127.0.0.1" (IPv6 literals without brackets) */
    int listen_port;       /* default 9443 */
    char *uri;             /* owned; default "qemu:///system" */
    char *state_dir;       /* owned; default "/var/lib/virtdeck" */
    char *web_root;        /* owned; default: VIRTDECK_SOURCE_DIR "/build/web" (the web
                              build's output) when that exists (a binary run from the build
                              tree), else "/usr/share/virtdeck/web" */
    char *cert_file;       /* owned; NULL = self-signed in state_dir */
    char *key_file;        /* owned; NULL = self-signed in state_dir */
    int session_idle_s;    /* default 900 */
    int session_max_s;     /* default 43200 */
    char *allowed_origins; /* owned; comma-separated extra websocket origins; default "" */
    char *server_names;    /* owned; comma-separated extra names the Host header may carry */
    char *metrics_token;   /* owned; GET /metrics's scrape token (Authorization: Bearer), every
                              VM; "" (default): none. metrics_token_file reads it from a file
                              (its first line). Secret: never logged */
    int max_connections_per_address;     /* open connections from one address (IPv6: one /64) */
    int max_handshakes_per_address;      /* of those, still in the TLS handshake or before
                                            their first request's headers are complete */
    int first_request_timeout_s;         /* accept -> first request's headers complete */
    int workers;                         /* libvirt worker threads, 1..64; default 4 */
    char *log_level;                     /* owned; "debug", "info" (default), "warn", "error" */
    char *pool_roots;                    /* owned; comma-separated directories where pools may be
                                            defined; default VIRT_POOL_POLICY_DEFAULT_ROOTS
                                            (virt_pool_policy.h) */
    char *pool_types;                    /* owned; comma-separated pool types that may be created;
                                            default VIRT_POOL_POLICY_DEFAULT_TYPES */
    char *domain_type;                   /* owned; the libvirt domain type of VMs POST /api/domains
                                            creates: "auto" (default: kvm when the host's QEMU
                                            offers it, else qemu), "kvm" or "qemu" (TCG) */
    int audit_retention_days;            /* audit rows older than this are pruned; 0: no age
                                            limit; default 365 */
    int metrics_keep_deleted_hours;      /* a deleted VM's metrics history is removed this many
                                            hours later; 0: at once; default 24 */
    int audit_retention_rows;            /* at most this many audit rows are kept; 0: no count
                                            limit; default 1000000 */
    int metrics_interval_s;              /* seconds between two collections of the figures
                                            (virt_stats) while no browser watches, 1..3600;
                                            default 10 */
    int metrics_interval_watched_s;      /* the same while at least one /api/events subscriber
                                            exists, 1..3600; default 2 */
    int password_min_length;             /* characters a new password needs at least, 8..1024;
                                            default 12 (auth_password_policy.h) */
    bool pam;                            /* system accounts log in through PAM; default off */
    char *pam_helper;                    /* owned; the PAM helper program; default
                                            VIRTDECK_SOURCE_DIR "/build/virtdeck-pam-helper" when
                                            that exists, else CONFIG_PAM_HELPER_INSTALLED */
    char *pam_groups[CONFIG_PAM_GROUPS]; /* owned; the Unix group of each role, in the
                                            order of config_pam_group_keys ("" = none) */
    bool totp_required_for_admins;       /* a local admin without TOTP may log in only to
                                            enrol it; default false */
    char *alert_webhook_url;             /* owned; http:// URL alert messages are POSTed to;
                                            "" (default): none */
    int alert_webhook_retry_minutes;     /* a message is given up after; default 60 */
    char *alert_email_to;                /* owned; mail alerts to (sendmail -t); "": none */
    char *alert_sendmail;                /* owned; default /usr/sbin/sendmail */
    char *alert_rules;                   /* owned; the `alert_rule` lines (repeatable key),
                                            joined by '\n' ("" none): read-only rules */
};

/* pam_<role>_group keys, highest role first (the order auth_pam_map_init takes). */
extern const char *const config_pam_group_keys[CONFIG_PAM_GROUPS];

/* Fills every field with its default. */
void config_init(struct config *config);
void config_free(struct config *config);

/* Sets one key from text (file or flag). Returns 0, or -1 with a message in err. */
int config_set(struct config *config, const char *key, const char *value, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Reads a config file, then its drop-ins "<path>.d/NAME.conf" in byte order (a missing
 * directory is fine). A missing main file is an error only if required is true.
 * Returns 0 or -1 with "PATH:LINE: message" (the file that failed) in err; config may
 * then hold part of the files' values: load into a fresh struct to keep the old ones. */
int config_load_file(struct config *config, const char *path, bool required, char *err,
                     size_t errlen) __attribute__((warn_unused_result));

/* Parses "HOST:PORT", "[V6]:PORT" or ":PORT" (host 127.0.0.1). host_out is a heap
 * string the caller frees. Returns 0 or -1. */
int config_parse_listen(const char *text, char **host_out, int *port_out)
    __attribute__((warn_unused_result));

/* SIGHUP's comparison of a freshly loaded configuration with the running one. Every key
 * whose value differs is named, once, in applied ("a, b") when it can change at run time
 * (session_idle_timeout, session_max_lifetime, allowed_origins, server_names,
 * metrics_token, log_level, metrics_interval, metrics_interval_watched: serve.c applies
 * them) or in restart otherwise; a restart-only key of fresh is set back to running's
 * value, so fresh is then exactly what the daemon runs with. Names are cut to fit. */
void config_reload_diff(struct config *fresh, const struct config *running, char *applied,
                        size_t applied_len, char *restart, size_t restart_len);

/* Checks cross-field rules (cert and key both or neither, ...). 0 or -1 + err. */
int config_validate(const struct config *config, char *err, size_t errlen)
    __attribute__((warn_unused_result));
