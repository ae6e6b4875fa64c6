// SPDX-License-Identifier: LGPL-2.1-or-later
// create-rules.js — the rules of the "Create VM" wizard (views/create-wizard.js),
// written to match the server's checks of POST /api/domains (docs/api.md, the issue 12
// contract) so that most mistakes show at their field before a request: the wizard's
// steps and which step owns a request member (a 400's dotted `field`), the defaults an
// osinfo entry (GET /api/os) gives, each step's checks and the request body built from
// the form's values. Pure (no DOM); every sentence comes from t() when it is asked for.
//
// The form's values (what the view reads from its controls; numbers are the typed text):
//   {source: {type, volume: {pool, name}, image: {pool, name}, url, linked, template,
//             cloud_init: {hostname, user, password, ssh_keys (text, one key a line), user_data}},
//    os (a short id or ""), name, title, description, vcpus, memory_mib,
//    disk: {pool, size_gib, format, bus},
//    network: {kind: "network" | "bridge" | "user" | "none", network, bridge, model},
//    firmware, tpm, autostart, start}

import { t } from './i18n.js';
// The VM page's title/description rule and sentences (domain-about.js: pure, no DOM at import).
import { metadataError } from './views/domain-about.js';
import { NIC_MODELS } from './device-rules.js';
import { nameFault, parseIntField, ifaceNameError, utf8Length, volumeNameError, NAME_MAX_BYTES } from './forms.js';

/** The wizard's steps, in order. */
export const STEPS = ['source', 'os', 'resources', 'summary'];

/** The sources the wizard offers, in order ("url": a network install tree). */
export const SOURCE_TYPES = ['iso', 'import', 'url', 'cloud_image', 'template', 'none'];

/** The longest install tree URL the server takes, in bytes. */
export const TREE_URL_MAX_BYTES = 1024;

/** The ranges the wizard checks (the server says its own in a 400's min/max). */
export const LIMITS = Object.freeze({
    vcpus: { min: 1, max: 255 },
    memory_mib: { min: 64, max: 16 * 1024 * 1024 },
    size_gib: { min: 1, max: 16 * 1024 },
    user_data_bytes: 64 * 1024,
});

export const DISK_FORMATS = ['qcow2', 'raw'];
export const DISK_BUSES = ['virtio', 'sata', 'scsi', 'ide'];
export { NIC_MODELS }; // the Network interfaces tab's
export const FIRMWARES = ['bios', 'uefi'];

/** Without an OS entry (or where it says nothing): the server's own defaults. */
const GENERIC = Object.freeze({
    vcpus: 1, memory_mib: 1024, size_gib: 10, firmware: 'bios', tpm: false, disk_bus: 'virtio', nic_model: 'virtio',
});

const num = (v) => (Number.isFinite(v) && v > 0 ? v : null);

/**
 * The defaults an osinfo entry gives a new VM: recommended figures, else the minimum,
 * else the generic ones; UEFI where the OS needs it (or cannot boot with BIOS); a TPM
 * where it needs one; its disk bus and NIC model. entry null: the generic defaults.
 */
export function osDefaults(entry) {
    if (!entry || typeof entry !== 'object') return { ...GENERIC };
    const fw = entry.firmware || {};
    const uefi = fw.uefi_required === true || (fw.bios === false && fw.uefi !== false);
    return {
        vcpus: num(entry.vcpus?.recommended) ?? num(entry.vcpus?.min) ?? GENERIC.vcpus,
        memory_mib: num(entry.memory?.recommended_mib) ?? num(entry.memory?.min_mib) ?? GENERIC.memory_mib,
        size_gib: num(entry.disk?.recommended_gib) ?? num(entry.disk?.min_gib) ?? GENERIC.size_gib,
        firmware: uefi ? 'uefi' : 'bios',
        tpm: entry.tpm_required === true,
        disk_bus: DISK_BUSES.includes(entry.disk_bus) ? entry.disk_bus : GENERIC.disk_bus,
        nic_model: NIC_MODELS.includes(entry.nic_model) ? entry.nic_model : GENERIC.nic_model,
    };
}

/** The step whose controls hold a request member (a 400's dotted field); "summary" for any other. */
export function stepOfField(field) {
    const f = String(field ?? '');
    if (f === 'source' || f.startsWith('source.')) return 'source';
    if (f === 'os') return 'os';
    const top = f.split('.')[0];
    const resources = ['name', 'title', 'description', 'vcpus', 'memory_mib', 'disk', 'network', 'firmware', 'tpm', 'autostart', 'start'];
    return resources.includes(top) ? 'resources' : 'summary';
}

/** Whether a source makes a new disk (iso, none), uses a volume as it is (import) or copies one. */
export function diskRole(type) {
    if (type === 'import') return 'none';
    if (type === 'cloud_image' || type === 'template') return 'copy';
    return 'new';
}

/** The SSH keys of a text field: one a line, blank lines left out. */
export function sshKeyList(text) {
    return String(text ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
}

const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const USER_RE = /^[a-z_][a-z0-9_-]{0,31}$/;

/**
 * A host name for a cloud-init seed made from a VM name: lower case, runs of anything
 * but letters, digits and "-" become "-", at most 63 characters; "" when nothing is left
 * (a name in Chinese: the user types one).
 */
export function hostnameFromName(name) {
    const s = String(name ?? '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, 63).replace(/-+$/, '');
    return LABEL_RE.test(s) ? s : '';
}

/** A host name of RFC 1123 labels (the server's seed rule); "" when fine. */
function hostnameError(text) {
    if (text.length > 253 || !text.split('.').every((l) => LABEL_RE.test(l))) return t('create.error.hostname');
    return '';
}

const IPV4_RE = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const TREE_URL_RE = /^(https?):\/\/(\[[0-9a-f:.]+\]|[^/:[\]]+)(?::(\d{1,5}))?(\/.*)?$/i;
const URL_PATH_RE = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;

/**
 * An install tree URL by the server's rule (docs/api.md): "http://" or "https://", a host
 * name or address, an optional port, a path; no user or password, query or fragment,
 * nothing a URL must escape; at most 1024 bytes. "" when fine.
 */
export function treeUrlError(text) {
    const url = String(text ?? '');
    if (!url) return t('create.error.url-empty');
    if (utf8Length(url) > TREE_URL_MAX_BYTES) return t('create.error.url-too-long', { max: TREE_URL_MAX_BYTES });
    if (!/^https?:\/\//.test(url)) return t('create.error.url-scheme');
    if (url.includes('#') || url.includes('?')) return t('create.error.url-query');
    const authority = url.slice(url.indexOf('//') + 2).split('/')[0];
    if (authority.includes('@')) return t('create.error.url-credentials');
    const m = TREE_URL_RE.exec(url);
    if (!m) return t('create.error.url-host');
    const host = m[2];
    const hostOk = host.startsWith('[') || IPV4_RE.test(host) || (host.length <= 253 && host.split('.').every((l) => LABEL_RE.test(l)));
    if (!hostOk) return t('create.error.url-host');
    if (m[3] !== undefined && (Number(m[3]) < 1 || Number(m[3]) > 65535)) return t('create.error.url-port');
    if (m[4] && !URL_PATH_RE.test(m[4])) return t('create.error.url-path');
    return '';
}

/** The VM name: required, the volume-name rule (its disks are named after it, as a clone's). */
export function vmNameError(name) {
    const fault = nameFault(name, 'file');
    if (fault === 'empty') return t('create.error.name-empty');
    if (fault === 'too_long') return t('create.error.name-too-long', { max: NAME_MAX_BYTES.file });
    return fault ? volumeNameError(name) : '';
}

function intError(text, range, what) {
    return parseIntField(text, { ...range, required: true, what }).error;
}

function checkSource(v, errors) {
    const src = v.source || {};
    if (!SOURCE_TYPES.includes(src.type)) {
        errors['source.type'] = t('create.error.source');
        return;
    }
    if (src.type === 'iso' || src.type === 'import') {
        if (!src.volume?.pool) errors['source.volume.pool'] = t('create.error.pool');
        else if (!src.volume?.name) errors['source.volume.name'] = src.type === 'iso' ? t('create.error.iso') : t('create.error.volume');
    } else if (src.type === 'url') {
        const err = treeUrlError((src.url || '').trim());
        if (err) errors['source.url'] = err;
    } else if (src.type === 'cloud_image') {
        if (!src.image?.pool) errors['source.image.pool'] = t('create.error.pool');
        else if (!src.image?.name) errors['source.image.name'] = t('create.error.image');
        const ci = src.cloud_init || {};
        // Left empty, the host name comes from the VM's name (typed on a later step): only
        // the whole request checks that one can be made (buildCreateRequest).
        const host = (ci.hostname || '').trim();
        const hostErr = host ? hostnameError(host) : '';
        if (hostErr) errors['source.cloud_init.hostname'] = hostErr;
        const user = (ci.user || '').trim();
        if (user && !USER_RE.test(user)) errors['source.cloud_init.user'] = t('create.error.user');
        const ud = ci.user_data || '';
        if (ud.trim()) {
            if (utf8Length(ud) > LIMITS.user_data_bytes) errors['source.cloud_init.user_data'] = t('create.error.user-data-size', { max: '64 KiB' });
            else if (!ud.startsWith('#cloud-config') && !ud.startsWith('#!')) errors['source.cloud_init.user_data'] = t('create.error.user-data-start');
        }
    } else if (src.type === 'template') {
        if (!src.template) errors['source.template'] = t('create.error.template');
    }
}

function checkResources(v, errors) {
    const nameErr = vmNameError(v.name);
    if (nameErr) errors.name = nameErr;
    const titleErr = metadataError('title', v.title || '');
    if (titleErr) errors.title = titleErr;
    const descErr = metadataError('description', v.description || '');
    if (descErr) errors.description = descErr;
    const vcpus = intError(v.vcpus, LIMITS.vcpus, t('create.what.vcpus'));
    if (vcpus) errors.vcpus = vcpus;
    const mem = intError(v.memory_mib, LIMITS.memory_mib, t('create.what.memory'));
    if (mem) errors.memory_mib = mem;
    const role = diskRole(v.source?.type);
    const disk = v.disk || {};
    if (role !== 'none') {
        // a copy without a pool stays in its source's pool (the server's default)
        if (!disk.pool && role === 'new') errors['disk.pool'] = t('create.error.pool');
        const size = parseIntField(disk.size_gib, { ...LIMITS.size_gib, required: role === 'new', what: t('create.what.disk-size') });
        if (size.error) errors['disk.size_gib'] = size.error;
    }
    const net = v.network || {};
    if (net.kind === 'network' && !net.network) errors['network.network'] = t('create.error.network');
    if (net.kind === 'bridge') {
        const err = ifaceNameError((net.bridge || '').trim(), t('forms.what.host-bridge'));
        if (err) errors['network.bridge'] = err;
    }
}

/** The errors (dotted request member -> sentence) of one step's controls; {} when fine. */
export function checkStep(step, values) {
    const errors = {};
    if (step === 'source') checkSource(values, errors);
    else if (step === 'resources') checkResources(values, errors);
    return errors;
}

/** The first step with an error (in STEPS order), or "" when errors is empty. */
export function firstErrorStep(errors) {
    const steps = Object.keys(errors || {}).filter((k) => errors[k]).map(stepOfField);
    return STEPS.find((s) => steps.includes(s)) || '';
}

function volumeRef(ref) {
    return { pool: ref?.pool || '', name: ref?.name || '' };
}

function sourceBody(v) {
    const src = v.source;
    switch (src.type) {
    case 'iso':
    case 'import':
        return { type: src.type, volume: volumeRef(src.volume) };
    case 'cloud_image': {
        const ci = src.cloud_init || {};
        const user = (ci.user || '').trim();
        const ud = ci.user_data || '';
        return {
            type: 'cloud_image', image: volumeRef(src.image), linked: !!src.linked,
            cloud_init: {
                hostname: (ci.hostname || '').trim() || hostnameFromName(v.name),
                ...(user ? { user } : {}),
                password: ci.password ? ci.password : null,
                ssh_keys: sshKeyList(ci.ssh_keys),
                user_data: ud.trim() ? ud : null,
            },
        };
    }
    case 'template':
        return { type: 'template', template: src.template, linked: !!src.linked };
    case 'url':
        return { type: 'url', url: (src.url || '').trim() };
    default:
        return { type: 'none' };
    }
}

function diskBody(v) {
    const role = diskRole(v.source.type);
    if (role === 'none') return null;
    const d = v.disk || {};
    const body = { ...(d.pool ? { pool: d.pool } : {}), format: DISK_FORMATS.includes(d.format) ? d.format : 'qcow2',
        bus: DISK_BUSES.includes(d.bus) ? d.bus : 'virtio' };
    const size = String(d.size_gib ?? '').trim();
    if (size) body.size_gib = Number(size);
    return body;
}

function networkBody(net = {}) {
    const model = NIC_MODELS.includes(net.model) ? { model: net.model } : {};
    if (net.kind === 'network') return { network: net.network, ...model };
    if (net.kind === 'bridge') return { bridge: (net.bridge || '').trim(), ...model };
    if (net.kind === 'user') return { user: true, ...model };
    return null;
}

/**
 * Checks every step and builds the POST /api/domains body. Returns {payload, errors}:
 * payload null while errors (dotted member -> sentence) has any. An empty title,
 * description or OS is left out; an import has no "disk"; no NIC is "network": null; a
 * template's copy has no "firmware" or "tpm" (it keeps the template's); a network install
 * (url) always starts: its install boot lives only in the running VM.
 */
export function buildCreateRequest(values) {
    const errors = {};
    for (const step of STEPS) Object.assign(errors, checkStep(step, values));
    const ci = values.source?.cloud_init;
    if (values.source?.type === 'cloud_image' && !(ci?.hostname || '').trim() && !errors.name && !hostnameFromName(values.name)) {
        errors['source.cloud_init.hostname'] = t('create.error.hostname-empty');
    }
    if (Object.keys(errors).length) return { payload: null, errors };
    const v = values;
    const payload = { name: v.name };
    if (v.title) payload.title = v.title;
    if (v.description) payload.description = v.description;
    if (v.os) payload.os = v.os;
    payload.vcpus = Number(String(v.vcpus).trim());
    payload.memory_mib = Number(String(v.memory_mib).trim());
    if (v.source.type !== 'template') { // a template's copy keeps its firmware and TPM
        payload.firmware = FIRMWARES.includes(v.firmware) ? v.firmware : 'bios';
        payload.tpm = !!v.tpm;
    }
    payload.source = sourceBody(v);
    const disk = diskBody(v);
    if (disk) payload.disk = disk;
    payload.network = networkBody(v.network);
    payload.autostart = !!v.autostart;
    payload.start = v.source.type === 'url' || !!v.start;
    return { payload, errors };
}
