// SPDX-License-Identifier: LGPL-2.1-or-later
// config-rules.js — the rules of the VM page's Configuration tab (views/domain-config.js),
// written to match the server's checks of PATCH /api/domains/{uuid} (docs/api.md
// "configure" and "Tuning members"; server/virt/virt_domain_config.c and
// virt_tuning_xml.c) so that a mistake shows at its field before a request: ranges,
// enumerations, cpusets against the host's CPUs, and the topology product. Each group's
// check takes the form's values and the persistent configuration it was filled from
// and returns {payload, errors}: only the members that changed, errors keyed by the
// request member's dotted name (the server's `field`). Also: the host's CPUs grouped by
// NUMA cell from GET /api/host/capabilities (the host's CPU count when libvirt lists no
// cells). Pure (no DOM); every sentence comes from t() when it is asked for.

import { t } from './i18n.js';
import { parseIntField, utf8Length } from './forms.js';

/** The ranges of docs/api.md. */
export const LIMITS = Object.freeze({
    vcpus: { min: 1, max: 4096 },
    memory_mib: { min: 16, max: 16777216 },
    memtune_mib: { min: 1, max: 8796093022206 },
    shares: { min: 2, max: 262144 },
    period: { min: 1000, max: 1000000 },
    quota: { min: 1000, max: 17592186044415 },
    weight: { min: 100, max: 1000 },
    iotune: { min: 0, max: 1e15 },
    vnc_password_bytes: 8,
    name_bytes: 255,
    cpuset_bytes: 1024,
});

export const CPU_MODES = ['host-passthrough', 'host-model', 'custom', 'maximum'];
export const BOOT_DEVICES = ['hd', 'cdrom', 'network', 'fd'];
export const FIRMWARES = ['bios', 'uefi'];
export const WATCHDOG_MODELS = ['i6300esb', 'itco'];
export const WATCHDOG_ACTIONS = ['reset', 'poweroff', 'shutdown', 'pause', 'none', 'dump', 'inject-nmi'];
export const TPM_MODELS = ['tpm-crb', 'tpm-tis'];
export const VIDEO_MODELS = ['virtio', 'qxl', 'vga', 'bochs', 'cirrus', 'none'];
export const KEYMAPS = ['ar', 'bepo', 'cz', 'da', 'de', 'de-ch', 'en-gb', 'en-us', 'es', 'et', 'fi', 'fo', 'fr',
    'fr-be', 'fr-ca', 'fr-ch', 'hr', 'hu', 'is', 'it', 'ja', 'lt', 'lv', 'mk', 'nl', 'no', 'pl', 'pt', 'pt-br', 'ru',
    'sl', 'sv', 'th', 'tr'];
export const NUMATUNE_MODES = ['strict', 'preferred', 'interleave', 'restrictive'];
export const IOTUNE_KEYS = ['total_bytes_sec', 'read_bytes_sec', 'write_bytes_sec', 'total_iops_sec', 'read_iops_sec', 'write_iops_sec'];
// The words for the values and members above, each id written out (the i18n check sees them).
const WORDS = {
    mode: () => ({
        'host-passthrough': t('config.cpu-mode.host-passthrough'), 'host-model': t('config.cpu-mode.host-model'),
        custom: t('config.cpu-mode.custom'), maximum: t('config.cpu-mode.maximum'),
    }),
    boot: () => ({ hd: t('config.boot.hd'), cdrom: t('config.boot.cdrom'), network: t('config.boot.network'), fd: t('config.boot.fd') }),
    firmware: () => ({ bios: t('config.firmware.bios'), uefi: t('config.firmware.uefi') }),
    video: () => ({
        virtio: t('config.video.virtio'), qxl: t('config.video.qxl'), vga: t('config.video.vga'), bochs: t('config.video.bochs'),
        cirrus: t('config.video.cirrus'), none: t('config.video.none'),
    }),
    watchdog: () => ({ i6300esb: t('config.watchdog.i6300esb'), itco: t('config.watchdog.itco') }),
    action: () => ({
        reset: t('config.watchdog.reset'), poweroff: t('config.watchdog.poweroff'), shutdown: t('config.watchdog.shutdown'),
        pause: t('config.watchdog.pause'), none: t('config.watchdog.none'), dump: t('config.watchdog.dump'),
        'inject-nmi': t('config.watchdog.inject-nmi'),
    }),
    tpm: () => ({ 'tpm-crb': t('config.tpm.crb'), 'tpm-tis': t('config.tpm.tis') }),
    numa: () => ({
        strict: t('config.numa.strict'), preferred: t('config.numa.preferred'), interleave: t('config.numa.interleave'),
        restrictive: t('config.numa.restrictive'),
    }),
    iotune: () => ({
        total_bytes_sec: t('config.iotune.total-bytes'), read_bytes_sec: t('config.iotune.read-bytes'), write_bytes_sec: t('config.iotune.write-bytes'),
        total_iops_sec: t('config.iotune.total-iops'), read_iops_sec: t('config.iotune.read-iops'), write_iops_sec: t('config.iotune.write-iops'),
    }),
    what: () => ({
        sockets: t('config.what.sockets'), cores: t('config.what.cores'), threads: t('config.what.threads'),
        hard: t('config.what.hard'), soft: t('config.what.soft'), swap: t('config.what.swap'),
    }),
    member: () => ({
        name: t('config.member.name'), vcpus: t('config.member.vcpus'), max_vcpus: t('config.member.max_vcpus'),
        memory_mib: t('config.member.memory_mib'), max_memory_mib: t('config.member.max_memory_mib'), cpu: t('config.member.cpu'),
        boot: t('config.member.boot'), autostart: t('config.member.autostart'), firmware: t('config.member.firmware'),
        watchdog: t('config.member.watchdog'), rng: t('config.member.rng'), tpm: t('config.member.tpm'), video: t('config.member.video'),
        vnc: t('config.member.vnc'), vcpupin: t('config.member.vcpupin'), emulatorpin: t('config.member.emulatorpin'),
        numatune: t('config.member.numatune'), numa_cells: t('config.member.numa_cells'), hugepages: t('config.member.hugepages'),
        cputune: t('config.member.cputune'), blkiotune: t('config.member.blkiotune'), iotune: t('config.member.iotune'),
        memtune: t('config.member.memtune'),
    }),
};

/**
 * The UI's word for a value or member: kind one of "mode" (CPU mode), "boot" (device),
 * "firmware", "video", "watchdog" (model), "action" (watchdog action), "tpm", "numa"
 * (numatune mode), "iotune" (limit), "what" (topology part or memory limit), "member"
 * (a PATCH member). An unknown value is itself.
 */
export function wordFor(kind, value) {
    const words = WORDS[kind]();
    return Object.hasOwn(words, value) ? words[value] : String(value);
}

/** The memory backing of a definition's `hugepages` ({size_kib} or null) in words. */
export function hugePagesText(hugepages) {
    if (!hugepages) return t('config.hugepages.none');
    const kib = hugepages.size_kib;
    if (!Number.isInteger(kib)) return t('config.hugepages.default');
    return t('config.hugepages.size', { size: kib >= 1048576 && kib % 1048576 === 0 ? `${kib / 1048576} GiB` : `${kib / 1024} MiB` });
}

const CPU_MODEL_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The host's CPUs by NUMA cell: [{id, cpus: [ids]}] from capabilities' host.numa; a host
 * without cells (libvirt's test driver) is one cell 0 of hostCpus CPUs (GET /api/host
 * `cpus`), as the server counts them. Returns {cells, cpuCount, nodeCount}.
 */
export function hostCpuCells(caps, hostCpus) {
    const numa = Array.isArray(caps?.host?.numa) ? caps.host.numa : [];
    let cells = numa.filter((c) => Number.isInteger(c?.id) && Array.isArray(c.cpus))
        .map((c) => ({ id: c.id, cpus: c.cpus.filter(Number.isInteger).sort((a, b) => a - b) }));
    if (!cells.length) {
        const n = Number.isInteger(hostCpus) && hostCpus > 0 ? hostCpus : 0;
        cells = [{ id: 0, cpus: Array.from({ length: n }, (_, i) => i) }];
    }
    const ids = cells.flatMap((c) => c.cpus);
    return {
        cells,
        cpuCount: ids.length ? Math.max(...ids) + 1 : 0,
        nodeCount: Math.max(...cells.map((c) => c.id)) + 1,
    };
}

/**
 * libvirt's cpuset syntax ("0-3,^2,5": ids and ranges, "^id" leaves one out, in order,
 * no spaces) -> {ids: sorted array, error: ""}; each id must be below limit. what names
 * the field in the sentence.
 */
export function parseCpuset(text, limit, what = t('config.what.cpuset')) {
    const s = String(text ?? '');
    if (!s) return { ids: [], error: t('forms.error.enter', { what }) };
    if (utf8Length(s) > LIMITS.cpuset_bytes || !/^\^?[0-9]+(-[0-9]+)?(,\^?[0-9]+(-[0-9]+)?)*$/.test(s)) {
        return { ids: [], error: t('config.error.cpuset-syntax', { what }) };
    }
    const set = new Set();
    for (const part of s.split(',')) {
        const neg = part.startsWith('^');
        const [a, b = a] = part.replace('^', '').split('-').map(Number);
        if (neg && part.includes('-')) return { ids: [], error: t('config.error.cpuset-syntax', { what }) };
        if (a > b) return { ids: [], error: t('config.error.cpuset-syntax', { what }) };
        if (b >= limit) return { ids: [], error: t('config.error.cpuset-range', { what, max: String(limit - 1) }) };
        for (let i = a; i <= b; i++) {
            if (neg) set.delete(i);
            else set.add(i);
        }
    }
    if (!set.size) return { ids: [], error: t('config.error.cpuset-empty', { what }) };
    return { ids: [...set].sort((x, y) => x - y), error: '' };
}

/** Sorted ids -> libvirt's canonical cpuset ("0-1,3,5"; a run of two is a range). */
export function cpusetText(ids) {
    const sorted = [...new Set(ids)].sort((a, b) => a - b);
    const parts = [];
    for (let i = 0; i < sorted.length;) {
        let j = i;
        while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
        parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
        i = j + 1;
    }
    return parts.join(',');
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** An integer field: {value, error}; empty is null (allowed unless required). */
function intOf(text, range, what, required = true) {
    return parseIntField(text, { min: range.min, max: range.max, required, what });
}

/**
 * The CPU group. values: {vcpus, max_vcpus (text), mode, model, topology (bool),
 * sockets, cores, threads (text)}; orig: {vcpus, config}. The topology's product must be
 * the maximum vCPUs; dies are kept from the definition.
 */
export function checkCpu(values, orig) {
    const errors = {};
    const payload = {};
    const cfg = orig.config || {};
    const max = intOf(values.max_vcpus, LIMITS.vcpus, t('config.what.max-vcpus'));
    errors.max_vcpus = max.error;
    const cur = intOf(values.vcpus, { min: 1, max: max.value ?? LIMITS.vcpus.max }, t('config.what.vcpus'));
    errors.vcpus = cur.error;
    if (!errors.max_vcpus && !errors.vcpus && max.value !== cfg.max_vcpus) payload.max_vcpus = max.value;
    if (!errors.vcpus && cur.value !== orig.vcpus) payload.vcpus = cur.value;
    const mode = values.mode;
    let cpu = null;
    if (mode) {
        cpu = { mode, model: null, topology: null };
        if (mode === 'custom') {
            if (!CPU_MODEL_RE.test(values.model || '')) errors['cpu.model'] = t('config.error.cpu-model');
            cpu.model = values.model || null;
        }
        if (values.topology) {
            const topo = {};
            for (const part of ['sockets', 'cores', 'threads']) {
                const r = intOf(values[part], LIMITS.vcpus, wordFor('what', part));
                errors[`cpu.topology.${part}`] = r.error;
                topo[part] = r.value;
            }
            topo.dies = cfg.cpu?.topology?.dies || 1;
            const parts = ['sockets', 'dies', 'cores', 'threads'];
            if (parts.every((p) => Number.isInteger(topo[p])) && max.value !== null) {
                const product = parts.reduce((n, p) => n * topo[p], 1);
                if (product !== max.value) errors['cpu.topology'] = t('config.error.topology', { product: String(product), max: String(max.value) });
            }
            cpu.topology = { sockets: topo.sockets, dies: topo.dies, cores: topo.cores, threads: topo.threads };
        }
    }
    const was = cfg.cpu ? { mode: cfg.cpu.mode, model: cfg.cpu.model ?? null, topology: cfg.cpu.topology ?? null } : null;
    if (cpu && !same(cpu, was)) payload.cpu = cpu;
    if (!cpu && was) errors['cpu.mode'] = t('config.error.cpu-mode');
    return { payload, errors: prune(errors) };
}

/**
 * The Memory group. values: {memory_mib, max_memory_mib, hard, soft, swap (MiB text, ""
 * = no limit)}; orig: {memory_mib, config}.
 */
export function checkMemory(values, orig) {
    const errors = {};
    const payload = {};
    const cfg = orig.config || {};
    const max = intOf(values.max_memory_mib, LIMITS.memory_mib, t('config.what.max-memory'));
    errors.max_memory_mib = max.error;
    const cur = intOf(values.memory_mib, { min: LIMITS.memory_mib.min, max: max.value ?? LIMITS.memory_mib.max }, t('config.what.memory'));
    errors.memory_mib = cur.error;
    if (!max.error && max.value !== cfg.max_memory_mib) payload.max_memory_mib = max.value;
    if (!cur.error && cur.value !== orig.memory_mib) payload.memory_mib = cur.value;
    const mt = {};
    for (const [key, name] of [['hard', 'hard_limit_mib'], ['soft', 'soft_limit_mib'], ['swap', 'swap_hard_limit_mib']]) {
        const r = intOf(values[key], LIMITS.memtune_mib, wordFor('what', key), false);
        errors[`memtune.${name}`] = r.error;
        mt[name] = r.value;
    }
    if (mt.swap_hard_limit_mib !== null && mt.hard_limit_mib !== null && mt.swap_hard_limit_mib < mt.hard_limit_mib) {
        errors['memtune.swap_hard_limit_mib'] = t('config.error.swap-below-hard');
    }
    const none = Object.values(mt).every((v) => v === null);
    const wasMt = cfg.memtune || null;
    if (none ? wasMt !== null : !same(mt, wasMt && { hard_limit_mib: wasMt.hard_limit_mib ?? null, soft_limit_mib: wasMt.soft_limit_mib ?? null, swap_hard_limit_mib: wasMt.swap_hard_limit_mib ?? null })) {
        payload.memtune = none ? null : mt;
    }
    return { payload, errors: prune(errors) };
}

/** The name rule (docs/api.md **Names**): 1–255 bytes of text without control characters or "/". */
export function vmNameError(name) {
    const s = String(name ?? '');
    if (!s) return t('forms.error.enter', { what: t('forms.what.name') });
    if (utf8Length(s) > LIMITS.name_bytes) return t('config.error.name-long', { max: String(LIMITS.name_bytes) });
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f-\u009f/]/.test(s)) return t('config.error.name-chars');
    return '';
}

/**
 * The Boot & general group. values: {name, order: [device or ""] (4 slots), menu,
 * autostart, firmware, video, watchdog ("" = none), watchdog_action, rng, tpm ("" =
 * none), keymap ("" = default), password, password_clear}; orig: {name, autostart,
 * config, running}.
 */
export function checkGeneral(values, orig) {
    const errors = {};
    const payload = {};
    const cfg = orig.config || {};
    if (values.name !== orig.name) {
        errors.name = orig.running ? t('config.error.name-running') : vmNameError(values.name);
        if (!errors.name) payload.name = values.name;
    }
    const order = values.order.filter(Boolean);
    if (!order.length) errors['boot.order'] = t('config.error.boot-empty');
    else if (new Set(order).size !== order.length) errors['boot.order'] = t('config.error.boot-twice');
    const boot = {};
    if (!same(order, cfg.boot?.order)) boot.order = order;
    if (!!values.menu !== !!cfg.boot?.menu) boot.menu = !!values.menu;
    if (Object.keys(boot).length) payload.boot = boot;
    if (!!values.autostart !== !!orig.autostart) payload.autostart = !!values.autostart;
    if (values.firmware !== cfg.firmware) {
        if (orig.running) errors.firmware = t('config.error.firmware-running');
        else payload.firmware = values.firmware;
    }
    if (values.video !== (cfg.video?.model ?? '')) payload.video = { model: values.video };
    const wd = values.watchdog ? { model: values.watchdog, action: values.watchdog_action || 'reset' } : null;
    if (!same(wd, cfg.watchdog && { model: cfg.watchdog.model, action: cfg.watchdog.action || 'reset' })) payload.watchdog = wd;
    if (!!values.rng !== !!cfg.rng) payload.rng = !!values.rng;
    if (values.tpm !== (cfg.tpm?.model ?? '')) payload.tpm = values.tpm ? { model: values.tpm, version: '2.0' } : null;
    const vnc = {};
    if (cfg.vnc) {
        if ((values.keymap || null) !== (cfg.vnc.keymap ?? null)) vnc.keymap = values.keymap || null;
        if (values.password) {
            const n = utf8Length(values.password);
            if (n > LIMITS.vnc_password_bytes) errors['vnc.password'] = t('config.error.vnc-password', { max: String(LIMITS.vnc_password_bytes) });
            else vnc.password = values.password;
        } else if (values.password_clear && cfg.vnc.password_set) {
            vnc.password = null;
        }
    }
    if (Object.keys(vnc).length) payload.vnc = vnc;
    return { payload, errors: prune(errors) };
}

/**
 * The Tuning group. values: {pins: [[host cpu ids] per vCPU; [] = any CPU], emulatorpin
 * (cpuset text, "" = none), shares, period, quota, numa_mode ("" = none), nodeset,
 * hugepages ("" = normal pages, "default" = the host's default size as defined, else KiB text), weight, iotune: [{target, six texts}],
 * cells: [{cpus, memory_mib}]};
 * orig: {config}; host: hostCpuCells()'s answer.
 */
export function checkTuning(values, orig, host) {
    const errors = {};
    const payload = {};
    const cfg = orig.config || {};
    const pins = [];
    values.pins.forEach((ids, vcpu) => {
        const bad = ids.find((id) => id >= host.cpuCount);
        if (bad !== undefined) errors[`pin.${vcpu}`] = t('config.error.cpuset-range', { what: t('config.what.cpus'), max: String(host.cpuCount - 1) });
        else if (ids.length) pins.push({ vcpu, cpuset: cpusetText(ids) });
    });
    const wasPins = (cfg.vcpupin || []).map((p) => ({ vcpu: p.vcpu, cpuset: p.cpuset }));
    // without the host's CPUs (capabilities unread) the grid has no columns: keep the pins
    if (host.cpuCount > 0 && !same(pins, wasPins)) payload.vcpupin = pins;
    let emu = null;
    if (values.emulatorpin) {
        const r = parseCpuset(values.emulatorpin, host.cpuCount, t('config.what.emulatorpin'));
        errors.emulatorpin = r.error;
        emu = r.error ? null : cpusetText(r.ids);
    }
    if (!errors.emulatorpin && emu !== (cfg.emulatorpin ?? null)) payload.emulatorpin = emu;
    const ct = {};
    ct.shares = intOf(values.shares, LIMITS.shares, t('config.what.shares'), false);
    ct.period = intOf(values.period, LIMITS.period, t('config.what.period'), false);
    ct.quota = String(values.quota ?? '').trim() === '-1' ? { value: -1, error: '' }
        : intOf(values.quota, LIMITS.quota, t('config.what.quota'), false);
    if (ct.quota.error) ct.quota.error = t('config.error.quota', { min: String(LIMITS.quota.min), max: String(LIMITS.quota.max) });
    const cputune = {};
    for (const k of ['shares', 'period', 'quota']) {
        errors[`cputune.${k}`] = ct[k].error;
        cputune[k] = ct[k].value;
    }
    const wasCt = cfg.cputune ? { shares: cfg.cputune.shares ?? null, period: cfg.cputune.period ?? null, quota: cfg.cputune.quota ?? null } : null;
    const ctNone = Object.values(cputune).every((v) => v === null);
    if (ctNone ? wasCt !== null && Object.values(wasCt).some((v) => v !== null) : !same(cputune, wasCt)) {
        payload.cputune = ctNone ? null : cputune;
    }
    let numatune = null;
    if (values.numa_mode) {
        const r = parseCpuset(values.nodeset, host.nodeCount, t('config.what.nodeset'));
        errors['numatune.nodeset'] = r.error;
        numatune = { mode: values.numa_mode, nodeset: r.error ? '' : cpusetText(r.ids) };
    }
    if (!errors['numatune.nodeset'] && !same(numatune, cfg.numatune && { mode: cfg.numatune.mode, nodeset: cfg.numatune.nodeset })) payload.numatune = numatune;
    const huge = values.hugepages ? { size_kib: values.hugepages === 'default' ? null : Number(values.hugepages) } : null;
    if (!same(huge, cfg.hugepages && { size_kib: cfg.hugepages.size_kib ?? null })) payload.hugepages = huge;
    const w = intOf(values.weight, LIMITS.weight, t('config.what.weight'), false);
    errors['blkiotune.weight'] = w.error;
    if (!w.error && (w.value ?? null) !== (cfg.blkiotune?.weight ?? null)) payload.blkiotune = w.value === null ? null : { weight: w.value };
    const iotune = [];
    values.iotune.forEach((row, i) => {
        const entry = { target: row.target };
        for (const k of IOTUNE_KEYS) {
            const r = intOf(row[k] === '' ? '0' : row[k], LIMITS.iotune, wordFor('iotune', k));
            errors[`iotune.${i}.${k}`] = r.error;
            entry[k] = r.value ?? 0;
        }
        for (const kind of ['bytes', 'iops']) {
            if (entry[`total_${kind}_sec`] > 0 && (entry[`read_${kind}_sec`] > 0 || entry[`write_${kind}_sec`] > 0)) {
                errors[`iotune.${i}.total_${kind}_sec`] = t('config.error.iotune-total');
            }
        }
        const was = (cfg.iotune || []).find((x) => x.target === row.target) || {};
        if (IOTUNE_KEYS.some((k) => entry[k] !== (was[k] ?? 0))) iotune.push(entry);
    });
    if (iotune.length) payload.iotune = iotune;
    const cells = checkCells(values.cells, cfg.max_vcpus, errors);
    if (cells && !same(cells, (cfg.numa_cells || []).map((c) => ({ id: c.id, cpus: c.cpus, memory_mib: c.memory_mib })))) payload.numa_cells = cells;
    return { payload, errors: prune(errors) };
}

/**
 * Guest NUMA cells [{cpus (vCPU cpuset text), memory_mib (text)}] -> the request's
 * numa_cells (ids 0…n-1), or null when a row is wrong (its errors put in errors under
 * "numa_cells.<i>.<member>"). A vCPU in two cells is an error at the second.
 */
function checkCells(rows, maxVcpus, errors) {
    const out = [];
    const seen = new Set();
    let ok = true;
    rows.forEach((row, i) => {
        const c = parseCpuset(row.cpus, maxVcpus, t('config.what.cell-cpus'));
        const m = intOf(row.memory_mib, LIMITS.memtune_mib, t('config.what.cell-memory'));
        if (!c.error && c.ids.some((id) => seen.has(id))) c.error = t('config.error.cell-overlap');
        for (const id of c.ids) seen.add(id);
        errors[`numa_cells.${i}.cpus`] = c.error;
        errors[`numa_cells.${i}.memory_mib`] = m.error;
        if (c.error || m.error) ok = false;
        else out.push({ id: i, cpus: cpusetText(c.ids), memory_mib: m.value });
    });
    return ok ? out : null;
}

/** Drops the empty messages. */
function prune(errors) {
    return Object.fromEntries(Object.entries(errors).filter(([, v]) => v));
}

/**
 * The server's field for a member of a PATCH body this module built -> the form key:
 * vcpupin[i].cpuset/.vcpu -> "pin.<vcpu>", iotune[i].<k> -> "iotune.<row>.<k>" (the
 * row of that target among rows), numa_cells[i].<k> -> "numa_cells.<i>.<k>", a whole
 * object to its first control (cputune -> cputune.shares). Other names are their own key.
 */
export function formKeyOf(field, payload, targets = []) {
    const pin = /^vcpupin\[(\d+)\]/.exec(field);
    if (pin) {
        const entry = payload.vcpupin?.[Number(pin[1])];
        return entry ? `pin.${entry.vcpu}` : field;
    }
    const cell = /^numa_cells\[(\d+)\]\.?(.*)$/.exec(field);
    if (cell) return `numa_cells.${cell[1]}.${cell[2] === 'memory_mib' ? 'memory_mib' : 'cpus'}`;
    const io = /^iotune\[(\d+)\]\.?(.*)$/.exec(field);
    if (io) {
        const entry = payload.iotune?.[Number(io[1])];
        const row = entry ? targets.indexOf(entry.target) : -1;
        return row >= 0 ? `iotune.${row}.${io[2] && io[2] !== 'target' ? io[2] : 'total_bytes_sec'}` : field;
    }
    const whole = { cputune: 'cputune.shares', blkiotune: 'blkiotune.weight', numatune: 'numatune.mode', 'hugepages.size_kib': 'hugepages' };
    return whole[field] || field;
}
