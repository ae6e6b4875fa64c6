/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cookie: reading one cookie out of a Cookie header. Pure; any thread. */
#pragma once

#include <stddef.h>

/* Finds name=value in a Cookie header ("a=1; b=2") and copies value into out.
 * Returns the value's length, or -1 if absent or longer than outlen-1. */
int cookie_find(const char *header, const char *name, char *out, size_t outlen);
