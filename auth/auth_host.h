/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* auth_host: the Host rule against DNS rebinding.
 *
 * A page on an attacker's site can make its own name resolve to this machine and then
 * talk to virtdeck as a same-origin page of that name; its requests then carry
 * "Host: attacker.example". Only requests whose Host names this server are answered:
 * the configured server names, the listen address, localhost and the loopback
 * addresses, the machine's own host name, and, when listening on every interface, the
 * addresses of the machine's interfaces.
 *
 * A struct auth_host_names is built once on the main thread before the daemon serves,
 * and is read-only afterwards, so any thread may call auth_host_allowed(). */
#pragma once

#include <stdbool.h>

struct auth_host_names;

/* An empty set. */
struct auth_host_names *auth_host_names_new(void);
void auth_host_names_free(struct auth_host_names *names);

/* Adds one name or address (case and a trailing dot do not matter; IP literals are
 * compared as addresses, so "::1" and "0:0::1" are the same). Empty names are ignored. */
void auth_host_names_add(struct auth_host_names *names, const char *name);

/* Adds every name of a comma-separated list (the `server_names` key). */
void auth_host_names_add_list(struct auth_host_names *names, const char *list);

/* Adds what a daemon listening on listen_host always answers to: listen_host itself,
 * localhost, 127.0.0.1, ::1, the machine's host name (and its first label), and when
 * listen_host is a wildcard (0.0.0.0 or ::), every address of the machine's interfaces. */
void auth_host_names_add_machine(struct auth_host_names *names, const char *listen_host);

/* host: a Host header ("name", "name:port", "[v6]", "[v6]:port"). True if it names
 * this server. The port is not compared: a reverse proxy may change it, and the
 * attacker's page cannot choose the name part. */
bool auth_host_allowed(const struct auth_host_names *names, const char *host);
