// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/jobs.test.mjs — web/js/jobs.js and the store's jobs (state.js): a job's
// percent, its error as an ApiError, waitJob resolving on the end told by a "job"
// message, and an older state (the 202's "queued" job read after the events told
// more) never replacing a newer one; a finished clone's domain enters the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../web/js/state.js';
import { jobError, jobPercent, waitJob } from '../../web/js/jobs.js';

const job = (over = {}) => ({
    id: 'a'.repeat(32), kind: 'clone', owner: 'op', object: 'src-uuid', name: 'copy', state: 'running',
    phase: 'copy', bytes_done: 0, bytes_total: 400, ...over,
});

test('jobPercent: whole percent of the bytes, 100 when done, 0 without a total', () => {
    assert.equal(jobPercent(job({ bytes_done: 101 })), 25);
    assert.equal(jobPercent(job({ bytes_done: 400 })), 100);
    assert.equal(jobPercent(job({ bytes_total: 0 })), 0);
    assert.equal(jobPercent(job({ state: 'done', bytes_done: 0 })), 100);
});

test('jobError: the failed job\'s error as an ApiError with its status and field', () => {
    const e = jobError(job({ state: 'failed', status: 409, error: { code: 'conflict', message: 'disk vdb', field: 'name' } }));
    assert.equal(e.status, 409);
    assert.equal(e.code, 'conflict');
    assert.equal(e.message, 'disk vdb');
    assert.equal(e.field, 'name');
});

test('waitJob follows the messages to the end; the end puts the clone into the list', async () => {
    const store = new Store();
    const seen = [];
    store.applyJob(job({ phase: 'queued' }));
    const end = waitJob(store, job().id, (j) => seen.push(j.bytes_done));
    assert.equal(store.applyMessage({ type: 'job', job: job({ bytes_done: 100 }) }), true);
    store.applyMessage({ type: 'job', job: job({ bytes_done: 300 }) });
    const domain = { uuid: 'new-uuid', name: 'copy', state: 'shutoff' };
    store.applyMessage({ type: 'job', job: job({ state: 'done', phase: 'done', bytes_done: 400, status: 201, result: { domain, copies: [] } }) });
    const last = await end;
    assert.equal(last.state, 'done');
    assert.deepEqual(seen, [0, 100, 300]);
    assert.equal(store.domains.get('new-uuid').name, 'copy');
    assert.equal(store.applyMessage({ type: 'job' }), false);
});

test('an older state never replaces a newer one (the 202 read after the events)', () => {
    const store = new Store();
    store.applyJob(job({ bytes_done: 200 }));
    store.applyJob(job({ phase: 'queued', bytes_done: 0 })); // the 202's job, read late
    assert.equal(store.jobs.get(job().id).bytes_done, 200);
    store.applyJob(job({ bytes_done: 100 })); // a reading that went back
    assert.equal(store.jobs.get(job().id).bytes_done, 200);
    store.applyJob(job({ state: 'failed', phase: 'failed', status: 409, error: { code: 'conflict', message: 'x' } }));
    store.applyJob(job({ phase: 'queued' }));
    assert.equal(store.jobs.get(job().id).state, 'failed');
});
