#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Starts the demo and says where to log in. Used by `make run`.
#
# With QEMU: a private, unprivileged libvirtd (as `nobody` when run as root, with its own
# HOME and runtime dir under $DEMO_DIR/libvirtd) whose qemu:///session runs the tiny
# diskless VMs of packaging/demo/qemu/ (VNC on 127.0.0.1, a pty serial console, KVM when
# that user may use /dev/kvm, TCG otherwise; their firmware tries a network boot every
# few seconds, on the screen and the serial port) and a dir pool $DEMO_DIR/pool with a few
# volumes. Session libvirtd can define networks but not start them (it may not create a
# bridge): the VMs have user-mode NICs, and one isolated network `demo-lan` (on a private
# /24 that overlaps no host interface) is defined so the Networks page shows one, inactive,
# with the reason. A re-run reuses the definitions and volumes; Ctrl-C (or any
# exit) stops virtdeck, every VM and the private libvirtd. Everything lives in $DEMO_DIR
# (build/demo), which `make clean` removes.
#
# Without QEMU (no qemu-system-x86_64, or the private libvirtd cannot start a VM): the old
# demo on libvirt's test:/// driver with packaging/demo/demo.xml, after saying why.
#
# Environment: VIRTDECK_BIN, DEMO_DIR (default build/demo), DEMO_LISTEN (127.0.0.1:9443).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${VIRTDECK_BIN:-$root/build/virtdeck}
listen=${DEMO_LISTEN:-127.0.0.1:9443}
demo=${DEMO_DIR:-$root/build/demo}
defs=$root/packaging/demo/qemu
vms_running=(demo-web demo-db)
vm_paused='demo-build'
vm_off='demo-spare'
volumes=(install.iso data.qcow2 scratch.img)

mkdir -p "$demo"
demo=$(cd "$demo" && pwd -P)
chmod 755 "$demo"
state=$demo/state
lvdir=$demo/libvirtd
sock=$lvdir/run/libvirt/libvirt-sock
uri="qemu+unix:///session?socket=$sock"
lv_pid=
vd_pid=

say() { echo "virtdeck demo: $*"; }
lv_virsh() { virsh -q -c "$uri" "$@"; }

# The private libvirtd's user: nobody when we are root, else ourselves.
as_demo_user=()
[[ $(id -u) -eq 0 ]] && as_demo_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# Ends the process in pid file $1 if it still runs the program $2 (a pid file left by a run
# that was killed), and removes the file.
stop_pidfile() {
  local pid
  [[ -f $1 ]] || return 0
  pid=$(cat "$1" 2>/dev/null || true)
  if [[ $pid =~ ^[0-9]+$ ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$2"* ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
}

# Stops every VM (through libvirt while it answers, then any QEMU its pid files still
# name), the private libvirtd and its virtlogd. Each of these takes a second or two to
# end, so the VMs are destroyed at once, then both daemons stopped at once.
stop_libvirtd() {
  local dom f waits=()
  if [[ -S $sock ]]; then
    for dom in $(timeout 10 virsh -q -c "$uri" list --name 2>/dev/null); do
      lv_virsh destroy "$dom" >/dev/null 2>&1 &
      waits+=($!)
    done
    [[ ${#waits[@]} -eq 0 ]] || wait "${waits[@]}" || true
  fi
  for f in "$lvdir"/run/libvirt/qemu/run/*.pid; do
    [[ -e $f ]] && stop_pidfile "$f" qemu-system
  done
  stop_pidfile "$lvdir/libvirtd.pid" libvirtd &
  waits=($!)
  # the log daemon libvirtd spawned for the VMs (it would linger for 120 s)
  stop_pidfile "$lvdir/run/libvirt/virtlogd.pid" virtlogd &
  waits+=($!)
  wait "${waits[@]}" || true
  lv_pid=
}

cleanup() {
  trap - EXIT INT TERM
  if [[ -n $vd_pid ]]; then
    kill -TERM "$vd_pid" 2>/dev/null || true
    wait "$vd_pid" 2>/dev/null || true
  fi
  stop_libvirtd
}

# Starts the private libvirtd; returns 1 (with a reason on stderr) when it does not come up.
start_libvirtd() {
  stop_libvirtd # one left by a run that was killed
  mkdir -p "$lvdir/home" "$lvdir/run" "$demo/pool"
  [[ $(id -u) -eq 0 ]] && chown 65534:65534 "$lvdir" "$lvdir/home" "$lvdir/run" "$demo/pool"
  rm -f "$sock"
  # a simple command, so $! is libvirtd itself (setpriv and env exec it)
  "${as_demo_user[@]}" env -i HOME="$lvdir/home" XDG_RUNTIME_DIR="$lvdir/run" \
      PATH=/usr/sbin:/usr/bin:/sbin:/bin libvirtd --timeout 0 >"$lvdir/libvirtd.log" 2>&1 &
  lv_pid=$!
  echo "$lv_pid" >"$lvdir/libvirtd.pid"
  for _ in $(seq 150); do
    [[ -S $sock ]] && lv_virsh uri >/dev/null 2>&1 && return 0
    kill -0 "$lv_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "the private libvirtd did not start (see $lvdir/libvirtd.log)" >&2
  return 1
}

# The first three octets of the first candidate private /24 that overlaps no IPv4 address
# of a host interface (their prefixes included), e.g. "10.213.7".
demo_subnet() {
  local cand a b c d ip bits n m
  local -a nets=()
  while read -r a; do
    ip=${a%/*} bits=${a#*/}
    IFS=. read -r a b c d <<<"$ip"
    nets+=("$(( (a << 24) | (b << 16) | (c << 8) | d )) $bits")
  done < <(ip -o -4 addr show 2>/dev/null | awk '{print $4}')
  for cand in 10.213.7 172.29.213 192.168.213 10.77.61; do
    IFS=. read -r a b c <<<"$cand"
    n=$(( (a << 24) | (b << 16) | (c << 8) ))
    for m in "${nets[@]}" ''; do
      [[ -z $m ]] && { echo "$cand"; return 0; }
      read -r ip bits <<<"$m"
      (( bits < 24 )) || bits=24 # the shorter prefix decides an overlap
      (( (ip >> (32 - bits)) == (n >> (32 - bits)) )) && break
    done
  done
  echo "no free private /24 for the demo network" >&2
  return 1
}

# kvm when the demo's user may use /dev/kvm, else qemu (TCG): the type of the demo's VMs
# and of those created from its UI.
demo_domain_type() {
  if "${as_demo_user[@]}" test -r /dev/kvm -a -w /dev/kvm 2>/dev/null; then echo kvm; else echo qemu; fi
}

# Defines the pool, volumes and VMs (again: redefining is harmless) and puts each VM in
# its demo state. Returns 1 with libvirt's reason on stderr when a VM cannot start.
setup_demo() {
  local type vol vm net tmp=$demo/defs
  type=$(demo_domain_type)
  mkdir -p "$tmp"
  sed "s|@POOL_DIR@|$demo/pool|" "$defs/pool.xml" >"$tmp/pool.xml"
  lv_virsh pool-define "$tmp/pool.xml" >/dev/null
  lv_virsh pool-autostart demo >/dev/null
  [[ $(lv_virsh pool-info demo | awk '/^State:/ {print $2}') == running ]] || lv_virsh pool-start demo >/dev/null
  lv_virsh pool-refresh demo >/dev/null
  for vol in "${volumes[@]}"; do
    lv_virsh vol-info --pool demo "$vol" >/dev/null 2>&1 ||
      lv_virsh vol-create demo "$defs/vol-$vol.xml" >/dev/null
  done
  if ! lv_virsh net-info demo-lan >/dev/null 2>&1 && net=$(demo_subnet); then
    sed "s|@NET@|$net|g" "$defs/network-demo-lan.xml" >"$tmp/network-demo-lan.xml"
    lv_virsh net-define "$tmp/network-demo-lan.xml" >/dev/null
  fi
  for vm in "${vms_running[@]}" "$vm_paused" "$vm_off"; do
    sed "s|@DOMAIN_TYPE@|$type|" "$defs/$vm.xml" >"$tmp/$vm.xml"
    lv_virsh define "$tmp/$vm.xml" >/dev/null
  done
  for vm in "${vms_running[@]}" "$vm_paused"; do
    [[ $(lv_virsh domstate "$vm") == "shut off" ]] && lv_virsh start "$vm" >/dev/null
    [[ $(lv_virsh domstate "$vm") == paused ]] && lv_virsh resume "$vm" >/dev/null
  done
  lv_virsh suspend "$vm_paused" >/dev/null
  [[ $(lv_virsh domstate "$vm_off") == "shut off" ]] || lv_virsh destroy "$vm_off" >/dev/null
  say "QEMU VMs ($type): ${vms_running[*]} running, $vm_paused paused, $vm_off shut off; pool 'demo'"
  say "network 'demo-lan' defined, not started: session libvirt cannot start networks (VMs use user-mode NICs)"
}

trap cleanup EXIT
trap 'exit 130' INT TERM
why=
if ! command -v qemu-system-x86_64 >/dev/null; then
  why="qemu-system-x86_64 is not installed"
elif ! command -v libvirtd >/dev/null || ! command -v virsh >/dev/null; then
  why="libvirtd or virsh is not installed"
else
  if ! { start_libvirtd && setup_demo; } 2>"$demo/setup-errors"; then
    why="QEMU cannot run here: $(tail -n 3 "$demo/setup-errors")"
    stop_libvirtd
  fi
fi

if [[ -n $why ]]; then
  say "falling back to libvirt's test:/// driver: $why"
  say "(the test driver has no VNC or serial console, upload, download, attach or live load)"
  state=$demo/state-test
  conf=$root/packaging/demo/virtdeck.conf
  uri=test://$root/packaging/demo/demo.xml
else
  conf=$demo/virtdeck.conf
  sed -e "s|@POOL_ROOT@|$demo|" -e "s|@DOMAIN_TYPE@|$(demo_domain_type)|" "$defs/virtdeck.conf" >"$conf"
fi

mkdir -p "$state"
if [[ -f "$state/initial-admin-password" ]]; then
  say "log in as admin with password $(cat "$state/initial-admin-password")"
  say "(from $state/initial-admin-password; delete $state to start afresh)"
fi
say "open https://$listen/ (self-signed certificate: accept it once)"
"$bin" serve --config "$conf" --listen "$listen" --state-dir "$state" \
    --web-root "$root/build/web" --uri "$uri" &
vd_pid=$!
wait "$vd_pid"
