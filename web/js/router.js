// SPDX-License-Identifier: LGPL-2.1-or-later
// router.js — every hash route of the single page. Pure: parses and builds hashes only.
//   #/ (or nothing)            the domain list
//   #/create                   the "Create VM" wizard
//   #/domains/<uuid>           one domain's detail (its Overview tab)
//   #/domains/<uuid>/tab/<tab> the detail with another tab chosen (monitoring, disks, nics,
//                              snapshots, config, console, serial); under "/tab/" because
//                              "/console" and "/serial" alone are the full-page consoles
//                              below
//   #/domains/<uuid>/console   its VNC console on a page of its own
//   #/domains/<uuid>/serial    its serial console on a page of its own
//   #/networks                 the virtual networks
//   #/storage                  the storage pools
//   #/storage/<pool>           one pool's volumes (and uploads)
//   #/tokens                   the signed-in user's API tokens (user menu)
//   #/users                    the users (admins; user menu)
//   #/alerts                   the alert rules (admins; user menu)
//   #/account                  my account: password, TOTP, my sessions (user menu)
//   #/audit[?vm=…&user=…]      the audit log (the rows the caller may read), its filters after "?"
//                              (audit-query.js)
// The networks and storage routes accept one trailing "/"; the domain routes do not.

const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

/** True for a libvirt UUID string (with or without dashes). */
export function isUuid(text) {
    return typeof text === 'string' && UUID_RE.test(text);
}

/** Pages below a domain's detail: path segment -> view name. */
const SUB_VIEWS = { console: 'console', serial: 'serial' };

/** The detail page's tabs, as named in the hash. */
export const DETAIL_TABS = ['overview', 'monitoring', 'console', 'serial', 'disks', 'nics', 'snapshots', 'config', 'xml', 'history'];

/** decodeURIComponent, or null for a malformed escape. */
function decode(part) {
    try {
        return decodeURIComponent(part);
    } catch {
        return null;
    }
}

/** "/networks", "/storage[/<pool>]" (one trailing "/" allowed) -> route, else null. */
function resourceRoute(path) {
    const p = path.endsWith('/') && path.length > 1 ? path.slice(0, -1) : path;
    if (p === '/create') return { view: 'create' };
    if (p === '/networks') return { view: 'networks' };
    if (p === '/storage') return { view: 'storage' };
    if (p === '/tokens') return { view: 'tokens' };
    if (p === '/users') return { view: 'users' };
    if (p === '/alerts') return { view: 'alert-rules' };
    if (p === '/account') return { view: 'account' };
    const parts = p.split('/');
    if (parts.length === 3 && parts[0] === '' && parts[1] === 'storage' && parts[2]) {
        const pool = decode(parts[2]);
        if (pool && !pool.includes('/')) return { view: 'pool', pool };
    }
    return null;
}

/** "/domains/<uuid>[/console|/serial|/tab/<tab>]" -> route, else null. */
function domainRoute(path) {
    const parts = path.split('/');
    if (parts.length < 3 || parts.length > 5 || parts[0] !== '' || parts[1] !== 'domains') return null;
    const id = decode(parts[2]);
    if (id === null || !isUuid(id)) return null;
    const uuid = id.toLowerCase();
    if (parts.length === 3) return { view: 'detail', uuid, tab: 'overview' };
    if (parts.length === 4) return Object.hasOwn(SUB_VIEWS, parts[3]) ? { view: SUB_VIEWS[parts[3]], uuid } : null;
    return parts[3] === 'tab' && DETAIL_TABS.includes(parts[4]) ? { view: 'detail', uuid, tab: parts[4] } : null;
}

/**
 * location.hash -> {view: "list"} | {view: "detail", uuid, tab} | {view: "console" | "serial", uuid} |
 * {view: "create"} | {view: "networks"} | {view: "storage"} | {view: "pool", pool} | {view: "tokens"} | {view: "users"} |
 * {view: "account"} |
 * {view: "audit", query} (query: what follows "?", "" if nothing) | {view: "notfound", path}.
 */
export function parseHash(hash) {
    let path = String(hash ?? '');
    if (path.startsWith('#')) path = path.slice(1);
    if (path === '' || path === '/') return { view: 'list' };
    if (path === '/audit' || path.startsWith('/audit?')) return { view: 'audit', query: path.slice('/audit?'.length) };
    return resourceRoute(path) || domainRoute(path) || { view: 'notfound', path };
}

export function listHash() {
    return '#/';
}

/** A domain's detail page; tab: one of DETAIL_TABS (Overview when left out). */
export function domainHash(uuid, tab = 'overview') {
    const base = `#/domains/${encodeURIComponent(uuid)}`;
    return tab === 'overview' ? base : `${base}/tab/${encodeURIComponent(tab)}`;
}

/** The VNC console page of a domain. */
export function consoleHash(uuid) {
    return `${domainHash(uuid)}/console`;
}

/** The serial console page of a domain. */
export function serialHash(uuid) {
    return `${domainHash(uuid)}/serial`;
}

/** The "Create VM" wizard. */
export function createHash() {
    return '#/create';
}

export function networksHash() {
    return '#/networks';
}

export function storageHash() {
    return '#/storage';
}

export function poolHash(pool) {
    return `#/storage/${encodeURIComponent(pool)}`;
}

export function tokensHash() {
    return '#/tokens';
}

export function alertRulesHash() {
    return '#/alerts';
}

export function usersHash() {
    return '#/users';
}

export function accountHash() {
    return '#/account';
}
