/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* console_target: from a domain UUID to a connected socket on its VNC server.
 * Worker threads only (blocking libvirt calls and connect). */
#include "console_target.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/log.h"
#include "virt/virt_domain.h"
#include "virt/virt_error.h"

#define CONSOLE_CONNECT_TIMEOUT_MS 3000

static int console_target_nonblock(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    return flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ? -1 : 0;
}

/* Connects fd to addr within the timeout. Returns 0 or -1 (errno set). */
static int console_target_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    int soerr = 0;
    socklen_t soerr_len = sizeof(soerr);

    if (console_target_nonblock(fd) < 0)
        return -1;
    if (connect(fd, addr, len) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return -1;
    if (poll(&pfd, 1, CONSOLE_CONNECT_TIMEOUT_MS) != 1) {
        errno = ETIMEDOUT;
        return -1;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &soerr_len) < 0)
        return -1;
    if (soerr) {
        errno = soerr;
        return -1;
    }
    return 0;
}

static int console_target_unix(const char *path, struct app_error *err)
{
    struct sockaddr_un sun;
    int fd = -1;

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sun.sun_path)) {
        app_error_set(err, 502, APP_ERR_LIBVIRT, "VNC socket path too long");
        return -1;
    }
    memcpy(sun.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || console_target_connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        app_error_set(err, 502, APP_ERR_LIBVIRT, "cannot reach the VNC server: %s",
                      strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static int console_target_tcp(const char *listen, int port, struct app_error *err)
{
    struct addrinfo hints, *res = NULL;
    char service[16];
    const char *host = listen;
    int fd = -1;
    int rc;

    /* a display that listens on every address is reached over loopback */
    if (!host[0] || !strcmp(host, "0.0.0.0"))
        host = "127.0.0.1";
    else if (!strcmp(host, "::"))
        host = "::1";
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    snprintf(service, sizeof(service), "%d", port);
    if ((rc = getaddrinfo(host, service, &hints, &res)) != 0) {
        app_error_set(err, 502, APP_ERR_LIBVIRT, "VNC listen address %.64s is not usable: %s", host,
                      gai_strerror(rc));
        return -1;
    }
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || console_target_connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
        app_error_set(err, 502, APP_ERR_LIBVIRT, "cannot reach the VNC server at %.64s:%d: %s",
                      host, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

/* The first VNC display of the live XML, reached by TCP or unix socket. */
static int console_target_from_xml(virDomainPtr dom, struct app_error *err)
{
    struct json_object *detail = json_object_new_object();
    struct json_object *graphics = NULL;
    char *xml = NULL;
    int fd = -1;

    if (!(xml = virDomainGetXMLDesc(dom, 0))) {
        virt_error_capture(err, "get domain XML");
        goto cleanup;
    }
    if (virt_domain_xml_to_json(xml, detail, err) < 0)
        goto cleanup;
    json_object_object_get_ex(detail, "graphics", &graphics);
    for (size_t i = 0; graphics && i < json_object_array_length(graphics); i++) {
        struct json_object *g = json_object_array_get_idx(graphics, i), *v;
        const char *socket_path = "", *listen = "";
        int port = -1;

        if (!json_object_object_get_ex(g, "type", &v) || strcmp(json_object_get_string(v), "vnc"))
            continue;
        if (json_object_object_get_ex(g, "socket", &v))
            socket_path = json_object_get_string(v);
        if (json_object_object_get_ex(g, "listen", &v))
            listen = json_object_get_string(v);
        if (json_object_object_get_ex(g, "port", &v))
            port = json_object_get_int(v);
        if (socket_path[0]) {
            fd = console_target_unix(socket_path, err);
            goto cleanup;
        }
        if (port > 0) {
            fd = console_target_tcp(listen, port, err);
            goto cleanup;
        }
    }
    app_error_set(err, 409, APP_ERR_CONFLICT, "the domain has no VNC display");

cleanup:
    free(xml);
    json_object_put(detail);
    return fd;
}

int console_target_open(virConnectPtr conn, const char *uuid, bool hidden, char *name_out,
                        size_t name_len, struct app_error *err)
{
    virDomainPtr dom = NULL;
    int fd = -1;

    if (!(dom = virt_domain_lookup_active(conn, uuid, hidden, name_out, name_len, err)))
        goto cleanup;
    /* local QEMU hands over a connected descriptor (no listening port needed) */
    fd = virDomainOpenGraphicsFD(dom, 0, 0);
    if (fd >= 0) {
        if (console_target_nonblock(fd) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
            app_error_set(err, 502, APP_ERR_LIBVIRT, "cannot prepare the VNC descriptor");
            close(fd);
            fd = -1;
        }
        goto cleanup;
    }
    virResetLastError();
    fd = console_target_from_xml(dom, err);

cleanup:
    if (dom)
        virDomainFree(dom);
    return fd;
}
