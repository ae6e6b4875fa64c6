#!/usr/bin/env bash
# Starts virtdeck on the demo hypervisor (libvirt's test:/// driver with
# packaging/demo/demo.xml) and says where to log in. Used by `make run`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${VIRTDECK_BIN:-$root/build/virtdeck}
state=${DEMO_STATE:-$root/build/demo-state}
listen=${DEMO_LISTEN:-127.0.0.1:9443}

mkdir -p "$state"
if [[ -f "$state/initial-admin-password" ]]; then
  echo "virtdeck demo: log in as admin with password $(cat "$state/initial-admin-password")"
  echo "               (from $state/initial-admin-password; delete $state to start afresh)"
fi
echo "virtdeck demo: open https://$listen/ (self-signed certificate: accept it once)"
exec "$bin" serve --config "$root/packaging/demo/virtdeck.conf" --listen "$listen" \
    --state-dir "$state" --web-root "$root/build/web" --uri "test://$root/packaging/demo/demo.xml"
