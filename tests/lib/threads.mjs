// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/threads.mjs — the threads of a running process, read from
// /proc/<pid>/task/*/status: each thread's id, name and which of SIGHUP, SIGINT and
// SIGTERM it blocks (SigBlk). Used by threads.test.mjs (signals are taken on one thread)
// and by the suites that check their endpoint's own threads (serial: one "pump-serial" per
// console; volume transfers: one "pump-transfer" each). Runs in the test process only.
import fs from 'node:fs';

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** [{tid, name, blocked: Set of signal names}] of every thread of pid. */
export function threadsOf(pid) {
    return fs.readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
        let status;
        try {
            status = fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
        } catch {
            return []; // the thread ended while we looked
        }
        const name = /^Name:\s*(.*)$/m.exec(status)[1];
        const mask = BigInt('0x' + /^SigBlk:\s*([0-9a-f]+)$/m.exec(status)[1]);
        const blocked = new Set(Object.entries(SIGNALS)
            .filter(([, n]) => (mask >> BigInt(n - 1)) & 1n).map(([s]) => s));
        return [{ tid: Number(tid), name, blocked }];
    });
}

/** The threads of pid named name. */
export const threadsNamed = (pid, name) => threadsOf(pid).filter((t) => t.name === name);
