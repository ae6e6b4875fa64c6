// app.js — boots the page and wires the modules: asks GET /api/session, then shows
// the login form or the signed-in shell (user menu, banner, live events socket, main
// navigation, hash routes: #/ list, #/domains/<uuid> detail, #/domains/<uuid>/console
// and /serial the consoles on pages of their own, #/networks, #/storage and
// #/storage/<pool>). Owns the one Api, Store and
// EventSocket of the page. Browser main thread.

import { Api } from './api.js';
import { Store } from './state.js';
import { EventSocket, eventsUrl } from './ws.js';
import { parseHash, listHash } from './router.js';
import { Notifier } from './views/notify.js';
import { LoginView } from './views/login.js';
// Stand-ins that load their modules on first use (the login page needs none of them).
import {
    DomainListView, DomainDetailView, ConsolePage, NetworksView, StorageView, PoolVolumesView,
    createActionRunner, confirmDialog,
} from './views/load.js';
import { Banner } from './views/banner.js';
import { UserMenu } from './views/user-menu.js';
import { h } from './views/dom.js';

const api = new Api();
const store = new Store();
const events = new EventSocket({ url: eventsUrl(window.location) });
const $ = (id) => document.getElementById(id);
const main = $('main');
const notify = new Notifier($('alerts'), $('toasts'));
const ctx = { api, store, notify, confirm: confirmDialog };
ctx.runAction = createActionRunner(ctx);

let view = null;
let userMenu = null;
let routeCount = 0;

// ---- wiring ------------------------------------------------------------------

events.on('message', (msg) => store.applyMessage(msg));
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

new Banner($('banner'), ctx, () => events.retryNow());
window.addEventListener('hashchange', () => route());

// ---- session -------------------------------------------------------------------

async function checkSession() {
    try {
        const s = await api.session();
        if (!s && store.session) store.endSession('expired');
    } catch { /* unreachable server: the socket keeps retrying */ }
}

function enterApp() {
    notify.clear();
    document.body.classList.add('signed-in');
    userMenu?.destroy();
    userMenu = new UserMenu($('user-menu'), store.session, logout);
    // The list comes from the events socket's snapshot (sent on every (re)connect),
    // not from GET /api/domains as well: a page load builds it once.
    events.start();
    loadHost();
    route();
}

function leaveApp() {
    events.stop();
    userMenu?.destroy();
    userMenu = null;
    document.body.classList.remove('signed-in');
    notify.clear();
    const notice = store.sessionEndReason === 'expired'
        ? 'Your session has ended. Please log in again.'
        : store.sessionEndReason === 'logout' ? 'You have logged out.' : '';
    showLogin(notice);
}

async function logout() {
    // Close the socket first so its "session expired" goodbye is not mistaken for expiry.
    events.stop();
    try {
        await api.logout();
    } catch { /* the session is dropped locally either way */ }
    if (store.session) store.endSession('logout');
}

function showLogin(notice = '') {
    view?.destroy();
    document.body.classList.remove('console-open');
    document.title = 'Log in \u2014 virtdeck';
    view = new LoginView(ctx, (session) => store.setSession(session), notice);
    view.mount(main);
}

// ---- data --------------------------------------------------------------------

async function loadHost() {
    try {
        store.setHost(await api.host());
    } catch (err) {
        if (err.status !== 401 && store.session) store.setHostError(err.message); // the host panel shows it
    }
}
ctx.loadHost = loadHost;

// ---- header ------------------------------------------------------------------

const CONN_TEXT = { idle: 'Offline', connecting: 'Connecting\u2026', open: 'Live', closed: 'Reconnecting\u2026' };

function renderConnection() {
    const el = $('conn');
    const state = store.session ? store.connection.state : 'idle';
    el.className = `conn conn-${state}`;
    el.querySelector('.conn-text').textContent = CONN_TEXT[state] || state;
    el.title = state === 'open' ? 'Live updates are on' : 'Live updates are not connected';
}

// ---- routes --------------------------------------------------------------------

/** Marks the main navigation's link of the current page (aria-current). */
function markNav(section) {
    for (const a of document.querySelectorAll('#mainnav [data-nav]')) {
        if (a.dataset.nav === section) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
    }
}

function route() {
    if (!store.session) return;
    const r = parseHash(window.location.hash);
    view?.destroy();
    document.body.classList.toggle('console-open', r.view === 'console' || r.view === 'serial');
    markNav(r.view === 'networks' ? 'networks' : r.view === 'storage' || r.view === 'pool' ? 'storage' : 'vms');
    if (r.view === 'networks') {
        view = new NetworksView(ctx);
        document.title = 'Networks \u2014 virtdeck';
    } else if (r.view === 'storage') {
        view = new StorageView(ctx);
        document.title = 'Storage \u2014 virtdeck';
    } else if (r.view === 'pool') {
        view = new PoolVolumesView(ctx, r.pool);
    } else if (r.view === 'console' || r.view === 'serial') {
        view = new ConsolePage(ctx, r.uuid, r.view);
    } else if (r.view === 'detail') {
        view = new DomainDetailView(ctx, r.uuid);
        document.title = 'Virtual machine \u2014 virtdeck';
    } else {
        if (r.view === 'notfound') {
            history.replaceState(null, '', listHash());
        }
        view = new DomainListView(ctx);
        document.title = 'Virtual machines \u2014 virtdeck';
    }
    view.mount(main);
    // Move focus to the new page's heading on navigation (not on first load).
    if (routeCount++ > 0) $('page-title')?.focus();
}

// ---- boot ----------------------------------------------------------------------

async function boot() {
    $('conn').replaceChildren(h('span', { class: 'conn-dot', 'aria-hidden': 'true' }), h('span', { class: 'conn-text' }));
    renderConnection();
    try {
        const s = await api.session();
        if (s) store.setSession(s);
        else showLogin();
    } catch (err) {
        showLogin();
        notify.error(`${err.message} Reload the page to try again.`);
    }
}

boot();
