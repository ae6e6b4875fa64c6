// views/serial-view.js — a VM's serial console (xterm.js through serial.js) in the
// shared console frame: state line, Reconnect / Disconnect, full screen, "Open in new
// tab" (in the detail page's tab). The terminal and its scrollback survive reconnects.
// xterm.js is loaded on the first connect. Browser main thread.

import { ConsoleFrame } from './console-common.js';
import { serialHash } from '../router.js';
import { isActive } from '../domains.js';
import { consoleUrl } from '../console-status.js';

export class SerialView {
    /** ctx: unused for now (same shape as ConsoleView); opts: uuid, name, page. */
    constructor(ctx, { uuid, name = '', page = false }) {
        this.ctx = ctx;
        this.uuid = uuid;
        this.name = name;
        this.page = page;
        this.serial = null;
        this.loading = null;
        this.lastState = { state: 'idle', message: '', retry: true };
        this.wasActive = null;
        this.destroyed = false;
    }

    mount(container) {
        const name = this.name || 'the virtual machine';
        this.frame = new ConsoleFrame({
            kind: 'serial',
            label: `Serial console of ${name}`,
            hint: 'Click the terminal to type into the VM\u2019s serial console. Ctrl+] moves focus back to these controls.',
            newTabHref: this.page ? null : serialHash(this.uuid),
            page: this.page,
            onReconnect: () => this.connect(),
            onDisconnect: () => this.serial?.disconnect(),
        });
        container.append(this.frame.root);
        this.connect();
    }

    get root() {
        return this.frame?.root;
    }

    async connect() {
        if (this.destroyed) return;
        if (!this.serial) {
            this.#onState({ state: 'connecting', message: '', retry: true });
            try {
                this.loading ??= import('../serial.js');
                const mod = await this.loading;
                if (this.destroyed || this.serial) return;
                this.serial = new mod.SerialConsole(this.frame.screen, consoleUrl(window.location, this.uuid, 'serial'),
                    { onLeave: () => this.frame.leave() });
            } catch (err) {
                this.loading = null;
                this.#onState({
                    state: 'disconnected', retry: true,
                    message: 'The serial console\u2019s program files could not be loaded from the server.',
                });
                return;
            }
            this.serial.on('state', (st) => this.#onState(st));
        }
        this.serial.connect();
    }

    #onState(st) {
        const wasConnected = this.lastState.state === 'connected';
        this.lastState = st;
        this.frame.setState(st.state, st.message, st.retry);
        if (st.state === 'connected' && !wasConnected && this.frame.wantsFocus()) this.serial.focus();
    }

    /** Leaves the tab: closes the socket quietly; the terminal keeps its text. */
    suspend() {
        if (this.serial && this.serial.state !== 'idle') {
            this.serial.disconnect();
        }
    }

    /** The domain changed: reconnects by itself when a VM that had stopped runs again. */
    update(domain) {
        if (!domain) return;
        if (domain.name) this.name = domain.name;
        const active = isActive(domain.state);
        if (this.wasActive === false && active && this.lastState.state === 'disconnected' && this.lastState.retry) {
            this.connect();
        }
        this.wasActive = active;
    }

    destroy() {
        this.destroyed = true;
        if (this.serial) this.serial.destroy();
        this.serial = null;
        this.frame?.destroy();
    }
}
