/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_nocloud: libFuzzer target for the NoCloud seed's check and documents
 * (server/virt/virt_nocloud.c: virt_nocloud_check, virt_nocloud_render; never the ISO,
 * which runs xorriso). Runs on libFuzzer's thread; no state.
 *
 * Input: NUL-separated fields: instance_id, hostname, user, password_hash, user_data,
 * then any number of ssh keys; an empty user, password_hash or user_data is NULL. The
 * invariants:
 *  - render succeeds exactly when the check does; a refusal is a 400 at a field under
 *    "source.cloud_init.";
 *  - every line of meta-data, and of a user-data the module built, is printable ASCII
 *    (no byte a YAML reader could take for a line break, and nothing beyond ASCII);
 *  - meta-data is exactly two lines whose double-quoted values decode back to the
 *    instance id and the host name;
 *  - a user-data built from the fields has as many lines as its members need (one per
 *    key: no value spills onto a second line), its host name and each key decode back
 *    in order; a user_data given is returned as given. */
#include <stdbool.h>
#include <string.h>

#include "fuzz_input.h"
#include "util/buf.h"
#include "virt/virt_nocloud.h"

#define FUZZ_NOCLOUD_KEYS 8

/* Appends code point cp to b as UTF-8. */
static void fuzz_nocloud_put(struct buf *b, unsigned long cp)
{
    unsigned char u[4];
    size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const unsigned char lead[] = {0, 0, 0xc0, 0xe0, 0xf0};

    for (size_t i = n - 1; i > 0; i--, cp >>= 6)
        u[i] = (unsigned char)(0x80 | (cp & 0x3f));
    u[0] = (unsigned char)(lead[n] | cp);
    FUZZ_ASSERT(buf_append(b, u, n) == 0);
}

/* The line at *p must be prefix + one double-quoted scalar and its end: returns the
 * decoded value (caller frees) and moves *p to the next line. */
static char *fuzz_nocloud_value(const char **p, const char *prefix)
{
    const char *s = *p;
    struct buf out;

    FUZZ_ASSERT(strncmp(s, prefix, strlen(prefix)) == 0);
    s += strlen(prefix);
    FUZZ_ASSERT(*s++ == '"');
    buf_init(&out, 1 << 22);
    while (*s != '"') {
        FUZZ_ASSERT(*s >= 0x20 && *s < 0x7f);
        if (*s != '\\') {
            FUZZ_ASSERT(buf_append(&out, s++, 1) == 0);
        } else if (s[1] == '"' || s[1] == '\\') {
            FUZZ_ASSERT(buf_append(&out, s + 1, 1) == 0);
            s += 2;
        } else {
            size_t digits = s[1] == 'x' ? 2 : s[1] == 'u' ? 4 : s[1] == 'U' ? 8 : 0;
            char hex[9] = {0};

            FUZZ_ASSERT(digits > 0);
            memcpy(hex, s + 2, digits);
            FUZZ_ASSERT(strspn(hex, "0123456789abcdef") == digits);
            fuzz_nocloud_put(&out, strtoul(hex, NULL, 16));
            s += 2 + digits;
        }
    }
    FUZZ_ASSERT(s[1] == '\n');
    *p = s + 2;
    return buf_take(&out);
}

static void fuzz_nocloud_expect(const char **p, const char *prefix, const char *want)
{
    char *got = fuzz_nocloud_value(p, prefix);

    FUZZ_ASSERT(strcmp(got, want) == 0);
    free(got);
}

/* *p must start with line (its "\n" included); moves past it. */
static void fuzz_nocloud_line(const char **p, const char *line)
{
    FUZZ_ASSERT(strncmp(*p, line, strlen(line)) == 0);
    *p += strlen(line);
}

static void fuzz_nocloud_keys(const char **p, const char *indent,
                              const struct virt_nocloud_seed *seed)
{
    char head[64], item[64];

    if (seed->ssh_key_count == 0)
        return;
    snprintf(head, sizeof(head), "%sssh_authorized_keys:\n", indent);
    snprintf(item, sizeof(item), "%s  - ", indent);
    fuzz_nocloud_line(p, head);
    for (size_t i = 0; i < seed->ssh_key_count; i++)
        fuzz_nocloud_expect(p, item, seed->ssh_keys[i]);
}

static void fuzz_nocloud_user_data(const char *doc, const struct virt_nocloud_seed *seed)
{
    const char *p = doc;

    fuzz_nocloud_line(&p, "#cloud-config\n");
    fuzz_nocloud_expect(&p, "hostname: ", seed->hostname);
    fuzz_nocloud_line(&p, "users:\n");
    if (!seed->user) {
        fuzz_nocloud_line(&p, "  - default\n");
        fuzz_nocloud_keys(&p, "", seed);
    } else {
        fuzz_nocloud_expect(&p, "  - name: ", seed->user);
        if (seed->password_hash)
            fuzz_nocloud_expect(&p, "    passwd: ", seed->password_hash);
        fuzz_nocloud_line(&p, seed->password_hash ? "    lock_passwd: false\n"
                                                  : "    lock_passwd: true\n");
        fuzz_nocloud_keys(&p, "    ", seed);
        fuzz_nocloud_expect(&p, "    sudo: ", "ALL=(ALL) NOPASSWD:ALL");
        fuzz_nocloud_expect(&p, "    shell: ", "/bin/bash");
    }
    FUZZ_ASSERT(*p == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *field[5 + FUZZ_NOCLOUD_KEYS] = {0};
    const char *keys[FUZZ_NOCLOUD_KEYS];
    struct virt_nocloud_seed seed = {0};
    struct app_error err;
    char *meta = NULL, *user = NULL;
    size_t n = 0;
    int found = 1, checked, rendered;

    while (found && n < sizeof(field) / sizeof(field[0]))
        field[n++] = fuzz_input_take(&data, &size, '\0', &found);
    seed.instance_id = field[0];
    seed.hostname = field[1];
    seed.user = field[2] && field[2][0] ? field[2] : NULL;
    seed.password_hash = field[3] && field[3][0] ? field[3] : NULL;
    seed.user_data = field[4] && field[4][0] ? field[4] : NULL;
    for (size_t i = 5; i < n; i++)
        keys[seed.ssh_key_count++] = field[i];
    seed.ssh_keys = keys;

    app_error_clear(&err);
    checked = virt_nocloud_check(&seed, &err);
    if (checked < 0) {
        FUZZ_ASSERT(err.status == 400);
        FUZZ_ASSERT(strncmp(err.field, "source.cloud_init.", 18) == 0);
    }
    rendered = virt_nocloud_render(&seed, &meta, &user, &err);
    FUZZ_ASSERT(rendered == checked);
    if (rendered == 0) {
        const char *p = meta;

        fuzz_nocloud_expect(&p, "instance-id: ", seed.instance_id);
        fuzz_nocloud_expect(&p, "local-hostname: ", seed.hostname);
        FUZZ_ASSERT(*p == '\0');
        if (seed.user_data)
            FUZZ_ASSERT(strcmp(user, seed.user_data) == 0);
        else
            fuzz_nocloud_user_data(user, &seed);
    } else {
        FUZZ_ASSERT(!meta && !user);
    }
    free(meta);
    free(user);
    for (size_t i = 0; i < n; i++)
        free(field[i]);
    return 0;
}
