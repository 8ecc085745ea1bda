#!/usr/bin/env bash
# QEMU smokes of runtime demo programs (demos/*.c) that tests/qemu/smokes
# does not cover yet (most demos have their proc_*/ring_* smoke there).
#
# Usage: demos/run-smokes.sh [NAME...]   (default: every demos/smokes/*.smoke)
#
# The spec files use the format of tests/qemu/run-smokes.sh (boot: kernel
# only; module, cmdline, timeout, exit, expect, anywhere, reject) so they
# can move to tests/qemu/smokes/ unchanged once that harness can take
# another spec directory.  `expect:` lines match in order, `anywhere:`
# lines in any order (lines of concurrent processes).  Boots through
# tests/qemu/qemu-boot.sh; logs go to build/test-logs/demo-<name>.log.
# Prints `PASS demo-<name>` or `FAIL demo-<name>: reason` per smoke; exits
# non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi

smokedir=demos/smokes
logdir=build/test-logs
mkdir -p "$logdir"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in "$smokedir"/*.smoke; do
		[ -e "$f" ] && names+=("$(basename "$f" .smoke)")
	done
fi
[ ${#names[@]} -gt 0 ] || { echo "FAIL demo-smokes: no spec in $smokedir"; exit 1; }

failed=0
run_one() {
	local name=$1 spec="$smokedir/$1.smoke" log="$logdir/demo-$1.log"
	local cmdline="" timeout=60 want_exit=33 module="" key val line
	local -a expects=() rejects=() anywheres=()
	[ -f "$spec" ] || { echo "FAIL demo-$name: no spec file $spec"; return 1; }
	while IFS= read -r line || [ -n "$line" ]; do
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		[[ $line =~ ^([a-z]+):[[:space:]]?(.*)$ ]] ||
			{ echo "FAIL demo-$name: bad spec line: $line"; return 1; }
		key=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
		case $key in
		boot) [ "$val" = kernel ] || { echo "FAIL demo-$name: only 'boot: kernel' here"; return 1; } ;;
		module) module=$val ;;
		cmdline) cmdline=$val ;;
		timeout) timeout=$val ;;
		exit) want_exit=$val ;;
		expect) expects+=("$val") ;;
		anywhere) anywheres+=("$val") ;;
		reject) rejects+=("$val") ;;
		anywhere) anywheres+=("$val") ;;
		*) echo "FAIL demo-$name: unknown spec key '$key'"; return 1 ;;
		esac
	done <"$spec"
	[ ${#expects[@]} -gt 0 ] || { echo "FAIL demo-$name: spec has no expect line"; return 1; }
	for f in build/kernel.elf "$module"; do
		[ -f "$f" ] || { echo "FAIL demo-$name: missing $f (not built?)"; return 1; }
	done
	tests/qemu/qemu-boot.sh kernel build/kernel.elf --module "$module" --cmdline "$cmdline" \
		--timeout "$timeout" 2>&1 | tr -d '\r' >"$log"
	local status=${PIPESTATUS[0]} pos=1 hit re
	for re in "${expects[@]}"; do
		hit=$(tail -n "+$pos" "$log" | grep -a -n -E -m1 -- "$re" | cut -d: -f1)
		if [ -z "$hit" ]; then
			echo "FAIL demo-$name: missing line /$re/ (exit status $status; log $log)"
			return 1
		fi
		pos=$((pos + hit))
	done
	for re in "${anywheres[@]}"; do
		if ! grep -a -q -E -- "$re" "$log"; then
			echo "FAIL demo-$name: missing line /$re/ anywhere (exit status $status; log $log)"
			return 1
		fi
	done
	for re in "${rejects[@]}"; do
		if hit=$(grep -a -m1 -E -- "$re" "$log"); then
			echo "FAIL demo-$name: rejected line /$re/ appeared: $hit (log $log)"
			return 1
		fi
	done
	if [ "$status" != "$want_exit" ]; then
		echo "FAIL demo-$name: QEMU exit status $status, expected $want_exit (log $log)"
		return 1
	fi
	echo "PASS demo-$name"
}

for n in "${names[@]}"; do
	run_one "$n" || failed=$((failed + 1))
done
[ "$failed" -eq 0 ]
