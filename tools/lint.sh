#!/usr/bin/env bash
# Static analysis and hygiene of the C sources: cppcheck, clang-tidy,
# prototypes (gcc -Wmissing-prototypes: a function with external linkage
# needs a prototype in a header, else it should be static), dead-code
# (tools/dead-code.sh over the built objects: a global function nothing
# calls) and format (tools/format-check.sh: drift from .clang-format;
# FORMAT_CHECK=0 in the environment, e.g. make lint FORMAT_CHECK=0 or
# make test FORMAT_CHECK=0, skips it).
#
# Usage: tools/lint.sh [--full] [--tools "cppcheck clang-tidy prototypes dead-code format"] [-j N]
#
# Every .c file under lib/ kernel/ runtime/ init/ tools/ demos/ tests/qemu/progs/
# services/virtio_net/ generated/ is
# analysed with the flags mk/config.mk compiles it with (kernel, userspace or
# host tool, read through `make lint-flags`), headers through the files that
# include them.  Findings are grouped by the directory of the file they are
# in (an "area": lib, lib-capnp, kernel-mem, include-capos...), one line per
# tool and area, in the test suite format:
#   PASS lint-<tool>-<area>
#   FAIL lint-<tool>-<area>: N findings      (followed by the findings)
# Full tool output: build/test-logs/lint-<tool>.log; the findings alone:
# build/lint/<tool>.findings.  generated/ gets the clang analyzer only.
#
# Without --full (this is what `make test` runs), the files matching
# tools/lint-pending.txt (code other engineers are still editing) are not
# analysed, and findings reported in them (in headers) are printed but not
# counted.  --full
# (`make lint`) counts everything.  Suppressions, each with its reason:
# tools/cppcheck-suppressions.txt, .clang-tidy, and inline comments.
# clang-tidy results are cached in build/lint/cache by the hash of the
# preprocessed file (comments kept, so a NOLINT counts) and the config.
# Exit status: 0 when every counted area is clean, 1 otherwise, 2 on usage.
set -u
cd "$(dirname "$0")/.." || exit 1

usage() { sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; }

full=0
tools="cppcheck clang-tidy prototypes dead-code"
[ "${FORMAT_CHECK:-1}" = 1 ] && tools="$tools format"
jobs=2
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	--full) full=1; shift ;;
	--tools) [ $# -ge 2 ] || { usage >&2; exit 2; }; tools=$2; shift 2 ;;
	--tools=*) tools=${1#*=}; shift ;;
	-j) [ $# -ge 2 ] || { usage >&2; exit 2; }; jobs=$2; shift 2 ;;
	-j*) jobs=${1#-j}; shift ;;
	*) echo "lint.sh: error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
case $jobs in ''|*[!0-9]*|0) echo "lint.sh: error: -j needs a positive number, not '$jobs'" >&2; exit 2 ;; esac
[ -n "$tools" ] || { echo "lint.sh: error: --tools needs at least one tool" >&2; exit 2; }
for t in $tools; do
	case $t in
	cppcheck|clang-tidy) cmd=$t ;;
	prototypes) cmd=gcc ;;
	dead-code) cmd=objdump ;;
	format) cmd=clang-format ;;
	*) echo "lint.sh: error: unknown tool '$t' (cppcheck, clang-tidy, prototypes, dead-code, format)" >&2; exit 2 ;;
	esac
	if ! command -v "$cmd" >/dev/null; then
		echo "FAIL lint-$t: $cmd is not installed (tools/install-deps.sh installs it)"
		exit 1
	fi
done

BUILD=${BUILD:-build}
out=$BUILD/lint
logs=$BUILD/test-logs
mkdir -p "$out/cache" "$logs"
# A private directory per run: concurrent runs in one tree do not mix.
work=$(mktemp -d "$out/run.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# The compiler flags, straight from mk/config.mk.  A make started under make
# (run-all.sh in `make test`) must not join the parent's job server.
if ! flags=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory lint-flags 2>&1); then
	echo "FAIL lint-setup: 'make lint-flags' failed: $flags"
	exit 1
fi
eval "$flags"
export KERNEL_CFLAGS USER_CFLAGS TOOL_CFLAGS

# services/netstack builds against lwIP's fetched headers (mk/lwip.mk), not these flags.
roots="lib kernel runtime init tools demos tests/qemu/progs services/virtio_net generated"

# Which flags a file builds with: lib/ is freestanding and its strictest
# user is the kernel; runtime, init, demos and generated code are userspace,
# and so are the kernel test programs, which also include demos/ headers
# (mk/user.mk).
flag_kind() {
	case $1 in
	kernel/*|lib/*) echo kernel ;; tools/*) echo tool ;; tests/qemu/progs/*) echo prog ;;
	*) echo user ;;
	esac
}
kind_cflags() {
	case $1 in
	kernel) echo "$KERNEL_CFLAGS" ;; tool) echo "$TOOL_CFLAGS" ;; prog) echo "$USER_CFLAGS -Idemos" ;;
	*) echo "$USER_CFLAGS" ;;
	esac
}
export -f flag_kind kind_cflags

pending=""
if [ $full = 0 ] && [ -f tools/lint-pending.txt ]; then
	pending=$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' tools/lint-pending.txt)
fi
is_pending() {   # path or finding line -> status; entries are shell globs
	local p
	while IFS= read -r p; do
		[ -n "$p" ] || continue
		# shellcheck disable=SC2254
		case ${1%%:*} in $p) return 0 ;; esac
	done <<<"$pending"
	return 1
}

sources=$(for r in $roots; do [ -d "$r" ] && find "$r" -name '*.c'; done | LC_ALL=C sort)
if [ -z "$sources" ]; then
	echo "FAIL lint-setup: no C sources found under $roots"
	exit 1
fi
# Without --full the pending files are not analysed at all (their findings
# would not count); headers they share with counted files still are.
if [ -n "$pending" ]; then
	kept=$(for f in $sources; do is_pending "$f" || echo "$f"; done)
	echo "lint: not analysing $(($(echo "$sources" | wc -l) - $(echo "$kept" | grep -c .))) files matching tools/lint-pending.txt (\`make lint\` does)"
	sources=$kept
fi
nsources=$(echo "$sources" | wc -l)

# compile_commands.json for clang-tidy (no `bear` needed: the flags are known).
{
	echo "["
	sep=""
	for f in $sources; do
		cmd=$(printf 'gcc %s -c %s -o /dev/null' "$(kind_cflags "$(flag_kind "$f")")" "$f" |
			sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')
		printf '%s{"directory": "%s", "file": "%s", "command": "%s"}' "$sep" "$PWD" "$f" "$cmd"
		sep=$',\n'
	done
	printf '\n]\n'
} >"$work/compile_commands.json"
# A copy for editors and for running clang-tidy by hand (-p build/lint).
cp "$work/compile_commands.json" "$work/cc.tmp" && mv -f "$work/cc.tmp" "$out/compile_commands.json"

run_cppcheck() {
	local kind files incdefs
	for kind in kernel user prog tool; do
		files=$(for f in $sources; do [ "$(flag_kind "$f")" = "$kind" ] && echo "$f"; done)
		[ -z "$files" ] && continue
		# The compiler's own predefined macros (__BYTE_ORDER__, __x86_64__...).
		# shellcheck disable=SC2046
		{
			gcc $(kind_cflags $kind) -dM -E -x c /dev/null
			# cppcheck 2.10 ignores the C11 keyword on declarations (so it
			# thinks code after panic() runs) but honours the attribute.
			echo '#define _Noreturn __attribute__((noreturn))'
		} >"$work/predef-$kind.h"
		incdefs=$(for x in $(kind_cflags $kind); do case $x in -I*|-D*|-U*) echo "$x" ;; esac; done)
		# A few files per cppcheck, $jobs cppchecks at a time.  Findings do
		# not change the exit status, so a failing cppcheck (bad option or
		# suppression, crash) becomes a finding and cannot pass silently.
		# shellcheck disable=SC2086,SC2016
		printf '%s\n' $files | xargs -P "$jobs" -n 4 bash -c '
			cppcheck "$@"; s=$?
			[ $s = 0 ] || echo "${@: -1}:1:1: error: cppcheck exited with status $s [lint-tool-failure]"
			' cppcheck -q \
			--std=c11 --platform=unix64 \
			--enable=warning,portability,performance \
			--inline-suppr --suppressions-list=tools/cppcheck-suppressions.txt \
			--include="$work/predef-$kind.h" $incdefs \
			--template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
			--template-location='{file}:{line}:{column}: note: {info}' \
			--error-exitcode=0
	done
}

# One file: clang-tidy, or its cached result.  generated/ gets the analyzer
# only (the generator, tools/capnpc-c, gets the full set).
tidy_one() {
	local f=$1 checks="" cflags key cache status
	case $f in generated/*) checks="-bugprone-*,-cert-*" ;; esac
	cflags=$(kind_cflags "$(flag_kind "$f")")
	# shellcheck disable=SC2086
	key=$({ echo "$f $cflags $checks"; gcc $cflags -E -C "$f" 2>&1;
		cat .clang-tidy; echo "$LINT_TIDY_VERSION"; } | sha256sum | cut -c1-32)
	cache=$LINT_OUT/cache/tidy-$key
	# (Another run may prune the entry between the test and the read.)
	if [ -f "$cache" ] && touch "$cache" 2>/dev/null && cat "$cache" 2>/dev/null; then
		return
	fi
	clang-tidy --quiet -p "$LINT_WORK" ${checks:+--checks="$checks"} "$f" >"$cache.$$" 2>&1
	status=$?
	# clang-tidy fails on compile errors (reported as findings); failing
	# without a finding (bad config, crash) is made one, and not cached.
	if [ $status != 0 ] && ! grep -q -E ':[0-9]+:[0-9]+: (warning|error):' "$cache.$$"; then
		echo "$f:1:1: error: clang-tidy exited with status $status and reported nothing [lint-tool-failure]" >>"$cache.$$"
		status=128
	fi
	cat "$cache.$$"
	if [ $status -lt 128 ]; then mv "$cache.$$" "$cache"; else rm -f "$cache.$$"; fi
}
export -f tidy_one

run_clang_tidy() {
	LINT_OUT=$out LINT_WORK=$work LINT_TIDY_VERSION=$(clang-tidy --version) \
		xargs -P "$jobs" -n 1 bash -c 'tidy_one "$1"' tidy_one <<<"$sources"
	# Drop cache entries no run used in the last day.
	find "$out/cache" -name 'tidy-*' -mmin +1440 -delete
}

# gcc with each file's own flags and -Wmissing-prototypes, nothing else.
run_prototypes() {
	# shellcheck disable=SC2016
	printf '%s\n' $sources | xargs -P "$jobs" -n 8 bash -c '
		for f; do
			# shellcheck disable=SC2046
			gcc $(kind_cflags "$(flag_kind "$f")") -Wno-error -Wmissing-prototypes -fsyntax-only "$f"
		done' prototypes
}

# The built objects: make builds them before this runs in `make test`.
run_dead_code() {
	tools/dead-code.sh -B "$BUILD" ||
		echo "tools/dead-code.sh:1:1: error: no build to read, run make first [lint-tool-failure]"
}

# Generated code keeps its generator's layout and third_party its authors'.
run_format() {
	tools/format-check.sh --findings $(grep -v -e '^generated/' -e '^third_party/' <<<"$sources") ||
		echo "tools/format-check.sh:1:1: error: format check failed to run [lint-tool-failure]"
}

# The areas: every directory holding a .c or .h we analyse or include.
all_areas=$( (for r in $roots include; do [ -d "$r" ] && find "$r" -name '*.[ch]'; done) |
	xargs -n1 dirname | LC_ALL=C sort -u)

status=0
for tool in $tools; do
	log=$logs/lint-$tool.log
	findings=$work/$tool.findings
	start=$(date +%s)
	case $tool in
	cppcheck) run_cppcheck ;;
	clang-tidy) run_clang_tidy ;;
	prototypes) run_prototypes ;;
	dead-code) run_dead_code ;;
	format) run_format ;;
	esac >"$work/$tool.log" 2>&1
	secs=$(($(date +%s) - start))
	cp "$work/$tool.log" "$log"
	# A finding: "path:line:col: severity: message [id]" in one of our files
	# or in .clang-tidy itself (system headers are not ours to fix).
	# clang-tidy prints absolute paths; a header included by several files
	# is counted once.
	sed -e "s|^$PWD/||" "$work/$tool.log" |
		grep -a -E '^[^ :]+:[0-9]+:[0-9]+: (warning|error|style|performance|portability|information): ' |
		grep -a -E "^(($(echo $roots include tests | tr ' ' '|'))/|\.clang-tidy:)" |
		LC_ALL=C sort -u >"$findings"
	cp "$findings" "$out/$tool.findings"
	echo "lint: $tool: $nsources files in ${secs}s, $(wc -l <"$findings") findings (log: $log)"
	counted=$work/$tool.counted
	: >"$counted"
	while IFS= read -r line; do
		if is_pending "$line"; then
			echo "lint: pending, not counted (tools/lint-pending.txt): $line"
		else
			echo "$line" >>"$counted"
		fi
	done <"$findings"
	# One line per area; a FAIL is followed by its findings.
	printf '%s\n' $all_areas | awk -v tool="$tool" -v counted="$counted" '
		{ areas[++n] = $0 }
		END {
			while ((getline line < counted) > 0) {
				f = line; sub(/:.*/, "", f); sub(/\/[^\/]*$/, "", f)
				hits[f] = hits[f] "    " line "\n"; count[f]++
			}
			for (i = 1; i <= n; i++) {
				a = areas[i]; name = a; gsub(/\//, "-", name)
				if (!(a in count)) { print "PASS lint-" tool "-" name; continue }
				print "FAIL lint-" tool "-" name ": " count[a] " findings"
				printf "%s", hits[a]
				bad = 1; delete count[a]
			}
			for (a in count) {   # a directory with no .c/.h of its own
				name = a; gsub(/\//, "-", name)
				print "FAIL lint-" tool "-" name ": " count[a] " findings"
				printf "%s", hits[a]
				bad = 1
			}
			exit bad
		}' || status=1
done
exit $status
