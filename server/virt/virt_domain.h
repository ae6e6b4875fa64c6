/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* virt_domain: domains as JSON, and lifecycle actions.
 *
 * Blocking libvirt calls: worker threads and the virt-events thread only, never the
 * service thread. The JSON shapes are specified in docs/api.md ("domain object" and
 * the detail form). */
#pragma once

#include <json-c/json.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/app_error.h"

/* "running", "shutoff", ... for a virDomainState; "nostate" for unknown values. */
const char *virt_domain_state_name(int state); /* for tests */
/* Lower-case reason for a (state, reason) pair, e.g. (VIR_DOMAIN_RUNNING, BOOTED) → "booted". */
const char *virt_domain_reason_name(int state, int reason); /* for tests */
/* The pseudo event of a changed title, description or metadata element
 * (VIR_DOMAIN_EVENT_ID_METADATA_CHANGE, which is not a lifecycle event): its name is
 * "metadata", its detail (a virDomainMetadataType) "description", "title" or "element". */
#define VIRT_DOMAIN_EVENT_METADATA 1000

/* "started", "stopped", ... for a virDomainEventType (or VIRT_DOMAIN_EVENT_METADATA);
 * detail name for (event, detail). */
const char *virt_domain_event_name(int event);
const char *virt_domain_event_detail_name(int event, int detail);

/* True if s is a canonical UUID string (36 chars, hex and dashes at 8-4-4-4-12). */
int virt_domain_uuid_valid(const char *s);

/* Pure: reads a domain XML document and adds to obj the detail fields "description",
 * "title", "disks", "interfaces", "graphics", and "has_vnc", "os_type", "os" (the
 * libosinfo metadata's OS id URL, or null; virt_domain_detail turns it into the short
 * id). Returns 0 or -1
 * (malformed XML; err set, 502). Uses libxml2. */
int virt_domain_xml_to_json(const char *xml, struct json_object *obj, struct app_error *err)
    __attribute__((warn_unused_result));

/* The summary caches each domain's os_type, has_vnc, title and description (read from
 * its XML) per UUID and domain id. Call this when a domain's definition may have
 * changed: for every lifecycle or metadata event of that UUID, and with NULL (forget
 * all) after (re)connecting. A malformed uuid is ignored. Any thread. */
void virt_domain_forget(const char *uuid);

/* The summary fields libvirt reports without the XML. The list learns them in bulk
 * (one virDomainListGetStats, two filtered virConnectListAllDomains); a single
 * summary, or a field the bulk call left out (the test driver's stats carry only the
 * state group), asks the domain itself. */
struct virt_domain_facts {
    int state;  /* virDomainState */
    int reason; /* the state's reason enum */
    unsigned int vcpus;
    unsigned long long memory_kib;
    unsigned long long max_memory_kib;
    bool persistent;
    bool autostart;
};

enum {
    VIRT_DOMAIN_FACT_STATE = 1u << 0,  /* state, reason */
    VIRT_DOMAIN_FACT_VCPUS = 1u << 1,  /* vcpus */
    VIRT_DOMAIN_FACT_MEMORY = 1u << 2, /* memory_kib, max_memory_kib */
    VIRT_DOMAIN_FACT_PERSISTENT = 1u << 3,
    VIRT_DOMAIN_FACT_AUTOSTART = 1u << 4,
    VIRT_DOMAIN_FACT_ALL = (1u << 5) - 1,
};

/* Pure: fills facts from one stats record's parameters ("state.state",
 * "state.reason", "vcpu.current", "balloon.current" with "balloon.maximum") and
 * returns the VIRT_DOMAIN_FACT_* bits it found; fields it did not find are left as
 * they were. Any thread. */
unsigned int virt_domain_facts_from_stats(const virTypedParameter *params, int nparams,
                                          struct virt_domain_facts *facts); /* for tests */

/* The domain object of docs/api.md (summary form, with "title" and "description"
 * exactly as the domain's XML holds them, "" when it has none). NULL with err set on
 * failure. */
struct json_object *virt_domain_summary(virDomainPtr dom, struct app_error *err);
/* The summary plus the detail fields. */
struct json_object *virt_domain_detail(virDomainPtr dom, struct app_error *err);
/* {"domains":[summary...]} sorted by name, the same objects virt_domain_summary gives.
 * Costs four RPCs whatever the number of domains, plus one virDomainGetXMLDesc per
 * domain whose (uuid, id) is not in the traits cache, plus per-domain calls for the
 * facts the stats records leave out. */
struct json_object *virt_domain_list(virConnectPtr conn, struct app_error *err);

/* Looks a domain up by UUID string. 400 for a malformed UUID, 404 if unknown. The
 * caller frees the result with virDomainFree. */
virDomainPtr virt_domain_lookup(virConnectPtr conn, const char *uuid, struct app_error *err);
/* The error of a lookup of uuid (well formed) that no domain has: 404 "no domain with
 * UUID <uuid>". The one place that answer is written. */
void virt_domain_absent(const char *uuid, struct app_error *err);
/* virt_domain_lookup as a caller who may not see the domain (hidden) must get it: the
 * very answer of a UUID no domain has (virt_domain_absent), without asking libvirt, so
 * a domain one may not see cannot be told from one that does not exist. */
virDomainPtr virt_domain_find(virConnectPtr conn, const char *uuid, bool hidden,
                              struct app_error *err);

/* 0 when dom is a persistent domain that is shut off; else 409 conflict "domain "<name>"
 * is transient: <transient>" or "... is running or paused: <advice>". Workers only. */
int virt_domain_require_shutoff(virDomainPtr dom, const char *transient, const char *advice,
                                struct app_error *err) __attribute__((warn_unused_result));

/* Looks up a domain that must be active (running, paused or blocked), for consoles:
 * 400/404 as virt_domain_lookup, 409 "the domain is not running" otherwise. Copies its
 * name into name_out. The caller frees the result with virDomainFree. */
virDomainPtr virt_domain_lookup_active(virConnectPtr conn, const char *uuid, bool hidden,
                                       char *name_out, size_t name_len, struct app_error *err);

/* True if name is one of start, shutdown, destroy, reboot, reset, suspend, resume. */
int virt_domain_action_valid(const char *action); /* for tests */
/* Performs the action. Wrong state → 409 (checked before calling libvirt where the
 * state makes it certain, e.g. start on a running domain, resume on a non-paused one);
 * unsupported → 501. Returns 0 or -1 with err set. */
int virt_domain_act(virDomainPtr dom, const char *action, struct app_error *err)
    __attribute__((warn_unused_result));

/* Sets dom's title and/or description (NULL: left as it is; "": removed), each checked
 * first against the rule of util/utf8_name.h (UTF8_NAME_TITLE, UTF8_NAME_DESCRIPTION:
 * 400 naming the field), in the persistent definition and, while the domain runs, in
 * the running domain too (a transient domain has only that), so the summary, the detail
 * and the next start all show them. Forgets the domain's summary cache entry (the
 * metadata event forgets it again). Blocking: worker threads. Returns 0 or -1 with err. */
int virt_domain_set_metadata(virDomainPtr dom, const char *title, const char *description,
                             struct app_error *err) __attribute__((warn_unused_result));
