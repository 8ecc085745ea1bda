#!/usr/bin/env bash
# Dead code: a function with external linkage that nothing calls.
#
# Usage: tools/dead-code.sh [-B BUILD_DIR]
#
# Reads the objects of a finished build (BUILD_DIR, default build: the
# kernel, userspace, host tests and host tools) and prints one finding per
# global function that no object refers to, neither another object (an
# undefined symbol) nor its own (a relocation), in the lint format:
#   file:line:1: warning: NAME has external linkage and nothing calls it [dead-code]
# Such a function is either dead (delete it) or used only in its own file
# (make it static).  tools/dead-code-allow.txt lists the exceptions, each
# with its reason (entry points named only by a linker script or by asm).
# Exit status: 0 (findings are output, tools/lint.sh counts them); 1 when
# there is no build to read.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; }

build=build
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	-B) [ $# -ge 2 ] || { usage >&2; exit 2; }; build=$2; shift 2 ;;
	*) echo "dead-code.sh: error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

objs=()
for d in kernel user host tool; do
	[ -d "$build/$d" ] && while IFS= read -r o; do
		# An object whose source is gone (a file moved or deleted since
		# that build) is stale, not part of any program: skip it.
		src=${o#"$build/$d/"} src=${src%.o}
		case $src in
		kernel/*|lib/*|runtime/*|init/*|demos/*|services/*|tests/*|tools/*|generated/*|fuzz/*)
			[ -e "$src.c" ] || [ -e "$src.S" ] || continue ;;
		esac
		objs+=("$o")
	done < <(find "$build/$d" -name '*.o' | LC_ALL=C sort)
done
if [ ${#objs[@]} = 0 ] || [ ! -d "$build/kernel" ]; then
	echo "dead-code.sh: error: no objects under $build (run make first)" >&2
	exit 1
fi

# "name object" for every global function defined.
defs=$(nm -A --defined-only -g "${objs[@]}" 2>/dev/null |
	awk '$2 == "T" || $2 == "W" { sub(/:[0-9a-f]+$/, "", $1); print $3, $1 }' | LC_ALL=C sort -u)
# Names other objects refer to.
used=$(nm -u "${objs[@]}" 2>/dev/null | awk 'NF == 2 { print $2 }' | LC_ALL=C sort -u)
allow=$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' tools/dead-code-allow.txt 2>/dev/null | LC_ALL=C sort -u)
cand=$(LC_ALL=C join -v1 <(echo "$defs") <(echo "$used") | LC_ALL=C join -v1 - <(echo "$allow"))
[ -n "$cand" ] || exit 0

# A candidate may still be called inside its own object (a relocation).
while read -r name obj; do
	if objdump -r "$obj" | awk -v n="$name" 'NF == 3 { v = $3; sub(/[-+]0x[0-9a-f]+$/, "", v); if (v == n) f = 1 } END { exit !f }'; then
		continue
	fi
	echo "$name $obj"
done <<<"$cand" | awk '!seen[$1]++' | while read -r name obj; do
	loc=$(nm -l --defined-only "$obj" 2>/dev/null | awk -v n="$name" '$3 == n { print $4; exit }')
	loc=${loc#"$PWD/"}
	[ -n "$loc" ] || loc="$obj:1"
	echo "$loc:1: warning: $name has external linkage and nothing calls it [dead-code]"
done
