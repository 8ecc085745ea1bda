#!/usr/bin/env bash
# `make bench-figures`: runs every benchmark that bench/figures.txt names
# (its MEASURED BY column: make bench, bench-proc, ...) once, reads each
# figure from the output with the entry's OUTPUT REGEX, and compares it
# with the FIGURE the file (and so the docs) quote.  Guest figures are
# exact instruction counts, so any difference means the code changed them:
# update bench/figures.txt and the doc line it names.
#
# `make test` runs it too (a few seconds: the counts need no repetition).
#
# Usage: tools/bench/figures-check.sh [--update] [FIGURES_FILE]
#        (default bench/figures.txt; `make bench-figures UPDATE=1`)
# --update: a changed figure is written into FIGURES_FILE and into the doc
# line holding its TEXT (old number replaced by the new), and counts as
# passed; review the diff before committing.
# Prints `PASS figure FILE: TEXT = N` or `FAIL figure FILE: TEXT: quoted N,
# measured M (make TARGET)` per figure and `N passed, N failed`; exits 1 if
# any changed or could not be read.  Outputs: build/figures/<target>.txt.
set -uo pipefail
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
fi
cd "$(dirname "$0")/../.."
update=0
if [ "${1:-}" = "--update" ]; then
	update=1
	shift
fi
table=${1:-bench/figures.txt}
[ -r "$table" ] || { echo "figures: cannot read $table" >&2; exit 1; }
outdir=build/figures
mkdir -p "$outdir"

trim() { sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//' <<<"$1"; }

# update_figure FILE TEXT OLD NEW: the table's entry and the doc's line that
# holds TEXT get NEW where they had OLD (whole numbers only).
update_figure() {
	FIG_TABLE=$table FIG_FILE=$1 FIG_TEXT=$2 FIG_OLD=$3 FIG_NEW=$4 perl -e '
		use strict;
		my ($t, $f, $text, $old, $new) = @ENV{qw(FIG_TABLE FIG_FILE FIG_TEXT FIG_OLD FIG_NEW)};
		sub group {
			my ($seen, $n) = @_;
			my ($sep) = $seen =~ /([ ,])/;
			return $n unless defined $sep;
			1 while $n =~ s/^(\d+)(\d{3})/$1$sep$2/;
			return $n;
		}
		sub edit {
			my ($path, $want) = @_;
			open(my $in, "<", $path) or return 0;
			my @l = <$in>;
			close $in;
			my $done = 0;
			for (@l) {
				next unless $want->($_);
				# The doc may group digits ("95 553", "95,553"): keep its style.
				my $re = join("[ ,]?", split(//, $old));
				$done += s/(?<![0-9])($re)(?![0-9])/group($1, $new)/ge;
			}
			return 0 unless $done;
			open(my $out, ">", $path) or return 0;
			print $out @l;
			close $out;
			return 1;
		}
		my $in_table = sub { my ($fl, $tx) = (split /\|/, $_[0])[0, 1];
			defined $tx && $fl =~ /^\s*\Q$f\E\s*$/ && $tx =~ /^\s*\Q$text\E\s*$/ };
		my $in_doc = sub { index($_[0], $text) >= 0 };
		exit((edit($f, $in_doc) && edit($t, $in_table)) ? 0 : 1);'
}

declare -A ran=()
same=0
changed=0
while IFS= read -r raw || [ -n "$raw" ]; do
	[[ $raw =~ ^[[:space:]]*(#|$) ]] && continue
	IFS='|' read -r file text figure by regex <<<"$raw"
	file=$(trim "$file") text=$(trim "$text") figure=$(trim "$figure")
	by=$(trim "$by") regex=$(trim "$regex")
	if [[ ! $by =~ ^make\ ([a-z-]+)$ ]] || [ -z "$regex" ]; then
		echo "FAIL figure $file: $text: entry has no 'make TARGET' or no OUTPUT REGEX ($table)"
		changed=$((changed + 1))
		continue
	fi
	target=${BASH_REMATCH[1]}
	out=$outdir/$target.txt
	if [ -z "${ran[$target]:-}" ]; then
		echo "figures: make $target"
		# stdin is the table: QEMU must not eat its bytes
		make --no-print-directory "$target" BENCH_LINUX=0 >"$out" 2>&1 </dev/null ||
			echo "figures: make $target failed (see $out)"
		ran[$target]=1
	fi
	measured=$(tr -d '\r' <"$out" | perl -ne "if (/$regex/) { print \$1; exit }")
	if [ -z "$measured" ]; then
		echo "FAIL figure $file: $text: no line of 'make $target' matches /$regex/ (see $out)"
		changed=$((changed + 1))
	elif [ "$measured" = "$figure" ]; then
		echo "PASS figure $file: $text = $figure"
		same=$((same + 1))
	elif [ $update = 1 ] && update_figure "$file" "$text" "$figure" "$measured"; then
		echo "PASS figure $file: $text = $measured (updated from $figure in $table and $file)"
		same=$((same + 1))
	else
		echo "FAIL figure $file: $text: quoted $figure, measured $measured (make $target); update $table and $file (make bench-figures UPDATE=1)"
		changed=$((changed + 1))
	fi
done <<<"$(cat "$table")" # read whole first: an update rewrites the table
echo "$same passed, $changed failed"
[ "$changed" -eq 0 ]
