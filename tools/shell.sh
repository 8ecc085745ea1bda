#!/usr/bin/env bash
# Boots a capOS ISO with the serial port on this terminal, for a person
# (or tests/qemu/shell-pty.sh) to type into: `make shell` runs it on
# build/capos-shell.iso (system-shell.cue).  QEMU puts the terminal in raw
# mode; Ctrl-C goes to the guest (signal=off), not to QEMU; leave the
# shell with Ctrl-D or `exit`.  Returns QEMU's status (33 = clean exit).
#
# Usage: tools/shell.sh ISO
set -uo pipefail
if [ "${1:-}" = --help ] || [ $# -ne 1 ]; then
	sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
	[ "${1:-}" = --help ] && exit 0 || exit 2
fi
[ -f "$1" ] || { echo "shell: $1 not found (make shell builds it)" >&2; exit 2; }
exec qemu-system-x86_64 -accel tcg -cpu qemu64,+smep,+smap -m 256M -smp 1 \
	-chardev stdio,id=term,signal=off -serial chardev:term -display none -monitor none \
	-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$1" -boot d
