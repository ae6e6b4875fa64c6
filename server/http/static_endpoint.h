/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* static_endpoint: the UI's files (every path outside /api/) as a connection endpoint.
 *
 * Answers from the static_files cache at once (200, or 304 when If-None-Match names
 * the current ETag, 404 for anything not served), with the file's own Cache-Control,
 * ETag and Vary, gzip when the client takes it. Its ctx (conn_server_route) is the
 * struct static_files. Service thread only. */
#pragma once

#include "http/conn.h"

extern const struct conn_endpoint static_endpoint;
