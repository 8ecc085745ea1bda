#!/usr/bin/env bash
# The Cap'n Proto text form of lib/capnp_text.c (capsh's `call`) against
# Debian's `capnp` as the oracle.  For every line of
# tests/capnp/text-cases.txt, a value of fieldkinds.capnp's AllTypes:
#   encode  text_rt's message, printed by `capnp decode --short`, equals
#           what `capnp encode | capnp decode --short` prints
#   decode  `capnp encode`'s message printed by text_rt equals the same
# and every line of tests/capnp/text-errors.txt (malformed text) gets its
# exact message with the column.  Prints one PASS/FAIL line per check.
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,/^[^#]/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
	exit 0
fi
set -u
cd "$(dirname "$0")/../.."
RT=${BUILD:-build}/host/tests/capnp/text_rt
SCHEMA=tests/capnp/fieldkinds.capnp
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ ! -x "$RT" ]; then
	echo "FAIL capnp-text: $RT not built (make $RT)"
	exit 1
fi
capnp compile --src-prefix=tests/capnp -o- "$SCHEMA" >"$tmp/req.bin" ||
	{ echo "FAIL capnp-text: capnp compile -o- $SCHEMA"; exit 1; }

n=0
while IFS= read -r t; do
	case "$t" in '#'* | '') continue ;; esac
	n=$((n + 1))
	exp=$(printf '%s\n' "$t" | capnp encode "$SCHEMA" AllTypes | capnp decode --short "$SCHEMA" AllTypes)
	got=$(printf '%s\n' "$t" | "$RT" encode "$tmp/req.bin" AllTypes 2>&1 |
		capnp decode --short "$SCHEMA" AllTypes 2>&1)
	if [ "$got" = "$exp" ]; then echo "PASS capnp-text-encode-$n"
	else echo "FAIL capnp-text-encode-$n: $t: got $got; capnp: $exp"; fi
	got=$(printf '%s\n' "$t" | capnp encode "$SCHEMA" AllTypes | "$RT" decode "$tmp/req.bin" AllTypes 2>&1)
	if [ "$got" = "$exp" ]; then echo "PASS capnp-text-decode-$n"
	else echo "FAIL capnp-text-decode-$n: $t: got $got; capnp: $exp"; fi
done <tests/capnp/text-cases.txt

n=0
while IFS=$'\t' read -r t want; do
	case "$t" in '#'* | '') continue ;; esac
	n=$((n + 1))
	got=$(printf '%s' "$t" | "$RT" encode "$tmp/req.bin" AllTypes 2>&1 >/dev/null)
	rc=$?
	if [ $rc = 1 ] && [ "$got" = "$want" ]; then echo "PASS capnp-text-error-$n"
	else echo "FAIL capnp-text-error-$n: $t: got (status $rc) '$got', want '$want'"; fi
done <tests/capnp/text-errors.txt
