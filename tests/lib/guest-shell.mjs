// tests/lib/guest-shell.mjs — a command run in the suite's own guest (tests/guest/init
// keeps a root shell on its serial console once booted), through virtdeck's serial
// console websocket (/api/domains/{uuid}/serial), for the *-qemu tests that must see
// inside a guest.
import { openWebSocket } from './client.mjs';
import { until } from './wait.mjs';

/**
 * What the running guest's shell prints for command (one line, "=" allowed), asked as
 * client. QEMU drops the console's output while no client holds it, so empty lines go in
 * until the shell's prompt answers one (within bootTimeoutMs), then the command.
 */
export async function guestSays(client, uuid, command, { bootTimeoutMs = 90000 } = {}) {
    const ws = await openWebSocket(client, `/api/domains/${uuid}/serial`);
    let text = '';
    ws.on('message', (data) => { text += data.toString('latin1'); });
    try {
        await until(() => {
            if (text.includes('virtdeck-guest# ')) return true;
            ws.send(Buffer.from('\n'));
            return false;
        }, bootTimeoutMs, () => `the guest's shell did not answer on its serial console:\n${text.slice(-2000)}`,
        { intervalMs: 1000 });
        const from = text.length;
        ws.send(Buffer.from(`echo "said<$(${command})>"\n`));
        const m = await until(() => /said<([^\r\n]*)>\r?\n/.exec(text.slice(from)), 20000,
            () => `no answer to ${command}:\n${text.slice(-2000)}`, { intervalMs: 200 });
        return m[1];
    } finally {
        ws.close();
    }
}
