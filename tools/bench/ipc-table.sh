#!/usr/bin/env bash
# Prints the `make bench` tables: capOS's rows (the `bench:` lines of
# tests/qemu/progs/bench_ipc.c), then capOS beside the Linux guest (the `linuxbench:`
# lines of bench/linux/linuxbench.c) with the ratio, then, when the kernel
# was built with MEASURE=1, the per-stage breakdown (`bench: stage` lines).
# Every figure is a median in guest instructions (QEMU -icount shift=0).
#
# Usage: tools/bench/ipc-table.sh [--linux-note TEXT] [--xstate-log LOG] GUEST_LOG SPAWN_LOG LINUX_LOG
#   LOG        the bench_ipc boot on -cpu max (XSAVE, AVX): adds the row
#              "context switch with full extended state"
#   GUEST_LOG  serial log of the bench_ipc boot
#   SPAWN_LOG  serial log of the raw_spawn_bench boot ([spawn_bench] line)
#   LINUX_LOG  serial log of the Linux guest (may be missing: then the
#              Linux column is '-' and TEXT says why)
set -euo pipefail
note=
usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }
xlog=
while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	--linux-note) note=$2; shift 2 ;;
	--xstate-log) xlog=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# = 3 ] || { usage >&2; exit 2; }
log=$1 spawn=$2 linux=$3
for f in "$log" "$spawn"; do
	[ -r "$f" ] || { echo "ipc-table: cannot read $f" >&2; exit 1; }
done
root=$(cd "$(dirname "$0")/../.." && pwd)

field() { # field LINE KEY
	sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<"$1"
}
guest() { tr -d '\r' <"$log" | grep -a "^bench: $1 " | head -1; }
need() {
	local l; l=$(guest "$1")
	[ -n "$l" ] || { echo "ipc-table: no '$1' line in $log" >&2; exit 1; }
	echo "$l"
}
line() { printf '%-50s %12s %12s %12s\n' "$@"; }
echo "capOS IPC benchmark"
echo
echo "Guest: QEMU TCG (no KVM) with $(grep -v '^[[:space:]]*#' "$root/bench/qemu-flags" | tr '\n' ' ')"
echo "(-icount shift=0: 1 TSC tick = 1 guest instruction).  Unit: GUEST INSTRUCTIONS"
echo "(exact, repeatable; not time)."
line operation median p99 per-op
row() { # row LABEL NAME
	local l; l=$(need "$2")
	line "$1" "$(field "$l" median_cycles)" "$(field "$l" p99_cycles)" \
		"$(field "$l" per_op_median)"
}
row "endpoint call+reply round trip (2 procs)" endpoint_roundtrip
row "endpoint register call+reply round trip (2 procs)" endpoint_reg_roundtrip
row "NOP via cap_enter, batch 1" nop_batch_1
row "NOP via cap_enter, batch 8" nop_batch_8
row "NOP via cap_enter, batch 64 (4 x 16 SQEs)" nop_batch_64
row "bare cap_enter, nothing queued" cap_enter_empty
row "thread spawn+join" thread_spawn_join
row "ParkSpace wake round trip (2 threads)" park_roundtrip
row "rdtsc pair (measurement overhead)" rdtsc_overhead
if [ -n "$xlog" ]; then
	[ -r "$xlog" ] || { echo "ipc-table: cannot read $xlog" >&2; exit 1; }
	main_log=$log
	log=$xlog
	row "context switch with full extended state" endpoint_roundtrip_xstate
	log=$main_log
	echo "  (the round trip on -cpu max with all 16 YMM registers of both processes"
	echo "  dirty: XSAVEOPT/XRSTOR of x87+SSE+AVX on each switch; -icount counts"
	echo "  each of those as one instruction, so this row hides their real cost)"
fi

# capOS and Linux side by side.
cap() { field "$(need "$1")" "$2"; }
s=$(tr -d '\r' <"$spawn" | grep -a '^\[spawn_bench\]' | head -1 || true)
[ -n "$s" ] || { echo "ipc-table: no [spawn_bench] line in $spawn" >&2; exit 1; }
spawn_call=$(sed -n 's/.*spawn call \([0-9]*\) cycles.*/\1/p' <<<"$s")
spawn_reaped=$(sed -n 's/.*spawn until exit reaped \([0-9]*\) cycles.*/\1/p' <<<"$s")
lin() { # lin NAME KEY: a Linux figure, or '-'
	local l=
	[ -r "$linux" ] && l=$(tr -d '\r' <"$linux" | grep -a "^linuxbench: $1 " | head -1 || true)
	if [ -n "$l" ]; then field "$l" "$2"; else echo -; fi
}
ratio() { # ratio CAPOS LINUX
	if [ "$2" = - ] || [ "$2" = 0 ]; then echo -; else awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; fi
}
side() { # side LABEL CAPOS LINUX_LABEL LINUX [RATIO]
	printf '%-28s %9s   %-30s %9s %11s\n' "$1" "$2" "$3" "$4" "${5:-$(ratio "$2" "$4")}"
}
lock_line=$(grep -v '^[[:space:]]*\(#\|$\)' "$root/bench/linux/linux-image.lock" | head -1)
echo
echo "capOS beside Linux (Debian $(awk '{print $1, $2}' <<<"$lock_line"), the same QEMU flags;"
echo "medians in guest instructions; capOS/Linux < 1: capOS runs fewer instructions)"
side operation capOS "Linux counterpart" Linux capOS/Linux
if tr -d '\r' <"$log" | grep -aq '^bench: stage '; then
	echo "(capOS here is the MEASURE=1 kernel: its hooks included; compare a default build)"
fi
rt=$(cap endpoint_roundtrip median_cycles)
side "IPC round trip, 2 processes" "$rt" "pipe round trip, 2 processes" \
	"$(lin pipe_roundtrip median_cycles)"
side "" "$rt" "futex round trip, 2 threads" "$(lin futex_roundtrip median_cycles)"
side "" "$rt" "eventfd round trip, 2 procs" "$(lin eventfd_roundtrip median_cycles)"
rrt=$(cap endpoint_reg_roundtrip median_cycles)
side "register IPC round trip" "$rrt" "pipe round trip, 2 processes" \
	"$(lin pipe_roundtrip median_cycles)"
side "" "$rrt" "futex round trip, 2 threads" "$(lin futex_roundtrip median_cycles)"
side "" "$rrt" "eventfd round trip, 2 procs" "$(lin eventfd_roundtrip median_cycles)"
side "park round trip, 2 threads" "$(cap park_roundtrip median_cycles)" \
	"futex round trip, 2 threads" "$(lin futex_roundtrip median_cycles)"
side "thread spawn+join" "$(cap thread_spawn_join median_cycles)" \
	"pthread_create + join" "$(lin thread_create_join median_cycles)"
side "empty kernel entry" "$(cap cap_enter_empty median_cycles)" "getppid" \
	"$(lin getppid median_cycles)"
for b in 1 8 64; do
	side "NOP batch $b, per NOP" "$(cap nop_batch_$b per_op_median)" \
		"io_uring NOP batch $b, per NOP" "$(lin uring_nop_batch_$b per_op_median)"
done
side "spawn" "$spawn_call" "posix_spawn" "$(lin posix_spawn median_cycles)"
side "spawn until reaped" "$spawn_reaped" "posix_spawn + waitpid" \
	"$(lin spawn_waitpid median_cycles)"

# The measuring kernel's breakdown (MEASURE=1): per operation, the kernel's
# instructions by stage, and an estimate without the hooks' own cost.
if tr -d '\r' <"$log" | grep -aq '^bench: stage '; then
	echo
	echo "Kernel stages (MEASURE=1 kernel; mean guest instructions per operation, with"
	echo "the hooks; in parentheses less the hooks' own cost: the estimate without them)"
	ops=(endpoint_roundtrip endpoint_reg_roundtrip nop_batch_1 nop_batch_64 cap_enter_empty)
	printf '%-10s' stage
	printf ' %18s' "round trip" "register r.trip" "NOP batch 1" "NOP b.64, per NOP" "empty cap_enter"
	echo
	stage_line() { tr -d '\r' <"$log" | grep -a "^bench: stage $1 $2 " | head -1; }
	declare -A sum=() est=()
	stages=$(tr -d '\r' <"$log" | sed -n 's/^bench: stage endpoint_roundtrip \([A-Z]*\) per_op=.*/\1/p')
	for st in $stages; do
		printf '%-10s' "$st"
		for op in "${ops[@]}"; do
			l=$(stage_line "$op" "$st")
			h=$(sed -n 's/.* hook_cycles=\([0-9]*\).*/\1/p' <<<"$(tr -d '\r' <"$log" | grep -a "^bench: stage $op hook_cycles=" | head -1)")
			if [ -z "$l" ]; then printf ' %18s' -; continue; fi
			read -r raw e <<<"$(awk -v p="$(field "$l" per_op)" -v ev="$(field "$l" hooks)" \
				-v n="$(field "$l" ops)" -v h="${h:-0}" \
				'BEGIN { e = p - ev / n * h; if (e < 0) e = 0; printf "%d %d", p, e }')"
			sum[$op]=$(( ${sum[$op]:-0} + raw ))
			est[$op]=$(( ${est[$op]:-0} + e ))
			printf ' %18s' "$raw (~$e)"
		done
		echo
	done
	printf '%-10s' "all"
	for op in "${ops[@]}"; do printf ' %18s' "${sum[$op]:-0} (~${est[$op]:-0})"; done
	echo
	printf '%-10s' "median"
	for op in "${ops[@]}"; do
		k=median_cycles
		case $op in nop_batch_*) k=per_op_median ;; esac
		printf ' %18s' "$(cap "$op" $k)"
	done
	echo
	echo "all: the kernel's stages together; median: the whole operation in this (measuring)"
	echo "build; the difference is user code, the syscall entry/exit stubs, and rounding."
	echo "Stages: docs/benchmarks.md.  The capOS columns above are from this build too."
fi
if [ -n "$note" ]; then
	echo "Linux column: $note"
elif [ -r "$linux" ] && tr -d '\r' <"$linux" | grep -aq '^linuxbench: FAIL'; then
	tr -d '\r' <"$linux" | grep -a '^linuxbench: FAIL' | sed 's/^/Linux column: /'
fi
