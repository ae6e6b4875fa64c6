// SPDX-License-Identifier: LGPL-2.1-or-later
// views/upload-panel.js — uploading a file into a pool as a volume: file picker,
// volume name (the file name made valid), format, then a <progress> bar with bytes,
// percent, speed and time left, and Cancel (aborts the request). Replacing an
// existing volume's content asks first. The server's refusal (507 no space, 409, 400,
// 501 a driver that cannot upload) shows under the form, and the bar turns to the
// failed style: empty when the server refused, the part sent when the connection broke
// or the user cancelled (never a full blue bar above "Upload failed"). Browser main
// thread.

import { h } from './dom.js';
import { field, textInput, selectInput, showErrors, serverErrorBox, setBusy, errorMessage } from './form-kit.js';
import { sanitizeVolumeName, volumeNameError } from '../forms.js';
import { uploadFormatFor, wholePercent } from '../storage-rules.js';
import { startUpload } from '../upload.js';
import { formatBytes, formatRate, formatDuration } from '../format.js';
import { t } from '../i18n.js';

/** "12 MiB of 700 MiB (1%) · 10 MiB/s · 1 min left" in the current language. */
export function progressText(p) {
    const parts = [t('upload.progress.bytes', { loaded: formatBytes(p.loaded), total: formatBytes(p.total), percent: wholePercent(p.percent / 100) })];
    if (p.bps !== null && p.bps !== undefined && !p.done) parts.push(formatRate(p.bps));
    if (p.etaSeconds !== null && p.etaSeconds !== undefined && !p.done) parts.push(t('upload.progress.left', { time: formatDuration(p.etaSeconds) }));
    return parts.join(' \u00b7 ');
}

export class UploadPanel {
    /** ctx: {api, notify, confirm}; pool: name; volumes(): the current list; onDone(volume), onClose(). */
    constructor(ctx, pool, { volumes, onDone, onClose }) {
        this.ctx = ctx;
        this.pool = pool;
        this.volumes = volumes;
        this.onDone = onDone;
        this.onClose = onClose;
        this.upload = null;
        this.nameTouched = false;
        const f = {};
        this.f = f;
        // The browser's own file input speaks the browser's language, not the page's: it
        // stays the labelled control (keyboard, screen readers, errors) but is hidden, and
        // a button and the chosen name in the page's language stand in for it on screen.
        f.file = field({ label: t('upload.field.file'), key: 'file', control: h('input', { type: 'file', class: 'file-input visually-hidden', name: 'file' }), hint: t('upload.field.file.hint') });
        this.chooseButton = h('button', { type: 'button', class: 'btn', tabindex: '-1', text: t('upload.field.file.choose') });
        this.chosenName = h('span', { class: 'file-name', text: t('upload.field.file.none') });
        f.file.control.after(h('span', { class: 'file-picker', 'aria-hidden': 'true' }, this.chooseButton, this.chosenName));
        this.chooseButton.addEventListener('click', () => f.file.control.click());
        f.name = field({ label: t('upload.field.name'), key: 'name', control: textInput({ name: 'volume', }) });
        f.format = field({
            label: t('storage.volume.field.format'), key: 'format',
            control: selectInput([['iso', t('upload.format.iso')], ['raw', 'raw'], ['qcow2', 'qcow2']], { name: 'format', value: 'raw' }),
            hint: t('upload.field.format.hint'),
        });
        // raw until a file says otherwise, also after form.reset() (which restores the
        // options' defaultSelected, not the value set above)
        for (const o of f.format.control.options) o.defaultSelected = o.value === 'raw';
        this.errorBox = serverErrorBox();
        this.progress = h('progress', { class: 'upload-progress', max: '100', value: '0', 'aria-label': t('upload.progress.label') });
        this.progressText = h('p', { class: 'upload-text', 'aria-live': 'polite' });
        this.progressBox = h('div', { class: 'upload-status', hidden: true }, this.progress, this.progressText);
        this.submit = h('button', { type: 'submit', class: 'btn btn-primary', text: t('upload.submit') });
        this.cancel = h('button', { type: 'button', class: 'btn', text: t('upload.close') });
        this.form = h('form', { class: 'form', novalidate: true, 'aria-labelledby': 'upload-title' },
            h('h2', { class: 'card-title', id: 'upload-title', text: t('upload.title', { name: pool }) }),
            h('div', { class: 'form-grid' }, f.file.root, f.name.root, f.format.root),
            this.progressBox,
            this.errorBox.root,
            h('div', { class: 'form-buttons' }, this.cancel, this.submit));
        this.root = h('section', { class: 'card form-card upload-card' }, this.form);

        f.file.control.addEventListener('change', () => this.#onFile());
        f.name.control.addEventListener('input', () => { this.nameTouched = true; });
        this.cancel.addEventListener('click', () => {
            if (this.upload) this.upload.abort();
            else this.onClose();
        });
        this.form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            this.#start();
        });
    }

    /** True while bytes are on their way. */
    get busy() {
        return !!this.upload;
    }

    reset() {
        if (this.upload) return;
        this.form.reset();
        this.chosenName.textContent = t('upload.field.file.none');
        this.nameTouched = false;
        this.errorBox.clear();
        this.progressBox.hidden = true;
        this.#setBar('');
        showErrors(this.#fields(), {}, { focus: false });
    }

    /** The bar's state: "" (running or done), "failed" or "cancelled" (the danger style, app.css). */
    #setBar(state) {
        if (state) this.progress.dataset.state = state;
        else delete this.progress.dataset.state;
    }

    focus() {
        this.f.file.control.focus();
    }

    #fields() {
        return [this.f.file, this.f.name, this.f.format];
    }

    #onFile() {
        const file = this.f.file.control.files?.[0];
        this.chosenName.textContent = file ? file.name : t('upload.field.file.none');
        this.chosenName.title = file ? file.name : '';
        if (!file) return;
        if (!this.nameTouched || !this.f.name.control.value) this.f.name.control.value = sanitizeVolumeName(file.name);
        this.f.format.control.value = uploadFormatFor(file.name);
        this.progressBox.hidden = true;
        this.errorBox.clear();
    }

    #setRunning(running) {
        this.f.file.control.disabled = running;
        this.chooseButton.disabled = running;
        this.f.name.control.disabled = running;
        this.f.format.control.disabled = running;
        setBusy(this.submit, running);
        this.cancel.textContent = running ? t('upload.cancel') : t('upload.close');
    }

    async #start() {
        if (this.upload) return;
        this.errorBox.clear();
        const file = this.f.file.control.files?.[0] || null;
        const name = this.f.name.control.value.trim();
        const errors = {};
        if (!file) errors.file = t('upload.error.no-file');
        else if (file.size === 0) errors.file = t('upload.error.empty-file');
        const nameErr = volumeNameError(name);
        if (nameErr) errors.name = nameErr;
        if (showErrors(this.#fields(), errors)) return;
        const existing = (this.volumes() || []).find((v) => v.name === name);
        if (existing) {
            const ok = await this.ctx.confirm({
                title: t('upload.replace.title', { name }),
                message: t('upload.replace.message', { file: file.name }),
                detail: t('upload.replace.detail'), confirmLabel: t('upload.replace.confirm'), danger: true,
            });
            if (!ok) return;
        }
        this.#setRunning(true);
        this.progressBox.hidden = false;
        this.#setBar('');
        this.progress.value = 0;
        this.progressText.textContent = progressText({ loaded: 0, total: file.size, percent: 0, bps: null, etaSeconds: null, done: false });
        this.upload = startUpload({
            pool: this.pool, volume: name, file, format: existing ? '' : this.f.format.control.value,
            csrfToken: this.ctx.api.csrfToken,
            onProgress: (p) => {
                this.progress.value = p.percent;
                this.progressText.textContent = progressText(p);
            },
            onLoggedOut: () => this.ctx.api.emit('logged-out'),
        });
        try {
            const vol = await this.upload.promise;
            this.progress.value = 100;
            this.progressText.textContent = t('upload.progress.done', { progress: progressText({ loaded: file.size, total: file.size, percent: 100, done: true }) });
            this.ctx.notify.info(t('upload.done', { name, size: formatBytes(file.size) }));
            this.upload = null;
            this.#setRunning(false);
            this.form.reset();
            this.nameTouched = false;
            this.onDone(vol && vol.name ? vol : { name });
        } catch (err) {
            this.upload = null;
            this.#setRunning(false);
            if (err.status === 401) return;
            const cancelled = err.code === 'aborted';
            // the browser counts bytes it handed over, not what the server kept: a refusal
            // answered by the server (a status) stored nothing, so the bar empties
            if (err.status) this.progress.value = 0;
            this.#setBar(cancelled ? 'cancelled' : 'failed');
            this.progressText.textContent = cancelled ? t('upload.cancelled') : t('upload.failed');
            const why = err.status === 507 ? t('upload.error.no-space', { reason: errorMessage(err) }) : errorMessage(err);
            if (err.code !== 'aborted') this.errorBox.show(why);
            this.onDone(null); // a partial volume may now exist: the list shows its warning
            this.submit.focus();
        }
    }

    destroy() {
        if (this.upload) this.upload.abort();
        this.root.remove();
    }
}
