/* api_networks: placeholder until the endpoints of ROUTE_NETWORKS, ROUTE_NETWORK,
 * ROUTE_NETWORK_LEASES, ROUTE_NETWORK_ACTION land. */
#include "api/api_networks.h"

enum api_result api_networks_handle(struct app *app, const struct http_request *req,
                                    struct http_response *resp)
{
    http_response_errorf(resp, 501, APP_ERR_UNSUPPORTED, "not implemented yet");
    return API_DONE;
}
