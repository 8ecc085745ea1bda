#!/usr/bin/env bash
# Keeps what README.md and docs/*.md claim about the tree honest.  Checks:
#   docs-binaries  every binary a doc names (`binary: "x"`, `binary 'x'`,
#                  extraBinaries) is a program of the tree: demos/x.c, tests/qemu/progs/x.c,
#                  init, tests/qemu/proc/x.c, services/x[.c|/], or any
#                  build/**/x.elf
#   docs-names     every `snake_case_name` in backticks is a word of some
#                  source, script, schema or build file, or a file's name
#                  (a renamed function, smoke or program shows up here)
#   docs-figures   every benchmark figure in bench/figures.txt is quoted,
#                  with that value, on the doc line it names
#   docs-readme-log  each line of README.md's sample log ("What you will
#                  see"; "..." matches anything, "<- note" is dropped)
#                  appears in the serial log of the smoke that boots
#                  build/manifest.bin (its log from this `make test`, or a
#                  fresh boot), and its build:/run: lines are messages the
#                  makefiles print
#   docs-help      every .PHONY target of the makefiles is in `make help`
# Each problem is one `FAIL docs-<check>: FILE:LINE: what is wrong` line;
# a check with none prints `PASS docs-<check>`.  Exits 1 on any FAIL.
#
# Usage: tests/tools/docs-check.sh [CHECK...]   (default: all five)
set -uo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
cd "$(dirname "$0")/../.."
# The files checked (the self-test points these at planted mistakes).
read -r -a docs <<<"${DOCS_CHECK_FILES:-README.md $(echo docs/*.md)}"
readme=${DOCS_CHECK_README:-README.md}
figures_table=${DOCS_CHECK_FIGURES:-bench/figures.txt}
failures=0
problems=0

fail() {   # check message
	echo "FAIL docs-$1: $2"
	problems=$((problems + 1))
}
finish() {   # check
	if [ "$problems" -eq 0 ]; then
		echo "PASS docs-$1"
	fi
	failures=$((failures + problems))
	problems=0
}

# Regex (ERE) quoting of a literal string.
ere_quote() { sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"; }

is_binary() {
	local b=$1
	# Placeholders: NAME, BIN, x.
	[[ $b =~ ^[A-Z_]+$ ]] || [ ${#b} -le 1 ] || [ "$b" = init ] && return 0
	[ -f "demos/$b.c" ] || [ -f "tests/qemu/progs/$b.c" ] || [ -f "tests/qemu/proc/$b.c" ] || [ -f "services/$b.c" ] ||
		[ -d "services/$b" ] && return 0
	[ -d build ] && [ -n "$(find build -name "$b.elf" -print -quit 2>/dev/null)" ]
}

check_binaries() {
	local f n line name
	for f in "${docs[@]}"; do
		# file:line:name for each binary reference on the line.
		while IFS=: read -r n line; do
			for name in $(grep -oE "binary: \"[^\"]+\"|binary '[a-z][a-z0-9_]+'" <<<"$line" |
				sed -E "s/^binary: \"(.*)\"$/\1/; s/^binary '(.*)'$/\1/"); do
				is_binary "$name" ||
					fail binaries "$f:$n: binary '$name' is not a program of the tree (no demos/$name.c, tests/qemu/progs/$name.c, tests/qemu/proc/$name.c, services/$name, build/**/$name.elf)"
			done
			if [[ $line =~ extraBinaries:[[:space:]]*\[([^]]*)\] ]]; then
				for name in $(grep -oE '"[^"]+"' <<<"${BASH_REMATCH[1]}" | tr -d '"'); do
					is_binary "$name" ||
						fail binaries "$f:$n: extraBinaries names '$name', which is not a program of the tree"
				done
			fi
		done < <(grep -nE "binary: \"|binary '|extraBinaries:" "$f")
	done
	finish binaries
}

check_names() {
	local words f n tok
	words=$(mktemp)
	# Words of every tracked-looking text file outside the docs, plus file
	# names without their extension.
	{
		grep -rhoE '[A-Za-z_][A-Za-z0-9_]*' --exclude-dir=.git --exclude-dir=build \
			--exclude-dir=node_modules --exclude-dir=docs --exclude=README.md \
			--exclude='*.bin' --exclude='*.elf' --exclude='*.iso' . 2>/dev/null
		find . -path ./.git -prune -o -path ./build -prune -o -path ./node_modules -prune -o \
			-type f -print | sed -E 's|.*/||; s|\..*$||'
	} | sort -u >"$words"
	for f in "${docs[@]}"; do
		while IFS=: read -r n tok; do
			tok=${tok//\`/}
			grep -qxF -- "$tok" "$words" ||
				fail names "$f:$n: \`$tok\` names nothing in the tree (no source word or file called that; renamed?)"
		done < <(grep -noE '`[a-z][a-z0-9]*(_[a-z0-9]+)+`' "$f")
	done
	rm -f "$words"
	finish names
}

# bench/figures.txt: "FILE | TEXT ON THE QUOTING LINE | FIGURE | MEASURED BY | ...".
check_figures() {
	local table=$figures_table ln=0 raw file text figure by hits n line digits
	if [ ! -f "$table" ]; then
		fail figures "$table is missing"
		finish figures
		return
	fi
	while IFS= read -r raw || [ -n "$raw" ]; do
		ln=$((ln + 1))
		[[ $raw =~ ^[[:space:]]*(#|$) ]] && continue
		IFS='|' read -r file text figure by _ <<<"$raw"
		file=$(xargs <<<"$file"); figure=$(xargs <<<"$figure"); by=$(xargs <<<"$by")
		text=$(sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//' <<<"$text")
		if [ -z "$file" ] || [ -z "$text" ] || ! [[ $figure =~ ^[0-9]+$ ]]; then
			fail figures "$table:$ln: want 'FILE | TEXT | FIGURE | MEASURED BY | OUTPUT REGEX' with a whole-number FIGURE"
			continue
		fi
		if [ ! -f "$file" ]; then
			fail figures "$table:$ln: $file does not exist"
			continue
		fi
		hits=$(grep -nF -- "$text" "$file")
		if [ -z "$hits" ]; then
			fail figures "$file: no line contains '$text' ($table:$ln quotes $figure from $by there)"
			continue
		fi
		if [ "$(wc -l <<<"$hits")" -gt 1 ]; then
			fail figures "$file: '$text' is on several lines ($(cut -d: -f1 <<<"$hits" | tr '\n' ' ')); $table:$ln needs text that picks one"
			continue
		fi
		n=${hits%%:*} line=${hits#*:}
		# "94 587" and "94,587" count as 94587.
		digits=$(sed -E ':a; s/([0-9])[ ,]([0-9]{3})/\1\2/; ta' <<<"$line")
		grep -qE "(^|[^0-9.])$figure([^0-9.]|$)" <<<"$digits" ||
			fail figures "$file:$n: the line with '$text' does not quote $figure ($by, $table:$ln): $line"
	done <"$table"
	finish figures
}

# The serial log of the smoke that boots the default system's manifest.
boot_log() {
	local spec name log
	spec=$(grep -lE '^module: build/manifest\.bin$' tests/qemu/smokes/*.smoke 2>/dev/null | head -n1)
	[ -n "$spec" ] || { echo "no smoke in tests/qemu/smokes boots build/manifest.bin" >&2; return 1; }
	name=$(basename "$spec" .smoke)
	log=build/test-logs/smoke-$name.log
	if [ ! -s "$log" ] || [ build/manifest.bin -nt "$log" ] || [ build/kernel.elf -nt "$log" ]; then
		tests/qemu/run-smokes.sh "$name" >/dev/null 2>&1 ||
			{ echo "smoke $name failed (see $log)" >&2; return 1; }
	fi
	echo "$log"
}

# Messages the makefiles echo that start with "build: " or "run: ", as EREs
# (make and shell variables match anything).
make_messages() {
	grep -hoE 'echo "(build|run): [^"]*"' Makefile mk/*.mk |
		sed -E 's/^echo "//; s/"$//' |
		perl -ne 'chomp; my @p = split /(\$\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)|\$\$\{?\w+\}?)/;
			my $re = ""; for my $i (0..$#p) { $re .= $i % 2 ? ".*" : quotemeta($p[$i]) }
			print "^$re\$\n"'
}

check_readme_log() {
	local block log msgs n line re
	# Line numbers and text of the first code block after the heading.
	block=$(awk '/^## What you will see/ { h = 1; next }
		h && /^```/ { if (inb) exit; inb = 1; next }
		inb { print NR ":" $0 }' "$readme")
	if [ -z "$block" ]; then
		fail readme-log "$readme: no code block after '## What you will see'"
		finish readme-log
		return
	fi
	if ! log=$(boot_log 2>&1); then
		fail readme-log "$readme: no boot log to compare the sample with: $log"
		finish readme-log
		return
	fi
	msgs=$(make_messages)
	local serial
	serial=$(tr -d '\r' <"$log")
	while IFS= read -r entry; do
		n=${entry%%:*} line=${entry#*:}
		line=$(sed -E 's/[[:space:]]{2,}<-.*$//; s/[[:space:]]+$//' <<<"$line")
		[ -z "$line" ] || [ "$line" = "..." ] && continue
		if [[ $line =~ ^(build|run):\  ]]; then
			local ok=0
			while IFS= read -r re; do
				[ -n "$re" ] && grep -qE -- "$re" <<<"$line" && { ok=1; break; }
			done <<<"$msgs"
			[ $ok = 1 ] ||
				fail readme-log "$readme:$n: no makefile prints a message like '$line'"
			continue
		fi
		re=$(ere_quote "$line")
		re="^${re//\\.\\.\\./.*}\$"
		grep -qE -- "$re" <<<"$serial" ||
			fail readme-log "$readme:$n: '$line' is not in the boot log $log"
	done <<<"$block"
	finish readme-log
}

# Every .PHONY target of the makefiles is in `make help`.
check_help() {
	local help t where
	help=$(make --no-print-directory -s help 2>&1)
	for t in $(sed -n 's/^\.PHONY://p' Makefile mk/*.mk | tr ' ' '\n' | sort -u); do
		[ "$t" = FORCE ] && continue
		grep -qE -- "make $t([ :]|$)" <<<"$help" && continue
		where=$(grep -lE "^\.PHONY:.*[[:space:]]$t([[:space:]]|$)" Makefile mk/*.mk | head -n1)
		fail help "$where: target '$t' is not listed by \`make help\` (add a line to help: in Makefile)"
	done
	finish help
}

checks=("$@")
[ ${#checks[@]} -gt 0 ] || checks=(binaries names figures readme-log help)
for c in "${checks[@]}"; do
	case $c in
	binaries) check_binaries ;;
	names) check_names ;;
	figures) check_figures ;;
	readme-log) check_readme_log ;;
	help) check_help ;;
	*) echo "docs-check: unknown check '$c' (binaries, names, figures, readme-log, help)" >&2; exit 2 ;;
	esac
done
[ "$failures" -eq 0 ]
