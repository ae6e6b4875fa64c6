// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/web/config-rules.test.mjs — web/js/config-rules.js: the host's CPUs by NUMA cell,
// cpusets (parse, canonical text, the host's range), and each group's check against the
// server's rules of PATCH /api/domains/{uuid} (docs/api.md): valid and invalid values,
// only changed members in the payload, errors keyed by the request member.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
    LIMITS, KEYMAPS, hostCpuCells, parseCpuset, cpusetText, checkCpu, checkMemory, checkGeneral, checkTuning, vmNameError,
    formKeyOf, wordFor, hugePagesText,
} from '../../web/js/config-rules.js';
import { setLanguage } from '../../web/js/i18n.js';

await setLanguage('en', { remember: false });

// the detail of a running VM on the demo host (2 vCPUs, 2048 MiB, one disk vda)
const CONFIG = {
    max_vcpus: 2, max_memory_mib: 2048, cpu: null, boot: { order: ['hd'], menu: false }, firmware: 'bios', watchdog: null,
    rng: false, tpm: null, video: { model: 'cirrus' }, vnc: { password_set: false, keymap: null }, vcpupin: [], emulatorpin: null,
    cputune: null, numatune: null, numa_cells: [], hugepages: null, blkiotune: null, memtune: null,
    iotune: [{ target: 'vda', total_iops_sec: 0, read_iops_sec: 0, write_iops_sec: 0, total_bytes_sec: 0, read_bytes_sec: 0, write_bytes_sec: 0 }],
};
const HOST = hostCpuCells({ host: { numa: [] } }, 16);

test('hostCpuCells: the NUMA cells of capabilities, else one cell of the host CPU count', () => {
    assert.deepEqual(HOST, { cells: [{ id: 0, cpus: [...Array(16).keys()] }], cpuCount: 16, nodeCount: 1 });
    const two = hostCpuCells({ host: { numa: [{ id: 1, cpus: [3, 2] }, { id: 0, cpus: [0, 1] }] } }, 99);
    assert.deepEqual(two.cells, [{ id: 1, cpus: [2, 3] }, { id: 0, cpus: [0, 1] }]);
    assert.equal(two.cpuCount, 4);
    assert.equal(two.nodeCount, 2);
    assert.equal(hostCpuCells(null, undefined).cpuCount, 0);
});

test('parseCpuset / cpusetText: libvirt syntax, order, exclusions, host range', () => {
    assert.deepEqual(parseCpuset('0-3,^2,5', 16), { ids: [0, 1, 3, 5], error: '' });
    assert.equal(cpusetText([0, 1, 3, 5]), '0-1,3,5');
    assert.equal(cpusetText([5, 4, 3, 3, 9]), '3-5,9');
    assert.deepEqual(parseCpuset('^1,0-2', 16).ids, [0, 1, 2]); // applied in order
    for (const bad of ['0 - 3', '1,', 'a', '3-1', '^1-2', '-1']) assert.match(parseCpuset(bad, 16).error, /like 0-3/, bad);
    assert.match(parseCpuset('16', 16).error, /from 0 to 15/);
    assert.match(parseCpuset('0,^0', 16).error, /names no CPU/);
    assert.match(parseCpuset('', 16).error, /Enter/);
    assert.match(parseCpuset('1,'.repeat(600) + '1', 16).error, /like 0-3/); // over 1,024 bytes
});

test('checkCpu: ranges, vcpus within the maximum, changed members only', () => {
    const orig = { vcpus: 2, config: CONFIG };
    const base = { vcpus: '2', max_vcpus: '2', mode: '', model: '', topology: false, sockets: '1', cores: '2', threads: '1' };
    assert.deepEqual(checkCpu(base, orig), { payload: {}, errors: {} });
    assert.deepEqual(checkCpu({ ...base, vcpus: '3', max_vcpus: '4' }, orig).payload, { vcpus: 3, max_vcpus: 4 });
    assert.ok(checkCpu({ ...base, vcpus: '3' }, orig).errors.vcpus); // above the maximum
    assert.ok(checkCpu({ ...base, vcpus: '0' }, orig).errors.vcpus);
    assert.ok(checkCpu({ ...base, max_vcpus: '4097' }, orig).errors.max_vcpus);
    assert.ok(checkCpu({ ...base, max_vcpus: 'x' }, orig).errors.max_vcpus);
    assert.equal(checkCpu({ ...base, max_vcpus: String(LIMITS.vcpus.max), vcpus: '1' }, orig).errors.max_vcpus, undefined);
});

test('checkCpu: mode, model for custom only, topology product = maximum vCPUs', () => {
    const orig = { vcpus: 2, config: CONFIG };
    const base = { vcpus: '2', max_vcpus: '4', mode: 'host-passthrough', model: 'Broadwell', topology: true, sockets: '1', cores: '2', threads: '2' };
    assert.deepEqual(checkCpu(base, orig).payload, {
        max_vcpus: 4, cpu: { mode: 'host-passthrough', model: null, topology: { sockets: 1, dies: 1, cores: 2, threads: 2 } },
    });
    assert.match(checkCpu({ ...base, threads: '1' }, orig).errors['cpu.topology'], /is 2; it must equal the maximum vCPUs \(4\)/);
    assert.ok(checkCpu({ ...base, sockets: '0' }, orig).errors['cpu.topology.sockets']);
    assert.equal(checkCpu({ ...base, mode: 'custom' }, orig).payload.cpu.model, 'Broadwell');
    assert.ok(checkCpu({ ...base, mode: 'custom', model: 'bad model' }, orig).errors['cpu.model']);
    assert.equal(checkCpu({ ...base, topology: false }, orig).payload.cpu.topology, null);
    // unchanged against a definition that has it
    const withCpu = { ...CONFIG, max_vcpus: 4, cpu: { mode: 'host-passthrough', model: null, topology: { sockets: 1, dies: 1, cores: 2, threads: 2 } } };
    assert.deepEqual(checkCpu(base, { vcpus: 2, config: withCpu }).payload, {});
    assert.ok(checkCpu({ ...base, mode: '' }, { vcpus: 2, config: withCpu }).errors['cpu.mode']);
});

test('checkMemory: 16 MiB … maximum, memtune limits, swap not below hard', () => {
    const orig = { memory_mib: 2048, config: CONFIG };
    const base = { memory_mib: '2048', max_memory_mib: '2048', hard: '', soft: '', swap: '' };
    assert.deepEqual(checkMemory(base, orig), { payload: {}, errors: {} });
    assert.deepEqual(checkMemory({ ...base, memory_mib: '1024', max_memory_mib: '4096' }, orig).payload, { memory_mib: 1024, max_memory_mib: 4096 });
    assert.ok(checkMemory({ ...base, memory_mib: '15' }, orig).errors.memory_mib);
    assert.ok(checkMemory({ ...base, memory_mib: '4096' }, orig).errors.memory_mib); // above the maximum
    assert.ok(checkMemory({ ...base, max_memory_mib: '16777217' }, orig).errors.max_memory_mib);
    assert.deepEqual(checkMemory({ ...base, hard: '3000' }, orig).payload, { memtune: { hard_limit_mib: 3000, soft_limit_mib: null, swap_hard_limit_mib: null } });
    assert.ok(checkMemory({ ...base, hard: '3000', swap: '2000' }, orig).errors['memtune.swap_hard_limit_mib']);
    assert.ok(checkMemory({ ...base, soft: '0' }, orig).errors['memtune.soft_limit_mib']);
    const limited = { ...CONFIG, memtune: { hard_limit_mib: 3000, soft_limit_mib: null, swap_hard_limit_mib: null } };
    assert.deepEqual(checkMemory(base, { memory_mib: 2048, config: limited }).payload, { memtune: null });
    assert.deepEqual(checkMemory({ ...base, hard: '3000' }, { memory_mib: 2048, config: limited }).payload, {});
});

test('checkGeneral: rename shut off only, boot order, firmware, devices, VNC', () => {
    const off = { name: 'web-01', autostart: false, config: CONFIG, running: false };
    const base = {
        name: 'web-01', order: ['hd', '', '', ''], menu: false, autostart: false, firmware: 'bios', video: 'cirrus', watchdog: '',
        watchdog_action: 'reset', rng: false, tpm: '', keymap: '', password: '', password_clear: false,
    };
    assert.deepEqual(checkGeneral(base, off), { payload: {}, errors: {} });
    assert.deepEqual(checkGeneral({ ...base, name: '网站 01' }, off).payload, { name: '网站 01' });
    assert.match(checkGeneral({ ...base, name: 'a/b' }, off).errors.name, /"\/"/);
    assert.match(checkGeneral({ ...base, name: 'x' }, { ...off, running: true }).errors.name, /shut off/);
    assert.match(checkGeneral({ ...base, firmware: 'uefi' }, { ...off, running: true }).errors.firmware, /shut off/);
    assert.deepEqual(checkGeneral({ ...base, firmware: 'uefi' }, off).payload, { firmware: 'uefi' });
    assert.deepEqual(checkGeneral({ ...base, order: ['cdrom', 'hd', '', ''], menu: true }, off).payload, { boot: { order: ['cdrom', 'hd'], menu: true } });
    assert.ok(checkGeneral({ ...base, order: ['hd', 'hd', '', ''] }, off).errors['boot.order']);
    assert.ok(checkGeneral({ ...base, order: ['', '', '', ''] }, off).errors['boot.order']);
    assert.deepEqual(checkGeneral({ ...base, watchdog: 'itco', watchdog_action: 'poweroff', rng: true, tpm: 'tpm-crb', video: 'virtio', autostart: true }, off).payload, {
        watchdog: { model: 'itco', action: 'poweroff' }, rng: true, tpm: { model: 'tpm-crb', version: '2.0' }, video: { model: 'virtio' }, autostart: true,
    });
    assert.deepEqual(checkGeneral({ ...base, keymap: 'de', password: 'secret' }, off).payload, { vnc: { keymap: 'de', password: 'secret' } });
    assert.ok(checkGeneral({ ...base, password: '123456789' }, off).errors['vnc.password']); // 9 bytes
    assert.ok(checkGeneral({ ...base, password: '密码密' }, off).errors['vnc.password']); // 9 bytes of UTF-8
    const withPw = { ...CONFIG, vnc: { password_set: true, keymap: null } };
    assert.deepEqual(checkGeneral({ ...base, password_clear: true }, { ...off, config: withPw }).payload, { vnc: { password: null } });
    assert.deepEqual(checkGeneral({ ...base, password: 'x' }, { ...off, config: { ...CONFIG, vnc: null } }).payload, {}); // no display
    assert.ok(KEYMAPS.includes('en-us') && KEYMAPS.length === 34);
    assert.equal(vmNameError('a'.repeat(255)), '');
    assert.match(vmNameError('a'.repeat(256)), /255 bytes/);
    assert.match(vmNameError(''), /Enter/);
    assert.match(vmNameError('a\u0001'), /control/);
});

const tuneBase = (over = {}) => ({
    pins: [[], []], emulatorpin: '', shares: '', period: '', quota: '', numa_mode: '', nodeset: '', hugepages: '', weight: '', cells: [],
    iotune: [{ target: 'vda', total_bytes_sec: '0', read_bytes_sec: '0', write_bytes_sec: '0', total_iops_sec: '0', read_iops_sec: '0', write_iops_sec: '0' }],
    ...over,
});

test('checkTuning: pins from the grid, host CPUs only, emulatorpin', () => {
    const orig = { config: CONFIG };
    assert.deepEqual(checkTuning(tuneBase(), orig, HOST), { payload: {}, errors: {} });
    assert.deepEqual(checkTuning(tuneBase({ pins: [[0, 1, 3], []] }), orig, HOST).payload, { vcpupin: [{ vcpu: 0, cpuset: '0-1,3' }] });
    assert.match(checkTuning(tuneBase({ pins: [[], [16]] }), orig, HOST).errors['pin.1'], /0 to 15/);
    const pinned = { config: { ...CONFIG, vcpupin: [{ vcpu: 1, cpuset: '2' }] } };
    assert.deepEqual(checkTuning(tuneBase({ pins: [[], [2]] }), pinned, HOST).payload, {});
    assert.deepEqual(checkTuning(tuneBase(), pinned, HOST).payload, { vcpupin: [] }); // "any CPU"
    assert.deepEqual(checkTuning(tuneBase(), pinned, hostCpuCells(null, undefined)).payload, {}); // host CPUs unknown: pins kept
    assert.deepEqual(checkTuning(tuneBase({ emulatorpin: '4-5' }), orig, HOST).payload, { emulatorpin: '4-5' });
    assert.match(checkTuning(tuneBase({ emulatorpin: '99' }), orig, HOST).errors.emulatorpin, /0 to 15/);
    assert.deepEqual(checkTuning(tuneBase(), { config: { ...CONFIG, emulatorpin: '1' } }, HOST).payload, { emulatorpin: null });
});

test('checkTuning: cputune, numatune, hugepages, blkiotune ranges', () => {
    const orig = { config: CONFIG };
    assert.deepEqual(checkTuning(tuneBase({ shares: '512', quota: '-1' }), orig, HOST).payload, { cputune: { shares: 512, period: null, quota: -1 } });
    for (const [k, bad] of [['shares', '1'], ['shares', '262145'], ['period', '999'], ['period', '1000001'], ['quota', '999'], ['quota', '-2']]) {
        assert.ok(checkTuning(tuneBase({ [k]: bad }), orig, HOST).errors[`cputune.${k}`], `${k}=${bad}`);
    }
    assert.deepEqual(checkTuning(tuneBase(), { config: { ...CONFIG, cputune: { shares: 512, period: null, quota: null } } }, HOST).payload, { cputune: null });
    assert.deepEqual(checkTuning(tuneBase({ numa_mode: 'preferred', nodeset: '0' }), orig, HOST).payload, { numatune: { mode: 'preferred', nodeset: '0' } });
    assert.match(checkTuning(tuneBase({ numa_mode: 'strict', nodeset: '1' }), orig, HOST).errors['numatune.nodeset'], /0 to 0/);
    assert.deepEqual(checkTuning(tuneBase({ hugepages: '2048' }), orig, HOST).payload, { hugepages: { size_kib: 2048 } });
    assert.deepEqual(checkTuning(tuneBase({ hugepages: 'default' }), { config: { ...CONFIG, hugepages: { size_kib: null } } }, HOST).payload, {});
    assert.deepEqual(checkTuning(tuneBase({ weight: '500' }), orig, HOST).payload, { blkiotune: { weight: 500 } });
    assert.ok(checkTuning(tuneBase({ weight: '99' }), orig, HOST).errors['blkiotune.weight']);
    assert.ok(checkTuning(tuneBase({ weight: '1001' }), orig, HOST).errors['blkiotune.weight']);
});

test('checkTuning: per-disk iotune and guest NUMA cells', () => {
    const orig = { config: CONFIG };
    const io = (over) => tuneBase({ iotune: [{ ...tuneBase().iotune[0], ...over }] });
    assert.deepEqual(checkTuning(io({ total_iops_sec: '100' }), orig, HOST).payload.iotune,
        [{ target: 'vda', total_bytes_sec: 0, read_bytes_sec: 0, write_bytes_sec: 0, total_iops_sec: 100, read_iops_sec: 0, write_iops_sec: 0 }]);
    assert.match(checkTuning(io({ total_iops_sec: '100', read_iops_sec: '5' }), orig, HOST).errors['iotune.0.total_iops_sec'], /total limit/);
    assert.ok(checkTuning(io({ write_bytes_sec: '1000000000000001' }), orig, HOST).errors['iotune.0.write_bytes_sec']);
    assert.ok(checkTuning(io({ read_bytes_sec: '-1' }), orig, HOST).errors['iotune.0.read_bytes_sec']);
    assert.equal(checkTuning(io({ read_bytes_sec: '' }), orig, HOST).payload.iotune, undefined); // empty = 0 = unchanged
    const cells = [{ cpus: '0', memory_mib: '512' }, { cpus: '1', memory_mib: '512' }];
    assert.deepEqual(checkTuning(tuneBase({ cells }), orig, HOST).payload, { numa_cells: [{ id: 0, cpus: '0', memory_mib: 512 }, { id: 1, cpus: '1', memory_mib: 512 }] });
    assert.match(checkTuning(tuneBase({ cells: [{ cpus: '0-1', memory_mib: '512' }, { cpus: '1', memory_mib: '512' }] }), orig, HOST).errors['numa_cells.1.cpus'], /one cell/);
    assert.match(checkTuning(tuneBase({ cells: [{ cpus: '2', memory_mib: '512' }] }), orig, HOST).errors['numa_cells.0.cpus'], /0 to 1/);
    assert.ok(checkTuning(tuneBase({ cells: [{ cpus: '0', memory_mib: '0' }] }), orig, HOST).errors['numa_cells.0.memory_mib']);
    assert.deepEqual(checkTuning(tuneBase(), { config: { ...CONFIG, numa_cells: [{ id: 0, cpus: '0-1', memory_mib: 512 }] } }, HOST).payload, { numa_cells: [] });
});

test('formKeyOf: the server field of a built payload -> the form key', () => {
    const payload = { vcpupin: [{ vcpu: 3, cpuset: '99' }], iotune: [{ target: 'vdb' }] };
    assert.equal(formKeyOf('vcpupin[0].cpuset', payload), 'pin.3');
    assert.equal(formKeyOf('iotune[0].read_iops_sec', payload, ['vda', 'vdb']), 'iotune.1.read_iops_sec');
    assert.equal(formKeyOf('iotune[0].target', payload, ['vda', 'vdb']), 'iotune.1.total_bytes_sec');
    assert.equal(formKeyOf('numa_cells[2].cpus', payload), 'numa_cells.2.cpus');
    assert.equal(formKeyOf('cpu.topology', payload), 'cpu.topology');
    assert.equal(formKeyOf('hugepages.size_kib', payload), 'hugepages');
    assert.equal(formKeyOf('cputune', payload), 'cputune.shares');
    assert.equal(wordFor('member', 'max_vcpus'), 'Maximum vCPUs');
    assert.equal(wordFor('member', 'nonsense'), 'nonsense');
    assert.equal(hugePagesText(null), 'Normal pages');
    assert.equal(hugePagesText({ size_kib: 2048 }), 'Huge pages of 2 MiB');
    assert.equal(hugePagesText({ size_kib: 1048576 }), 'Huge pages of 1 GiB');
    assert.equal(hugePagesText({ size_kib: null }), 'Huge pages (host default size)');
});
