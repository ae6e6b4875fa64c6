// SPDX-License-Identifier: LGPL-2.1-or-later
// tests/lib/vnc-domain.mjs — a libvirt test-driver node with one running domain whose VNC
// display is a TCP port on 127.0.0.1 (a server the test or benchmark runs itself), so
// virtdeck's console connects there as it would to QEMU. Used by the console data-path
// test and the console benchmark. Pure: returns the XML text.

/** The node XML for test://FILE: one running domain `name` (uuid) with VNC on vncPort. */
export function vncDomainXml({ name, uuid, vncPort, comment = '' }) {
    return `<?xml version='1.0'?>
${comment ? `<!-- ${comment} -->\n` : ''}<node>
  <cpu><mhz>2600</mhz><model>x86_64</model><active>2</active><nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>1</threads></cpu>
  <memory>8388608</memory>
  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>${name}</name>
    <uuid>${uuid}</uuid>
    <memory unit='MiB'>512</memory>
    <currentMemory unit='MiB'>512</currentMemory>
    <vcpu>1</vcpu>
    <os><type arch='x86_64'>hvm</type><boot dev='hd'/></os>
    <devices>
      <graphics type='vnc' port='${vncPort}' autoport='no' listen='127.0.0.1'>
        <listen type='address' address='127.0.0.1'/>
      </graphics>
    </devices>
    <test:runstate>1</test:runstate>
  </domain>
</node>
`;
}
