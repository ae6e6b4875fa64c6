/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz_virt_domain: libFuzzer target for virt_domain_xml_to_json
 * (server/virt/virt_domain.h), which reads the domain XML libvirt returns (its title,
 * description and device names come from whoever defined the domain). Runs on
 * libFuzzer's thread. State: a canary file, written once per run at a fixed /tmp path
 * with a random secret and removed at exit, that the corpus's external-entity seeds
 * point at.
 *
 * Input: the XML (bytes up to the first NUL). Invariants beyond "no crash": on success
 * the object gets exactly the eight detail fields with their documented types (disks,
 * interfaces, graphics are arrays of objects with string fields; ports are -1..65535;
 * os, the libosinfo metadata's id, is a non-empty string or null;
 * has_vnc is true exactly when a graphics entry is "vnc"); on failure it is a 502
 * libvirt_error and the object is left untouched; and no file's content ever reaches
 * the output (external entities are not loaded). */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "fuzz_input.h"
#include "virt/virt_domain.h"

#define FUZZ_DOMAIN_CANARY_PATH "/tmp/virtdeck-fuzz-xxe-canary"

static char fuzz_domain_canary[40];

static void fuzz_domain_remove_canary(void)
{
    unlink(FUZZ_DOMAIN_CANARY_PATH);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct timespec ts;
    int fd;

    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(fuzz_domain_canary, sizeof(fuzz_domain_canary), "canary-%lx-%lx-%x",
             (unsigned long)ts.tv_sec, (unsigned long)ts.tv_nsec, (unsigned)getpid());
    fd = open(FUZZ_DOMAIN_CANARY_PATH, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, fuzz_domain_canary, strlen(fuzz_domain_canary)) < 0) {
        perror("fuzz_virt_domain: canary");
        abort();
    }
    close(fd);
    atexit(fuzz_domain_remove_canary);
    return 0;
}

/* True if text contains the canary. Hand-written and left out of coverage on purpose:
 * libFuzzer learns the operands of strstr/memcmp and of instrumented comparisons, and
 * would then simply type the secret into its input. */
__attribute__((no_sanitize("coverage"))) static bool fuzz_domain_has_canary(const char *text)
{
    size_t n = strlen(fuzz_domain_canary);

    for (; *text; text++) {
        size_t i = 0;

        while (i < n && text[i] == fuzz_domain_canary[i])
            i++;
        if (i == n)
            return true;
    }
    return false;
}

static struct json_object *fuzz_domain_member(struct json_object *obj, const char *key,
                                              enum json_type type)
{
    struct json_object *v = NULL;

    FUZZ_ASSERT(json_object_object_get_ex(obj, key, &v));
    FUZZ_ASSERT(json_object_is_type(v, type));
    return v;
}

/* Checks an array of objects whose listed members are all strings. */
static void fuzz_domain_check_array(struct json_object *arr, const char *const *string_keys)
{
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        struct json_object *item = json_object_array_get_idx(arr, i);

        FUZZ_ASSERT(json_object_is_type(item, json_type_object));
        for (const char *const *k = string_keys; *k; k++)
            fuzz_domain_member(item, *k, json_type_string);
    }
}

static void fuzz_domain_check_detail(struct json_object *obj)
{
    static const char *const disk_keys[] = {"device", "target", "bus", "source", "format", NULL};
    static const char *const nic_keys[] = {"type", "mac", "source", "model", "target", NULL};
    static const char *const gfx_keys[] = {"type", "listen", NULL};
    struct json_object *disks = fuzz_domain_member(obj, "disks", json_type_array);
    struct json_object *graphics = fuzz_domain_member(obj, "graphics", json_type_array);
    bool any_vnc = false;

    struct json_object *os;

    FUZZ_ASSERT(json_object_object_length(obj) == 8);
    FUZZ_ASSERT(json_object_object_get_ex(obj, "os", &os)); /* the libosinfo id, or null */
    FUZZ_ASSERT(!os || json_object_get_string_len(os) > 0);
    fuzz_domain_member(obj, "description", json_type_string);
    fuzz_domain_member(obj, "title", json_type_string);
    fuzz_domain_member(obj, "os_type", json_type_string);
    fuzz_domain_check_array(disks, disk_keys);
    for (size_t i = 0; i < json_object_array_length(disks); i++) {
        struct json_object *disk = json_object_array_get_idx(disks, i);

        fuzz_domain_member(disk, "readonly", json_type_boolean);
        FUZZ_ASSERT(
            json_object_get_string_len(fuzz_domain_member(disk, "device", json_type_string)) > 0);
    }
    fuzz_domain_check_array(fuzz_domain_member(obj, "interfaces", json_type_array), nic_keys);
    fuzz_domain_check_array(graphics, gfx_keys);
    for (size_t i = 0; i < json_object_array_length(graphics); i++) {
        struct json_object *gfx = json_object_array_get_idx(graphics, i);
        int port = json_object_get_int(fuzz_domain_member(gfx, "port", json_type_int));

        FUZZ_ASSERT(port >= -1 && port <= 65535);
        fuzz_domain_member(gfx, "autoport", json_type_boolean);
        any_vnc = any_vnc ||
                  strcmp(json_object_get_string(fuzz_domain_member(gfx, "type", json_type_string)),
                         "vnc") == 0;
    }
    FUZZ_ASSERT(json_object_get_boolean(fuzz_domain_member(obj, "has_vnc", json_type_boolean)) ==
                any_vnc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *xml = fuzz_input_cstr(data, size);
    struct json_object *obj = json_object_new_object();
    struct app_error err;
    const char *text;

    app_error_clear(&err);
    if (virt_domain_xml_to_json(xml, obj, &err) == 0) {
        FUZZ_ASSERT(strstr(xml, "domain") != NULL);
        fuzz_domain_check_detail(obj);
    } else {
        FUZZ_ASSERT(err.status == 502);
        FUZZ_ASSERT(err.code && strcmp(err.code, APP_ERR_LIBVIRT) == 0);
        FUZZ_ASSERT(memchr(err.message, '\0', sizeof(err.message)) && err.message[0]);
        FUZZ_ASSERT(json_object_object_length(obj) == 0);
    }
    text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
    FUZZ_ASSERT(text != NULL);
    FUZZ_ASSERT(!fuzz_domain_has_canary(text));
    json_object_put(obj);
    free(xml);
    return 0;
}
