#!/usr/bin/env bash
# `make verify`: the SPIN models of verify/spin/, each checked exhaustively
# (every reachable state; safety: assertions and invalid end states) at
# the small bounds below, after verify/check-constants.sh has checked them
# against the C.  One PASS/FAIL line per model run (the test-suite
# format); a FAIL prints SPIN's counterexample trail (its last steps;
# the whole one in build/verify/NAME/trail.txt).
#
# Usage: verify/run.sh [NAME...]   (NAME: a run below, e.g. ring-hostile)
# Needs spin (Debian's spin; tools/install-deps.sh installs it) and gcc.
# Work files: build/verify/NAME/.  Exit status 0 when all pass.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
[ "${1:-}" = --help ] || [ "${1:-}" = -h ] && { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }

# name | model | spin -D options (the bounds) | what it covers
runs='
ring-hostile|ring.pml|-DSQ_ENTRIES=2 -DCQ_ENTRIES=2 -DNSQE=3 -DHOSTILE=1|a 2-entry SQ and CQ, 3 SQEs, deferred completions, one hostile write of each kind
ring-honest|ring.pml|-DSQ_ENTRIES=2 -DCQ_ENTRIES=4 -DNSQE=5 -DHOSTILE=0|an honest user: every completion arrives once, across the index wrap
endpoint-timeouts|endpoint.pml|-DTIMEOUTS=1|two clients (one may die), a server that may die, hang or answer twice; deadlines expire at any moment
endpoint-no-deadlines|endpoint.pml|-DTIMEOUTS=0|the same without deadlines: only disconnection and the watchdog end a wait
transfer|transfer.pml||move and copy: prepare, a second move, release, exit, disconnect, a full receiver, commit
'

if ! command -v spin >/dev/null; then
	echo "FAIL spin: spin is not installed (tools/install-deps.sh installs Debian's spin)"
	exit 1
fi
status=0
verify/check-constants.sh || status=1

want=("$@")
for name in "${want[@]}"; do
	grep -q "^$name|" <<<"$runs" || { echo "verify/run.sh: error: no run '$name' (see --help)" >&2; exit 2; }
done
while IFS='|' read -r name model defs what; do
	[ -n "$name" ] || continue
	if [ ${#want[@]} -gt 0 ] && ! printf '%s\n' "${want[@]}" | grep -qx "$name"; then
		continue
	fi
	dir=build/verify/$name
	rm -rf "$dir" && mkdir -p "$dir"
	cp "verify/spin/$model" "$dir/"
	start=$SECONDS
	# shellcheck disable=SC2086
	if ! (cd "$dir" && spin -a $defs "$model" >spin.log 2>&1); then
		echo "FAIL spin-$name: spin -a $defs $model failed:"
		sed 's/^/    /' "$dir/spin.log" | head -20
		status=1
		continue
	fi
	if ! (cd "$dir" && gcc -O1 -w -DSAFETY -DCOLLAPSE -o pan pan.c >gcc.log 2>&1); then
		echo "FAIL spin-$name: compiling SPIN's verifier failed (see $dir/gcc.log)"
		status=1
		continue
	fi
	(cd "$dir" && ./pan -m200000 -w22 >pan.log 2>&1)
	states=$(awk '/states, stored/ { print $1; exit }' "$dir/pan.log")
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$dir/pan.log" | head -n1)
	if [ "$errors" = 0 ] && ! grep -q 'max search depth too small' "$dir/pan.log"; then
		echo "PASS spin-$name ($states states, exhaustive, $((SECONDS - start))s): $what"
		continue
	fi
	status=1
	if [ -z "$errors" ] || [ "$errors" = 0 ]; then
		echo "FAIL spin-$name: the search was not exhaustive or pan failed (see $dir/pan.log)"
		continue
	fi
	echo "FAIL spin-$name: $(grep -m1 -E '^pan:1:|pan: ' "$dir/pan.log")"
	# shellcheck disable=SC2086
	(cd "$dir" && spin -t -p -g $defs "$model" >trail.txt 2>&1)
	grep -E '^ *[0-9]+:\s+proc' "$dir/trail.txt" | tail -n 25 | sed 's/^/    /'
	echo "    (whole trail: $dir/trail.txt)"
done <<<"$runs"
exit $status
