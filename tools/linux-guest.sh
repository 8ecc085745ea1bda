#!/usr/bin/env bash
# Boots Debian's stock Linux kernel as a guest under the QEMU flags capOS's
# benchmarks use (bench/qemu-flags), for side-by-side figures (`make bench`)
# and for other guests (an echo/HTTP server as /init under a netdev).
#
# Usage: tools/linux-guest.sh [options] kernel       fetch (cached), verify, unpack; print vmlinuz's path
#        tools/linux-guest.sh [options] root         the same; print the unpacked package root
#                                                    (lib/modules/VERSION/... for module initramfs)
#        tools/linux-guest.sh [options] verify       re-check the cached .deb against the lock
#        tools/linux-guest.sh [options] pin          download the kernel linux-image-amd64 depends
#                                                    on now and print its lock line (review, then
#                                                    write it to the lock file)
#        tools/linux-guest.sh [options] initramfs DIR OUT   pack DIR as a cpio newc archive OUT
#        tools/linux-guest.sh [options] boot INITRAMFS [-- QEMU_ARGS...]
#                          boot the kernel with INITRAMFS (its /init runs) and the extra QEMU
#                          arguments; the serial console goes to --log (default stdout);
#                          exits with QEMU's status (0 when /init powered the guest off;
#                          4 when the --log shows a kernel panic)
# Options: --lock FILE     lock file (default bench/linux/linux-image.lock)
#          --cache DIR     cache (default $CAPOS_LINUX_CACHE, else $XDG_CACHE_HOME/capos-linux,
#                          else ~/.cache/capos-linux; outside build/, so `make clean` keeps it)
#          --log FILE      boot: serial console to FILE
#          --append ARGS   boot: more kernel command line (after console=ttyS0 quiet panic=-1)
#          --timeout SECS  boot: give up after SECS (default 900)
#
# The .deb comes from `apt-get download` through the system's apt sources;
# nothing is installed.  Its SHA-256 must match the lock (PACKAGE VERSION
# FILE SHA256) before it is unpacked with `dpkg-deb -x`, and every unpacked
# file must match the package's own md5sums.  Once cached, nothing needs the
# network.  Exit status 3: the kernel is not cached and cannot be fetched.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lock="$root/bench/linux/linux-image.lock"
cache="${CAPOS_LINUX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/capos-linux}"
log_file=
append=
timeout_s=900

usage() { sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "linux-guest: $*" >&2; exit 1; }
say() { echo "linux-guest: $*" >&2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--help|-h) usage; exit 0 ;;
	--lock) lock=$2; shift 2 ;;
	--cache) cache=$2; shift 2 ;;
	--log) log_file=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--) shift; break ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { usage >&2; exit 2; }
cmd=$1
shift

apt_download() { # apt_download PACKAGE[=VERSION]: into the current directory
	apt-get -q -o APT::Sandbox::User=root download "$1" >&2
}

# The lock's one line: PACKAGE VERSION FILE SHA256.
read_lock() {
	[ -r "$lock" ] || die "no lock file $lock (see: $0 pin)"
	local lines
	lines=$(grep -v '^[[:space:]]*\(#\|$\)' "$lock" || true)
	[ "$(wc -l <<<"$lines")" = 1 ] && [ -n "$lines" ] ||
		die "$lock must hold exactly one line PACKAGE VERSION FILE SHA256"
	read -r pkg version deb sha <<<"$lines"
	[ -n "$sha" ] || die "$lock: the line needs PACKAGE VERSION FILE SHA256"
	case "$pkg$version$deb" in */*|*..*) die "$lock: bad package, version or file name" ;; esac
}

deb_ok() { # deb_ok PATH: the file's SHA-256 is the lock's
	[ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$sha" ]
}

# Fetches (if needed) and verifies the .deb, unpacks and checks it; sets
# $tree to the unpacked root.  Holds the cache lock: other worktrees share
# the cache.
ensure_tree() {
	read_lock
	mkdir -p "$cache/deb" "$cache/root"
	cache=$(cd "$cache" && pwd)
	tree="$cache/root/$pkg-$version"
	local stamp="$tree.verified" debpath="$cache/deb/$deb"
	exec 9>"$cache/.lock"
	flock 9
	if [ -f "$stamp" ] && [ -d "$tree" ] && [ "$(cat "$stamp")" = "$sha" ]; then
		exec 9>&-
		return 0
	fi
	if ! deb_ok "$debpath"; then
		rm -f "$debpath"
		say "fetching $pkg=$version with apt-get download into $cache/deb"
		if ! (cd "$cache/deb" && apt_download "$pkg=$version"); then
			say "cannot fetch $pkg=$version (offline, or the version left the archive:"
			say "then '$0 pin' names the current one for $lock)"
			exit 3
		fi
		[ -f "$debpath" ] || die "apt-get download did not write $debpath"
	fi
	deb_ok "$debpath" || {
		say "SHA-256 of $debpath: expected $sha, actual $(sha256sum "$debpath" | cut -d' ' -f1)"
		die "refusing to unpack a kernel package that does not match $lock"
	}
	say "unpacking $deb into $tree (dpkg-deb -x)"
	rm -rf "$tree" "$tree.tmp" "$stamp"
	mkdir -p "$tree.tmp/DEBIAN"
	dpkg-deb -x "$debpath" "$tree.tmp" || die "dpkg-deb -x $debpath failed"
	dpkg-deb -e "$debpath" "$tree.tmp/DEBIAN" || die "dpkg-deb -e $debpath failed"
	[ -s "$tree.tmp/DEBIAN/md5sums" ] || die "$deb has no md5sums to check the unpacked files with"
	(cd "$tree.tmp" && md5sum --quiet -c DEBIAN/md5sums >&2) ||
		die "unpacked files of $deb do not match its md5sums"
	mv "$tree.tmp" "$tree"
	echo "$sha" >"$stamp"
	exec 9>&-
	say "$pkg $version unpacked and verified ($(wc -l <"$tree/DEBIAN/md5sums") files)"
}

vmlinuz() {
	local k
	k=$(ls "$tree"/boot/vmlinuz-* 2>/dev/null | head -1)
	[ -n "$k" ] || die "no boot/vmlinuz-* in $tree"
	echo "$k"
}

# The flags capOS's benchmarks boot with, from the one file mk/bench.mk reads.
qemu_flags() {
	local f="$root/bench/qemu-flags"
	[ -r "$f" ] || die "cannot read $f"
	grep -v '^[[:space:]]*#' "$f" | tr '\n' ' '
}

case "$cmd" in
kernel)
	ensure_tree
	vmlinuz
	;;
root)
	ensure_tree
	echo "$tree"
	;;
verify)
	read_lock
	d="$cache/deb/$deb"
	[ -f "$d" ] || die "$deb is not cached in $cache/deb"
	deb_ok "$d" || die "$d does not match $lock (SHA-256 $(sha256sum "$d" | cut -d' ' -f1))"
	say "$deb matches $lock"
	;;
pin)
	dep=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -1)
	[ -n "$dep" ] || die "apt-cache knows no linux-image-amd64 dependency (apt-get update?)"
	ver=$(apt-cache policy "$dep" | sed -n 's/^ *Candidate: //p')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || die "no candidate version of $dep"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt_download "$dep=$ver") || { say "cannot fetch $dep=$ver"; exit 3; }
	f=$(cd "$tmp" && ls ./*.deb | head -1)
	f=${f#./}
	mkdir -p "$cache/deb"
	cp "$tmp/$f" "$cache/deb/$f"
	echo "$dep $ver $f $(sha256sum "$tmp/$f" | cut -d' ' -f1)"
	;;
initramfs)
	[ $# = 2 ] || die "initramfs needs DIR OUT"
	[ -d "$1" ] || die "no directory $1"
	command -v cpio >/dev/null || die "cpio not found (Debian package cpio; make deps)"
	out=$(realpath -m "$2")
	# Sorted names, owner root, every time stamp SOURCE_DATE_EPOCH (0 by
	# default) in a staging copy: the same contents give the same bytes,
	# whatever the files' mtimes were.
	stage=$(mktemp -d)
	cp -a "$1/." "$stage/"
	find "$stage" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --reproducible --quiet) >"$out.tmp" ||
		{ rm -rf "$stage"; die "cpio failed for $1"; }
	rm -rf "$stage"
	mv "$out.tmp" "$out"
	;;
boot)
	[ $# -ge 1 ] || die "boot needs INITRAMFS"
	initrd=$1
	shift
	[ "${1:-}" != -- ] || shift
	[ -r "$initrd" ] || die "cannot read $initrd"
	ensure_tree
	k=$(vmlinuz)
	serial=stdio
	[ -z "$log_file" ] || { rm -f "$log_file"; serial="file:$log_file"; }
	say "booting $pkg $version: qemu-system-x86_64 $(qemu_flags)-kernel ... -initrd $initrd $*"
	status=0
	# shellcheck disable=SC2046 # the flags file is a list of words
	timeout "$timeout_s" qemu-system-x86_64 $(qemu_flags) -display none -monitor none \
		-no-reboot -serial "$serial" -kernel "$k" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1 $append" "$@" </dev/null || status=$?
	[ $status != 124 ] || die "the guest did not power off within $timeout_s s"
	# A panic ends QEMU as a power-off does (panic=-1, -no-reboot).
	if [ -n "$log_file" ] && grep -aq 'Kernel panic - not syncing' "$log_file"; then
		say "the guest kernel panicked (see $log_file)"
		exit 4
	fi
	say "guest ended, QEMU status $status"
	exit $status
	;;
*) die "unknown command '$cmd' (see --help)" ;;
esac
