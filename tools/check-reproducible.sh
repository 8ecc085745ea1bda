#!/usr/bin/env bash
# Proves the build reproducible: clones HEAD twice into two different
# temporary directories (different names and depths), builds `make all` in
# each with SOURCE_DATE_EPOCH set to the last commit's date, and compares
# every file under build/ byte for byte (kernel.elf, every user ELF, the
# boot manifests, the ISOs, the objects...).  Names every differing file
# and shows where it differs (diffoscope if installed, else the first
# differing bytes from cmp).  Exits 0 when all are identical, 1 otherwise.
# Takes two full builds (minutes); not part of make test.
#
# Usage: tools/check-reproducible.sh [--keep] [--target TARGET]
#   --keep           leave the two trees for inspection (their path is printed)
#   --target TARGET  what to build in each (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."

keep=0
target=all
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--keep) keep=1 ;;
	--target) [ $# -ge 2 ] || { echo "reproducible: error: --target needs a make target" >&2; exit 2; }
		target=$2; shift ;;
	*) echo "reproducible: error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done

repo=$PWD
rev=$(git rev-parse HEAD)
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct HEAD)
export SOURCE_DATE_EPOCH
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
	echo "reproducible: note: the work tree has uncommitted changes; only HEAD ($rev) is checked"

work=$(mktemp -d "${TMPDIR:-/tmp}/capos-repro.XXXXXX")
if [ $keep = 1 ]; then
	echo "reproducible: keeping $work"
else
	trap 'rm -rf "$work"' EXIT
fi
# Two trees that differ in name and depth, so any absolute path that
# leaks into an output shows up as a difference.
a=$work/a/capos
b=$work/second-build/deeper/capos-other
for t in "$a" "$b"; do
	echo "reproducible: clone $rev into $t"
	git clone -q --no-hardlinks "$repo" "$t"
	git -C "$t" checkout -q "$rev"
	# CUE, exactly as package-lock.json pins it: copied rather than
	# downloaded again (npm ci would need the registry).
	if [ -d "$repo/node_modules" ] && cmp -s "$repo/package-lock.json" "$t/package-lock.json"; then
		cp -a "$repo/node_modules" "$t/node_modules"
	else
		(cd "$t" && tools/install-deps.sh >/dev/null)
	fi
done
for t in "$a" "$b"; do
	echo "reproducible: make $target in $t (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH; log: $t/build.log)"
	if ! make -C "$t" --no-print-directory "$target" >"$t/build.log" 2>&1; then
		tail -n 30 "$t/build.log"
		echo "reproducible: FAILED: make $target failed in $t" >&2
		keep=1
		trap - EXIT
		exit 1
	fi
done

# Every file either build made.  Not outputs: logs, dependency lists, and
# the KIND.flags stamps (mk/config.mk), which record the compiler command,
# checkout path included, only so that a change of flags rebuilds.
list() { (cd "$1/build" && find . -type f ! -name build.log ! -name '*.d' ! -name '*.flags' | sort); }
only=$(comm -3 <(list "$a") <(list "$b"))
differ=()
while read -r f; do
	cmp -s "$a/build/$f" "$b/build/$f" || differ+=("${f#./}")
done < <(comm -12 <(list "$a") <(list "$b"))
total=$(list "$a" | wc -l)

if [ -n "$only" ]; then
	echo "reproducible: files made by only one build:"
	while read -r f; do echo "  $f"; done <<<"$only"
fi
if [ ${#differ[@]} -gt 0 ]; then
	echo "reproducible: ${#differ[@]} of $total files differ:"
	for f in "${differ[@]}"; do
		echo "  build/$f"
	done
	for f in "${differ[@]:0:10}"; do
		echo "reproducible: build/$f:"
		if command -v diffoscope >/dev/null; then
			diffoscope "$a/build/$f" "$b/build/$f" 2>&1 | head -n 20 | sed 's/^/    /'
		else
			cmp -l "$a/build/$f" "$b/build/$f" 2>&1 | head -n 5 |
				awk '{ printf "    offset %d: %s vs %s (octal)\n", $1 - 1, $2, $3 }'
		fi
	done
fi
if [ -n "$only" ] || [ ${#differ[@]} -gt 0 ]; then
	echo "reproducible: FAILED: the two builds of $rev differ (--keep keeps both trees)" >&2
	exit 1
fi
echo "reproducible: OK: $total files under build/ identical in both builds of $rev (kernel.elf, ELFs, manifests, ISOs)"
