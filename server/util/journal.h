/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* journal: systemd-journald's native protocol: one datagram of fields per message to
 * JOURNAL_SOCKET_PATH. journal_fields is pure (fields in, "KEY=value" list out);
 * journal_send_to sends a list. Any thread (no shared state).
 *
 * Our own code rather than libsystemd's sd_journal_send: the protocol is a few lines (as
 * util/notify.c's), and no new link dependency for every binary and test. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define JOURNAL_SOCKET_PATH "/run/systemd/journal/socket"
#define JOURNAL_FIELDS_MAX  8
#define JOURNAL_TEXT_MAX    2048

/* What a message is about; every field may be NULL (or the whole struct). */
struct log_subject {
    const char *user;   /* borrowed: a virtdeck user name -> VIRTDECK_USER */
    const char *vm;     /* borrowed: a VM's name or UUID -> VIRTDECK_VM */
    const char *action; /* borrowed: e.g. "login", "console.open" -> VIRTDECK_ACTION */
};

/* One message's fields: field[0..n) point into text. */
struct journal_fields {
    char text[JOURNAL_TEXT_MAX];
    const char *field[JOURNAL_FIELDS_MAX];
    size_t n;
};

/* Fills out with PRIORITY=priority (syslog: 3 error, 4 warning, 6 info, 7 debug),
 * SYSLOG_IDENTIFIER=virtdeck, MESSAGE=message, then VIRTDECK_USER, VIRTDECK_VM and
 * VIRTDECK_ACTION for the subject's non-empty fields, in that order. Values are cut to fit
 * (the message last of all the fields' text). */
void journal_fields(struct journal_fields *out, int priority, const char *message,
                    const struct log_subject *subject);

/* Sends fields as one native datagram to the AF_UNIX socket at path (a value with a
 * newline uses the protocol's length-prefixed form). Returns 0 or -1 (errno set). */
int journal_send_to(const char *path, const struct journal_fields *fields)
    __attribute__((warn_unused_result));

/* True when stderr is the journal's stream: $JOURNAL_STREAM ("DEV:INO") names fd. */
bool journal_stream_is(int fd);
