#!/usr/bin/env bash
# musl on capOS against glibc on the host, for `make test`: every program
# tests/musl/NAME.c is built twice (build/user/musl/NAME.elf on musl,
# build/host/musl/NAME on glibc, mk/musl.mk); the capOS one runs in QEMU
# (tools/musl-run.sh) and its output between "==== NAME begin" and
# "==== NAME end" must equal the host one's, line for line; both must
# exit 0.  One PASS/FAIL line per program; the diff is in
# build/test-logs/musl-NAME.diff.
#
# Usage: tests/musl/compare.sh [NAME...]   (default: every tests/musl/*.c)
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,/^[^#]/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
	exit 0
fi
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
mkdir -p "$build/test-logs"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in tests/musl/*.c; do names+=("$(basename "$f" .c)"); done
fi
status=0
for name in "${names[@]}"; do
	elf=$build/user/musl/$name.elf host=$build/host/musl/$name
	out=$build/test-logs/musl-$name
	if [ ! -f "$elf" ] || [ ! -x "$host" ]; then
		echo "FAIL musl_$name: $elf or $host not built (make musl)"
		status=1
		continue
	fi
	"$host" | sed -e "1{/^==== $name begin\$/d}" -e "\${/^==== $name end\$/d}" >"$out.host"
	hstatus=${PIPESTATUS[0]}
	tools/musl-run.sh --timeout 120 "$elf" >"$out.capos" 2>"$out.run"
	cstatus=$?
	if [ "$hstatus" != 0 ] || [ "$cstatus" != 0 ]; then
		echo "FAIL musl_$name: exit status host $hstatus, capOS $cstatus (see $out.run)"
		status=1
	elif ! diff "$out.host" "$out.capos" >"$out.diff"; then
		echo "FAIL musl_$name: output differs from glibc's ($(grep -c '^<' "$out.diff") lines; $out.diff)"
		status=1
	else
		echo "PASS musl_$name ($(wc -l <"$out.host") lines equal)"
	fi
done
exit $status
