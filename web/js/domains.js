// domains.js — what the UI knows about domains without touching the DOM: the
// actions, which of them a state and a role allow, which ones need a confirmation,
// name ordering and the filter rule. Pure; shared by the list and detail views.

/** Every action of POST /api/domains/{uuid}/{action}, in button order. */
export const ACTIONS = {
    start: { label: 'Start', verb: 'start', done: 'starting', confirm: false },
    resume: { label: 'Resume', verb: 'resume', done: 'resumed', confirm: false },
    shutdown: {
        label: 'Shut down', verb: 'shut down', done: 'shutting down', confirm: true,
        question: 'Ask the guest operating system to shut down?',
        detail: 'The guest may take a while, or ignore the request.',
    },
    reboot: {
        label: 'Reboot', verb: 'reboot', done: 'rebooting', confirm: true,
        question: 'Ask the guest operating system to reboot?',
        detail: 'Running programs in the guest will be stopped.',
    },
    suspend: { label: 'Pause', verb: 'pause', done: 'paused', confirm: false },
    reset: {
        label: 'Reset', verb: 'reset', done: 'reset', confirm: true, danger: true,
        question: 'Reset the virtual machine like pressing its reset button?',
        detail: 'Unsaved data in the guest will be lost.',
    },
    destroy: {
        label: 'Force off', verb: 'force off', done: 'forced off', confirm: true, danger: true,
        question: 'Turn the virtual machine off immediately, like pulling the plug?',
        detail: 'Unsaved data in the guest will be lost.',
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

/** True if the role may act on domains (operator, admin). */
export function canAct(role) {
    return role === 'admin' || role === 'operator';
}

/** Action names available for a domain state and a session role, in button order. */
export function actionsFor(state, role) {
    if (!canAct(role)) return [];
    return BY_STATE[state] ? [...BY_STATE[state]] : [];
}

/** True while a domain has a running guest (stats are meaningful). */
export function isActive(state) {
    return state !== 'shutoff' && state !== 'nostate' && state !== undefined;
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
 * any case), its state (prefix) or, written "state:x", its state exactly.
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
    return words.every((w) => {
        if (w.startsWith('state:')) return state === w.slice(6);
        return name.includes(w) || state.startsWith(w);
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
