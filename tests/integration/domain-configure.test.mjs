// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/integration/domain-configure.test.mjs — PATCH /api/domains/{uuid} (docs/api.md
// "PATCH /api/domains/{uuid} — configure") and the detail's "config" and "pending" on
// libvirt's test driver, with two domains of our own: one shut off, one running (1 of 4
// vCPUs, a VNC display). Covers: every basic member round-trips through the detail's
// "config" and the persistent XML; each invalid member is a 400 naming it with the
// persistent XML unchanged; an unknown member is a 400 at it; viewer 403; a rename is
// 409 while running and fine when shut off; "next_boot" of a running VM and "pending"
// after a new GET; next_boot [] for a shut-off VM.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startWithFixture } from '../lib/roles.mjs';
import { assertError, assertJson } from '../lib/api-assert.mjs';
import { nodeXml } from '../bench/gen-domains.mjs';

const PW = { admin: 'admin-pass-cfg-1', op: 'operator-pass-cfg-2', view: 'viewer-pass-cfg-3' };
const OFF = '5eed0000-0000-4000-8000-00000000c0f1';
const RUN = '5eed0000-0000-4000-8000-00000000c0f2';

const domain = (name, uuid, runstate) => [
    "  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>",
    `    <name>${name}</name><uuid>${uuid}</uuid>`,
    "    <memory unit='KiB'>2097152</memory><currentMemory unit='KiB'>1048576</currentMemory>",
    "    <vcpu current='1'>4</vcpu>",
    "    <os><type arch='x86_64'>hvm</type><boot dev='hd'/></os>",
    "    <devices><graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/>",
    "      <video><model type='vga' vram='16384' heads='1'/></video></devices>",
    `    <test:runstate>${runstate}</test:runstate>`,
    '  </domain>',
].join('\n');

const FIXTURE = nodeXml([]).replace('</node>',
    `${domain('vdtest-cfg-off', OFF, 5)}\n${domain('vdtest-cfg-run', RUN, 1)}\n</node>`);

describe('configuring a VM: PATCH /api/domains/{uuid} (test driver)', () => {
    let roles;
    let admin;
    let op;
    let view;

    before(async () => {
        roles = await startWithFixture(PW, FIXTURE);
        ({ admin, op, view } = roles);
    });
    after(async () => {
        if (roles) await roles.stop();
    });

    const patch = (client, uuid, body) => client.req('PATCH', `/api/domains/${uuid}`, { body });
    const inactiveXml = async (uuid) =>
        assertJson(await admin.get(`/api/domains/${uuid}/xml?inactive=true`), 200, 'xml').xml;
    const TUNING = ['vcpupin', 'emulatorpin', 'numatune', 'numa_cells', 'hugepages', 'cputune', 'blkiotune',
        'iotune', 'memtune'];
    const detail = async (uuid) => assertJson(await view.get(`/api/domains/${uuid}`), 200, 'detail');

    it('the detail carries "config" (the persistent values) and "pending"', async () => {
        const d = await detail(OFF);
        // the basic members, then the tuning members (domain-tuning.test.mjs)
        assert.deepEqual(Object.keys(d.config).sort(), ['blkiotune', 'boot', 'cpu', 'cputune', 'emulatorpin',
            'firmware', 'hugepages', 'iotune', 'max_memory_mib', 'max_vcpus', 'memory_mib', 'memtune', 'numa_cells',
            'numatune', 'rng', 'tpm', 'vcpupin', 'vcpus', 'video', 'vnc', 'watchdog']);
        assert.equal(d.config.max_vcpus, 4);
        assert.equal(d.config.max_memory_mib, 2048);
        assert.deepEqual(d.config.boot, { order: ['hd'], menu: false });
        assert.equal(d.config.firmware, 'bios');
        assert.deepEqual(d.config.vnc, { password_set: false, keymap: null });
        assert.deepEqual(d.config.video, { model: 'vga' });
        assert.deepEqual(d.pending, []);
    });

    it('every basic member round-trips through the detail and the XML (shut-off VM: next_boot [])', async () => {
        const body = {
            title: 'configured', description: 'line one\nline two',
            vcpus: 2, max_vcpus: 4, memory_mib: 1536, max_memory_mib: 3072,
            cpu: { mode: 'custom', model: 'Skylake-Client', topology: { sockets: 1, dies: 1, cores: 2, threads: 2 } },
            boot: { order: ['cdrom', 'hd', 'network'], menu: true },
            autostart: true, firmware: 'uefi',
            watchdog: { model: 'i6300esb', action: 'poweroff' }, rng: true,
            tpm: { model: 'tpm-crb', version: '2.0' }, video: { model: 'virtio' },
            vnc: { password: 'secret12', keymap: 'de' },
        };
        const out = assertJson(await patch(op, OFF, body), 200, 'patch');
        assert.deepEqual(out.next_boot, []);
        assert.equal(JSON.stringify(out).includes('secret12'), false, 'the password is never answered');
        const d = await detail(OFF);
        assert.equal(d.title, 'configured');
        assert.equal(d.description, 'line one\nline two');
        assert.equal(d.vcpus, 2);
        assert.equal(d.autostart, true);
        const basic = Object.fromEntries(Object.entries(d.config).filter(([k]) => !TUNING.includes(k)));
        assert.deepEqual(basic, {
            vcpus: 2, max_vcpus: 4, memory_mib: 1536, max_memory_mib: 3072, cpu: body.cpu, boot: body.boot, firmware: 'uefi',
            watchdog: body.watchdog, rng: true, tpm: body.tpm, video: body.video,
            vnc: { password_set: true, keymap: 'de' },
        });
        assert.equal(JSON.stringify(d).includes('secret12'), false);
        const xml = await inactiveXml(OFF);
        assert.match(xml, /<vcpu placement='static' current='2'>4<\/vcpu>/);
        assert.match(xml, /<currentMemory unit='KiB'>1572864<\/currentMemory>/);
        assert.match(xml, /<memory unit='KiB'>3145728<\/memory>/);
        assert.match(xml, /<model fallback='allow'>Skylake-Client<\/model>|<model>Skylake-Client<\/model>/);
        assert.match(xml, /<topology sockets='1' dies='1' cores='2' threads='2'\/>/);
        assert.match(xml, /<boot dev='cdrom'\/>\s*<boot dev='hd'\/>\s*<boot dev='network'\/>/);
        assert.match(xml, /<bootmenu enable='yes'\/>/);
        assert.match(xml, /<os firmware='efi'>/);
        assert.match(xml, /<watchdog model='i6300esb' action='poweroff'\/>/);
        assert.match(xml, /<rng model='virtio'>\s*<backend model='random'>\/dev\/urandom<\/backend>/);
        assert.match(xml, /<tpm model='tpm-crb'>\s*<backend type='emulator' version='2.0'\/>/);
        assert.match(xml, /<model type='virtio'[^>]*\/>/);
        assert.match(xml, /passwd='secret12'/);
        assert.match(xml, /keymap='de'/);

        // and back: null removes, false removes
        const back = { watchdog: null, tpm: null, rng: false, firmware: 'bios', vnc: { password: null, keymap: null },
            cpu: { mode: 'host-passthrough', topology: null }, title: '', autostart: false };
        assertJson(await patch(admin, OFF, back), 200, 'patch back');
        const d2 = await detail(OFF);
        assert.equal(d2.title, '');
        assert.equal(d2.autostart, false);
        assert.deepEqual([d2.config.watchdog, d2.config.tpm, d2.config.rng, d2.config.firmware],
            [null, null, false, 'bios']);
        assert.deepEqual(d2.config.vnc, { password_set: false, keymap: null });
        assert.deepEqual(d2.config.cpu, { mode: 'host-passthrough', model: null, topology: null });
        const xml2 = await inactiveXml(OFF);
        assert.doesNotMatch(xml2, /passwd=|<watchdog|<tpm|<rng|firmware=/);
    });

    it('each invalid member is a 400 naming it, and nothing changes', async () => {
        const bad = [
            [{ vcpus: 0 }, 'vcpus'],
            [{ vcpus: 5 }, 'vcpus'],
            [{ vcpus: '2' }, 'vcpus'],
            [{ vcpus: 2.5 }, 'vcpus'],
            [{ max_vcpus: 0 }, 'max_vcpus'],
            [{ max_vcpus: 5000 }, 'max_vcpus'],
            [{ vcpus: 3, max_vcpus: 2 }, 'vcpus'],
            [{ memory_mib: 4096 }, 'memory_mib'],
            [{ memory_mib: 8 }, 'memory_mib'],
            [{ max_memory_mib: 512, memory_mib: 1024 }, 'memory_mib'],
            [{ cpu: { mode: 'fast' } }, 'cpu.mode'],
            [{ cpu: { model: 'x' } }, 'cpu.mode'],
            [{ cpu: { mode: 'custom' } }, 'cpu.model'],
            [{ cpu: { mode: 'custom', model: "a'b" } }, 'cpu.model'],
            [{ cpu: { mode: 'host-passthrough', model: 'Skylake-Client' } }, 'cpu.model'],
            [{ cpu: { mode: 'host-model', topology: { sockets: 1, cores: 2, threads: 1 } } }, 'cpu.topology'],
            [{ cpu: { mode: 'host-model', topology: { sockets: 1, cores: 4 } } }, 'cpu.topology.threads'],
            [{ cpu: { mode: 'host-model', extra: 1 } }, 'cpu.extra'],
            [{ cpu: 'host' }, 'cpu'],
            [{ boot: { order: ['disk'] } }, 'boot.order'],
            [{ boot: { order: [] } }, 'boot.order'],
            [{ boot: { order: ['hd', 'hd'] } }, 'boot.order'],
            [{ boot: { menu: 'yes' } }, 'boot.menu'],
            [{ autostart: 'yes' }, 'autostart'],
            [{ firmware: 'coreboot' }, 'firmware'],
            [{ watchdog: { model: 'ib700' } }, 'watchdog.model'],
            [{ watchdog: { model: 'itco', action: 'explode' } }, 'watchdog.action'],
            [{ watchdog: { action: 'reset' } }, 'watchdog.model'],
            [{ rng: 'yes' }, 'rng'],
            [{ tpm: { model: 'tpm-spapr' } }, 'tpm.model'],
            [{ tpm: { model: 'tpm-crb', version: '1.2' } }, 'tpm.version'],
            [{ video: { model: 'matrox' } }, 'video.model'],
            [{ video: null }, 'video'],
            [{ vnc: { password: '123456789' } }, 'vnc.password'],
            [{ vnc: { password: '' } }, 'vnc.password'],
            [{ vnc: { keymap: 'klingon' } }, 'vnc.keymap'],
            [{ vnc: { keymap: "de' passwd='x" } }, 'vnc.keymap'],
            [{ name: '' }, 'name'],
            [{ name: 'a/b' }, 'name'],
            [{ title: 'two\nlines' }, undefined],
            [{ vcpus: 2, colour: 'red' }, 'colour'],
            [{ vcpupin: [{ vcpu: 0, cpuset: '9999' }] }, 'vcpupin[0].cpuset'],
        ];
        const xmlBefore = await inactiveXml(OFF);
        const detailBefore = await detail(OFF);
        for (const [body, field] of bad) {
            const label = JSON.stringify(body);
            const e = assertError(await patch(op, OFF, body), 400, 'bad_request', label);
            assert.equal(e.field, field, `${label}: ${e.message}`);
        }
        assertError(await patch(op, OFF, {}), 400, 'bad_request', 'an empty body');
        assert.equal(await inactiveXml(OFF), xmlBefore, 'the persistent definition is unchanged');
        assert.deepEqual(await detail(OFF), detailBefore);
    });

    it('a viewer may not configure (403); without the CSRF token 403', async () => {
        const xmlBefore = await inactiveXml(OFF);
        assertError(await patch(view, OFF, { vcpus: 2 }), 403, 'forbidden');
        assertError(await op.req('PATCH', `/api/domains/${OFF}`, { body: { vcpus: 2 }, csrf: false }), 403, 'csrf_failed');
        assert.equal(await inactiveXml(OFF), xmlBefore);
        assertError(await patch(op, '5eed0000-0000-4000-8000-0000000000ff', { vcpus: 2 }), 404, 'not_found');
    });

    it('rename: 409 while running, fine when shut off', async () => {
        let e = assertError(await patch(op, RUN, { name: 'vdtest-cfg-renamed' }), 409, 'conflict');
        assert.equal(e.field, 'name');
        e = assertError(await patch(op, OFF, { name: 'vdtest-cfg-run' }), 409, 'conflict');
        assert.equal(e.field, 'name', 'a name in use');
        const out = assertJson(await patch(op, OFF, { name: 'vdtest-cfg-新' }), 200, 'rename');
        assert.equal(out.detail.name, 'vdtest-cfg-新');
        assert.equal((await detail(OFF)).name, 'vdtest-cfg-新');
        assertJson(await patch(op, OFF, { name: 'vdtest-cfg-off' }), 200, 'rename back');
        assertError(await patch(op, RUN, { firmware: 'uefi' }), 409, 'conflict');
    });

    it('a running VM: live members apply, the rest is next_boot and stays "pending"', async () => {
        const out = assertJson(await patch(op, RUN, {
            vcpus: 2, memory_mib: 1536, title: 'live title', max_vcpus: 8,
            cpu: { mode: 'host-passthrough' }, boot: { order: ['network'], menu: true },
            watchdog: { model: 'i6300esb', action: 'reset' }, video: { model: 'qxl' },
        }), 200, 'patch running');
        assert.deepEqual(out.next_boot.sort(), ['boot', 'cpu', 'max_vcpus', 'video', 'watchdog']);
        assert.equal(out.detail.vcpus, 2, 'vCPUs hot-plugged');
        assert.equal(out.detail.memory_kib, 1536 * 1024, 'the balloon');
        assert.equal(out.detail.title, 'live title');
        assert.equal(out.detail.config.max_vcpus, 8);
        const d = await detail(RUN);
        assert.deepEqual(d.pending.sort(), ['boot', 'cpu', 'max_vcpus', 'video', 'watchdog']);
        assert.deepEqual(d.config.boot, { order: ['network'], menu: true });
        // beyond the running maximum: next boot
        const more = assertJson(await patch(op, RUN, { vcpus: 6 }), 200, 'vcpus past the live max');
        assert.ok(more.next_boot.includes('vcpus'));
        // the summary keeps the running VM's count, config the next boot's
        const after = await detail(RUN);
        assert.equal(after.vcpus, 2);
        assert.equal(after.config.vcpus, 6);
        assert.ok(after.pending.includes('vcpus'));
    });
});
