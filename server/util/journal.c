/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* journal: journald's native protocol (see journal.h). Any thread: no shared state. */
#include "util/journal.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

/* Appends "KEY=value" to out's text when it fits (value cut to what is left, keeping room
 * of reserve bytes for later fields). */
static void journal_add(struct journal_fields *out, size_t *used, const char *key,
                        const char *value, size_t reserve)
{
    size_t room = sizeof(out->text) - *used;
    int n;

    if (!value || !value[0] || out->n >= JOURNAL_FIELDS_MAX || room <= reserve + strlen(key) + 2)
        return;
    n = snprintf(out->text + *used, room - reserve, "%s=%s", key, value);
    if (n < 0)
        return;
    out->field[out->n++] = out->text + *used;
    *used += strlen(out->text + *used) + 1;
}

void journal_fields(struct journal_fields *out, int priority, const char *message,
                    const struct log_subject *subject)
{
    char prio[4];
    size_t used = 0;
    const size_t subject_room = 3 * 256; /* the message is cut before the subject is */

    out->n = 0;
    snprintf(prio, sizeof(prio), "%d", priority);
    journal_add(out, &used, "PRIORITY", prio, 0);
    journal_add(out, &used, "SYSLOG_IDENTIFIER", "virtdeck", 0);
    journal_add(out, &used, "MESSAGE", message, subject ? subject_room : 0);
    if (subject) {
        journal_add(out, &used, "VIRTDECK_USER", subject->user, 0);
        journal_add(out, &used, "VIRTDECK_VM", subject->vm, 0);
        journal_add(out, &used, "VIRTDECK_ACTION", subject->action, 0);
    }
}

int journal_send_to(const char *path, const struct journal_fields *fields)
{
    struct sockaddr_un addr;
    struct iovec iov[JOURNAL_FIELDS_MAX * 4];
    uint64_t sizes[JOURNAL_FIELDS_MAX];
    struct msghdr msg;
    size_t k = 0;
    int fd = -1;
    int ret = -1;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        errno = ENAMETOOLONG;
        goto cleanup;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    memcpy(addr.sun_path, path, strlen(path));
    for (size_t i = 0; i < fields->n; i++) {
        const char *f = fields->field[i];
        const char *eq = strchr(f, '=');

        if (!eq)
            continue;
        if (!strchr(eq + 1, '\n')) {
            iov[k++] = (struct iovec){(void *)f, strlen(f)};
        } else {
            /* KEY\n, the value's length (64-bit little endian), the value */
            uint64_t len = strlen(eq + 1);

            sizes[i] = htole64(len);
            iov[k++] = (struct iovec){(void *)f, (size_t)(eq - f)};
            iov[k++] = (struct iovec){"\n", 1};
            iov[k++] = (struct iovec){&sizes[i], sizeof(sizes[i])};
            iov[k++] = (struct iovec){(void *)(eq + 1), (size_t)len};
        }
        iov[k++] = (struct iovec){"\n", 1};
    }
    memset(&msg, 0, sizeof(msg));
    msg.msg_name = &addr;
    msg.msg_namelen = sizeof(addr);
    msg.msg_iov = iov;
    msg.msg_iovlen = k;
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || sendmsg(fd, &msg, MSG_NOSIGNAL) < 0)
        goto cleanup;
    ret = 0;

cleanup:
    if (fd >= 0) {
        int saved = errno;

        close(fd);
        errno = saved;
    }
    return ret;
}

bool journal_stream_is(int fd)
{
    const char *env = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;

    if (!env || sscanf(env, "%llu:%llu", &dev, &ino) != 2 || fstat(fd, &st) < 0)
        return false;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}
