// resource-router.js — hash routes of the networks and storage pages (the VM routes
// are in router.js). Pure: parses and builds hashes only.
//   #/networks            the virtual networks
//   #/storage             the storage pools
//   #/storage/<pool>      one pool's volumes (and uploads)

/** location.hash -> {view: "networks"} | {view: "storage"} | {view: "pool", pool} | null. */
export function parseResourceHash(hash) {
    let path = String(hash ?? '');
    if (path.startsWith('#')) path = path.slice(1);
    if (path.endsWith('/') && path.length > 1) path = path.slice(0, -1);
    if (path === '/networks') return { view: 'networks' };
    if (path === '/storage') return { view: 'storage' };
    const parts = path.split('/');
    if (parts.length === 3 && parts[0] === '' && parts[1] === 'storage' && parts[2]) {
        let pool;
        try {
            pool = decodeURIComponent(parts[2]);
        } catch {
            return null;
        }
        if (pool && !pool.includes('/')) return { view: 'pool', pool };
    }
    return null;
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
