#!/usr/bin/env bash
# Host tests of tools/install-deps.sh: each case runs a copy of it with stub
# dpkg-query, apt-get, apt-cache, npm, node and id first on a PATH that has
# nothing else of the real system's tools, and checks its output, its exit
# status and which installs it asked for.  Cases: nothing missing, some
# missing, node from outside Debian, not root, apt-get update fails, apt-get
# install fails, a package the archive does not know, npm ci fails, no
# dpkg-query, --check, a bad argument.
#
# Usage: tests/tools/install-deps.sh   (prints PASS/FAIL per case)
set -uo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
cd "$(dirname "$0")/../.."
repo=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/capos-deps-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0

# The packages install-deps.sh checks, as dpkg-query reports them.
all_pkgs=$(tools/install-deps.sh --list | tr '\n' ' ')

# setup CASE: a tree with the script, a lock file and a bin/ of stubs.
# Stub behaviour comes from files in $case/cfg: installed (package names),
# uid, update_status, install_status, unknown (names), npm_status, node (exists).
setup() {
	c=$work/$1
	mkdir -p "$c/tree/tools" "$c/bin" "$c/cfg"
	cp "$repo/tools/install-deps.sh" "$c/tree/tools/"
	echo '{"lockfileVersion": 3}' >"$c/tree/package-lock.json"
	local tool
	for tool in bash env dirname sed awk grep cmp cp cat tr mkdir; do
		ln -s "$(command -v "$tool")" "$c/bin/$tool"
	done
	echo "$all_pkgs" | tr ' ' '\n' >"$c/cfg/installed"
	echo 0 >"$c/cfg/uid"
	stub dpkg-query 'for p in "$@"; do case $p in -*) continue;; esac
	if grep -qx -- "$p" "$CFG/installed"; then echo "$p install ok installed"
	else echo "dpkg-query: no packages found matching $p" >&2; st=1; fi; done; exit ${st:-0}'
	stub id '[ "$1" = -u ] && cat "$CFG/uid"'
	stub apt-get 'echo "apt-get $*" >>"$CFG/calls"
	case $1 in update) exit $(cat "$CFG/update_status" 2>/dev/null || echo 0);;
	install) exit $(cat "$CFG/install_status" 2>/dev/null || echo 0);; esac'
	# A long version table after the Candidate line, as the real one can
	# have: a reader that stops early must not turn it into "unknown".
	stub apt-cache 'p=$2; if grep -qx -- "$p" "$CFG/unknown" 2>/dev/null; then exit 0; fi
	printf "%s:\n  Installed: (none)\n  Candidate: 1.0-1\n  Version table:\n" "$p"
	for ((i = 1; i <= 2000; i++)); do echo "     1.0-$i 500 http://deb.example/debian bookworm/main amd64 Packages"; done'
	stub npm 'echo "npm $*" >>"$CFG/calls"; st=$(cat "$CFG/npm_status" 2>/dev/null || echo 0)
	[ "$st" = 0 ] && mkdir -p node_modules; exit $st'
}

stub() {   # name body
	printf '#!%s\nCFG=%s\n%s\n' "$(command -v bash)" "$c/cfg" "$2" >"$c/bin/$1"
	chmod +x "$c/bin/$1"
}

not_installed() {   # packages the case removes from dpkg's list
	local p
	for p in "$@"; do grep -vx -- "$p" "$c/cfg/installed" >"$c/cfg/i2"; mv "$c/cfg/i2" "$c/cfg/installed"; done
}

run() {   # args...: runs the copy; sets out, status, calls
	out=$(cd "$c/tree" && PATH="$c/bin" tools/install-deps.sh "$@" 2>&1)
	status=$?
	calls=$(cat "$c/cfg/calls" 2>/dev/null)
}

# check NAME CONDITION-DESCRIPTION TEST-COMMAND...
verdict_failed=""
want() {   # description command...: records a failed expectation
	if ! "${@:2}"; then verdict_failed+="${verdict_failed:+; }$1"; fi
}
has() { grep -qF -- "$1" <<<"$out"; }
called() { grep -qxF -- "$1" <<<"$calls"; }
not_called() { ! grep -qF -- "$1" <<<"$calls"; }
verdict() {   # case name
	if [ -z "$verdict_failed" ]; then
		echo "PASS deps-$1"
	else
		echo "FAIL deps-$1: $verdict_failed; status $status; output: $(tr '\n' '|' <<<"$out")"
		failed=$((failed + 1))
	fi
	verdict_failed=""
}
stamp() { cp "$c/tree/package-lock.json" "$c/tree/node_modules/.capos-lock-stamp"; }

setup nothing_missing
mkdir -p "$c/tree/node_modules"; stamp
run
want "exit 0" [ "$status" = 0 ]
want "prints nothing" [ -z "$out" ]
want "installs nothing" [ -z "$calls" ]
verdict nothing_missing

setup some_missing
not_installed clang ovmf mtools
run
want "exit 0" [ "$status" = 0 ]
want "names the missing packages" has "deps: missing Debian packages: clang ovmf mtools"
want "says what it installs" has "deps: apt-get install clang ovmf mtools"
want "apt-get update first" called "apt-get update -q"
want "installs exactly the missing ones" called "apt-get install -y -q --no-install-recommends clang ovmf mtools"
want "runs npm ci (no node_modules yet)" called "npm ci --no-audit --no-fund --loglevel=error"
want "says it ran npm ci" has "deps: npm ci"
want "writes the lock stamp" cmp -s "$c/tree/package-lock.json" "$c/tree/node_modules/.capos-lock-stamp"
verdict some_missing

setup all_missing
: >"$c/cfg/installed"
run
want "exit 0" [ "$status" = 0 ]
n_apt=$(($(wc -w <<<"$all_pkgs") - 1))
want "installs all $n_apt but npm (the npm stub is on PATH)" has "deps: installed $n_apt Debian packages"
verdict all_missing

setup node_outside_debian
not_installed nodejs npm
stub node 'exit 0'
mkdir -p "$c/tree/node_modules"; stamp
run
want "exit 0" [ "$status" = 0 ]
want "does not install nodejs or npm when node and npm are on PATH" [ -z "$calls" ]
verdict node_outside_debian

setup not_root
not_installed qemu-system-x86
echo 1000 >"$c/cfg/uid"
run
want "exit 1" [ "$status" = 1 ]
want "says root is needed" has "deps: error: installing packages needs root"
want "gives the command to run" has "sudo apt-get install -y qemu-system-x86"
want "calls no apt-get" [ -z "$calls" ]
verdict not_root

setup apt_update_fails
not_installed xorriso
echo 100 >"$c/cfg/update_status"
run
want "exit 1" [ "$status" = 1 ]
want "says apt-get update failed" has "deps: error: apt-get update failed"
want "does not try to install" not_called "apt-get install"
verdict apt_update_fails

setup apt_install_fails
not_installed xorriso grub-common
echo 100 >"$c/cfg/install_status"
run
want "exit 1" [ "$status" = 1 ]
want "says which install failed" has "deps: error: apt-get install grub-common xorriso failed"
want "runs no npm after the failure" not_called "npm"
verdict apt_install_fails

setup unknown_package
not_installed libcriterion-dev cppcheck
echo libcriterion-dev >"$c/cfg/unknown"
run
want "exit 1" [ "$status" = 1 ]
want "names the unknown package" has "deps: error: the configured apt archive has no package libcriterion-dev (capOS needs Debian 12"
want "does not try to install" not_called "apt-get install"
verdict unknown_package

setup npm_fails
echo 1 >"$c/cfg/npm_status"
run
want "exit 1" [ "$status" = 1 ]
want "says npm ci failed" has "deps: error: npm ci failed"
want "writes no stamp" [ ! -e "$c/tree/node_modules/.capos-lock-stamp" ]
verdict npm_fails

setup stale_lock
mkdir -p "$c/tree/node_modules"; echo old >"$c/tree/node_modules/.capos-lock-stamp"
run
want "exit 0" [ "$status" = 0 ]
want "reruns npm ci when package-lock.json changed" called "npm ci --no-audit --no-fund --loglevel=error"
verdict stale_lock

setup no_dpkg
rm "$c/bin/dpkg-query"
run
want "exit 1" [ "$status" = 1 ]
want "says it needs Debian" has "deps: error: dpkg-query not found: capOS builds on Debian 12"
verdict no_dpkg

setup check_only
not_installed ovmf
run --check
want "exit 1" [ "$status" = 1 ]
want "reports the missing package" has "deps: missing Debian packages: ovmf"
want "installs nothing" [ -z "$calls" ]
verdict check_only

setup bad_argument
run --frobnicate
want "exit 2" [ "$status" = 2 ]
want "names the argument" has "deps: error: unknown argument '--frobnicate'"
verdict bad_argument

[ "$failed" -eq 0 ]
