#!/usr/bin/env bash
# Runs every test suite and prints one closing line "N passed, N failed".
#
# HOST_TEST_BINS: Criterion binaries; their "Synthesis:" line is counted.
# TEST_SUITES:    scripts printing one "PASS <name>" or "FAIL <name>: why" per test
#                 (and any "WARN ..." lines, shown but not counted).
# A suite that exits non-zero without printing a FAIL line counts as one failure,
# so a crash or a missing test cannot pass silently.
#
# Usage: HOST_TEST_BINS="..." TEST_SUITES="..." tests/run-all.sh
# (`make test` sets both; run it that way).
set -u
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
if [ -z "${HOST_TEST_BINS:-}${TEST_SUITES:-}" ]; then
	echo "tests/run-all.sh: HOST_TEST_BINS and TEST_SUITES are empty: nothing to run (use \`make test\`)" >&2
	exit 2
fi
cd "$(dirname "$0")/.."
logdir=build/test-logs
mkdir -p "$logdir"
passed=0
failed=0

count_suite() {   # name log status seconds
	local name=$1 log=$2 status=$3 seconds=$4 p f line
	line=$(grep -a 'Synthesis: Tested:' "$log" | tail -n1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/.*Passing: ([0-9]+).*/\1/' <<<"$line")
		f=$(sed -E 's/.*Failing: ([0-9]+) \| Crashing: ([0-9]+).*/\1+\2/' <<<"$line")
		f=$((f))
	else
		p=$(grep -ac '^PASS ' "$log")
		f=$(grep -ac '^FAIL ' "$log")
	fi
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name: exited with status $status and reported no failure (see $log)"
		f=1
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $name: ran no test (see $log)"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	printf '%-40s %4d passed, %d failed  (%ds)\n' "$name" "$p" "$f" "$seconds"
}

run_suite() {     # name command...
	local name=$1; shift
	local log="$logdir/$(tr '/ ' '__' <<<"$name").log"
	local start=$SECONDS
	"$@" >"$log" 2>&1
	local status=$?
	grep -a -E '^(FAIL |WARN |\[FAIL\]|.*\[----\].*(fail|Assertion))' "$log" | head -n 40
	count_suite "$name" "$log" "$status" $((SECONDS - start))
}

for bin in ${HOST_TEST_BINS:-}; do
	run_suite "$bin" "$bin" --jobs 2
done
for suite in ${TEST_SUITES:-}; do
	run_suite "$suite" "$suite"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
