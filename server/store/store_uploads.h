/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* store_uploads: remembers volumes whose content is not whole because an upload into
 * them was cut off, so the API can say so until a complete upload replaces it.
 *
 * Any thread (the store handle serialises calls). Keyed by pool and volume name. */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>

/* Marks pool/volume as holding a cut-off upload. Returns 0, or -1 (logged). */
int store_uploads_mark(sqlite3 *db, const char *pool, const char *volume, const char *username);
/* Forgets the mark (a complete upload, or the volume was deleted). Returns 0 or -1. */
int store_uploads_clear(sqlite3 *db, const char *pool, const char *volume);
/* True if pool/volume is marked. */
bool store_uploads_incomplete(sqlite3 *db, const char *pool, const char *volume);
