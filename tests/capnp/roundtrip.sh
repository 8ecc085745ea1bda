#!/usr/bin/env bash
# Reference round trips of our Cap'n Proto code against Debian's `capnp`.
#
# For every case in tests/capnp/cases/<case>.json (expected values, checked
# by hand) and the matching builder in tests/capnp/capnp_rt.c:
#   encode  our bytes, decoded by `capnp convert binary:json`, equal the JSON
#   decode  `capnp convert json:binary` bytes, read by our generated readers
#           and printed as JSON, equal the JSON
#   packed  the same two directions through the packed encoding
# JSON is compared after normalising both sides through the reference
# (json -> binary -> json), so key order and number spelling do not matter.
# Prints one PASS/FAIL line per check.
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,/^[^#]/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
	exit 0
fi
set -u
cd "$(dirname "$0")/../.."
RT=${BUILD:-build}/host/tests/capnp/capnp_rt
SCHEMA=tests/capnp/fieldkinds.capnp
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$RT" ]; then
	echo "FAIL capnp-roundtrip: $RT not built (make $RT)"
	exit 1
fi

norm() {   # root file -> normalised JSON on stdout
	capnp convert json:binary "$SCHEMA" "$1" <"$2" | capnp convert binary:json "$SCHEMA" "$1"
}

check() {  # name root got-json-file expected-json-file
	local got_n exp_n
	if ! got_n=$(norm "$2" "$3" 2>&1); then
		echo "FAIL $1: output is not valid JSON for $2: $got_n"
		return
	fi
	exp_n=$(norm "$2" "$4")
	if [ "$got_n" = "$exp_n" ]; then
		echo "PASS $1"
	else
		echo "FAIL $1: got $(tr -d '\n' <"$3" | head -c 400) expected $(tr -d '\n' <"$4" | head -c 400)"
	fi
}

"$RT" cases >"$tmp/cases" || { echo "FAIL capnp-roundtrip: capnp_rt cases"; exit 1; }
while read -r name root; do
	exp=tests/capnp/cases/$name.json
	if [ ! -f "$exp" ]; then
		echo "FAIL capnp-rt-$name: no expected JSON $exp"
		continue
	fi
	# (a) ours -> reference
	if "$RT" encode "$name" >"$tmp/$name.bin" &&
		capnp convert binary:json "$SCHEMA" "$root" <"$tmp/$name.bin" >"$tmp/$name.a.json" 2>"$tmp/err"; then
		check "capnp-encode-$name" "$root" "$tmp/$name.a.json" "$exp"
	else
		echo "FAIL capnp-encode-$name: $(head -c 300 "$tmp/err")"
	fi
	# (b) reference -> ours
	if capnp convert json:binary "$SCHEMA" "$root" <"$exp" >"$tmp/$name.ref.bin" &&
		"$RT" dump "$root" <"$tmp/$name.ref.bin" >"$tmp/$name.b.json" 2>"$tmp/err"; then
		check "capnp-decode-$name" "$root" "$tmp/$name.b.json" "$exp"
	else
		echo "FAIL capnp-decode-$name: $(head -c 300 "$tmp/err")"
	fi
	# (c) packed, both directions
	if "$RT" encode --packed "$name" >"$tmp/$name.pk" &&
		capnp convert packed:json "$SCHEMA" "$root" <"$tmp/$name.pk" >"$tmp/$name.c.json" 2>"$tmp/err"; then
		check "capnp-packed-encode-$name" "$root" "$tmp/$name.c.json" "$exp"
	else
		echo "FAIL capnp-packed-encode-$name: $(head -c 300 "$tmp/err")"
	fi
	if capnp convert json:packed "$SCHEMA" "$root" <"$exp" >"$tmp/$name.ref.pk" &&
		"$RT" dump --packed "$root" <"$tmp/$name.ref.pk" >"$tmp/$name.d.json" 2>"$tmp/err"; then
		check "capnp-packed-decode-$name" "$root" "$tmp/$name.d.json" "$exp"
	else
		echo "FAIL capnp-packed-decode-$name: $(head -c 300 "$tmp/err")"
	fi
done <"$tmp/cases"
