// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/bench-domains.mjs — the benchmarks' defined domains on the machine's libvirtd
// (qemu:///system): many diskless domains named <prefix>NNNN, defined through one virsh
// process and undefined again (running ones destroyed first), also from an exit handler
// (everything here is synchronous). Bench processes only.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { SYSTEM_URI, testDomainXml, virsh } from './system-libvirtd.mjs';

/** Names of every domain whose name starts with prefix. */
export function benchDomainNames(prefix) {
    const r = virsh(['list', '--all', '--name'], { timeoutMs: 60000 });
    if (!r.ok) throw new Error(`virsh list: ${r.stderr}`);
    return r.stdout.split('\n').map((s) => s.trim()).filter((s) => s.startsWith(prefix));
}

/** Runs virsh commands, one a line, in one virsh process; throws when virsh fails. */
export function virshBatch(lines, timeoutMs) {
    const r = spawnSync('virsh', ['-q', '-c', SYSTEM_URI], {
        input: `${lines.join('\n')}\n`, encoding: 'utf8', timeout: timeoutMs,
    });
    if (r.error || r.status !== 0) throw new Error(`virsh batch: ${r.error ? r.error.message : r.stderr}`);
}

/** Destroys and undefines every <prefix> domain; log gets one line of what happened. */
export function removeBenchDomains(prefix, log) {
    let names;
    try {
        names = benchDomainNames(prefix);
    } catch (e) {
        log(`cleanup: ${e.message}`);
        return;
    }
    if (!names.length) return;
    try {
        // "destroy" fails for an inactive domain; virsh goes on with the next line.
        spawnSync('virsh', ['-q', '-c', SYSTEM_URI], {
            input: `${names.map((n) => `destroy ${n}\nundefine ${n}`).join('\n')}\n`,
            encoding: 'utf8', timeout: 300000,
        });
    } catch (e) {
        log(`cleanup: ${e.message}`);
    }
    const left = benchDomainNames(prefix);
    if (left.length) log(`cleanup: ${left.length} ${prefix} domains are still defined`);
    else log(`cleanup: ${names.length} ${prefix} domains undefined`);
}

/** Defines count diskless domains (64 MiB, 1 vCPU) from XML files written to dir; returns
 * their names. Throws unless exactly count of them exist afterwards. */
export function defineBenchDomains(dir, prefix, count) {
    const lines = [];
    const names = [];
    for (let i = 1; i <= count; i++) {
        const name = `${prefix}${String(i).padStart(4, '0')}`;
        const file = path.join(dir, `${name}.xml`);
        writeFileSync(file, testDomainXml({ name, memoryMiB: 64, vcpus: 1 }));
        lines.push(`define ${file}`);
        names.push(name);
    }
    virshBatch(lines, 600000);
    const n = benchDomainNames(prefix).length;
    if (n !== count) throw new Error(`defined ${n} ${prefix} domains, wanted ${count}`);
    return names;
}
