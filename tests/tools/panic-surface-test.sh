#!/usr/bin/env bash
# The panic-surface gate: the tree passes tools/panic-surface.sh --check,
# and the gate itself fails where it must: on a new unclassified site (with
# the line to add in the message), on a site classed
# reachable-from-untrusted, on a stale table line, on a malformed table
# line; docs/security.md quotes the counts per class; uses of wrappers
# (macros and _Noreturn functions that panic) are sites; calls inside comments, macro definitions and declarations are not
# sites, and a site is found in the function it is in.
# Prints PASS/FAIL lines in the test-suite format.
#
# Usage: tests/tools/panic-surface-test.sh
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
[ "${1:-}" = --help ] && { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
tool=$PWD/tools/panic-surface.sh
failed=0
pass() { echo "PASS panic-surface-gate-$1"; }
fail() { echo "FAIL panic-surface-gate-$1: $2"; failed=1; }

# The tree itself: its PASS/FAIL lines are this suite's.
"$tool" --check || failed=1

# docs/security.md quotes the counts per class.
summary=$("$tool" --summary)
docs_ok=1
for cls in trusted-internal boot-fatal reachable-from-untrusted; do
	n=$(awk -v c="$cls" '$1 == c { print $2 }' <<<"$summary")
	grep -q "^| $cls | $n |" docs/security.md || { docs_ok=0; fail docs-counts "docs/security.md section 7 must quote '| $cls | $n |' (tools/panic-surface.sh --summary)"; }
done
[ $docs_ok = 1 ] && pass docs-counts

work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/k"
cat >"$work/k/a.c" <<'C'
/* panic("in a comment") is not a site */
#define CHECK(c) do { if (!(c)) panic("macro body"); } while (0)
_Noreturn void panic(const char *fmt, ...);
static int helper(int x)
{
	if (x > 3)
		panic("helper: x %d too big", x);
	return x;
}

int user_entry(int n,
               int m)
{
	if (n < 0)
		panic("user_entry: negative count");
	return helper(n + m);
}
C
run() { PANIC_SURFACE_ROOTS="$work/k" PANIC_SURFACE_TABLE="$work/t.txt" "$tool" "$@"; }

printf 'trusted-internal | helper | too big | x is checked by every caller\n' >"$work/t.txt"
out=$(run --check); st=$?
if [ $st = 1 ] && grep -q 'FAIL panic-surface-unclassified: 1 kernel' <<<"$out" &&
	grep -q 'add to .*:  CLASS | user_entry | user_entry: negative count | WHY' <<<"$out"; then
	pass unclassified
else
	fail unclassified "status $st, output: $out"
fi

list=$(run --list)
if [ "$(grep -c . <<<"$list")" = 2 ] && grep -q 'a.c:7 helper trusted-internal' <<<"$list" &&
	grep -q 'a.c:15 user_entry UNCLASSIFIED' <<<"$list"; then
	pass sites-and-functions
else
	fail sites-and-functions "want 2 sites (a.c:7 helper, a.c:15 user_entry), got: $list"
fi

printf '%s\n' 'trusted-internal | helper | too big | x is checked' \
	'reachable-from-untrusted | user_entry | negative count | a process passes n' >"$work/t.txt"
out=$(run --check); st=$?
if [ $st = 1 ] && grep -q 'FAIL panic-surface-untrusted' <<<"$out" &&
	grep -q 'PASS panic-surface-unclassified' <<<"$out"; then
	pass untrusted
else
	fail untrusted "status $st, output: $out"
fi

printf '%s\n' 'trusted-internal | helper | too big | x is checked' \
	'boot-fatal | user_entry | negative count | boot input' \
	'boot-fatal | gone_function | vanished | was removed' >"$work/t.txt"
out=$(run --check); st=$?
if [ $st = 1 ] && grep -q 'FAIL panic-surface-stale' <<<"$out" && grep -q 'gone_function' <<<"$out"; then
	pass stale
else
	fail stale "status $st, output: $out"
fi

printf '%s\n' 'trusted-internal | helper | too big' 'boot-fatal | user_entry | negative count | x' >"$work/t.txt"
out=$(run --check); st=$?
if [ $st = 1 ] && grep -q 'FAIL panic-surface-table' <<<"$out"; then
	pass malformed
else
	fail malformed "status $st, output: $out"
fi

printf '%s\n' 'trusted-internal | helper | too big | x' 'boot-fatal | user_entry | negative count | x' >"$work/t.txt"
out=$(run --check); st=$?
if [ $st = 0 ] && [ "$(grep -c '^PASS' <<<"$out")" = 4 ]; then
	pass clean
else
	fail clean "status $st, output: $out"
fi

# Wrappers: a macro or a _Noreturn function that panics makes its uses
# sites; a table line "not-a-wrapper" says a _Noreturn function is not one.
mkdir -p "$work/w"
cat >"$work/w/b.c" <<'C'
#define MUST(c) do { if (!(c)) panic("must: %s", #c); } while (0)
static _Noreturn void die(const char *why)
{
	panic("die: %s", why);
}
_Noreturn void finish(int code)
{
	switch_away(code);
	panic("finish: scheduled again");
}
int entry(int n)
{
	MUST(n > 0);
	if (n > 9)
		die("too big");
	if (n == 5)
		finish(n);
	return n;
}
C
printf '%s\n' 'trusted-internal | die | die: | x' 'trusted-internal | finish | scheduled again | x' \
	'trusted-internal | entry | MUST( | x' 'trusted-internal | entry | die("too big") | x' \
	'not-a-wrapper | finish | - | ends a process' >"$work/t.txt"
list=$(PANIC_SURFACE_ROOTS="$work/w" PANIC_SURFACE_TABLE="$work/t.txt" "$tool" --list)
out=$(PANIC_SURFACE_ROOTS="$work/w" PANIC_SURFACE_TABLE="$work/t.txt" "$tool" --check); st=$?
if [ $st = 0 ] && grep -q 'b.c:13 entry trusted-internal MUST' <<<"$list" &&
	grep -q 'b.c:15 entry trusted-internal die' <<<"$list" && ! grep -q 'b.c:17' <<<"$list"; then
	pass wrappers
else
	fail wrappers "status $st; want MUST (b.c:13) and die (b.c:15) listed, finish (b.c:17) not: $list $out"
fi
sed -i '/not-a-wrapper/d' "$work/t.txt"
out=$(PANIC_SURFACE_ROOTS="$work/w" PANIC_SURFACE_TABLE="$work/t.txt" "$tool" --check); st=$?
if [ $st = 1 ] && grep -q 'b.c:17 in entry: finish(n)' <<<"$out"; then
	pass not-a-wrapper
else
	fail not-a-wrapper "without its not-a-wrapper line, finish(n) must be an unclassified site: $out"
fi

printf '%s\n' 'trusted-internal | entry | finish(n) | x' 'not-a-wrapper | ghost | - | gone' >>"$work/t.txt"
out=$(PANIC_SURFACE_ROOTS="$work/w" PANIC_SURFACE_TABLE="$work/t.txt" "$tool" --check); st=$?
if [ $st = 1 ] && grep -q 'not-a-wrapper ghost: no _Noreturn function' <<<"$out"; then
	pass stale-not-a-wrapper
else
	fail stale-not-a-wrapper "a not-a-wrapper line naming no wrapper must be stale: $out"
fi

if "$tool" --bogus >/dev/null 2>&1; [ $? = 2 ]; then pass usage; else fail usage "a bad argument must exit 2"; fi
exit $failed
