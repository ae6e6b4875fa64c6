#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# timed.sh: runs one phase of `make check` (its name, then the command) and prints how
# long it took, so a CI log says where the suite's minutes go. The command's exit
# status is the script's.
name=$1
shift
start=$(date +%s)
"$@"
rc=$?
echo "check: phase $name took $(($(date +%s) - start)) s (exit $rc)"
exit $rc
