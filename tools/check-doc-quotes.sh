#!/usr/bin/env bash
# Checks that every file the docs quote is quoted exactly as it is.
#
# A quote in README.md or docs/*.md is a line
#     <!-- quote: PATH -->
# followed by a fenced code block whose content must equal the file PATH
# (relative to the repository root) byte for byte.  The quoted examples
# are real files, built and run by a smoke, so a quote that drifts from
# its file fails here instead of misleading a reader.
#
# Usage: tools/check-doc-quotes.sh [FILE.md...]   (default: README.md docs/*.md)
# Prints "PASS quote <doc>: <path>" or "FAIL quote ...: why" per quote;
# exits 1 when any quote differs.
set -u
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
cd "$(dirname "$0")/.."
docs=("$@")
[ ${#docs[@]} -eq 0 ] && docs=(README.md docs/*.md)
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
failed=0
for doc in "${docs[@]}"; do
	grep -n '^<!-- quote: .* -->$' "$doc" | while IFS=: read -r line rest; do
		path=$(sed -E 's/^<!-- quote: (.*) -->$/\1/' <<<"$rest")
		# The block: the fence on the next line, up to the closing fence.
		awk -v start=$((line + 1)) 'NR == start { if ($0 !~ /^```/) exit 3; inb = 1; next }
			inb && /^```$/ { exit 0 } inb { print }' "$doc" >"$tmp"
		st=$?
		if [ $st -eq 3 ]; then
			echo "FAIL quote $doc:$line: $path: no code block right after the quote marker"
		elif [ ! -f "$path" ]; then
			echo "FAIL quote $doc:$line: $path does not exist"
		elif ! cmp -s "$tmp" "$path"; then
			echo "FAIL quote $doc:$line: the block differs from $path (diff: $(diff "$tmp" "$path" | head -n 3 | tr '\n' '|'))"
		else
			echo "PASS quote $doc: $path"
		fi
	done
done | tee "$tmp.out"
grep -q '^FAIL' "$tmp.out" && failed=1
rm -f "$tmp.out"
exit $failed
