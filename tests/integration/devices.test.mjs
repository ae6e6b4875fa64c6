// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/devices.test.mjs — a VM's disks, cdrom media, network interfaces and
// IP addresses through the API (docs/api.md "Disks and interfaces") on libvirt's test
// driver (test:///default: running domain "test" with disk vda and interface
// aa:bb:cc:dd:ee:ff on network "default", pool "default-pool").
//
// libvirt 9.0's test driver cannot attach, detach or update devices: every request that
// passes our checks ends in 501 there, which this file asserts (the success paths run
// on a real libvirtd in devices-qemu.test.mjs). What it covers here is everything that
// is decided before libvirt is asked: roles, input checks (and that a refused request
// changes nothing), unknown domains/targets/MACs/pools/volumes/networks, target and MAC
// conflicts, the volume a failed "new" attach created being deleted again, and the
// addresses endpoint, which the test driver does answer.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startWithRoles } from '../lib/roles.mjs';
import { assertDomainDetail, assertError, assertJson } from '../lib/api-assert.mjs';

const PW = { admin: 'admin-pass-dev-1', op: 'operator-pass-dev-2', view: 'viewer-pass-dev-3' };
const POOL = 'default-pool';
const MAC = 'aa:bb:cc:dd:ee:ff';

describe('VM devices API (test driver)', () => {
    let roles;
    let admin;
    let op;
    let view;
    let uuid;
    const vol = `devtest-${crypto.randomBytes(3).toString('hex')}.qcow2`;

    before(async () => {
        roles = await startWithRoles(PW);
        ({ admin, op, view } = roles);
        const list = assertJson(await admin.get('/api/domains'), 200, 'list');
        uuid = list.domains.find((x) => x.name === 'test').uuid;
        assertJson(await admin.post(`/api/pools/${POOL}/volumes`,
            { name: vol, capacity_bytes: 1048576, format: 'qcow2' }), 201, 'create volume');
    });
    after(async () => {
        if (roles) await roles.stop();
    });

    const base = () => `/api/domains/${uuid}`;
    const detail = async () => assertJson(await admin.get(base()), 200, 'detail');
    const volumes = async () => assertJson(await admin.get(`/api/pools/${POOL}/volumes`), 200, 'volumes')
        .volumes.map((v) => v.name).sort();

    /** Runs fn, then checks that the domain detail is what it was before. */
    async function unchanged(fn) {
        const before = await detail();
        await fn();
        assert.deepEqual(await detail(), before, 'a refused request changed the domain');
    }

    // every mutating route, with a body that would pass the checks
    const mutating = () => [
        ['POST', `${base()}/disks`, { source: { pool: POOL, volume: vol } }],
        ['DELETE', `${base()}/disks/vda`],
        ['PATCH', `${base()}/disks/vda`, { cache: 'none' }],
        ['PUT', `${base()}/disks/hdc/media`, { pool: POOL, volume: vol }],
        ['DELETE', `${base()}/disks/hdc/media`],
        ['POST', `${base()}/interfaces`, { network: 'default' }],
        ['PATCH', `${base()}/interfaces/${MAC}`, { link: 'down' }],
        ['DELETE', `${base()}/interfaces/${MAC}`],
    ];

    describe('roles', () => {
        it('refuses every change to operators and viewers with 403, changing nothing', async () => {
            await unchanged(async () => {
                for (const c of [op, view]) {
                    for (const [method, path, body] of mutating()) {
                        assertError(await c.req(method, path, { body }), 403, 'forbidden', `${c.user.role} ${method} ${path}`);
                    }
                }
            });
        });

        it('checks the role before the input (a bad body from an operator is 403, not 400)', async () => {
            assertError(await op.post(`${base()}/disks`, { nonsense: 1 }), 403, 'forbidden');
            assertError(await view.req('DELETE', '/api/domains/not-a-uuid/disks/vda'), 403, 'forbidden');
        });

        it('lets every role read addresses', async () => {
            for (const c of [admin, op, view]) {
                const body = assertJson(await c.get(`${base()}/addresses`), 200, `${c.user.role} addresses`);
                assert.equal(body.source, 'lease');
            }
        });
    });

    describe('path parameters', () => {
        it('answers 400 for a malformed UUID, disk target or MAC', async () => {
            assertError(await admin.req('DELETE', '/api/domains/nope/disks/vda'), 400, 'bad_request');
            for (const t of ['VDA', 'v', 'vd1', 'vdabcde', 'v-a']) {
                assertError(await admin.req('DELETE', `${base()}/disks/${t}`), 400, 'bad_request', `target ${t}`);
                assertError(await admin.req('DELETE', `${base()}/disks/${t}/media`), 400, 'bad_request', `media ${t}`);
            }
            for (const m of ['aa:bb:cc:dd:ee', 'zz:bb:cc:dd:ee:ff', '00:00:00:00:00:00', '01:00:5e:00:00:01',
                'ff:ff:ff:ff:ff:ff', 'aabbccddeeff', 'aa-bb-cc-dd-ee-ff']) {
                assertError(await admin.req('DELETE', `${base()}/interfaces/${m}`), 400, 'bad_request', `mac ${m}`);
            }
        });

        it('answers 404 for an unknown domain', async () => {
            const other = crypto.randomUUID();
            for (const [method, path, body] of mutating()) {
                const p = path.replace(uuid, other);
                assertError(await admin.req(method, p, { body }), 404, 'not_found', `${method} ${p}`);
            }
            assertError(await admin.get(`/api/domains/${other}/addresses`), 404, 'not_found');
        });

        it('answers 405 for a method a route does not have', async () => {
            assertError(await admin.get(`${base()}/disks`), 405, 'method_not_allowed');
            assertError(await admin.post(`${base()}/interfaces/${MAC}`, {}), 405, 'method_not_allowed');
        });
    });

    describe('POST /disks', () => {
        it('refuses bad bodies with 400 and changes nothing', async () => {
            const bad = [
                {},
                { source: { pool: POOL, volume: vol }, extra: 1 },
                { source: { pool: POOL } },
                { source: { pool: POOL, volume: vol, size: 1 } },
                { source: 'default-pool/x' },
                { source: { pool: '../etc', volume: vol } },
                { source: { pool: POOL, volume: '../../etc/passwd' } },
                { source: { pool: POOL, volume: vol }, new: { pool: POOL, name: 'x', capacity_bytes: 1, format: 'raw' } },
                { new: { pool: POOL, name: 'x.img', capacity_bytes: 0, format: 'raw' } },
                { new: { pool: POOL, name: 'x.img', capacity_bytes: 1024, format: 'vmdk' } },
                { new: { pool: POOL, name: 'x.img', capacity_bytes: 1024 } },
                { new: { pool: POOL, name: 'x.img', capacity_bytes: '1024', format: 'raw' } },
                { source: { pool: POOL, volume: vol }, device: 'floppy' },
                { source: { pool: POOL, volume: vol }, bus: 'ide' },
                { source: { pool: POOL, volume: vol }, device: 'cdrom', bus: 'virtio' },
                { device: 'cdrom', new: { pool: POOL, name: 'x.iso', capacity_bytes: 1024, format: 'raw' } },
                { source: { pool: POOL, volume: vol }, target: 'sdb' },
                { source: { pool: POOL, volume: vol }, bus: 'sata', target: 'vdb' },
                { source: { pool: POOL, volume: vol }, target: 'vd' },
                { source: { pool: POOL, volume: vol }, target: 'vdabcd' },
                { source: { pool: POOL, volume: vol }, target: 7 },
                { source: { pool: POOL, volume: vol }, cache: 'fast' },
                { source: { pool: POOL, volume: vol }, io: 'aio' },
                { source: { pool: POOL, volume: vol }, io: 'native' },
                { source: { pool: POOL, volume: vol }, io: 'native', cache: 'writeback' },
                { source: { pool: POOL, volume: vol }, readonly: 'yes' },
                { device: 'cdrom', readonly: false },
                { device: 'disk' },
            ];
            await unchanged(async () => {
                for (const body of bad) {
                    assertError(await admin.post(`${base()}/disks`, body), 400, 'bad_request', JSON.stringify(body));
                }
                assertError(await admin.req('POST', `${base()}/disks`, { body: '{"source":', raw: true,
                    headers: { 'content-type': 'application/json' } }), 400, 'bad_request', 'malformed JSON');
            });
        });

        it('answers 409 for a target the domain already uses', async () => {
            await unchanged(async () => {
                const e = assertError(await admin.post(`${base()}/disks`, { source: { pool: POOL, volume: vol }, target: 'vda' }),
                    409, 'conflict');
                assert.match(e.message, /vda/);
            });
        });

        it('answers 404 for an unknown pool or volume', async () => {
            await unchanged(async () => {
                assertError(await admin.post(`${base()}/disks`, { source: { pool: 'no-such-pool', volume: vol } }), 404, 'not_found');
                assertError(await admin.post(`${base()}/disks`, { source: { pool: POOL, volume: 'no-such.img' } }), 404, 'not_found');
            });
        });

        it('reaches libvirt for a valid request: 501, the test driver cannot attach', async () => {
            await unchanged(async () => {
                assertError(await admin.post(`${base()}/disks`, { source: { pool: POOL, volume: vol }, cache: 'none', io: 'native' }),
                    501, 'not_supported');
                assertError(await admin.post(`${base()}/disks`, { device: 'cdrom' }), 501, 'not_supported');
            });
        });

        it('deletes the volume it created when the attach fails', async () => {
            const name = `devtest-new-${crypto.randomBytes(3).toString('hex')}.img`;
            const before = await volumes();
            assert.ok(!before.includes(name));
            await unchanged(async () => {
                assertError(await admin.post(`${base()}/disks`, { new: { pool: POOL, name, capacity_bytes: 1048576, format: 'raw' } }),
                    501, 'not_supported');
            });
            assert.deepEqual(await volumes(), before, 'the new volume was removed again');
        });

        it('does not touch an existing volume when "new" names it (409)', async () => {
            await unchanged(async () => {
                assertError(await admin.post(`${base()}/disks`, { new: { pool: POOL, name: vol, capacity_bytes: 1048576, format: 'qcow2' } }),
                    409, 'conflict');
            });
            assert.ok((await volumes()).includes(vol), 'the existing volume is still there');
        });
    });

    describe('DELETE/PATCH /disks/{target} and /media', () => {
        it('answers 404 for a disk the domain does not have', async () => {
            await unchanged(async () => {
                assertError(await admin.req('DELETE', `${base()}/disks/vdq`), 404, 'not_found');
                assertError(await admin.req('PATCH', `${base()}/disks/vdq`, { body: { cache: 'none' } }), 404, 'not_found');
                assertError(await admin.req('PUT', `${base()}/disks/hdc/media`, { body: { pool: POOL, volume: vol } }), 404, 'not_found');
                assertError(await admin.req('DELETE', `${base()}/disks/hdc/media`), 404, 'not_found');
            });
        });

        it('answers 409 when media is changed on a disk that is not a cdrom', async () => {
            await unchanged(async () => {
                assertError(await admin.req('PUT', `${base()}/disks/vda/media`, { body: { pool: POOL, volume: vol } }), 409, 'conflict');
                assertError(await admin.req('DELETE', `${base()}/disks/vda/media`), 409, 'conflict');
            });
        });

        it('refuses bad bodies with 400', async () => {
            await unchanged(async () => {
                for (const body of [{}, { cache: 'fast' }, { io: 'native' }, { readonly: 1 }, { cache: 'none', bus: 'sata' }]) {
                    assertError(await admin.req('PATCH', `${base()}/disks/vda`, { body }), 400, 'bad_request', JSON.stringify(body));
                }
                for (const body of [{}, { pool: POOL }, { volume: vol }, { pool: POOL, volume: vol, x: 1 }, { pool: 1, volume: vol }]) {
                    assertError(await admin.req('PUT', `${base()}/disks/vda/media`, { body }), 400, 'bad_request', JSON.stringify(body));
                }
                assertError(await admin.req('DELETE', `${base()}/disks/vda`, { body: { force: true } }), 400, 'bad_request');
            });
        });

        it('reaches libvirt for a valid request: 501 on the test driver', async () => {
            await unchanged(async () => {
                assertError(await admin.req('DELETE', `${base()}/disks/vda`), 501, 'not_supported');
                assertError(await admin.req('PATCH', `${base()}/disks/vda`, { body: { cache: 'none', io: 'native' } }), 501, 'not_supported');
            });
        });
    });

    describe('interfaces', () => {
        it('refuses bad bodies with 400 and changes nothing', async () => {
            const bad = [
                {},
                { model: 'virtio' },
                { network: 'default', bridge: 'br0' },
                { network: 'default', extra: true },
                { network: 'default/../x' },
                { bridge: 'a-very-long-bridge-name' },
                { bridge: 'br 0' },
                { network: 'default', model: 'ne2k' },
                { network: 'default', mac: '01:00:5e:00:00:01' },
                { network: 'default', mac: '00:00:00:00:00:00' },
                { network: 'default', mac: 'nonsense' },
                { network: 'default', link: 'sideways' },
                { network: 'default', vlan: 0 },
                { network: 'default', vlan: 4095 },
                { network: 'default', vlan: '10' },
                { network: 'default', vlan: null },
                { network: 'default', bandwidth: {} },
                { network: 'default', bandwidth: null },
                { network: 'default', bandwidth: { inbound: {} } },
                { network: 'default', bandwidth: { inbound: { peak: 10 } } },
                { network: 'default', bandwidth: { inbound: { average: 0 } } },
                { network: 'default', bandwidth: { inbound: { average: 4294967296 } } },
                { network: 'default', bandwidth: { inbound: { average: 10, floor: 1 } } },
                { network: 'default', bandwidth: { sideways: { average: 10 } } },
                { user: false },
                { user: 'yes' },
                { user: true, network: 'default' },
                { user: true, bridge: 'br0' },
            ];
            await unchanged(async () => {
                for (const body of bad) {
                    assertError(await admin.post(`${base()}/interfaces`, body), 400, 'bad_request', JSON.stringify(body));
                }
                for (const body of [{}, { mac: '52:54:00:00:00:01' }, { network: 'default', bridge: 'br0' }, { vlan: -1 }, { user: false }, { user: true, network: 'default' }]) {
                    assertError(await admin.req('PATCH', `${base()}/interfaces/${MAC}`, { body }), 400, 'bad_request', JSON.stringify(body));
                }
            });
        });

        it('answers 404 for an unknown network or MAC, 409 for a MAC the domain has', async () => {
            await unchanged(async () => {
                assertError(await admin.post(`${base()}/interfaces`, { network: 'no-such-net' }), 404, 'not_found');
                assertError(await admin.req('PATCH', `${base()}/interfaces/52:54:00:00:00:99`, { body: { link: 'down' } }), 404, 'not_found');
                assertError(await admin.req('DELETE', `${base()}/interfaces/52:54:00:00:00:99`), 404, 'not_found');
                assertError(await admin.req('PATCH', `${base()}/interfaces/${MAC}`, { body: { network: 'no-such-net' } }), 404, 'not_found');
                const e = assertError(await admin.post(`${base()}/interfaces`, { network: 'default', mac: 'AA:BB:CC:DD:EE:FF' }), 409, 'conflict');
                assert.match(e.message, /aa:bb:cc:dd:ee:ff/);
            });
        });

        it('finds an interface by MAC in any case; valid requests reach libvirt (501 here)', async () => {
            await unchanged(async () => {
                assertError(await admin.req('PATCH', `${base()}/interfaces/AA:BB:CC:DD:EE:FF`, { body: { link: 'down' } }), 501, 'not_supported');
                assertError(await admin.req('DELETE', `${base()}/interfaces/AA:bb:CC:dd:EE:ff`), 501, 'not_supported');
                assertError(await admin.post(`${base()}/interfaces`, {
                    network: 'default', model: 'e1000e', mac: '52:54:00:AB:CD:EF', link: 'up', vlan: 42,
                    bandwidth: { inbound: { average: 1000, peak: 2000, burst: 512 }, outbound: { average: 100 } },
                }), 501, 'not_supported');
                assertError(await admin.post(`${base()}/interfaces`, { bridge: 'br0' }), 501, 'not_supported');
                assertError(await admin.post(`${base()}/interfaces`, { user: true, model: 'e1000' }), 501, 'not_supported');
                assertError(await admin.req('PATCH', `${base()}/interfaces/${MAC}`, { body: { user: true } }), 501, 'not_supported');
            });
        });
    });

    describe('GET /addresses', () => {
        it('lists the running domain\'s addresses in the documented shape', async () => {
            for (const source of [undefined, 'lease', 'agent', 'arp']) {
                const q = source ? `?source=${source}` : '';
                const body = assertJson(await admin.get(`${base()}/addresses${q}`), 200, `addresses ${q}`);
                assert.deepEqual(Object.keys(body).sort(), ['interfaces', 'source']);
                assert.equal(body.source, source || 'lease');
                assert.deepEqual(body.interfaces, [{
                    name: 'testnet0', mac: MAC,
                    addresses: [{ type: 'ipv4', address: '192.168.122.3', prefix: 24 }],
                }]);
            }
        });

        it('refuses an unknown source with 400', async () => {
            assertError(await admin.get(`${base()}/addresses?source=dhcp`), 400, 'bad_request');
            assertError(await admin.get(`${base()}/addresses?source=`), 400, 'bad_request');
        });

        it('answers 409 while the domain is not running', async () => {
            assertJson(await admin.post(`${base()}/destroy`), 200, 'destroy');
            try {
                assertError(await admin.get(`${base()}/addresses`), 409, 'conflict');
            } finally {
                assertJson(await admin.post(`${base()}/start`), 200, 'start');
            }
            assertJson(await admin.get(`${base()}/addresses`), 200, 'running again');
        });
    });

    it('keeps the domain detail valid throughout', async () => {
        assertDomainDetail(await detail(), 'test');
    });
});
