#!/usr/bin/env bash
# Kernel coverage table from the bitmaps a COVERAGE=1 kernel sends at exit
# (kernel/arch/x86_64/kcov.h; `make fuzz-coverage` writes one per seed).
# See docs/fuzzing.md "Coverage".
#
# Usage: tools/kcov-report.sh [options] BITMAP...
#   --elf ELF       the coverage kernel the bitmaps came from
#                   (default build/coverage/kernel.elf)
#   --files REGEX   source files the table lists (default: kernel/cap/*.c
#                   and kernel/api/ring_dispatch.c)
#   --lines REGEX   list the unreached block lines of these files
#                   (default kernel/api/ring_dispatch.c; '' for none)
#
# Then every method of every kernel capability type (by_process types:
# their opcodes CALL, RECV, RETURN, then the methods the kernel serves
# itself, e.g. Endpoint.mintClient; an endpoint's client sides: CALL only)
# with the number of times its perform ran, and the methods that never ran.
#
# A block is one call gcc's -fsanitize-coverage=trace-pc put in the code
# (the start of a basic block after optimisation); it counts for the file
# of the function it was compiled into, so an inlined helper's blocks count
# for its caller.  A line is reached when any block whose innermost source
# position in that file is the line ran.  The bitmaps are merged (OR).
set -euo pipefail
usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; }

elf=build/coverage/kernel.elf
files='^kernel/(cap/[a-z_]+\.c|api/ring_dispatch\.c)$'
lines='^kernel/api/ring_dispatch\.c$'
maps=()
while [ $# -gt 0 ]; do
	case $1 in
	--help) usage; exit 0 ;;
	--elf) elf=$2; shift 2 ;;
	--files) files=$2; shift 2 ;;
	--lines) lines=$2; shift 2 ;;
	-*) echo "kcov-report: unknown option $1 (--help lists them)" >&2; exit 2 ;;
	*) maps+=("$1"); shift ;;
	esac
done
[ -f "$elf" ] || { echo "kcov-report: $elf missing (make fuzz-coverage builds it)" >&2; exit 2; }
[ ${#maps[@]} -gt 0 ] || { echo "kcov-report: no bitmap given (--help)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

text_start=$(nm "$elf" | awk '$3 == "__text_start" { print $1 }')
[ -n "$text_start" ] || { echo "kcov-report: $elf has no __text_start" >&2; exit 2; }

# Reached offsets (from .text start), merged over every bitmap.
used=0
for m in "${maps[@]}"; do
	if [ "$(head -c 6 "$m" 2>/dev/null)" != "KCOV1" ]; then
		echo "kcov-report: $m: no coverage stream (the seed did not reach qemu_exit?), skipped" >&2
		continue
	fi
	start=$(od -An -v -tx8 -j6 -N8 "$m" | tr -d ' ')
	if [ "$start" != "$text_start" ]; then
		echo "kcov-report: $m: .text at $start, $elf has $text_start (another kernel?), skipped" >&2
		continue
	fi
	outside=$(od -An -v -tu8 -j22 -N8 "$m" | tr -d ' ')
	[ "$outside" = 0 ] || echo "kcov-report: $m: $outside blocks ran outside the bitmap" >&2
	od -An -v -tu1 -j30 "$m" | awk '{
		for (k = 1; k <= NF; k++) {
			v = $k
			for (b = 0; b < 8; b++) { if (v % 2) print n * 8 + b; v = int(v / 2) }
			n++
		}
	}' >>"$tmp/reached"
	len=$(od -An -v -tu8 -j14 -N8 "$m" | tr -d ' ')
	tail -c +$((31 + len)) "$m" | grep -a '^M ' >>"$tmp/methods" || true
	used=$((used + 1))
done
[ $used -gt 0 ] || { echo "kcov-report: no usable bitmap" >&2; exit 1; }
sort -un "$tmp/reached" -o "$tmp/reached"

# Block sites: the return address of every call to the hook, and the
# function it is in.
objdump -d --no-show-raw-insn "$elf" | awk '
	/^[0-9a-f]+ <.*>:$/ { fn = $2; gsub(/[<>:]/, "", fn); next }
	pending && /^ *[0-9a-f]+:/ { a = $1; sub(/:$/, "", a); print a, fn; pending = 0 }
	/call.*<__sanitizer_cov_trace_pc>/ { pending = 1 }
' >"$tmp/sites"

# Function -> file it is defined in.
nm -l --defined-only "$elf" | awk 'NF >= 4 && $2 ~ /^[tT]$/ {
	f = $4; sub(/:[0-9]+$/, "", f); sub(/^\.\//, "", f); print $3, f }' >"$tmp/funcs"

# Source position of each site's call instruction (address - 1), every
# inlined frame (-i), innermost first.
awk '
	function hex(s,   i, n) {
		n = 0
		for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return n
	}
	{ printf "ffffffff%08x\n", hex(substr($1, 9)) - 1 }' "$tmp/sites" |
	addr2line -a -i -e "$elf" >"$tmp/pos"

awk -v ts="$text_start" -v files="$files" -v lines="$lines" -v nmaps="$used" '
	function hex(s,   i, n) {
		n = 0
		for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return n
	}
	function isort(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) {
			t = a[i]
			for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
			a[j + 1] = t
		}
	}
	FILENAME == ARGV[1] { hit[$1] = 1; next }
	FILENAME == ARGV[2] { ffile[$1] = $2; next }
	FILENAME == ARGV[3] {
		if ($1 ~ /^0x/) { ns++; nf[ns] = 0; next }
		p = $1; sub(/^\.\//, "", p)
		pf = p; sub(/:[0-9?]+$/, "", pf); pl = p; sub(/^.*:/, "", pl)
		nf[ns]++; frf[ns, nf[ns]] = pf; frl[ns, nf[ns]] = pl
		next
	}
	{
		si++
		off = hex(substr($1, 9)) - hex(substr(ts, 9))
		fn = $2; f = ffile[fn]
		if (f == "") f = "?"
		r = (off in hit)
		blocks[f]++; breach[f] += r; all++; allr += r
		fns[f, fn] = 1; if (r) freach[f, fn] = 1
		# the line: the first frame in the function file, else innermost
		lf = frf[si, 1]; ll = frl[si, 1]
		for (k = 1; k <= nf[si]; k++)
			if (frf[si, k] == f) { lf = f; ll = frl[si, k]; break }
		key = lf SUBSEP ll
		if (!(key in lseen)) { lseen[key] = 1; lfile[lf]++ }
		if (r && !(key in lhit)) { lhit[key] = 1; lreach[lf]++ }
		lfn[key] = fn
	}
	END {
		for (k in fns) { split(k, a, SUBSEP); nfun[a[1]]++; if (k in freach) nfr[a[1]]++; allf++; if (k in freach) allfr++ }
		printf "kernel coverage from %d bitmap(s): %d of %d blocks (%.1f%%), %d of %d functions\n",
			nmaps, allr, all, 100 * allr / all, allfr, allf
		printf "%-34s %11s %16s %16s\n", "file", "functions", "blocks", "lines"
		n = 0
		for (f in blocks) if (f ~ files) list[++n] = f
		isort(list, n)
		for (i = 1; i <= n; i++) {
			f = list[i]
			printf "%-34s %5d/%-5d %6d/%-5d %3d%% %6d/%-5d %3d%%\n", f, nfr[f], nfun[f],
				breach[f], blocks[f], 100 * breach[f] / blocks[f],
				lreach[f], lfile[f], lfile[f] ? 100 * lreach[f] / lfile[f] : 0
			tb += blocks[f]; tr += breach[f]; tf += nfun[f]; tfr += nfr[f]
		}
		printf "%-34s %5d/%-5d %6d/%-5d %3d%%\n", "(these files)", tfr, tf, tr, tb, tb ? 100 * tr / tb : 0
		print "unreached functions:"
		none = 1
		for (i = 1; i <= n; i++) {
			f = list[i]; s = ""
			for (k in fns) { split(k, a, SUBSEP); if (a[1] == f && !(k in freach)) s = s " " a[2] }
			if (s != "") { printf "  %s:%s\n", f, s; none = 0 }
		}
		if (none) print "  none"
		if (lines == "") exit
		print "unreached lines (no block at the line ran):"
		m = 0
		for (k in lseen) {
			split(k, a, SUBSEP)
			if (a[1] ~ lines && !(k in lhit)) ul[++m] = sprintf("%s:%05d %s", a[1], a[2], lfn[k])
		}
		isort(ul, m)
		for (i = 1; i <= m; i++) { s = ul[i]; sub(/:0+/, ":", s); print "  " s }
		if (m == 0) print "  none"
	}
' "$tmp/reached" "$tmp/funcs" "$tmp/pos" "$tmp/sites"

# Methods: perform calls per Type.method, summed over the bitmaps.
touch "$tmp/methods"
awk '
	{ n[$2] += $3; if (!($2 in seen)) { seen[$2] = 1; order[++k] = $2 } }
	END {
		for (i = 1; i <= k; i++) {
			m = order[i]; t = m; sub(/\..*$/, "", t)
			tot[t]++; if (n[m] > 0) hit[t]++; all++; if (n[m] > 0) allhit++
			if (!(t in tseen)) { tseen[t] = 1; types[++nt] = t }
			if (n[m] == 0) miss[t] = miss[t] " " substr(m, length(t) + 2)
		}
		printf "capability methods whose perform ran: %d of %d\n", allhit, all
		for (i = 1; i <= nt; i++) {
			t = types[i]; s = ""
			for (j = 1; j <= k; j++) {
				m = order[j]; u = m; sub(/\..*$/, "", u)
				if (u == t) { x = substr(m, length(t) + 2); s = s " " x "=" n[m] }
			}
			printf "  %-16s %2d/%-2d %s%s\n", t, hit[t] + 0, tot[t], s, miss[t] != "" ? "  UNREACHED:" miss[t] : ""
		}
	}
' "$tmp/methods"
