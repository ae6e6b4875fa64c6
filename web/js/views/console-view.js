// SPDX-License-Identifier: LGPL-2.1-or-later
// views/console-view.js — a VM's display (VNC through noVNC): the shared console frame
// plus "Send keys" (a menu of key combinations: Ctrl+Alt+Del, Ctrl+Alt+F1..F7, Alt+Tab,
// Print Screen...), "Type text" (a dialog whose text is sent as key presses), "Paste"
// (the browser's clipboard typed into the VM), and Fit / 1:1 scaling. Asks for the VNC
// password in a modal <dialog> when the VM's VNC server wants one. After any tool, the
// keyboard focus goes back to the display so keys keep reaching the VM. Used in the
// detail page's Console tab and on the console's own page. noVNC (console.js) is
// loaded on the first connect. Browser main thread.

import { h, setText, importGraph } from './dom.js';
import { ConsoleSessionView, toolButton, consoleIcon } from './console-common.js';
import { KEY_COMBOS, comboById } from '../keysyms.js';
import { consoleHash } from '../router.js';
import { isActive } from '../domains.js';
import { consoleUrl } from '../console-status.js';
import { t } from '../i18n.js';

const SCALE_KEY = 'virtdeck.console.scale';
let dialogSeq = 0;

function savedScale() {
    try {
        return window.localStorage.getItem(SCALE_KEY) !== '1:1';
    } catch {
        return true;
    }
}

function saveScale(fit) {
    try {
        window.localStorage.setItem(SCALE_KEY, fit ? 'fit' : '1:1');
    } catch { /* private mode: the choice lasts for this page only */ }
}

/**
 * A modal dialog around a form: returns {dialog, msg, open()}. onSubmit() runs on OK;
 * onCancel() on Cancel or Esc, not when the code closes it with close('silent').
 */
function formDialog({ title, message, okLabel, body, onSubmit, onCancel }) {
    const id = `console-dialog-${++dialogSeq}`;
    const ok = h('button', { type: 'submit', class: 'btn btn-primary', text: okLabel });
    const cancel = h('button', { type: 'button', class: 'btn', text: t('common.cancel') });
    const msg = h('p', { id: `${id}-msg`, class: 'dialog-message', text: message });
    const form = h('form', { class: 'dialog-form', method: 'dialog' },
        h('h2', { id: `${id}-title`, class: 'dialog-title', text: title }),
        msg, body,
        h('div', { class: 'dialog-buttons' }, cancel, ok));
    const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-msg` }, form);
    let submitted = false;
    form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        submitted = true;
        dialog.close('ok');
        onSubmit();
    });
    cancel.addEventListener('click', () => dialog.close('cancel'));
    dialog.addEventListener('close', () => {
        if (!submitted && dialog.returnValue !== 'silent' && onCancel) onCancel();
        submitted = false;
    });
    const open = () => {
        dialog.returnValue = '';
        if (!dialog.open) dialog.showModal();
    };
    return { dialog, msg, open };
}

export class ConsoleView extends ConsoleSessionView {
    get vnc() {
        return this.session;
    }

    get loadFailMessage() {
        return t('domains.console.vnc.load-failed');
    }

    frameOptions() {
        return {
            kind: 'vnc',
            label: this.name ? t('domains.console.vnc.label', { name: this.name }) : t('domains.console.vnc.label-unnamed'),
            hint: t('domains.console.vnc.hint'),
            newTabHref: this.page ? null : consoleHash(this.uuid),
            page: this.page,
            onReconnect: () => this.connect(),
            onDisconnect: () => this.vnc?.disconnect(),
            onLeave: () => this.vnc?.releaseModifiers(),
        };
    }

    mounted() {
        this.#buildTools();
    }

    #buildTools() {
        // Send keys: a menu button.
        this.keysBtn = h('button', {
            type: 'button', class: 'btn btn-sm console-tool', 'aria-haspopup': 'menu', 'aria-expanded': 'false',
        }, consoleIcon('keyboard'), h('span', { class: 'btn-label', text: t('domains.console.send-keys') }), consoleIcon('chevron'));
        this.keysMenu = h('div', { class: 'console-menu', role: 'menu', 'aria-label': t('domains.console.key-combos'), hidden: true },
            KEY_COMBOS.map((c) => h('button', {
                type: 'button', role: 'menuitem', tabindex: '-1', class: 'console-menu-item',
                dataset: { combo: c.id }, text: c.label,
            })));
        this.keysBtn.addEventListener('click', () => (this.keysMenu.hidden ? this.#openMenu(0) : this.#closeMenu(true)));
        this.keysBtn.addEventListener('keydown', (ev) => {
            if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
                ev.preventDefault();
                this.#openMenu(ev.key === 'ArrowDown' ? 0 : KEY_COMBOS.length - 1);
            }
        });
        this.keysMenu.addEventListener('click', (ev) => {
            const item = ev.target.closest('[data-combo]');
            if (!item) return;
            this.#closeMenu(false);
            this.#sendCombo(item.dataset.combo);
        });
        this.keysMenu.addEventListener('keydown', (ev) => this.#menuKey(ev));
        this.keysWrap = h('div', { class: 'console-menu-wrap' }, this.keysBtn, this.keysMenu);
        this.keysWrap.addEventListener('focusout', (ev) => {
            if (!this.keysMenu.hidden && ev.relatedTarget && !this.keysWrap.contains(ev.relatedTarget)) this.#closeMenu(false);
        });
        this.onDocClick = (ev) => {
            if (!this.keysMenu.hidden && !this.keysWrap.contains(ev.target)) this.#closeMenu(false);
        };
        document.addEventListener('click', this.onDocClick);

        this.typeBtn = toolButton(t('domains.console.type'), 'type', () => this.#openType(''));
        this.pasteBtn = toolButton(t('domains.console.paste'), 'clipboard', () => this.#paste(), { title: t('domains.console.paste.title') });
        this.fitBtn = toolButton(t('domains.console.fit'), 'fit', () => this.#setScale(this.fitBtn.getAttribute('aria-pressed') !== 'true'),
            { 'aria-pressed': savedScale() ? 'true' : 'false', title: t('domains.console.fit.title') });
        this.frame.tools.append(this.keysWrap, this.typeBtn, this.pasteBtn, this.fitBtn);

        // Type text dialog.
        this.typeArea = h('textarea', { class: 'input console-type-area', rows: '4', spellcheck: 'false', autocomplete: 'off' });
        this.typeArea.id = `console-type-${++dialogSeq}`;
        const typeField = h('div', { class: 'field' },
            h('label', { for: this.typeArea.id, text: t('domains.console.type.text') }), this.typeArea);
        this.typeDlg = formDialog({
            title: t('domains.console.type.title'),
            message: t('domains.console.type.help'),
            okLabel: t('domains.console.type.ok'),
            body: typeField,
            onSubmit: () => this.#typeNow(this.typeArea.value),
            onCancel: () => this.vnc?.focus(),
        });

        // VNC password dialog.
        this.userInput = h('input', { class: 'input', type: 'text', autocomplete: 'off', spellcheck: 'false' });
        this.userInput.id = `console-user-${++dialogSeq}`;
        this.passInput = h('input', { class: 'input', type: 'password', autocomplete: 'off', required: true });
        this.passInput.id = `console-pass-${++dialogSeq}`;
        this.userField = h('div', { class: 'field', hidden: true },
            h('label', { for: this.userInput.id, text: t('shell.login.username') }), this.userInput);
        this.passDlg = formDialog({
            title: t('domains.console.password.title'),
            message: t('domains.console.password.asks-unnamed'),
            okLabel: t('domains.console.password.ok'),
            body: [this.userField, h('div', { class: 'field' }, h('label', { for: this.passInput.id, text: t('shell.login.password') }), this.passInput)],
            onSubmit: () => {
                const creds = { password: this.passInput.value };
                if (!this.userField.hidden) creds.username = this.userInput.value;
                this.passInput.value = '';
                this.vnc?.sendCredentials(creds);
            },
            onCancel: () => {
                this.passInput.value = '';
                this.vnc?.disconnect(t('domains.console.password.needed'));
            },
        });
        this.frame.root.append(this.typeDlg.dialog, this.passDlg.dialog);
        this.#renderTools();
    }

    #renderTools() {
        const on = this.lastState.state === 'connected';
        for (const b of [this.keysBtn, this.typeBtn, this.pasteBtn]) b.disabled = !on;
        if (!on) this.#closeMenu(false);
    }

    // ---- connection ----------------------------------------------------------

    loadModule() {
        return importGraph(() => import('../console.js'));
    }

    createSession(mod) {
        return new mod.VncConsole(this.frame.screen, consoleUrl(window.location, this.uuid));
    }

    sessionCreated() {
        this.vnc.scale = savedScale();
        this.vnc.on('credentials', (c) => this.#askCredentials(c.types));
    }

    stateChanged(st) {
        if (st.state !== 'connecting' && this.passDlg.dialog.open) this.passDlg.dialog.close('silent');
        this.#renderTools();
    }

    #askCredentials(types) {
        this.userField.hidden = !types.includes('username');
        this.passInput.value = '';
        const both = types.includes('username');
        const name = this.name;
        setText(this.passDlg.msg, both
            ? (name ? t('domains.console.password.asks-both', { name }) : t('domains.console.password.asks-both-unnamed'))
            : (name ? t('domains.console.password.asks', { name }) : t('domains.console.password.asks-unnamed')));
        this.passDlg.open();
        (this.userField.hidden ? this.passInput : this.userInput).focus();
    }

    /** Leaves the tab: closes the connection quietly (connect() opens it again). */
    suspend() {
        this.#closeMenu(false);
        if (this.vnc) this.vnc.destroy();
        this.onState({ state: 'idle', message: '', retry: true });
    }

    /** A paused VM's display shows nothing new: reconnect only once it runs. */
    usable(domain) {
        return isActive(domain.state) && domain.state !== 'paused';
    }

    // ---- tools -----------------------------------------------------------------

    #setScale(fit) {
        saveScale(fit);
        if (this.vnc) this.vnc.scale = fit;
        this.fitBtn.setAttribute('aria-pressed', fit ? 'true' : 'false');
    }

    #openMenu(index) {
        this.keysMenu.hidden = false;
        this.keysBtn.setAttribute('aria-expanded', 'true');
        const items = [...this.keysMenu.children];
        items[(index + items.length) % items.length].focus();
    }

    #closeMenu(focusButton) {
        if (!this.keysMenu || this.keysMenu.hidden) return;
        this.keysMenu.hidden = true;
        this.keysBtn.setAttribute('aria-expanded', 'false');
        if (focusButton) this.keysBtn.focus();
    }

    #menuKey(ev) {
        const items = [...this.keysMenu.children];
        const i = items.indexOf(document.activeElement);
        let next;
        if (ev.key === 'ArrowDown') next = i + 1;
        else if (ev.key === 'ArrowUp') next = i - 1;
        else if (ev.key === 'Home') next = 0;
        else if (ev.key === 'End') next = items.length - 1;
        else if (ev.key === 'Escape') {
            ev.preventDefault();
            ev.stopPropagation();
            this.#closeMenu(true);
            return;
        } else if (ev.key === 'Tab') {
            this.#closeMenu(false);
            return;
        } else return;
        ev.preventDefault();
        items[(next + items.length) % items.length].focus();
    }

    #sendCombo(id) {
        const combo = comboById(id);
        if (!combo || !this.vnc) return;
        if (this.vnc.sendCombo(combo)) {
            this.ctx.notify?.info(this.name ? t('domains.console.sent', { keys: combo.label, name: this.name })
                : t('domains.console.sent-unnamed', { keys: combo.label }));
        }
        this.vnc.focus();
    }

    #openType(text, message) {
        if (!this.vnc?.connected) return;
        this.typeArea.value = text;
        setText(this.typeDlg.msg, message || t('domains.console.type.help'));
        this.typeDlg.open();
        this.typeArea.focus();
    }

    #typeNow(text) {
        const r = this.vnc?.typeText(text);
        this.#reportTyped(r);
        this.vnc?.focus();
    }

    #reportTyped(r) {
        if (!r) return;
        this.ctx.notify?.info(r.skipped
            ? t('domains.console.typed-skipped', { count: r.typed, skipped: r.skipped })
            : t('domains.console.typed', { count: r.typed }));
    }

    async #paste() {
        if (!this.vnc?.connected) return;
        let text;
        try {
            text = await navigator.clipboard.readText();
        } catch {
            text = null;
        }
        if (text === null) {
            this.#openType('', t('domains.console.paste.denied'));
            return;
        }
        if (text === '') {
            this.ctx.notify?.info(t('domains.console.paste.empty'));
            this.vnc.focus();
            return;
        }
        this.#reportTyped(this.vnc.paste(text));
        this.vnc.focus();
    }

    destroy() {
        document.removeEventListener('click', this.onDocClick);
        super.destroy();
    }
}
