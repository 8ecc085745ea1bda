#!/usr/bin/env bash
# `make shell` through a pseudo-terminal: tests/tools/ptydrive types
# tests/qemu/shell-pty.script into capsh (build/capos-shell.iso booted by
# tools/shell.sh): help, caps, spawn with one cap, a refused grant, a
# background job, jobs, ps, kill, mem, Ctrl-C of a foreground child, line
# editing, hostile input (garbage, escape sequences, long lines, a 4 KiB
# paste), then Ctrl-D and QEMU status 33.  Prints PASS/FAIL shell-pty;
# the session is in build/test-logs/shell-pty.log.
#
# Usage: tests/qemu/shell-pty.sh   (after `make all`)
set -uo pipefail
cd "$(dirname "$0")/../.."
[ "${1:-}" = --help ] && { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
log=build/test-logs/shell-pty.log
mkdir -p build/test-logs
for f in build/tool/tests/tools/ptydrive build/capos-shell.iso; do
	[ -f "$f" ] || { echo "FAIL shell-pty: $f missing (make all builds it)"; exit 1; }
done
# Generous bounds: a loaded machine is slow, never wrong.
if build/tool/tests/tools/ptydrive --timeout 240 tests/qemu/shell-pty.script -- \
	tools/shell.sh build/capos-shell.iso >"$log" 2>&1; then
	echo "PASS shell-pty"
else
	echo "FAIL shell-pty: $(grep -a 'ptydrive: FAIL' "$log" | tail -1) (log $log)"
	exit 1
fi
