/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* static_files: the UI's files from the web root, cached in memory.
 *
 * DESIGN: the service thread serves every static request from this cache, so it never
 * blocks on large file I/O: a file is read once (small files only, max 8 MiB), kept
 * with its ETag (quoted hex of the first 16 bytes of its SHA-256), content type and a
 * gzip copy (when that is smaller), and re-read only when its mtime or size changes
 * (one stat per request). Service thread only; no lock.
 *
 * Path rules: the URL path is percent-decoded once; a decoded '/', '\\', NUL or any ".."
 * or "." segment is refused; the final file's realpath must lie inside the web root's
 * realpath (so a symlink out of the root is refused); directories map to their
 * index.html; "/" is "/index.html". Anything refused is "not found". */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct static_files;

struct static_file {
    const char *content_type;  /* borrowed, e.g. "text/html; charset=utf-8" */
    const char *etag;          /* borrowed, with quotes */
    const char *cache_control; /* borrowed: "no-cache" or "public, max-age=31536000, immutable" */
    const unsigned char *data; /* borrowed until the next call */
    size_t len;
    bool gzipped; /* data is the gzip copy (send Content-Encoding: gzip) */
};

/* web_root is copied; it must exist. Returns NULL if it cannot be resolved. */
struct static_files *static_files_new(const char *web_root);
void static_files_free(struct static_files *files);

/* Pure: percent-decodes and checks url_path (without query) into a relative path
 * under the root ("index.html" for "/"). Returns 0, or -1 if it is unsafe or malformed. */
int static_files_sanitize(const char *url_path, char *out, size_t outlen)
    __attribute__((warn_unused_result)); /* for tests */

/* Content type for a file name by extension ("application/octet-stream" if unknown). */
const char *static_files_content_type(const char *name); /* for tests */

/* True if the file name carries a content hash (name.[0-9a-f]{8,}.ext): cache forever. */
bool static_files_is_fingerprinted(const char *name); /* for tests */

/* Looks the file for url_path up. accept_gzip: the client accepts gzip. Returns 0 and
 * fills out, or -1 if not found (or refused). */
int static_files_get(struct static_files *files, const char *url_path, bool accept_gzip,
                     struct static_file *out) __attribute__((warn_unused_result));

/* gzip (RFC 1952) of len bytes at data, compressed at zlib level (1..9), or NULL when
 * compression fails or does not make it smaller; *gz_len receives its length. The
 * caller frees the result. Pure; any thread. Also used for large JSON answers. */
unsigned char *static_files_gzip(const unsigned char *data, size_t len, int level, size_t *gz_len);
