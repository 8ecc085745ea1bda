#!/usr/bin/env bash
# Checks that cue/manifest.cue's #KernelCap lists exactly the kinds that
# include/capos/kinds.h says boot code may grant (the order
# does not matter: manifests number them as schema/manifest.capnp does).
#
# The CUE schema cannot include the C table, so it keeps a literal list;
# this check is what keeps the two from drifting apart.
#
# Usage: tools/check-cue-kinds.sh
# Prints "PASS cue-kinds" or "FAIL cue-kinds: why"; exits 1 on a mismatch.
set -u
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
if [ $# -ne 0 ]; then
	echo "check-cue-kinds: no arguments expected (try --help)" >&2
	exit 2
fi
cd "$(dirname "$0")/.."
# X(ENUM, name, kind, interface, boot, stateless) rows with boot 1.
table=$(sed -nE 's/^[[:space:]]*X\([A-Z_]+, *([A-Za-z]+), *[0-9]+, *[A-Za-z_]+, *1, *[01]\).*/\1/p' \
	include/capos/kinds.h | sort | tr '\n' ' ')
# #KernelCap: "a" | "b" | ... possibly over several lines, up to a blank line.
cue=$(awk '/^#KernelCap:/ { on = 1 } on && /^$/ { exit } on { print }' cue/manifest.cue |
	grep -oE '"[A-Za-z]+"' | tr -d '"' | sort | tr '\n' ' ')
if [ -z "$table" ] || [ -z "$cue" ]; then
	echo "FAIL cue-kinds: could not read the kinds (table: '$table', cue: '$cue')"
	exit 1
fi
if [ "$table" != "$cue" ]; then
	echo "FAIL cue-kinds: cue/manifest.cue #KernelCap is '$cue', include/capos/kinds.h grants '$table'"
	exit 1
fi
echo "PASS cue-kinds: $table"
