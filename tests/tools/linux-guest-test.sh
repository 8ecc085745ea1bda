#!/usr/bin/env bash
# Checks tools/linux-guest.sh without the network and without booting: a
# small kernel package built here with dpkg-deb -b stands in for Debian's,
# in a private cache.  A matching .deb is unpacked and its vmlinuz path
# printed; a .deb whose SHA-256 differs from the lock is refused before
# anything is unpacked (and, apt having no such package, the tool says it
# cannot fetch it, status 3); an unpacked file that differs from the package's
# md5sums is refused; a bad lock file is named; `initramfs` packs a tree
# as cpio newc (same tree, same bytes); --help and bad arguments.
# Prints PASS/FAIL lines in the test-suite format.
#
# Usage: tests/tools/linux-guest-test.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
[ "${1:-}" = --help ] && { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
tool=$PWD/tools/linux-guest.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
check() { # NAME GOT WANT-REGEX
	if [[ $2 =~ $3 ]]; then
		echo "PASS linux-guest-$1"
	else
		echo "FAIL linux-guest-$1: got '$2', want /$3/"
		failed=1
	fi
}

# A stand-in kernel package: boot/vmlinuz-* and a module, with md5sums.
pkg=linux-image-0.0.0-test-amd64 ver=0.0.0-1
deb=${pkg}_${ver}_amd64.deb
mkdir -p "$tmp/pkg/DEBIAN" "$tmp/pkg/boot" "$tmp/pkg/lib/modules/0.0.0-test-amd64"
echo "not a kernel" >"$tmp/pkg/boot/vmlinuz-0.0.0-test-amd64"
echo "not a module" >"$tmp/pkg/lib/modules/0.0.0-test-amd64/m.ko"
printf 'Package: %s\nVersion: %s\nArchitecture: amd64\nMaintainer: test <t@t>\nDescription: test\n' \
	"$pkg" "$ver" >"$tmp/pkg/DEBIAN/control"
(cd "$tmp/pkg" && find boot lib -type f -exec md5sum {} + >DEBIAN/md5sums)
mkdir -p "$tmp/cache/deb"
dpkg-deb -b --root-owner-group "$tmp/pkg" "$tmp/cache/deb/$deb" >/dev/null 2>&1 ||
	{ echo "FAIL linux-guest: dpkg-deb -b could not build the stand-in package"; exit 1; }
sha=$(sha256sum "$tmp/cache/deb/$deb" | cut -d' ' -f1)
echo "$pkg $ver $deb $sha" >"$tmp/lock"
run() { "$tool" --lock "$tmp/lock" --cache "$tmp/cache" "$@"; }

got=$(run kernel 2>/dev/null)
check unpack "$got" "^$tmp/cache/root/$pkg-$ver/boot/vmlinuz-0\.0\.0-test-amd64$"
got=$(run root 2>/dev/null)
check root "$got" "^$tmp/cache/root/$pkg-$ver$"
got=$(run kernel 2>&1 >/dev/null)
check cached "$got" "^$"
got=$(run verify 2>&1)
check verify "$got" "matches $tmp/lock"

# The lock names another SHA-256: verify says so; kernel drops the cached
# file and asks apt, which has no such package: status 3, nothing unpacked.
rm -rf "$tmp/cache/root"
echo "$pkg $ver $deb 0000000000000000000000000000000000000000000000000000000000000000" >"$tmp/lock"
got=$(run verify 2>&1)
check verify-mismatch "$got" "does not match"
cp "$tmp/cache/deb/$deb" "$tmp/keep.deb"
got=$(run kernel 2>&1)
check cannot-fetch-status "$?" "^3$"
check cannot-fetch "$got" "cannot fetch $pkg=$ver"
[ ! -e "$tmp/cache/root/$pkg-$ver" ]
check cannot-fetch-nothing-unpacked "$?" "^0$"
mv "$tmp/keep.deb" "$tmp/cache/deb/$deb"
echo "$pkg $ver $deb $sha" >"$tmp/lock"

# A corrupted unpacked file is found by the package's md5sums.
sed -i 's/^\([0-9a-f]*\)  boot/00000000000000000000000000000000  boot/' "$tmp/pkg/DEBIAN/md5sums"
dpkg-deb -b --root-owner-group "$tmp/pkg" "$tmp/cache/deb/$deb" >/dev/null 2>&1
sha=$(sha256sum "$tmp/cache/deb/$deb" | cut -d' ' -f1)
echo "$pkg $ver $deb $sha" >"$tmp/lock"
got=$(run kernel 2>&1)
check md5sums "$got" "do not match its md5sums"
[ ! -d "$tmp/cache/root/$pkg-$ver" ]
check md5sums-nothing-kept "$?" "^0$"

printf 'one two\n' >"$tmp/badlock"
got=$("$tool" --lock "$tmp/badlock" --cache "$tmp/cache" kernel 2>&1)
check bad-lock "$got" "needs PACKAGE VERSION FILE SHA256"
printf '%s\n%s\n' "$pkg $ver $deb $sha" "$pkg $ver $deb $sha" >"$tmp/badlock"
got=$("$tool" --lock "$tmp/badlock" --cache "$tmp/cache" kernel 2>&1)
check two-lines "$got" "exactly one line"

if command -v cpio >/dev/null; then
	mkdir -p "$tmp/tree/sub"
	echo init >"$tmp/tree/init"
	echo x >"$tmp/tree/sub/x"
	run initramfs "$tmp/tree" "$tmp/a.cpio" 2>/dev/null
	touch "$tmp/tree/init"
	run initramfs "$tmp/tree" "$tmp/b.cpio" 2>/dev/null
	got=$(cpio -it --quiet <"$tmp/a.cpio" | tr '\n' ' ')
	check initramfs "$got" "^init sub sub/x $"
	cmp -s "$tmp/a.cpio" "$tmp/b.cpio"
	check initramfs-reproducible "$?" "^0$"
else
	echo "FAIL linux-guest-initramfs: cpio not installed (make deps)"
	failed=1
fi
got=$(run initramfs /nonexistent "$tmp/c.cpio" 2>&1)
check initramfs-no-dir "$got" "no directory /nonexistent"

"$tool" --bogus >/dev/null 2>&1
check bad-option "$?" "^1$"
"$tool" frobnicate >/dev/null 2>&1
check bad-command "$?" "^1$"
"$tool" --help | grep -q "Usage: tools/linux-guest.sh"
check help "$?" "^0$"
exit $failed
