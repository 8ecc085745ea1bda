#!/usr/bin/env bash
# `make test-stress`: the QEMU smoke suite (tests/qemu/run-smokes.sh) run
# ROUNDS times while CPU hogs keep the host busy,
# to prove no smoke depends on host timing or on how concurrent processes'
# output interleaves.  The hogs are `stress-ng --cpu N` when stress-ng is
# installed, else N shell busy loops; they are stopped on any exit.
#
# Usage: tests/qemu/stress-smokes.sh [--rounds R] [--hogs N] [NAME...]
#   --rounds R  rounds of the suite (default 3)
#   --hogs N    CPU hogs (default 4, i.e. twice the project machine's cores)
#   NAME...     only these smokes of tests/qemu/smokes (default: all of
#               both suites)
# Prints each round's FAIL lines and `round i/R: N passed, N failed (Ts)`,
# then `N passed, N failed` over all rounds; exits 1 if any smoke failed.
# Logs: build/test-logs/stress-round-<i>-*.log.  Build first (`make all`).
set -uo pipefail
cd "$(dirname "$0")/../.."
usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }

rounds=3
hogs=4
names=()
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	--rounds) rounds=${2:-}; shift 2 ;;
	--hogs) hogs=${2:-}; shift 2 ;;
	-*) echo "stress: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) names+=("$1"); shift ;;
	esac
done
for n in "$rounds" "$hogs"; do
	[[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] ||
		{ echo "stress: --rounds and --hogs take a positive number, not '$n'" >&2; exit 2; }
done

hog_pids=()
stop_hogs() {
	local pid
	for pid in "${hog_pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${hog_pids[@]}"; do
		wait "$pid" 2>/dev/null
	done
	[ ${#hog_pids[@]} -gt 0 ] && echo "stress: stopped the CPU hogs"
	hog_pids=()
}
trap stop_hogs EXIT
trap 'exit 130' INT TERM

if command -v stress-ng >/dev/null; then
	stress-ng --cpu "$hogs" --quiet &
	hog_pids+=($!)
	echo "stress: started stress-ng --cpu $hogs (pid ${hog_pids[0]})"
else
	for ((i = 0; i < hogs; i++)); do
		bash -c 'while :; do :; done' &
		hog_pids+=($!)
	done
	echo "stress: started $hogs shell busy loops (pids ${hog_pids[*]}; stress-ng not installed)"
fi

logdir=build/test-logs
mkdir -p "$logdir"
total_p=0
total_f=0
for ((r = 1; r <= rounds; r++)); do
	start=$SECONDS
	log=$logdir/stress-round-$r.log
	if [ ${#names[@]} -gt 0 ]; then
		tests/qemu/run-smokes.sh "${names[@]}" >"$log" 2>&1
	else
		tests/qemu/run-smokes.sh >"$log" 2>&1
	fi
	p=$(grep -c '^PASS ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	grep '^FAIL ' "$log"
	# Keep each failed smoke's serial log: the next round overwrites it.
	for name in $(sed -n 's/^FAIL \([A-Za-z0-9_-]*\):.*/\1/p' "$log"); do
		for kept in "$logdir/smoke-$name.log" "$logdir/$name.log"; do
			[ -f "$kept" ] && cp "$kept" "$logdir/stress-round-$r-$(basename "$kept")"
		done
	done
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL stress round $r: no smoke ran (see $log)"
		f=1
	fi
	echo "round $r/$rounds: $p passed, $f failed ($((SECONDS - start))s, load $(cut -d' ' -f1 /proc/loadavg))"
	total_p=$((total_p + p))
	total_f=$((total_f + f))
done
stop_hogs
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
