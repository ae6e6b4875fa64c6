// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/qemu-lab.mjs — what the tests that make VMs on the machine's own libvirtd
// (qemu:///system) set up alike: libvirtd up, a fresh temporary directory QEMU (its own
// uid) may read, a daemon on qemu:///system whose VMs are TCG (domain_type qemu: this
// machine's nested KVM cannot boot a kernel) and whose pools live in that directory, its
// admin logged in, and a dir pool there; and the teardown that removes the VMs a test
// names, the pool and the directory, whatever the test did. Test process only; run the
// callers under `flock /tmp/vd-qemu.lock` (the shared libvirtd).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from './daemon.mjs';
import { Client } from './client.mjs';
import { assertJson } from './api-assert.mjs';
import { SYSTEM_URI, ensureSystemLibvirtd, virsh } from './system-libvirtd.mjs';

/**
 * Starts the lab into lab (an object of the caller's, filled as each part comes up, so
 * stopQemuLab(lab) cleans up after a start that failed half-way): prefix names the
 * directory (vdtest-<prefix>-*), pool the dir pool in its pool/ subdirectory; admin
 * ({name, password}) is the daemon's admin, users more users. Fills lab.tmp, lab.dir (the
 * pool's directory), lab.d (the daemon) and lab.admin (a logged-in Client).
 */
export async function startQemuLab(lab, { prefix, pool, admin, users = [] }) {
    await ensureSystemLibvirtd();
    lab.tmp = fs.mkdtempSync(path.join(os.tmpdir(), `vdtest-${prefix}-`));
    fs.chmodSync(lab.tmp, 0o755); // QEMU opens the disks, seeds and kernels in it
    lab.dir = path.join(lab.tmp, 'pool');
    lab.d = await startDaemon({ uri: SYSTEM_URI, users: [{ ...admin, role: 'admin' }, ...users],
        config: { pool_roots: lab.tmp, domain_type: 'qemu' } });
    lab.admin = new Client(lab.d);
    await lab.admin.login(admin.name, admin.password);
    assertJson(await lab.admin.post('/api/pools', { name: pool, type: 'dir', target_path: lab.dir, build: true }), 201, 'pool');
}

/**
 * Stops what startQemuLab started in lab (all or part of it) and removes the VMs named
 * domains (stopped first; their snapshot metadata and NVRAM too), the pool and the
 * directory. stop: the daemon's stop options (daemon.mjs).
 */
export async function stopQemuLab(lab, { pool, domains = [], stop = {} }) {
    try {
        lab.admin?.close();
        if (lab.d) await lab.d.stop(stop);
    } finally {
        for (const name of domains) {
            virsh(['destroy', name]);
            virsh(['undefine', '--snapshots-metadata', '--nvram', name]);
        }
        virsh(['pool-destroy', pool]);
        virsh(['pool-undefine', pool]);
        if (lab.tmp) fs.rmSync(lab.tmp, { recursive: true, force: true });
    }
}
