#!/usr/bin/env bash
# Behaviour of the capnpc-c plugin beyond the checked-in output (which
# `make generated-code-check` covers): help, bad input, unsupported schema
# features, cross-file imports.  One PASS/FAIL line per check.
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,/^[^#]/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
	exit 0
fi
set -u
cd "$(dirname "$0")/../.."
GEN=$PWD/${BUILD:-build}/tool/capnpc-c
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ ! -x "$GEN" ]; then
	echo "FAIL capnpc-c: $GEN not built"
	exit 1
fi

if "$GEN" --help | grep -q 'capnp compile -o'; then
	echo "PASS capnpc-c-help"
else
	echo "FAIL capnpc-c-help: no usage text"
fi

if printf 'not a message' | "$GEN" >/dev/null 2>"$tmp/err"; then
	echo "FAIL capnpc-c-garbage-input: accepted garbage on stdin"
elif grep -q 'not a Cap.n Proto message' "$tmp/err"; then
	echo "PASS capnpc-c-garbage-input"
else
	echo "FAIL capnpc-c-garbage-input: unclear error: $(head -c 200 "$tmp/err")"
fi

cat >"$tmp/bad.capnp" <<'SCHEMA'
@0xc0ffee0123456789;
struct P { x @0 :UInt32; }
struct Q { p @0 :P = (x = 5); }
SCHEMA
if capnp compile --src-prefix="$tmp" -o"$GEN":"$tmp" "$tmp/bad.capnp" 2>"$tmp/err"; then
	echo "FAIL capnpc-c-rejects-struct-default: generated code for an unsupported default"
elif grep -q 'not supported' "$tmp/err" && [ ! -e "$tmp/bad.capnp.h" ]; then
	echo "PASS capnpc-c-rejects-struct-default"
else
	echo "FAIL capnpc-c-rejects-struct-default: $(head -c 200 "$tmp/err")"
fi

mkdir -p "$tmp/imp"
cat >"$tmp/imp/user.capnp" <<'SCHEMA'
@0xd1a2b3c4d5e6f708;
using C = import "/capos.capnp";
struct Uses {
  ex @0 :C.CapException;
  grants @1 :List(C.CapGrant);
  mode @2 :C.TransferMode = move;
}
interface Svc extends(C.Echo) {
  run @0 C.CapGrant -> C.CapException;
}
SCHEMA
if capnp compile -I"$PWD/schema" --src-prefix="$tmp/imp" -o"$GEN":"$tmp/imp" "$tmp/imp/user.capnp" 2>"$tmp/err" &&
	grep -q '#include "capos.capnp.h"' "$tmp/imp/user.capnp.h" &&
	grep -q 'typedef capos_CapGrant_reader user_Svc_run_Params_reader;' "$tmp/imp/user.capnp.h" &&
	gcc -std=c17 -Wall -Wextra -Werror -Ilib -Igenerated -I"$tmp/imp" -c "$tmp/imp/user.capnp.c" \
		-o "$tmp/imp/user.o" 2>>"$tmp/err"; then
	echo "PASS capnpc-c-imports"
else
	echo "FAIL capnpc-c-imports: $(head -c 300 "$tmp/err")"
fi

# Generic parameters are read as AnyPointer (brands are not specialised).
mkdir -p "$tmp/gen"
cat >"$tmp/gen/g.capnp" <<'SCHEMA'
@0xe0e1e2e3e4e5e6e7;
struct Box(T) {
  value @0 :T;
  count @1 :UInt32;
}
struct UsesBox {
  b @0 :Box(Text);
  lb @1 :List(Box(Data));
}
interface Store(K) {
  get @0 (key :K) -> (found :Bool);
}
SCHEMA
if capnp compile --src-prefix="$tmp/gen" -o"$GEN":"$tmp/gen" "$tmp/gen/g.capnp" 2>"$tmp/err" &&
	grep -q 'g_Box_get_value_struct' "$tmp/gen/g.capnp.h" &&
	grep -q 'g_Store_get_METHOD 0' "$tmp/gen/g.capnp.h" &&
	gcc -std=c17 -Wall -Wextra -Werror -Ilib -I"$tmp/gen" -c "$tmp/gen/g.capnp.c" \
		-o "$tmp/gen/g.o" 2>>"$tmp/err"; then
	echo "PASS capnpc-c-generics"
else
	echo "FAIL capnpc-c-generics: $(head -c 300 "$tmp/err")"
fi
