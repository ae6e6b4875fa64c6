// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/compression.test.mjs — gzip of large JSON answers (docs/api.md
// "Compression"): GET /api/domains over a 60-domain test-driver fixture is sent
// gzip-compressed only to a client that accepts it, and decodes to the same JSON;
// small answers stay plain. Test driver only; runs in about a second.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startWithRoles } from '../lib/roles.mjs';
import { benchXml } from '../bench/gen-domains.mjs';

const PW = { admin: 'admin-pass-gz-1', op: 'operator-pass-gz-2', view: 'viewer-pass-gz-3' };

describe('JSON compression', () => {
    let roles;
    let tmp;

    before(async () => {
        tmp = mkdtempSync(path.join(os.tmpdir(), 'virtdeck-gz-'));
        const xml = path.join(tmp, 'fixture.xml');
        writeFileSync(xml, benchXml(60));
        roles = await startWithRoles(PW, { uri: `test://${xml}` });
    });
    after(async () => {
        if (roles) await roles.stop();
        if (tmp) rmSync(tmp, { recursive: true, force: true });
    });

    it('sends the domain list gzip-compressed when asked, and the same JSON either way', async () => {
        const { admin } = roles;
        const plain = await admin.get('/api/domains', { headers: { 'Accept-Encoding': 'identity' } });
        assert.equal(plain.status, 200);
        assert.equal(plain.headers['content-encoding'], undefined, 'no gzip unless asked');
        assert.equal(plain.headers.vary, 'Accept-Encoding');
        assert.ok(plain.body.length > 4096, `the fixture list is large (${plain.body.length} bytes)`);
        assert.equal(plain.json.domains.length, 60);

        const gz = await admin.get('/api/domains', { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
        assert.equal(gz.status, 200);
        assert.equal(gz.headers['content-encoding'], 'gzip');
        assert.equal(gz.headers.vary, 'Accept-Encoding');
        assert.equal(gz.headers['content-type'], 'application/json');
        assert.equal(Number(gz.headers['content-length']), gz.body.length);
        assert.ok(gz.body.length < plain.body.length / 4, `compressed ${plain.body.length} → ${gz.body.length}`);
        assert.deepEqual(JSON.parse(gunzipSync(gz.body).toString('utf8')), plain.json);

        // Keep-alive: the next request on the same connection without gzip is plain again.
        const again = await admin.get('/api/domains');
        assert.equal(again.headers['content-encoding'], undefined);
        assert.deepEqual(again.json, plain.json);
    });

    it('leaves small JSON answers plain', async () => {
        const r = await roles.admin.get('/api/session', { headers: { 'Accept-Encoding': 'gzip' } });
        assert.equal(r.status, 200);
        assert.equal(r.headers['content-encoding'], undefined);
        assert.ok(r.json);
    });
});
