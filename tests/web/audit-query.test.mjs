// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/audit-query.test.mjs — web/js/audit-query.js: the audit page's filters in the
// hash and in GET /api/audit's query.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditApiPath, auditHash, localToEpochMs, objectDomain, parseAuditFilter } from '../../web/js/audit-query.js';
import { parseHash } from '../../web/js/router.js';

const VM = '6695eb01-f6a4-8304-79aa-97f2502e193f';

test('filters go from the hash to the API and back', () => {
    const filter = { vm: VM, user: 'al ice', since: '2026-12-04T16:00' };
    const hash = auditHash(filter);
    assert.equal(hash, `#/audit?vm=${VM}&user=al+ice&since=2026-12-04T16%3A00`);
    const r = parseHash(hash);
    assert.equal(r.view, 'audit');
    assert.deepEqual(parseAuditFilter(r.query), filter);
    assert.deepEqual(parseHash('#/audit'), { view: 'audit', query: '' });
    assert.deepEqual(parseAuditFilter('?x=1&user=&action=%20start%20'), { action: 'start' });
    const since = String(new Date('2026-12-04T16:00').getTime());
    assert.equal(auditApiPath(filter, { limit: 50, cursor: '77' }),
        `/api/audit?vm=${VM}&user=al+ice&since=${since}&limit=50&cursor=77`);
    assert.equal(auditApiPath({}, { format: 'ndjson' }), '/api/audit?format=ndjson');
    assert.equal(auditApiPath({ until: 'not a time' }), '/api/audit');
});

test('times and objects', () => {
    assert.equal(localToEpochMs('2026-12-04T16:00'), String(new Date('2026-12-04T16:00').getTime()));
    assert.equal(localToEpochMs('2026-12-04T16:00:30'), String(new Date('2026-12-04T16:00:30').getTime()));
    for (const bad of ['', 'yesterday', '2026-12-04', '2026-13-45T99:99', null]) assert.equal(localToEpochMs(bad), null, String(bad));
    assert.equal(objectDomain(`domain:${VM}`), VM);
    assert.equal(objectDomain(`domain:${VM}/snapshot:a`), VM);
    assert.equal(objectDomain('network:default'), null);
    assert.equal(objectDomain(''), null);
});
