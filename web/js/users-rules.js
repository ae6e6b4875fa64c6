// SPDX-License-Identifier: LGPL-2.1-or-later
// users-rules.js — pure: the users page's checks, the server's rules (docs/api.md
// "Users"), so a mistake shows at its field before a request: a user name of 1-64
// of A-Z a-z 0-9 . _ -, not starting with . or -; a password of at least the server's
// minimum in characters (code points, as the server counts them), at most 1024 bytes,
// without control characters, and not the user name. No DOM.

export const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;
export const PASSWORD_MAX_BYTES = 1024;

/** Characters (code points) in s. */
export function charCount(s) {
    return [...String(s ?? '')].length;
}

/**
 * What is wrong with a password, as {id, params} of a message, or null.
 * min: the server's password_min_length; name: the user's name ("" if not known yet).
 */
export function passwordProblem(password, { min, name = '' }) {
    const pw = String(password ?? '');
    if (charCount(pw) < min) return { id: 'users.password.too-short', params: { count: min } };
    if (new TextEncoder().encode(pw).length > PASSWORD_MAX_BYTES) return { id: 'users.password.too-long', params: { count: PASSWORD_MAX_BYTES } };
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f-\u009f]/.test(pw)) return { id: 'users.password.control', params: {} };
    if (name && pw === name) return { id: 'users.password.is-name', params: {} };
    return null;
}

/** What is wrong with a new user's name, as {id, params}, or null. */
export function nameProblem(name) {
    const n = String(name ?? '');
    if (!n) return { id: 'users.name.required', params: {} };
    if (!NAME_RE.test(n)) return { id: 'users.name.invalid', params: {} };
    return null;
}
