/* api: dispatches a checked /api/ request to its handler (service thread). */
#include "api/api.h"

#include "api/api_auth.h"
#include "api/api_domains.h"
#include "api/api_domain_devices.h"
#include "api/api_host.h"
#include "api/api_networks.h"
#include "api/api_pools.h"
#include "api/api_volumes.h"

enum api_result api_handle(struct app *app, const struct http_request *req,
                           struct http_response *resp)
{
    switch (req->route.id) {
    case ROUTE_LOGIN:
        return api_auth_login(app, req, resp);
    case ROUTE_LOGOUT:
        return api_auth_logout(app, req, resp);
    case ROUTE_SESSION:
        return api_auth_session(app, req, resp);
    case ROUTE_HOST:
        return api_host_get(app, req, resp);
    case ROUTE_DOMAINS:
        return api_domains_list(app, req, resp);
    case ROUTE_DOMAIN:
        return api_domains_get(app, req, resp);
    case ROUTE_DOMAIN_ACTION:
        return api_domains_act(app, req, resp);
    case ROUTE_DOMAIN_ADDRESSES:
    case ROUTE_DOMAIN_DISKS:
    case ROUTE_DOMAIN_DISK:
    case ROUTE_DOMAIN_DISK_MEDIA:
    case ROUTE_DOMAIN_INTERFACES:
    case ROUTE_DOMAIN_INTERFACE:
        return api_domain_devices_handle(app, req, resp);
    case ROUTE_NETWORKS:
    case ROUTE_NETWORK:
    case ROUTE_NETWORK_LEASES:
    case ROUTE_NETWORK_ACTION:
        return api_networks_handle(app, req, resp);
    case ROUTE_POOLS:
    case ROUTE_POOL:
    case ROUTE_POOL_ACTION:
        return api_pools_handle(app, req, resp);
    case ROUTE_VOLUMES:
    case ROUTE_VOLUME:
    case ROUTE_VOLUME_ACTION:
        return api_volumes_handle(app, req, resp);
    default:
        http_response_errorf(resp, 404, APP_ERR_NOT_FOUND, "no such API endpoint");
        return API_DONE;
    }
}
