#!/usr/bin/env bash
# `make verify` (Frama-C part): Eva, Frama-C's abstract interpreter, over
# the lib/ code that reads untrusted input, one driver per file in
# verify/framac/ (it calls the file's functions on every input in a
# bounded set at once: any bytes, any sizes, any user ranges).  Eva raises
# an alarm wherever it cannot prove an access in bounds, an operation free
# of overflow, a value initialised or a pointer valid.  Every alarm must be
# in verify/framac/baseline.txt, each with the reason it is not a bug; a
# new alarm fails, and so does a baselined one that no longer appears (the
# baseline stays exact).  One PASS/FAIL line per driver; the log of each
# is build/verify/framac/NAME.log.
#
# Usage: verify/framac.sh [NAME...]   (NAME: a driver below, e.g. elf64)
# Needs frama-c (Debian's frama-c-base; tools/install-deps.sh installs it).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
[ "${1:-}" = --help ] || [ "${1:-}" = -h ] && { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }

# name | C files under analysis | extra preprocessor flags | extra Eva options
drivers='
elf64|lib/elf64.c||
ring_consumer|lib/ring_consumer.c|-D__builtin_memcpy=memcpy -include string.h|
cap_table|lib/cap_table.c||
transfer|lib/transfer.c lib/cap_table.c||
capnp_reader|lib/capnp/reader.c lib/capnp/strerror.c|-D__builtin_memcpy=memcpy -include string.h|
manifest_decode|lib/capnp/strerror.c|-Igenerated -D__builtin_memcpy=memcpy -include string.h|-eva-precision 1 -eva-auto-loop-unroll 0 -eva-slevel-function put:400
'
baseline=verify/framac/baseline.txt
# Eva's settings: loops up to 64 iterations unrolled (the byte copies of
# ELF headers, the SQE copy), relational equalities kept, and a function's
# states kept apart by its return value (-eva-split-return auto: "returned
# CAPOS_OK, so it wrote *out" survives the return).
eva_opts=(-eva -eva-precision 3 -eva-auto-loop-unroll 64 -eva-domains "equality,symbolic-locations"
	-eva-split-return auto)
# A driver's own options come after these and override them.
# manifest_decode runs decode.c against stubs of the whole reader: at
# precision 3 with loops unrolled, each of its nested list loops (services,
# then caps) is walked element by element for minutes; at precision 1
# without unrolling it takes seconds, and a high slevel in put() keeps the
# walk along each error-message string exact.

if ! command -v frama-c >/dev/null; then
	echo "FAIL framac: frama-c is not installed (tools/install-deps.sh installs Debian's frama-c-base)"
	exit 1
fi
want=("$@")
for name in "${want[@]}"; do
	grep -q "^$name|" <<<"$drivers" || { echo "verify/framac.sh: error: no driver '$name' (see --help)" >&2; exit 2; }
done
dir=build/verify/framac
mkdir -p "$dir"
status=0
while IFS='|' read -r name files cpp extra; do
	[ -n "$name" ] || continue
	if [ ${#want[@]} -gt 0 ] && ! printf '%s\n' "${want[@]}" | grep -qx "$name"; then
		continue
	fi
	log=$dir/$name.log
	start=$SECONDS
	# shellcheck disable=SC2086
	if ! frama-c -c11 -machdep x86_64 -cpp-extra-args="-Ilib -Iinclude -DCAPOS_HOST=1 $cpp" \
		$files "verify/framac/${name}_eva.c" "${eva_opts[@]}" $extra >"$log" 2>&1 ||
		grep -q 'User Error\|Frama-C aborted' "$log"; then
		echo "FAIL framac-$name: frama-c failed (see $log):"
		grep -A4 'User Error\|aborted\|error' "$log" | head -n 10 | sed 's/^/    /'
		status=1
		continue
	fi
	# Each alarm as "NAME FILE ASSERTION": no line number, so edits that
	# move code do not churn the baseline.  A libc function's unproved
	# precondition ("function memcpy: precondition 'valid_src' got status
	# unknown.") is an alarm too, with no assertion.
	awk -v name="$name" '
		/^\[eva:alarm\] / { file = $2; sub(/:[0-9]+:$/, "", file); text = ""; on = 1; next }
		on && /^  / { text = text " " $0; if ($0 ~ /;[[:space:]]*$/ || $0 ~ /got status [a-z]+\.[[:space:]]*$/) { on = 0
			sub(/.*assert /, "", text); sub(/\.[[:space:]]*$/, "", text); sub(/;.*/, "", text)
			gsub(/[[:space:]]+/, " ", text); sub(/^ /, "", text)
			print name " " file " " text } next }
		{ on = 0 }' "$log" | sort -u >"$dir/$name.alarms"
	grep "^$name " "$baseline" | sort -u >"$dir/$name.baseline"
	new=$(comm -23 "$dir/$name.alarms" "$dir/$name.baseline")
	gone=$(comm -13 "$dir/$name.alarms" "$dir/$name.baseline")
	coverage=$(grep -m1 'functions analyzed' "$log" | sed 's/^ *//')
	n=$(wc -l <"$dir/$name.alarms")
	if [ -n "$new" ] || [ -n "$gone" ]; then
		echo "FAIL framac-$name: alarms differ from $baseline (see $log)"
		[ -z "$new" ] || { echo "  new alarms (a bug, or an imprecision to explain in the baseline):"; while read -r l; do echo "    $l"; done <<<"$new"; }
		[ -z "$gone" ] || { echo "  baselined alarms now proved (remove them from the baseline):"; while read -r l; do echo "    $l"; done <<<"$gone"; }
		status=1
	else
		echo "PASS framac-$name: $n alarms, all baselined; $coverage ($((SECONDS - start)) s)"
	fi
done <<<"$drivers"
exit $status
