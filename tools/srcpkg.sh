#!/usr/bin/env bash
# Fetches a Debian source package through a private apt configuration, checks
# every file against the SHA-256 pinned in third_party/sources.lock BEFORE
# anything is extracted, and prints the path of the unpacked source tree.
#
# Usage: tools/srcpkg.sh [options] path PACKAGE   fetch (cached), verify, unpack; print the tree
#        tools/srcpkg.sh [options] verify PACKAGE re-check the cached files against the lock
#        tools/srcpkg.sh [options] pin PACKAGE VERSION
#                          download VERSION and print lock lines for it (to review, then add)
# Options: --lock FILE   lock file (default third_party/sources.lock)
#          --cache DIR   cache (default $CAPOS_SRCPKG_CACHE or build/srcpkg)
#          --suite NAME  Debian suite for the deb-src entry (default bookworm)
#
# The apt configuration (its own sources.list with one deb-src entry, lists,
# cache and state) lives under the cache directory; /etc/apt is never edited
# and nothing is installed.  Lock lines: PACKAGE VERSION FILE SHA256.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lock="$root/third_party/sources.lock"
cache="${CAPOS_SRCPKG_CACHE:-$root/build/srcpkg}"
suite=bookworm
mirror="${CAPOS_SRCPKG_MIRROR:-http://deb.debian.org/debian}"

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "srcpkg: $*" >&2; exit 1; }
log() { echo "srcpkg: $*" >&2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--help|-h) usage; exit 0 ;;
	--lock) lock=$2; shift 2 ;;
	--cache) cache=$2; shift 2 ;;
	--suite) suite=$2; shift 2 ;;
	--) shift; break ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || { usage >&2; exit 2; }
cmd=$1 pkg=$2
case "$pkg" in *[!a-z0-9.+-]*|'') die "bad package name '$pkg'" ;; esac
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
aptdir="$cache/apt"
# One run at a time per cache: a parallel make fetches several packages at
# once, and they share the private apt lists (apt's own locking is off).
exec 9>"$cache/lock"
if ! flock -n 9; then
	log "waiting for another srcpkg run on $cache"
	flock 9
fi

# The private apt: one deb-src line, our own lists/cache/state directories.
apt_private() {
	mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/etc/parts" \
		"$aptdir/etc/prefs"
	local src="deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main"
	[ "$(cat "$aptdir/etc/sources.list" 2>/dev/null)" = "$src" ] ||
		echo "$src" >"$aptdir/etc/sources.list"
	apt-get -q \
		-o Dir::Etc::SourceList="$aptdir/etc/sources.list" \
		-o Dir::Etc::SourceParts="$aptdir/etc/parts" \
		-o Dir::Etc::Preferences="$aptdir/etc/prefs/none" \
		-o Dir::Etc::PreferencesParts="$aptdir/etc/prefs" \
		-o Dir::State::Lists="$aptdir/lists" \
		-o Dir::Cache="$aptdir/cache" \
		-o Debug::NoLocking=1 \
		-o APT::Sandbox::User=root \
		"$@"
}

# The lists are refreshed once; later runs use them (the version is pinned,
# so a newer index is of no use unless the pinned version left it).
apt_update_once() {
	if [ ! -f "$aptdir/updated" ]; then
		log "updating private apt lists for deb-src $suite"
		apt_private update >&2 || die "apt-get update failed for $mirror $suite (offline, or the mirror unreachable? see above)"
		touch "$aptdir/updated"
	fi
}

# Downloads PACKAGE=VERSION's source files into $1 (no extraction).
download() {
	local dir=$1 version=$2
	apt_update_once
	mkdir -p "$dir"
	log "downloading source $pkg=$version into $dir"
	(cd "$dir" && apt_private source --download-only "$pkg=$version" >&2) || {
		rm -f "$aptdir/updated"
		die "apt-get source $pkg=$version failed (version gone from $suite? see above)"
	}
}

lock_lines() { awk -v p="$pkg" '$1 == p && $0 !~ /^#/' "$lock"; }

# Checks every pinned file of the package in $1; fails naming expected and actual.
verify_dir() {
	local dir=$1 bad=0 name ver file want got
	while read -r name ver file want; do
		[ -f "$dir/$file" ] || { log "missing $file"; bad=1; continue; }
		got=$(sha256sum "$dir/$file" | cut -d' ' -f1)
		if [ "$got" != "$want" ]; then
			log "SHA-256 mismatch for $file: expected $want, actual $got"
			bad=1
		fi
	done < <(lock_lines)
	return $bad
}

case "$cmd" in
pin)
	[ $# -ge 3 ] || die "pin needs PACKAGE VERSION"
	version=$3
	tmp="$cache/pin/$pkg-$version"
	rm -rf "$tmp"
	download "$tmp" "$version"
	for f in "$tmp"/*; do
		echo "$pkg $version $(basename "$f") $(sha256sum "$f" | cut -d' ' -f1)"
	done
	;;
verify|path)
	[ -f "$lock" ] || die "no lock file $lock"
	[ -n "$(lock_lines)" ] || die "$pkg is not pinned in $lock (use: $0 pin $pkg VERSION)"
	version=$(lock_lines | awk '{print $2}' | sort -u)
	[ "$(echo "$version" | wc -l)" = 1 ] || die "$pkg has more than one version in $lock"
	dl="$cache/dl/$pkg-$version"
	tree="$cache/src/$pkg-$version"
	if [ "$cmd" = verify ]; then
		verify_dir "$dl" || die "$pkg $version: cached files do not match $lock"
		log "$pkg $version: every file matches $lock"
		exit 0
	fi
	stamp="$tree.verified"
	if [ -f "$stamp" ] && [ -d "$tree" ] && cmp -s "$stamp" <(lock_lines); then
		echo "$tree"
		exit 0
	fi
	if ! verify_dir "$dl" 2>/dev/null; then
		rm -rf "$dl"
		download "$dl" "$version"
	fi
	verify_dir "$dl" || die "$pkg $version: downloaded files do not match $lock; refusing to unpack"
	dsc=$(lock_lines | awk '$3 ~ /\.dsc$/ {print $3}')
	[ -n "$dsc" ] || die "$pkg: no .dsc pinned in $lock"
	rm -rf "$tree" "$stamp"
	mkdir -p "$cache/src"
	log "unpacking $pkg $version into $tree"
	# Checksums were verified above against the lock; the .dsc's own
	# checksums are checked again by dpkg-source.
	dpkg-source --no-check -x "$dl/$dsc" "$tree" >&2 || die "dpkg-source failed for $dsc"
	lock_lines >"$stamp"
	echo "$tree"
	;;
*) die "unknown command '$cmd' (see --help)" ;;
esac
