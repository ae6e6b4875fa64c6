/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_tuning: host facts for the tuning checks and the live half of the tuning
 * members (virt_tuning.h). Workers only: every function here makes blocking libvirt
 * calls. The host facts come from virt_caps' cached capabilities (parsed once per
 * connection), never from a second read of the XML. A member libvirt refuses to change
 * in the running VM is not an error: the persistent definition has it already, so it
 * is reported in next_boot. */
#include "virt/virt_tuning.h"

#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "util/xalloc.h"
#include "virt/virt_caps.h"
#include "virt/virt_error.h"
#include "virt/virt_xml.h"

/* ---- host facts --------------------------------------------------------------------- */

int virt_tuning_host_get(virConnectPtr conn, struct virt_host_cpus *out, struct app_error *err)
{
    struct json_object *caps, *host, *cells, *pages;
    long long *sizes = NULL;
    int ret = -1, cpus = 0, nodes = 0;
    size_t n;

    memset(out, 0, sizeof(*out));
    caps = virt_caps_get(conn, err);
    if (!caps)
        return -1;
    host = json_object_object_get(caps, "host");
    cells = json_object_object_get(host, "numa");
    for (size_t i = 0; cells && i < json_object_array_length(cells); i++) {
        struct json_object *cell = json_object_array_get_idx(cells, i);
        struct json_object *ids = json_object_object_get(cell, "cpus");
        struct json_object *id = json_object_object_get(cell, "id");

        if (id && json_object_get_int64(id) >= nodes &&
            json_object_get_int64(id) < VIRT_TUNING_MAX_CPUS)
            nodes = (int)json_object_get_int64(id) + 1;
        for (size_t j = 0; ids && j < json_object_array_length(ids); j++) {
            long long cpu = json_object_get_int64(json_object_array_get_idx(ids, j));

            if (cpu >= cpus && cpu < VIRT_TUNING_MAX_CPUS)
                cpus = (int)cpu + 1;
        }
    }
    if (cpus == 0) {
        virNodeInfo info;

        if (virNodeGetInfo(conn, &info) < 0) {
            virt_error_capture(err, "get host CPU count");
            goto cleanup;
        }
        cpus = info.cpus < VIRT_TUNING_MAX_CPUS ? (int)info.cpus : VIRT_TUNING_MAX_CPUS;
    }
    pages = json_object_object_get(host, "huge_pages_kib");
    n = pages ? json_object_array_length(pages) : 0;
    sizes = xcalloc(n ? n : 1, sizeof(*sizes));
    for (size_t i = 0; i < n; i++)
        sizes[i] = json_object_get_int64(json_object_array_get_idx(pages, i));
    out->cpu_count = cpus;
    out->numa_cells = nodes > 0 ? nodes : 1;
    out->page_sizes_kib = sizes;
    out->page_size_count = n;
    sizes = NULL;
    ret = 0;

cleanup:
    free(sizes);
    json_object_put(caps);
    return ret;
}

void virt_tuning_host_free(struct virt_host_cpus *host)
{
    if (!host)
        return;
    free((void *)host->page_sizes_kib);
    memset(host, 0, sizeof(*host));
}

/* ---- live --------------------------------------------------------------------------- */

/* What every live step needs. */
struct tuning_live {
    virDomainPtr dom;              /* borrowed: the running VM */
    struct json_object *next_boot; /* borrowed: the members that wait for the next boot */
    unsigned int flags;            /* VIR_DOMAIN_AFFECT_LIVE (see tuning_live_flags) */
    struct app_error *err;         /* borrowed */
};

/* Adds member to next_boot unless it is there. */
static void tuning_next_boot(struct json_object *next_boot, const char *member)
{
    for (size_t i = 0; i < json_object_array_length(next_boot); i++)
        if (!strcmp(json_object_get_string(json_object_array_get_idx(next_boot, i)), member))
            return;
    virt_xml_json_push(next_boot, json_object_new_string(member));
}

/* After a failed live call: a refusal of the change in this state (the definition has
 * it; it waits for the next boot) puts member in next_boot and returns 0; anything
 * else is captured into err (-1). */
static int tuning_live_failed(struct json_object *next_boot, const char *member, const char *what,
                              struct app_error *err)
{
    switch (virGetLastErrorCode()) {
    case VIR_ERR_OPERATION_INVALID:
    case VIR_ERR_OPERATION_UNSUPPORTED:
    case VIR_ERR_NO_SUPPORT:
    case VIR_ERR_ARGUMENT_UNSUPPORTED:
    case VIR_ERR_CONFIG_UNSUPPORTED:
    case VIR_ERR_INVALID_ARG:
        virResetLastError();
        tuning_next_boot(next_boot, member);
        return 0;
    default:
        virt_error_capture(err, what);
        return -1;
    }
}

/* A CPU map of text (a checked cpuset), or for NULL text a copy of online (every
 * online host CPU, online_len bytes), into *map (caller frees) and its length *len: the
 * host's length, or longer when text names a CPU past the host's map (libvirt refuses
 * such a CPU then, as it should). */
static void tuning_map(const char *text, const unsigned char *online, size_t online_len,
                       unsigned char **map, size_t *len)
{
    size_t full = VIR_CPU_MAPLEN(VIRT_TUNING_MAX_CPUS);

    *map = xcalloc(full, 1);
    *len = online_len;
    if (!text) {
        memcpy(*map, online, online_len);
        return;
    }
    /* checked already: it parses */
    if (virt_tuning_xml_cpuset(text, VIRT_TUNING_MAX_CPUS, *map, full, NULL) < 0)
        abort();
    for (size_t i = online_len; i < full; i++)
        if ((*map)[i])
            *len = i + 1;
}

static int tuning_live_pins(const struct tuning_live *live, struct json_object *patch)
{
    virDomainPtr dom = live->dom;
    struct json_object *next_boot = live->next_boot;
    struct app_error *err = live->err;
    struct json_object *pins = NULL, *emu = NULL;
    bool has_pins = json_object_object_get_ex(patch, "vcpupin", &pins);
    bool has_emu = json_object_object_get_ex(patch, "emulatorpin", &emu);
    unsigned char *online = NULL, *map = NULL;
    unsigned int online_count = 0;
    int ret = -1, cpus, live_vcpus = 0;
    size_t map_len, len;

    if (!has_pins && !has_emu)
        return 0;
    cpus = virNodeGetCPUMap(virDomainGetConnect(dom), &online, &online_count, 0);
    if (cpus < 0) {
        virt_error_capture(err, "get the host CPU map");
        goto cleanup;
    }
    map_len = VIR_CPU_MAPLEN(cpus < VIRT_TUNING_MAX_CPUS ? cpus : VIRT_TUNING_MAX_CPUS);
    if (has_pins) {
        live_vcpus = virDomainGetVcpusFlags(dom, VIR_DOMAIN_AFFECT_LIVE);
        if (live_vcpus < 0) {
            virt_error_capture(err, "count the running vCPUs");
            goto cleanup;
        }
    }
    for (int vcpu = 0; has_pins && vcpu < live_vcpus; vcpu++) {
        const char *cpuset = NULL;

        for (size_t i = 0; i < json_object_array_length(pins) && !cpuset; i++) {
            struct json_object *item = json_object_array_get_idx(pins, i);

            if (json_object_get_int64(json_object_object_get(item, "vcpu")) == vcpu)
                cpuset = json_object_get_string(json_object_object_get(item, "cpuset"));
        }
        tuning_map(cpuset, online, map_len, &map, &len);
        if (virDomainPinVcpuFlags(dom, (unsigned int)vcpu, map, (int)len, live->flags) < 0 &&
            tuning_live_failed(next_boot, "vcpupin", "pin a vCPU", err) < 0)
            goto cleanup;
        free(map);
        map = NULL;
    }
    /* a listed vCPU that is not online now gets its pin when it comes up at boot */
    for (size_t i = 0; has_pins && i < json_object_array_length(pins); i++)
        if (json_object_get_int64(
                json_object_object_get(json_object_array_get_idx(pins, i), "vcpu")) >= live_vcpus)
            tuning_next_boot(next_boot, "vcpupin");
    if (has_emu) {
        tuning_map(emu ? json_object_get_string(emu) : NULL, online, map_len, &map, &len);
        if (virDomainPinEmulator(dom, map, (int)len, live->flags) < 0 &&
            tuning_live_failed(next_boot, "emulatorpin", "pin the emulator", err) < 0)
            goto cleanup;
    }
    ret = 0;

cleanup:
    free(map);
    free(online);
    return ret;
}

/* A setter of typed parameters: virDomainSetNumaParameters and its kin. */
typedef int (*tuning_set_fn)(virDomainPtr dom, virTypedParameterPtr params, int nparams,
                             unsigned int flags);

/* Sets params (nparams of them, built with add_rc the OR of the virTypedParamsAdd*
 * results; freed here) on the running VM with set; none: nothing to do. A refusal puts
 * member in next_boot (tuning_live_failed); what names the call in an error. */
static int tuning_live_set(const struct tuning_live *live, tuning_set_fn set,
                           virTypedParameterPtr params, int nparams, int add_rc, const char *member,
                           const char *what)
{
    int ret = 0;

    if (add_rc < 0) {
        virt_error_capture(live->err, what);
        ret = -1;
    } else if (nparams && set(live->dom, params, nparams, live->flags) < 0) {
        ret = tuning_live_failed(live->next_boot, member, what, live->err);
    }
    virTypedParamsFree(params, nparams);
    return ret;
}

static int tuning_live_numatune(const struct tuning_live *live, struct json_object *val)
{
    static const char *const modes[] = {"strict", "preferred", "interleave", "restrictive"};
    virTypedParameterPtr params = NULL;
    int nparams = 0, maxparams = 0, mode = 0, rc;

    if (!val) {
        tuning_next_boot(live->next_boot, "numatune");
        return 0;
    }
    for (int i = 0; i < (int)(sizeof(modes) / sizeof(modes[0])); i++)
        if (!strcmp(json_object_get_string(json_object_object_get(val, "mode")), modes[i]))
            mode = i;
    rc = virTypedParamsAddInt(&params, &nparams, &maxparams, VIR_DOMAIN_NUMA_MODE, mode);
    rc |= virTypedParamsAddString(&params, &nparams, &maxparams, VIR_DOMAIN_NUMA_NODESET,
                                  json_object_get_string(json_object_object_get(val, "nodeset")));
    return tuning_live_set(live, virDomainSetNumaParameters, params, nparams, rc, "numatune",
                           "set NUMA parameters");
}

static int tuning_live_cputune(const struct tuning_live *live, struct json_object *val)
{
    virTypedParameterPtr params = NULL;
    int nparams = 0, maxparams = 0, rc = 0;
    struct json_object *v;

    if (!val) {
        tuning_next_boot(live->next_boot, "cputune");
        return 0;
    }
    /* a null member is unchanged: json_object_object_get gives NULL for it too */
    if ((v = json_object_object_get(val, "shares")))
        rc |=
            virTypedParamsAddULLong(&params, &nparams, &maxparams, VIR_DOMAIN_SCHEDULER_CPU_SHARES,
                                    (unsigned long long)json_object_get_int64(v));
    if ((v = json_object_object_get(val, "period")))
        rc |=
            virTypedParamsAddULLong(&params, &nparams, &maxparams, VIR_DOMAIN_SCHEDULER_VCPU_PERIOD,
                                    (unsigned long long)json_object_get_int64(v));
    if ((v = json_object_object_get(val, "quota")))
        rc |= virTypedParamsAddLLong(&params, &nparams, &maxparams, VIR_DOMAIN_SCHEDULER_VCPU_QUOTA,
                                     json_object_get_int64(v));
    return tuning_live_set(live, virDomainSetSchedulerParametersFlags, params, nparams, rc,
                           "cputune", "set CPU scheduler parameters");
}

static int tuning_live_blkiotune(const struct tuning_live *live, struct json_object *val)
{
    virTypedParameterPtr params = NULL;
    int nparams = 0, maxparams = 0, rc;

    if (!val) {
        tuning_next_boot(live->next_boot, "blkiotune");
        return 0;
    }
    rc = virTypedParamsAddUInt(
        &params, &nparams, &maxparams, VIR_DOMAIN_BLKIO_WEIGHT,
        (unsigned int)json_object_get_int64(json_object_object_get(val, "weight")));
    return tuning_live_set(live, virDomainSetBlkioParameters, params, nparams, rc, "blkiotune",
                           "set block I/O weight");
}

static int tuning_live_iotune(const struct tuning_live *live, struct json_object *arr)
{
    /* the JSON names are libvirt's VIR_DOMAIN_BLOCK_IOTUNE_* parameter names */
    static const char *const keys[] = {"total_iops_sec",  "read_iops_sec",  "write_iops_sec",
                                       "total_bytes_sec", "read_bytes_sec", "write_bytes_sec"};

    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        struct json_object *item = json_object_array_get_idx(arr, i);
        const char *target = json_object_get_string(json_object_object_get(item, "target"));
        virTypedParameterPtr params = NULL;
        int nparams = 0, maxparams = 0, rc = 0;

        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
            rc |= virTypedParamsAddULLong(
                &params, &nparams, &maxparams, keys[k],
                (unsigned long long)json_object_get_int64(json_object_object_get(item, keys[k])));
        if (rc < 0)
            virt_error_capture(live->err, "set disk I/O limits");
        else if (virDomainSetBlockIoTune(live->dom, target, params, nparams, live->flags) < 0)
            rc = tuning_live_failed(live->next_boot, "iotune", "set disk I/O limits", live->err);
        virTypedParamsFree(params, nparams);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int tuning_live_memtune(const struct tuning_live *live, struct json_object *val)
{
    static const char *const keys[] = {"hard_limit_mib", "soft_limit_mib", "swap_hard_limit_mib"};
    static const char *const names[] = {VIR_DOMAIN_MEMORY_HARD_LIMIT, VIR_DOMAIN_MEMORY_SOFT_LIMIT,
                                        VIR_DOMAIN_MEMORY_SWAP_HARD_LIMIT};
    virTypedParameterPtr params = NULL;
    int nparams = 0, maxparams = 0, rc = 0;

    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        struct json_object *v = NULL;
        unsigned long long kib = VIR_DOMAIN_MEMORY_PARAM_UNLIMITED;

        if (val && !json_object_object_get_ex(val, keys[k], &v))
            continue; /* absent: unchanged */
        if (v)
            kib = (unsigned long long)json_object_get_int64(v) * 1024;
        rc |= virTypedParamsAddULLong(&params, &nparams, &maxparams, names[k], kib);
    }
    return tuning_live_set(live, virDomainSetMemoryParameters, params, nparams, rc, "memtune",
                           "set memory limits");
}

/* The flags of a live change: VIR_DOMAIN_AFFECT_LIVE. libvirt's test driver refuses that
 * flag on some calls (pinning, the scheduler) and takes VIR_DOMAIN_AFFECT_CURRENT, which
 * for the running VM is the same. */
static unsigned int tuning_live_flags(virDomainPtr dom)
{
    const char *type = virConnectGetType(virDomainGetConnect(dom));

    if (!type)
        virResetLastError();
    return type && !strcmp(type, "TEST") ? VIR_DOMAIN_AFFECT_CURRENT : VIR_DOMAIN_AFFECT_LIVE;
}

int virt_tuning_apply_live(virDomainPtr dom, struct json_object *patch,
                           struct json_object *next_boot, struct app_error *err)
{
    const struct tuning_live live = {dom, next_boot, tuning_live_flags(dom), err};
    struct json_object *v;

    if (tuning_live_pins(&live, patch) < 0)
        return -1;
    if (json_object_object_get_ex(patch, "numatune", &v) && tuning_live_numatune(&live, v) < 0)
        return -1;
    /* the guest's NUMA layout and its memory backing are fixed while it runs */
    if (json_object_object_get_ex(patch, "numa_cells", &v))
        tuning_next_boot(next_boot, "numa_cells");
    if (json_object_object_get_ex(patch, "hugepages", &v))
        tuning_next_boot(next_boot, "hugepages");
    if (json_object_object_get_ex(patch, "cputune", &v) && tuning_live_cputune(&live, v) < 0)
        return -1;
    if (json_object_object_get_ex(patch, "blkiotune", &v) && tuning_live_blkiotune(&live, v) < 0)
        return -1;
    if (json_object_object_get_ex(patch, "iotune", &v) && tuning_live_iotune(&live, v) < 0)
        return -1;
    if (json_object_object_get_ex(patch, "memtune", &v) && tuning_live_memtune(&live, v) < 0)
        return -1;
    return 0;
}
