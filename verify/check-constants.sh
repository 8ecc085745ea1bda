#!/usr/bin/env bash
# Keeps the SPIN models (verify/spin/*.pml) from drifting from the C they
# mirror.  Checks, one PASS/FAIL line each:
#   spin-constants   every model constant annotated with a C name,
#                      #define NAME VALUE  /* C_NAME (include/capos/x.h) */
#                    equals that C constant (a C file of _Static_asserts
#                    compiled against the headers);
#   spin-mirrors     every function a model's "mirrors FILE: f g ..." line
#                    names is still defined in FILE;
#   spin-texts       every 'constant "TEXT" in FILE' line's TEXT is in FILE.
# Usage: verify/check-constants.sh [model.pml...]   (default: all models)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
[ "${1:-}" = --help ] || [ "${1:-}" = -h ] && { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(verify/spin/*.pml)
status=0
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT

# Constants: "#define NAME (VALUE) /* C_NAME (header) */" or bare VALUE.
{
	echo '#include <capos/abi.h>'
	echo '#include <capos/limits.h>'
	awk '
		match($0, /^#define [A-Z_0-9]+[ \t]+\(?-?[0-9]+\)?[ \t]+\/\* [A-Z_][A-Z_0-9]* \(include\/[^)]*\)/) {
			split($0, f, /[ \t]+/)
			val = f[3]; gsub(/[()]/, "", val)
			c = $0; sub(/.*\/\* /, "", c); sub(/ .*/, "", c)
			printf "_Static_assert(%s == %s, \"%s:%d: %s is %s in the model\");\n", c, val, FILENAME, FNR, c, val
			n++
		}
		END { printf "/* %d constants */\n", n }' "${models[@]}"
} >"$work/constants.c"
n=$(grep -c _Static_assert "$work/constants.c")
if [ "$n" -eq 0 ]; then
	echo "FAIL spin-constants: no annotated constant found in ${models[*]}"
	status=1
elif out=$(gcc -std=c17 -fsyntax-only -Iinclude -x c "$work/constants.c" 2>&1); then
	echo "PASS spin-constants ($n constants match the C headers)"
else
	echo "FAIL spin-constants: a model's constant differs from the C header:"
	grep -o '"[^"]*in the model"' <<<"$out" | sort -u | sed 's/^/    /'
	status=1
fi

# Functions a model mirrors.
missing=""
nf=0
while IFS= read -r line; do
	model=${line%%:*}
	rest=${line#*mirrors }
	file=${rest%%:*}
	fns=${rest#*: }
	if [ ! -f "$file" ]; then
		missing+="    $model: mirrors $file, which does not exist"$'\n'
		continue
	fi
	for fn in $fns; do
		nf=$((nf + 1))
		grep -Eq "^[A-Za-z_].*[^A-Za-z0-9_]$fn\(" "$file" ||
			missing+="    $model: mirrors $fn, which $file no longer defines"$'\n'
	done
done < <(grep -H -o 'mirrors [a-z_/]*\.c: .*' "${models[@]}")
if [ -n "$missing" ]; then
	echo "FAIL spin-mirrors: models name C functions that are gone (update the model with the C):"
	printf '%s' "$missing"
	status=1
else
	echo "PASS spin-mirrors ($nf functions still defined where the models say)"
fi

# Texts a model relies on.
bad=""
nt=0
while IFS= read -r line; do
	model=${line%%:*}
	text=$(sed -E 's/.*constant "([^"]*)" in .*/\1/' <<<"$line")
	file=$(sed -E 's/.* in ([^ ]*).*/\1/' <<<"$line")
	nt=$((nt + 1))
	grep -qF -- "$text" "$file" 2>/dev/null || bad+="    $model: '$text' is no longer in $file"$'\n'
done < <(grep -H 'constant "[^"]*" in ' "${models[@]}")
if [ -n "$bad" ]; then
	echo "FAIL spin-texts: the C the models rely on changed:"
	printf '%s' "$bad"
	status=1
else
	echo "PASS spin-texts ($nt lines of C still as the models say)"
fi
exit $status
