/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_json: strict parsing of request bodies. Pure; any thread.
 *
 * Bodies must be a JSON object (nesting at most 8 deep) whose keys are all in the
 * allowed list; anything else is a 400 with a message that says what is wrong. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "http/route.h"
#include "util/app_error.h"

/* The allowed list that lets any member through (compared by address): for a caller
 * that names an unknown member itself. */
extern const char *const api_json_any_keys[];

/* Parses body. allowed: NULL-terminated key list, or api_json_any_keys. An empty body
 * gives an empty object when empty_ok. Returns a new object (caller puts
 * it) or NULL with err (400). */
struct json_object *api_json_parse_object(const char *body, size_t len, const char *const *allowed,
                                          bool empty_ok, struct app_error *err);

/* api_json_parse_object, where the string values of the members named in multiline
 * (NULL-terminated; NULL: none; a top-level key, or a dotted path to a nested member:
 * "source.cloud_init.user_data") may hold line breaks and tabs written as JSON escapes
 * ("\n", "\t"); anywhere else, and every other control character anywhere, is still a
 * 400. */
struct json_object *api_json_parse_body(const char *body, size_t len, const char *const *allowed,
                                        const char *const *multiline, bool empty_ok,
                                        struct app_error *err);

/* Fetches a required string member of at most maxlen bytes. Returns it (borrowed from
 * obj) or NULL with err (400). */
const char *api_json_get_string(struct json_object *obj, const char *key, size_t maxlen,
                                struct app_error *err); /* for tests */

/* Reads the boolean member key into *out. An absent member is a 400 when required,
 * else leaves *out as it is. A member of another type is a 400 ("\"key\" must be
 * true or false"). Returns 0 or -1 with err. */
int api_json_get_bool(struct json_object *obj, const char *key, bool required, bool *out,
                      struct app_error *err) __attribute__((warn_unused_result)); /* for tests */

/* Checks obj's members against fields ({NULL}-terminated; NULL: none), in order: type,
 * presence of required ones, bounds and rules, with the messages api_json_get_string and
 * api_json_get_bool give (or the field's own, see struct route_field). Returns 0 or -1
 * with err (400). */
int api_json_check_fields(struct json_object *obj, const struct route_field *fields,
                          struct app_error *err) __attribute__((warn_unused_result));
