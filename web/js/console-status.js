// console-status.js — what the UI says about a console socket (the VNC display or the
// serial console): the message for each close code of the console endpoints
// (docs/api.md: 4000 + HTTP status after the upgrade, 4401 when the session ends, 1000
// when the VM's side closed), whether trying again can help, and the text of the state
// line, and the sockets' URLs. Pure (no DOM); used by views/console-view.js and views/serial-view.js.

const MAX_REASON = 200;

/** wss://host/api/domains/{uuid}/{endpoint} ("console" or "serial") for the page's location. */
export function consoleUrl(loc, uuid, endpoint = 'console') {
    const scheme = loc.protocol === 'http:' ? 'ws:' : 'wss:';
    return `${scheme}//${loc.host}/api/domains/${encodeURIComponent(uuid)}/${endpoint}`;
}

/** The server's close reason made safe to show: one line, no control characters, bounded. */
export function cleanReason(reason) {
    const text = String(reason ?? '')
        .replace(/\p{Cc}+/gu, ' ')
        .replace(/\s+/g, ' ')
        .trim();
    return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}\u2026` : text;
}

function what(kind) {
    return kind === 'serial' ? 'serial console' : 'display';
}

/**
 * A closed console socket -> {message, retry}. code and reason come from the close
 * event; opened says whether the socket had been open (a refusal before the upgrade
 * reaches the browser as 1006 without a reason); kind is "vnc" or "serial";
 * byUser is true when the user pressed Disconnect (or left the page).
 * The server's own reason wins when it sent one; retry is false when connecting again
 * cannot work without the user doing something else first (log in, other rights).
 */
export function describeClose({ code, reason = '', opened = false, kind = 'vnc', byUser = false } = {}) {
    const why = cleanReason(reason);
    if (byUser) return { message: 'You closed the connection.', retry: true };
    switch (code) {
    case 1000:
        return { message: why || `The VM's ${what(kind)} closed.`, retry: true };
    case 1001:
        return { message: why || 'The server is restarting.', retry: true };
    case 1005:
    case 1006:
        return opened
            ? { message: 'The connection to the server was lost.', retry: true }
            : { message: 'The server refused the connection or could not be reached.', retry: true };
    case 1008:
    case 4403:
        return { message: why || 'Your account may not use this VM\u2019s console.', retry: false };
    case 4400:
        return { message: why || 'The server refused the request as invalid.', retry: false };
    case 4401:
        return { message: why || 'Your session has ended. Log in again to reconnect.', retry: false };
    case 4404:
        return { message: why || 'This virtual machine does not exist (any more).', retry: false };
    case 4409:
        return {
            message: why || (kind === 'serial'
                ? 'The VM is not running or has no serial console.'
                : 'The VM is not running or has no VNC display.'),
            retry: true,
        };
    case 4501:
        return { message: why || 'This server cannot open the VM\u2019s serial console yet.', retry: true };
    case 4502:
        return { message: why || `The VM's ${what(kind)} could not be reached.`, retry: true };
    case 4503:
        return { message: why || 'The server cannot reach libvirt right now.', retry: true };
    default:
        if (Number.isInteger(code) && code >= 4000 && code <= 4999) {
            return { message: why || `The server closed the connection (code ${code}).`, retry: true };
        }
        return { message: why || `Disconnected${Number.isInteger(code) ? ` (code ${code})` : ''}.`, retry: true };
    }
}

/** The state line: state is "idle" | "connecting" | "connected" | "disconnected". */
export function stateText(state, message = '') {
    switch (state) {
    case 'connecting':
        return 'Connecting\u2026';
    case 'connected':
        return message ? `Connected \u2014 ${message}` : 'Connected';
    case 'disconnected':
        return message ? `Disconnected: ${message}` : 'Disconnected';
    default:
        return 'Not connected';
    }
}
