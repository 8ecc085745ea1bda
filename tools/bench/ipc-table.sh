#!/usr/bin/env bash
# Prints the `make bench` table from the guest log (bench: lines of
# demos/bench_ipc.c) and the host pipe_pingpong line; with XSTATE_LOG (the
# same guest booted with -cpu max), also the round trip with the whole
# x87/SSE/AVX state of both processes dirty.
# Usage: tools/bench/ipc-table.sh GUEST_LOG PIPE_OUTPUT [XSTATE_LOG]
set -euo pipefail
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ] || [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: tools/bench/ipc-table.sh GUEST_LOG PIPE_OUTPUT [XSTATE_LOG]" >&2
	[ $# -ge 2 ] && [ $# -le 3 ] || exit 2
	exit 0
fi
log=$1 pipe=$2 xlog=${3:-}
for f in "$log" "$pipe" ${xlog:+"$xlog"}; do
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
line() { printf '%-44s %12s %12s %12s\n' "$@"; }
echo "capOS IPC benchmark"
echo
echo "Guest: QEMU TCG (no KVM) with -icount shift=0, so 1 TSC tick = 1 guest"
echo "instruction.  Unit: GUEST INSTRUCTIONS (exact, repeatable; not time)."
line operation median p99 per-op
row() { # row LABEL NAME
	local l; l=$(need "$2")
	line "$1" "$(field "$l" median_cycles)" "$(field "$l" p99_cycles)" \
		"$(field "$l" per_op_median)"
}
row "endpoint call+reply round trip (2 procs)" endpoint_roundtrip
row "NOP via cap_enter, batch 1" nop_batch_1
row "NOP via cap_enter, batch 8" nop_batch_8
row "NOP via cap_enter, batch 64 (4 x 16 SQEs)" nop_batch_64
row "bare cap_enter, nothing queued" cap_enter_empty
row "rdtsc pair (measurement overhead)" rdtsc_overhead
if [ -n "$xlog" ]; then
	log=$xlog
	row "context switch with full extended state" endpoint_roundtrip_xstate
	echo "  (the round trip on -cpu max with all 16 YMM registers of both processes"
	echo "  dirty: XSAVEOPT/XRSTOR of x87+SSE+AVX on each switch; -icount counts"
	echo "  each of those as one instruction, so this row hides their real cost)"
fi
p=$(grep -a '^pipe_roundtrip' "$pipe" | head -1)
[ -n "$p" ] || { echo "ipc-table: no pipe_roundtrip line in $pipe" >&2; exit 1; }
echo
echo "Host: ${cpu:-unknown CPU}, Linux pipe ping-pong between two processes."
echo "Unit: HOST TSC CYCLES (time on this machine), and nanoseconds."
line operation median p99 median-ns
line "Linux pipe ping-pong round trip (host)" "$(field "$p" median_cycles)" \
	"$(field "$p" p99_cycles)" "$(field "$p" median_ns)"
echo
echo "The two tables are NOT comparable: a guest instruction is not a host cycle"
echo "(a real CPU spends many cycles per instruction on a syscall, a TLB miss or"
echo "a cache miss, and TCG's time per guest instruction says nothing about"
echo "hardware).  Compare guest rows with each other and across commits; a"
echo "capOS-vs-Linux speed ratio would need both on the same hardware, measured"
echo "in the same unit."
