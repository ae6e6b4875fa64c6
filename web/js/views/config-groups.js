// SPDX-License-Identifier: LGPL-2.1-or-later
// views/config-groups.js — the CPU, Memory and Boot & general groups of the
// Configuration tab (views/domain-config.js): their controls, filled from the detail's
// persistent `config` (and the summary's live figures where the detail has no persistent
// one), each checked by config-rules.js before its card's Save (views/config-card.js).
// Each builder returns {card, fill(detail, caps)}; fill leaves a group the user is
// editing alone. Browser main thread.

import { h } from './dom.js';
import { field, textInput, selectInput, setOptions, checkbox, optionalLabel } from './form-kit.js';
import { configCard, pendingBadge } from './config-card.js';
import {
    checkCpu, checkMemory, checkGeneral, wordFor, BOOT_DEVICES, FIRMWARES, KEYMAPS, TPM_MODELS, VIDEO_MODELS, WATCHDOG_ACTIONS,
    WATCHDOG_MODELS,
} from '../config-rules.js';
import { t } from '../i18n.js';

/** A refused member of the general group whose control has another key. */
const GENERAL_KEYS = {
    boot: 'boot.order', 'watchdog.model': 'watchdog', 'tpm.model': 'tpm', 'tpm.version': 'tpm', 'video.model': 'video', vnc: 'vnc.keymap',
};

const isRunning = (d) => !!d && (d.state === 'running' || d.state === 'paused');

/** A field with a "next boot" badge for member after its label. */
function badged(f, member) {
    f.root.querySelector('label').after(pendingBadge(member));
    return f;
}

/** The number shown for a size in MiB. */
const mib = (kib) => (Number.isFinite(kib) ? String(Math.round(kib / 1024)) : '');

/**
 * ctx: {uuid, send(payload) -> Promise, applied(answer), label(member), running(),
 * detail(), planned(member) -> the next boot's value of a pending vcpus / memory_mib
 * when known}.
 */
export function cpuGroup(ctx) {
    const f = {
        vcpus: badged(field({ label: t('config.field.vcpus'), key: 'vcpus', control: textInput({ name: 'vcpus', inputmode: 'numeric' }) }), 'vcpus'),
        max_vcpus: badged(field({ label: t('config.field.max-vcpus'), key: 'max_vcpus', control: textInput({ name: 'max_vcpus', inputmode: 'numeric' }), hint: t('config.hint.max-vcpus') }), 'max_vcpus'),
        mode: badged(field({ label: t('config.field.cpu-mode'), key: 'cpu.mode', control: selectInput([], { name: 'mode' }) }), 'cpu'),
        model: field({ label: t('config.field.cpu-model'), key: 'cpu.model', control: selectInput([], { name: 'model' }) }),
        topology: field({ label: t('config.field.topology'), key: 'cpu.topology', inline: true, control: checkbox({ name: 'topology' }) }),
        sockets: field({ label: t('config.field.sockets'), key: 'cpu.topology.sockets', control: textInput({ name: 'sockets', inputmode: 'numeric' }) }),
        cores: field({ label: t('config.field.cores'), key: 'cpu.topology.cores', control: textInput({ name: 'cores', inputmode: 'numeric' }) }),
        threads: field({ label: t('config.field.threads'), key: 'cpu.topology.threads', control: textInput({ name: 'threads', inputmode: 'numeric' }) }),
    };
    const topoGrid = h('div', { class: 'form-grid' }, f.sockets.root, f.cores.root, f.threads.root);
    const live = h('p', { class: 'field-hint config-live', hidden: true });
    // a topology belongs to a <cpu> element: none is offered with the hypervisor's default CPU
    const sync = () => {
        f.model.root.hidden = f.mode.control.value !== 'custom';
        f.topology.root.hidden = !f.mode.control.value;
        topoGrid.hidden = !f.mode.control.value || !f.topology.control.checked;
    };
    f.mode.control.addEventListener('change', sync);
    f.topology.control.addEventListener('change', sync);
    const values = () => ({
        vcpus: f.vcpus.control.value, max_vcpus: f.max_vcpus.control.value, mode: f.mode.control.value, model: f.model.control.value,
        topology: f.topology.control.checked, sockets: f.sockets.control.value, cores: f.cores.control.value, threads: f.threads.control.value,
    });
    const orig = () => ({ vcpus: ctx.planned('vcpus') ?? ctx.detail().vcpus, config: ctx.detail().config });
    const card = configCard({
        id: 'cpu', title: t('config.group.cpu'),
        body: [h('div', { class: 'form-grid' }, f.vcpus.root, f.max_vcpus.root, f.mode.root, f.model.root), live, f.topology.root, topoGrid],
        fields: () => Object.values(f), check: () => checkCpu(values(), orig()), keyOf: (k) => (k === 'cpu' ? 'cpu.mode' : k), send: ctx.send, applied: ctx.applied, label: ctx.label, running: ctx.running,
    });
    return {
        card,
        fill(d, caps) {
            const cfg = d.config || {};
            const modes = Array.isArray(caps?.domain?.cpu_modes) ? caps.domain.cpu_modes.filter((m) => m !== 'custom' || caps.cpu_models?.length) : ['host-passthrough', 'host-model', 'custom', 'maximum'];
            const opts = modes.map((m) => [m, wordFor('mode', m)]);
            if (!cfg.cpu) opts.unshift(['', t('config.cpu-mode.default')]);
            if (cfg.cpu && !modes.includes(cfg.cpu.mode)) opts.push([cfg.cpu.mode, wordFor('mode', cfg.cpu.mode)]);
            const models = Array.isArray(caps?.cpu_models) ? [...caps.cpu_models] : [];
            if (cfg.cpu?.model && !models.includes(cfg.cpu.model)) models.unshift(cfg.cpu.model);
            const planned = ctx.planned('vcpus');
            live.textContent = planned !== undefined ? t('config.live-vcpus', { count: d.vcpus }) : '';
            live.hidden = !live.textContent;
            if (card.dirty()) return;
            setOptions(f.mode.control, opts, cfg.cpu ? cfg.cpu.mode : '');
            setOptions(f.model.control, models, cfg.cpu?.model || models[0]);
            f.vcpus.control.value = String(planned ?? d.vcpus ?? '');
            f.max_vcpus.control.value = String(cfg.max_vcpus ?? '');
            const topo = cfg.cpu?.topology;
            f.topology.control.checked = !!topo;
            f.sockets.control.value = String(topo?.sockets ?? 1);
            f.cores.control.value = String(topo?.cores ?? cfg.max_vcpus ?? 1);
            f.threads.control.value = String(topo?.threads ?? 1);
            sync();
        },
    };
}

export function memoryGroup(ctx) {
    const f = {
        memory_mib: badged(field({ label: t('config.field.memory'), key: 'memory_mib', control: textInput({ name: 'memory_mib', inputmode: 'numeric' }), hint: t('config.hint.memory') }), 'memory_mib'),
        max_memory_mib: badged(field({ label: t('config.field.max-memory'), key: 'max_memory_mib', control: textInput({ name: 'max_memory_mib', inputmode: 'numeric' }) }), 'max_memory_mib'),
        hard: field({ label: optionalLabel(t('config.field.hard-limit')), key: 'memtune.hard_limit_mib', control: textInput({ name: 'hard_limit_mib', inputmode: 'numeric' }), hint: t('config.hint.no-limit') }),
        soft: field({ label: optionalLabel(t('config.field.soft-limit')), key: 'memtune.soft_limit_mib', control: textInput({ name: 'soft_limit_mib', inputmode: 'numeric' }) }),
        swap: field({ label: optionalLabel(t('config.field.swap-limit')), key: 'memtune.swap_hard_limit_mib', control: textInput({ name: 'swap_hard_limit_mib', inputmode: 'numeric' }) }),
    };
    const live = h('p', { class: 'field-hint config-live', hidden: true });
    const values = () => ({
        memory_mib: f.memory_mib.control.value, max_memory_mib: f.max_memory_mib.control.value,
        hard: f.hard.control.value, soft: f.soft.control.value, swap: f.swap.control.value,
    });
    const orig = () => ({ memory_mib: ctx.planned('memory_mib') ?? Math.round(ctx.detail().memory_kib / 1024), config: ctx.detail().config });
    const card = configCard({
        id: 'memory', title: t('config.group.memory'),
        body: [h('div', { class: 'form-grid' }, f.memory_mib.root, f.max_memory_mib.root), live,
            h('div', { class: 'form-grid' }, f.hard.root, f.soft.root, f.swap.root)],
        fields: () => Object.values(f), check: () => checkMemory(values(), orig()), keyOf: (k) => (k === 'memtune' ? 'memtune.hard_limit_mib' : k), send: ctx.send, applied: ctx.applied, label: ctx.label, running: ctx.running,
    });
    return {
        card,
        fill(d) {
            const cfg = d.config || {};
            const liveMax = mib(d.max_memory_kib);
            const planned = ctx.planned('memory_mib');
            const notes = [];
            if (planned !== undefined) notes.push(t('config.live-memory', { size: t('config.mib', { n: mib(d.memory_kib) }) }));
            if (isRunning(d) && liveMax !== String(cfg.max_memory_mib)) notes.push(t('config.live-max-memory', { size: t('config.mib', { n: liveMax }) }));
            live.textContent = notes.join(' ');
            live.hidden = !live.textContent;
            if (card.dirty()) return;
            f.memory_mib.control.value = String(planned ?? mib(d.memory_kib));
            f.max_memory_mib.control.value = String(cfg.max_memory_mib ?? '');
            const mt = cfg.memtune || {};
            f.hard.control.value = String(mt.hard_limit_mib ?? '');
            f.soft.control.value = String(mt.soft_limit_mib ?? '');
            f.swap.control.value = String(mt.swap_hard_limit_mib ?? '');
        },
    };
}

export function generalGroup(ctx) {
    const devs = () => [['', t('config.boot.none')], ...BOOT_DEVICES.map((d) => [d, wordFor('boot', d)])];
    const f = {
        name: field({ label: t('config.field.name'), key: 'name', control: textInput({ name: 'name' }) }),
        autostart: field({ label: t('config.field.autostart'), key: 'autostart', inline: true, control: checkbox({ name: 'autostart' }) }),
        order: [0, 1, 2, 3].map((i) => field({ label: t('config.field.boot-n', { n: String(i + 1) }), key: i === 0 ? 'boot.order' : `boot.order.${i}`, control: selectInput(devs(), { name: `boot${i}` }) })),
        menu: field({ label: t('config.field.boot-menu'), key: 'boot.menu', inline: true, control: checkbox({ name: 'menu' }) }),
        firmware: badged(field({ label: t('config.field.firmware'), key: 'firmware', control: selectInput(FIRMWARES.map((x) => [x, wordFor('firmware', x)]), { name: 'firmware' }) }), 'firmware'),
        video: badged(field({ label: t('config.field.video'), key: 'video', control: selectInput([], { name: 'video' }) }), 'video'),
        watchdog: badged(field({ label: t('config.field.watchdog'), key: 'watchdog', control: selectInput([['', t('config.none')], ...WATCHDOG_MODELS.map((m) => [m, wordFor('watchdog', m)])], { name: 'watchdog' }) }), 'watchdog'),
        action: field({ label: t('config.field.watchdog-action'), key: 'watchdog.action', control: selectInput(WATCHDOG_ACTIONS.map((a) => [a, wordFor('action', a)]), { name: 'watchdog_action' }) }),
        rng: badged(field({ label: t('config.field.rng'), key: 'rng', inline: true, control: checkbox({ name: 'rng' }) }), 'rng'),
        tpm: badged(field({ label: t('config.field.tpm'), key: 'tpm', control: selectInput([['', t('config.none')], ...TPM_MODELS.map((m) => [m, wordFor('tpm', m)])], { name: 'tpm' }) }), 'tpm'),
        keymap: field({ label: t('config.field.keymap'), key: 'vnc.keymap', control: selectInput([['', t('config.keymap.default')], ...KEYMAPS], { name: 'keymap' }) }),
        password: field({ label: optionalLabel(t('config.field.vnc-password')), key: 'vnc.password', control: textInput({ name: 'vnc_password', type: 'password', autocomplete: 'new-password' }), hint: t('config.hint.vnc-password') }),
        clear: field({ label: t('config.field.vnc-password-clear'), key: 'vnc.clear', inline: true, control: checkbox({ name: 'vnc_password_clear' }) }),
    };
    // QEMU's keymap codes are identifiers, not words of the UI's language
    for (const o of f.keymap.control.options) if (o.value) o.lang = 'en';
    badged(f.order[0], 'boot');
    badged(f.keymap, 'vnc');
    const nameHint = h('p', { class: 'field-hint config-name-why', hidden: true });
    f.name.root.append(nameHint);
    const firmwareHint = h('p', { class: 'field-hint config-firmware-why', hidden: true });
    f.firmware.root.append(firmwareHint);
    const vncBox = h('div', { class: 'form-grid' }, f.keymap.root, f.password.root, f.clear.root);
    const sync = () => { f.action.root.hidden = !f.watchdog.control.value; };
    f.watchdog.control.addEventListener('change', sync);
    const all = () => [f.name, f.autostart, ...f.order, f.menu, f.firmware, f.video, f.watchdog, f.action, f.rng, f.tpm, f.keymap, f.password, f.clear];
    const values = () => ({
        name: f.name.control.value, order: f.order.map((x) => x.control.value), menu: f.menu.control.checked,
        autostart: f.autostart.control.checked, firmware: f.firmware.control.value, video: f.video.control.value,
        watchdog: f.watchdog.control.value, watchdog_action: f.action.control.value, rng: f.rng.control.checked, tpm: f.tpm.control.value,
        keymap: f.keymap.control.value, password: f.password.control.value, password_clear: f.clear.control.checked,
    });
    const orig = () => {
        const d = ctx.detail();
        return { name: d.name, autostart: d.autostart, config: d.config, running: isRunning(d) };
    };
    const card = configCard({
        id: 'general', title: t('config.group.general'),
        body: [h('div', { class: 'form-grid' }, f.name.root, f.autostart.root),
            h('div', { class: 'form-grid config-boot' }, f.order.map((x) => x.root), f.menu.root),
            h('div', { class: 'form-grid' }, f.firmware.root, f.video.root, f.watchdog.root, f.action.root, f.tpm.root, f.rng.root),
            vncBox],
        fields: all, check: () => checkGeneral(values(), orig()), keyOf: (k) => GENERAL_KEYS[k] || k, send: ctx.send, applied: ctx.applied, label: ctx.label, running: ctx.running,
    });
    return {
        card,
        fill(d) {
            const cfg = d.config || {};
            const running = isRunning(d);
            f.name.control.disabled = running;
            nameHint.textContent = running ? t('config.hint.name-running') : '';
            nameHint.hidden = !running;
            f.firmware.control.disabled = running;
            firmwareHint.textContent = running ? t('config.hint.firmware-running') : '';
            firmwareHint.hidden = !running;
            vncBox.hidden = !cfg.vnc;
            if (card.dirty()) return;
            f.name.control.value = d.name || '';
            f.autostart.control.checked = !!d.autostart;
            const order = cfg.boot?.order || [];
            f.order.forEach((x, i) => { x.control.value = order[i] || ''; });
            f.menu.control.checked = !!cfg.boot?.menu;
            f.firmware.control.value = cfg.firmware || 'bios';
            const video = cfg.video?.model ?? '';
            setOptions(f.video.control, [...(video && !VIDEO_MODELS.includes(video) ? [video] : []), ...(video ? [] : [['', t('config.none')]]),
                ...VIDEO_MODELS.map((m) => [m, wordFor('video', m)])], video);
            f.watchdog.control.value = cfg.watchdog?.model || '';
            f.action.control.value = cfg.watchdog?.action || 'reset';
            f.rng.control.checked = !!cfg.rng;
            f.tpm.control.value = cfg.tpm?.model || '';
            f.keymap.control.value = cfg.vnc?.keymap || '';
            f.password.control.value = '';
            f.clear.control.checked = false;
            f.clear.root.hidden = !cfg.vnc?.password_set;
            sync();
        },
    };
}
