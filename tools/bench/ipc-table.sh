#!/usr/bin/env bash
# Prints the `make bench` table from the guest log (bench: lines of
# demos/bench_ipc.c) and the host pipe_pingpong line.
# Usage: tools/bench/ipc-table.sh GUEST_LOG PIPE_OUTPUT
set -euo pipefail
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ] || [ $# -ne 2 ]; then
	echo "usage: tools/bench/ipc-table.sh GUEST_LOG PIPE_OUTPUT" >&2
	[ $# -eq 2 ] || exit 2
	exit 0
fi
log=$1 pipe=$2
for f in "$log" "$pipe"; do
	[ -r "$f" ] || { echo "ipc-table: cannot read $f" >&2; exit 1; }
done
field() { # field LINE KEY
	sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<"$1"
}
guest() { tr -d '\r' <"$log" | grep -a "^bench: $1 " | head -1; }
need() {
	local l; l=$(guest "$1")
	[ -n "$l" ] || { echo "ipc-table: no '$1' line in $log" >&2; exit 1; }
	echo "$l"
}
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "capOS IPC benchmark"
echo "guest: QEMU TCG (no KVM) with -icount shift=0: 1 TSC tick = 1 guest instruction, counts exactly repeatable"
echo "host:  ${cpu:-unknown CPU}, Linux pipe ping-pong between two processes (host TSC cycles)"
printf '%-44s %12s %12s %12s  %s\n' operation median p99 per-op unit
row() { # row LABEL NAME
	local l; l=$(need "$2")
	printf '%-44s %12s %12s %12s  %s\n' "$1" "$(field "$l" median_cycles)" \
		"$(field "$l" p99_cycles)" "$(field "$l" per_op_median)" "guest instructions"
}
row "endpoint call+reply round trip (2 procs)" endpoint_roundtrip
row "NOP via cap_enter, batch 1" nop_batch_1
row "NOP via cap_enter, batch 8" nop_batch_8
row "NOP via cap_enter, batch 64 (4 x 16 SQEs)" nop_batch_64
row "bare cap_enter, nothing queued" cap_enter_empty
row "rdtsc pair (measurement overhead)" rdtsc_overhead
p=$(grep -a '^pipe_roundtrip' "$pipe" | head -1)
[ -n "$p" ] || { echo "ipc-table: no pipe_roundtrip line in $pipe" >&2; exit 1; }
printf '%-44s %12s %12s %12s  %s\n' "Linux pipe ping-pong round trip (host)" \
	"$(field "$p" median_cycles)" "$(field "$p" p99_cycles)" "-" \
	"host cycles (median $(field "$p" median_ns) ns)"
rt=$(field "$(need endpoint_roundtrip)" median_cycles)
echo "guest instructions per endpoint round trip: $rt (compare: seL4 fastpath call+reply, a few hundred cycles)"
