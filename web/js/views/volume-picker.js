// SPDX-License-Identifier: LGPL-2.1-or-later
// views/volume-picker.js — two linked selects, a storage pool and one of its
// volumes (only ISO images when isoOnly, falling back to every volume when the pool
// has none), filled from the API. Each volume says who uses it: "in use by <VM>" for
// other VMs, and one already attached to this VM (uuid) is marked and cannot be chosen
// (the server refuses it). Used by the Disks tab (attach, insert a CD-ROM medium).
// Browser main thread.

import { field, selectInput, setOptions, failureText } from './form-kit.js';
import { isoVolumes } from '../storage-rules.js';
import { volumeAttachRule } from '../device-rules.js';
import { nameList } from '../network-rules.js';
import { formatBytes } from '../format.js';
import { t } from '../i18n.js';

export class VolumePicker {
    /** ctx: {api}; opts: {isoOnly, poolKey, volumeKey (errors keys), volumeLabel (translated), uuid (the VM's)}. */
    constructor(ctx, { isoOnly = false, poolKey = 'pool', volumeKey = 'volume', volumeLabel = t('devices.field.volume'), uuid = '' } = {}) {
        this.ctx = ctx;
        this.isoOnly = isoOnly;
        this.uuid = uuid;
        this.pools = [];
        this.vols = []; // the chosen pool's volumes as last read
        this.poolSeq = 0; // pools and volumes are read independently: each has its own
        this.volSeq = 0;  // sequence so a later answer never loses to an older one
        this.pool = field({ label: t('devices.field.pool'), key: poolKey, control: selectInput([['', t('resources.loading')]]) });
        this.volume = field({ label: volumeLabel, key: volumeKey, control: selectInput([['', '\u2014']]) });
        this.note = this.volume.root.appendChild(document.createElement('p'));
        this.note.className = 'field-hint';
        this.note.hidden = true;
        this.pool.control.addEventListener('change', () => this.#loadVolumes());
    }

    /** Shows ISO images only (CD-ROM) or every volume (disk). */
    setIsoOnly(isoOnly) {
        if (this.isoOnly === isoOnly) return;
        this.isoOnly = isoOnly;
        this.#loadVolumes();
    }

    /** Reads the active pools, then the chosen pool's volumes. */
    async load() {
        const seq = ++this.poolSeq;
        try {
            const pools = (await this.ctx.api.pools()).filter((p) => p.active);
            if (seq !== this.poolSeq) return;
            this.pools = pools;
            const prev = this.pool.control.value;
            setOptions(this.pool.control, pools.length ? pools.map((p) => [p.name, p.name]) : [['', t('devices.picker.no-pool')]],
                pools.some((p) => p.name === prev) ? prev : pools[0]?.name || '');
            await this.#loadVolumes();
        } catch (err) {
            if (seq !== this.poolSeq) return;
            setOptions(this.pool.control, [['', failureText(t('devices.picker.pools-failed'), err)]]);
        }
    }

    /**
     * Chooses pool and its volume where they are offered (after load(): a page built
     * again, a volume just uploaded); resolves once the pool's volumes are read.
     */
    async choose(pool, volume) {
        if (pool && pool !== this.pool.control.value && this.pools.some((p) => p.name === pool)) {
            this.pool.control.value = pool;
            await this.#loadVolumes();
        }
        const sel = this.volume.control;
        if ([...sel.options].some((o) => o.value === volume && !o.disabled)) sel.value = volume;
    }

    /** The chosen pool (for a new volume). */
    poolName() {
        return this.pool.control.value;
    }

    /** The chosen volume's entry as last read (with its used_by), or null. */
    chosenVolume() {
        const name = this.volume.control.value;
        return this.vols.find((v) => v.name === name) || null;
    }

    /** A volume's option: its text with who uses it; disabled when attached to this VM. */
    #option(v) {
        const text = t('devices.picker.volume', { name: v.name, format: v.format || '?', size: formatBytes(v.capacity_bytes) });
        const rule = volumeAttachRule(v, this.uuid);
        if (rule.attached) return { value: v.name, text: t('devices.picker.volume-attached', { volume: text }), disabled: true };
        if (rule.others.length) return { value: v.name, text: t('devices.picker.volume-in-use', { volume: text, vms: nameList(rule.others.map((u) => u.name)) }) };
        return { value: v.name, text };
    }

    /** Fills the volume select with list's options, keeping the choice when it can. */
    #fill(list) {
        const sel = this.volume.control;
        const prev = sel.value;
        const opts = list.map((v) => this.#option(v));
        setOptions(sel, opts.map((o) => [o.value, o.text]), prev);
        opts.forEach((o, i) => { if (o.disabled) sel.options[i].disabled = true; });
        if (sel.selectedOptions[0]?.disabled) sel.value = opts.find((o) => !o.disabled)?.value ?? '';
    }

    async #loadVolumes() {
        const pool = this.pool.control.value;
        const seq = ++this.volSeq;
        this.note.hidden = true;
        this.vols = [];
        if (!pool) {
            setOptions(this.volume.control, [['', '\u2014']]);
            return;
        }
        setOptions(this.volume.control, [['', t('resources.loading')]]);
        try {
            const vols = await this.ctx.api.volumes(pool);
            if (seq !== this.volSeq) return;
            let list = vols;
            if (this.isoOnly) {
                const isos = isoVolumes(vols);
                if (isos.length) list = isos;
                else if (vols.length) {
                    this.note.textContent = t('devices.picker.no-iso');
                    this.note.hidden = false;
                }
            }
            this.vols = vols;
            if (list.length) this.#fill(list);
            else setOptions(this.volume.control, [['', t('devices.picker.no-volume')]]);
        } catch (err) {
            if (seq !== this.volSeq) return;
            setOptions(this.volume.control, [['', failureText(t('devices.picker.volumes-failed'), err)]]);
        }
    }
}
