/* api_endpoint: hands each API request to the dispatcher (see api_endpoint.h).
 *
 * Service thread only. The one place a request enters the API. */
#include "api/api_endpoint.h"

#include "api/api.h"

static int api_endpoint_open(struct conn *conn, const struct http_request *req)
{
    struct http_response resp;

    http_response_init(&resp);
    if (api_handle(conn_ctx(conn), req, &resp) == API_DONE)
        conn_respond(conn, &resp);
    http_response_free(&resp);
    return 0;
}

const struct conn_endpoint api_endpoint = {
    .name = "api",
    .open = api_endpoint_open,
};
