// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/jobs.mjs — waiting for a job a 202 started (docs/api.md "Jobs"): GET
// /api/jobs/{id} as its owner until it is no longer running. Test process only.
import { assertJson } from './api-assert.mjs';
import { until } from './wait.mjs';

/** The job id's final state (done or failed), asked as client every 50 ms for at most timeoutMs. */
export function settleJob(client, id, timeoutMs = 5000) {
    return until(async () => {
        const { job } = assertJson(await client.get(`/api/jobs/${id}`), 200, `job ${id}`);
        return job.state === 'running' ? null : job;
    }, timeoutMs, () => `job ${id} still running`);
}
