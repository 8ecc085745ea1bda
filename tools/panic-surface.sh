#!/usr/bin/env bash
# The kernel's panic surface: every call that stops the whole machine
# because something is wrong, with its class from tools/panic-surface.txt.
#
# Usage: tools/panic-surface.sh [--check|--summary|--list]
#   --list (default)  one line per site: file:line function class call
#   --summary         the number of sites per class
#   --check           PASS/FAIL lines (the format of `make test`); fails on
#                     a site the table does not classify, on a site classed
#                     reachable-from-untrusted, and on a table line that
#                     matches no site (stale); `make lint` and `make test`
#                     run it
#
# A site is a call of panic, KASSERT, BUG, BUG_ON, assert, ->panic (lib/
# code's ops hook, the kernel's panic), __builtin_trap,
# __builtin_unreachable, the kernel's panic wrappers boot_fail and
# proc_wait_underflow, qemu_exit with QEMU_EXIT_PANIC or QEMU_EXIT_FAULT,
# or of any macro or _Noreturn function that itself makes one of these
# calls (found by the script), in kernel/ and lib/ (every lib/ file: the
# kernel links most of them).
# Exits with a verdict (success, init's failure verdict, the watchdog, a
# self-test's result) are ends of a run, not panics, and are not listed.
# Classes (docs/security.md, "Panic surface"):
#   trusted-internal          only a kernel bug reaches it
#   boot-fatal                the machine or the boot inputs (loader,
#                             memory map, firmware, manifest) are unusable
#   reachable-from-untrusted  a process can reach it: a kernel bug to fix
# Exit status: 0 clean, 1 a finding, 2 usage.
set -u
cd "$(dirname "$0")/.." || exit 1

usage() { sed -n '2,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//'; }
mode=list
case "${1:-}" in
-h|--help) usage; exit 0 ;;
--check) mode=check ;;
--summary) mode=summary ;;
--list|"") mode=list ;;
*) echo "panic-surface: error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac
[ $# -le 1 ] || { echo "panic-surface: error: one argument at most (see --help)" >&2; exit 2; }

table=${PANIC_SURFACE_TABLE:-tools/panic-surface.txt}
roots=${PANIC_SURFACE_ROOTS:-kernel lib}
[ -f "$table" ] || { echo "FAIL panic-surface: table $table is missing"; exit 1; }

# shellcheck disable=SC2086
files=$(find $roots -name '*.[ch]' 2>/dev/null | LC_ALL=C sort)
[ -n "$files" ] || { echo "FAIL panic-surface: no C sources under $roots"; exit 1; }

# The scanner, run twice: mode "wrappers" prints the names of macros and
# _Noreturn functions whose bodies make a panic-like call (their uses are
# sites too: a new wrapper cannot hide its callers), mode "sites" prints
# "file<TAB>line<TAB>function<TAB>call text".  The function is the last
# definition that started in column 0 (the style every file follows); the
# call text is the call's line and the next one, blanks squeezed.
# shellcheck disable=SC2016
scan='
	function site_at(code) {
		return match(code, "(^|[^A-Za-z0-9_])(" names ")[ \t]*\\(") ||
		       match(code, /(^|[^A-Za-z0-9_])qemu_exit[ \t]*\([ \t]*QEMU_EXIT_(PANIC|FAULT)/)
	}
	function flush(t) {
		gsub(/[ \t]+/, " ", t)
		print site_file "\t" site_line "\t" site_fn "\t" t
		want_more = 0
	}
	FNR == 1 {
		if (want_more) flush(site_text)
		fn = "(file scope)"; noreturn = 0; inmacro = 0
	}
	want_more && FNR == site_line + 1 { flush(site_text " " $0) }
	{
		code = $0
		gsub(/\/\*.*\*\//, "", code)      # one-line comments
		sub(/\/\/.*/, "", code)
		if (code ~ /^[ \t]*(\*|\/\*)/)
			code = ""
		# Macro bodies are not sites (their uses are); a macro whose body
		# makes a panic-like call is a wrapper.
		if (inmacro || code ~ /^[ \t]*#[ \t]*define/) {
			if (!inmacro) {
				macro = code; sub(/^[ \t]*#[ \t]*define[ \t]+/, "", macro)
				macro_fn = match(macro, /^[A-Za-z_][A-Za-z0-9_]*\(/) ? substr(macro, 1, RLENGTH - 1) : ""
			}
			if (mode == "wrappers" && macro_fn != "" && site_at(code))
				print macro_fn
			inmacro = ($0 ~ /\\$/)
			next
		}
		# Column 0 holds definitions and declarations, never a call: a
		# definition (an identifier and "(", no ";" at the end) names the
		# function the following sites are in.
		if (code ~ /^[A-Za-z_]/) {
			d = code
			gsub(/__attribute__[ \t]*\(\([^)]*(\([^)]*\))?[^)]*\)\)/, "", d)
			if (d !~ /;[ \t]*$/ && d !~ /^(typedef|(struct|enum|union)([ \t]+[A-Za-z_][A-Za-z0-9_]*)?[ \t]*\{)/ &&
			    match(d, /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/)) {
				name = substr(d, RSTART, RLENGTH)
				sub(/[ \t]*\($/, "", name)
				if (name == "SELFTEST" && match(d, /SELFTEST[ \t]*\([A-Za-z0-9_]+\)/))
					fn = substr(d, RSTART, RLENGTH)
				else if (name !~ /^(_Static_assert|static_assert)$/)
					fn = name
				noreturn = (d ~ /_Noreturn/)
			}
			next
		}
		if (site_at(code)) {
			if (mode == "wrappers") {
				if (noreturn)
					print fn
				next
			}
			site_file = FILENAME; site_line = FNR; site_fn = fn
			site_text = substr(code, RSTART)
			sub(/^[^A-Za-z_]/, "", site_text)
			if (substr(code, RSTART, 1) == ">" && substr(code, RSTART - 1, 1) == "-")
				site_text = "->" site_text
			want_more = 1
		}
	}
	END { if (want_more) flush(site_text) }'
base='panic|KASSERT|BUG_ON|BUG|assert|__builtin_trap|__builtin_unreachable|boot_fail|proc_wait_underflow'
# shellcheck disable=SC2086
found=$(awk -v mode=wrappers -v names="$base" "$scan" $files | LC_ALL=C sort -u)
# _Noreturn functions the table says are not panics (they end a process;
# the panic in them guards a return that cannot happen).
not_wrappers=$(awk -F'|' '{ c = $1; gsub(/[ \t]/, "", c); f = $2; gsub(/[ \t]/, "", f) }
	c == "not-a-wrapper" { print f }' "$table" | LC_ALL=C sort -u)
wrappers=$(comm -23 <(echo "$found") <(echo "$not_wrappers") | grep . | paste -sd'|')
names=$base${wrappers:+|$wrappers}
# shellcheck disable=SC2086
sites=$(awk -v mode=sites -v names="$names" "$scan" $files)

# Classifies each site: "class<TAB>entry number<TAB>site"; class "-" when
# no entry matches.  Table lines: class | function | substring | why.
classified=$(
	awk -F'\t' -v table="$table" -v found="$(tr '\n' ' ' <<<"$found")" '
	BEGIN {
		nw = split(found, wl, " ")
		for (i = 1; i <= nw; i++) wrapper[wl[i]] = 1
		n = 0
		while ((getline l < table) > 0) {
			tl++
			if (l ~ /^[ \t]*(#|$)/) continue
			k = split(l, f, /[ \t]*\|[ \t]*/)
			sub(/^[ \t]+/, "", f[1])
			if (k < 4 || f[1] == "" || f[2] == "" || f[3] == "" || f[4] == "") {
				print "bad\t" tl "\t" l
				continue
			}
			if (f[1] == "not-a-wrapper") {
				if (!((f[2] "") in wrapper))
					print "stale-wrapper\t" tl "\t" f[2]
				continue
			}
			n++; cls[n] = f[1]; fnn[n] = f[2]; sub_[n] = f[3]; tline[n] = tl
		}
		for (i = 1; i <= n; i++) print "entry\t" tline[i] "\t" cls[i] "\t" fnn[i] "\t" sub_[i]
	}
	{
		hit = 0
		for (i = 1; i <= n; i++)
			if ($3 == fnn[i] && index($4, sub_[i]) > 0) { hit = i; break }
		if (hit) print "site\t" cls[hit] "\t" tline[hit] "\t" $0
		else print "site\t-\t0\t" $0
	}' <<<"$sites"
)

case $mode in
list)
	awk -F'\t' '$1 == "site" { printf "%s:%s %s %s %s\n", $4, $5, $6, ($2 == "-" ? "UNCLASSIFIED" : $2), $7 }' <<<"$classified"
	exit 0 ;;
summary)
	awk -F'\t' '$1 == "site" { c[$2 == "-" ? "unclassified" : $2]++; total++ }
		END {
			printf "panic surface: %d sites in kernel/ and lib/\n", total
			split("trusted-internal boot-fatal reachable-from-untrusted unclassified", k, " ")
			for (i = 1; i <= 4; i++) printf "  %-26s %d\n", k[i], c[k[i]] + 0
		}' <<<"$classified"
	exit 0 ;;
esac

# --check
status=0
bad_lines=$(awk -F'\t' '$1 == "bad" { print "    " table ":" $2 ": needs 4 fields \"class | function | substring | why\": " $3 }' table="$table" <<<"$classified")
if [ -n "$bad_lines" ]; then
	echo "FAIL panic-surface-table: malformed lines in $table"
	echo "$bad_lines"
	status=1
else
	badcls=$(awk -F'\t' '$1 == "entry" && $3 !~ /^(trusted-internal|boot-fatal|reachable-from-untrusted)$/ { print "    " t ":" $2 ": unknown class \"" $3 "\"" }' t="$table" <<<"$classified")
	if [ -n "$badcls" ]; then
		echo "FAIL panic-surface-table: $table names a class other than trusted-internal, boot-fatal, reachable-from-untrusted"
		echo "$badcls"
		status=1
	else
		echo "PASS panic-surface-table"
	fi
fi

unclassified=$(awk -F'\t' '$1 == "site" && $2 == "-" {
		t = $7; s = t
		# A suggested substring: the first string literal, or the call.
		if (match(t, /"[^"]*"/)) s = substr(t, RSTART + 1, RLENGTH - 2)
		if (length(s) > 40) s = substr(s, 1, 40)
		printf "    %s:%s in %s: %s\n      add to %s:  CLASS | %s | %s | WHY\n", $4, $5, $6, t, table, $6, s
	}' table="$table" <<<"$classified")
if [ -n "$unclassified" ]; then
	echo "FAIL panic-surface-unclassified: $(grep -c ' in ' <<<"$unclassified") kernel panic sites are not in $table"
	echo "$unclassified"
	echo "    CLASS is trusted-internal (only a kernel bug reaches it), boot-fatal (the machine or"
	echo "    the boot inputs are unusable) or reachable-from-untrusted (a process can reach it:"
	echo "    fix the kernel to return a typed error instead); WHY says which invariant holds it."
	echo "    The substring must occur in the call's text (its line and the next); see docs/security.md."
	status=1
else
	echo "PASS panic-surface-unclassified"
fi

untrusted=$(awk -F'\t' '$1 == "site" && $2 == "reachable-from-untrusted" { printf "    %s:%s in %s: %s\n", $4, $5, $6, $7 }' <<<"$classified")
if [ -n "$untrusted" ]; then
	echo "FAIL panic-surface-untrusted: a process can reach these panics; make them return a typed error:"
	echo "$untrusted"
	status=1
else
	echo "PASS panic-surface-untrusted"
fi

stale=$(awk -F'\t' '
	$1 == "entry" { e[$2] = $4 " | " $5 }
	$1 == "site" && $3 != 0 { used[$3] = 1 }
	$1 == "stale-wrapper" { printf "    %s:%s: not-a-wrapper %s: no _Noreturn function of that name makes a panic-like call\n", t, $2, $3 }
	END { for (l in e) if (!(l in used)) printf "    %s:%s: %s\n", t, l, e[l] }' t="$table" <<<"$classified" | LC_ALL=C sort -t: -k2n)
if [ -n "$stale" ]; then
	echo "FAIL panic-surface-stale: $table lines that match no site (remove them, or fix the function/substring):"
	echo "$stale"
	status=1
else
	echo "PASS panic-surface-stale"
fi
exit $status
