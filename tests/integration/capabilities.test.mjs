// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/capabilities.test.mjs — GET /api/host/capabilities on libvirt's test
// driver (test:///default): the host part of `virsh capabilities` (two NUMA cells of
// 8 CPUs, huge page sizes), no domain capabilities (the driver has none: `domain` is
// null) and the CPU models libvirt knows for the host arch instead; the same answer
// twice (the second from the cache); rights.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startWithRoles } from '../lib/roles.mjs';
import { Client } from '../lib/client.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';

const PW = { admin: 'admin-pass-caps-1', op: 'op-pass-caps-1', view: 'view-pass-caps-1' };

describe('GET /api/host/capabilities (test driver)', () => {
    let r;
    let viewer;

    before(async () => {
        r = await startWithRoles(PW);
        viewer = r.view;
    });
    after(async () => {
        if (r) await r.stop();
    });

    it('the host: arch, NUMA cells with their CPUs and memory, huge pages', async () => {
        const caps = assertJson(await viewer.get('/api/host/capabilities'), 200);
        assert.equal(caps.host.arch, 'i686');
        assert.deepEqual(caps.host.numa, [
            { id: 0, memory_kib: 2097152, cpus: [0, 1, 2, 3, 4, 5, 6, 7] },
            { id: 1, memory_kib: 4194304, cpus: [8, 9, 10, 11, 12, 13, 14, 15] },
        ]);
        assert.deepEqual(caps.host.huge_pages_kib, [8, 2048, 1048576]);
        assert.deepEqual(caps.host.cpu, { model: null, vendor: null, sockets: null, dies: null, cores: null, threads: null });
        assert.deepEqual(caps.host.guests.map((g) => [g.os_type, g.arch, g.domains]),
            [['hvm', 'i686', ['test']], ['xen', 'i686', ['test']]]);
    });

    it('no domain capabilities on this driver: domain null, CPU models from libvirt', async () => {
        const caps = assertJson(await viewer.get('/api/host/capabilities'), 200);
        assert.equal(caps.domain, null);
        assert.ok(caps.cpu_models.includes('pentium3'), caps.cpu_models.join(' '));
        assert.ok(caps.cpu_models.length > 10);
    });

    it('asked again, the same answer', async () => {
        const a = assertJson(await viewer.get('/api/host/capabilities'), 200);
        const b = assertJson(await viewer.get('/api/host/capabilities'), 200);
        assert.deepEqual(a, b);
    });

    it('without a session: 401', async () => {
        const anon = new Client(r.d);
        try {
            assertError(await anon.get('/api/host/capabilities'), 401, 'unauthorized');
        } finally {
            anon.close();
        }
    });
});
