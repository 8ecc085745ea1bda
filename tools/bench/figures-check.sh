#!/usr/bin/env bash
# `make bench-figures`: runs every benchmark that bench/figures.txt names
# (its MEASURED BY column: make bench, bench-proc, ...) once, reads each
# figure from the output with the entry's OUTPUT REGEX, and compares it
# with the FIGURE the file (and so the docs) quote.  Guest figures are
# exact instruction counts, so any difference means the code changed them:
# update bench/figures.txt and the doc line it names.
#
# `make test` runs it too (a few seconds: the counts need no repetition).
#
# Usage: tools/bench/figures-check.sh [FIGURES_FILE]   (default bench/figures.txt)
# Prints `PASS figure FILE: TEXT = N` or `FAIL figure FILE: TEXT: quoted N,
# measured M (make TARGET)` per figure and `N passed, N failed`; exits 1 if
# any changed or could not be read.  Outputs: build/figures/<target>.txt.
set -uo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
cd "$(dirname "$0")/../.."
table=${1:-bench/figures.txt}
[ -r "$table" ] || { echo "figures: cannot read $table" >&2; exit 1; }
outdir=build/figures
mkdir -p "$outdir"

trim() { sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//' <<<"$1"; }

declare -A ran=()
same=0
changed=0
while IFS= read -r raw || [ -n "$raw" ]; do
	[[ $raw =~ ^[[:space:]]*(#|$) ]] && continue
	IFS='|' read -r file text figure by regex <<<"$raw"
	file=$(trim "$file") text=$(trim "$text") figure=$(trim "$figure")
	by=$(trim "$by") regex=$(trim "$regex")
	if [[ ! $by =~ ^make\ ([a-z-]+)$ ]] || [ -z "$regex" ]; then
		echo "FAIL figure $file: $text: entry has no 'make TARGET' or no OUTPUT REGEX ($table)"
		changed=$((changed + 1))
		continue
	fi
	target=${BASH_REMATCH[1]}
	out=$outdir/$target.txt
	if [ -z "${ran[$target]:-}" ]; then
		echo "figures: make $target"
		make --no-print-directory "$target" >"$out" 2>&1 ||
			echo "figures: make $target failed (see $out)"
		ran[$target]=1
	fi
	measured=$(tr -d '\r' <"$out" | perl -ne "if (/$regex/) { print \$1; exit }")
	if [ -z "$measured" ]; then
		echo "FAIL figure $file: $text: no line of 'make $target' matches /$regex/ (see $out)"
		changed=$((changed + 1))
	elif [ "$measured" = "$figure" ]; then
		echo "PASS figure $file: $text = $figure"
		same=$((same + 1))
	else
		echo "FAIL figure $file: $text: quoted $figure, measured $measured (make $target); update $table and $file"
		changed=$((changed + 1))
	fi
done <"$table"
echo "$same passed, $changed failed"
[ "$changed" -eq 0 ]
