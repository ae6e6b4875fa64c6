// SPDX-License-Identifier: LGPL-2.1-or-later
// views/create-wizard.js — the "Create VM" wizard, a page of its own (#/create) for
// operators and admins: four steps shown one at a time — Source (an ISO from a pool or
// one uploaded here through upload-panel.js, an existing disk, a network install tree
// URL, a cloud image with its cloud-init fields, a template, or nothing), OS (a
// searchable osinfo list, GET /api/os; the choice fills the resource defaults),
// Resources (name, title, description, vCPUs, memory, disk, network, firmware, TPM,
// autostart, start) and Summary → Create
// (POST /api/domains). Each step is a form: Enter or Next checks it with create-rules.js
// (errors at their fields, focus on the first) before the next one shows; the step list
// at the top goes back to any step already seen. A refusal naming a member (a 400's
// dotted `field`, a 409 on the name) opens that member's step and shows at its control
// (form-kit placeServerError); 201 opens the new VM's page (the list has it live from
// the events socket). A `user` creates only from the self-service set (GET
// /api/self-service): an ISO or a template it names, its networks (the server lists only
// those), a new disk in its pools; no upload, bridge or user-mode NIC. Browser main thread.

import { h, icon } from './dom.js';
import {
    field, textInput, selectInput, setOptions, checkbox, showErrors, placeServerError, serverErrorBox, setBusy,
    failureText, optionalLabel, uid,
} from './form-kit.js';
import { VolumePicker } from './volume-picker.js';
import { UploadPanel } from './upload-panel.js';
import {
    STEPS, SOURCE_TYPES, DISK_FORMATS, DISK_BUSES, NIC_MODELS, FIRMWARES, osDefaults, checkStep, stepOfField,
    firstErrorStep, diskRole, buildCreateRequest, hostnameFromName, sshKeyList,
} from '../create-rules.js';
import { domainHash, listHash } from '../router.js';
import { jobError } from '../jobs.js';
import { followJob, jobFigures, jobProgress } from './job-progress.js';
import { formatBool } from '../format.js';
import { selfServiceOnly } from '../domains.js';
import { t } from '../i18n.js';
import { tNodes } from './i18n-dom.js';

const OS_SEARCH_DELAY_MS = 250;
const OS_LIMIT = 30;
// A refusal naming a member whose control has another key (a whole object).
const SERVER_KEYS = { network: 'network.network', disk: 'disk.pool', 'source.volume': 'source.volume.name', 'source.image': 'source.image.name' };

const STEP_TITLES = {
    source: () => t('create.step.source'),
    os: () => t('create.step.os'),
    resources: () => t('create.step.resources'),
    summary: () => t('create.step.summary'),
};
const SOURCE_LABELS = {
    iso: () => t('create.source.iso'),
    import: () => t('create.source.import'),
    url: () => t('create.source.url'),
    cloud_image: () => t('create.source.cloud-image'),
    template: () => t('create.source.template'),
    none: () => t('create.source.none'),
};

const textArea = (props) => h('textarea', { class: 'input', spellcheck: 'false', rows: '3', ...props });

export class CreateWizardView {
    /** ctx: {api, store, notify, confirm}. */
    constructor(ctx) {
        this.ctx = ctx;
        this.step = 'source';
        this.seen = new Set(['source']);
        this.osEntry = null;
        this.osSeq = 0;
        this.osTimer = null;
        this.upload = null;
        this.destroyed = false;
        this.selfService = selfServiceOnly(ctx.store.session?.role);
        // the approved set a `user` chooses from (null until loaded; others never need it)
        this.approved = null;
        this.approvedReady = this.selfService ? this.#loadApproved() : Promise.resolve();
    }

    /** GET /api/self-service: what a `user` may create from (empty on failure). */
    async #loadApproved() {
        try {
            this.approved = await this.ctx.api.selfService();
        } catch {
            this.approved = { templates: [], isos: [], networks: [], pools: [] };
        }
        if (this.destroyed || !this.f) return;
        this.#fillTemplates();
        this.#syncSource();
        this.#loadPools();
    }

    mount(container) {
        this.title = h('h1', { id: 'page-title', class: 'page-title', tabindex: '-1', text: t('create.title') });
        this.stepButtons = {};
        const stepList = h('ol', { class: 'wizard-steps' }, STEPS.map((s, i) => {
            const btn = h('button', { type: 'button', class: 'wizard-step', dataset: { step: s },
                on: { click: () => this.#goto(s) } }, h('span', { class: 'wizard-step-num', text: String(i + 1) }), STEP_TITLES[s]());
            this.stepButtons[s] = btn;
            return h('li', {}, btn);
        }));
        this.panels = {
            source: this.#buildSource(),
            os: this.#buildOs(),
            resources: this.#buildResources(),
            summary: this.#buildSummary(),
        };
        this.root = h('div', { class: 'page page-create' },
            h('a', { class: 'back-link', href: listHash() }, icon('back'), t('domains.list.title')),
            h('div', { class: 'page-head' }, this.title),
            h('nav', { 'aria-label': t('create.steps-label') }, stepList),
            STEPS.map((s) => this.panels[s].root));
        container.replaceChildren(this.root);
        this.#show('source', { focus: false });
        this.pickerReady = this.picker.load();
        this.#loadPools();
        this.#loadNetworks();
        this.#searchOs('');
        this.#applyOs(null);
        this.#syncSource();
    }

    destroy() {
        this.destroyed = true;
        clearTimeout(this.osTimer);
        this.upload?.destroy();
        this.root?.remove();
    }

    // ---- steps ------------------------------------------------------------------

    /** A step's frame: a form with its heading, body, the error box and Back / Next. */
    #stepForm(step, body, { submitLabel = t('create.next') } = {}) {
        const headingId = uid('create-step');
        const heading = h('h2', { class: 'card-title', id: headingId, tabindex: '-1', text: STEP_TITLES[step]() });
        const errorBox = serverErrorBox();
        const back = STEPS.indexOf(step) > 0
            ? h('button', { type: 'button', class: 'btn', text: t('create.back'), on: { click: () => this.#goto(STEPS[STEPS.indexOf(step) - 1]) } })
            : h('a', { class: 'btn', href: listHash(), text: t('forms.cancel') });
        const submit = h('button', { type: 'submit', class: 'btn btn-primary', text: submitLabel });
        const form = h('form', { class: 'form', novalidate: true, 'aria-labelledby': headingId },
            heading, body, errorBox.root, h('div', { class: 'form-buttons' }, back, submit));
        form.addEventListener('submit', (ev) => {
            ev.preventDefault();
            if (step === 'summary') this.#create();
            else this.#next(step);
        });
        return { root: h('section', { class: 'card form-card wizard-panel', dataset: { step } }, form), form, heading, errorBox, submit };
    }

    #show(step, { focus = true } = {}) {
        this.step = step;
        this.seen.add(step);
        for (const s of STEPS) {
            this.panels[s].root.hidden = s !== step;
            const btn = this.stepButtons[s];
            btn.disabled = !this.seen.has(s);
            if (s === step) btn.setAttribute('aria-current', 'step');
            else btn.removeAttribute('aria-current');
        }
        if (step === 'summary') this.#renderSummary();
        if (focus) this.panels[step].heading.focus();
    }

    /** Goes to a step already seen; moving forward checks the steps passed over. */
    #goto(step) {
        const from = STEPS.indexOf(this.step);
        const to = STEPS.indexOf(step);
        for (let i = from; i < to; i++) if (!this.#check(STEPS[i])) return;
        this.#show(step);
    }

    /** Checks a step's fields; shows its errors (and that step) when there are any. */
    #check(step) {
        const errors = checkStep(step, this.values());
        if (!Object.keys(errors).length) {
            showErrors(this.#fields(step), {}, { focus: false });
            return true;
        }
        if (this.step !== step) this.#show(step, { focus: false });
        showErrors(this.#fields(step), errors);
        return false;
    }

    #next(step) {
        if (!this.#check(step)) return;
        this.#show(STEPS[STEPS.indexOf(step) + 1]);
    }

    /** Each step's labelled controls (their keys are the request's dotted members). */
    #fields(step) {
        const f = this.f;
        if (step === 'source') {
            return [this.picker.pool, this.picker.volume, f.template, f.url, f.hostname, f.user, f.password, f.sshKeys, f.userData];
        }
        if (step === 'os') return [f.os];
        if (step === 'resources') {
            return [f.name, f.title, f.description, f.vcpus, f.memory, f.diskPool, f.diskSize, f.diskFormat, f.diskBus,
                f.network, f.bridge, f.model, f.firmware, f.tpm];
        }
        return [];
    }

    // ---- step 1: source -----------------------------------------------------------

    #buildSource() {
        this.f = {};
        const f = this.f;
        const group = uid('source');
        const types = this.selfService ? SOURCE_TYPES.filter((x) => x === 'iso' || x === 'template') : SOURCE_TYPES;
        this.sourceRadios = types.map((type) => {
            const input = h('input', { type: 'radio', class: 'radio', name: group, value: type, id: uid(`source-${type}`) });
            input.checked = type === 'iso';
            input.addEventListener('change', () => this.#syncSource());
            return h('div', { class: 'field-check' }, input, h('label', { for: input.id, text: SOURCE_LABELS[type]() }));
        });
        const typeBox = h('fieldset', { class: 'fieldset source-types' },
            h('legend', { text: t('create.source.legend') }), h('div', { class: 'choice-list' }, this.sourceRadios));

        this.picker = new VolumePicker(this.ctx, { isoOnly: true, poolKey: 'source.volume.pool', volumeKey: 'source.volume.name', volumeLabel: t('create.field.iso') });
        this.uploadButton = h('button', { type: 'button', class: 'btn btn-sm', text: t('create.upload-iso'), on: { click: () => this.#openUpload() } });
        this.uploadBox = h('div', { class: 'create-upload' });
        this.linked = checkbox({ checked: true });
        f.linked = field({ label: t('create.field.linked'), inline: true, control: this.linked, hint: t('create.field.linked.hint') });
        f.template = field({ label: t('create.field.template'), key: 'source.template', control: selectInput([]) });
        f.template.control.addEventListener('change', () => this.#templateFigures());
        this.noTemplate = h('p', { class: 'field-hint',
            text: this.selfService ? t('create.template.none-approved') : t('create.template.none') });
        f.url = field({ label: t('create.field.url'), key: 'source.url', wide: true,
            control: textInput({ type: 'url', maxlength: '1024' }),
            hint: t('create.field.url.hint') });

        f.hostname = field({ label: optionalLabel(t('create.field.hostname')), key: 'source.cloud_init.hostname', control: textInput({ maxlength: '253' }), hint: t('create.field.hostname.hint') });
        f.user = field({ label: optionalLabel(t('create.field.user')), key: 'source.cloud_init.user', control: textInput({ maxlength: '32', autocomplete: 'off' }), hint: t('create.field.user.hint') });
        f.password = field({ label: optionalLabel(t('create.field.password')), key: 'source.cloud_init.password', control: textInput({ type: 'password', autocomplete: 'new-password' }), hint: t('create.field.password.hint') });
        f.sshKeys = field({ label: optionalLabel(t('create.field.ssh-keys')), key: 'source.cloud_init.ssh_keys', wide: true, control: textArea({ placeholder: t('create.field.ssh-keys.placeholder') }), hint: t('create.field.ssh-keys.hint') });
        f.userData = field({ label: optionalLabel(t('create.field.user-data')), key: 'source.cloud_init.user_data', wide: true, control: textArea({ rows: '5', placeholder: t('create.field.user-data.placeholder') }), hint: t('create.field.user-data.hint') });
        this.cloudBox = h('fieldset', { class: 'fieldset' }, h('legend', { text: t('create.cloud-init.legend') }),
            h('div', { class: 'form-grid' }, f.hostname.root, f.user.root, f.password.root, f.sshKeys.root, f.userData.root));

        this.picker.volume.root.classList.add('field-wide'); // volume names are long
        this.pickerBox = h('div', { class: 'form-grid' }, this.picker.pool.root, this.picker.volume.root);
        this.sourceHint = h('p', { class: 'field-hint' });
        const body = h('div', { class: 'form-part' }, typeBox, this.sourceHint, this.pickerBox,
            h('div', { class: 'create-upload-bar' }, this.uploadButton),
            h('div', { class: 'form-grid' }, f.template.root, f.linked.root, f.url.root), this.noTemplate, this.cloudBox);
        const panel = this.#stepForm('source', body);
        panel.root.append(this.uploadBox); // its own form: beside the step's, never inside it
        this.#fillTemplates();
        this.#syncSource();
        return panel;
    }

    #sourceType() {
        return this.sourceRadios.map((r) => r.querySelector('input')).find((i) => i.checked)?.value || 'iso';
    }

    #syncSource() {
        const type = this.#sourceType();
        const usesPicker = type === 'iso' || type === 'import' || type === 'cloud_image';
        this.pickerBox.hidden = !usesPicker;
        const prefix = type === 'cloud_image' ? 'source.image' : 'source.volume';
        this.picker.pool.key = `${prefix}.pool`;
        this.picker.volume.key = `${prefix}.name`;
        this.picker.volume.root.querySelector('label').textContent = type === 'iso' ? t('create.field.iso')
            : type === 'cloud_image' ? t('create.field.image') : t('create.field.disk-volume');
        this.picker.setIsoOnly(type === 'iso');
        this.uploadButton.parentElement.hidden = type !== 'iso' || this.selfService; // uploads are the admins'
        if (type !== 'iso') this.#closeUpload();
        if (type === 'template') this.#fillTemplates();
        this.f.template.root.hidden = type !== 'template';
        this.noTemplate.hidden = type !== 'template' || this.f.template.control.options.length > 0;
        this.f.linked.root.hidden = type !== 'template' && type !== 'cloud_image';
        this.cloudBox.hidden = type !== 'cloud_image';
        this.f.url.root.hidden = type !== 'url';
        if (this.f.start) {
            // a network install always starts: its install boot lives only in the running VM
            if (type === 'url') this.f.start.control.checked = true;
            this.f.start.control.disabled = type === 'url';
        }
        const hints = {
            iso: t('create.source.iso.hint'), import: t('create.source.import.hint'), url: t('create.source.url.hint'),
            cloud_image: t('create.source.cloud-image.hint'),
            template: t('create.source.template.hint'), none: t('create.source.none.hint'),
        };
        this.sourceHint.textContent = hints[type];
        if (this.f.diskSize) this.#syncDisk();
        if (this.f.firmware) {
            // a copy of a template keeps the template's firmware and TPM
            this.f.firmware.root.hidden = type === 'template';
            this.f.tpm.root.hidden = type === 'template';
        }
    }

    /** The VMs marked as templates, as the store has them now, or for a `user` the approved
     * ones (the choice kept). */
    #fillTemplates() {
        if (this.selfService) {
            const approved = (this.approved?.templates || []).filter((x) => x.name)
                .map((x) => [x.uuid, x.title ? t('create.template.titled', { name: x.name, title: x.title }) : x.name]);
            setOptions(this.f.template.control, approved);
            return;
        }
        const templates = [...this.ctx.store.domains.values()].filter((d) => d.template === true)
            .sort((a, b) => a.name.localeCompare(b.name));
        setOptions(this.f.template.control, templates.map((d) => [d.uuid, d.name]));
        this.#templateFigures();
    }

    /** A template's vCPUs and memory become the new VM's (its firmware and TPM are kept). */
    #templateFigures() {
        const d = this.ctx.store.domains.get(this.f.template.control.value);
        if (!d || !this.f.vcpus) return;
        if (Number.isFinite(d.vcpus)) this.f.vcpus.control.value = String(d.vcpus);
        if (Number.isFinite(d.memory_kib)) this.f.memory.control.value = String(Math.round(d.memory_kib / 1024));
    }

    #openUpload() {
        if (this.upload) {
            this.upload.focus();
            return;
        }
        const pool = this.picker.poolName();
        if (!pool) return;
        this.upload = new UploadPanel(this.ctx, pool, {
            volumes: () => this.picker.vols,
            onDone: async (vol) => {
                if (!vol || this.destroyed) return;
                await this.picker.load();
                await this.picker.choose(pool, vol.name);
                this.#closeUpload();
                this.picker.volume.control.focus();
            },
            onClose: () => {
                this.#closeUpload();
                this.uploadButton.focus();
            },
        });
        this.uploadBox.replaceChildren(this.upload.root);
        this.upload.focus();
    }

    #closeUpload() {
        if (!this.upload || this.upload.busy) return;
        this.upload.destroy();
        this.upload = null;
    }

    // ---- step 2: OS ---------------------------------------------------------------

    #buildOs() {
        this.osSearch = h('input', { type: 'search', class: 'input', autocomplete: 'off', spellcheck: 'false',
            placeholder: t('create.os.search-placeholder') });
        // key "os": a refused OS id (400 field os) shows here
        this.f.os = field({ label: t('create.os.search'), key: 'os', control: this.osSearch });
        this.osSearch.addEventListener('input', () => {
            clearTimeout(this.osTimer);
            this.osTimer = setTimeout(() => this.#searchOs(this.osSearch.value.trim()), OS_SEARCH_DELAY_MS);
        });
        // Enter in the search box searches at once (it does not submit the step)
        this.osSearch.addEventListener('keydown', (ev) => {
            if (ev.key !== 'Enter') return;
            ev.preventDefault();
            clearTimeout(this.osTimer);
            this.#searchOs(this.osSearch.value.trim());
        });
        this.osStatus = h('p', { class: 'field-hint', role: 'status' });
        this.osGroup = uid('os');
        this.osList = h('div', { class: 'choice-list os-list' });
        this.osChosen = h('p', { class: 'os-chosen', 'aria-live': 'polite' });
        const body = h('div', { class: 'form-part' },
            this.f.os.root,
            this.osChosen,
            h('fieldset', { class: 'fieldset' }, h('legend', { text: t('create.os.legend') }), this.osStatus, this.osList));
        return this.#stepForm('os', body);
    }

    async #searchOs(q) {
        const seq = ++this.osSeq;
        this.osStatus.textContent = t('resources.loading');
        try {
            const r = await this.ctx.api.osList(q, OS_LIMIT);
            if (seq !== this.osSeq || this.destroyed) return;
            const list = Array.isArray(r.os) ? r.os : [];
            const total = Number.isFinite(r.total) ? r.total : list.length;
            this.osStatus.textContent = list.length < total
                ? t('create.os.count-cut', { shown: list.length, count: total })
                : t('create.os.count', { count: total });
            this.#renderOsList(list);
        } catch (err) {
            if (seq !== this.osSeq || this.destroyed) return;
            this.osStatus.textContent = failureText(t('create.os.failed'), err);
        }
    }

    /** The generic choice first, then the entries; the chosen one stays checked. */
    #renderOsList(list) {
        const chosen = this.osEntry?.id || '';
        // lang: osinfo's names are English whatever the page's language
        const radio = (value, label, meta, entry, lang = null) => {
            const input = h('input', { type: 'radio', class: 'radio', name: this.osGroup, value, id: uid('os-choice') });
            input.checked = value === chosen;
            input.addEventListener('change', () => this.#applyOs(entry));
            return h('div', { class: 'field-check os-choice' }, input,
                h('label', { for: input.id }, h('span', { class: 'os-name', lang, text: label }), meta));
        };
        const rows = [radio('', t('create.os.generic'), h('span', { class: 'os-meta', text: t('create.os.generic.hint') }), null)];
        for (const e of list) {
            const meta = h('span', { class: 'os-meta' }, e.id, e.release_date ? ` \u00b7 ${e.release_date}` : '',
                e.eol ? h('span', { class: 'badge badge-warn', text: t('create.os.eol') }) : null);
            rows.push(radio(e.id, e.name || e.id, meta, e, 'en'));
        }
        this.osList.replaceChildren(...rows);
    }

    /** An OS chosen (null: none): its defaults go into the resource fields. */
    #applyOs(entry) {
        this.osEntry = entry;
        const d = osDefaults(entry);
        const f = this.f;
        f.vcpus.control.value = String(d.vcpus);
        f.memory.control.value = String(d.memory_mib);
        f.diskSize.control.value = diskRole(this.#sourceType()) === 'new' ? String(d.size_gib) : '';
        f.diskBus.control.value = d.disk_bus;
        f.model.control.value = d.nic_model;
        f.firmware.control.value = d.firmware;
        f.tpm.control.checked = d.tpm;
        this.osDefaults = d;
        this.#osChosenText();
    }

    /** The line that says which OS is chosen and what it gives. */
    #osChosenText() {
        const entry = this.osEntry;
        const d = this.osDefaults;
        this.osChosen.replaceChildren(...(entry
            ? tNodes('create.os.chosen', {
                name: h('span', { lang: 'en', text: entry.name || entry.id }), memory: String(d.memory_mib), vcpus: String(d.vcpus),
                disk: String(d.size_gib), firmware: d.firmware === 'uefi' ? 'UEFI' : 'BIOS',
            })
            : [t('create.os.none-chosen')]));
    }

    // ---- step 3: resources ----------------------------------------------------------

    #buildResources() {
        const f = this.f;
        f.name = field({ label: t('create.field.name'), key: 'name', control: textInput({ required: true }), hint: t('create.field.name.hint') });
        f.title = field({ label: optionalLabel(t('names.about.title')), key: 'title', control: textInput({}) });
        f.description = field({ label: optionalLabel(t('names.about.description')), key: 'description', wide: true, control: textArea({ rows: '2' }) });
        f.vcpus = field({ label: t('create.field.vcpus'), key: 'vcpus', control: textInput({ inputmode: 'numeric', class: 'input input-short' }) });
        f.memory = field({ label: t('create.field.memory'), key: 'memory_mib', control: textInput({ inputmode: 'numeric', class: 'input input-short' }) });
        f.diskPool = field({ label: t('devices.field.pool'), key: 'disk.pool', control: selectInput([['', t('resources.loading')]]) });
        f.diskSize = field({ label: t('create.field.disk-size'), key: 'disk.size_gib', control: textInput({ inputmode: 'numeric', class: 'input input-short' }) });
        f.diskFormat = field({ label: t('storage.volume.field.format'), key: 'disk.format', control: selectInput(DISK_FORMATS) });
        f.diskBus = field({ label: t('create.field.bus'), key: 'disk.bus', control: selectInput(DISK_BUSES.map((b) => [b, b === 'virtio' ? t('devices.virtio-fastest') : b.toUpperCase()])) });
        this.diskBox = h('fieldset', { class: 'fieldset' }, h('legend', { text: t('create.disk.legend') }),
            h('div', { class: 'form-grid' }, f.diskPool.root, f.diskSize.root, f.diskFormat.root, f.diskBus.root));
        this.diskNote = h('p', { class: 'field-hint' });
        f.network = field({ label: t('create.field.network'), key: 'network.network', control: selectInput([['none', t('create.network.none')]]) });
        f.bridge = field({ label: t('networks.field.host-bridge'), key: 'network.bridge', control: textInput({ maxlength: '15', placeholder: 'br0' }) });
        f.model = field({ label: t('create.field.nic-model'), key: 'network.model', control: selectInput(NIC_MODELS.map((m) => [m, m === 'virtio' ? t('devices.virtio-fastest') : m])) });
        f.network.control.addEventListener('change', () => this.#syncNetwork());
        f.firmware = field({ label: t('create.field.firmware'), key: 'firmware', control: selectInput(FIRMWARES.map((x) => [x, x === 'uefi' ? 'UEFI' : 'BIOS'])) });
        f.tpm = field({ label: t('create.field.tpm'), key: 'tpm', inline: true, control: checkbox({}) });
        f.autostart = field({ label: t('resources.field.autostart'), key: 'autostart', inline: true, control: checkbox({}) });
        f.start = field({ label: t('create.field.start'), key: 'start', inline: true, control: checkbox({ checked: true }) });
        const body = h('div', { class: 'form-part' },
            h('div', { class: 'form-grid' }, f.name.root, f.title.root, f.description.root),
            h('div', { class: 'form-grid' }, f.vcpus.root, f.memory.root),
            this.diskBox, this.diskNote,
            h('fieldset', { class: 'fieldset' }, h('legend', { text: t('create.network.legend') }),
                h('div', { class: 'form-grid' }, f.network.root, f.bridge.root, f.model.root)),
            h('div', { class: 'form-grid' }, f.firmware.root, f.tpm.root, f.autostart.root, f.start.root));
        this.#syncNetwork();
        return this.#stepForm('resources', body);
    }

    #syncDisk() {
        const role = diskRole(this.#sourceType());
        this.diskBox.hidden = role === 'none';
        this.diskNote.hidden = role !== 'none';
        this.diskNote.textContent = t('create.disk.import-note');
        // a template's copies stay in the template's pool: a user (who may not see that
        // pool) leaves it to the server
        this.f.diskPool.root.hidden = this.selfService && role === 'copy';
        const label = this.f.diskSize.root.querySelector('label');
        label.textContent = role === 'copy' ? optionalLabel(t('create.field.disk-grow')) : t('create.field.disk-size');
        if (role === 'copy') this.f.diskSize.control.value = '';
        else if (role === 'new' && !this.f.diskSize.control.value && this.osDefaults) this.f.diskSize.control.value = String(this.osDefaults.size_gib);
    }

    #syncNetwork() {
        const v = this.f.network.control.value;
        this.f.bridge.root.hidden = v !== 'bridge';
        this.f.model.root.hidden = v === 'none';
    }

    async #loadPools() {
        try {
            let pools = (await this.ctx.api.pools()).filter((p) => p.active);
            if (this.destroyed) return;
            // a `user` reads the pools of its ISOs too, but puts new disks only in approved ones
            if (this.selfService) pools = pools.filter((p) => (this.approved?.pools || []).includes(p.name));
            const kept = this.kept?.values.disk.pool;
            setOptions(this.f.diskPool.control, pools.length ? pools.map((p) => [p.name, p.name]) : [['', t('devices.picker.no-pool')]],
                pools.some((p) => p.name === kept) ? kept : pools.some((p) => p.name === 'default') ? 'default' : pools[0]?.name || '');
        } catch (err) {
            if (!this.destroyed) setOptions(this.f.diskPool.control, [['', failureText(t('devices.picker.pools-failed'), err)]]);
        }
    }

    async #loadNetworks() {
        let nets = [];
        try {
            nets = await this.ctx.api.networks();
        } catch { /* the other kinds stay offered */ }
        if (this.destroyed) return;
        const opts = nets.map((n) => [`net:${n.name}`, t('create.network.virtual', { name: n.name })]);
        if (!this.selfService) opts.push(['bridge', t('create.network.bridge')], ['user', t('create.network.user')]);
        opts.push(['none', t('create.network.none')]);
        const first = nets.find((n) => n.name === 'default') || nets.find((n) => n.active) || nets[0];
        const kept = this.kept?.network;
        setOptions(this.f.network.control, opts, kept && opts.some((o) => o[0] === kept) ? kept : first ? `net:${first.name}` : 'user');
        this.#syncNetwork();
    }

    // ---- step 4: summary and create --------------------------------------------------

    #buildSummary() {
        this.summary = h('dl', { class: 'props create-summary' });
        // a whole copy of a large disk is a job (202): its progress, here until the VM exists
        this.copying = jobProgress({
            className: 'create-progress', label: t('create.copying.label'), hint: t('create.copying.background'),
            words: (job) => t('create.copying', jobFigures(job)),
        });
        const panel = this.#stepForm('summary', [this.summary, this.copying.root], { submitLabel: t('create.submit') });
        return panel;
    }

    #renderSummary() {
        const v = this.values();
        const src = v.source;
        let source = SOURCE_LABELS[src.type]();
        if (src.type === 'iso' || src.type === 'import') source = t('create.summary.volume', { kind: source, pool: src.volume.pool, name: src.volume.name });
        else if (src.type === 'cloud_image') source = t('create.summary.volume', { kind: source, pool: src.image.pool, name: src.image.name });
        else if (src.type === 'url') source = t('create.summary.url', { kind: source, url: src.url.trim() });
        else if (src.type === 'template') source = t('create.summary.template', { kind: source, name: this.f.template.control.selectedOptions[0]?.textContent || '' });
        const role = diskRole(src.type);
        const diskArgs = { pool: v.disk.pool, size: v.disk.size_gib, format: v.disk.format, bus: v.disk.bus };
        let disk = t('create.summary.disk-import');
        if (role !== 'none') disk = v.disk.size_gib ? t('create.summary.disk', diskArgs) : t('create.summary.disk-same', diskArgs);
        const net = v.network.kind === 'none' ? t('create.network.none')
            : `${this.f.network.control.selectedOptions[0]?.textContent || ''}${v.network.kind === 'bridge' ? ` ${v.network.bridge}` : ''} \u00b7 ${v.network.model}`;
        const rows = [
            [t('create.step.source'), source],
            [t('create.step.os'), this.osEntry ? h('span', { lang: 'en', text: this.osEntry.name || this.osEntry.id }) : t('create.os.generic')],
            [t('create.field.name'), v.name],
            [t('create.field.vcpus'), v.vcpus],
            [t('create.field.memory'), v.memory_mib],
            [t('create.disk.legend'), disk],
            [t('create.network.legend'), net],
            ...(src.type === 'template' ? [] : [ // a template's copy keeps its own
                [t('create.field.firmware'), v.firmware === 'uefi' ? 'UEFI' : 'BIOS'],
                [t('create.field.tpm'), formatBool(v.tpm)],
            ]),
            [t('resources.field.autostart'), formatBool(v.autostart)],
            [t('create.field.start'), formatBool(v.start)],
        ];
        if (src.type === 'cloud_image') {
            const keys = sshKeyList(src.cloud_init.ssh_keys).length;
            rows.splice(1, 0, [t('create.cloud-init.legend'), t('create.summary.cloud-init', {
                hostname: src.cloud_init.hostname || hostnameFromName(v.name) || '\u2014',
                password: formatBool(!!src.cloud_init.password), keys: String(keys),
            })]);
        }
        this.summary.replaceChildren(...rows.flatMap(([k, val]) => [h('dt', { text: k }), h('dd', { class: 'wrap' }, val instanceof Node ? val : String(val))]));
    }

    async #create() {
        const panel = this.panels.summary;
        if (panel.submit.disabled) return;
        panel.errorBox.clear();
        const { payload, errors } = buildCreateRequest(this.values());
        if (!payload) {
            const step = firstErrorStep(errors);
            this.#show(step, { focus: false });
            showErrors(this.#fields(step), errors);
            return;
        }
        setBusy(panel.submit, true);
        try {
            let vm = await this.ctx.api.createDomain(payload);
            if (vm && vm.job) { // 202: the disk is being copied
                const end = await followJob(this.ctx, vm.job, this.copying, () => !this.destroyed);
                if (!end) return; // the user left: the top bar's jobs indicator tells the end
                if (end.state !== 'done') throw jobError(end);
                vm = end.result;
            }
            if (this.destroyed) return;
            this.ctx.notify.info(t('create.done', { name: payload.name }));
            window.location.hash = vm && vm.uuid ? domainHash(vm.uuid) : listHash();
        } catch (err) {
            if (this.destroyed || err.status === 401) return;
            const step = err.field ? stepOfField(err.field) : 'summary';
            if (step !== 'summary') {
                this.#show(step, { focus: false });
                // a member of a list ("source.cloud_init.ssh_keys[1]") shows at the list's control
                const keys = { [err.field]: err.field.replace(/(\[\d+\]|\.\d+)$/, ''), ...SERVER_KEYS };
                if (placeServerError(this.#fields(step), err, { keys })) return;
            }
            this.#show('summary', { focus: false });
            panel.errorBox.show(failureText(t('create.failed'), err));
            panel.errorBox.root.focus();
        } finally {
            setBusy(panel.submit, false);
        }
    }

    // ---- a page built again (a language switch) ------------------------------------

    /** What the user has chosen and typed, for the page built again in another language. */
    keepState() {
        return {
            step: this.step, seen: [...this.seen], values: this.values(), osEntry: this.osEntry, osQuery: this.osSearch.value,
            network: this.f.network.control.value,
        };
    }

    /** Puts back what keepState() kept: every choice, the step, the OS list searched again. */
    restoreState(kept) {
        if (!kept || !kept.values) return;
        this.kept = kept;
        const v = kept.values;
        const f = this.f;
        for (const r of this.sourceRadios) {
            const input = r.querySelector('input');
            input.checked = input.value === v.source.type;
        }
        this.#syncSource();
        f.template.control.value = v.source.template;
        this.linked.checked = v.source.linked;
        const ci = v.source.cloud_init;
        const text = [[f.url, v.source.url], [f.hostname, ci.hostname], [f.user, ci.user], [f.password, ci.password], [f.sshKeys, ci.ssh_keys],
            [f.userData, ci.user_data], [f.name, v.name], [f.title, v.title], [f.description, v.description], [f.vcpus, v.vcpus],
            [f.memory, v.memory_mib], [f.diskSize, v.disk.size_gib], [f.diskFormat, v.disk.format], [f.diskBus, v.disk.bus],
            [f.bridge, v.network.bridge], [f.model, v.network.model], [f.firmware, v.firmware]];
        for (const [x, value] of text) x.control.value = value;
        for (const [x, on] of [[f.tpm, v.tpm], [f.autostart, v.autostart], [f.start, v.start]]) x.control.checked = on;
        this.osEntry = kept.osEntry;
        this.osDefaults = osDefaults(kept.osEntry);
        this.#osChosenText();
        this.osSearch.value = kept.osQuery;
        this.#searchOs(kept.osQuery.trim());
        const ref = v.source.type === 'cloud_image' ? v.source.image : v.source.volume;
        this.pickerReady.then(() => !this.destroyed && this.picker.choose(ref.pool, ref.name));
        this.seen = new Set(kept.seen);
        this.#show(kept.step, { focus: false });
    }

    // ---- the values -----------------------------------------------------------------

    /** The form's values as create-rules.js reads them. */
    values() {
        const f = this.f;
        const type = this.#sourceType();
        const ref = { pool: this.picker.poolName(), name: this.picker.volume.control.value };
        const net = f.network.control.value;
        return {
            source: {
                type,
                volume: type === 'iso' || type === 'import' ? ref : { pool: '', name: '' },
                image: type === 'cloud_image' ? ref : { pool: '', name: '' },
                linked: this.linked.checked,
                template: f.template.control.value,
                url: f.url.control.value,
                cloud_init: {
                    hostname: f.hostname.control.value, user: f.user.control.value, password: f.password.control.value,
                    ssh_keys: f.sshKeys.control.value, user_data: f.userData.control.value,
                },
            },
            os: this.osEntry?.id || '',
            name: f.name.control.value.trim(),
            title: f.title.control.value,
            description: f.description.control.value,
            vcpus: f.vcpus.control.value,
            memory_mib: f.memory.control.value,
            disk: { pool: f.diskPool.root.hidden ? '' : f.diskPool.control.value, size_gib: f.diskSize.control.value, format: f.diskFormat.control.value, bus: f.diskBus.control.value },
            network: {
                kind: net.startsWith('net:') ? 'network' : net, network: net.startsWith('net:') ? net.slice(4) : '',
                bridge: f.bridge.control.value, model: f.model.control.value,
            },
            firmware: f.firmware.control.value,
            tpm: f.tpm.control.checked,
            autostart: f.autostart.control.checked,
            start: f.start.control.checked,
        };
    }
}
