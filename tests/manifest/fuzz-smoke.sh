#!/usr/bin/env bash
# A bounded run (a fixed number of inputs, fixed seed) of the manifest
# fuzzers from the checked-in seeds; `make fuzz-manifest` runs them longer.
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,/^[^#]/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
	exit 0
fi
set -u
cd "$(dirname "$0")/../.."
RUNS=${MANIFEST_FUZZ_SMOKE_RUNS:-20000}
for t in json decode; do
	fuzz=${BUILD:-build}/fuzz/manifest_$t
	if [ ! -x "$fuzz" ]; then
		echo "FAIL manifest-fuzz-$t: $fuzz not built"
		continue
	fi
	corpus=$(mktemp -d)
	cp tests/manifest/seeds/$t/* "$corpus"/
	if "$fuzz" -runs="$RUNS" -seed=1 -max_len=8192 "$corpus" >"$corpus.log" 2>&1; then
		echo "PASS manifest-fuzz-$t ($RUNS inputs)"
	else
		echo "FAIL manifest-fuzz-$t: fuzzer found a problem:"
		grep -a -E 'ERROR|SUMMARY|runtime error' "$corpus.log" | head -n 10
	fi
	rm -rf "$corpus" "$corpus.log"
done
