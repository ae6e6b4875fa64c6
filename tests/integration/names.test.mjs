// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/names.test.mjs — names in any script (docs/api.md "Names"), on the
// libvirt test driver: a Chinese volume name (and a 255-byte one, and an emoji clone)
// created, listed, read, cloned and deleted exactly; each kind of bad name refused with
// 400 and a JSON error, leaving the pool as it was; a Chinese-named volume in use names
// its VM; a VM's Chinese title and multi-line
// description set with PUT /api/domains/{uuid}/metadata and read back byte for byte from
// the answer, the detail, the list, a live /api/events message and a fresh snapshot, on
// a running and on a shut-off VM (where the next start keeps them); bad titles and
// descriptions refused without a change; who may set them. Uploads and downloads of a
// Chinese-named volume need a real libvirtd: volume-content.test.mjs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startWithFixture } from '../lib/roles.mjs';
import { assertDomainDetail, assertDomainObject, assertError, assertJson } from '../lib/api-assert.mjs';
import { domainXml } from '../bench/gen-domains.mjs';

const PW = { admin: 'admin-pass-names-1', op: 'operator-pass-names-2', view: 'viewer-pass-names-3' };
const POOL = 'names-pool';
const RUN_UUID = '5eed0000-0000-4000-8000-00000000b001';
const OFF_UUID = '5eed0000-0000-4000-8000-00000000b002';
const ISO = '中文系统安装盘.iso';
const USED = '数据盘.qcow2'; // a fixture volume vm-run uses
const BASE = ['base.qcow2', USED];
const TITLE = '数据库服务器 — 生产环境 💿 עברית';
const DESCRIPTION = '  第一行：负责订单\n\t第二行 Café (e\u0301) العربية\n\n最后一行  ';

function fixtureXml() {
    return ['<node>',
        '  <cpu><mhz>2400</mhz><model>x86_64</model><active>4</active><nodes>1</nodes><sockets>1</sockets>' +
            '<cores>4</cores><threads>1</threads></cpu>',
        '  <memory>16777216</memory>',
        domainXml({ name: 'vm-run', state: 'running', uuid: RUN_UUID,
            disks: [{ target: 'vda', source: `/${POOL}/${USED}`, format: 'qcow2' }] }),
        domainXml({ name: 'vm-off', state: 'shutoff', uuid: OFF_UUID, title: 'old title', description: 'old' }),
        `  <pool type='dir'><name>${POOL}</name><uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4599</uuid>
    <target><path>/${POOL}</path></target>
    <volume type='file'><name>base.qcow2</name><capacity unit='bytes'>1048576</capacity>
      <target><format type='qcow2'/></target></volume>
    <volume type='file'><name>${USED}</name><capacity unit='bytes'>1048576</capacity>
      <target><format type='qcow2'/></target></volume>
  </pool>`,
        '</node>', ''].join('\n');
}

const enc = encodeURIComponent;
const volPath = (name) => `/api/pools/${POOL}/volumes/${enc(name)}`;

describe('names in any script (test driver)', () => {
    let roles;
    let admin;
    let op;
    let view;

    before(async () => {
        roles = await startWithFixture(PW, fixtureXml());
        ({ admin, op, view } = roles);
    });
    after(() => roles?.stop());

    const volNames = async () =>
        assertJson(await view.get(`/api/pools/${POOL}/volumes`), 200, 'volumes').volumes.map((v) => v.name).sort();

    describe('volume names', () => {
        it('creates, lists, reads, clones and deletes a Chinese volume name exactly', async () => {
            const made = assertJson(await admin.post(`/api/pools/${POOL}/volumes`,
                { name: ISO, format: 'raw', capacity_bytes: 1048576 }), 201, 'create');
            assert.equal(made.name, ISO);
            assert.ok((await volNames()).includes(ISO), 'listed under its own name');
            const got = assertJson(await view.get(volPath(ISO)), 200, 'get');
            assert.equal(got.name, ISO);
            assert.equal(got.path, `/${POOL}/${ISO}`);
            const clone = '副本 \u{1F4BF} Café.img';
            assert.equal(assertJson(await admin.post(`${volPath(ISO)}/clone`, { name: clone }), 201, 'clone').name, clone);
            assert.ok((await volNames()).includes(clone));
            for (const name of [clone, ISO]) {
                const gone = assertJson(await admin.req('DELETE', volPath(name)), 200, `delete ${name}`);
                assert.deepEqual(gone, { name, removed: true });
            }
            assert.deepEqual(await volNames(), BASE);
        });

        it('takes a name of exactly 255 bytes in any script, and refuses 256', async () => {
            const max = '盘'.repeat(85); // 255 bytes
            assert.equal(Buffer.byteLength(max), 255);
            assert.equal(assertJson(await admin.post(`/api/pools/${POOL}/volumes`,
                { name: max, format: 'qcow2', capacity_bytes: 1048576 }), 201, '255 bytes').name, max);
            assert.equal(assertJson(await view.get(volPath(max)), 200, 'get 255').name, max);
            assertError(await admin.post(`/api/pools/${POOL}/volumes`,
                { name: `${max}x`, format: 'qcow2', capacity_bytes: 1048576 }), 400, 'bad_request', '256 bytes');
            assertJson(await admin.req('DELETE', volPath(max)), 200, 'delete 255');
            assert.deepEqual(await volNames(), BASE);
        });

        it('refuses each kind of bad name with 400 and a JSON error, and changes nothing', async () => {
            const bad = {
                slash: 'iso/中文.iso', dotdot: '..', dot: '.', dash: '-rf.iso', empty: '',
                'leading space': ' 中文.iso', 'trailing space': '中文.iso ', 'ideographic space': '\u3000中文.iso',
                'no-break space': '中文.iso\u00a0', bom: '\ufeff中文.iso', nonchar: '中文\uffff.iso',
                control: '中文\u0007.iso', 'line break': '中文\n.iso', c1: '中文\u0085.iso',
                'lone surrogate': '中文\ud800.iso', long: 'x'.repeat(256),
            };
            for (const [kind, name] of Object.entries(bad)) {
                const body = { name, format: 'raw', capacity_bytes: 1048576 };
                const err = assertError(await admin.post(`/api/pools/${POOL}/volumes`, body), 400, 'bad_request', kind);
                assert.ok(err.message.length > 0, kind);
                assertError(await admin.post(`${volPath('base.qcow2')}/clone`, { name }), 400, 'bad_request', `clone ${kind}`);
            }
            // in the path: a name the rule refuses never reaches libvirt
            for (const seg of ['-rf.iso', '%E3%80%80x', 'a%FFb', '%C0%AF', '%ED%A0%80', 'x%C2%85']) {
                assertError(await view.get(`/api/pools/${POOL}/volumes/${seg}`), 400, 'bad_request', seg);
            }
            assert.deepEqual(await volNames(), BASE);
        });

        it('names the VM that uses a Chinese-named volume, and refuses to delete it', async () => {
            const vol = assertJson(await view.get(volPath(USED)), 200, 'get');
            assert.equal(vol.name, USED);
            assert.deepEqual(vol.used_by.map((u) => u.name), ['vm-run']);
            const err = assertError(await admin.req('DELETE', volPath(USED)), 409, 'conflict', 'in use');
            assert.match(err.message, new RegExp(`"${USED}".*vm-run`));
            assert.deepEqual(await volNames(), BASE);
        });
    });

    describe('VM title and description', () => {
        const meta = (c, uuid, body) => c.req('PUT', `/api/domains/${uuid}/metadata`, { body });
        const detailOf = async (uuid) => assertJson(await view.get(`/api/domains/${uuid}`), 200, 'detail');
        const listed = async (uuid) =>
            assertJson(await view.get('/api/domains'), 200, 'list').domains.find((x) => x.uuid === uuid);

        it('sets a Chinese title and a multi-line description; detail, list and events give them back exactly', async () => {
            const watcher = await view.openEvents();
            try {
                const snap = await watcher.next((m) => m.type === 'snapshot');
                assert.equal(snap.domains.find((x) => x.uuid === RUN_UUID).title, '');
                const answer = assertJson(await meta(op, RUN_UUID, { title: TITLE, description: DESCRIPTION }), 200, 'set');
                assertDomainDetail(answer, 'answer');
                assert.equal(answer.title, TITLE);
                assert.equal(answer.description, DESCRIPTION);
                const detail = await detailOf(RUN_UUID);
                assert.equal(detail.title, TITLE);
                assert.equal(detail.description, DESCRIPTION);
                const entry = await listed(RUN_UUID);
                assertDomainObject(entry, 'list entry');
                assert.equal(entry.title, TITLE);
                assert.equal(entry.description, DESCRIPTION);
                // whoever watches sees the change: a "metadata" event with the new values
                const ev = await watcher.next((m) => m.type === 'domain' && m.event === 'metadata' &&
                    m.domain.uuid === RUN_UUID && m.domain.title === TITLE && m.domain.description === DESCRIPTION, 5000);
                assert.ok(['title', 'description'].includes(ev.detail), ev.detail);
                assertDomainObject(ev.domain, 'event domain');
            } finally {
                await watcher.close();
            }
            const fresh = await view.openEvents();
            try {
                const snap = await fresh.next((m) => m.type === 'snapshot');
                const d = snap.domains.find((x) => x.uuid === RUN_UUID);
                assert.equal(d.title, TITLE);
                assert.equal(d.description, DESCRIPTION);
            } finally {
                await fresh.close();
            }
        });

        it('sets them on a shut-off VM, keeps them through a start, and removes them with ""', async () => {
            const answer = assertJson(await meta(admin, OFF_UUID, { title: TITLE }), 200, 'title only');
            assert.equal(answer.title, TITLE);
            assert.equal(answer.description, 'old', 'a member left out is left alone');
            assertJson(await op.post(`/api/domains/${OFF_UUID}/start`, {}), 200, 'start');
            const running = await detailOf(OFF_UUID);
            assert.equal(running.state, 'running');
            assert.equal(running.title, TITLE);
            assertJson(await op.post(`/api/domains/${OFF_UUID}/destroy`, {}), 200, 'destroy');
            const cleared = assertJson(await meta(op, OFF_UUID, { title: '', description: '' }), 200, 'clear');
            assert.equal(cleared.title, '');
            assert.equal(cleared.description, '');
            assert.equal((await listed(OFF_UUID)).title, '');
        });

        it('refuses bad titles and descriptions with 400 and a JSON error, changing nothing', async () => {
            assertJson(await meta(op, RUN_UUID, { title: TITLE, description: DESCRIPTION }), 200, 'set');
            const bad = {
                'title with a line break': { title: '第一行\n第二行' },
                'title with a tab': { title: 'a\tb' },
                'title with U+FFFF': { title: '标题\uffff' },
                'title of 1025 bytes': { title: 'x'.repeat(1025) },
                'title not a string': { title: 5 },
                'description with CR': { description: 'a\r\nb' },
                'description with a bell': { description: 'a\u0007' },
                'description of 4097 bytes': { description: '行'.repeat(1365) + 'xx' },
                'description with a lone surrogate': { description: 'a\udc00' },
                'neither member': {},
                'an unknown member': { name: 'x' },
                'a good title with a bad description': { title: 'new', description: 'a\u0000' },
            };
            for (const [kind, body] of Object.entries(bad)) {
                assertError(await meta(op, RUN_UUID, body), 400, 'bad_request', kind);
            }
            // the longest ones that fit are fine
            assertJson(await meta(op, OFF_UUID, { title: '题'.repeat(341) + 'x', description: '行'.repeat(1365) + 'x' }),
                200, '1024 and 4096 bytes');
            const detail = await detailOf(RUN_UUID);
            assert.equal(detail.title, TITLE);
            assert.equal(detail.description, DESCRIPTION);
        });

        it('is refused to viewers before anything is read, and to an unknown VM with 404', async () => {
            assertError(await meta(view, RUN_UUID, { title: 'x' }), 403, 'forbidden');
            assertError(await meta(view, RUN_UUID, 'not json'), 403, 'forbidden');
            assertError(await meta(op, '5eed0000-0000-4000-8000-00000000ffff', { title: 'x' }), 404, 'not_found');
            assertError(await meta(op, 'not-a-uuid', { title: 'x' }), 400, 'bad_request');
            assertError(await op.post(`/api/domains/${RUN_UUID}/metadata`, { title: 'x' }), 405, 'method_not_allowed');
            assert.equal((await detailOf(RUN_UUID)).title, TITLE);
        });
    });
});
