/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_caps: the capabilities answer and its per-connection cache (virt_caps.h).
 *
 * The cache holds a reference to the connection it was read from (virConnectRef), so
 * that connection object cannot be freed and its address reused by a new connection:
 * a request on a new connection never matches, and replaces the cache (the old
 * reference is dropped then). Workers; cache_lock guards cache_conn and cache_json, and
 * is never held across a libvirt call that talks to the daemon. */
#include "virt/virt_caps.h"

#include <pthread.h>
#include <stdlib.h>

#include "virt/virt_caps_xml.h"
#include "virt/virt_error.h"
#include "virt/virt_xml.h"

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static virConnectPtr cache_conn;       /* owned reference; cache_lock */
static struct json_object *cache_json; /* owned; cache_lock */

static struct json_object *caps_cpu_model_names(virConnectPtr conn, const char *arch,
                                                struct app_error *err)
{
    struct json_object *arr = json_object_new_array();
    char **models = NULL;
    int n;

    if (!arch)
        return arr;
    n = virConnectGetCPUModelNames(conn, arch, &models, 0);
    if (n < 0) {
        if (virt_error_capture_if_lost(err, "list CPU models") < 0) {
            json_object_put(arr);
            return NULL;
        }
        return arr;
    }
    for (int i = 0; i < n; i++) {
        virt_xml_json_push(arr, json_object_new_string(models[i]));
        free(models[i]);
    }
    free(models);
    return arr;
}

/* Reads everything from libvirt (no cache). */
static struct json_object *caps_read(virConnectPtr conn, struct app_error *err)
{
    struct json_object *ret = NULL, *out = NULL, *host = NULL, *dom = NULL, *models = NULL;
    char *caps_xml = NULL, *dom_xml = NULL;
    struct json_object *arch;

    caps_xml = virConnectGetCapabilities(conn);
    if (!caps_xml) {
        virt_error_capture(err, "get capabilities");
        goto cleanup;
    }
    host = virt_caps_xml_host(caps_xml, err);
    if (!host)
        goto cleanup;
    dom_xml = virConnectGetDomainCapabilities(conn, NULL, NULL, NULL, NULL, 0);
    if (dom_xml) {
        dom = virt_caps_xml_domain(dom_xml, err);
        if (!dom)
            goto cleanup;
        models = json_object_get(json_object_object_get(dom, "cpu_models"));
    } else {
        /* the driver has none (test:///) or the default emulator cannot answer: domain
         * is null then; only a lost connection fails the request */
        if (virt_error_capture_if_lost(err, "get domain capabilities") < 0)
            goto cleanup;
        arch = json_object_object_get(host, "arch");
        models = caps_cpu_model_names(conn, arch ? json_object_get_string(arch) : NULL, err);
        if (!models)
            goto cleanup;
    }

    out = json_object_new_object();
    virt_xml_json_add(out, "host", host);
    virt_xml_json_add(out, "domain", dom);
    virt_xml_json_add(out, "cpu_models", models);
    host = dom = models = NULL;
    ret = out;

cleanup:
    json_object_put(host);
    json_object_put(dom);
    json_object_put(models);
    free(caps_xml);
    free(dom_xml);
    return ret;
}

struct json_object *virt_caps_get(virConnectPtr conn, struct app_error *err)
{
    struct json_object *ret = NULL;
    struct json_object *fresh;

    pthread_mutex_lock(&cache_lock);
    if (cache_conn == conn && cache_json)
        json_object_deep_copy(cache_json, &ret, NULL);
    pthread_mutex_unlock(&cache_lock);
    if (ret)
        return ret;

    fresh = caps_read(conn, err);
    if (!fresh)
        return NULL;
    json_object_deep_copy(fresh, &ret, NULL);
    if (virConnectRef(conn) == 0) {
        virConnectPtr old;
        struct json_object *old_json;

        pthread_mutex_lock(&cache_lock);
        old = cache_conn;
        old_json = cache_json;
        cache_conn = conn;
        cache_json = fresh;
        fresh = NULL;
        pthread_mutex_unlock(&cache_lock);
        /* the old connection is closed already (a reconnect): dropping our reference
         * to it is local */
        if (old)
            virConnectClose(old);
        json_object_put(old_json);
    }
    json_object_put(fresh);
    return ret;
}

void virt_caps_cache_free(void)
{
    pthread_mutex_lock(&cache_lock);
    if (cache_conn)
        virConnectClose(cache_conn);
    json_object_put(cache_json);
    cache_conn = NULL;
    cache_json = NULL;
    pthread_mutex_unlock(&cache_lock);
}
