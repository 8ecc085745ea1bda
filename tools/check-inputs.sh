#!/usr/bin/env bash
# Compares this machine's build inputs with third_party/toolchain.lock: the
# Debian package version of every tool capOS builds, boots and tests with,
# and the SHA-256 of every binary file that goes into the ISO (GRUB's
# modules, images and font, which grub-mkrescue copies) or boots it (OVMF).
# Prints one line per difference (package, locked vs installed; file,
# locked vs current hash) and exits 1 if there is any, 0 if none.
#
# Usage: tools/check-inputs.sh [--write] [--warn] [--lock FILE] [--root DIR]
#   --write      rewrite the lock from this machine (make lock-inputs; the
#                diff is reviewed and committed like code)
#   --warn       print differences as WARN lines and exit 0 (make test)
#   --lock FILE  the lock to read or write (default third_party/toolchain.lock)
#   --root DIR   look for the hashed files under DIR (tests)
# Packages locked: tools/install-deps.sh --list, plus the packages that own
# the programs the build actually runs (gcc-12, cpp-12's cc1, binutils'
# as/ld, clang-14, xorriso's ISO libraries...), found with dpkg-query -S.
# Exit status: 0 same (or --warn), 1 different, 2 bad argument or no dpkg-query.
set -euo pipefail
cd "$(dirname "$0")/.."

lock=third_party/toolchain.lock
root=
write=0
warn=0
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--write) write=1 ;;
	--warn) warn=1 ;;
	--lock) [ $# -ge 2 ] || { echo "check-inputs: error: --lock needs a file" >&2; exit 2; }
		lock=$2; shift ;;
	--root) [ $# -ge 2 ] || { echo "check-inputs: error: --root needs a directory" >&2; exit 2; }
		root=$2; shift ;;
	*) echo "check-inputs: error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
command -v dpkg-query >/dev/null ||
	{ echo "check-inputs: error: dpkg-query not found (capOS builds on Debian 12 bookworm)" >&2; exit 2; }

# Programs whose owning package is locked too: install-deps.sh names
# metapackages (gcc, binutils, clang) whose versions do not move when the
# real compiler or linker does.
tools=(gcc as ld objcopy grub-mkrescue grub-mkimage xorriso mformat mcopy
	qemu-system-x86_64 capnp node npm clang spin)
# Binary files copied into the image (grub-mkrescue) or booting it (OVMF).
file_globs=("/usr/lib/grub/i386-pc/*" "/usr/lib/grub/x86_64-efi/*"
	/usr/share/grub/unicode.pf2 /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_VARS_4M.fd)

# Paths of the tools' programs and of the libraries xorriso builds ISOs with.
tool_paths() {
	local t p
	for t in "${tools[@]}"; do
		p=$(command -v "$t" 2>/dev/null) || continue
		readlink -f "$p"
		if [ "$t" = gcc ]; then
			p=$(gcc -print-prog-name=cc1 2>/dev/null) && [ -e "$p" ] && readlink -f "$p"
		fi
		if [ "$t" = xorriso ] && command -v ldd >/dev/null; then
			ldd "$p" 2>/dev/null | awk '$1 ~ /^lib(isofs|burn|isoburn)/ { print $3 }' |
				xargs -r -n1 readlink -f
		fi
	done
	return 0
}

# Package names: install-deps' list and the tools' owners, sorted, unique.
package_names() {
	local paths
	tools/install-deps.sh --list
	mapfile -t paths < <(tool_paths)
	[ ${#paths[@]} -eq 0 ] ||
		{ dpkg-query -S "${paths[@]}" 2>/dev/null || true; } | sed 's/^\([^:,]*\).*/\1/'
}

# The machine's state in the lock's format, sorted.  One dpkg-query and
# one sha256sum for everything: the machine is shared and often loaded.
current() {
	local names glob f files=()
	mapfile -t names < <(package_names | sort -u)
	{ dpkg-query -W -f='${Package} ${Status} ${Version}\n' "${names[@]}" 2>/dev/null || true; } |
		awk '$4 == "installed" { print "package " $1 " " $5 }' >"$tmp/installed"
	for f in "${names[@]}"; do
		grep -q "^package $f " "$tmp/installed" || echo "package $f none"
	done >"$tmp/absent"
	cat "$tmp/absent" >>"$tmp/installed"
	for glob in "${file_globs[@]}"; do
		# Word splitting on purpose: the globs are expanded under the root.
		# shellcheck disable=SC2086
		for f in $root$glob; do
			[ -f "$f" ] && files+=("$f")
		done
	done
	if [ ${#files[@]} -gt 0 ]; then
		sha256sum "${files[@]}" | awk -v root="$root" \
			'{ p = substr($0, 67); if (root != "") p = substr(p, length(root) + 1); print "file " p " " $1 }'
	fi >>"$tmp/installed"
	sort "$tmp/installed"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/capos-inputs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
now=$(current)
if [ $write = 1 ]; then
	{
		echo "# Trusted build inputs: Debian package versions and SHA-256 of the"
		echo "# binary files in the image, written by \`make lock-inputs\`"
		echo "# (tools/check-inputs.sh --write) and checked by \`make check-inputs\`."
		echo "# Rewrite only on purpose (a new Debian point release, a new tool), and"
		echo "# review the diff like code.  npm's package-lock.json pins CUE."
		echo "# package NAME VERSION | file PATH SHA256"
		echo "$now"
	} >"$lock.tmp"
	mv "$lock.tmp" "$lock"
	echo "check-inputs: wrote $lock ($(grep -c '^package ' "$lock") packages, $(grep -c '^file ' "$lock") files)"
	exit 0
fi
[ -f "$lock" ] || { echo "check-inputs: error: no lock file $lock (make lock-inputs writes it)" >&2; exit 2; }

# One line per difference; both sides are "kind key value" lines.
diffs=$(awk '
	FNR == NR && /^(package|file) / { locked[$1 " " $2] = $3; next }
	/^(package|file) / { seen[$1 " " $2] = $3 }
	END {
		for (k in locked) {
			split(k, a, " ")
			if (!(k in seen))
				printf "%s %s: locked %s, no longer present\n", a[1], a[2], locked[k]
			else if (locked[k] == seen[k])
				continue
			else if (a[1] == "package" && seen[k] == "none")
				printf "package %s: locked %s, not installed\n", a[2], locked[k]
			else
				printf "%s %s: locked %s, %s %s\n", a[1], a[2], locked[k],
					a[1] == "package" ? "installed" : "now", seen[k]
		}
		for (k in seen)
			if (!(k in locked)) {
				split(k, a, " ")
				printf "%s %s: %s %s, not in the lock\n", a[1], a[2],
					a[1] == "package" ? "installed" : "now", seen[k]
			}
	}' "$lock" <(echo "$now") | sort)

if [ -z "$diffs" ]; then
	echo "check-inputs: this machine matches $lock ($(grep -c '^package ' <<<"$now") packages, $(grep -c '^file ' <<<"$now") files)"
	exit 0
fi
n=$(wc -l <<<"$diffs")
if [ $warn = 1 ]; then
	while read -r line; do echo "WARN check-inputs: $line"; done <<<"$diffs"
	echo "WARN check-inputs: $n differences from $lock (make check-inputs for details; make lock-inputs after review)"
	exit 0
fi
while read -r line; do echo "check-inputs: $line"; done <<<"$diffs"
echo "check-inputs: $n differences from $lock; if they are intended, run make lock-inputs and review the diff" >&2
exit 1
