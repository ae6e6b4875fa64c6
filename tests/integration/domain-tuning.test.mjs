// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/domain-tuning.test.mjs — the tuning members of
// PATCH /api/domains/{uuid} (docs/api.md "Tuning members") on the test driver: a copy of
// the demo host (packaging/demo/demo.xml: 16 host CPUs, no NUMA cells of its own, so
// one node; 2 MiB and 1 GiB huge pages) with a shut-off domain of our own (4 vCPUs, disk
// vda). Covers: each member round-trips through PATCH (200, next_boot [] for a shut-off
// VM), the detail's config and the persistent XML (GET …/xml?inactive=true as admin);
// a cpuset is stored in libvirt's canonical form; removing each member; a CPU the host
// lacks is 400 at vcpupin[0].cpuset with its range, other refusals name their member
// (NUMA node, page size, disk target, vCPU id), and nothing changes on a 400 — not even
// a valid member of the same request; a running VM reports what waits for its next boot.
// Needs the merge of C's virt_tuning* with B's PATCH route (until then PATCH is 405).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startWithRoles } from '../lib/roles.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { demoCopy } from '../lib/e2e-setup.mjs';

const PW = { admin: 'admin-pass-tune-1', op: 'operator-pass-tune-2', view: 'viewer-pass-tune-3' };
const UUID = '5eed0000-0000-4000-8000-0000000000c1';
const WEB01 = '97e56341-f5b0-4a2a-b12f-373969e93bd3'; // running in the demo
const DOMAIN = `  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>vdtest-tuning</name>
    <uuid>${UUID}</uuid>
    <memory unit='KiB'>524288</memory>
    <currentMemory unit='KiB'>524288</currentMemory>
    <vcpu>4</vcpu>
    <os><type arch='x86_64'>hvm</type></os>
    <devices>
      <disk type='file' device='disk'><source file='/guest/vdtest-tuning.img'/><target dev='vda' bus='virtio'/></disk>
    </devices>
    <test:runstate>5</test:runstate>
  </domain>
`;
const NO_LIMITS = { total_iops_sec: 0, read_iops_sec: 0, write_iops_sec: 0, total_bytes_sec: 0, read_bytes_sec: 0, write_bytes_sec: 0 };

describe('tuning members of PATCH /api/domains/{uuid} (test driver)', () => {
    let roles;
    let admin;
    let op;
    let view;
    const uri = demoCopy('tuning', '</node>', DOMAIN);

    before(async () => {
        roles = await startWithRoles(PW, { uri });
        ({ admin, op, view } = roles);
    });
    after(async () => {
        if (roles) await roles.stop();
    });

    const patch = (client, body, uuid = UUID) => client.req('PATCH', `/api/domains/${uuid}`, { body });
    const inactiveXml = async (uuid = UUID) =>
        assertJson(await admin.get(`/api/domains/${uuid}/xml?inactive=true`), 200, 'xml').xml;
    const config = async () => assertJson(await admin.get(`/api/domains/${UUID}`), 200, 'detail').config;

    // [request members, what config reads back (default: the request's), what the persistent XML holds]
    const cases = [
        [{ vcpupin: [{ vcpu: 0, cpuset: '0-3,^2' }, { vcpu: 3, cpuset: '15' }] },
            { vcpupin: [{ vcpu: 0, cpuset: '0-1,3' }, { vcpu: 3, cpuset: '15' }] },
            [/<vcpupin vcpu='0' cpuset='0-1,3'\/>/, /<vcpupin vcpu='3' cpuset='15'\/>/]],
        [{ emulatorpin: '4-5' }, null, [/<emulatorpin cpuset='4-5'\/>/]],
        [{ numatune: { mode: 'preferred', nodeset: '0' } }, null, [/<memory mode='preferred' nodeset='0'\/>/]],
        [{ numa_cells: [{ id: 0, cpus: '0-1', memory_mib: 256 }, { id: 1, cpus: '2-3', memory_mib: 256 }] }, null,
            [/<cell id='0' cpus='0-1' memory='262144' unit='KiB'\/>/, /<cell id='1' cpus='2-3' memory='262144' unit='KiB'\/>/]],
        [{ hugepages: { size_kib: 2048 } }, null, [/<hugepages>\s*<page size='2048' unit='KiB'\/>/]],
        [{ cputune: { shares: 512, period: 50000, quota: 25000 } }, null,
            [/<shares>512<\/shares>/, /<period>50000<\/period>/, /<quota>25000<\/quota>/]],
        [{ blkiotune: { weight: 300 } }, null, [/<blkiotune>\s*<weight>300<\/weight>/]],
        [{ iotune: [{ target: 'vda', total_iops_sec: 1000, read_bytes_sec: 1048576 }] },
            { iotune: [{ ...NO_LIMITS, target: 'vda', total_iops_sec: 1000, read_bytes_sec: 1048576 }] },
            [/<total_iops_sec>1000<\/total_iops_sec>/, /<read_bytes_sec>1048576<\/read_bytes_sec>/]],
        [{ memtune: { hard_limit_mib: 2048, soft_limit_mib: null, swap_hard_limit_mib: 4096 } }, null,
            [/<hard_limit unit='KiB'>2097152<\/hard_limit>/, /<swap_hard_limit unit='KiB'>4194304<\/swap_hard_limit>/]],
    ];

    it('each member round-trips through PATCH, the detail and the persistent XML', async () => {
        for (const [body, want, patterns] of cases) {
            const out = assertJson(await patch(admin, body), 200, JSON.stringify(body));
            assert.deepEqual(out.next_boot, [], 'a shut-off VM has nothing waiting');
            const member = Object.keys(body)[0];
            const expected = (want || body)[member];
            assert.deepEqual(out.detail.config[member], expected, `${member} in the answer`);
            assert.deepEqual((await config())[member], expected, `${member} in GET`);
            const xml = await inactiveXml();
            for (const p of patterns) assert.match(xml, p, member);
        }
    });

    it('operators may tune too; viewers get 403', async () => {
        assertJson(await patch(op, { blkiotune: { weight: 400 } }), 200, 'operator');
        assert.deepEqual((await config()).blkiotune, { weight: 400 });
        assertError(await patch(view, { blkiotune: { weight: 500 } }), 403, 'forbidden');
        assert.deepEqual((await config()).blkiotune, { weight: 400 });
    });

    it('null and [] remove each member', async () => {
        const out = assertJson(await patch(admin, {
            vcpupin: [], emulatorpin: null, numatune: null, numa_cells: [], hugepages: null,
            cputune: null, blkiotune: null, memtune: null, iotune: [{ target: 'vda' }],
        }), 200, 'remove');
        assert.deepEqual(out.next_boot, []);
        const c = await config();
        assert.deepEqual(
            [c.vcpupin, c.emulatorpin, c.numatune, c.numa_cells, c.hugepages, c.cputune, c.blkiotune, c.memtune, c.iotune],
            [[], null, null, [], null, null, null, null, [{ ...NO_LIMITS, target: 'vda' }]]);
        const xml = await inactiveXml();
        for (const tag of ['cputune', 'numatune', 'numa', 'hugepages', 'blkiotune', 'memtune', 'iotune']) {
            assert.doesNotMatch(xml, new RegExp(`<${tag}[ >/]`), tag);
        }
    });

    /** PATCH body must be 400 at field (with range when given) and change nothing. */
    async function refused(body, field, range) {
        const xml = await inactiveXml();
        const err = assertError(await patch(admin, body), 400, 'bad_request', JSON.stringify(body));
        assert.equal(err.field, field, err.message);
        if (range) assert.deepEqual([err.min, err.max], range, field);
        assert.equal(await inactiveXml(), xml, `nothing changed after ${JSON.stringify(body)}`);
        return err;
    }

    it('a CPU the host lacks is 400 at vcpupin[0].cpuset; nothing changes', async () => {
        assertJson(await patch(admin, { vcpupin: [{ vcpu: 1, cpuset: '2' }] }), 200, 'a pin to keep');
        const err = await refused({ vcpupin: [{ vcpu: 0, cpuset: '0,16' }] }, 'vcpupin[0].cpuset', [0, 15]);
        assert.match(err.message, /16/);
        // with a valid member of B's and of C's in the same request: neither applies
        await refused({ title: 'vdtest changed', blkiotune: { weight: 200 }, vcpupin: [{ vcpu: 0, cpuset: '99' }] },
            'vcpupin[0].cpuset', [0, 15]);
        assert.notEqual(assertJson(await admin.get(`/api/domains/${UUID}`), 200, 'detail').title, 'vdtest changed');
        assert.deepEqual((await config()).vcpupin, [{ vcpu: 1, cpuset: '2' }]);
    });

    it('other refusals name their member', async () => {
        await refused({ emulatorpin: '16' }, 'emulatorpin', [0, 15]);
        await refused({ numatune: { mode: 'strict', nodeset: '1' } }, 'numatune.nodeset', [0, 0]);
        await refused({ hugepages: { size_kib: 4096 } }, 'hugepages.size_kib');
        await refused({ iotune: [{ target: 'vdz', read_iops_sec: 5 }] }, 'iotune[0].target');
        await refused({ vcpupin: [{ vcpu: 4, cpuset: '0' }] }, 'vcpupin[0].vcpu', [0, 3]);
        await refused({ numa_cells: [{ id: 0, cpus: '0-4', memory_mib: 512 }] }, 'numa_cells[0].cpus', [0, 3]);
        await refused({ cputune: { quota: 0 } }, 'cputune.quota');
        await refused({ memtune: { hard_limit_mib: 2048, swap_hard_limit_mib: 1024 } }, 'memtune.swap_hard_limit_mib');
        await refused({ vcpupin: [{ vcpu: 0, cpuset: '0', pin: true }] }, 'vcpupin[0].pin');
    });

    it('a running VM: pins apply live, NUMA cells and huge pages wait for the next boot', async () => {
        const out = assertJson(await patch(admin, { emulatorpin: '1', numa_cells: [], hugepages: null }, WEB01),
            200, 'running');
        assert.ok(out.next_boot.includes('numa_cells') && out.next_boot.includes('hugepages'), JSON.stringify(out));
        assert.ok(!out.next_boot.includes('emulatorpin'), JSON.stringify(out));
        const live = assertJson(await admin.get(`/api/domains/${WEB01}/xml`), 200, 'live').xml;
        assert.match(live, /<emulatorpin cpuset='1'\/>/);
        assert.match(await inactiveXml(WEB01), /<emulatorpin cpuset='1'\/>/);
    });
});
