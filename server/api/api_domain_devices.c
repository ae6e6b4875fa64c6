/* api_domain_devices: placeholder until the endpoints of ROUTE_DOMAIN_ADDRESSES, _DISKS, _DISK,
 * _DISK_MEDIA, _INTERFACES, _INTERFACE land. */
#include "api/api_domain_devices.h"

enum api_result api_domain_devices_handle(struct app *app, const struct http_request *req,
                                          struct http_response *resp)
{
    http_response_errorf(resp, 501, APP_ERR_UNSUPPORTED, "not implemented yet");
    return API_DONE;
}
