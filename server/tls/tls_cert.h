/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tls_cert: the daemon's certificate when none is configured.
 *
 * On first start, generates an ECDSA P-256 key and a self-signed certificate valid for
 * 10 years with SANs localhost, 127.0.0.1, ::1 and the host name; writes them to
 * STATE_DIR/tls/virtdeck.crt and virtdeck.key (key 0600, written atomically via a
 * temporary file and rename) and reuses them on later starts. Main thread, at start. */
#pragma once

#include "util/app_error.h"

/* Ensures dir/virtdeck.crt and dir/virtdeck.key exist (generating them if either is
 * missing or unreadable). Returns 0 or -1 with err set. */
int tls_cert_ensure(const char *dir, struct app_error *err) __attribute__((warn_unused_result));
