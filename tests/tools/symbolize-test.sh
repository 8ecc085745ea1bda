#!/usr/bin/env bash
# Checks tools/symbolize.sh on the built demos: a kill line gets
# ` (file.c:LINE in func)` from the unstripped ELF, other lines and CRs pass
# through unchanged, an unknown binary or an address without line info is
# said so, -B directories are searched first, 'kernel' means -K (default
# build/kernel.elf), and bad arguments fail.
# Prints PASS/FAIL lines in the test-suite format.
#
# Usage: tests/tools/symbolize-test.sh   (after `make all`)
set -uo pipefail
cd "$(dirname "$0")/../.."
[ "${1:-}" = --help ] && { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
sym=tools/symbolize.sh elf=build/user/tests/qemu/progs/spin.elf
failed=0
check() { # NAME GOT WANT-REGEX
	if [[ $2 =~ $3 ]]; then
		echo "PASS symbolize-$1"
	else
		echo "FAIL symbolize-$1: got '$2', want /$3/"
		failed=1
	fi
}
if [ ! -f "$elf" ]; then
	echo "FAIL symbolize: $elf not built (make all)"
	exit 1
fi
main=$(nm "$elf" | awk '$3 == "main" { print $1 }')
addr=$(printf '0x%x' $((16#$main)))
got=$(printf 'x killed: page fault rip %s in binary '\''spin'\''\r\n' "$addr" | "$sym")
check kill-line "$got" "^x killed: page fault rip $addr in binary 'spin' \(spin\.c:[0-9]+ in main\)"$'\r'"$"
got=$(printf 'plain line\nrip 0x1 but no binary\n' | "$sym")
check passthrough "$got" $'^plain line\nrip 0x1 but no binary$'
got=$(printf 'rip %s in binary '\''nosuch'\''\n' "$addr" | "$sym")
check unknown-binary "$got" "\(no unstripped nosuch under "
got=$(printf 'rip 0x10 in binary '\''spin'\''\n' | "$sym")
check no-line "$got" "\(no source line for 0x10 in build/user/tests/qemu/progs/spin\.elf\)$"
got=$(printf 'rip %s in binary '\''spin'\''\n' "$addr" | "$sym" -B /nonexistent -B build/user/tests/qemu/progs)
check search-dirs "$got" "\(spin\.c:[0-9]+ in main\)$"
got=$(printf 'no newline at the end' | "$sym")
check last-line "$got" "^no newline at the end$"
kmain=$(nm build/kernel.elf | awk '$3 == "kmain" { print $1 }')
got=$(printf '  at rip 0x%s in binary '\''kernel'\''\n' "$kmain" | "$sym")
check kernel "$got" "in binary 'kernel' \(main\.c:[0-9]+ in kmain\)$"
got=$(printf '  at rip 0x%s in binary '\''kernel'\''\n' "$kmain" | "$sym" -K /nonexistent)
check kernel-missing "$got" "\(no kernel ELF at /nonexistent\)$"
"$sym" --bogus </dev/null >/dev/null 2>&1
check bad-argument "$?" "^2$"
"$sym" --help | grep -q "Usage: tools/symbolize.sh"
check help "$?" "^0$"
exit $failed
