// SPDX-License-Identifier: LGPL-2.1-or-later
// views/load.js — the one place that loads the signed-in UI's modules on first use
// (dynamic import()), so the login page fetches only what it shows. Each export stands
// in for the class or function of the same name in its module and has its signature:
//   - page views (new X(ctx, ...args), mount(container), destroy()): mount() loads the
//     module, then builds the real view and mounts it. A stand-in destroyed before its
//     module arrives builds nothing. The focus app.js gives #page-title after mount()
//     goes to an empty stand-in heading until the real view replaces it, then to the
//     real heading. A module that cannot be loaded (network lost, or a newer build
//     replaced the files this page knows) is reported through ctx.notify.
//   - createActionRunner(ctx) and confirmDialog(opts): the same promise-returning
//     functions, their module loaded on the first call (actions.js comes with the VM
//     list anyway; confirm.js with the first question).
// import() takes only string literals here, so the web build (web/tools/build.mjs) can
// rename their targets to content-hashed names; each goes through importGraph()
// (dom.js), to which the build gives the target's static import graph, so a view's
// modules are asked for in one round trip, not one per import level. Browser main thread.

import { h, importGraph } from './dom.js';
import { t } from '../i18n.js';

/** A module that did not arrive: the translated advice, the browser's reason as detail. */
function loadFailed(ctx, err) {
    ctx.notify.error(t('shell.module-load-failed'), { detail: err.message });
}

function pageView(load) {
    return class LazyPageView {
        constructor(...args) {
            this.args = args;
            this.view = null;
            this.sink = null;
            this.destroyed = false;
            this.kept = undefined;
        }

        /** The real view's state for its replacement (a language switch re-renders). */
        keepState() {
            return this.view ? this.view.keepState?.() : this.kept;
        }

        /** Hands kept state to the real view now, or when its module arrives. */
        restoreState(state) {
            if (this.view) this.view.restoreState?.(state);
            else this.kept = state;
        }

        mount(container) {
            // app.js moves the focus to #page-title right after mount() on a navigation;
            // until the real view is there, an empty stand-in heading takes it.
            if (!document.getElementById('page-title')) {
                this.sink = h('span', { id: 'page-title', class: 'visually-hidden', tabindex: '-1' });
                container.append(this.sink);
            }
            load().then((View) => {
                if (this.destroyed) return;
                const focused = document.activeElement;
                const titleHadFocus = focused?.id === 'page-title' && container.contains(focused);
                this.sink?.remove();
                this.view = new View(...this.args);
                this.view.mount(container);
                if (this.kept !== undefined) this.view.restoreState?.(this.kept);
                if (titleHadFocus) document.getElementById('page-title')?.focus();
            }, (err) => {
                if (!this.destroyed) loadFailed(this.args[0], err);
            });
        }

        destroy() {
            this.destroyed = true;
            this.sink?.remove();
            this.view?.destroy();
        }
    };
}

export const DomainListView = pageView(() => importGraph(() => import('./domain-list.js')).then((m) => m.DomainListView));
export const DomainDetailView = pageView(() => importGraph(() => import('./domain-detail.js')).then((m) => m.DomainDetailView));
export const ConsolePage = pageView(() => importGraph(() => import('./console-page.js')).then((m) => m.ConsolePage));
export const CreateWizardView = pageView(() => importGraph(() => import('./create-wizard.js')).then((m) => m.CreateWizardView));
export const NetworksView = pageView(() => importGraph(() => import('./networks.js')).then((m) => m.NetworksView));
export const StorageView = pageView(() => importGraph(() => import('./storage.js')).then((m) => m.StorageView));
export const AuditView = pageView(() => importGraph(() => import('./audit.js')).then((m) => m.AuditView));
export const PoolVolumesView = pageView(() => importGraph(() => import('./pool-volumes.js')).then((m) => m.PoolVolumesView));
export const TokensView = pageView(() => importGraph(() => import('./tokens.js')).then((m) => m.TokensView));
export const AlertRulesView = pageView(() => importGraph(() => import('./alert-rules.js')).then((m) => m.AlertRulesView));
export const UsersView = pageView(() => importGraph(() => import('./users.js')).then((m) => m.UsersView));
export const AccountView = pageView(() => importGraph(() => import('./account.js')).then((m) => m.AccountView));

/** As actions.js's createActionRunner; actions.js is loaded on the first action. */
export function createActionRunner(ctx) {
    let run = null;
    return async (...args) => {
        try {
            run ??= (await importGraph(() => import('./actions.js'))).createActionRunner(ctx);
        } catch (err) {
            loadFailed(ctx, err);
            return undefined;
        }
        return run(...args);
    };
}

/**
 * As confirm.js's confirmDialog; confirm.js is loaded on the first question. When it
 * cannot be loaded the question counts as declined (nothing destructive happens).
 */
export async function confirmDialog(opts) {
    let mod;
    try {
        mod = await importGraph(() => import('./confirm.js'));
    } catch (err) {
        console.error(err);
        return false;
    }
    return mod.confirmDialog(opts);
}
