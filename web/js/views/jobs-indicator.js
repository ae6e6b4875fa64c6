// SPDX-License-Identifier: LGPL-2.1-or-later
// views/jobs-indicator.js — the top bar's note of the long work under way (a clone's
// disk copies: docs/api.md "Jobs"), so that a job survives leaving the page that
// started it: each running job's name and a progress bar, from the store (which the
// events socket feeds). When a job ends and no open dialog follows it any more, a
// toast says how it ended (the error in words: errors.js). Browser main thread.

import { h } from './dom.js';
import { t } from '../i18n.js';
import { errorText, errorDetail } from '../errors.js';
import { jobError, jobPercent, jobRunning } from '../jobs.js';
import { wholePercent } from '../storage-rules.js';

export class JobsIndicator {
    /** root: the top bar's element; store: the Store; notify: the Notifier. */
    constructor(root, store, notify) {
        this.root = root;
        this.store = store;
        this.notify = notify;
        this.followers = new Map(); // job id -> () => bool: a dialog still shows it
        this.told = new Set();      // ids whose end was told
        root.setAttribute('aria-label', t('jobs.label'));
        store.on('changed', (c) => {
            if (c.reset || c.session) this.told.clear();
            if (c.jobs.length || c.reset || c.session) this.render(c.jobs);
        });
        this.render([]);
    }

    /** A dialog shows job id while following() is true: it then says the end itself. */
    follow(id, following) {
        this.followers.set(id, following);
    }

    render(changed) {
        const running = [...this.store.jobs.values()].filter(jobRunning);
        this.root.hidden = running.length === 0;
        this.root.replaceChildren(...running.map((job) => {
            const percent = jobPercent(job);
            return h('span', { class: 'job' },
                h('span', { class: 'job-name', text: t('jobs.running', { name: job.name, percent: wholePercent(percent / 100) }) }),
                h('progress', { class: 'job-progress', max: '100', value: String(percent), 'aria-label': t('jobs.progress', { name: job.name }) }));
        }));
        for (const id of changed) this.#maybeTell(this.store.jobs.get(id));
    }

    #maybeTell(job) {
        if (!job || jobRunning(job) || this.told.has(job.id)) return;
        this.told.add(job.id);
        const following = this.followers.get(job.id);
        this.followers.delete(job.id);
        if (following && following()) return;
        const source = this.store.domains.get(job.object);
        const names = { name: job.name, source: source ? source.name : job.object };
        if (job.state === 'done') {
            this.notify.info(t('domains.clone.done', names));
        } else {
            const err = jobError(job);
            this.notify.error(t('domains.clone.failed', { ...names, error: errorText(err) }), { detail: errorDetail(err) });
        }
    }
}
