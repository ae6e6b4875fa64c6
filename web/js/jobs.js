// SPDX-License-Identifier: LGPL-2.1-or-later
// jobs.js — long work the server answered with 202 (docs/api.md "Jobs"): how far a job
// is, its error as an ApiError, and waiting for its end through the store (the events
// socket tells every step; nothing polls). Pure but for waitJob, which listens to a
// Store. Browser main thread or node:test.

import { ApiError } from './api.js';
import { t } from './i18n.js';

/** Whole percent (0-100) of a job's bytes; 100 once done, 0 when it has no total. */
export function jobPercent(job) {
    if (job.state === 'done') return 100;
    if (!job.bytes_total) return 0;
    return Math.min(100, Math.floor((job.bytes_done / job.bytes_total) * 100));
}

/** True while the job runs. */
export const jobRunning = (job) => job.state === 'running';

/** A failed job's error as the ApiError its synchronous answer would have thrown. */
export function jobError(job) {
    return ApiError.fromReply(job.status || 500, job.error || null, t('error.http_error', { status: String(job.status || 500) }));
}

/**
 * Resolves with job id's final state (done or failed) once the store has it; calls
 * onProgress(job) with each running state on the way (the current one first).
 */
export function waitJob(store, id, onProgress = () => {}) {
    return new Promise((resolve) => {
        const look = () => {
            const job = store.jobs.get(id);
            if (!job) return false;
            if (jobRunning(job)) {
                onProgress(job);
                return false;
            }
            store.off('changed', listener);
            resolve(job);
            return true;
        };
        const listener = (c) => {
            if (c.jobs.includes(id)) look();
        };
        store.on('changed', listener);
        look();
    });
}
