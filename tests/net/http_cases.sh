# The HTTP cases of tests/net/run.sh (sourced by it; not run alone): httpd
# (services/httpd, docs/httpd.md) on the guest's port 80, reached at
# 127.0.0.1:$http.  run.sh boots with httpd.token=$token and
# httpd.request_ms=$http_request_ms on the kernel command line.  Each
# case prints one PASS/FAIL line; every wait is bounded.
#   http_page        the page and the status JSON (curl)
#   http_concurrent  50 clients at once, every answer checked (a client
#                    reset at the netstack's backlog tries once more)
#   http_malformed   malformed and refused requests: 400/501/505/431/405,
#                    HTTP/1.0 and pipelined requests
#   http_slowloris   a request trickled a byte a second: dropped at its
#                    deadline, counted
#   http_flood       100 connections at once: all answered or closed,
#                    none left open, at most the limit open at once
#   http_shutdown    a wrong token refused, the run's token stops httpd

# The JSON of /status, or nothing.
http_status() {
	curl -s -m 60 "http://127.0.0.1:$http/status"
}

# The number after "field": in a status line.
json_num() {
	sed -n "s/.*\"$2\": \([0-9][0-9]*\).*/\1/p" <<<"$1"
}

case_http_page() {
	local body st why=
	body=$(curl -s -m 60 -D "$tmp/h.head" "http://127.0.0.1:$http/") || why+=" curl / failed;"
	grep -q '^HTTP/1.1 200 OK' "$tmp/h.head" || why+=" / not 200;"
	grep -qi '^Content-Type: text/html' "$tmp/h.head" || why+=" / not text/html;"
	grep -q 'capability operating system' <<<"$body" || why+=" the page does not say what capOS is;"
	grep -q 'TcpListenAuthority' <<<"$body" || why+=" the page does not say what httpd holds;"
	st=$(http_status)
	for f in uptime_ms processes frames_free frames_total connections_served connections_open \
		requests_served; do
		[ -n "$(json_num "$st" "$f")" ] || why+=" /status lacks a number for $f;"
	done
	if [ -z "$why" ]; then
		echo "PASS net_http_page (page $(wc -c <<<"$body") bytes; /status: processes $(json_num "$st" processes), frames free $(json_num "$st" frames_free))"
	else
		echo "FAIL net_http_page:$why (status: $st)"
	fi
}

# 50 clients at once.  The netstack resets connections that lwIP completes
# beyond the listener's backlog (16) before httpd accepts them; a client
# so reset tries once more, one at a time, and the line says how many did.
case_http_concurrent() {
	local i ok=0 retried=0 start end pids=()
	start=$(date +%s.%N)
	for ((i = 0; i < 50; i++)); do
		curl -s -m 120 -o "$tmp/c.$i" -w '%{http_code}' "http://127.0.0.1:$http/status" >"$tmp/c.$i.code" &
		pids+=($!)
	done
	wait "${pids[@]}" # not a bare wait: QEMU is a background job too
	end=$(date +%s.%N)
	for ((i = 0; i < 50; i++)); do
		if [ "$(cat "$tmp/c.$i.code")" != 200 ]; then
			retried=$((retried + 1))
			curl -s -m 120 -o "$tmp/c.$i" -w '%{http_code}' "http://127.0.0.1:$http/status" >"$tmp/c.$i.code"
		fi
		[ "$(cat "$tmp/c.$i.code")" = 200 ] && grep -q '"requests_served": [0-9]' "$tmp/c.$i" && ok=$((ok + 1))
	done
	if [ "$ok" = 50 ]; then
		echo "PASS net_http_concurrent (50 clients at once: 50 correct answers in $(awk "BEGIN { printf \"%.1f\", $end - $start }") s; $retried reset at the netstack's backlog and answered on a second try)"
	else
		echo "FAIL net_http_concurrent: $ok of 50 clients got 200 with the status JSON ($retried tried twice)"
	fi
}

# Sends $2 (printf format) on one connection; the answer must start with $3.
http_expect() {
	local out
	out=$(printf "$2" | "$client" tcp "$http" 2>/dev/null | tr -d '\r')
	if grep -q "^$3" <<<"$out"; then
		return 0
	fi
	echo "FAIL net_http_malformed: $1: got '$(head -n 1 <<<"$out")', want '$3'"
	return 1
}

case_http_malformed() {
	local n=0
	http_expect "space before colon" 'GET / HTTP/1.1\r\nHost : a\r\n\r\n' 'HTTP/1.1 400 Bad Request' && n=$((n + 1))
	http_expect "bare LF" 'GET / HTTP/1.1\nHost: a\n\n' 'HTTP/1.1 400 Bad Request' && n=$((n + 1))
	http_expect "no Host" 'GET / HTTP/1.1\r\n\r\n' 'HTTP/1.1 400 Bad Request' && n=$((n + 1))
	http_expect "binary junk" '\x01\x02\x03\xff\r\n\r\n' 'HTTP/1.1 400 Bad Request' && n=$((n + 1))
	http_expect "chunked body" 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' 'HTTP/1.1 501' && n=$((n + 1))
	http_expect "HTTP/2.0" 'GET / HTTP/2.0\r\n\r\n' 'HTTP/1.1 505' && n=$((n + 1))
	http_expect "a 3000-byte target" "GET /$(head -c 3000 /dev/zero | tr '\0' a) HTTP/1.1\r\nHost: a\r\n\r\n" 'HTTP/1.1 414' && n=$((n + 1))
	http_expect "40 headers" "GET / HTTP/1.1\r\nHost: a\r\n$(for i in $(seq 40); do printf 'X%d: %d\\r\\n' "$i" "$i"; done)\r\n" 'HTTP/1.1 431' && n=$((n + 1))
	http_expect "POST" 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab' 'HTTP/1.1 405' && n=$((n + 1))
	http_expect "HTTP/1.0 closes" 'GET /status HTTP/1.0\r\n\r\n' 'HTTP/1.1 200 OK' && n=$((n + 1))
	# Two requests in one write: both answered, in order, on one connection.
	local out
	out=$(printf 'GET /nothing HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n' |
		"$client" tcp "$http" 2>/dev/null | tr -d '\r' | grep '^HTTP/1.1' | tr '\n' ' ')
	if [ "$out" = "HTTP/1.1 404 Not Found HTTP/1.1 200 OK " ]; then
		n=$((n + 1))
	else
		echo "FAIL net_http_malformed: pipelined: got '$out'"
	fi
	[ "$n" = 11 ] && echo "PASS net_http_malformed (11 requests: 400 x4, 501, 505, 414, 431, 405, HTTP/1.0, pipelined 404+200)"
}

case_http_slowloris() {
	local from st sent
	from=$(log_size)
	printf 'GET / HTTP/1.1\r\nHost: a\r\nX-Slow: %048d\r\n\r\n' 0 >"$tmp/slow"
	# In a subshell that ignores SIGPIPE: a write after httpd closed the
	# connection must not end the script.
	sent=$(
		trap '' PIPE
		exec {fd}<>"/dev/tcp/127.0.0.1/$http" || exit 1
		for ((i = 0; i < 60; i++)); do
			tail -c +$((i + 1)) "$tmp/slow" | head -c 1 >&$fd 2>/dev/null || break
			tail -c +$((from + 1)) "$log" | grep -aEq '^\[httpd\] conn [0-9]+ closed: request timeout' && break
			sleep 1
		done
		echo "$i"
	) || { echo "FAIL net_http_slowloris: no connection"; return; }
	if wait_log '^\[httpd\] conn [0-9]+ closed: request timeout' 60 "$from"; then
		st=$(http_status)
		echo "PASS net_http_slowloris (a byte a second: closed at the ${http_request_ms} ms request deadline after $sent bytes; timed out so far: $(json_num "$st" connections_timed_out))"
	else
		echo "FAIL net_http_slowloris: no 'closed: request timeout' line after $sent bytes (see $log)"
	fi
}

case_http_flood() {
	local out st open
	out=$("$client" flood "$http" 100 2>&1) || { echo "FAIL net_http_flood: $out"; return; }
	local i
	for ((i = 0; i < 60; i++)); do
		st=$(http_status)
		open=$(json_num "$st" connections_open)
		[ "$open" = 1 ] && break
		sleep 1
	done
	if [ "$open" = 1 ]; then
		echo "PASS net_http_flood ($out; afterwards 1 connection open (this one), $(json_num "$st" connections_refused) refused at the limit of $(json_num "$st" connection_limit))"
	else
		echo "FAIL net_http_flood: $open connections still open after the flood (status: $st)"
	fi
}

case_http_shutdown() {
	local from code
	from=$(log_size)
	code=$(curl -s -m 60 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http/shutdown?token=not-$token")
	if [ "$code" != 403 ]; then
		echo "FAIL net_http_shutdown: a wrong token got $code, want 403"
		return
	fi
	code=$(curl -s -m 60 -o "$tmp/stop" -w '%{http_code}' "http://127.0.0.1:$http/shutdown?token=$token")
	if [ "$code" = 200 ] && wait_log '^\[httpd\] exiting: ' 60 "$from"; then
		local peak
		peak=$(tail -c +$((from + 1)) "$log" | sed -n 's/^\[httpd\] exiting: .*at most \([0-9]*\) open at once.*/\1/p')
		echo "PASS net_http_shutdown (403 for a wrong token; the run's token: httpd exited, at most $peak connections were open at once)"
	else
		echo "FAIL net_http_shutdown: /shutdown got $code, or no '[httpd] exiting' line (see $log)"
	fi
}
