/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_tree: install tree URLs, layouts and the installer's command line (see
 * virt_tree.h). Pure; any thread. A URL that passes the check holds no byte that could
 * end a kernel command line argument (no space, quote or control character) or change
 * what QEMU's curl driver fetches (no query, no fragment, no credentials). */
#include "virt/virt_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "virt/virt_nocloud.h"

#define TREE_FIELD    "source.url"
#define TREE_HOST_MAX 253

/* The well-known layouts, tried in this order without "os". */
static const struct virt_tree_layout tree_pxeboot = {"images/pxeboot/vmlinuz",
                                                     "images/pxeboot/initrd.img", true};
static const struct virt_tree_layout tree_debian = {
    "main/installer-amd64/current/images/netboot/debian-installer/amd64/linux",
    "main/installer-amd64/current/images/netboot/debian-installer/amd64/initrd.gz", false};

static int tree_refuse(struct app_error *err, const char *why)
{
    app_error_set(err, 400, APP_ERR_BAD_REQUEST, "field \"" TREE_FIELD "\" %s", why);
    app_error_at_field(err, "", TREE_FIELD);
    return -1;
}

static bool tree_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* True if c may stand in a tree URL's path as it is (RFC 3986 pchar and '/', without
 * '%', which tree_path_ok checks with its two hex digits). */
static bool tree_path_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("-._~!$&'()*+,;=:@/", c));
}

static bool tree_path_ok(const char *p)
{
    for (; *p; p++) {
        if (*p == '%') {
            if (!tree_hex(p[1]) || !tree_hex(p[2]))
                return false;
            p += 2;
        } else if (!tree_path_char(*p)) {
            return false;
        }
    }
    return true;
}

/* An IPv4 literal: four decimal parts 0-255 without leading zeros. */
static bool tree_ipv4_ok(const char *h)
{
    int parts = 0;

    while (parts < 4) {
        int v = 0, digits = 0;

        while (*h >= '0' && *h <= '9' && digits < 4)
            v = v * 10 + (*h++ - '0'), digits++;
        if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && h[-digits] == '0'))
            return false;
        parts++;
        if (parts < 4 && *h++ != '.')
            return false;
    }
    return *h == '\0';
}

/* "[...]" holding only hex digits, ':' and '.' (an IPv6 literal; libcurl parses it). */
static bool tree_ipv6_ok(const char *h, size_t n)
{
    if (n < 4 || h[0] != '[' || h[n - 1] != ']')
        return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (!tree_hex(h[i]) && h[i] != ':' && h[i] != '.')
            return false;
    return true;
}

/* The authority host[:port] of n bytes at a. */
static int tree_authority_check(const char *a, size_t n, struct app_error *err)
{
    char host[TREE_HOST_MAX + 1];
    const char *colon = NULL;
    size_t host_len = n;

    if (memchr(a, '@', n))
        return tree_refuse(err, "must not hold a user name or password");
    if (n && a[0] == '[') {
        const char *close = memchr(a, ']', n);

        host_len = close ? (size_t)(close - a) + 1 : n;
        colon = host_len < n && a[host_len] == ':' ? a + host_len : NULL;
        if (!close || (host_len < n && !colon) || !tree_ipv6_ok(a, host_len))
            return tree_refuse(err, "has no valid IPv6 host");
    } else {
        colon = memchr(a, ':', n);
        host_len = colon ? (size_t)(colon - a) : n;
        if (host_len == 0 || host_len > TREE_HOST_MAX)
            return tree_refuse(err, "has no valid host");
        memcpy(host, a, host_len);
        host[host_len] = '\0';
        if (!virt_nocloud_hostname_valid(host) && !tree_ipv4_ok(host))
            return tree_refuse(err, "has no valid host");
    }
    if (colon) {
        size_t digits = n - (size_t)(colon + 1 - a);
        long port = 0;

        if (digits == 0 || digits > 5)
            return tree_refuse(err, "has no valid port");
        for (size_t i = 0; i < digits; i++) {
            if (colon[1 + i] < '0' || colon[1 + i] > '9')
                return tree_refuse(err, "has no valid port");
            port = port * 10 + (colon[1 + i] - '0');
        }
        if (port < 1 || port > 65535)
            return tree_refuse(err, "has no valid port");
    }
    return 0;
}

int virt_tree_url_check(const char *url, struct app_error *err)
{
    const char *rest, *slash;
    size_t len = url ? strnlen(url, VIRT_TREE_URL_MAX + 1) : 0;

    if (len == 0 || len > VIRT_TREE_URL_MAX)
        return tree_refuse(err, "must be a URL of 1 to 1024 bytes");
    if (!strncmp(url, "http://", 7))
        rest = url + 7;
    else if (!strncmp(url, "https://", 8))
        rest = url + 8;
    else
        return tree_refuse(err, "must start with http:// or https://");
    if (strchr(url, '#'))
        return tree_refuse(err, "must not hold a fragment (#)");
    if (strchr(url, '?'))
        return tree_refuse(err, "must not hold a query (?): it names a directory");
    slash = strchr(rest, '/');
    if (tree_authority_check(rest, slash ? (size_t)(slash - rest) : strlen(rest), err) < 0)
        return -1;
    if (slash && !tree_path_ok(slash))
        return tree_refuse(err, "holds a character a URL path must escape");
    return 0;
}

size_t virt_tree_layouts(const struct virt_osinfo_os *os, struct virt_tree_layout *out)
{
    if (!os) {
        out[0] = tree_pxeboot;
        out[1] = tree_debian;
        return 2;
    }
    if (os->tree && os->tree_kernel[0] && os->tree_initrd[0]) {
        out[0].kernel = os->tree_kernel;
        out[0].initrd = os->tree_initrd;
        out[0].anaconda = os->tree_treeinfo;
        return 1;
    }
    if (os->tree && os->tree_treeinfo) {
        out[0] = tree_pxeboot;
        return 1;
    }
    return 0;
}

int virt_tree_join(const char *url, const char *rel, char *out, size_t len)
{
    size_t n = strlen(url);
    int w = snprintf(out, len, "%s%s%s", url, n && url[n - 1] == '/' ? "" : "/", rel);

    return w < 0 || (size_t)w >= len ? -1 : 0;
}

void virt_tree_cmdline(const struct virt_tree_layout *layout, const char *url, char *out,
                       size_t len)
{
    snprintf(out, len, "console=tty0 console=ttyS0%s%s", layout->anaconda ? " inst.repo=" : "",
             layout->anaconda ? url : "");
}
