#!/usr/bin/env bash
# Kernel fuzzing campaign: boots capOS once per seed with the in-guest fuzzer
# (tests/qemu/progs/kfuzz/, manifest tests/qemu/manifests/kfuzz.cue) and prints one
# line per seed, then `N passed, N failed`.  See docs/fuzzing.md.
#
# Usage: tools/fuzz-kernel.sh [options]     (make fuzz-kernel SEEDS=N OPS=M ...)
#   --seeds N      number of seeds (default 10)
#   --seed0 S      first seed (default 1): seeds S .. S+N-1
#   --ops M        operations per process (default 2000)
#   --mem SIZE     guest RAM, QEMU -m (default 256M; low memory: 24M)
#   --off LIST     generator paths left out, comma-separated: nt, selfcopy,
#                  hugehint, effect (known kernel bugs; default: none)
#   --workers W    fuzzing processes besides the boot one (default 2, max 4)
#   --jobs J       QEMUs at once (default 2)
#   --timeout SEC  per seed (default 60 + OPS/100)
#   --kernel ELF   the kernel to boot (default build/kernel.elf; make
#                  fuzz-coverage passes build/coverage/kernel.elf)
#   --devices      the device variant (kfuzz_devices.cue as smoke kfuzz_devices:
#                  q35, intel-iommu, a virtio-net for worker 1's DeviceMmio,
#                  Interrupt and DMAPool); logs build/fuzz-kernel/dev-seed-S.log
#   --kcov DIR     write each seed's coverage bitmap (QEMU debugcon, port
#                  0xe9; only a COVERAGE=1 kernel sends one) to DIR/seed-S.kcov
#
# A seed passes when QEMU exits 33 (every process exited 0, accounting
# exact), the fuzzer printed its PASS line and no FAIL/PANIC/FAULT/MISMATCH
# line appeared.  A failing seed prints its reason, its log
# (build/fuzz-kernel/seed-S.log, kept; passing logs are deleted) and the
# exact command that reproduces it.
set -uo pipefail
usage() { sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; }

seeds=10 seed0=1 ops=2000 mem=256M off="" workers=2 jobs=2 timeout=""
kernel=build/kernel.elf kcov="" devices=0
while [ $# -gt 0 ]; do
	case $1 in
	--help) usage; exit 0 ;;
	--seeds) seeds=$2; shift 2 ;;
	--seed0) seed0=$2; shift 2 ;;
	--ops) ops=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--off) off=$2; shift 2 ;;
	--workers) workers=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--kcov) kcov=$2; shift 2 ;;
	--devices) devices=1; shift ;;
	*) echo "fuzz-kernel: unknown option $1 (--help lists them)" >&2; exit 2 ;;
	esac
done
for v in "$seeds" "$seed0" "$ops" "$workers" "$jobs"; do
	case $v in '' | *[!0-9]*) echo "fuzz-kernel: '$v' is not a number" >&2; exit 2 ;; esac
done
case $off in
*[!a-z,]*) echo "fuzz-kernel: --off '$off': names nt,selfcopy,hugehint,effect" >&2; exit 2 ;;
esac
timeout=${timeout:-$((60 + ops / 100))}

module=build/manifests/kfuzz.bin logdir=build/fuzz-kernel tag="" dev=()
if [ $devices = 1 ]; then
	module=build/manifests/kfuzz_devices.bin tag=dev-
	dev=(--machine q35 --qemu-arg -nic --qemu-arg none --qemu-arg -device --qemu-arg intel-iommu
		--qemu-arg -netdev --qemu-arg user,id=n0,restrict=on --qemu-arg -device
		--qemu-arg virtio-net-pci,netdev=n0,disable-legacy=on,iommu_platform=on,addr=04.0)
fi
for f in $kernel $module; do
	[ -f $f ] || { echo "fuzz-kernel: $f missing (make fuzz-kernel builds it)" >&2; exit 2; }
done
mkdir -p $logdir ${kcov:+"$kcov"}

# The guest's last line (not QEMU's own "terminating on signal").
last_line() { grep -av '^qemu-system' "$1" | tail -n1 | cut -c1-120; }

# One seed: boot, classify, print one line.  Runs in a background job.
run_seed() {
	local s=$1 log=$logdir/${tag}seed-$1.log status reason
	local cmdline="kfuzz.seed=$s kfuzz.ops=$ops kfuzz.workers=$workers${off:+ kfuzz.off=$off}"
	local t0=$SECONDS extra=()
	[ -n "$kcov" ] && extra=(--qemu-arg -debugcon --qemu-arg "file:$kcov/${tag}seed-$s.kcov")
	tests/qemu/qemu-boot.sh kernel "$kernel" --module $module --mem "$mem" \
		--cmdline "$cmdline" --timeout "$timeout" "${dev[@]}" "${extra[@]}" >"$log" 2>&1 </dev/null
	status=$?
	local secs=$((SECONDS - t0))
	reason=$(grep -a -m1 -E '\] FAIL|PANIC|FAULT|MISMATCH' "$log" | cut -c1-200)
	if [ $status -eq 33 ] && [ -z "$reason" ] && grep -aq '\[kfuzz\] PASS' "$log"; then
		echo "PASS ${tag}seed $s (${secs}s)"
		rm -f "$log"
		return 0
	fi
	case $status in
	124) reason="timeout after ${timeout}s (hang?); last line: $(last_line "$log")" ;;
	*) [ -n "$reason" ] || reason="QEMU status $status; last line: $(last_line "$log")" ;;
	esac
	echo "FAIL ${tag}seed $s (status $status, ${secs}s): $reason"
	echo "     log: $log"
	echo "     reproduce: make fuzz-kernel SEEDS=1 SEED0=$s OPS=$ops MEM=$mem WORKERS=$workers${off:+ OFF=$off}${dev:+ DEVICES=1}"
	return 1
}

echo "fuzz-kernel: ${tag:+device variant, }seeds $seed0..$((seed0 + seeds - 1)), $ops ops x $((workers + 1)) processes," \
	"mem $mem, off '${off:-none}', $jobs jobs, ${timeout}s timeout per seed"
start=$SECONDS
results=$(mktemp)
trap 'rm -f "$results"' EXIT
running=0
for ((s = seed0; s < seed0 + seeds; s++)); do
	{ run_seed $s; echo $? >>"$results"; } &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
passed=$(grep -c '^0$' "$results")
failed=$(grep -vc '^0$' "$results")
elapsed=$((SECONDS - start))
rate=$((seeds * ops * (workers + 1) / (elapsed > 0 ? elapsed : 1)))
echo "fuzz-kernel: $elapsed s for $seeds seeds ($rate ops/s overall)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
