/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_endpoint: hands each API request to the dispatcher (see api_endpoint.h).
 *
 * Service thread only. The one place a request enters the API. */
#include "api/api_endpoint.h"

#include "api/api.h"

/* How long a request may wait for its worker before the connection is cut. lws's own
 * 10 s cut is for a silent client (serve.c's timeout_secs); a request that is waiting on
 * libvirt is not silent, and libvirt's keepalive gives a dead libvirtd up in 15 s
 * (virt_conn.h), so a first OS list under load (osinfo's load) or a libvirtd that stalls
 * for a while still gets its answer. The answer, once written, ends the wait. */
#define API_ENDPOINT_PENDING_TIMEOUT_S 120

static int api_endpoint_open(struct conn *conn, const struct http_request *req)
{
    struct http_response resp;

    http_response_init(&resp);
    if (api_handle(conn_ctx(conn), req, &resp) == API_DONE)
        conn_respond(conn, &resp);
    else
        conn_set_timeout(conn, API_ENDPOINT_PENDING_TIMEOUT_S);
    http_response_free(&resp);
    return 0;
}

const struct conn_endpoint api_endpoint = {
    .name = "api",
    .open = api_endpoint_open,
};
