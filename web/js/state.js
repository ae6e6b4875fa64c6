// SPDX-License-Identifier: LGPL-2.1-or-later
// state.js — the one store of the UI: session, host, domains by uuid, the detail
// form of domains that were opened, CPU history per domain, the websocket's state
// and which domains have an action in flight. Pure (no DOM); main thread only.
//
// Every mutation ends in at most one "changed" notification describing exactly what
// moved, so a view can patch one row instead of rebuilding a table:
//   { domains: [uuid...]  added or updated,   removed: [uuid...],
//     stats: [uuid...]    new samples,         events: {uuid: "started", ...},
//     host, connection, session: booleans,
//     resources: [{type: "network"|"pool", name, event}]  host networks or pools changed,
//     reset: true when views should re-read everything (first full list, or cleared) }

import { Emitter } from './emitter.js';
import { compareDomains, isActive } from './domains.js';

/** A fixed-size ring of numbers; values() returns them oldest first. */
export class Ring {
    #buf;
    #start = 0;
    #len = 0;

    constructor(capacity) {
        if (!(capacity > 0)) throw new RangeError('capacity must be positive');
        this.#buf = new Array(capacity);
    }

    get capacity() { return this.#buf.length; }
    get length() { return this.#len; }

    push(v) {
        const cap = this.#buf.length;
        if (this.#len < cap) {
            this.#buf[(this.#start + this.#len) % cap] = v;
            this.#len++;
        } else {
            this.#buf[this.#start] = v;
            this.#start = (this.#start + 1) % cap;
        }
    }

    values() {
        const out = new Array(this.#len);
        for (let i = 0; i < this.#len; i++) out[i] = this.#buf[(this.#start + i) % this.#buf.length];
        return out;
    }

    last() {
        return this.#len ? this.#buf[(this.#start + this.#len - 1) % this.#buf.length] : undefined;
    }
}

function emptyChange() {
    return {
        domains: [], removed: [], stats: [], events: {}, resources: [], jobs: [],
        host: false, connection: false, session: false, reset: false,
    };
}

function isEmpty(c) {
    return !c.domains.length && !c.removed.length && !c.stats.length && !c.resources.length && !c.jobs.length && !c.host &&
        !c.connection && !c.session && !c.reset;
}

function shallowEqual(a, b) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.is(a[k], b[k]));
}

/** Fields of the list form of a domain object (the detail form adds more). */
const BASE_FIELDS = ['uuid', 'name', 'state', 'reason', 'persistent', 'autostart', 'vcpus',
    'memory_kib', 'max_memory_kib', 'os_type', 'has_vnc', 'title', 'template', 'owner', 'access'];

function baseOf(obj) {
    const out = {};
    for (const k of BASE_FIELDS) if (k in obj) out[k] = obj[k];
    return out;
}

/** Samples kept per domain: about 5 minutes at the 2 s stats interval. */
export const HISTORY_CAPACITY = 150;

export class Store extends Emitter {
    constructor({ historyCapacity = HISTORY_CAPACITY } = {}) {
        super();
        this.historyCapacity = historyCapacity;
        this.session = null;        // {username, role, csrf_token, expires_at} or null
        this.sessionEndReason = ''; // "logout" | "expired" | "" once the session is gone
        this.host = null;           // GET /api/host object
        this.hostError = null;      // why the last GET /api/host failed ({code, message}; null = it did not)
        this.hostConnected = null;  // libvirt connection: true / false / null = unknown
        this.hostLoad = null;       // {cpu_percent, free_memory_kib} from the stats (null: none yet)
        this.lastStats = null;      // the newest stats message as sent: {at_ms, host, domains} (the graphs' live tail, top-N)
        this.connection = { state: 'idle', retryInMs: 0, attempt: 0 }; // the events socket
        this.domains = new Map();   // uuid -> list-form domain object
        this.domainsLoaded = false; // a full list (the events snapshot) arrived
        this.details = new Map();   // uuid -> detail-form object (only for opened domains)
        this.pending = new Map();   // uuid -> action name in flight
        this.jobs = new Map();      // job id -> job (docs/api.md "Jobs"), as the events tell it
        this.#stats = new Map();
        this.#sorted = null;
    }

    #stats;  // uuid -> {latest: stats entry, cpu: Ring}
    #sorted; // cached uuids sorted by name, null when stale

    #emit(change) {
        if (!isEmpty(change)) this.emit('changed', change);
    }

    // ---- session, host, connection ------------------------------------------

    setSession(session) {
        this.session = session ? { ...session } : null;
        if (session) this.sessionEndReason = '';
        const c = emptyChange();
        c.session = true;
        this.#emit(c);
    }

    /** Forgets the session and every piece of data that came with it. */
    endSession(reason = 'logout') {
        this.session = null;
        this.sessionEndReason = reason;
        this.host = null;
        this.hostError = null;
        this.hostConnected = null;
        this.hostLoad = null;
        this.lastStats = null;
        this.domains.clear();
        this.domainsLoaded = false;
        this.details.clear();
        this.pending.clear();
        this.jobs.clear();
        this.#stats.clear();
        this.#sorted = null;
        const c = emptyChange();
        c.session = true;
        c.reset = true;
        c.host = true;
        this.#emit(c);
    }

    setHost(host) {
        this.host = host ? { ...host } : null;
        this.hostError = null;
        if (host && typeof host.connected === 'boolean') this.hostConnected = host.connected;
        const c = emptyChange();
        c.host = true;
        this.#emit(c);
    }

    /**
     * Records why the host could not be read: the error (an ApiError: its code, which
     * views translate, and its message). The last good host object is kept.
     */
    setHostError(error) {
        const code = error && typeof error.code === 'string' ? error.code : 'unknown';
        const message = error && typeof error.message === 'string' ? error.message : '';
        this.hostError = { code, message, status: error?.status ?? 0 };
        const c = emptyChange();
        c.host = true;
        this.#emit(c);
    }

    setHostConnected(connected) {
        if (this.hostConnected === connected) return;
        this.hostConnected = connected;
        if (this.host) this.host.connected = connected;
        const c = emptyChange();
        c.host = true;
        this.#emit(c);
    }

    /** The host's figures from a stats message: {cpu_percent, free_memory_kib}, each a number or null. */
    setHostLoad(load) {
        const num = (v) => (Number.isFinite(v) ? v : null);
        this.hostLoad = { cpu_percent: num(load.cpu_percent), free_memory_kib: num(load.free_memory_kib) };
        const c = emptyChange();
        c.host = true;
        this.#emit(c);
    }

    /** state: "idle" | "connecting" | "open" | "closed"; info: {retryInMs, attempt, code}. */
    setConnection(state, info = {}) {
        this.connection = { state, retryInMs: info.retryInMs ?? 0, attempt: info.attempt ?? 0,
            code: info.code, since: info.since ?? Date.now() };
        const c = emptyChange();
        c.connection = true;
        this.#emit(c);
    }

    /**
     * Why the states on screen cannot be trusted now: 'host' (libvirt's connection is
     * lost), 'server' (the events socket is down or reconnecting after the list came),
     * '' while live data flows (or before anything was shown).
     */
    unreachable() {
        if (!this.session) return '';
        if (this.hostConnected === false) return 'host';
        if (this.domainsLoaded && this.connection.state !== 'open') return 'server';
        return '';
    }

    /** The state to show for a domain: 'unknown' while unreachable(), else its own. */
    shownState(domain) {
        return this.unreachable() ? 'unknown' : domain?.state;
    }

    // ---- domains ----------------------------------------------------------

    #put(obj, c, event) {
        if (!obj || typeof obj.uuid !== 'string') return;
        const uuid = obj.uuid;
        const old = this.domains.get(uuid);
        const next = old ? { ...old, ...baseOf(obj) } : baseOf(obj);
        if (old && old.name !== next.name) this.#sorted = null;
        if (!old) this.#sorted = null;
        if (old && isActive(old.state) && !isActive(next.state)) {
            if (this.#stats.delete(uuid)) c.stats.push(uuid);
        }
        const detail = this.details.get(uuid);
        if (detail) {
            const merged = { ...detail, ...obj };
            this.details.set(uuid, merged);
        }
        if (event) c.events[uuid] = event;
        if (old && shallowEqual(old, next) && !event && !detail) return;
        this.domains.set(uuid, next);
        c.domains.push(uuid);
    }

    #drop(uuid, c, event) {
        if (!this.domains.has(uuid)) return;
        this.domains.delete(uuid);
        this.details.delete(uuid);
        this.pending.delete(uuid);
        this.#stats.delete(uuid);
        this.#sorted = null;
        c.removed.push(uuid);
        if (event) c.events[uuid] = event;
    }

    /** Replaces the whole set (the websocket snapshot), as a diff. */
    setDomains(list) {
        const c = emptyChange();
        if (!this.domainsLoaded) {
            this.domainsLoaded = true;
            c.reset = true;
        }
        const seen = new Set();
        for (const d of list || []) {
            if (!d || typeof d.uuid !== 'string') continue;
            seen.add(d.uuid);
            this.#put(d, c);
        }
        for (const uuid of [...this.domains.keys()]) if (!seen.has(uuid)) this.#drop(uuid, c);
        this.#emit(c);
    }

    /** Adds or updates one domain (an event, or an action's answer in detail form). */
    applyDomain(obj, event) {
        const c = emptyChange();
        this.#put(obj, c, event);
        this.#emit(c);
    }

    removeDomain(uuid, event = 'undefined') {
        const c = emptyChange();
        this.#drop(uuid, c, event);
        this.#emit(c);
    }

    /** Stores GET /api/domains/{uuid} and updates the list form from it. */
    setDetail(detail) {
        if (!detail || typeof detail.uuid !== 'string') return;
        this.details.set(detail.uuid, { ...detail });
        const c = emptyChange();
        this.#put(detail, c);
        if (!c.domains.includes(detail.uuid)) c.domains.push(detail.uuid);
        this.#emit(c);
    }

    /** Marks an action in flight for a domain (null clears it). */
    setPending(uuid, action) {
        if (action) this.pending.set(uuid, action);
        else if (!this.pending.delete(uuid)) return;
        const c = emptyChange();
        c.domains.push(uuid);
        this.#emit(c);
    }

    /** Uuids ordered by name (cached until a domain is added, removed or renamed). */
    sortedUuids() {
        if (!this.#sorted) {
            this.#sorted = [...this.domains.values()].sort(compareDomains).map((d) => d.uuid);
        }
        return this.#sorted;
    }

    /** {total, running, paused, shutoff, other}. */
    counts() {
        const out = { total: 0, running: 0, paused: 0, shutoff: 0, other: 0 };
        for (const d of this.domains.values()) {
            out.total++;
            if (d.state === 'running' || d.state === 'paused' || d.state === 'shutoff') out[d.state]++;
            else out.other++;
        }
        return out;
    }

    // ---- stats --------------------------------------------------------------

    applyStats(entries) {
        const c = emptyChange();
        for (const e of entries || []) {
            if (!e || typeof e.uuid !== 'string' || !this.domains.has(e.uuid)) continue;
            let s = this.#stats.get(e.uuid);
            if (!s) {
                s = { latest: null, cpu: new Ring(this.historyCapacity) };
                this.#stats.set(e.uuid, s);
            }
            s.latest = { ...e };
            // No figure (cpu_percent null) is not 0 %: the history gets nothing.
            if (Number.isFinite(e.cpu_percent)) s.cpu.push(e.cpu_percent);
            c.stats.push(e.uuid);
        }
        this.#emit(c);
    }

    /** The newest stats entry of a domain, or null. */
    latestStats(uuid) {
        const s = this.#stats.get(uuid);
        return s ? s.latest : null;
    }

    /** CPU % samples of a domain, oldest first (empty when none). */
    cpuHistory(uuid) {
        const s = this.#stats.get(uuid);
        return s ? s.cpu.values() : [];
    }

    /**
     * A job's newest state (a 202 answer's job or a "job" message). A job that ended
     * done with a domain in its result puts that domain into the list at once.
     */
    applyJob(job) {
        if (!job || typeof job.id !== 'string') return;
        // The events socket may tell a job's progress, even its end, before the 202
        // that started it is read: an older state never replaces a newer one.
        const known = this.jobs.get(job.id);
        if (known && (known.state !== 'running' || (job.state === 'running' && job.bytes_done < known.bytes_done) ||
            job.phase === 'queued')) return;
        const c = emptyChange();
        this.jobs.set(job.id, job);
        c.jobs.push(job.id);
        this.#emit(c);
        if (job.state === 'done' && job.result && job.result.domain && typeof job.result.domain.uuid === 'string') {
            this.applyDomain(job.result.domain, 'defined');
        }
    }

    // ---- websocket messages ---------------------------------------------

    /** Applies one /api/events message. Returns false for a message it does not know. */
    applyMessage(msg) {
        if (!msg || typeof msg !== 'object') return false;
        switch (msg.type) {
        case 'snapshot':
            this.setDomains(Array.isArray(msg.domains) ? msg.domains : []);
            return true;
        case 'domain':
            if (!msg.domain || typeof msg.domain.uuid !== 'string') return false;
            if (msg.event === 'undefined') this.removeDomain(msg.domain.uuid, 'undefined');
            else this.applyDomain(msg.domain, msg.event || 'changed');
            return true;
        case 'stats':
            // interval_ms 0 is the server's first sample: no rates or CPU % yet.
            if (msg.interval_ms === 0) return true;
            // at_ms: when the server took it (older servers: when it came)
            this.lastStats = {
                at_ms: Number.isFinite(msg.at_ms) ? msg.at_ms : Date.now(),
                host: msg.host && typeof msg.host === 'object' ? msg.host : null,
                domains: Array.isArray(msg.domains) ? msg.domains : [],
            };
            if (msg.host && typeof msg.host === 'object') this.setHostLoad(msg.host);
            this.applyStats(Array.isArray(msg.domains) ? msg.domains : []);
            return true;
        case 'host':
            if (msg.state !== 'connected' && msg.state !== 'disconnected') return false;
            this.setHostConnected(msg.state === 'connected');
            return true;
        case 'network':
        case 'pool': {
            if (typeof msg.name !== 'string' || typeof msg.event !== 'string') return false;
            const c = emptyChange();
            c.resources.push({ type: msg.type, name: msg.name, event: msg.event });
            this.#emit(c);
            return true;
        }
        case 'job':
            if (!msg.job || typeof msg.job.id !== 'string') return false;
            this.applyJob(msg.job);
            return true;
        case 'session':
            if (msg.state !== 'expired') return false;
            if (this.session) this.endSession('expired');
            return true;
        default:
            return false;
        }
    }
}
