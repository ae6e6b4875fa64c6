// router.js — hash routes of the single page. Pure: parses and builds hashes only.
//   #/ (or nothing)        the domain list
//   #/domains/<uuid>        one domain's detail
//   #/domains/<uuid>/console  its VNC console on a page of its own
//   #/domains/<uuid>/serial   its serial console on a page of its own

const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

/** True for a libvirt UUID string (with or without dashes). */
export function isUuid(text) {
    return typeof text === 'string' && UUID_RE.test(text);
}

/** Pages below a domain's detail: path segment -> view name. */
const SUB_VIEWS = { console: 'console', serial: 'serial' };

/**
 * location.hash -> {view: "list"} | {view: "detail" | "console" | "serial", uuid} |
 * {view: "notfound", path}.
 */
export function parseHash(hash) {
    let path = String(hash ?? '');
    if (path.startsWith('#')) path = path.slice(1);
    if (path === '' || path === '/') return { view: 'list' };
    const parts = path.split('/');
    if ((parts.length === 3 || parts.length === 4) && parts[0] === '' && parts[1] === 'domains') {
        let id;
        try {
            id = decodeURIComponent(parts[2]);
        } catch {
            return { view: 'notfound', path };
        }
        const view = parts.length === 3 ? 'detail' : Object.hasOwn(SUB_VIEWS, parts[3]) ? SUB_VIEWS[parts[3]] : null;
        if (view && isUuid(id)) return { view, uuid: id.toLowerCase() };
    }
    return { view: 'notfound', path };
}

export function listHash() {
    return '#/';
}

export function domainHash(uuid) {
    return `#/domains/${encodeURIComponent(uuid)}`;
}

/** The VNC console page of a domain. */
export function consoleHash(uuid) {
    return `${domainHash(uuid)}/console`;
}

/** The serial console page of a domain. */
export function serialHash(uuid) {
    return `${domainHash(uuid)}/serial`;
}
