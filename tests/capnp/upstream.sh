#!/usr/bin/env bash
# Our Cap'n Proto code against upstream's own test schema and messages
# (capnproto 0.9.2, Debian's source package through tools/srcpkg.sh; the
# repo holds none of them).  `make test` builds build/upstream/upstream_rt
# from the C that capnpc-c generates for test.capnp and its imports.
#
#   decode    every message in testdata/ (binary, flat, packed, packedflat,
#             segmented, segmented-packed as TestAllTypes, lists.binary as
#             TestLists, binary as TestDefaults, annotated-json.binary as
#             TestJsonAnnotations) read field by field with the generated
#             readers equals `capnp convert` (JSON, or text where JSON
#             annotations rename fields); the reference's parse of
#             pretty.txt, short.txt, pretty.json, short.json and
#             annotated.json equals the binary message as our readers see it
#   defaults  an empty TestDefaults read through the generated readers
#             gives every default (the same values as testdata/binary); an
#             empty TestListDefaults gives its lists-of-lists default and an
#             empty TestUnionDefaults its union defaults, as the reference
#             parses the literals in test.capnp
#   constants globalStruct, TestConstants.structConst and the list
#             constants equal `capnp eval`
#   encode    testdata/binary's values set through the generated builders
#             give testdata/binary and testdata/packed byte for byte; built
#             into many small segments (far pointers) or segments just big
#             enough for each object (double-far), the reference reads the
#             same values
#   srcpkg    a checksum that does not match the lock is refused, naming
#             the expected and actual sums
# JSON is compared after normalising both sides through the reference
# (json -> binary -> json).  Prints one PASS/FAIL line per check.
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,/^[^#]/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
	exit 0
fi
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
RT=$B/upstream/upstream_rt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$RT" ] || [ ! -f "$B/upstream/src.path" ]; then
	echo "FAIL capnp-upstream: $RT not built (make $RT)"
	exit 1
fi
SRC=$(cat "$B/upstream/src.path")/src
SCHEMA=$SRC/capnp/test.capnp
DATA=$SRC/capnp/testdata
cv() { capnp convert -I"$SRC" "$@"; }

norm() {   # root json-file -> normalised JSON on stdout
	cv json:binary "$SCHEMA" "$1" <"$2" | cv binary:json "$SCHEMA" "$1"
}

check() {  # name root got-json-file expected-json-file
	local got_n exp_n
	if ! got_n=$(norm "$2" "$3" 2>&1); then
		echo "FAIL $1: output is not valid JSON for $2: $(head -c 300 "$3") $got_n"
		return
	fi
	exp_n=$(norm "$2" "$4")
	if [ "$got_n" = "$exp_n" ]; then
		echo "PASS $1"
	else
		diff <(echo "$exp_n") <(echo "$got_n") | head -20 >"$tmp/diff"
		echo "FAIL $1: differs from the reference: $(tr '\n' ' ' <"$tmp/diff" | head -c 600)"
	fi
}

if grep -q warning "$B/upstream/gen.log"; then
	echo "FAIL capnp-upstream-generate: $(grep warning "$B/upstream/gen.log" | head -3)"
else
	echo "PASS capnp-upstream-generate ($(grep -c wrote "$B/upstream/gen.log") files, no item refused)"
fi

# decode: file format root
while read -r file format root; do
	name=capnp-upstream-decode-$file-$root
	if cv "$format:json" "$SCHEMA" "$root" <"$DATA/$file" >"$tmp/ref.json" 2>"$tmp/err" &&
		"$RT" dump "$root" "$format" <"$DATA/$file" >"$tmp/got.json" 2>>"$tmp/err"; then
		check "$name" "$root" "$tmp/got.json" "$tmp/ref.json"
	else
		echo "FAIL $name: $(head -c 300 "$tmp/err")"
	fi
done <<'LIST'
binary binary TestAllTypes
flat flat TestAllTypes
packed packed TestAllTypes
packedflat flat-packed TestAllTypes
segmented binary TestAllTypes
segmented-packed packed TestAllTypes
lists.binary binary TestLists
binary binary TestDefaults
LIST
# annotated-json.binary (compat/json-test.capnp): its JSON form follows the
# annotations, so both sides are compared in the text format.
JSCHEMA=$SRC/capnp/compat/json-test.capnp
if "$RT" dump TestJsonAnnotations binary <"$DATA/annotated-json.binary" >"$tmp/ja.txt" 2>"$tmp/err" &&
	got=$(cv text:binary "$JSCHEMA" TestJsonAnnotations <"$tmp/ja.txt" 2>>"$tmp/err" |
		cv binary:text "$JSCHEMA" TestJsonAnnotations 2>>"$tmp/err") &&
	exp=$(cv binary:text "$JSCHEMA" TestJsonAnnotations <"$DATA/annotated-json.binary"); then
	if [ "$got" = "$exp" ]; then
		echo "PASS capnp-upstream-decode-annotated-json.binary-TestJsonAnnotations"
	else
		echo "FAIL capnp-upstream-decode-annotated-json.binary-TestJsonAnnotations: got $(head -c 300 "$tmp/ja.txt")"
	fi
	# annotated.json is the same message in its annotated JSON form.
	if [ "$got" = "$(cv json:text "$JSCHEMA" TestJsonAnnotations <"$DATA/annotated.json" 2>&1)" ]; then
		echo "PASS capnp-upstream-decode-annotated.json-TestJsonAnnotations"
	else
		echo "FAIL capnp-upstream-decode-annotated.json-TestJsonAnnotations: differs from annotated-json.binary as we read it"
	fi
else
	echo "FAIL capnp-upstream-decode-annotated-json.binary-TestJsonAnnotations: $(head -c 300 "$tmp/err")"
fi

# The text and JSON renderings in testdata/ (pretty/short .txt/.json) are
# the same TestAllTypes: the reference's parse of each equals what our
# readers see in testdata/binary.
"$RT" dump TestAllTypes binary <"$DATA/binary" >"$tmp/ours.json" 2>/dev/null
for f in pretty.txt short.txt pretty.json short.json; do
	fmt=${f##*.}
	[ "$fmt" = txt ] && fmt=text
	if cv "$fmt:json" "$SCHEMA" TestAllTypes <"$DATA/$f" >"$tmp/ref.json" 2>"$tmp/err"; then
		check "capnp-upstream-decode-$f-TestAllTypes" TestAllTypes "$tmp/ours.json" "$tmp/ref.json"
	else
		echo "FAIL capnp-upstream-decode-$f-TestAllTypes: $(head -c 300 "$tmp/err")"
	fi
done

nseg=$(( $(od -An -tu4 -N4 "$DATA/segmented") + 1 ))
echo "INFO capnp-upstream: testdata/segmented has $nseg segments"

# defaults: upstream's TestDefaults defaults are testdata/binary's values.
if "$RT" defaults >"$tmp/def.json" 2>"$tmp/err" &&
	cv binary:json "$SCHEMA" TestAllTypes <"$DATA/binary" >"$tmp/ref.json"; then
	check capnp-upstream-defaults TestAllTypes "$tmp/def.json" "$tmp/ref.json"
else
	echo "FAIL capnp-upstream-defaults: $(head -c 300 "$tmp/err")"
fi

# TestListDefaults.lists: the reference parses the default's literal,
# taken from test.capnp as it stands.
sed -n '/^struct TestListDefaults/,/^}/p' "$SCHEMA" | sed -e '1d;$d' \
	-e 's/^ *lists @0 :TestLists = //' -e 's/);$/)/' >"$tmp/ld.txt"
if "$RT" listdefaults >"$tmp/ld.json" 2>"$tmp/err" &&
	cv text:json "$SCHEMA" TestLists <"$tmp/ld.txt" >"$tmp/ref.json" 2>>"$tmp/err"; then
	check capnp-upstream-list-defaults TestLists "$tmp/ld.json" "$tmp/ref.json"
else
	echo "FAIL capnp-upstream-list-defaults: $(head -c 300 "$tmp/err")"
fi

# TestUnionDefaults: each field's literal (joined onto one line) parsed by
# the reference, against the generated readers' defaults.
sed -n '/^struct TestUnionDefaults/,/^}/p' "$SCHEMA" | sed '1d;$d' | tr '\n' ' ' |
	sed 's/;/;\n/g' | sed -n 's/^ *\([a-zA-Z0-9]*\) *@[0-9]* *:\([A-Za-z]*\) *= *\(.*\);$/\1 \2 \3/p' \
	>"$tmp/ud.txt"
if "$RT" uniondefaults >"$tmp/ud.json" 2>"$tmp/err" && [ "$(wc -l <"$tmp/ud.txt")" = 4 ]; then
	i=0
	while read -r field type literal; do
		i=$((i + 1))
		sed -n "${i}p" "$tmp/ud.json" >"$tmp/u.json"
		if echo "$literal" | cv text:json "$SCHEMA" "$type" >"$tmp/ref.json" 2>"$tmp/err"; then
			check "capnp-upstream-union-default-$field" "$type" "$tmp/u.json" "$tmp/ref.json"
		else
			echo "FAIL capnp-upstream-union-default-$field: $(head -c 300 "$tmp/err")"
		fi
	done <"$tmp/ud.txt"
else
	echo "FAIL capnp-upstream-union-defaults: $(head -c 300 "$tmp/err") ($(wc -l <"$tmp/ud.txt") literals found)"
fi

# constants
if "$RT" constants >"$tmp/const" 2>"$tmp/err"; then
	i=0
	for c in globalStruct TestConstants.structConst; do
		i=$((i + 1))
		sed -n "${i}p" "$tmp/const" >"$tmp/c.json"
		capnp eval -I"$SRC" -b "$SCHEMA" "$c" | cv binary:json "$SCHEMA" TestAllTypes >"$tmp/ref.json"
		check "capnp-upstream-const-$c" TestAllTypes "$tmp/c.json" "$tmp/ref.json"
	done
	sed -n 3p "$tmp/const" >"$tmp/c.json"
	{
		printf '{'
		sep=
		for pair in boolList:bool int8List:int8 int16List:int16 int32List:int32 \
			int64List:int64 uInt8List:uint8 uInt16List:uint16 uInt32List:uint32 \
			uInt64List:uint64 textList:text; do
			printf '%s"%s": %s' "$sep" "${pair%%:*}" \
				"$(capnp eval -I"$SRC" "$SCHEMA" "TestConstants.${pair#*:}ListConst")"
			sep=', '
		done
		printf '}\n'
	} >"$tmp/ref.json"
	check capnp-upstream-const-lists TestAllTypes "$tmp/c.json" "$tmp/ref.json"
else
	echo "FAIL capnp-upstream-constants: $(head -c 300 "$tmp/err")"
fi

# encode, byte for byte
for f in binary packed; do
	if "$RT" encode "$f" <"$DATA/binary" >"$tmp/enc" 2>"$tmp/err" && cmp -s "$tmp/enc" "$DATA/$f"; then
		echo "PASS capnp-upstream-encode-$f ($(stat -c %s "$tmp/enc") bytes identical)"
	else
		echo "FAIL capnp-upstream-encode-$f: $(head -c 200 "$tmp/err") $(cmp "$tmp/enc" "$DATA/$f" 2>&1 | head -1)"
	fi
done

# encode into many segments, read by the reference
cv binary:json "$SCHEMA" TestAllTypes <"$DATA/binary" >"$tmp/ref.json"
for segs in 8 exact; do
	name=capnp-upstream-encode-segments-$segs
	if "$RT" encode binary "$segs" <"$DATA/binary" >"$tmp/enc" 2>"$tmp/err" &&
		cv --quiet binary:json "$SCHEMA" TestAllTypes <"$tmp/enc" >"$tmp/got.json" 2>>"$tmp/err"; then
		n=$(( $(od -An -tu4 -N4 "$tmp/enc") + 1 ))
		if [ "$n" -lt 10 ]; then
			echo "FAIL $name: only $n segments"
		else
			check "$name" TestAllTypes "$tmp/got.json" "$tmp/ref.json"
			echo "INFO $name: $n segments, $(stat -c %s "$tmp/enc") bytes"
		fi
	else
		echo "FAIL $name: $(head -c 300 "$tmp/err")"
	fi
done

# srcpkg refuses a checksum mismatch (cached files, a lock with one sum changed).
cache=$(dirname "$(dirname "$(cat "$B/upstream/src.path")")")
mkdir -p "$tmp/cache/dl"
cp -r "$cache/dl/capnproto-"* "$tmp/cache/dl/"
sed 's/^\(capnproto [^ ]* [^ ]*\.dsc \)[0-9a-f]*/\10000000000000000000000000000000000000000000000000000000000000000/' \
	third_party/sources.lock >"$tmp/lock"
if out=$(tools/srcpkg.sh --lock "$tmp/lock" --cache "$tmp/cache" verify capnproto 2>&1); then
	echo "FAIL capnp-upstream-srcpkg-mismatch: a wrong checksum was accepted"
elif echo "$out" | grep -q "expected 0000.*actual [0-9a-f]\{64\}"; then
	echo "PASS capnp-upstream-srcpkg-mismatch"
else
	echo "FAIL capnp-upstream-srcpkg-mismatch: unclear message: $out"
fi
if tools/srcpkg.sh --cache "$tmp/cache" verify capnproto >/dev/null 2>&1; then
	echo "PASS capnp-upstream-srcpkg-verify"
else
	echo "FAIL capnp-upstream-srcpkg-verify: the cached files do not match the lock"
fi
