/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_host: the host summary of GET /api/host.
 *
 * Runs on worker threads only (every call here may block in libvirt). Stateless. */
#include "virt/virt_host.h"

#include <ctype.h>
#include <libvirt/virterror.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>

#include "util/log.h"
#include "virt/virt_error.h"

/* json-c fails here only when it cannot allocate; like x*alloc, that aborts. */
static void host_json_set(struct json_object *obj, const char *key, struct json_object *val)
{
    if (json_object_object_add(obj, key, val) < 0) {
        log_error("virt_host: out of memory building JSON");
        abort();
    }
}

/* libvirt packs versions as major * 1,000,000 + minor * 1,000 + release. */
static struct json_object *host_version_string(unsigned long version)
{
    char s[48];

    snprintf(s, sizeof(s), "%lu.%lu.%lu", version / 1000000, version / 1000 % 1000, version % 1000);
    return json_object_new_string(s);
}

/* What the UI offers that a driver cannot do (GET /api/host "limits", docs/api.md).
 * Only libvirt's test driver is listed: there each of these ends in "not supported by
 * the connection driver" (virStorageVolUpload/Download/Resize,
 * virDomainAttach/Detach/UpdateDeviceFlags) or has no display or character device
 * behind it to open. Every other driver: none known, an empty list. */
static const char *const host_test_limits[] = {"console",  "serial", "upload",
                                               "download", "resize", "attach"};

/* The driver's name as the API gives it: libvirt's connection type in lower case
 * ("TEST" -> "test", "QEMU" -> "qemu"), at most 31 characters. */
static struct json_object *host_driver_name(const char *type)
{
    char name[32];
    size_t i;

    for (i = 0; type[i] && i < sizeof(name) - 1; i++)
        name[i] = (char)tolower((unsigned char)type[i]);
    name[i] = '\0';
    return json_object_new_string(name);
}

static void host_limits_add(struct json_object *list, const char *limit)
{
    if (json_object_array_add(list, json_object_new_string(limit)) < 0) {
        log_error("virt_host: out of memory building JSON");
        abort();
    }
}

bool virt_host_uri_is_session(const char *uri)
{
    xmlURIPtr parsed = xmlParseURI(uri);
    bool session = parsed && parsed->path && strcmp(parsed->path, "/session") == 0;

    xmlFreeURI(parsed);
    return session;
}

/* The test driver: host_test_limits. A session (unprivileged) daemon may define
 * networks but not start them: creating their bridge needs CAP_NET_ADMIN ("error
 * creating bridge interface ...: Operation not permitted"). */
static struct json_object *host_limits(const char *type, const char *uri)
{
    struct json_object *list = json_object_new_array();
    size_t i;

    if (strcasecmp(type, "TEST") == 0)
        for (i = 0; i < sizeof(host_test_limits) / sizeof(host_test_limits[0]); i++)
            host_limits_add(list, host_test_limits[i]);
    if (virt_host_uri_is_session(uri))
        host_limits_add(list, "network-start");
    return list;
}

struct json_object *virt_host_info(virConnectPtr conn, struct app_error *err)
{
    struct json_object *ret = NULL;
    char *hostname = NULL;
    char *uri = NULL;
    const char *type;
    unsigned long lib_version = 0, hv_version = 0;
    unsigned long long free_bytes;
    virNodeInfo node;

    hostname = virConnectGetHostname(conn);
    if (!hostname) {
        virt_error_capture(err, "get host name");
        goto cleanup;
    }
    type = virConnectGetType(conn);
    if (!type) {
        virt_error_capture(err, "get hypervisor type");
        goto cleanup;
    }
    if (virConnectGetLibVersion(conn, &lib_version) < 0) {
        virt_error_capture(err, "get libvirt version");
        goto cleanup;
    }
    if (virConnectGetVersion(conn, &hv_version) < 0) {
        virt_error_capture(err, "get hypervisor version");
        goto cleanup;
    }
    uri = virConnectGetURI(conn);
    if (!uri) {
        virt_error_capture(err, "get connection URI");
        goto cleanup;
    }
    if (virNodeGetInfo(conn, &node) < 0) {
        virt_error_capture(err, "get node info");
        goto cleanup;
    }
    /* libvirt reports 0 as a failure ("cause unknown"): the test driver does so for
     * every node file, as it has no NUMA cells there. Only a dead connection fails
     * the request; otherwise the free memory is unknown (null). */
    free_bytes = virNodeGetFreeMemory(conn);
    if (free_bytes == 0 && virt_error_capture_if_lost(err, "get free memory") < 0)
        goto cleanup;

    ret = json_object_new_object();
    host_json_set(ret, "hostname", json_object_new_string(hostname));
    host_json_set(ret, "hypervisor", json_object_new_string(type));
    host_json_set(ret, "driver", host_driver_name(type));
    host_json_set(ret, "limits", host_limits(type, uri));
    host_json_set(ret, "libvirt_version", host_version_string(lib_version));
    host_json_set(ret, "hypervisor_version", host_version_string(hv_version));
    host_json_set(ret, "uri", json_object_new_string(uri));
    host_json_set(ret, "cpu_model", json_object_new_string(node.model));
    host_json_set(ret, "cpus", json_object_new_int((int)node.cpus));
    host_json_set(ret, "cpu_mhz", json_object_new_int((int)node.mhz));
    host_json_set(ret, "memory_kib", json_object_new_int64((int64_t)node.memory));
    host_json_set(ret, "free_memory_kib",
                  free_bytes ? json_object_new_int64((int64_t)(free_bytes / 1024)) : NULL);
    host_json_set(ret, "connected", json_object_new_boolean(1));

cleanup:
    free(hostname);
    free(uri);
    return ret;
}
