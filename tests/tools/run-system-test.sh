#!/usr/bin/env bash
# Checks `make run-kernel SYSTEM=FILE`: a copy of system.cue in a temporary
# directory outside the repository boots by absolute path and by a path
# relative to the caller's directory (make -C), its products go to
# build/systems/NAME-HASH/ and leave build/manifest.bin alone, and a
# missing file or a bad RUN_TIMEOUT is refused with a clear message.
# Prints PASS/FAIL lines in the test-suite format.
#
# Usage: tests/tools/run-system-test.sh   (after `make all`)
set -uo pipefail
cd "$(dirname "$0")/../.."
[ "${1:-}" = --help ] && { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
repo=$(pwd)
# A make of our own, not a sub-make of `make test` (no jobserver, level 0).
unset MAKEFLAGS MAKELEVEL MFLAGS
tmp=$(mktemp -d /tmp/capos-run-system.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/sub"
cp system.cue "$tmp/sub/mine.cue"
logdir=build/test-logs
mkdir -p "$logdir"
before=$(cksum <build/manifest.bin 2>/dev/null)
failed=0
pass() { echo "PASS run-system-$1"; }
fail() { echo "FAIL run-system-$1: $2"; failed=1; }

log="$logdir/run-system-absolute.log"
if make --no-print-directory run-kernel SYSTEM="$tmp/sub/mine.cue" RUN_TIMEOUT=90 \
	>"$log" 2>&1 && grep -q "^run: booting $tmp/sub/mine.cue" "$log" &&
	grep -q "^run: kernel finished (QEMU status 33" "$log"; then
	pass absolute
else
	fail absolute "no clean boot (log $log)"
fi
log="$logdir/run-system-relative.log"
if (cd "$tmp" && make --no-print-directory -C "$repo" run-kernel SYSTEM=sub/mine.cue \
	RUN_TIMEOUT=90) >"$log" 2>&1 && grep -q "^run: booting $tmp/sub/mine.cue" "$log" &&
	grep -q "^run: kernel finished (QEMU status 33" "$log"; then
	pass relative
else
	fail relative "no clean boot from the caller's directory (log $log)"
fi
if ls build/systems/mine-*/manifest.bin >/dev/null 2>&1; then
	pass own-products
else
	fail own-products "no build/systems/mine-*/manifest.bin"
fi
if [ "$(cksum <build/manifest.bin 2>/dev/null)" = "$before" ]; then
	pass default-untouched
else
	fail default-untouched "build/manifest.bin changed"
fi
out=$(make --no-print-directory run-kernel SYSTEM="$tmp/nosuch.cue" 2>&1)
if [ $? -ne 0 ] && [[ $out == *"SYSTEM=$tmp/nosuch.cue: no such file"* ]]; then
	pass missing-file
else
	fail missing-file "got: $out"
fi
out=$(make --no-print-directory run-kernel RUN_TIMEOUT=2m 2>&1)
if [ $? -ne 0 ] && [[ $out == *"RUN_TIMEOUT='2m': give a number of seconds"* ]]; then
	pass bad-timeout
else
	fail bad-timeout "got: $out"
fi
rm -rf build/systems/mine-*
exit $failed
