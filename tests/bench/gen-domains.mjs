// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/bench/gen-domains.mjs — writes libvirt test-driver node XML (test:///PATH.xml).
// Owns: the fixture generator used by the benchmark (1,000 domains) and by the
// integration tests (a few hand-picked domains). Pure string building; no I/O except
// in the CLI entry point:  node tests/bench/gen-domains.mjs COUNT OUT.xml
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RUNSTATE = { running: 1, blocked: 2, paused: 3, shutdown: 4, shutoff: 5, crashed: 6, pmsuspended: 7 };

function esc(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
        .replace(/'/g, '&apos;').replace(/"/g, '&quot;');
}

/** Deterministic UUID for index i (version-4 layout). */
export function uuidFor(i) {
    const hex = i.toString(16).padStart(12, '0');
    return `5eed0000-0000-4000-8000-${hex}`;
}

/** Deterministic MAC for index i. */
export function macFor(i) {
    const b = [(i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff].map((x) => x.toString(16).padStart(2, '0'));
    return `52:54:00:${b.join(':')}`;
}

/**
 * One <domain> element. d: {name, uuid, state ('running'|'paused'|'shutoff'|...),
 * vcpus, memoryKib, maxMemoryKib, vnc (bool), description, title,
 * disks: [{target, source, format, bus, readonly}], interfaces: [{mac, network, model}]}
 */
export function domainXml(d) {
    const lines = [];
    lines.push("  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>");
    lines.push(`    <name>${esc(d.name)}</name>`);
    if (d.uuid) lines.push(`    <uuid>${esc(d.uuid)}</uuid>`);
    if (d.title !== undefined) lines.push(`    <title>${esc(d.title)}</title>`);
    if (d.description !== undefined) lines.push(`    <description>${esc(d.description)}</description>`);
    const max = d.maxMemoryKib || d.memoryKib || 524288;
    lines.push(`    <memory unit='KiB'>${max}</memory>`);
    lines.push(`    <currentMemory unit='KiB'>${d.memoryKib || max}</currentMemory>`);
    lines.push(`    <vcpu>${d.vcpus || 1}</vcpu>`);
    lines.push("    <os><type arch='x86_64'>hvm</type></os>");
    lines.push('    <devices>');
    for (const k of d.disks || []) {
        lines.push("      <disk type='file' device='disk'>");
        lines.push(`        <driver name='qemu' type='${esc(k.format || 'raw')}'/>`);
        lines.push(`        <source file='${esc(k.source)}'/>`);
        lines.push(`        <target dev='${esc(k.target)}' bus='${esc(k.bus || 'virtio')}'/>`);
        if (k.readonly) lines.push('        <readonly/>');
        lines.push('      </disk>');
    }
    for (const n of d.interfaces || []) {
        lines.push("      <interface type='network'>");
        lines.push(`        <mac address='${esc(n.mac)}'/>`);
        lines.push(`        <source network='${esc(n.network || 'default')}'/>`);
        if (n.model) lines.push(`        <model type='${esc(n.model)}'/>`);
        lines.push('      </interface>');
    }
    if (d.vnc) lines.push("      <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/>");
    lines.push('    </devices>');
    const st = RUNSTATE[d.state || 'running'];
    if (st === undefined) throw new Error(`unknown state ${d.state}`);
    if (st !== 1) lines.push(`    <test:runstate>${st}</test:runstate>`);
    lines.push('  </domain>');
    return lines.join('\n');
}

/** A whole node document for the given domains. */
export function nodeXml(domains, { cpus = 8, mhz = 2400, model = 'x86_64', memoryKib = 67108864 } = {}) {
    return [
        '<node>',
        `  <cpu><mhz>${mhz}</mhz><model>${esc(model)}</model><active>${cpus}</active>` +
            `<nodes>1</nodes><sockets>1</sockets><cores>${cpus}</cores><threads>1</threads></cpu>`,
        `  <memory>${memoryKib}</memory>`,
        ...domains.map(domainXml),
        '</node>',
        '',
    ].join('\n');
}

/**
 * count domains named vm-0000.. with a realistic mix: 70% running, 20% shut off,
 * 10% paused; each has one disk and one NIC; every 4th has VNC.
 */
export function benchDomains(count) {
    const out = [];
    for (let i = 0; i < count; i++) {
        const r = i % 10;
        out.push({
            name: `vm-${String(i).padStart(4, '0')}`,
            uuid: uuidFor(i + 1),
            state: r < 7 ? 'running' : (r < 9 ? 'shutoff' : 'paused'),
            vcpus: 1 + (i % 4),
            memoryKib: 524288 * (1 + (i % 4)),
            vnc: i % 4 === 0,
            description: `bench domain ${i}`,
            disks: [{ target: 'vda', source: `/var/lib/libvirt/images/vm-${i}.qcow2`, format: 'qcow2' }],
            interfaces: [{ mac: macFor(i + 1), network: 'default', model: 'virtio' }],
        });
    }
    return out;
}

export function benchXml(count) {
    return nodeXml(benchDomains(count), { cpus: 64, memoryKib: 1073741824 });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const count = Number(process.argv[2] || 1000);
    const out = process.argv[3];
    if (!Number.isInteger(count) || count < 1 || !out) {
        console.error('usage: node tests/bench/gen-domains.mjs COUNT OUT.xml');
        process.exit(2);
    }
    writeFileSync(out, benchXml(count));
    console.log(`wrote ${count} domains to ${out}`);
}
