// SPDX-License-Identifier: LGPL-2.1-or-later
// app.js — boots the page and wires the modules: asks GET /api/session, then shows
// the login form or the signed-in shell (user menu, banner, the test-driver demo's
// notice, live events socket, main navigation, hash routes: #/ list, #/domains/<uuid>
// detail, #/domains/<uuid>/console and /serial the consoles on pages of their own,
// #/networks, #/storage and #/storage/<pool>, #/audit). Owns the one Api, Store and
// EventSocket of the page. Starts in the remembered or the browser's language (before
// the first render) and, when the language changes, translates index.html's texts
// again, rebuilds the user menu and re-renders the current page in place (same hash,
// same tab). Browser main thread.

import { Api } from './api.js';
import { Store } from './state.js';
import { EventSocket, eventsUrl } from './ws.js';
import { parseHash, listHash, accountHash } from './router.js';
import { Notifier } from './views/notify.js';
import { LoginView } from './views/login.js';
// Stand-ins that load their modules on first use (the login page needs none of them).
import {
    DomainListView, DomainDetailView, CreateWizardView, ConsolePage, NetworksView, StorageView, PoolVolumesView,
    TokensView, UsersView, AlertRulesView, AccountView, AuditView, createActionRunner, confirmDialog,
} from './views/load.js';
import { Banner } from './views/banner.js';
import { DemoBanner } from './views/demo-banner.js';
import { UserMenu } from './views/user-menu.js';
import { JobsIndicator } from './views/jobs-indicator.js';
import { AlertsBell } from './views/alerts-bell.js';
import { h } from './views/dom.js';
import { applyStaticTexts } from './views/i18n-dom.js';
import { t, setLanguage, initialLanguage, onLanguageChange, DEFAULT_LANGUAGE } from './i18n.js';
import { errorText } from './errors.js';
import { canCreate } from './domains.js';

const api = new Api();
const store = new Store();
const events = new EventSocket({ url: eventsUrl(window.location) });
const $ = (id) => document.getElementById(id);
const main = $('main');
const notify = new Notifier($('alerts'), $('toasts'));
const ctx = { api, store, notify, confirm: confirmDialog };
ctx.jobs = new JobsIndicator($('jobs'), store, notify); // long work the user started
ctx.runAction = createActionRunner(ctx);
const bell = new AlertsBell($('alerts-bell'), api, store); // firing alerts (polled)

let view = null;
let userMenu = null;
let routeCount = 0;

// ---- wiring ------------------------------------------------------------------

events.on('message', (msg) => store.applyMessage(msg));
events.on('message', (msg) => { if (msg?.type === 'alert') bell.refresh(); }); // a VM's alert changed
events.on('state', (st) => {
    store.setConnection(st.state, st);
    // A socket that keeps failing may mean the session is gone: ask once per attempt.
    if (st.state === 'closed' && store.session) checkSession();
});
api.on('logged-out', () => {
    if (store.session) store.endSession('expired');
});

let hostWasConnected = null;
store.on('changed', (c) => {
    if (c.session) {
        if (store.session) enterApp();
        else leaveApp();
    }
    if (c.host) {
        if (store.hostConnected === true && hostWasConnected === false) loadHost();
        hostWasConnected = store.hostConnected;
    }
    if (c.connection) renderConnection();
});

const banner = new Banner($('banner'), ctx, () => events.retryNow());
new DemoBanner($('banner'), ctx); // above the banner: what a test-driver demo cannot do
window.addEventListener('hashchange', () => route());

// ---- session -------------------------------------------------------------------

async function checkSession() {
    try {
        const s = await api.session();
        if (!s && store.session) store.endSession('expired');
    } catch { /* unreachable server: the socket keeps retrying */ }
}

function buildUserMenu() {
    userMenu?.destroy();
    userMenu = new UserMenu($('user-menu'), store.session, logout);
}

function enterApp() {
    notify.clear();
    document.body.classList.add('signed-in');
    $('nav-audit').hidden = false; // every role reads the rows about the VMs it sees (docs/api.md)
    buildUserMenu();
    // A session that must enrol TOTP first reaches only its account (docs/api.md): no
    // events, host or jobs until then; route() shows the account page.
    if (store.session.totp_enrolment_required) {
        route();
        return;
    }
    // The list comes from the events socket's snapshot (sent on every (re)connect),
    // not from GET /api/domains as well: a page load builds it once.
    events.start();
    loadHost();
    loadJobs();
    bell.start();
    route();
}

/** The jobs still known to the server (a page reload forgets the events that told them). */
async function loadJobs() {
    try {
        const { jobs } = await api.jobs();
        for (const job of jobs || []) if (job.state === 'running') store.applyJob(job);
    } catch { /* the indicator stays empty; the events tell new jobs */ }
}

function leaveApp() {
    events.stop();
    bell.stop();
    userMenu?.destroy();
    userMenu = null;
    document.body.classList.remove('signed-in');
    notify.clear();
    showLogin();
}

/** What the login form says about how the last session ended (or ""). */
function loginNotice() {
    if (store.sessionEndReason === 'expired') return t('shell.session.expired');
    if (store.sessionEndReason === 'logout') return t('shell.session.logged-out');
    return '';
}

async function logout() {
    // Close the socket first so its "session expired" goodbye is not mistaken for expiry.
    events.stop();
    try {
        await api.logout();
    } catch { /* the session is dropped locally either way */ }
    if (store.session) store.endSession('logout');
}

/** Shows the login form; kept: what the form it replaces kept (a language switch). */
function showLogin(kept) {
    stopScrollBack();
    view?.destroy();
    document.body.classList.remove('console-open');
    document.title = t('shell.title', { page: t('shell.login.title-short') });
    view = new LoginView(ctx, (session) => store.setSession(session), loginNotice());
    view.mount(main);
    if (kept !== undefined) view.restoreState?.(kept);
}

// ---- data --------------------------------------------------------------------

async function loadHost() {
    try {
        store.setHost(await api.host());
    } catch (err) {
        if (err.status !== 401 && store.session) store.setHostError(err); // the host panel shows it
    }
}
ctx.loadHost = loadHost;

// ---- header ------------------------------------------------------------------

function connectionText(state) {
    switch (state) {
    case 'connecting': return t('shell.conn.connecting');
    case 'open': return t('shell.conn.open');
    case 'closed': return t('shell.conn.closed');
    default: return t('shell.conn.idle');
    }
}

function renderConnection() {
    const el = $('conn');
    const text = el.querySelector('.conn-text');
    if (!text) return; // before boot built it
    const state = store.session ? store.connection.state : 'idle';
    el.className = `conn conn-${state}`;
    text.textContent = connectionText(state);
    el.title = state === 'open' ? t('shell.conn.title-open') : t('shell.conn.title-closed');
}

// ---- routes --------------------------------------------------------------------

/** The browser tab's title for a route ("" for pages that set their own). */
function routeTitle(name) {
    switch (name) {
    case 'networks': return t('shell.nav.networks');
    case 'tokens': return t('tokens.title');
    case 'alert-rules': return t('alert-rules.title');
    case 'users': return t('users.title');
    case 'account': return t('account.title');
    case 'storage': return t('shell.nav.storage');
    case 'audit': return t('audit.title');
    case 'detail': return t('shell.title.vm'); // until the VM's name is known
    case 'create': return t('create.title');
    case 'pool': case 'console': case 'serial': return '';
    default: return t('shell.nav.vms');
    }
}

/** Marks the main navigation's link of the current page (aria-current). */
function markNav(section) {
    for (const a of document.querySelectorAll('#mainnav [data-nav]')) {
        if (a.dataset.nav === section) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
    }
}

/**
 * Shows the page of the current hash. rerender: the same page again after a language
 * switch (what the old view kept, e.g. its chosen tab, goes to the new one; focus stays
 * where the user is).
 */
function route({ rerender = false } = {}) {
    if (!store.session) return;
    if (store.session.totp_enrolment_required && parseHash(window.location.hash).view !== 'account') {
        history.replaceState(null, '', accountHash());
    }
    const r = parseHash(window.location.hash);
    if (!rerender && r.view === 'detail' && view instanceof DomainDetailView && view.uuid === r.uuid) {
        view.showTab(r.tab); // another tab of the page shown (back/forward): no rebuild
        return;
    }
    const kept = rerender ? view?.keepState?.() : undefined;
    if (rerender) keepScroll();
    else stopScrollBack();
    view?.destroy();
    document.body.classList.toggle('console-open', r.view === 'console' || r.view === 'serial');
    const admin = store.session.role === 'admin';
    markNav(r.view === 'networks' ? 'networks' : r.view === 'storage' || r.view === 'pool' ? 'storage'
        : r.view === 'audit' ? 'audit' : 'vms');
    if (r.view === 'networks') {
        view = new NetworksView(ctx);
    } else if (r.view === 'storage') {
        view = new StorageView(ctx);
    } else if (r.view === 'tokens') {
        view = new TokensView(ctx);
    } else if (r.view === 'account') {
        // enrolled from a limited session: start again as a full one
        view = new AccountView(ctx, () => window.location.reload());
    } else if (r.view === 'users' && admin) {
        view = new UsersView(ctx);
    } else if (r.view === 'alert-rules' && admin) {
        view = new AlertRulesView(ctx);
    } else if (r.view === 'pool') {
        view = new PoolVolumesView(ctx, r.pool);
    } else if (r.view === 'console' || r.view === 'serial') {
        view = new ConsolePage(ctx, r.uuid, r.view);
    } else if (r.view === 'audit') {
        view = new AuditView(ctx, r.query);
    } else if (r.view === 'detail') {
        view = new DomainDetailView(ctx, r.uuid, r.tab);
    } else if (r.view === 'create' && canCreate(store.session.role)) {
        view = new CreateWizardView(ctx);
    } else {
        if (r.view === 'notfound' || r.view === 'create' || r.view === 'users' || r.view === 'alert-rules') {
            history.replaceState(null, '', listHash());
        }
        view = new DomainListView(ctx);
    }
    const title = routeTitle(r.view);
    if (title) document.title = t('shell.title', { page: title });
    view.mount(main);
    if (kept !== undefined) view.restoreState?.(kept);
    // Move focus to the new page's heading on navigation (not on first load, not when
    // the language changed under the user's hands).
    if (routeCount++ > 0 && !rerender) $('page-title')?.focus();
}

// ---- the scroll position over a re-render ------------------------------------------

let scrollBack = null;

function stopScrollBack() {
    if (!scrollBack) return;
    scrollBack.observer.disconnect();
    clearTimeout(scrollBack.timer);
    scrollBack = null;
}

/**
 * A re-render (a language switch) rebuilds the page and its view reads its data again:
 * for a moment the page is short and the browser scrolls to the top. This puts the
 * page back where the user was once it is nearly as tall as before (90 %: the other
 * language's text may take less room), or as far as it goes after 3 s. Call before
 * the old view goes.
 */
function keepScroll() {
    stopScrollBack();
    const y = window.scrollY;
    if (y <= 0) return;
    const was = document.documentElement.scrollHeight;
    const restore = () => {
        stopScrollBack();
        window.scrollTo(0, y);
    };
    const observer = new MutationObserver(() => {
        if (document.documentElement.scrollHeight >= 0.9 * was) restore();
    });
    observer.observe(main, { childList: true, subtree: true });
    scrollBack = { observer, timer: setTimeout(restore, 3000) };
}

// ---- language ------------------------------------------------------------------

/** The language changed: every text on the page follows, the page itself stays. */
function languageChanged() {
    applyStaticTexts();
    renderConnection();
    banner.refresh();
    if (store.session) {
        const menuWasOpen = userMenu?.isOpen() ?? false;
        buildUserMenu();
        if (menuWasOpen) userMenu.open({ focusLanguage: true });
        route({ rerender: true });
    } else if (view) {
        showLogin(view.keepState?.());
    }
}

/** Loads the starting language's catalogue (English when that one cannot be loaded). */
async function startLanguage() {
    try {
        await setLanguage(initialLanguage(), { remember: false });
    } catch {
        await setLanguage(DEFAULT_LANGUAGE, { remember: false }).catch(() => {});
    }
    applyStaticTexts();
    onLanguageChange(languageChanged);
}

// ---- boot ----------------------------------------------------------------------

async function boot() {
    await startLanguage();
    $('conn').replaceChildren(h('span', { class: 'conn-dot', 'aria-hidden': 'true' }), h('span', { class: 'conn-text' }));
    renderConnection();
    try {
        const s = await api.session();
        if (s) store.setSession(s);
        else showLogin();
    } catch (err) {
        showLogin();
        notify.error(t('shell.boot-failed', { error: errorText(err) }));
    }
}

boot();
