/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_networks: the network handlers (see api_networks.h). Service thread for the
 * create check; workers for the runs. */
#include "api/api_networks.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_self_service.h"
#include "virt/virt_network.h"
#include "virt/virt_network_xml.h"

static void api_networks_list_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;

    app_error_clear(&err);
    api_reply_result(reply, 200,
                     api_self_service_filter(call, AUTH_OBJECT_NETWORK, NULL,
                                             virt_network_list(call->conn, &err)),
                     &err);
}

const struct api_handler api_networks_list = {.run = api_networks_list_run};

/* The path's network, or NULL with err. Release with virNetworkFree. */
static virNetworkPtr api_networks_lookup(const struct api_call *call, struct app_error *err)
{
    app_error_clear(err);
    return virt_network_lookup(call->conn, call->name, err);
}

/* Answers net's object after a change (or a read) that returned rc. */
static void api_networks_answer(struct api_call *call, struct api_reply *reply, virNetworkPtr net,
                                int rc, struct app_error *err)
{
    api_reply_result(
        reply, 200,
        api_self_service_filter(call, AUTH_OBJECT_NETWORK, NULL,
                                rc == 0 ? virt_network_object(call->conn, net, err) : NULL),
        err);
}

static void api_networks_get_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;
    virNetworkPtr net = api_networks_lookup(call, &err);

    if (!net) {
        api_reply_error(reply, &err);
        return;
    }
    api_networks_answer(call, reply, net, 0, &err);
    virNetworkFree(net);
}

const struct api_handler api_networks_get = {.run = api_networks_get_run};

static void api_networks_leases_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;
    virNetworkPtr net = api_networks_lookup(call, &err);

    api_reply_result(reply, 200, net ? virt_network_leases(net, &err) : NULL, &err);
    if (net)
        virNetworkFree(net);
}

const struct api_handler api_networks_leases = {.run = api_networks_leases_run};

/* ---- create --------------------------------------------------------------------------- */

static int api_networks_create_check(struct api_call *call, const struct http_request *req,
                                     struct api_reply *reply)
{
    char *xml = NULL;

    if (virt_network_xml_build(call->body, &xml, &reply->err) < 0)
        return -1;
    call->state = xml; /* the builder validated name, mode and bridge too */
    return 0;
}

/* Adds the subnet of the body's key ("ipv4"/"ipv6"), validated by the check, to spec. */
static void api_networks_spec_subnet(const struct api_call *call, const char *key, int family,
                                     struct virt_network_spec *spec)
{
    struct json_object *ip = NULL, *address = NULL, *prefix = NULL;

    if (json_object_object_get_ex(call->body, key, &ip) && ip &&
        json_object_object_get_ex(ip, "address", &address) &&
        json_object_object_get_ex(ip, "prefix", &prefix) &&
        virt_subnet_parse(json_object_get_string(address), family,
                          (unsigned)json_object_get_int(prefix),
                          &spec->subnets[spec->nsubnets]) == 0)
        spec->nsubnets++;
}

static void api_networks_create_run(struct api_call *call, struct api_reply *reply)
{
    const char *bridge = api_call_string(call, "bridge");
    struct virt_network_spec spec = {
        .name = api_call_string(call, "name"),
        .mode = api_call_string(call, "mode"),
        .bridge = bridge && bridge[0] ? bridge : NULL,
        .start = api_call_bool(call, "start", true),
        .autostart = api_call_bool(call, "autostart", false),
        .force = api_call_bool(call, "force", false),
    };
    struct app_error err;
    virNetworkPtr net;

    app_error_clear(&err);
    api_networks_spec_subnet(call, "ipv4", AF_INET, &spec);
    api_networks_spec_subnet(call, "ipv6", AF_INET6, &spec);
    net = virt_network_create(call->conn, &spec, call->state, &err);
    api_reply_result(reply, 201, net ? virt_network_object(call->conn, net, &err) : NULL, &err);
    api_reply_audit_object(reply, "network:%s", spec.name);
    if (net)
        virNetworkFree(net);
}

const struct api_handler api_networks_create = {
    .check = api_networks_create_check,
    .run = api_networks_create_run,
};

/* ---- changes -------------------------------------------------------------------------- */

static void api_networks_act_run(struct api_call *call, struct api_reply *reply)
{
    struct app_error err;
    virNetworkPtr net = api_networks_lookup(call, &err);

    if (!net) {
        api_reply_error(reply, &err);
        return;
    }
    api_networks_answer(call, reply, net, virt_network_act(net, call->action, &err), &err);
    virNetworkFree(net);
}

const struct api_handler api_networks_act = {.run = api_networks_act_run};

static void api_networks_autostart_run(struct api_call *call, struct api_reply *reply)
{
    bool enabled = api_call_bool(call, "enabled", false);
    struct app_error err;
    virNetworkPtr net = api_networks_lookup(call, &err);

    reply->audit_suffix = enabled ? "-on" : "-off";
    if (!net) {
        api_reply_error(reply, &err);
        return;
    }
    api_networks_answer(call, reply, net, virt_network_set_autostart(net, enabled, &err), &err);
    virNetworkFree(net);
}

const struct api_handler api_networks_autostart = {.run = api_networks_autostart_run};

static void api_networks_delete_run(struct api_call *call, struct api_reply *reply)
{
    char force[8];
    const char *given = api_call_query(call, "force", force, sizeof(force));
    bool forced = given && (!strcmp(given, "true") || !strcmp(given, "1") || !given[0]);
    struct json_object *out = NULL;
    struct app_error err;
    virNetworkPtr net = api_networks_lookup(call, &err);

    reply->audit_suffix = forced ? "-force" : "";
    if (net && virt_network_delete(call->conn, net, forced, &err) == 0) {
        out = json_object_new_object();
        json_object_object_add(out, "name", json_object_new_string(call->name));
        json_object_object_add(out, "removed", json_object_new_boolean(1));
    }
    api_reply_result(reply, 200, out, &err);
    if (net)
        virNetworkFree(net);
}

const struct api_handler api_networks_delete = {.run = api_networks_delete_run};
