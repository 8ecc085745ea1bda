#!/usr/bin/env bash
# Formatting drift: which C files clang-format (.clang-format) would change.
#
# Usage: tools/format-check.sh [--findings] [--fix] [FILE...]
#
# Without FILEs: every tracked .c and .h file except generated/ and
# third_party/.  Prints one line per file that would change,
#   format: FILE: N lines differ (make format fixes it)
# and a total; exits 1 when any file would change, 0 when none would.
#   --findings  one lint finding per file instead (tools/lint.sh's format:
#               FILE:LINE:1: warning: ... [format], LINE the first that
#               differs) and exit 0: lint counts them
#   --fix       rewrite the files in place (what `make format` runs)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }

findings=0 fix=0
files=()
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	--findings) findings=1; shift ;;
	--fix) fix=1; shift ;;
	-*) echo "format-check.sh: error: unknown option '$1' (see --help)" >&2; exit 2 ;;
	*) files+=("$1"); shift ;;
	esac
done
command -v clang-format >/dev/null || {
	echo "format-check.sh: error: clang-format is not installed (tools/install-deps.sh installs it)" >&2
	exit 2
}
[ -f .clang-format ] || { echo "format-check.sh: error: no .clang-format" >&2; exit 2; }
if [ ${#files[@]} = 0 ]; then
	while IFS= read -r f; do files+=("$f"); done < <(git ls-files '*.c' '*.h' |
		grep -v -e '^generated/' -e '^third_party/')
fi

if [ $fix = 1 ]; then
	for f in "${files[@]}"; do
		before=$(sha256sum <"$f")
		clang-format -i --style=file "$f" || exit 2
		[ "$before" = "$(sha256sum <"$f")" ] || echo "format: $f reformatted"
	done
	exit 0
fi

drift=0 lines=0
for f in "${files[@]}"; do
	d=$(clang-format --style=file "$f" | diff "$f" -)
	[ -n "$d" ] || continue
	n=$(grep -c '^<' <<<"$d")
	first=$(sed -n '1s/^\([0-9]*\).*/\1/p' <<<"$d")
	drift=$((drift + 1)) lines=$((lines + n))
	if [ $findings = 1 ]; then
		echo "$f:${first:-1}:1: warning: clang-format would change $n lines (make format) [format]"
	else
		echo "format: $f: $n lines differ (make format fixes it)"
	fi
done
[ $findings = 1 ] && exit 0
echo "format: $drift of ${#files[@]} files would change, $lines lines"
[ $drift = 0 ]
