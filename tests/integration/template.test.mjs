// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/template.test.mjs — POST /api/domains/{uuid}/template (docs/api.md
// "Templates") on the test driver: a copy of the demo host (packaging/demo/demo.xml)
// with a shut-off domain of our own. Covers: marking shows "template": true in the
// detail and the list, and the mark sits in the domain's XML under virtdeck's namespace;
// start of a template is 409 domain_is_template and leaves it shut off; unmarking lets
// it start; a running domain is 409; viewer 403; bad bodies 400 naming the field; the
// events socket reports the change; the audit log records it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithRoles } from '../lib/roles.mjs';
import { demoCopy } from '../lib/e2e-setup.mjs';
import { assertError, assertJson, assertDomainDetail } from '../lib/api-assert.mjs';
import { domainXml } from '../bench/gen-domains.mjs';

const PW = { admin: 'admin-pass-tpl-1', op: 'operator-pass-tpl-2', view: 'viewer-pass-tpl-3' };
const MINE = { name: 'vdtest-tpl-base', uuid: '5eed0000-0000-4000-8000-00000000e001', state: 'shutoff' };
const WEB01 = '97e56341-f5b0-4a2a-b12f-373969e93bd3'; // running in the demo
const mark = (c, uuid, body) => c.post(`/api/domains/${uuid}/template`, body);

describe('templates (test driver)', () => {
    const uri = demoCopy('template', '</node>', `${domainXml(MINE)}\n`);
    let roles;

    before(async () => {
        roles = await startWithRoles(PW, { uri });
    });
    after(async () => {
        if (roles) await roles.stop();
    });

    it('every domain says whether it is a template (false in the demo)', async () => {
        const list = assertJson(await roles.view.get('/api/domains'), 200, 'list');
        assert.ok(list.domains.length > 1);
        for (const d of list.domains) assert.equal(d.template, false, d.name);
    });

    it('mark → template in detail and list, start 409; unmark → start works', async () => {
        const { op, admin } = roles;
        const ev = await admin.openEvents();
        try {
            await ev.next((m) => m.type === 'snapshot');
            const d = assertJson(await mark(op, MINE.uuid, { template: true }), 200, 'mark');
            assertDomainDetail(d);
            assert.equal(d.template, true);
            const changed = await ev.next((m) => m.type === 'domain' && m.event === 'metadata' && m.domain && m.domain.uuid === MINE.uuid &&
                m.domain.template === true);
            assert.equal(changed.detail, 'element');
        } finally {
            await ev.close();
        }
        assert.equal(assertJson(await op.get(`/api/domains/${MINE.uuid}`), 200, 'detail').template, true);
        const listed = assertJson(await op.get('/api/domains'), 200, 'list').domains.find((x) => x.uuid === MINE.uuid);
        assert.equal(listed.template, true);
        // marking twice is fine
        assert.equal(assertJson(await mark(admin, MINE.uuid, { template: true }), 200, 'again').template, true);

        const e = assertError(await op.post(`/api/domains/${MINE.uuid}/start`), 409, 'domain_is_template');
        assert.match(e.message, /a template cannot be started: clone it or unmark it/);
        assert.equal(assertJson(await op.get(`/api/domains/${MINE.uuid}`), 200, 'detail').state, 'shutoff');

        assert.equal(assertJson(await mark(op, MINE.uuid, { template: false }), 200, 'unmark').template, false);
        const started = assertJson(await op.post(`/api/domains/${MINE.uuid}/start`), 200, 'start');
        assert.equal(started.state, 'running');
        assert.equal(started.template, false);

        // running: neither mark nor unmark
        assertError(await mark(op, MINE.uuid, { template: true }), 409, 'conflict');
        assertJson(await op.post(`/api/domains/${MINE.uuid}/destroy`), 200, 'destroy');
    });

    it('a running domain cannot be marked', async () => {
        const e = assertError(await mark(roles.admin, WEB01, { template: true }), 409, 'conflict');
        assert.match(e.message, /shut-off/);
        assert.equal(assertJson(await roles.admin.get(`/api/domains/${WEB01}`), 200, 'web-01').template, false);
    });

    it('a viewer may not mark: 403, nothing changed', async () => {
        assertError(await mark(roles.view, MINE.uuid, { template: true }), 403, 'forbidden');
        assert.equal(assertJson(await roles.view.get(`/api/domains/${MINE.uuid}`), 200, 'detail').template, false);
    });

    it('bad bodies are 400 naming the field "template"', async () => {
        for (const body of [{}, { template: 'yes' }, { template: 1 }, { template: null }, { template: true, extra: 1 }]) {
            const e = assertError(await mark(roles.op, MINE.uuid, body), 400, 'bad_request', JSON.stringify(body));
            if (!('extra' in body)) assert.equal(e.field, 'template', JSON.stringify(body));
        }
        assertError(await roles.op.req('POST', `/api/domains/${MINE.uuid}/template`, { body: '{"template":' }), 400, 'bad_request');
        assertError(await mark(roles.op, '5eed0000-0000-4000-8000-0000000000ff', { template: true }), 404, 'not_found');
        assert.equal(assertJson(await roles.op.get(`/api/domains/${MINE.uuid}`), 200, 'detail').template, false);
    });

    it('the change is audited', async () => {
        const lines = roles.d.logs().split('\n').filter((l) => / api: \S+ domain-template /.test(l));
        const has = (re) => assert.ok(lines.some((l) => re.test(l)), `${re} in:\n${lines.join('\n')}`);
        has(new RegExp(`api: op domain-template domain ${MINE.uuid} from .*: ok`));
        has(new RegExp(`api: admin domain-template domain ${WEB01} from .*: only a shut-off domain`));
    });
});
