// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/api-resources.test.mjs — web/js/api.js: the networks, storage and VM
// device routes (method, path, body, CSRF) and empty DELETE answers.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Api } from '../../web/js/api.js';

function setup(answer = () => new Response('{}', { status: 200 })) {
    const calls = [];
    const api = new Api({ fetchImpl: async (url, init) => { calls.push({ url, init }); return answer(url, init); } });
    api.csrfToken = 'tok';
    return { api, calls };
}

test('every route has its method, path and body', async () => {
    const { api, calls } = setup();
    const U = '6695eb01-f6a4-8304-79aa-97f2502e193f';
    const cases = [
        [() => api.createNetwork({ name: 'n' }), 'POST', '/api/networks', { name: 'n' }],
        [() => api.networkAction('n 1', 'start'), 'POST', '/api/networks/n%201/start', {}],
        [() => api.networkAutostart('n', 1), 'POST', '/api/networks/n/autostart', { enabled: true }],
        [() => api.deleteNetwork('n'), 'DELETE', '/api/networks/n', undefined],
        [() => api.deleteNetwork('n', { force: true }), 'DELETE', '/api/networks/n?force=true', undefined],
        [() => api.createPool({ name: 'p' }), 'POST', '/api/pools', { name: 'p' }],
        [() => api.poolAction('p', 'refresh'), 'POST', '/api/pools/p/refresh', {}],
        [() => api.poolAutostart('p', false), 'POST', '/api/pools/p/autostart', { enabled: false }],
        [() => api.deletePool('p'), 'DELETE', '/api/pools/p', undefined],
        [() => api.createVolume('p', { name: 'v' }), 'POST', '/api/pools/p/volumes', { name: 'v' }],
        [() => api.deleteVolume('p', 'a/b'), 'DELETE', '/api/pools/p/volumes/a%2Fb', undefined],
        [() => api.volumeAction('p', 'v', 'resize', { capacity_bytes: 5 }), 'POST', '/api/pools/p/volumes/v/resize', { capacity_bytes: 5 }],
        [() => api.volumeAction('p', 'v', 'wipe'), 'POST', '/api/pools/p/volumes/v/wipe', {}],
        [() => api.attachDisk(U, { device: 'cdrom' }), 'POST', `/api/domains/${U}/disks`, { device: 'cdrom' }],
        [() => api.detachDisk(U, 'vdb'), 'DELETE', `/api/domains/${U}/disks/vdb`, undefined],
        [() => api.changeMedia(U, 'sda', { pool: 'p', volume: 'x.iso' }), 'PUT', `/api/domains/${U}/disks/sda/media`, { pool: 'p', volume: 'x.iso' }],
        [() => api.changeMedia(U, 'sda', null), 'DELETE', `/api/domains/${U}/disks/sda/media`, undefined],
        [() => api.attachInterface(U, { network: 'n' }), 'POST', `/api/domains/${U}/interfaces`, { network: 'n' }],
        [() => api.updateInterface(U, '52:54:00:00:00:01', { link: 'down' }), 'PATCH', `/api/domains/${U}/interfaces/52%3A54%3A00%3A00%3A00%3A01`, { link: 'down' }],
        [() => api.detachInterface(U, '52:54:00:00:00:01'), 'DELETE', `/api/domains/${U}/interfaces/52%3A54%3A00%3A00%3A00%3A01`, undefined],
    ];
    for (const [call, method, url, body] of cases) {
        await call();
        const c = calls.at(-1);
        assert.equal(c.init.method, method, url);
        assert.equal(c.url, url);
        assert.equal(c.init.headers['X-CSRF-Token'], 'tok', url);
        assert.deepEqual(c.init.body === undefined ? undefined : JSON.parse(c.init.body), body, url);
    }
});

test('lists unwrap their arrays; GETs send no token', async () => {
    const { api, calls } = setup((url) => new Response(JSON.stringify(
        url.endsWith('/leases') ? { leases: [{ ip: '1.2.3.4' }] } : url.endsWith('/volumes') ? { volumes: [{ name: 'v' }] }
            : url === '/api/pools' ? { pools: [{ name: 'p' }] } : { networks: [{ name: 'n' }] }), { status: 200 }));
    assert.deepEqual(await api.networks(), [{ name: 'n' }]);
    assert.deepEqual(await api.networkLeases('n'), [{ ip: '1.2.3.4' }]);
    assert.deepEqual(await api.pools(), [{ name: 'p' }]);
    assert.deepEqual(await api.volumes('p'), [{ name: 'v' }]);
    assert.ok(calls.every((c) => c.init.method === 'GET' && c.init.headers['X-CSRF-Token'] === undefined));
});

test('an empty 204 or 200 answer to DELETE is fine; elsewhere it is not', async () => {
    let { api } = setup(() => new Response(null, { status: 204 }));
    assert.deepEqual(await api.deletePool('p'), {});
    ({ api } = setup(() => new Response('', { status: 200 })));
    assert.deepEqual(await api.deleteVolume('p', 'v'), {});
    await assert.rejects(api.createPool({}), (e) => e.code === 'bad_response');
});

test('a 501 for leases keeps its status for the "not available" text', async () => {
    const { api } = setup(() => new Response(JSON.stringify({ error: { code: 'not_supported', message: 'no leases in the test driver' } }), { status: 501 }));
    await assert.rejects(api.networkLeases('n'), (e) => e.status === 501 && /test driver/.test(e.message));
});
