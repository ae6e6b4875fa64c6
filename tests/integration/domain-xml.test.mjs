// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/domain-xml.test.mjs — GET and PUT /api/domains/{uuid}/xml
// (docs/api.md "Raw XML") on the test driver: a copy of the demo host
// (packaging/demo/demo.xml) with a shut-off domain of our own, so redefining it changes
// no other suite's host. Covers: admins read the XML with its secrets (the VNC
// password), the live and the persistent form; operators and viewers 403; a changed
// <memory> round-trips through GET /api/domains/{uuid}; malformed XML, a renamed
// <name>, a changed <uuid> and a schema-invalid element are 400 at field "xml" with
// nothing changed (the last with libvirt's message naming the element that holds it); a running
// domain's change waits for the next boot; the answer is never gzip-compressed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startWithRoles } from '../lib/roles.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { demoCopy } from '../lib/e2e-setup.mjs';

const PW = { admin: 'admin-pass-xml-1', op: 'operator-pass-xml-2', view: 'viewer-pass-xml-3' };
const UUID = '5eed0000-0000-4000-8000-0000000000a1';
const WEB01 = '97e56341-f5b0-4a2a-b12f-373969e93bd3'; // running in the demo
const DOMAIN = `  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>vdtest-xml</name>
    <uuid>${UUID}</uuid>
    <memory unit='KiB'>524288</memory>
    <currentMemory unit='KiB'>524288</currentMemory>
    <vcpu>1</vcpu>
    <os><type arch='x86_64'>hvm</type></os>
    <devices>
      <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1' passwd='vdtest-secret'/>
    </devices>
    <test:runstate>5</test:runstate>
  </domain>
`;

describe('raw domain XML (test driver)', () => {
    let roles;
    let admin;
    let op;
    let view;
    const uri = demoCopy('xml', '</node>', DOMAIN);

    before(async () => {
        roles = await startWithRoles(PW, { uri });
        ({ admin, op, view } = roles);
    });
    after(async () => {
        if (roles) await roles.stop();
    });

    const getXml = async (query = '') =>
        assertJson(await admin.get(`/api/domains/${UUID}/xml${query}`), 200, 'xml');
    const put = (client, uuid, body) => client.req('PUT', `/api/domains/${uuid}/xml`, { body });
    const memoryKib = async () =>
        assertJson(await admin.get(`/api/domains/${UUID}`), 200, 'detail').max_memory_kib;

    it('GET as admin: the XML with its secrets, live or persistent', async () => {
        const live = await getXml();
        assert.deepEqual(Object.keys(live).sort(), ['inactive', 'xml']);
        assert.equal(live.inactive, false);
        assert.match(live.xml, /<name>vdtest-xml<\/name>/);
        assert.match(live.xml, /passwd='vdtest-secret'/, 'the VNC password is shown to admins');
        const config = await getXml('?inactive=true');
        assert.equal(config.inactive, true);
        assert.match(config.xml, new RegExp(`<uuid>${UUID}</uuid>`));
        assertError(await admin.get(`/api/domains/${UUID}/xml?inactive=maybe`), 400, 'bad_request');
        assertError(await admin.get('/api/domains/5eed0000-0000-4000-8000-0000000000ff/xml'), 404, 'not_found');
    });

    it('operators and viewers may neither read nor change the XML (403)', async () => {
        const { xml } = await getXml('?inactive=true');
        for (const c of [op, view]) {
            assertError(await c.get(`/api/domains/${UUID}/xml`), 403, 'forbidden');
            assertError(await put(c, UUID, { xml }), 403, 'forbidden');
        }
    });

    it('PUT with a changed <memory> round-trips through GET /api/domains/{uuid}', async () => {
        const { xml } = await getXml('?inactive=true');
        assert.equal(await memoryKib(), 524288);
        const changed = xml.replace(/<memory unit='KiB'>\d+<\/memory>/, "<memory unit='KiB'>1048576</memory>");
        assert.notEqual(changed, xml);
        const out = assertJson(await put(admin, UUID, { xml: changed }), 200, 'put');
        assert.deepEqual(Object.keys(out).sort(), ['next_boot', 'xml']);
        assert.equal(out.next_boot, false, 'a shut-off domain takes the change now');
        assert.match(out.xml, /<memory unit='KiB'>1048576<\/memory>/);
        assert.equal(await memoryKib(), 1048576);
    });

    it('refuses malformed XML, a new <name> or <uuid> and a missing body member with 400 at "xml", changing nothing', async () => {
        const { xml } = await getXml('?inactive=true');
        const cases = [
            [{ xml: '<domain><name>vdtest-xml</name>' }, /not well-formed/],
            [{ xml: '<network/>' }, /not well-formed|root/],
            [{ xml: xml.replace('<name>vdtest-xml</name>', '<name>vdtest-xml-renamed</name>') }, /must keep <name>vdtest-xml<\/name>/],
            [{ xml: xml.replace(`<uuid>${UUID}</uuid>`, '<uuid>5eed0000-0000-4000-8000-0000000000a2</uuid>') }, /must keep <uuid>/],
            [{ xml: xml.replace(/<uuid>.*<\/uuid>/, '') }, /must keep <uuid>/],
            [{ xml: 42 }, /must be a string/],
            [{}, /required/],
        ];
        for (const [body, message] of cases) {
            const e = assertError(await put(admin, UUID, body), 400, 'bad_request', JSON.stringify(body).slice(0, 60));
            assert.equal(e.field, 'xml');
            assert.match(e.message, message);
        }
        assert.equal((await getXml('?inactive=true')).xml, xml, 'nothing changed');
        const names = assertJson(await admin.get('/api/domains'), 200, 'list').domains.map((d) => d.name);
        assert.ok(!names.includes('vdtest-xml-renamed'), 'no renamed copy was defined');
    });

    it('a schema-invalid element is 400 at "xml" with libvirt\'s message naming it', async () => {
        const { xml } = await getXml('?inactive=true');
        const bad = xml.replace('</devices>', '<vdtestbogus/></devices>');
        const e = assertError(await put(admin, UUID, { xml: bad }), 400, 'bad_request');
        assert.equal(e.field, 'xml');
        assert.match(e.message, /failed to validate against schema/);
        assert.match(e.message, /Extra element devices/, 'libvirt names the element that holds the stray one');
        assert.equal((await getXml('?inactive=true')).xml, xml, 'nothing changed');
    });

    it('never compresses the XML, which holds the VNC password (BREACH)', async () => {
        const { xml } = await getXml('?inactive=true');
        const long = xml.replace('</uuid>', `</uuid>\n  <description>${'vdtest '.repeat(1000)}</description>`);
        assertJson(await put(admin, UUID, { xml: long }), 200, 'put');
        const gz = await admin.get(`/api/domains/${UUID}/xml`, { headers: { 'Accept-Encoding': 'gzip' } });
        const out = assertJson(gz, 200, 'xml');
        assert.ok(gz.body.length > 4096, 'an answer the daemon would otherwise compress');
        assert.match(out.xml, /passwd='vdtest-secret'/);
        assert.equal(gz.headers['content-encoding'], undefined, 'not gzip-compressed');
        const list = await admin.get('/api/domains', { headers: { 'Accept-Encoding': 'gzip' } });
        assert.equal(list.status, 200);
    });

    it('a running domain keeps its live XML: the change waits for the next boot', async () => {
        const { xml } = assertJson(await admin.get(`/api/domains/${WEB01}/xml?inactive=true`), 200, 'web-01');
        const changed = xml.replace(/<vcpu([^>]*)>\d+<\/vcpu>/, '<vcpu$1>3</vcpu>');
        assert.notEqual(changed, xml);
        const out = assertJson(await put(admin, WEB01, { xml: changed }), 200, 'put');
        assert.equal(out.next_boot, true);
        assert.match(out.xml, /<vcpu[^>]*>3<\/vcpu>/);
        const live = assertJson(await admin.get(`/api/domains/${WEB01}/xml`), 200, 'live');
        assert.doesNotMatch(live.xml, /<vcpu[^>]*>3<\/vcpu>/);
    });
});
