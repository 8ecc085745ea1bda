#!/usr/bin/env bash
# A short bounded run of the capnp reader fuzzer (libFuzzer, ASan+UBSan)
# from the checked-in seeds.  `make fuzz` runs it longer (FUZZ_SECONDS).
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,/^[^#]/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
	exit 0
fi
set -u
cd "$(dirname "$0")/../.."
FUZZ=${BUILD:-build}/fuzz/capnp_reader
SECONDS_BUDGET=${CAPNP_FUZZ_SMOKE_SECONDS:-5}
if [ ! -x "$FUZZ" ]; then
	echo "FAIL capnp-fuzz-smoke: $FUZZ not built"
	exit 1
fi
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp fuzz/seeds/* "$corpus"/
if "$FUZZ" -max_total_time="$SECONDS_BUDGET" -max_len=4096 -seed=1 -print_final_stats=1 "$corpus" >"$corpus.log" 2>&1; then
	echo "PASS capnp-fuzz-smoke ($(grep -a -o 'stat::number_of_executed_units: [0-9]*' "$corpus.log" | grep -o '[0-9]*$' || echo '?') runs)"
else
	echo "FAIL capnp-fuzz-smoke: fuzzer found a problem:"
	grep -a -E 'ERROR|SUMMARY|runtime error' "$corpus.log" | head -n 10
fi
rm -f "$corpus.log"
