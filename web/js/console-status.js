// SPDX-License-Identifier: LGPL-2.1-or-later
// console-status.js — what the UI says about a console socket (the VNC display or the
// serial console): the message for each close code of the console endpoints
// (docs/api.md: 4000 + HTTP status after the upgrade, 4401 when the session ends, 1000
// when the VM's side closed), whether trying again can help, and the text of the state
// line, and the sockets' URLs. Messages are in the current language (i18n.js), made when
// asked; the server's own close reason (English) wins when it sent one. Pure (no DOM);
// used by views/console-view.js and views/serial-view.js.

import { t } from './i18n.js';

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

/**
 * A closed console socket -> {message, detail, retry}. code and reason come from the
 * close event; opened says whether the socket had been open (a refusal before the
 * upgrade reaches the browser as 1006 without a reason); kind is "vnc" or "serial";
 * byUser is true when the user pressed Disconnect (or left the page).
 * message is the UI's own sentence for the code (in the current language); detail is
 * the server's reason (English, cleaned; "" when it sent none), shown beside it. retry
 * is false when connecting again cannot work without the user doing something else
 * first (log in, other rights).
 */
export function describeClose(close = {}) {
    // 4501: the driver cannot open this console; libvirt's text ("not supported by the
    // connection driver: …") is for API users, the message says it in words
    const detail = close.byUser || close.code === 4501 ? '' : cleanReason(close.reason);
    return { ...closeMessage(close), detail };
}

function closeMessage({ code, opened = false, kind = 'vnc', byUser = false }) {
    const serial = kind === 'serial';
    if (byUser) return { message: t('domains.console.close.by-user'), retry: true };
    switch (code) {
    case 1000:
        return { message: serial ? t('domains.console.close.serial-closed') : t('domains.console.close.vnc-closed'), retry: true };
    case 1001:
        return { message: t('domains.console.close.restarting'), retry: true };
    case 1005:
    case 1006:
        return opened
            ? { message: t('domains.console.close.lost'), retry: true }
            : { message: t('domains.console.close.refused'), retry: true };
    case 1008:
    case 4403:
        return { message: t('domains.console.close.forbidden'), retry: false };
    case 4400:
        return { message: t('domains.console.close.bad-request'), retry: false };
    case 4401:
        return { message: t('domains.console.close.session-ended'), retry: false };
    case 4404:
        return { message: t('domains.console.close.no-vm'), retry: false };
    case 4409:
        return { message: serial ? t('domains.console.close.no-serial') : t('domains.console.close.no-vnc'), retry: true };
    case 4501:
        return { message: serial ? t('domains.console.close.serial-unsupported') : t('error.not_supported.console'), retry: true };
    case 4502:
        return { message: serial ? t('domains.console.close.serial-unreachable') : t('domains.console.close.vnc-unreachable'), retry: true };
    case 4503:
        return { message: t('domains.console.close.no-libvirt'), retry: true };
    default:
        if (Number.isInteger(code) && code >= 4000 && code <= 4999) {
            return { message: t('domains.console.close.server-code', { code: String(code) }), retry: true };
        }
        return {
            message: Number.isInteger(code) ? t('domains.console.close.code', { code: String(code) }) : t('domains.console.close.other'),
            retry: true,
        };
    }
}

/**
 * The state line: state is "idle" | "connecting" | "connected" | "disconnected";
 * message the UI's sentence (or the VNC desktop's name when connected); detail the
 * server's reason (views/console-common.js passes it as a placeholder of
 * views/i18n-dom.js textNodes, to mark it English).
 */
export function stateText(state, message = '', detail = '') {
    switch (state) {
    case 'connecting':
        return t('domains.console.state.connecting');
    case 'connected':
        return message ? t('domains.console.state.connected-to', { message }) : t('domains.console.state.connected');
    case 'disconnected':
        if (message && detail) return t('domains.console.state.disconnected-detail', { message, detail });
        if (message || detail) return t('domains.console.state.disconnected-why', { message: message || detail });
        return t('domains.console.state.disconnected');
    default:
        return t('domains.console.state.idle');
    }
}
