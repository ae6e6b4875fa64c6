/* api_pools: placeholder until the endpoints of ROUTE_POOLS, ROUTE_POOL, ROUTE_POOL_ACTION land. */
#include "api/api_pools.h"

enum api_result api_pools_handle(struct app *app, const struct http_request *req,
                                 struct http_response *resp)
{
    http_response_errorf(resp, 501, APP_ERR_UNSUPPORTED, "not implemented yet");
    return API_DONE;
}
