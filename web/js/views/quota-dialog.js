// SPDX-License-Identifier: LGPL-2.1-or-later
// views/quota-dialog.js — the Quota dialog the Users page opens for a user (users.js)
// and for a group (groups.js): one field per dimension (quota-rules.js QUOTA_DIMS),
// blank for unlimited, checked as typed and at the field the server names; saved by the
// caller's save(body). Browser main thread.

import { field, formDialog, placeServerError, showErrors, textInput } from './form-kit.js';
import { QUOTA_DIMS, limitProblem, limitText, limitValue } from '../quota-rules.js';
import { t } from '../i18n.js';

/**
 * Opens the dialog. idPrefix names its fields (`${idPrefix}-vms`, ...), limits is the
 * quota set now ({vms: n|null, ...}), save(body) sends {vms, vcpus, memory_mib,
 * disk_gib} (a rejection with a field shows there). Resolves true when it was saved.
 */
export async function quotaDialog({ idPrefix, title, description, limits, save }) {
    const fields = QUOTA_DIMS.map((dim) => {
        const control = textInput({ id: `${idPrefix}-${dim}`, inputmode: 'numeric', value: limitText(limits?.[dim]) });
        const f = field({ label: t(`quota.dim.${dim}`), control, key: dim });
        f.check = () => (limitProblem(control.value) ? t('quota.limit.invalid') : '');
        return f;
    });
    let saved = false;
    await formDialog({
        title,
        description,
        body: fields.map((f) => f.root),
        submitLabel: t('users.quota.submit'),
        onSubmit: async () => {
            const errors = Object.fromEntries(fields.map((f) => [f.key, f.check()]));
            if (showErrors(fields, errors)) return false;
            try {
                await save(Object.fromEntries(fields.map((f) => [f.key, limitValue(f.control.value)])));
            } catch (err) {
                if (placeServerError(fields, err)) return false;
                throw err;
            }
            saved = true;
            return true;
        },
    });
    return saved;
}
