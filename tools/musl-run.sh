#!/usr/bin/env bash
# Boots one capOS program built on musl as the only service of a system
# made for the run, prints the program's output and exits with the
# program's exit code (docs/porting.md, `make run-lua`).
#
# Usage: tools/musl-run.sh [options] ELF
#   --name NAME     service and binary name (default: the ELF's basename)
#   --begin RE      ERE of the program's first output line (default
#                   '^==== NAME begin'); output is printed from the line after it
#   --end RE        ERE of its last output line (default '^==== NAME end')
#   --timeout SEC   QEMU watchdog (default 120)
#   --log FILE      keep the whole serial log there (default build/musl/run/NAME/serial.log)
# The service gets console, virtual_memory, timer, entropySource,
# threadSpawner and parkSpace (pthreads), and frameAllocator (which
# tests/musl/pthread_check.c queries for its frame counts).
# Exit status: the program's exit code as init reports it; 124 when QEMU
# timed out; 125 when the run failed otherwise (the log's end is shown).
set -uo pipefail
usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "musl-run: $*" >&2; exit 125; }
name="" begin="" end="" timeout=120 log=""
while [ $# -gt 0 ]; do
	case $1 in
	--help|-h) usage; exit 0 ;;
	--name) name=$2; shift 2 ;;
	--begin) begin=$2; shift 2 ;;
	--end) end=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || { usage >&2; exit 2; }
elf=$1
[ -f "$elf" ] || die "no such program: $elf"
cd "$(dirname "$0")/.."
build=${BUILD:-build}
name=${name:-$(basename "$elf" .elf)}
case $name in *[!A-Za-z0-9_.-]*|'') die "bad name '$name'" ;; esac
begin=${begin:-"^==== $name begin"}
end=${end:-"^==== $name end"}
dir=$build/musl/run/$name
# Lines of the system's own log (kernel subsystems and init) left out of
# the program's output.
SYSLOG='^(init|mem|proc|spawn|sched|ipc|timer|pool|fpu|boot|cpu|capOS|vm|ring|notify|irq|dev|pci|watchdog): '
log=${log:-$dir/serial.log}
mkdir -p "$dir/bin"
strip --strip-debug -o "$dir/bin/$name.elf" "$elf" || die "strip $elf failed"
cat >"$dir/system.cue" <<CUE
// Made by tools/musl-run.sh for one run of '$name'.
package capos

system: {
	schemaVersion: #SchemaVersion
	initConfig: init: {
		binary: "init"
		caps: [
			{name: "console", source: kernel:     "console"},
			{name: "spawner", source: kernel:     "processSpawner"},
			{name: "bootPackage", source: kernel: "bootPackage"},
			{name: "vm", source: kernel:            "virtualMemory"},
			{name: "timer", source: kernel:         "timer"},
			{name: "entropySource", source: kernel: "entropySource"},
			{name: "threadSpawner", source: kernel: "threadSpawner"},
			{name: "parkSpace", source: kernel:     "parkSpace"},
			{name: "frameAllocator", source: kernel: "frameAllocator"},
		]
	}
	initConfig: services: [
		{name: "$name", binary: "$name", caps: [
			{name: "console", source: kernel:        "console"},
			{name: "virtual_memory", source: kernel: "virtualMemory"},
			{name: "timer", source: kernel:          "timer"},
			{name: "entropySource", source: kernel:  "entropySource"},
			{name: "threadSpawner", source: kernel:  "threadSpawner"},
			{name: "parkSpace", source: kernel:      "parkSpace"},
			{name: "frameAllocator", source: kernel: "frameAllocator"},
		]},
	]
}
CUE
mkm=$build/tool/tools/mkmanifest/mkmanifest
[ -x "$mkm" ] && [ -f "$build/kernel.elf" ] && [ -f "$build/stripped/init/init.elf" ] ||
	die "build the system first (make all: $mkm, $build/kernel.elf, $build/stripped/init/init.elf)"
"$mkm" --cue-runner tools/mkmanifest/cue-run.js -S cue -B "$dir/bin" -B "$build/stripped/init" \
	-o "$dir/manifest.bin" "$dir/system.cue" >"$dir/mkmanifest.log" 2>&1 ||
	{ cat "$dir/mkmanifest.log" >&2; die "mkmanifest failed"; }
echo "musl-run: booting '$name' (serial log: $log)" >&2
tests/qemu/qemu-boot.sh kernel "$build/kernel.elf" --module "$dir/manifest.bin" \
	--timeout "$timeout" --no-symbolize 2>&1 | tr -d '\r' >"$log"
qemu=${PIPESTATUS[0]}
# The kernel's and init's log lines may come between the program's lines.
awk -v b="$begin" -v e="$end" -v sys="$SYSLOG" \
	'$0 ~ e { exit } on && $0 !~ sys { print } $0 ~ b { on = 1 }' "$log"
code=$(sed -n -E "s/^init: (FAILED )?'$name'(:)? exited with code (-?[0-9]+)\$/\\3/p" "$log" | head -1)
if [ "$qemu" = 124 ]; then
	echo "musl-run: '$name' timed out after $timeout s; end of $log:" >&2
	tail -5 "$log" >&2
	exit 124
fi
if [ -z "$code" ]; then
	echo "musl-run: no exit code for '$name' in $log (QEMU status $qemu); its end:" >&2
	tail -15 "$log" >&2
	exit 125
fi
echo "musl-run: '$name' exited with code $code" >&2
exit "$code"
