// views/serial-view.js — a VM's serial console (xterm.js through serial.js) in the
// shared console frame: state line, Reconnect / Disconnect, full screen, "Open in new
// tab" (in the detail page's tab). The terminal and its scrollback survive reconnects.
// xterm.js is loaded on the first connect. Browser main thread.

import { ConsoleSessionView } from './console-common.js';
import { serialHash } from '../router.js';
import { isActive } from '../domains.js';
import { consoleUrl } from '../console-status.js';

export class SerialView extends ConsoleSessionView {
    get serial() {
        return this.session;
    }

    get loadFailMessage() {
        return 'The serial console\u2019s program files could not be loaded from the server.';
    }

    frameOptions() {
        const name = this.name || 'the virtual machine';
        return {
            kind: 'serial',
            label: `Serial console of ${name}`,
            hint: 'Click the terminal to type into the VM\u2019s serial console. Ctrl+] moves focus back to these controls.',
            newTabHref: this.page ? null : serialHash(this.uuid),
            page: this.page,
            onReconnect: () => this.connect(),
            onDisconnect: () => this.serial?.disconnect(),
        };
    }

    loadModule() {
        return import('../serial.js');
    }

    createSession(mod) {
        return new mod.SerialConsole(this.frame.screen, consoleUrl(window.location, this.uuid, 'serial'),
            { onLeave: () => this.frame.leave() });
    }

    /** A paused VM's serial console still works. */
    usable(domain) {
        return isActive(domain.state);
    }

    /** Leaves the tab: closes the socket quietly; the terminal keeps its text. */
    suspend() {
        if (this.serial && this.serial.state !== 'idle') {
            this.serial.disconnect();
        }
    }
}
