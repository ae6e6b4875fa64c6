// router.js — hash routes of the single page. Pure: parses and builds hashes only.
//   #/ (or nothing)        the domain list
//   #/domains/<uuid>        one domain's detail

const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

/** True for a libvirt UUID string (with or without dashes). */
export function isUuid(text) {
    return typeof text === 'string' && UUID_RE.test(text);
}

/** location.hash -> {view: "list"} | {view: "detail", uuid} | {view: "notfound", path}. */
export function parseHash(hash) {
    let path = String(hash ?? '');
    if (path.startsWith('#')) path = path.slice(1);
    if (path === '' || path === '/') return { view: 'list' };
    const parts = path.split('/');
    if (parts.length === 3 && parts[0] === '' && parts[1] === 'domains') {
        let id;
        try {
            id = decodeURIComponent(parts[2]);
        } catch {
            return { view: 'notfound', path };
        }
        if (isUuid(id)) return { view: 'detail', uuid: id.toLowerCase() };
    }
    return { view: 'notfound', path };
}

export function listHash() {
    return '#/';
}

export function domainHash(uuid) {
    return `#/domains/${encodeURIComponent(uuid)}`;
}
