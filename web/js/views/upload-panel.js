// views/upload-panel.js — uploading a file into a pool as a volume: file picker,
// volume name (the file name made valid), format, then a <progress> bar with bytes,
// percent, speed and time left, and Cancel (aborts the request). Replacing an
// existing volume's content asks first. The server's refusal (507 no space, 409, 400)
// shows under the form. Browser main thread.

import { h } from './dom.js';
import { field, textInput, selectInput, showErrors, serverErrorBox, setBusy } from './form-kit.js';
import { sanitizeVolumeName, volumeNameError } from '../forms.js';
import { uploadFormatFor } from '../storage-rules.js';
import { startUpload } from '../upload.js';
import { formatBytes, formatRate, formatDuration } from '../format.js';

/** "12 MiB of 700 MiB (1%) · 10 MiB/s · 1 min left". */
export function progressText(p) {
    const parts = [`${formatBytes(p.loaded)} of ${formatBytes(p.total)} (${p.percent}%)`];
    if (p.bps !== null && p.bps !== undefined && !p.done) parts.push(formatRate(p.bps));
    if (p.etaSeconds !== null && p.etaSeconds !== undefined && !p.done) parts.push(`${formatDuration(p.etaSeconds)} left`);
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
        f.file = field({ label: 'File', key: 'file', control: h('input', { type: 'file', class: 'input input-file', name: 'file' }), hint: 'An ISO image or a disk image (raw, qcow2).' });
        f.name = field({ label: 'Volume name', key: 'name', control: textInput({ name: 'volume', maxlength: '127' }) });
        f.format = field({
            label: 'Format', key: 'format',
            control: selectInput([['iso', 'ISO image'], ['raw', 'raw'], ['qcow2', 'qcow2']], { name: 'format', value: 'raw' }),
            hint: 'Used when the volume is new; an existing volume keeps its format.',
        });
        this.errorBox = serverErrorBox();
        this.progress = h('progress', { class: 'upload-progress', max: '100', value: '0', 'aria-label': 'Upload progress' });
        this.progressText = h('p', { class: 'upload-text', 'aria-live': 'polite' });
        this.progressBox = h('div', { class: 'upload-status', hidden: true }, this.progress, this.progressText);
        this.submit = h('button', { type: 'submit', class: 'btn btn-primary', text: 'Upload' });
        this.cancel = h('button', { type: 'button', class: 'btn', text: 'Close' });
        this.form = h('form', { class: 'form', novalidate: true, 'aria-labelledby': 'upload-title' },
            h('h2', { class: 'card-title', id: 'upload-title', text: `Upload a file to \u201c${pool}\u201d` }),
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
        this.nameTouched = false;
        this.errorBox.clear();
        this.progressBox.hidden = true;
        showErrors(this.#fields(), {}, { focus: false });
    }

    focus() {
        this.f.file.control.focus();
    }

    #fields() {
        return [this.f.file, this.f.name, this.f.format];
    }

    #onFile() {
        const file = this.f.file.control.files?.[0];
        if (!file) return;
        if (!this.nameTouched || !this.f.name.control.value) this.f.name.control.value = sanitizeVolumeName(file.name);
        this.f.format.control.value = uploadFormatFor(file.name);
        this.progressBox.hidden = true;
        this.errorBox.clear();
    }

    #setRunning(running) {
        this.f.file.control.disabled = running;
        this.f.name.control.disabled = running;
        this.f.format.control.disabled = running;
        setBusy(this.submit, running);
        this.cancel.textContent = running ? 'Cancel upload' : 'Close';
    }

    async #start() {
        if (this.upload) return;
        this.errorBox.clear();
        const file = this.f.file.control.files?.[0] || null;
        const name = this.f.name.control.value.trim();
        const errors = {};
        if (!file) errors.file = 'Choose a file.';
        else if (file.size === 0) errors.file = 'The file is empty.';
        const nameErr = volumeNameError(name);
        if (nameErr) errors.name = nameErr;
        if (showErrors(this.#fields(), errors)) return;
        const existing = (this.volumes() || []).find((v) => v.name === name);
        if (existing) {
            const ok = await this.ctx.confirm({
                title: `Replace \u201c${name}\u201d?`,
                message: `A volume with this name exists; its content is overwritten by ${file.name}.`,
                detail: 'The file must fit the volume\u2019s capacity.', confirmLabel: 'Replace', danger: true,
            });
            if (!ok) return;
        }
        this.#setRunning(true);
        this.progressBox.hidden = false;
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
            this.progressText.textContent = `${progressText({ loaded: file.size, total: file.size, percent: 100, done: true })} \u2014 done.`;
            this.ctx.notify.info(`Uploaded \u201c${name}\u201d (${formatBytes(file.size)}).`);
            this.upload = null;
            this.#setRunning(false);
            this.form.reset();
            this.nameTouched = false;
            this.onDone(vol && vol.name ? vol : { name });
        } catch (err) {
            this.upload = null;
            this.#setRunning(false);
            if (err.status === 401) return;
            this.progressText.textContent = err.code === 'aborted' ? 'Upload cancelled.' : 'Upload failed.';
            const why = err.status === 507 ? `Not enough space in the pool: ${err.message}` : err.message;
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
