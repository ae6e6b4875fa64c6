/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_host: the Host rule (see auth_host.h).
 *
 * Names are kept in canonical form (lower case, no trailing dot, IP literals as
 * inet_ntop writes them) in a small array: a daemon answers to a handful of names and
 * addresses, so a linear scan per request costs less than hashing would. Built on the
 * main thread, read-only afterwards. */
#include "auth_host.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/xalloc.h"

#define AUTH_HOST_NAME_MAX 256

struct auth_host_names {
    char **names; /* owned, each owned; canonical */
    size_t count;
};

struct auth_host_names *auth_host_names_new(void)
{
    return xcalloc(1, sizeof(struct auth_host_names));
}

void auth_host_names_free(struct auth_host_names *names)
{
    if (!names)
        return;
    for (size_t i = 0; i < names->count; i++)
        free(names->names[i]);
    free(names->names);
    free(names);
}

/* Writes the canonical form of the len bytes at name into out. Returns 0, or -1 for
 * something that is no host name or address. */
static int auth_host_canonical(const char *name, size_t len, char *out, size_t outlen)
{
    unsigned char addr[sizeof(struct in6_addr)];
    size_t i;

    if (len && name[len - 1] == '.')
        len--;
    if (len == 0 || len >= outlen)
        return -1;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c) && !strchr(".-_:", c))
            return -1;
        out[i] = (char)tolower(c);
    }
    out[len] = '\0';
    if (inet_pton(AF_INET6, out, addr) == 1)
        return inet_ntop(AF_INET6, addr, out, (socklen_t)outlen) ? 0 : -1;
    if (strchr(out, ':'))
        return -1;
    if (inet_pton(AF_INET, out, addr) == 1)
        return inet_ntop(AF_INET, addr, out, (socklen_t)outlen) ? 0 : -1;
    return 0;
}

static bool auth_host_known(const struct auth_host_names *names, const char *canonical)
{
    for (size_t i = 0; i < names->count; i++)
        if (!strcmp(names->names[i], canonical))
            return true;
    return false;
}

void auth_host_names_add(struct auth_host_names *names, const char *name)
{
    char canonical[AUTH_HOST_NAME_MAX];
    size_t len = strlen(name);

    if (len >= 2 && name[0] == '[' && name[len - 1] == ']') {
        name++;
        len -= 2;
    }
    if (auth_host_canonical(name, len, canonical, sizeof(canonical)) < 0 ||
        auth_host_known(names, canonical))
        return;
    names->names = xrealloc(names->names, (names->count + 1) * sizeof(*names->names));
    names->names[names->count++] = xstrdup(canonical);
}

void auth_host_names_add_list(struct auth_host_names *names, const char *list)
{
    const char *p = list;

    while (p && *p) {
        size_t len = strcspn(p, ",");
        char one[AUTH_HOST_NAME_MAX];
        const char *start = p;

        while (len && isspace((unsigned char)*start))
            start++, len--;
        while (len && isspace((unsigned char)start[len - 1]))
            len--;
        if (len && len < sizeof(one)) {
            memcpy(one, start, len);
            one[len] = '\0';
            auth_host_names_add(names, one);
        }
        p += strcspn(p, ",");
        if (*p == ',')
            p++;
    }
}

/* Every address of the machine's interfaces. */
static void auth_host_add_interfaces(struct auth_host_names *names)
{
    struct ifaddrs *all = NULL;
    char text[INET6_ADDRSTRLEN];

    if (getifaddrs(&all) < 0)
        return;
    for (struct ifaddrs *ifa = all; ifa; ifa = ifa->ifa_next) {
        socklen_t len;
        if (!ifa->ifa_addr)
            continue;
        if (ifa->ifa_addr->sa_family == AF_INET)
            len = sizeof(struct sockaddr_in);
        else if (ifa->ifa_addr->sa_family == AF_INET6)
            len = sizeof(struct sockaddr_in6);
        else
            continue;
        if (getnameinfo(ifa->ifa_addr, len, text, sizeof(text), NULL, 0, NI_NUMERICHOST) == 0) {
            text[strcspn(text, "%")] = '\0'; /* no zone index: a Host never carries one */
            auth_host_names_add(names, text);
        }
    }
    freeifaddrs(all);
}

void auth_host_names_add_machine(struct auth_host_names *names, const char *listen_host)
{
    char hostname[AUTH_HOST_NAME_MAX];
    unsigned char addr[sizeof(struct in6_addr)];
    bool wildcard;

    auth_host_names_add(names, listen_host);
    auth_host_names_add(names, "localhost");
    auth_host_names_add(names, "127.0.0.1");
    auth_host_names_add(names, "::1");
    if (gethostname(hostname, sizeof(hostname)) == 0) {
        hostname[sizeof(hostname) - 1] = '\0';
        auth_host_names_add(names, hostname);
        hostname[strcspn(hostname, ".")] = '\0';
        auth_host_names_add(names, hostname);
    }
    wildcard = (inet_pton(AF_INET, listen_host, addr) == 1 && !memcmp(addr, "\0\0\0\0", 4)) ||
               (inet_pton(AF_INET6, listen_host, addr) == 1 &&
                !memcmp(addr, &in6addr_any, sizeof(in6addr_any)));
    if (wildcard)
        auth_host_add_interfaces(names);
}

bool auth_host_allowed(const struct auth_host_names *names, const char *host)
{
    char canonical[AUTH_HOST_NAME_MAX];
    const char *name = host, *rest;
    size_t len;

    if (!host || !host[0])
        return false;
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        if (!close)
            return false;
        name = host + 1;
        len = (size_t)(close - name);
        rest = close + 1;
        if (!memchr(name, ':', len))
            return false; /* brackets hold IPv6 literals only */
    } else {
        len = strcspn(host, ":");
        rest = host + len;
    }
    if (*rest == ':') {
        size_t digits = strspn(rest + 1, "0123456789");
        if (digits == 0 || digits > 5 || rest[1 + digits] != '\0')
            return false;
    } else if (*rest != '\0') {
        return false;
    }
    if (auth_host_canonical(name, len, canonical, sizeof(canonical)) < 0)
        return false;
    return auth_host_known(names, canonical);
}
