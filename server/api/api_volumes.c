/* api_volumes: placeholder until the endpoints of ROUTE_VOLUMES, ROUTE_VOLUME, ROUTE_VOLUME_ACTION
 * (not content) land. */
#include "api/api_volumes.h"

enum api_result api_volumes_handle(struct app *app, const struct http_request *req,
                                   struct http_response *resp)
{
    http_response_errorf(resp, 501, APP_ERR_UNSUPPORTED, "not implemented yet");
    return API_DONE;
}
