#!/usr/bin/env bash
# Bounded run of the HTTP request parser fuzzer (fuzz/http_fuzz.c) for
# `make test`: HTTP_FUZZ_RUNS inputs (default 200000) from a fixed seed,
# starting from seed requests this script writes (good, pipelined,
# malformed, over a limit).  Prints one PASS/FAIL line.
#   --seeds DIR   only write the seed requests into DIR (make fuzz-http)
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,/^[^#]/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
	exit 0
fi
set -uo pipefail
cd "$(dirname "$0")/../.."

# write_seeds DIR: one file per request; the first byte is where the
# fuzzer cuts the rest in two.
write_seeds() {
	local d=$1 i=0 r
	local reqs=(
		$'GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n'
		$'GET /status HTTP/1.0\r\n\r\n'
		$'HEAD /status?x=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
		$'POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: a\r\n\r\n'
		$'GET /shutdown?token=abc HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n'
		$'\r\nOPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n'
		$'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
		$'GET / HTTP/1.1\r\nHost : a\r\n x\r\n\r\n'
		$'GET / HTTP/2.0\r\n\r\n'
	)
	mkdir -p "$d"
	for r in "${reqs[@]}"; do
		{ printf "$(printf '\\x%02x' $((i * 7 + 3)))"; printf '%s' "$r"; } >"$d/seed-$i"
		i=$((i + 1))
	done
}

if [ "${1:-}" = "--seeds" ]; then
	[ -n "${2:-}" ] || { echo "test_http_fuzz.sh: --seeds needs a directory" >&2; exit 2; }
	write_seeds "$2"
	exit 0
fi

bin=build/fuzz/http
runs=${HTTP_FUZZ_RUNS:-200000}
[ -x "$bin" ] || { echo "FAIL http_fuzz: $bin not built"; exit 1; }
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
write_seeds "$corpus"
mkdir -p build/test-logs
log=build/test-logs/http_fuzz.detail.log
if "$bin" -runs="$runs" -max_len=8192 -seed=1 -artifact_prefix=build/test-logs/http_fuzz- "$corpus" >"$log" 2>&1; then
	echo "PASS http_fuzz ($runs inputs)"
else
	echo "FAIL http_fuzz: crash or invariant violation (see $log)"
	exit 1
fi
