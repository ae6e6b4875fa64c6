/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api_job: the dispatcher's other half: a call's services (from struct api_services,
 * api.h), its job on the work pool (or the password lane), the libvirt connection, the
 * audit record, and the one place an answer is delivered.
 *
 * DESIGN (threads): api_handle (service thread) builds a call with api_job_call_new,
 * checks it, and api_job_submit queues it. A worker runs it: it takes a libvirt
 * connection for ROUTE_RUN_LIBVIRT rows (503 without one: nothing was tried, nothing is
 * audited), runs the handler, and records a change in the audit log (the row's action,
 * the handler's suffix, the object, the outcome). The pool's `done` (service thread)
 * turns the reply into an HTTP response and delivers it to the connection by id,
 * which drops it if the connection has gone. */
#pragma once

#include "http/request.h"
#include "http/route.h"

struct api_call;
struct api_handler;
struct api_reply;
struct api_services;

/* A new call for req on row, with the handlers' part of services (db, sessions,
 * throttle, the session lifetime); the job keeps services (borrowed) for the rest.
 * Release with api_job_call_free unless api_job_submit took it. Service thread. */
struct api_call *api_job_call_new(const struct api_services *services, const struct route_row *row,
                                  const struct http_request *req);
/* NULL-safe. Service thread. */
void api_job_call_free(struct api_call *call);

/* Queues call (from api_job_call_new) to run handler where its row says. Returns 0
 * (the job owns call and answers the connection later), or -1 with a 503 "server
 * busy" in reply (after handler->refused) and call still the caller's. Service
 * thread. */
int api_job_submit(struct api_call *call, const struct api_handler *handler,
                   struct api_reply *reply) __attribute__((warn_unused_result));

/* A change refused before its handler ran (its right, object or input; reply holds the
 * error): queues the refusal's audit record on a worker, which then answers with reply,
 * so the row is written before the answer. Returns 0 (the job owns call and took reply's
 * answer; reply is left empty), or -1 when call's row records nothing, no session asked,
 * or the pool is full (call and reply still the caller's, reply unchanged). Service
 * thread. */
int api_job_submit_refusal(struct api_call *call, struct api_reply *reply)
    __attribute__((warn_unused_result));

/* The audit record's object for call when the handler named none: "domain:<uuid>",
 * "network:<name>", "pool:<name>" or "volume:<pool>/<volume>" (from the row's object),
 * else "". Pure. Exported for tests (test_api.c). */
void api_job_audit_object(const struct api_call *call, char *out, size_t outlen);
/* The object the audit record of call names: the one the handler put in reply, else
 * api_job_audit_object's. Pure. */
/* The log line of an audit record: "api: <user> <action> <kind> <name> from <peer>:
 * <result><tail>" (object "kind:name" split at its colon). Any thread. */
void api_job_log(const char *user, const char *action, const char *object, const char *peer,
                 const char *result, const char *tail);
void api_job_audit_target(const struct api_call *call, const struct api_reply *reply, char *out,
                          size_t outlen);

/* Worker: records the change call made in the audit log, as (the row's audit action and
 * reply's suffix, reply's audit object or the one above, the outcome: the error's code
 * or "ok"), and logs "api: <user> <action> <kind> <name> from <peer>: <message or ok>".
 * Called by the job for every row with an audit action once the handler ran. Exported
 * for tests (test_api.c). */
void api_job_record(const struct api_call *call, const struct api_reply *reply);
