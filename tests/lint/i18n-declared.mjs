// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lint/i18n-declared.mjs — the one place that declares what the i18n checks cannot
// see in the code: the functions whose first argument is a message id, the message ids
// built at run time (and why), and the UI's own error codes. Read by catalogue.mjs and
// eslint-plugin-virtdeck.mjs. Keep it short: every entry is an id the check cannot
// follow, so each needs a reason.

/** Functions whose first argument is a message id (i18n.js; views/i18n-dom.js's tNodes). */
export const ID_FUNCTIONS = ['t', 'hasMessage', 'tNodes'];

/**
 * Calls of ID_FUNCTIONS whose id is built at run time (a template, 'error.' + code, a
 * variable). file: where the call is; ids: the ids it can build, either 'prefix.*' (the
 * call's fixed start must be this prefix), a list of exact ids, or '*' (any: only for
 * the functions that implement ids for others); why: what builds them and what checks
 * them. Every id a glob or list covers counts as used. An entry whose file builds no id
 * at run time is reported (the list only holds what the code needs).
 */
export const DYNAMIC_IDS = [
    {
        file: 'web/js/errors.js',
        ids: 'error.*',
        why: 'errorText(err): error.<code> for the code of a server or UI error; catalogue.mjs checks that every code of server/util/app_error.h and UI_ERROR_CODES has one',
    },
    {
        file: 'web/js/views/i18n-dom.js',
        ids: '*',
        why: 'applyStaticTexts() translates the data-i18n* ids of index.html (checked as such); tNodes(id) is t() for messages with elements (its callers\' ids are checked as t()\'s)',
    },
    {
        file: 'web/js/views/quota-bars.js',
        ids: 'quota.dim.*',
        why: 'quota.dim.<dimension> for each of QUOTA_DIMS (web/js/quota-rules.js): vms, vcpus, memory_mib, disk_gib',
    },
    {
        file: 'web/js/views/quota-dialog.js',
        ids: 'quota.dim.*',
        why: 'the quota dialog labels each of QUOTA_DIMS (web/js/quota-rules.js) with quota.dim.<dimension>',
    },
];

/** Error codes the UI makes itself (api.js: no answer from the server). */
export const UI_ERROR_CODES = ['network_error'];
