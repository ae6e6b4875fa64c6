// SPDX-License-Identifier: LGPL-2.1-or-later
// domains.js — what the UI knows about domains without touching the DOM: the
// actions, which of them a state and a role allow, which ones need a confirmation,
// what each says (translated when asked, so a language switch takes effect), state and
// state-reason names, name ordering and the filter rule. Pure; shared by the list and
// detail views.

import { t } from './i18n.js';

/**
 * Every action of POST /api/domains/{uuid}/{action}, in button order. label, question
 * and detail are read in the current language; ariaLabel(name), confirmTitle(name),
 * done(name) and failed(name, error) build that action's sentences about one VM.
 */
export const ACTIONS = {
    start: {
        confirm: false,
        get label() { return t('domains.action.start'); },
        ariaLabel: (name) => t('domains.action.start.aria', { name }),
        done: (name) => t('domains.action.start.done', { name }),
        failed: (name, error) => t('domains.action.start.failed', { name, error }),
    },
    resume: {
        confirm: false,
        get label() { return t('domains.action.resume'); },
        ariaLabel: (name) => t('domains.action.resume.aria', { name }),
        done: (name) => t('domains.action.resume.done', { name }),
        failed: (name, error) => t('domains.action.resume.failed', { name, error }),
    },
    shutdown: {
        confirm: true,
        get label() { return t('domains.action.shutdown'); },
        get question() { return t('domains.action.shutdown.question'); },
        get detail() { return t('domains.action.shutdown.detail'); },
        ariaLabel: (name) => t('domains.action.shutdown.aria', { name }),
        confirmTitle: (name) => t('domains.action.shutdown.confirm', { name }),
        done: (name) => t('domains.action.shutdown.done', { name }),
        failed: (name, error) => t('domains.action.shutdown.failed', { name, error }),
    },
    reboot: {
        confirm: true,
        get label() { return t('domains.action.reboot'); },
        get question() { return t('domains.action.reboot.question'); },
        get detail() { return t('domains.action.reboot.detail'); },
        ariaLabel: (name) => t('domains.action.reboot.aria', { name }),
        confirmTitle: (name) => t('domains.action.reboot.confirm', { name }),
        done: (name) => t('domains.action.reboot.done', { name }),
        failed: (name, error) => t('domains.action.reboot.failed', { name, error }),
    },
    suspend: {
        confirm: false,
        get label() { return t('domains.action.suspend'); },
        ariaLabel: (name) => t('domains.action.suspend.aria', { name }),
        done: (name) => t('domains.action.suspend.done', { name }),
        failed: (name, error) => t('domains.action.suspend.failed', { name, error }),
    },
    reset: {
        confirm: true,
        danger: true,
        get label() { return t('domains.action.reset'); },
        get question() { return t('domains.action.reset.question'); },
        get detail() { return t('domains.action.data-loss'); },
        ariaLabel: (name) => t('domains.action.reset.aria', { name }),
        confirmTitle: (name) => t('domains.action.reset.confirm', { name }),
        done: (name) => t('domains.action.reset.done', { name }),
        failed: (name, error) => t('domains.action.reset.failed', { name, error }),
    },
    destroy: {
        confirm: true,
        danger: true,
        get label() { return t('domains.action.destroy'); },
        get question() { return t('domains.action.destroy.question'); },
        get detail() { return t('domains.action.data-loss'); },
        ariaLabel: (name) => t('domains.action.destroy.aria', { name }),
        confirmTitle: (name) => t('domains.action.destroy.confirm', { name }),
        done: (name) => t('domains.action.destroy.done', { name }),
        failed: (name, error) => t('domains.action.destroy.failed', { name, error }),
    },
};

export const STATES = ['running', 'paused', 'shutoff', 'shutdown', 'crashed', 'pmsuspended',
    'blocked', 'nostate'];

const BY_STATE = {
    running: ['shutdown', 'reboot', 'suspend', 'reset', 'destroy'],
    blocked: ['shutdown', 'reboot', 'suspend', 'reset', 'destroy'],
    paused: ['resume', 'destroy'],
    shutdown: ['destroy'],
    crashed: ['reset', 'destroy'],
    pmsuspended: ['destroy'],
    shutoff: ['start'],
    nostate: [],
};

/**
 * The one table of state words: a domain state's name in the current language (an
 * unknown state as it came). Besides libvirt's states, two the UI itself knows:
 * 'gone' (the VM no longer exists) and 'unknown' (the server or libvirt cannot be
 * reached, so the last state seen may be stale).
 */
export function stateLabel(state) {
    switch (state) {
    case 'gone': return t('domains.state.gone');
    case 'unknown': return t('domains.state.unknown');
    case 'running': return t('domains.state.running');
    case 'paused': return t('domains.state.paused');
    case 'shutoff': return t('domains.state.shutoff');
    case 'shutdown': return t('domains.state.shutdown');
    case 'crashed': return t('domains.state.crashed');
    case 'pmsuspended': return t('domains.state.pmsuspended');
    case 'blocked': return t('domains.state.blocked');
    case 'nostate': case undefined: case null: case '': return t('domains.state.nostate');
    default: return String(state);
    }
}

/** libvirt's state reason (docs/api.md `reason`) in the current language; unknown ones as they came. */
export function reasonLabel(reason) {
    switch (reason) {
    case 'unknown': return t('domains.reason.unknown');
    case 'booted': return t('domains.reason.booted');
    case 'migrated': return t('domains.reason.migrated');
    case 'restored': return t('domains.reason.restored');
    case 'from_snapshot': return t('domains.reason.from_snapshot');
    case 'unpaused': return t('domains.reason.unpaused');
    case 'migration_canceled': return t('domains.reason.migration_canceled');
    case 'save_canceled': return t('domains.reason.save_canceled');
    case 'wakeup': return t('domains.reason.wakeup');
    case 'crashed': return t('domains.reason.crashed');
    case 'postcopy': return t('domains.reason.postcopy');
    case 'postcopy_failed': return t('domains.reason.postcopy_failed');
    case 'user': return t('domains.reason.user');
    case 'migration': return t('domains.reason.migration');
    case 'save': return t('domains.reason.save');
    case 'dump': return t('domains.reason.dump');
    case 'ioerror': return t('domains.reason.ioerror');
    case 'watchdog': return t('domains.reason.watchdog');
    case 'shutting_down': return t('domains.reason.shutting_down');
    case 'snapshot': return t('domains.reason.snapshot');
    case 'starting_up': return t('domains.reason.starting_up');
    case 'shutdown': return t('domains.reason.shutdown');
    case 'destroyed': return t('domains.reason.destroyed');
    case 'failed': return t('domains.reason.failed');
    case 'saved': return t('domains.reason.saved');
    case 'daemon': return t('domains.reason.daemon');
    case 'panicked': return t('domains.reason.panicked');
    default: return reason ? String(reason) : '';
    }
}

/** The reason worth showing next to a state: "" when there is none or libvirt does not know it. */
export function shownReason(reason) {
    return reason && reason !== 'unknown' ? reasonLabel(reason) : '';
}

/** "running (booted)": a state with its reason (if worth showing), in the current language. */
export function stateWithReason(state, reason) {
    const why = shownReason(reason);
    return why ? t('domains.state.with-reason', { state: stateLabel(state), reason: why }) : stateLabel(state);
}

/**
 * True if the role may act on domains: operator, admin, or the acting role of one VM
 * (actingRole) that may start and stop it (owner, operate).
 */
export function canAct(role) {
    return role === 'admin' || role === 'operator' || role === 'owner' || role === 'operate';
}

/** True if the (acting) role may delete, clone, mark as template or rename a VM. */
export function canManageVm(role) {
    return role === 'admin' || role === 'operator' || role === 'owner';
}

/** True if the (acting) role may open a VM's consoles. */
export function canConsole(role) {
    return canAct(role) || role === 'console';
}

/** True if the (acting) role may change who a VM is shared with (docs/api.md: its owner, an admin). */
export function canShare(role) {
    return role === 'admin' || role === 'owner';
}

const ACCESS = ['view', 'console', 'operate', 'owner', 'admin'];

/**
 * What session holds on one VM (docs/api.md "access"): the server's "access" when the
 * VM came with one (the detail, GET /api/domains, a user's events snapshot), else what
 * the role and the owner say (admin; an operator's own VM or any; a viewer reads).
 */
export function vmAccess(domain, session) {
    if (ACCESS.includes(domain?.access)) return domain.access;
    const role = session?.role;
    const mine = !!domain?.owner && domain.owner === session?.username;
    if (role === 'admin') return 'admin';
    if (role === 'operator') return mine ? 'owner' : 'operate';
    if (role === 'user') return mine ? 'owner' : 'view';
    return 'view';
}

/**
 * The role whose controls one VM shows to session: admin and operator act as their role
 * (docs/api.md: an operator runs every VM); a `user` as its level on that VM (owner,
 * operate, console; a VM it may only see: viewer); a viewer as a viewer.
 */
export function actingRole(domain, session) {
    const role = session?.role;
    if (role === 'admin' || role === 'operator' || role !== 'user') return role || 'viewer';
    const access = vmAccess(domain, session);
    return access === 'owner' || access === 'operate' || access === 'console' ? access : 'viewer';
}

/**
 * True if the role may create VMs: operators and admins from anything, a `user` from what
 * an admin approved for self-service (docs/api.md "Self-service").
 */
export function canCreate(role) {
    return canAct(role) || role === 'user';
}

/** True if the role creates only from the self-service set (the wizard offers only it). */
export function selfServiceOnly(role) {
    return role === 'user';
}

/** Action names available for a domain state and a session role, in button order. */
export function actionsFor(state, role) {
    if (!canAct(role)) return [];
    return BY_STATE[state] ? [...BY_STATE[state]] : [];
}

/** The one action a row shows for a state (the most likely one; never a destructive one). */
const PRIMARY = { running: 'shutdown', blocked: 'shutdown', paused: 'resume', shutoff: 'start' };

/**
 * How a state's actions are laid out: {primary: the row's one button or null, more: the
 * rest, in button order, for the "More actions" menu}.
 */
export function actionLayout(state, role) {
    const names = actionsFor(state, role);
    const primary = Object.hasOwn(PRIMARY, state) && names.includes(PRIMARY[state]) ? PRIMARY[state] : null;
    return { primary, more: names.filter((n) => n !== primary) };
}

/**
 * Delete (DELETE /api/domains/{uuid}): offered, last in "More actions", to operators and
 * admins for a persistent VM (a transient one vanishes when it stops). Its sentences are
 * read in the current language like ACTIONS'.
 */
export const DELETE_ACTION = {
    danger: true,
    get label() { return t('domains.delete'); },
    ariaLabel: (name) => t('domains.delete.aria', { name }),
};

/** True if the VM's "More actions" menu has Delete for this role. */
export function deleteOffered(domain, role) {
    return canManageVm(role) && !!domain && domain.persistent !== false;
}

/** Why Delete is disabled for a VM in this state ("" when it is not: shut off). */
export function deleteBlockedReason(state) {
    return state === 'shutoff' ? '' : t('domains.delete.blocked');
}

/** True while a domain has a running guest (stats are meaningful). */
export function isActive(state) {
    return state !== 'shutoff' && state !== 'nostate' && state !== undefined &&
        state !== 'gone' && state !== 'unknown';
}

/**
 * A CPU figure for a running domain's stats entry: {percent} when the server gave one,
 * {none: true} when it has not (no sample yet, or a driver that reports no CPU time:
 * cpu_percent null), so the views say so in words instead of drawing 0 %.
 */
export function cpuFigure(stats) {
    return stats && Number.isFinite(stats.cpu_percent) ? { percent: stats.cpu_percent } : { none: true };
}

/**
 * A memory figure for a running domain's stats entry and its memory (KiB):
 * {used, total, fraction} when the guest reports what it uses; otherwise
 * {none: true, resident} (resident: the host memory the VM's process holds, KiB, or
 * null), so the views say the guest does not report its use instead of showing the
 * allocation as if all of it were in use. {none: true, noSample: true} before a sample.
 */
export function memoryFigure(stats, totalKiB) {
    if (!stats) return { none: true, noSample: true, resident: null };
    const used = stats.memory_used_kib;
    if (Number.isFinite(used) && Number.isFinite(totalKiB) && totalKiB > 0) {
        return { used, total: totalKiB, fraction: Math.min(1, used / totalKiB) };
    }
    const resident = Number.isFinite(stats.memory_resident_kib) ? stats.memory_resident_kib : null;
    return { none: true, resident };
}

/** Badge tone for a state: "ok", "warn", "off" or "bad". */
export function stateTone(state) {
    switch (state) {
    case 'running':
    case 'blocked':
        return 'ok';
    case 'paused':
    case 'pmsuspended':
    case 'shutdown':
        return 'warn';
    case 'crashed':
        return 'bad';
    default:
        return 'off';
    }
}

/** Orders by name like the server (code point order), then by uuid. */
export function compareDomains(a, b) {
    if (a.name !== b.name) return a.name < b.name ? -1 : 1;
    if (a.uuid === b.uuid) return 0;
    return a.uuid < b.uuid ? -1 : 1;
}

/**
 * The filter rule: every word of text must match the domain's name (substring,
 * any case), its state (prefix of the API's name, or part of its name in the current
 * language) or, written "state:x", its state exactly (either name).
 * stateFilter ("" = all) must equal the state; "other" means any state that is not
 * running, paused or shutoff.
 */
export function matchesFilter(domain, text = '', stateFilter = '') {
    if (stateFilter) {
        if (stateFilter === 'other') {
            if (['running', 'paused', 'shutoff'].includes(domain.state)) return false;
        } else if (domain.state !== stateFilter) {
            return false;
        }
    }
    const words = text.toLowerCase().split(/\s+/).filter(Boolean);
    const name = String(domain.name ?? '').toLowerCase();
    const state = String(domain.state ?? '');
    const label = stateLabel(domain.state).toLowerCase();
    return words.every((w) => {
        if (w.startsWith('state:')) return state === w.slice(6) || label === w.slice(6);
        return name.includes(w) || state.startsWith(w) || label.includes(w);
    });
}

/**
 * Which consoles a domain offers to someone who may use them: the VNC display while it
 * runs (or is paused) with a VNC display, the serial console while it runs.
 */
export function consolesAvailable(domain) {
    const running = !!domain && isActive(domain.state);
    return { vnc: running && domain.has_vnc === true, serial: running };
}
