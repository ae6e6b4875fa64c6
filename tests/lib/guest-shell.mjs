// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/guest-shell.mjs — commands typed into the root shell of the tests' guest
// (tests/guest/init keeps one on ttyS0) through virtdeck's own serial console websocket
// (`GET /api/domains/{uuid}/serial`), and their answers read back.
// Owns: waiting for the shell's prompt, and telling a command's answer from its echo.
// Runs in the test process only; one shell per websocket, closed by close().

import { openWebSocket } from './client.mjs';
import { until } from './wait.mjs';

const PROMPT = 'virtdeck-guest# ';
export const GUEST_BOOT_TIMEOUT_MS = 90000;

/**
 * Opens the serial console of the running VM `uuid` as `client` and waits (bounded by
 * bootTimeoutMs) until the guest's shell answers: QEMU drops the console's output while
 * no client holds it, so empty lines go in until a prompt comes back.
 * Resolves {run(command, timeoutMs?) → its output, text() → all read so far, close()}.
 * run() wraps the output in markers the echoed command line cannot show (the shell
 * expands "$((…))"), so a slow echo never counts as the answer.
 */
export async function guestShell(client, uuid, { bootTimeoutMs = GUEST_BOOT_TIMEOUT_MS } = {}) {
    const ws = await openWebSocket(client, `/api/domains/${uuid}/serial`);
    let text = '';
    let seq = 0;
    ws.on('message', (data) => { text += data.toString('latin1'); });
    const shell = {
        text: () => text,
        close: () => ws.close(),
        async run(command, timeoutMs = 30000) {
            seq += 1;
            const from = text.length;
            const begin = `<<${seq}:begin>>`;
            const end = `<<${seq}:end>>`;
            ws.send(Buffer.from(`echo "<<$((${seq})):begin>>"; ${command}; echo "<<$((${seq})):end>>"\n`));
            const answer = await until(() => {
                const t = text.slice(from);
                const b = t.search(new RegExp(`${begin}\r*\n`));
                const e = b >= 0 ? t.indexOf(end, b + begin.length) : -1;
                return e >= 0 ? { out: t.slice(b + begin.length, e).replace(/^\r*\n/, '') } : null; // '' is an answer too
            }, timeoutMs, () => `no answer to ${command} on the serial console:\n${text.slice(-2000)}`, { intervalMs: 200 });
            return answer.out.replace(/\r/g, '');
        },
    };
    try {
        await until(() => {
            if (text.includes(PROMPT)) return true;
            ws.send(Buffer.from('\n'));
            return false;
        }, bootTimeoutMs, () => `the guest's shell did not answer on its serial console:\n${text.slice(-2000)}`,
        { intervalMs: 1000 });
    } catch (e) {
        ws.close();
        throw e;
    }
    return shell;
}

/** Runs commands one after the other in a guestShell() of its own; resolves their outputs. */
export async function guestRun(client, uuid, commands) {
    const sh = await guestShell(client, uuid);
    try {
        const out = [];
        for (const c of commands) out.push(await sh.run(c));
        return out;
    } finally {
        sh.close();
    }
}

/** What the guest's shell prints for the one command, trimmed (a guestRun of one command). */
export async function guestSays(client, uuid, command) {
    return (await guestRun(client, uuid, [command]))[0].trim();
}
