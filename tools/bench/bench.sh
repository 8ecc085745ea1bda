#!/usr/bin/env bash
# `make bench`: boots capOS's IPC/ring benchmark and its spawn benchmark,
# then the Debian Linux guest with its own benchmark programs
# (tools/linux-guest.sh), all under the QEMU flags in bench/qemu-flags, and
# prints the tables (tools/bench/ipc-table.sh): capOS alone, then capOS
# and Linux side by side with the ratio.  Without a Linux kernel (not
# cached and no network) it says so and still prints the capOS column.
#
# Usage: tools/bench/bench.sh [--build DIR] [--no-linux]
#   --build DIR  where make put kernel.elf, manifests/ and linux-guest/
#                (default build)
#   --no-linux   capOS only (what `make test` runs through bench-figures:
#                `make bench BENCH_LINUX=0`)
# Logs: DIR/bench-ipc.log, DIR/bench-capos-spawn.log, DIR/bench-ipc-xstate.log
# (the IPC boot again with -cpu max), DIR/bench-linux.log.
# Exits 1 when a capOS boot fails; a Linux guest failure is reported in the
# table and does not fail the run.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
build=build
linux=1
while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--build) build=$2; shift 2 ;;
	--no-linux) linux=0; shift ;;
	*) echo "bench: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

flags=$(grep -v '^[[:space:]]*#' bench/qemu-flags | tr '\n' ' ')

# capos_boot MANIFEST LOG [FLAGS]: one capOS boot to its debug-exit status 33.
capos_boot() {
	rm -f "$2"
	# shellcheck disable=SC2086 # the flags file is a list of words
	qemu-system-x86_64 ${3:-$flags} -serial "file:$2" -display none -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$build/kernel.elf" \
		-initrd "$1" </dev/null
	local status=$?
	[ $status = 33 ] || { echo "bench: QEMU status $status booting $1 (see $2)" >&2; exit 1; }
}

capos_boot "$build/manifests/bench_ipc.bin" "$build/bench-ipc.log"
capos_boot "$build/manifests/raw_spawn_bench.bin" "$build/bench-capos-spawn.log"
# Again on a CPU with XSAVE and AVX: bench_ipc adds the round trip with
# every YMM register of both processes dirty (endpoint_roundtrip_xstate).
capos_boot "$build/manifests/bench_ipc.bin" "$build/bench-ipc-xstate.log" \
	"${flags/-cpu qemu64/-cpu max}"

linux_log=$build/bench-linux.log
note=
if [ $linux = 0 ]; then
	note="not run (--no-linux)"
	rm -f "$linux_log"
else
	echo "bench: booting the Linux guest (tools/linux-guest.sh; its log: $linux_log)" >&2
	tools/linux-guest.sh --log "$linux_log" boot "$build/linux-guest/bench.cpio" 2>"$build/bench-linux.err"
	status=$?
	sed 's/^/  /' "$build/bench-linux.err" >&2
	case $status in
	0) grep -aq '^linuxbench: done' "$linux_log" ||
		note="the guest stopped before 'linuxbench: done' (see $linux_log)" ;;
	3) note="no Linux kernel: not cached and cannot be fetched (offline?); see tools/linux-guest.sh --help" ;;
	*) note="the Linux guest failed, status $status (see $build/bench-linux.err, $linux_log)" ;;
	esac
fi
exec tools/bench/ipc-table.sh ${note:+--linux-note "$note"} \
	--xstate-log "$build/bench-ipc-xstate.log" "$build/bench-ipc.log" \
	"$build/bench-capos-spawn.log" "$linux_log"
