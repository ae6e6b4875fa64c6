/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* alerts_eval: the alert state machine. For each (rule, subject) it keeps since when the
 * condition holds (pending) and whether it fires; given a sample, a domain event or the
 * libvirt connection's state and the time `now`, it decides the transitions: a condition
 * true for at least for_seconds fires (one transition), false again resolves (one
 * transition). A VM or pool that vanished from the sample resolves its alerts; so do a
 * deleted or disabled rule's. Event rules (vm_crashed, vm_stopped_unexpectedly) fire once
 * per stop and resolve when the VM starts again (or is undefined).
 *
 * Pure: no I/O, no clock of its own (the caller passes now, tests a test clock), no lock:
 * the caller serialises (alerts.c holds its lock around every call). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alerts/alerts_rule.h"

struct metrics_sample;
struct metrics_domain;

/* What a domain lifecycle event means to the event rules. */
enum alerts_vm_event {
    ALERTS_VM_EVENT_NONE = 0,   /* nothing for alerts (a pause, a shutdown the guest did) */
    ALERTS_VM_EVENT_CRASHED,    /* vm_crashed and vm_stopped_unexpectedly */
    ALERTS_VM_EVENT_UNEXPECTED, /* vm_stopped_unexpectedly */
    ALERTS_VM_EVENT_STARTED,    /* resolves the VM's event alerts */
    ALERTS_VM_EVENT_GONE,       /* undefined: resolves them too */
};

struct alerts_eval_entry {
    char rule_id[ALERTS_ID_MAX + 1];
    char subject[ALERTS_SCOPE_MAX + 1];
    int64_t pending_since_ms; /* the condition holds since; 0: it does not */
    bool firing;
    int64_t fired_at_ms;
    int64_t event_id; /* the store's row of the firing (alerts_eval_set_event_id), 0 unknown */
    double value;     /* the last value seen (NAN: none) */
    bool seen;        /* scratch: met in the current sample */
};

struct alerts_eval {
    struct alerts_eval_entry *entries; /* owned */
    size_t count, cap;
    bool libvirt_down;
    int64_t down_since_ms;
};

struct alerts_transition {
    char rule_id[ALERTS_ID_MAX + 1];
    char subject[ALERTS_SCOPE_MAX + 1];
    bool firing;   /* true: fired; false: resolved */
    double value;  /* the value that fired it / the last one (NAN: none) */
    int64_t at_ms; /* when */
    int64_t fired_at_ms;
    int64_t event_id; /* resolved: the firing's row (0 unknown) */
};

struct alerts_transitions {
    struct alerts_transition *items; /* owned */
    size_t count, cap;
};

void alerts_eval_init(struct alerts_eval *ev);
void alerts_eval_clear(struct alerts_eval *ev);
void alerts_transitions_clear(struct alerts_transitions *out);

/* The figure a threshold metric reads for a VM (NAN: none, e.g. no balloon figure). */
double alerts_eval_vm_value(enum alerts_metric metric, const struct metrics_domain *dom);

/* One pass of the threshold rules over sample (NULL: no new sample, only the
 * libvirt_unreachable rules run) and the libvirt_unreachable rules, at now_ms.
 * Also resolves entries whose rule is gone or disabled. Appends to out. */
void alerts_eval_run(struct alerts_eval *ev, const struct alerts_rule *rules, size_t nrules,
                     const struct metrics_sample *sample, int64_t now_ms,
                     struct alerts_transitions *out);

/* The libvirt connection came up or went down at now_ms (evaluated at the next run). */
void alerts_eval_host_state(struct alerts_eval *ev, bool connected, int64_t now_ms);

/* A domain event (as classified by alerts_eval_classify) for uuid at now_ms. */
void alerts_eval_vm_event(struct alerts_eval *ev, const struct alerts_rule *rules, size_t nrules,
                          const char *uuid, enum alerts_vm_event kind, int64_t now_ms,
                          struct alerts_transitions *out);

/* What a VIR_DOMAIN_EVENT_* (event, detail) means; expected: virtdeck itself asked
 * this VM to stop within the last seconds (a stop, force-off, reboot or delete route).
 * A STOPPED_SHUTDOWN is expected (the guest or someone through virtdeck shut it down);
 * a STOPPED_CRASHED is a crash; a STOPPED_FAILED, or a STOPPED_DESTROYED nobody asked
 * virtdeck for (virsh destroy, a killed qemu), is unexpected. */
enum alerts_vm_event alerts_eval_classify(int event, int detail, bool expected);

/* A firing alert restored from the store at start-up (so it resolves, not fires again). */
void alerts_eval_restore(struct alerts_eval *ev, const char *rule_id, const char *subject,
                         int64_t event_id, int64_t fired_at_ms);
/* The store's row of the firing of (rule_id, subject). */
void alerts_eval_set_event_id(struct alerts_eval *ev, const char *rule_id, const char *subject,
                              int64_t event_id);
/* Number of (rule, subject) pairs that fire now. */
size_t alerts_eval_firing_count(const struct alerts_eval *ev);
