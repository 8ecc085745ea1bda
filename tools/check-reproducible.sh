#!/usr/bin/env bash
# Proves the build reproducible: clones HEAD twice into two different
# temporary directories (different names and depths), builds `make all` in
# each with SOURCE_DATE_EPOCH set to the last commit's date, then the
# ports built from Debian's source packages: `make musl` (libc.a), `make
# lua` (the Lua service ELFs) and `make netstack` (lwIP and the netstack
# service), each only if this checkout's srcpkg cache (build/srcpkg) holds
# its packages, copied into both clones so nothing is fetched.  Compares
# every file under build/ byte for byte (kernel.elf, every user ELF, the
# boot manifests, the ISOs, musl's libc.a, the objects...).  Names every
# differing file and shows where it differs (diffoscope if installed, else
# the first differing bytes from cmp).  Exits 0 when all are identical, 1
# otherwise.  Takes two full builds (minutes); not part of make test.
#
# Usage: tools/check-reproducible.sh [--keep] [--target TARGET] [--no-ports]
#   --keep           leave the two trees for inspection (their path is printed)
#   --target TARGET  what to build in each instead of all and the ports
#   --no-ports       make all only
set -euo pipefail
cd "$(dirname "$0")/.."

keep=0
target=
ports=1
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--keep) keep=1 ;;
	--target) [ $# -ge 2 ] || { echo "reproducible: error: --target needs a make target" >&2; exit 2; }
		target=$2; shift ;;
	--no-ports) ports=0 ;;
	*) echo "reproducible: error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done

repo=$PWD
# The ports, each with the source packages it needs (third_party/sources.lock).
port_pkgs() {
	case $1 in
	musl) echo musl ;;
	lua) echo musl lua5.4 ;;
	netstack) echo lwip ;;
	esac
}
# A package is cached when every file the lock pins for it is in the cache.
cached() {
	local name ver file
	while read -r name ver file _; do
		[ -f "$repo/build/srcpkg/dl/$name-$ver/$file" ] || return 1
	done < <(awk -v p="$1" '$1 == p && $0 !~ /^#/' "$repo/third_party/sources.lock")
}
targets=(all)
pkgs=()
if [ -n "$target" ]; then
	targets=("$target")
elif [ $ports = 1 ]; then
	for port in musl lua netstack; do
		missing=
		for pkg in $(port_pkgs $port); do cached "$pkg" || missing="$missing $pkg"; done
		if [ -n "$missing" ]; then
			echo "reproducible: note: make $port left out: source package(s)$missing not in build/srcpkg (make $port fetches them)"
			continue
		fi
		targets+=("$port")
		for pkg in $(port_pkgs $port); do pkgs+=("$pkg"); done
	done
fi
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
	# The ports' source packages, as downloaded (srcpkg checks them
	# against the lock again and unpacks them in the clone).
	for pkg in $(printf '%s\n' "${pkgs[@]}" | sort -u); do
		mkdir -p "$t/build/srcpkg/dl"
		cp -a "$repo/build/srcpkg/dl/$pkg-"* "$t/build/srcpkg/dl/"
	done
done
for t in "$a" "$b"; do
	echo "reproducible: make ${targets[*]} in $t (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH; log: $t/build.log)"
	# One target at a time: the ports' rules read build/ as all left it.
	failed=
	for tg in "${targets[@]}"; do
		make -C "$t" --no-print-directory "$tg" >>"$t/build.log" 2>&1 || { failed=$tg; break; }
	done
	if [ -n "${failed:-}" ]; then
		tail -n 30 "$t/build.log"
		echo "reproducible: FAILED: make $failed failed in $t" >&2
		keep=1
		trap - EXIT
		exit 1
	fi
done

# Every file either build made.  Not outputs: logs, dependency lists, the
# KIND.flags stamps (mk/config.mk), which record the compiler command,
# checkout path included, only so that a change of flags rebuilds, and the
# srcpkg cache (the source packages: inputs, checked against the lock).
list() {
	(cd "$1/build" && find . -path ./srcpkg -prune -o -type f ! -name build.log ! -name '*.d' \
		! -name '*.flags' -print | sort)
}
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
echo "reproducible: OK: $total files under build/ identical in both builds of $rev (make ${targets[*]}: kernel.elf, ELFs, manifests, ISOs$(
	[ ${#targets[@]} -eq 1 ] || echo ', the ports'))"
