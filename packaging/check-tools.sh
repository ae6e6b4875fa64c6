#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Checks that the programs virtdeck, libvirt and the tests run are installed, and says
# which Debian package brings each missing one (the table is packaging/tools.tsv).
#   packaging/check-tools.sh            every program in the table
#   packaging/check-tools.sh TOOL ...   only these (each must be in the table)
# Exit 0 when all are there; 1, with one line per missing program, otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

declare -A package_of why_of
while IFS=$'\t' read -r tool package why; do
  [[ -z "$tool" || "$tool" == \#* ]] && continue
  package_of[$tool]=$package
  why_of[$tool]=$why
done < packaging/tools.tsv

if (($#)); then wanted=("$@"); else wanted=("${!package_of[@]}"); fi

missing=0
for tool in "${wanted[@]}"; do
  if [[ -z "${package_of[$tool]:-}" ]]; then
    echo "check-tools: '$tool' is not in packaging/tools.tsv; add it with its package" >&2
    missing=1
  elif ! command -v "$tool" >/dev/null 2>&1; then
    echo "check-tools: '$tool' is missing (${why_of[$tool]}): install the Debian package" \
         "'${package_of[$tool]}' (packaging/install-deps.sh does)" >&2
    missing=1
  fi
done
exit "$missing"
