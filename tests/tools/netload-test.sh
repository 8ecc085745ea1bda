#!/usr/bin/env bash
# Checks the two programs of `make bench-net` on the host's loopback, with
# no guest: netserve (the Linux guest's /init, bench/linux/netserve.c, which
# binds 127.0.0.1 only when it is not pid 1) on free ports, and the load
# client tools/bench/netload.c against it: --help and bad arguments of
# both, an echo probe, an HTTP probe, 1 MiB through the echo service with its SHA-256, 4 x
# 25 keep-alive GETs all right (and one warm-up GET each), a 404 path counted as wrong, a malformed
# request answered 400, and the control line ending netserve with its
# counters.  Small counts: seconds, whatever the load.
# Prints PASS/FAIL lines in the test-suite format.
#
# Usage: tests/tools/netload-test.sh (BUILD=DIR: where make built them)
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
[ "${1:-}" = --help ] && { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
build=${BUILD:-build}
netload=$build/tools/netload
netserve=$build/linux-guest/net-root/init
for b in "$netload" "$netserve"; do
	[ -x "$b" ] || { echo "FAIL netload: $b not built (make all)"; exit 1; }
done
tmp=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT
failed=0
check() { # NAME GOT WANT-REGEX
	if [[ $2 =~ $3 ]]; then
		echo "PASS netload-$1"
	else
		echo "FAIL netload-$1: got '$2', want /$3/"
		failed=1
	fi
}
status() { "$@" >/dev/null 2>&1; echo $?; }

check help "$("$netload" --help)" "^usage: netload wait"
check help-serve "$("$netserve" --help)" "^usage: netserve"
check no-args "$(status "$netload")" "^2$"
check bad-mode "$("$netload" fly --port 1 2>&1; echo " $?")" "unknown mode 'fly'.* 2$"
check no-port "$("$netload" tcp 2>&1; echo " $?")" "needs --port.* 2$"
check bad-port "$("$netload" tcp --port 70000 2>&1; echo " $?")" "--port needs a number from 1 to 65535[[:space:]]+2$"
check bad-mib "$("$netload" tcp --port 1 --mib 0 2>&1; echo " $?")" "--mib needs a number.* 2$"
check bad-path "$("$netload" http --port 1 --path '' 2>&1; echo " $?")" "--path needs a one-line.* 2$"
check send-no-line "$("$netload" send --port 1 2>&1; echo " $?")" "needs --line.* 2$"
check freeport "$("$netload" freeport 3 | sort -u | grep -c '^[0-9]*$')" "^3$"
check serve-bad-arg "$("$netserve" --body-bytes 10 2>&1; echo " $?")" "at least 64.* 2$"
check serve-unknown "$("$netserve" --fly 2>&1; echo " $?")" "unknown argument '--fly'.* 2$"

"$netserve" --echo-port 0 --http-port 0 --ctl-port 0 --body-bytes 700 --timeout 60 >"$tmp/serve.log" 2>&1 &
spid=$!
for _ in $(seq 1 100); do
	grep -q 'ready:' "$tmp/serve.log" && break
	sleep 0.1
done
ready=$(grep 'ready:' "$tmp/serve.log")
check serve-ready "$ready" "echo port [0-9]+, http port [0-9]+ \(page 700 bytes\), control port [0-9]+ on 127\.0\.0\.1"
pe=$(sed -n 's/.*echo port \([0-9]*\).*/\1/p' <<<"$ready")
ph=$(sed -n 's/.*http port \([0-9]*\).*/\1/p' <<<"$ready")
pc=$(sed -n 's/.*control port \([0-9]*\).*/\1/p' <<<"$ready")
if [ -z "$pe" ] || [ -z "$ph" ] || [ -z "$pc" ]; then
	echo "FAIL netload-serve: no ports in '$(cat "$tmp/serve.log")'"
	exit 1
fi

check wait "$("$netload" wait --port "$pe" --timeout 20)" "^netload: wait echo port=$pe ready_after_s="
check wait-http "$("$netload" wait --http --port "$ph" --timeout 20)" "^netload: wait http port=$ph ready_after_s="
check tcp "$("$netload" tcp --port "$pe" --mib 1 --timeout 60)" "bytes=1048576 sent=1048576 received=1048576 .* ok$"
check http "$("$netload" http --port "$ph" --conns 4 --requests 25 --timeout 60)" \
	"requests=100 ok=100 bad=0 lost=0 .* body_bytes=700\.\.700 .* ok$"
check http-404 "$("$netload" http --port "$ph" --conns 1 --requests 2 --path /nope --timeout 60; echo " $?")" \
	"ok=0 bad=2 .* FAIL[[:space:]]+1$"
# A request netserve refuses: 400, then it closes; netload counts it wrong.
exec 3<>"/dev/tcp/127.0.0.1/$ph"
printf 'POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc' >&3
check http-400 "$(timeout 10 head -c 12 <&3)" "^HTTP/1.1 400$"
exec 3<&-
check control "$("$netload" send --port "$pc" --line poweroff --timeout 20)" "answer=bye$"
wait "$spid"
check serve-exit "$?" "^0$"
spid=
check serve-counters "$(grep 'served:' "$tmp/serve.log")" \
	"echoed 1048577 bytes; http 200=105 404=3 400=1$"
exit $failed
