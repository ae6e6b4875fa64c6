// SPDX-License-Identifier: LGPL-2.1-or-later
// errors.js — what the UI says about a failed request. The server's errors carry a stable
// `code` (server/util/app_error.h) and an English `message`; the UI shows the catalogue's
// message for a known code (`error.<code>`), libvirt's own text (code libvirt_error)
// after a translated lead, and the server's text only for codes it does not know. For
// codes whose server text names the object or the rule (a conflict, a bad field),
// errorDetail gives that text as a second line (English: mark it lang="en"), so nothing
// an English reader saw before is lost. not_supported is the exception: libvirt's text
// ("not supported by the connection driver: virStorageVolUpload") is for API users, and
// the UI says in words what this host cannot do, named from the failed request
// (operationOf). fieldErrorText is the sentence shown at a form's control when the
// server names the refused member (err.field, with err.min/err.max for a range).
// Pure (no DOM); call at the time the text is shown (the language can change). Main
// thread.

import { t, hasMessage } from './i18n.js';

/** Codes whose server message adds information to the translated one. */
const DETAIL_CODES = new Set([
    'bad_request', 'conflict', 'not_found', 'internal_error', 'libvirt_unavailable',
    'insufficient_storage', 'payload_too_large', 'range_not_satisfiable', 'outside_pool',
    'outside_pool_roots', 'pool_type_not_allowed',
]);

function codeOf(err) {
    return err && typeof err === 'object' && typeof err.code === 'string' ? err.code : '';
}

function messageOf(err) {
    if (typeof err === 'string') return err;
    return err && typeof err === 'object' && typeof err.message === 'string' ? err.message.trim() : '';
}

/**
 * The requests a driver may refuse as not_supported, by method and path (docs/api.md),
 * and the operation each is: error.not_supported.<operation> says what this host cannot
 * do. The websocket consoles say it through console-status.js (close code 4501).
 */
const OPERATIONS = [
    ['PUT', /^\/api\/pools\/[^/]+\/volumes\/[^/]+\/content(\?|$)/, 'upload'],
    ['GET', /^\/api\/pools\/[^/]+\/volumes\/[^/]+\/content(\?|$)/, 'download'],
    ['POST', /^\/api\/pools\/[^/]+\/volumes\/[^/]+\/resize$/, 'resize'],
    ['POST', /^\/api\/pools\/[^/]+\/volumes\/[^/]+\/wipe$/, 'wipe'],
    ['POST', /^\/api\/pools\/[^/]+\/volumes\/[^/]+\/clone$/, 'clone'],
    ['POST', /^\/api\/pools\/[^/]+\/volumes$/, 'create-volume'],
    ['POST', /^\/api\/domains\/[^/]+\/disks$/, 'attach-disk'],
    ['PATCH', /^\/api\/domains\/[^/]+\/disks\/[^/]+$/, 'change-disk'],
    ['DELETE', /^\/api\/domains\/[^/]+\/disks\/[^/]+$/, 'detach-disk'],
    ['PUT', /^\/api\/domains\/[^/]+\/disks\/[^/]+\/media$/, 'media'],
    ['DELETE', /^\/api\/domains\/[^/]+\/disks\/[^/]+\/media$/, 'media'],
    ['POST', /^\/api\/domains\/[^/]+\/interfaces$/, 'attach-nic'],
    ['PATCH', /^\/api\/domains\/[^/]+\/interfaces\/[^/]+$/, 'change-nic'],
    ['DELETE', /^\/api\/domains\/[^/]+\/interfaces\/[^/]+$/, 'detach-nic'],
    ['POST', /^\/api\/networks\/[^/]+\/start$/, 'network-start'],
    ['POST', /^\/api\/networks$/, 'network-start'], // created with "start": true
];

/** The operation err's request was ("upload", "attach-disk", …), or "" when unknown. */
export function operationOf(err) {
    if (!err || typeof err !== 'object' || typeof err.path !== 'string') return '';
    const method = err.method === 'HEAD' ? 'GET' : err.method;
    const hit = OPERATIONS.find(([m, re]) => m === method && re.test(err.path));
    return hit ? hit[2] : '';
}

/**
 * The sentence to show for err (an ApiError, or anything thrown): the translation of
 * its code; for libvirt_error the translated lead with libvirt's message; for
 * not_supported what this host cannot do (by the failed request), never libvirt's
 * text; for an unknown code the error's own message; for nothing usable a generic
 * "something went wrong".
 */
export function errorText(err) {
    const code = codeOf(err);
    const message = messageOf(err);
    if (code === 'not_supported') {
        const op = operationOf(err);
        return op ? t(`error.not_supported.${op}`) : t('error.not_supported');
    }
    if (code === 'libvirt_error') {
        return message ? t('error.libvirt_error.message', { message }) : t('error.libvirt_error');
    }
    if (code === 'http_error') return t('error.http_error', { status: String(err.status ?? '') });
    if (code && hasMessage(`error.${code}`)) return t(`error.${code}`);
    return message || t('error.unknown');
}

/**
 * The server's own (English) text when errorText replaced it with a translation and it
 * says more (which object, which rule): show it under errorText with lang="en". "" when
 * there is nothing to add.
 */
export function errorDetail(err) {
    const code = codeOf(err);
    const message = messageOf(err);
    if (!message || !DETAIL_CODES.has(code) || !hasMessage(`error.${code}`)) return '';
    return message === errorText(err) ? '' : message;
}

/**
 * The sentence shown at the control the server named (err.field): a number outside its
 * range says the range (as plain numbers: a form with units formats its own, see
 * forms.js sizeRangeText); otherwise the code's message, with the server's words as
 * the detail where they add something (which network a subnet overlaps).
 */
export function fieldErrorText(err) {
    const min = Number.isFinite(err?.min) ? err.min : null;
    const max = Number.isFinite(err?.max) ? err.max : null;
    if (min !== null && max !== null) return t('error.field.range', { min: String(min), max: String(max) });
    const code = codeOf(err);
    const text = code && hasMessage(`error.field.${code}`) ? t(`error.field.${code}`) : errorText(err);
    const detail = errorDetail(err);
    return detail ? t('error.with-detail', { text, detail }) : text;
}
