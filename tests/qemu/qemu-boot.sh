#!/usr/bin/env bash
# Boots capOS once in QEMU (TCG) with serial on stdout and returns QEMU's
# exit status (isa-debug-exit: status = (code << 1) | 1; 33 = success).
#
# Usage: tests/qemu/qemu-boot.sh MODE IMAGE [options]
#   MODE kernel: IMAGE is the kernel ELF, booted with -kernel (PVH)
#   MODE iso:    IMAGE is a GRUB ISO, booted by SeaBIOS
#   MODE uefi:   IMAGE is a GRUB ISO, booted by OVMF (UEFI)
# Options:
#   --cmdline STR   kernel command line (MODE kernel only; ISOs carry theirs)
#   --module FILE   boot module (MODE kernel: -initrd, only one)
#   --cpu MODEL     QEMU -cpu (default qemu64,+smep,+smap)
#   --mem SIZE      RAM (default 256M)
#   --timeout SEC   kill QEMU after SEC seconds (status 124)
#   --vars FILE     OVMF_VARS copy to use (MODE uefi; default build/OVMF_VARS.fd)
#   --machine TYPE  QEMU -machine (e.g. q35; default QEMU's i440fx "pc")
#   --qemu-arg ARG  one extra QEMU argument (repeatable), e.g. a -device
#   --symbols DIR   where tools/symbolize.sh looks for unstripped binaries
#                   (repeatable, searched first; its defaults come after)
#   --no-symbolize  print the serial output exactly as QEMU gives it
#   --gdb PORT      start halted with a gdb stub on localhost:PORT (-S)
# The serial output goes through tools/symbolize.sh, which appends
# ` (file.c:LINE in func)` to kill lines naming `rip 0x... in binary 'x'`.
set -uo pipefail
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; }
[ "${1:-}" = "--help" ] && { usage; exit 0; }
[ $# -ge 2 ] || { usage >&2; exit 2; }
mode=$1 image=$2
shift 2
cmdline="" module="" cpu=qemu64,+smep,+smap mem=256M timeout=0 vars=build/OVMF_VARS.fd
machine=""
extra=()
symbolize=1 gdb=0 symdirs=()
while [ $# -gt 0 ]; do
	case $1 in
	--cmdline) cmdline=$2; shift 2 ;;
	--module) module=$2; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--vars) vars=$2; shift 2 ;;
	--machine) machine=$2; shift 2 ;;
	--qemu-arg) extra+=("$2"); shift 2 ;;
	--symbols) symdirs+=(-B "$2"); shift 2 ;;
	--no-symbolize) symbolize=0; shift ;;
	--gdb) gdb=$2; shift 2 ;;
	*) echo "qemu-boot: unknown option $1" >&2; exit 2 ;;
	esac
done
[ -f "$image" ] || { echo "qemu-boot: $image not found" >&2; exit 2; }

args=(-accel tcg -cpu "$cpu" -m "$mem" -smp 1 -serial stdio -display none
	-monitor none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04)
[ -n "$machine" ] && args+=(-machine "$machine")
args+=("${extra[@]}")
case $mode in
kernel)
	args+=(-kernel "$image")
	[ -n "$cmdline" ] && args+=(-append "$cmdline")
	[ -n "$module" ] && args+=(-initrd "$module")
	;;
iso)
	args+=(-cdrom "$image" -boot d)
	;;
uefi)
	code=/usr/share/OVMF/OVMF_CODE_4M.fd
	[ -f "$code" ] || { echo "qemu-boot: $code missing (package ovmf)" >&2; exit 2; }
	if [ ! -f "$vars" ]; then
		mkdir -p "$(dirname "$vars")"
		cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"
	fi
	args+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$code"
		-drive "if=pflash,format=raw,unit=1,file=$vars"
		-cdrom "$image" -boot d)
	;;
*) echo "qemu-boot: unknown mode $mode" >&2; exit 2 ;;
esac

[ "$gdb" != 0 ] && args+=(-gdb "tcp:127.0.0.1:$gdb" -S)

qemu() {
	if [ "$timeout" != 0 ]; then
		timeout --foreground -k 2 "$timeout" qemu-system-x86_64 "${args[@]}" </dev/null
	else
		qemu-system-x86_64 "${args[@]}" </dev/null
	fi
}
# OVMF draws its boot screen with terminal control sequences (clear
# screen, colours) on the serial port: drop them so the log is plain text.
run_qemu() {
	if [ "$mode" = uefi ]; then
		qemu | sed -u -E $'s/\x1b\\[[0-9;=?]*[A-Za-z]//g'
		return "${PIPESTATUS[0]}"
	fi
	qemu
}
if [ "$symbolize" = 0 ]; then
	run_qemu
	exit $?
fi
# The default directories follow the caller's (symbolize.sh --help).
[ ${#symdirs[@]} -gt 0 ] && symdirs+=(-B build/user/demos -B build/user/tests/qemu/progs -B build/user/init -B build/user
	-B build/user/tests/qemu/proc -B build/proc/hostile)
here=$(cd "$(dirname "$0")/../.." && pwd)
run_qemu | "$here/tools/symbolize.sh" "${symdirs[@]}"
exit "${PIPESTATUS[0]}"
