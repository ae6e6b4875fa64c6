// errors.js — what the UI says about a failed request. The server's errors carry a stable
// `code` (server/util/app_error.h) and an English `message`; the UI shows the catalogue's
// message for a known code (`error.<code>`), libvirt's own text (code libvirt_error)
// after a translated lead, and the server's text only for codes it does not know. For
// codes whose server text names the object or the rule (a conflict, a bad field),
// errorDetail gives that text as a second line (English: mark it lang="en"), so nothing
// an English reader saw before is lost. Pure (no DOM); call at the time the text is
// shown (the language can change). Main thread.

import { t, hasMessage } from './i18n.js';

/** Codes whose server message adds information to the translated one. */
const DETAIL_CODES = new Set([
    'bad_request', 'conflict', 'not_found', 'not_supported', 'internal_error', 'libvirt_unavailable',
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
 * The sentence to show for err (an ApiError, or anything thrown): the translation of
 * its code; for libvirt_error the translated lead with libvirt's message; for an unknown
 * code the error's own message; for nothing usable a generic "something went wrong".
 */
export function errorText(err) {
    const code = codeOf(err);
    const message = messageOf(err);
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
