#!/usr/bin/env bash
# Tests of tests/tools/docs-check.sh itself: it is pointed (through
# DOCS_CHECK_FILES, DOCS_CHECK_README, DOCS_CHECK_FIGURES) at small docs
# with one planted mistake each and must report exactly that doc line, and
# at correct ones and must pass.  Uses the tree's real sources, makefiles
# and boot log (run after the smokes, or it boots the default system once).
#
# Usage: tests/tools/docs-check-selftest.sh   (prints PASS/FAIL per case)
set -uo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
cd "$(dirname "$0")/../.."
work=$(mktemp -d "${TMPDIR:-/tmp}/capos-docs-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0

# case NAME CHECK WANT_STATUS WANT_TEXT: runs one check over $work/doc.md.
check_case() {
	local name=$1 check=$2 want_status=$3 want=$4 out status
	out=$(DOCS_CHECK_FILES=$work/doc.md DOCS_CHECK_README=$work/doc.md \
		DOCS_CHECK_FIGURES=$work/figures.txt tests/tools/docs-check.sh "$check" 2>&1)
	status=$?
	if [ "$status" = "$want_status" ] && grep -qF -- "$want" <<<"$out"; then
		echo "PASS docs-selftest-$name"
	else
		echo "FAIL docs-selftest-$name: want status $want_status and '$want'; got status $status: $(tr '\n' '|' <<<"$out")"
		failed=$((failed + 1))
	fi
}

printf 'intro\n\n\t\tbinary: "echo_server"\n\t\tbinary: "ipc_server"\n' >"$work/doc.md"
check_case binary-missing binaries 1 "FAIL docs-binaries: $work/doc.md:4: binary 'ipc_server' is not a program"
printf 'log: binary '\''init'\'' and binary '\''hello'\''; extraBinaries: ["panic", "child"]\n' >"$work/doc.md"
check_case extra-binary-missing binaries 1 "$work/doc.md:1: extraBinaries names 'child'"
printf 'binary: "NAME" and binary '\''x'\'' are placeholders; binary: "spawn_hostile"\n' >"$work/doc.md"
check_case binaries-ok binaries 0 "PASS docs-binaries"

# Spelt in two pieces, so this file does not make the name exist.
gone="capos_printf""_renamed_away"
printf 'see `capos_printf` and\n`%s` here\n' "$gone" >"$work/doc.md"
check_case name-renamed names 1 "FAIL docs-names: $work/doc.md:2: \`$gone\` names nothing"
printf 'the smoke `endpoint_cleanup` and `capos_capset_parse`\n' >"$work/doc.md"
check_case names-ok names 0 "PASS docs-names"

printf '| round trip | 4411 |\n' >"$work/doc.md"
echo "$work/doc.md | round trip | 4082 | make bench" >"$work/figures.txt"
check_case figure-stale figures 1 "FAIL docs-figures: $work/doc.md:1: the line with 'round trip' does not quote 4082"
printf '| spawn call | 95 232 |\n' >"$work/doc.md"
echo "$work/doc.md | spawn call | 95232 | make bench-spawn" >"$work/figures.txt"
check_case figure-grouped-digits figures 0 "PASS docs-figures"
printf 'nothing here\n' >"$work/doc.md"
check_case figure-line-gone figures 1 "no line contains 'spawn call'"

printf '## What you will see\n\n```\ncapOS 0.1.0 (x86_64, built ...)   <- banner\n...\nboot: started init (pid 1, ...\ninit: no such line ever\n```\n' >"$work/doc.md"
check_case readme-line-wrong readme-log 1 "FAIL docs-readme-log: $work/doc.md:7: 'init: no such line ever' is not in the boot log"
printf '## What you will see\n\n```\nrun: kernel finished (QEMU status 33: ...)\nrun: the kernel said bye\n```\n' >"$work/doc.md"
check_case readme-make-message readme-log 1 "$work/doc.md:5: no makefile prints a message like 'run: the kernel said bye'"
printf '## What you will see\n\n```\nboot: started init (pid 1, ...\n...\n```\n' >"$work/doc.md"
check_case readme-ok readme-log 0 "PASS docs-readme-log"

[ "$failed" -eq 0 ]
