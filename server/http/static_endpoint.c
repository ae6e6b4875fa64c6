/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* static_endpoint: serves the UI's files from the cache (see static_endpoint.h).
 *
 * Service thread only; answers within the call, never blocks (the cache stats, reads
 * only small files once). */
#include "http/static_endpoint.h"

#include <string.h>

#include "http/static_files.h"

static int static_endpoint_open(struct conn *conn, const struct http_request *req)
{
    struct static_files *files = conn_ctx(conn);
    struct http_response resp;
    struct static_file file;
    char etag[128];

    http_response_init(&resp);
    if (static_files_get(files, req->path, req->accept_gzip, &file) < 0) {
        http_response_errorf(&resp, 404, APP_ERR_NOT_FOUND, "not found");
        goto answer;
    }
    http_response_header(&resp, "ETag", file.etag);
    http_response_header(&resp, "Cache-Control", file.cache_control);
    http_response_header(&resp, "Vary", "Accept-Encoding");
    resp.content_type = file.content_type;
    if (conn_header(conn, CONN_HEADER_IF_NONE_MATCH, etag, sizeof(etag)) == 0 && etag[0] &&
        strstr(etag, file.etag)) {
        resp.status = 304;
        resp.content_type = NULL;
        goto answer;
    }
    if (file.gzipped)
        http_response_header(&resp, "Content-Encoding", "gzip");
    resp.status = 200;
    if (buf_append(&resp.body, file.data, file.len) < 0) {
        http_response_free(&resp);
        http_response_init(&resp);
        http_response_errorf(&resp, 500, APP_ERR_INTERNAL, "file too large");
    }

answer:
    conn_respond(conn, &resp);
    http_response_free(&resp);
    return 0;
}

const struct conn_endpoint static_endpoint = {
    .name = "static",
    .open = static_endpoint_open,
    .sessionless = true,
};
