// SPDX-License-Identifier: LGPL-2.1-or-later
// views/job-progress.js — a job the user waits for where they started it (a dialog, the
// create wizard; docs/api.md "Jobs"): a progress bar and its words, hidden until the job
// starts, and following the job through the store to its end. While the user stays the
// place shows each step; once they leave, the top bar's jobs indicator tells the end.
// Browser main thread.

import { h } from './dom.js';
import { formatBytes } from '../format.js';
import { jobPercent, waitJob } from '../jobs.js';
import { wholePercent } from '../storage-rules.js';

/** A job's figures as words' parameters: {done, total, percent} (sizes and a percent, formatted). */
export function jobFigures(job) {
    return { done: formatBytes(job.bytes_done), total: formatBytes(job.bytes_total), percent: wholePercent(jobPercent(job) / 100) };
}

/**
 * The progress box (class className beside its own): label names the bar, words(job)
 * says how far the job is, hint sits under it. {root, show(job)}.
 */
export function jobProgress({ className, label, words, hint }) {
    const bar = h('progress', { class: 'upload-progress', max: '100', value: '0', 'aria-label': label });
    const text = h('p', { class: 'upload-text', 'aria-live': 'polite' });
    const root = h('div', { class: ['upload-status', className], hidden: true }, bar, text, h('p', { class: 'field-hint', text: hint }));
    return {
        root,
        show(job) {
            root.hidden = false;
            bar.value = jobPercent(job);
            text.textContent = words(job);
        },
    };
}

/**
 * Follows job (a 202's) in progress until it ends: the final job (done or failed), or
 * null once open() is false (the user left; the jobs indicator, told here, speaks then).
 */
export async function followJob({ store, jobs }, job, progress, open) {
    progress.show(job); // what the 202 said, however soon the events tell the end
    store.applyJob(job);
    if (jobs) jobs.follow(job.id, open);
    const end = await waitJob(store, job.id, (j) => progress.show(j));
    return open() ? end : null;
}
