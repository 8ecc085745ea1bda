#!/usr/bin/env bash
# QEMU smoke harness.  Each tests/qemu/smokes/<name>.smoke boots the kernel
# once, captures serial into build/test-logs/smoke-<name>.log and checks it.
#
# Usage: tests/qemu/run-smokes.sh [-j N] [NAME...]   (default: every smoke)
#
# Spec format, one `key: value` per line, '#' starts a comment line:
#   boot: kernel        kernel = build/kernel.elf via -kernel (PVH, fastest)
#                       iso    = GRUB BIOS ISO built for this smoke
#                       uefi   = the same ISO booted by OVMF
#   cmdline: test=x     kernel command line (optional)
#   module: FILE        boot module; repeatable for iso/uefi, at most one
#                       for kernel (-initrd).  Name in the kernel = basename.
#   kernel: FILE        kernel ELF (default build/kernel.elf)
#   cpu: MODEL          QEMU -cpu (default qemu64,+smep,+smap)
#   mem: SIZE           QEMU -m (default 256M)
#   machine: TYPE       QEMU -machine (default: QEMU's, i440fx "pc")
#   qemu: ARGS          extra QEMU arguments, split on spaces (devices);
#                       repeatable
#   timeout: SEC        wall-clock limit (default 30); exceeding it fails
#   exit: N             expected QEMU exit status (33 success, 35 self-test
#                       failure, 37 panic, 39 CPU exception); default 33
#   expect: REGEX       extended regex that must match a serial line; all
#                       expect lines must match in this order
#   reject: REGEX       must match no serial line
#   anywhere: REGEX     must match some serial line, in any order (for
#                       lines whose order against others is not fixed)
# Prints `PASS <name>` or `FAIL <name>: <reason>` per smoke and a final
# `N passed, N failed`; exits non-zero when any smoke failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
usage() { sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; }

jobs=$(nproc 2>/dev/null || echo 2)
names=()
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	-j) jobs=$2; shift 2 ;;
	-*) echo "run-smokes: unknown option $1" >&2; exit 2 ;;
	*) names+=("$1"); shift ;;
	esac
done

smokedir=tests/qemu/smokes
logdir=build/test-logs
# A private work directory per run, so two runs in one tree cannot delete
# each other's verdicts.
mkdir -p "$logdir" build
workdir=$(mktemp -d build/smoke-work.XXXXXX)
trap 'rm -rf "$workdir"' EXIT

if [ ${#names[@]} -eq 0 ]; then
	for f in "$smokedir"/*.smoke; do
		[ -e "$f" ] && names+=("$(basename "$f" .smoke)")
	done
fi
if [ ${#names[@]} -eq 0 ]; then
	echo "FAIL smokes: no spec in $smokedir"
	exit 1
fi

# run_one NAME: writes its verdict line to $workdir/NAME.result
run_one() {
	local name=$1 spec="$smokedir/$1.smoke"
	local result="$workdir/$name.result" log="$logdir/smoke-$name.log"
	fail() { echo "FAIL $name: $*" >"$result"; }
	if [ ! -f "$spec" ]; then
		fail "no spec file $spec"
		return
	fi
	local boot=kernel cmdline="" kernel=build/kernel.elf cpu=qemu64,+smep,+smap mem=256M
	local timeout=30 want_exit=33 machine="" key val
	local -a modules=() expects=() rejects=() anywheres=() extra=()
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%$'\r'}
		[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
		if [[ ! $line =~ ^([a-z]+):[[:space:]]?(.*)$ ]]; then
			fail "bad spec line: $line"
			return
		fi
		key=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
		case $key in
		boot) boot=$val ;;
		cmdline) cmdline=$val ;;
		module) modules+=("$val") ;;
		kernel) kernel=$val ;;
		cpu) cpu=$val ;;
		mem) mem=$val ;;
		machine) machine=$val ;;
		qemu) read -r -a words <<<"$val"; extra+=("${words[@]}") ;;
		timeout) timeout=$val ;;
		exit) want_exit=$val ;;
		expect) expects+=("$val") ;;
		reject) rejects+=("$val") ;;
		anywhere) anywheres+=("$val") ;;
		*) fail "unknown spec key '$key'"; return ;;
		esac
	done <"$spec"
	if [ ${#expects[@]} -eq 0 ]; then
		fail "spec has no expect line (a smoke must check something)"
		return
	fi
	for m in "${modules[@]}" "$kernel"; do
		[ -f "$m" ] || { fail "missing file $m (not built?)"; return; }
	done

	local -a args=(--cpu "$cpu" --mem "$mem" --timeout "$timeout")
	[ -n "$machine" ] && args+=(--machine "$machine")
	for w in "${extra[@]}"; do args+=(--qemu-arg "$w"); done
	# Raw-ABI programs are found first for raw_* manifests (mk/manifest.mk):
	# the symbolizer must pick the same binary for a shared name.
	local m
	for m in "${modules[@]}"; do
		case ${m##*/} in
		raw_*) args+=(--symbols build/user/tests/qemu/proc --symbols build/proc/hostile) ;;
		esac
	done
	local image=$kernel
	case $boot in
	kernel)
		if [ ${#modules[@]} -gt 1 ]; then
			fail "boot: kernel takes at most one module (-initrd)"
			return
		fi
		args+=(--cmdline "$cmdline")
		[ ${#modules[@]} -eq 1 ] && args+=(--module "${modules[0]}")
		;;
	iso|uefi)
		image="$workdir/$name.iso"
		if ! grub/mkiso.sh "$image" "$kernel" "$cmdline" "${modules[@]}" >"$log" 2>&1; then
			fail "could not build the ISO (see $log)"
			return
		fi
		rm -f "$workdir/$name.vars"
		args+=(--vars "$workdir/$name.vars")
		;;
	*) fail "unknown boot mode '$boot'"; return ;;
	esac

	# QEMU's own warnings (stderr) go after the serial log, prefixed: on
	# one stream they could land in the middle of a serial line.
	tests/qemu/qemu-boot.sh "$boot" "$image" "${args[@]}" 2>"$workdir/$name.stderr" |
		tr -d '\r' >"$log"
	local status=${PIPESTATUS[0]}
	sed 's/^/qemu stderr: /' "$workdir/$name.stderr" >>"$log"
	rm -f "$workdir/$name.stderr"
	[ "$boot" != kernel ] && rm -f "$image" "$workdir/$name.vars"

	# Checks, in order of usefulness to whoever reads the FAIL line.
	local pos=1 hit re
	for re in "${expects[@]}"; do
		hit=$(tail -n "+$pos" "$log" | grep -a -n -E -m1 -- "$re" | cut -d: -f1)
		if [ -z "$hit" ]; then
			if [ "$status" = 124 ]; then
				fail "timeout after ${timeout}s; missing line /$re/ (log $log)"
			else
				fail "missing line /$re/ (exit status $status; log $log)"
			fi
			return
		fi
		pos=$((pos + hit))
	done
	for re in "${anywheres[@]}"; do
		if ! grep -a -q -E -- "$re" "$log"; then
			fail "missing line /$re/ (anywhere; exit status $status; log $log)"
			return
		fi
	done
	for re in "${rejects[@]}"; do
		if hit=$(grep -a -m1 -E -- "$re" "$log"); then
			fail "rejected line /$re/ appeared: $hit (log $log)"
			return
		fi
	done
	if [ "$status" = 124 ]; then
		fail "timeout after ${timeout}s (log $log)"
		return
	fi
	if [ "$status" != "$want_exit" ]; then
		fail "exit status $status != $want_exit (log $log)"
		return
	fi
	echo "PASS $name" >"$result"
}

# Run up to $jobs smokes at once; print verdicts in name order.
running=0
for name in "${names[@]}"; do
	rm -f "$workdir/$name.result"
	run_one "$name" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

passed=0 failed=0
for name in "${names[@]}"; do
	if [ -f "$workdir/$name.result" ]; then
		line=$(<"$workdir/$name.result")
	else
		line="FAIL $name: harness produced no verdict"
	fi
	echo "$line"
	case $line in
	PASS*) passed=$((passed + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
