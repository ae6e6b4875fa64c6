// SPDX-License-Identifier: LGPL-2.1-or-later
// views/offline.js — actions held while the server or libvirt cannot be reached
// (store.unreachable()): every action button of a group disabled, with the reason as
// its title and the banner (#banner, which says what is lost) as its description; the
// buttons' own titles come back with the connection. Browser main thread.

import { t } from '../i18n.js';

/** The sentence saying why actions wait, for store.unreachable()'s answer ('' = none). */
export function offlineReason(why) {
    if (why === 'host') return t('domains.offline.host');
    if (why === 'server') return t('domains.offline.server');
    return '';
}

/**
 * Holds (reason given) or releases (reason '') the action buttons of container, after
 * renderActionButtons() set them for the domain; releasing leaves `disabled` to it.
 */
export function holdActions(container, reason) {
    if (!container) return;
    for (const btn of container.querySelectorAll('button[data-action]')) {
        if (reason) {
            if (btn.dataset.ownTitle === undefined) btn.dataset.ownTitle = btn.title;
            btn.title = reason;
            btn.disabled = true;
            btn.setAttribute('aria-describedby', 'banner');
        } else if (btn.dataset.ownTitle !== undefined) {
            btn.title = btn.dataset.ownTitle;
            delete btn.dataset.ownTitle;
            btn.removeAttribute('aria-describedby');
        }
    }
    container.dataset.held = reason ? 'true' : 'false';
}
