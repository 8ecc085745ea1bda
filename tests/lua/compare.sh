#!/usr/bin/env bash
# Lua on capOS against the host's lua5.4, for `make test`: every script
# tests/lua/NAME.lua runs in QEMU as the Lua service's script
# (build/lua/tests/NAME/lua.elf, mk/lua.mk; tools/musl-run.sh) and on the
# host (`lua5.4`, run as "lua" from tests/lua with TZ=UTC, stdout and
# stderr into one file as capOS's console gets them); the outputs must be
# equal line for line and the exit statuses equal.  One PASS/FAIL line per
# script; the diff is in build/test-logs/lua-NAME.diff.
#
# Usage: tests/lua/compare.sh [NAME...]   (default: every tests/lua/*.lua)
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,/^[^#]/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
	exit 0
fi
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
mkdir -p "$build/test-logs"
command -v lua5.4 >/dev/null || { echo "FAIL lua_host: lua5.4 not installed (tools/install-deps.sh)"; exit 1; }
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in tests/lua/*.lua; do names+=("$(basename "$f" .lua)"); done
fi
status=0
for name in "${names[@]}"; do
	elf=$build/lua/tests/$name/lua.elf out=$build/test-logs/lua-$name
	if [ ! -f "$elf" ]; then
		echo "FAIL lua_$name: $elf not built (make lua)"
		status=1
		continue
	fi
	(cd tests/lua && TZ=UTC exec -a lua lua5.4 "$name.lua") >"$out.host" 2>&1
	hstatus=$?
	tools/musl-run.sh --name lua --begin '^==== lua begin: ' --end '^==== lua end: ' \
		--log "$out.serial" --timeout 120 "$elf" >"$out.capos" 2>"$out.run"
	cstatus=$?
	if [ "$hstatus" != "$cstatus" ]; then
		echo "FAIL lua_$name: exit status host $hstatus, capOS $cstatus (see $out.run)"
		status=1
	elif ! diff "$out.host" "$out.capos" >"$out.diff"; then
		echo "FAIL lua_$name: output differs from the host's lua5.4 ($out.diff)"
		status=1
	else
		echo "PASS lua_$name ($(wc -l <"$out.host") lines equal, exit status $hstatus)"
	fi
done
exit $status
