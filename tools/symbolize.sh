#!/usr/bin/env bash
# Copies a capOS serial log from stdin to stdout, appending the source line
# to every line that names a user address in a binary, i.e. the kernel's
# kill lines and init's copies of them:
#   ... rip 0x400123 in binary 'fault_badptr'
#   ... rip 0x400123 in binary 'fault_badptr' (fault_badptr.c:17 in main)
# The manifest carries stripped programs; the unstripped ones (same
# addresses, with debug info) are looked up by name in the -B directories:
# DIR/NAME.elf, then DIR/NAME, first directory first.  The name 'kernel'
# (the kernel's own fault and panic reports) means the -K file.
#
# Usage: tools/symbolize.sh [-B DIR]... [-K KERNEL.elf] <log >log.symbolized
#   default directories: build/user/demos build/user/tests/qemu/progs build/user/services build/user/init build/user
#                        build/user/tests/qemu/proc build/proc/hostile
#   default kernel: build/kernel.elf
# Lines are passed through as they arrive, so it can sit in a live pipe
# (tests/qemu/qemu-boot.sh runs QEMU's serial output through it).
set -uo pipefail
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; }

dirs=() kernel=build/kernel.elf
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	-B) [ $# -ge 2 ] || { echo "symbolize: -B needs a directory" >&2; exit 2; }
		dirs+=("$2"); shift 2 ;;
	-K) [ $# -ge 2 ] || { echo "symbolize: -K needs a file" >&2; exit 2; }
		kernel=$2; shift 2 ;;
	*) echo "symbolize: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
[ ${#dirs[@]} -gt 0 ] || dirs=(build/user/demos build/user/tests/qemu/progs build/user/services build/user/init build/user
	build/user/tests/qemu/proc build/proc/hostile)
have_addr2line=1
command -v addr2line >/dev/null 2>&1 || have_addr2line=0

# find_elf NAME: prints the unstripped ELF for a binary name, if any.
find_elf() {
	local d
	if [ "$1" = kernel ]; then
		[ -f "$kernel" ] && { printf '%s\n' "$kernel"; return 0; }
		return 1
	fi
	for d in "${dirs[@]}"; do
		[ -f "$d/$1.elf" ] && { printf '%s\n' "$d/$1.elf"; return 0; }
		[ -f "$d/$1" ] && { printf '%s\n' "$d/$1"; return 0; }
	done
	return 1
}

# where ADDR NAME: prints " (file.c:LINE in func)", or a reason it cannot.
where() {
	local elf out func loc
	if ! elf=$(find_elf "$2"); then
		if [ "$2" = kernel ]; then
			printf ' (no kernel ELF at %s)' "$kernel"
		else
			printf ' (no unstripped %s under %s)' "$2" "${dirs[*]}"
		fi
		return
	fi
	[ "$have_addr2line" = 1 ] || { printf ' (addr2line missing: package binutils)'; return; }
	out=$(addr2line -f -e "$elf" "$1" 2>/dev/null) || { printf ' (addr2line failed on %s)' "$elf"; return; }
	func=${out%%$'\n'*}
	loc=${out#*$'\n'}
	loc=${loc%% (discriminator*}
	if [ "${loc%%:*}" = "??" ]; then
		printf ' (no source line for %s in %s)' "$1" "$elf"
		return
	fi
	printf ' (%s in %s)' "${loc##*/}" "$func"
}

re="rip (0x[0-9a-fA-F]+) in binary '([A-Za-z0-9_.+-]+)'"
while IFS= read -r line || [ -n "$line" ]; do
	cr=""
	if [ "${line%$'\r'}" != "$line" ]; then
		line=${line%$'\r'}
		cr=$'\r'
	fi
	if [[ $line =~ $re ]]; then
		line+=$(where "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")
	fi
	printf '%s%s\n' "$line" "$cr"
done
