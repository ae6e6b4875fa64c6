/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_domain_create: POST /api/domains (row DOMAINS_CREATE), see virt_domain_create.h
 * and docs/api.md "Creating a VM". The row's FIELDS check the top-level scalars; the
 * handler's check (service thread) checks the rest of the body (firmware, os, the
 * "source", "disk" and "network" objects) into a struct virt_domain_create_req; the
 * create runs on a worker and answers 201 with the new domain's detail. */
#pragma once

#include <json-c/json.h>

#include "api/api_call.h"
#include "util/app_error.h"
#include "virt/virt_domain_create.h"

/* Checks a POST /api/domains body (its scalars already of the right type and range, or
 * not: they are checked again) into out. Every member is checked; an unknown one is a
 * 400 naming it (dotted: "source.volume.pool"), a number out of range a 400 with its
 * min/max. Pure; any thread. Returns 0 or -1 with err. */
int api_domain_create_parse(struct json_object *body, struct virt_domain_create_req *out,
                            struct app_error *err) __attribute__((warn_unused_result));

extern const struct api_handler api_domain_create;
