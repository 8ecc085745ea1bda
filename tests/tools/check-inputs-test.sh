#!/usr/bin/env bash
# Host tests of tools/check-inputs.sh with a stub dpkg-query and a fake
# file tree (--root): a matching machine passes; a newer package version, a
# package not installed, a changed, missing or new GRUB file, and a package
# in install-deps' list but not in the lock each fail with a line naming it;
# --warn turns the differences into WARN lines and exit 0; --write then
# check round-trips; a bad argument exits 2.  Last, this machine against
# the real lock, as a warning only (see docs/build.md: a Debian point
# release must not fail make test).
#
# Usage: tests/tools/check-inputs-test.sh   (prints PASS/FAIL per case)
set -uo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
cd "$(dirname "$0")/../.." || exit 2
repo=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/capos-inputs-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

pass() { echo "PASS check-inputs: $1"; }
fail() { echo "FAIL check-inputs: $1"; }

# A tree with the two scripts and a bin/ holding a stub dpkg-query that
# answers from $work/cfg/versions ("name version" lines) and says every
# path is owned by gcc-12.  No tool of the tools list is on its PATH.
mkdir -p "$work/tree/tools" "$work/tree/third_party" "$work/bin" "$work/cfg" \
	"$work/root/usr/lib/grub/i386-pc" "$work/root/usr/share/OVMF"
cp "$repo/tools/check-inputs.sh" "$work/tree/tools/"
cat >"$work/tree/tools/install-deps.sh" <<'EOF'
#!/usr/bin/env bash
printf '%s\n' gcc grub-pc-bin
EOF
chmod +x "$work/tree/tools/install-deps.sh"
for tool in bash env dirname sed awk grep sort cat mkdir mktemp rm mv wc sha256sum readlink; do
	ln -s "$(command -v "$tool")" "$work/bin/$tool"
done
cat >"$work/bin/dpkg-query" <<EOF
#!$(command -v bash)
cfg=$work/cfg
if [ "\$1" = -S ]; then shift; for p in "\$@"; do echo "gcc-12: \$p"; done; exit 0; fi
st=0
for p in "\$@"; do
	case \$p in -*) continue ;; esac
	v=\$(awk -v p="\$p" '\$1 == p { print \$2 }' "\$cfg/versions")
	if [ -n "\$v" ]; then echo "\$p install ok installed \$v"
	else echo "dpkg-query: no packages found matching \$p" >&2; st=1; fi
done
exit \$st
EOF
chmod +x "$work/bin/dpkg-query"

reset_machine() {
	printf 'gcc 4:12.2.0-3\ngrub-pc-bin 2.06-13\n' >"$work/cfg/versions"
	rm -f "$work/root/usr/lib/grub/i386-pc/"*
	echo boot >"$work/root/usr/lib/grub/i386-pc/boot.img"
	echo acpi >"$work/root/usr/lib/grub/i386-pc/acpi.mod"
	echo code >"$work/root/usr/share/OVMF/OVMF_CODE_4M.fd"
}

# run ARGS...: the checker in the tree; sets out and st.
run() {
	out=$(PATH=$work/bin "$work/tree/tools/check-inputs.sh" --root "$work/root" "$@" 2>&1)
	st=$?
}

# expect NAME STATUS PATTERN: the last run exited STATUS and printed PATTERN.
expect() {
	if [ "$st" -eq "$2" ] && grep -qE -- "$3" <<<"$out"; then pass "$1"
	else fail "$1: status $st (want $2), output:"; printf '  %s\n' "$out"; fi
}

reset_machine
run --write
expect "--write writes the lock" 0 'wrote third_party/toolchain.lock \(2 packages, 3 files\)'
cp "$work/tree/third_party/toolchain.lock" "$work/lock.orig"
run
expect "a matching machine passes" 0 'matches .*\(2 packages, 3 files\)'

printf 'gcc 4:12.2.0-4\ngrub-pc-bin 2.06-13\n' >"$work/cfg/versions"
run
expect "a newer version fails, both named" 1 '^check-inputs: package gcc: locked 4:12.2.0-3, installed 4:12.2.0-4$'
run --warn
expect "--warn reports and exits 0" 0 '^WARN check-inputs: package gcc: locked 4:12.2.0-3, installed 4:12.2.0-4$'

reset_machine
printf 'gcc 4:12.2.0-3\n' >"$work/cfg/versions"
run
expect "a package not installed fails" 1 '^check-inputs: package grub-pc-bin: locked 2.06-13, not installed$'

reset_machine
echo changed >"$work/root/usr/lib/grub/i386-pc/acpi.mod"
run
expect "a changed GRUB module fails with both hashes" 1 \
	"^check-inputs: file /usr/lib/grub/i386-pc/acpi.mod: locked [0-9a-f]{64}, now $(echo changed | sha256sum | cut -c1-64)\$"

reset_machine
rm "$work/root/usr/share/OVMF/OVMF_CODE_4M.fd"
run
expect "a missing firmware file fails" 1 '^check-inputs: file /usr/share/OVMF/OVMF_CODE_4M.fd: locked [0-9a-f]{64}, no longer present$'

reset_machine
echo new >"$work/root/usr/lib/grub/i386-pc/new.mod"
run
expect "a new GRUB module fails" 1 '^check-inputs: file /usr/lib/grub/i386-pc/new.mod: now [0-9a-f]{64}, not in the lock$'

reset_machine
grep -v '^package grub-pc-bin ' "$work/lock.orig" >"$work/tree/third_party/toolchain.lock"
run
expect "a listed package missing from the lock fails" 1 '^check-inputs: package grub-pc-bin: installed 2.06-13, not in the lock$'
cp "$work/lock.orig" "$work/tree/third_party/toolchain.lock"

run --bogus
expect "a bad argument exits 2" 2 "unknown argument '--bogus'"

rm "$work/tree/third_party/toolchain.lock"
run
expect "no lock file exits 2 and says how to write one" 2 'make lock-inputs writes it'

# This machine against the real lock: a difference is a warning, not a failure.
if out=$(tools/check-inputs.sh --warn 2>&1); then
	grep '^WARN ' <<<"$out"
	pass "this machine against third_party/toolchain.lock ($(grep -c '^WARN ' <<<"$out") warnings)"
else
	fail "tools/check-inputs.sh --warn failed: $out"
fi
