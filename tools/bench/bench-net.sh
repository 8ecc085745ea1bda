#!/usr/bin/env bash
# `make bench-net`: TCP echo throughput and HTTP requests per second, capOS
# beside a Linux guest, both booted by this script with the same QEMU
# command line (flags, machine, devices, netdev; only -kernel, -initrd and
# -append differ) and measured by the same host client
# (tools/bench/netload.c) through QEMU's forwards on 127.0.0.1.  Both
# guests run at once and the rounds alternate between them, so a change in
# the host's load touches both columns; each column is the best of its
# rounds (all are printed).
#
# Usage: tools/bench/bench-net.sh [options]
#   --build DIR          where make put tools/netload, linux-guest/ (default build)
#   --capos-kernel ELF --capos-manifest BIN
#                        the capOS system to measure (TCP echo on port 7, HTTP
#                        on 80); without them the capOS column says why
#   --capos-serves LIST  what the capOS system serves: "echo http" (default),
#                        "echo" or "http"; the other's cell says so
#   --capos-na REASON    capOS column: "not available: REASON"
#   --no-linux           capOS only
#   --rounds R           measures per guest (default 3)
#   --mib N              TCP: N MiB through the echo service (default 16)
#   --conns K --requests M   HTTP: K keep-alive connections x M GETs (8 x 200)
#   --icount             both guests under -icount shift=0 (off by default:
#                        docs/benchmarks.md, "Network")
#   --boot-timeout S     wait S s for a guest's echo service (default 300)
# Logs and client output: DIR/bench-net/{capos,linux}.{log,netload}.
# The unit is wall-clock time on this host under TCG: figures move with
# the machine's load; the ratio is the figure to read.
# Exit 0 when every guest was measured and answered correctly; 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
build=build capos_kernel='' capos_manifest='' capos_na='' capos_serves='echo http' linux=1
mib=16 conns=8 requests=200 icount=0 boot_timeout=300 rounds=3
die() { echo "bench-net: $*" >&2; exit 2; }
say() { echo "bench-net: $*" >&2; }
while [ $# -gt 0 ]; do
	case "$1" in
	-h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--build) build=$2; shift 2 ;;
	--capos-kernel) capos_kernel=$2; shift 2 ;;
	--capos-manifest) capos_manifest=$2; shift 2 ;;
	--capos-na) capos_na=$2; shift 2 ;;
	--capos-serves) capos_serves=$2; shift 2 ;;
	--no-linux) linux=0; shift ;;
	--rounds) rounds=$2; shift 2 ;;
	--mib) mib=$2; shift 2 ;;
	--conns) conns=$2; shift 2 ;;
	--requests) requests=$2; shift 2 ;;
	--icount) icount=1; shift ;;
	--boot-timeout) boot_timeout=$2; shift 2 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
case " $capos_serves " in *" echo "*|*" http "*) ;; *) die "--capos-serves takes echo, http or both" ;; esac
for n in "$mib" "$conns" "$requests" "$boot_timeout" "$rounds"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || die "'$n' is not a positive number"
done
netload=$build/tools/netload
netserve=$build/linux-guest/net-root/init
out=$build/bench-net
[ -x "$netload" ] || die "no $netload (make bench-net builds it)"
mkdir -p "$out"
rm -f "$out"/capos.* "$out"/linux.*
# Each guest ends itself this long after boot if nothing else ended it.
watchdog=$((boot_timeout + rounds * 700 + 120))

# The one QEMU command line of both guests: capOS's `make run-net` machine
# (q35, VT-d, a modern virtio-net function on user networking with
# restrict=on) and CPU (qemu64 with SMEP/SMAP, capOS's default), TCG.
# shellcheck disable=SC2054 # commas inside QEMU option values
common=(-accel tcg -cpu qemu64,+smep,+smap -m 256M -smp 1 -machine q35
	-display none -monitor none -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	-nic none -device intel-iommu)
[ $icount = 1 ] && common+=(-icount shift=0)
nic=virtio-net-pci,netdev=n0,disable-legacy=on,addr=04.0,iommu_platform=on

# The Linux guest's modules for virtio-net, each after those it depends on
# (Debian builds them as modules: CONFIG_VIRTIO_PCI=m, CONFIG_VIRTIO_NET=m).
linux_modules="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
	failover net_failover virtio_net"

# linux_initramfs OUT: netserve as /init and the modules as /modules/NN-name.ko.
linux_initramfs() {
	local tree stage i=10 m f
	tree=$(tools/linux-guest.sh root) || return $?
	stage=$(mktemp -d)
	mkdir -p "$stage/modules"
	cp "$netserve" "$stage/init"
	for m in $linux_modules; do
		f=$(find "$tree/lib/modules" -name "$m.ko" | head -1)
		[ -n "$f" ] || { say "no $m.ko under $tree/lib/modules"; rm -rf "$stage"; return 1; }
		cp "$f" "$stage/modules/$i-$m.ko"
		i=$((i + 1))
	done
	tools/linux-guest.sh initramfs "$stage" "$1"
	local s=$?
	rm -rf "$stage"
	return $s
}

# boot NAME ARGS...: starts QEMU in the background with the guest's own
# -kernel/-initrd/-append; sets qpid[NAME] and the host ports forwarded to
# its echo (7), HTTP (80) and control (9) ports.
declare -A qpid p_echo p_http p_ctl qstatus serves
serves[linux]="echo http" serves[capos]=$capos_serves
serves_() { [[ " ${serves[$1]} " == *" $2 "* ]]; }
# A guest still running when the script ends (an error, ^C) is ended too.
# shellcheck disable=SC2317 # run by the EXIT trap
end_guests() {
	local p
	for p in "${qpid[@]}"; do kill "$p" 2>/dev/null; done
}
trap end_guests EXIT
boot() {
	local name=$1 ports
	shift
	ports=$("$netload" freeport 3) || die "no free ports on 127.0.0.1"
	read -r -d '' "p_echo[$name]" "p_http[$name]" "p_ctl[$name]" <<<"$ports"
	local fwd="hostfwd=tcp:127.0.0.1:${p_echo[$name]}-:7,hostfwd=tcp:127.0.0.1:${p_http[$name]}-:80"
	fwd+=",hostfwd=tcp:127.0.0.1:${p_ctl[$name]}-:9,hostfwd=udp:127.0.0.1:${p_echo[$name]}-:7"
	rm -f "$out/$name".*
	say "$name: booting; forwards 127.0.0.1:${p_echo[$name]}->7 (echo, TCP and UDP), :${p_http[$name]}->80 (http), :${p_ctl[$name]}->9 (control); serial log $out/$name.log"
	say "$name: qemu-system-x86_64 ${common[*]} -netdev user,id=n0,restrict=on,$fwd -device $nic $*"
	qemu-system-x86_64 "${common[@]}" -netdev "user,id=n0,restrict=on,$fwd" -device "$nic" \
		-serial "file:$out/$name.log" "$@" </dev/null &
	qpid[$name]=$!
}

# ready NAME: waits for its echo service (else its HTTP service); false
# (and a note) if it never answers.
ready() {
	local how=(--port "${p_echo[$1]}") what=echo
	serves_ "$1" echo || how=(--http --port "${p_http[$1]}") what=HTTP
	if "$netload" wait "${how[@]}" --timeout "$boot_timeout" >"$out/$1.netload"; then
		say "$1: $(tail -1 "$out/$1.netload")"
		return 0
	fi
	note[$1]="its $what service never answered within $boot_timeout s (see $out/$1.log)"
	failed=1
	say "$1: ${note[$1]}"
	return 1
}

# stop NAME: waits up to 60 s for QEMU to end by itself, then ends it.
stop() {
	local i pid=${qpid[$1]}
	for i in $(seq 1 120); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.5
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "$1: QEMU still running 60 s after the end of the measures: ending it (pid $pid)"
		kill "$pid"
	fi
	wait "$pid"
	qstatus[$1]=$?
	unset "qpid[$1]"
	say "$1: QEMU ended, status ${qstatus[$1]}"
}

# round NAME: one TCP and one HTTP measure, appended to $out/NAME.netload;
# a wrong answer becomes the guest's note.
round() {
	local name=$1 f=$out/$1.netload
	if serves_ "$name" echo; then
		"$netload" tcp --port "${p_echo[$name]}" --mib "$mib" --timeout 300 >>"$f" ||
			{ note[$name]="TCP echo: $(tail -1 "$f")"; failed=1; }
		say "$name: $(tail -1 "$f")"
	fi
	serves_ "$name" http || return 0
	"$netload" http --port "${p_http[$name]}" --conns "$conns" --requests "$requests" --timeout 300 >>"$f" ||
		{ note[$name]="${note[$name]:+${note[$name]}; }HTTP: $(tail -1 "$f")"; failed=1; }
	say "$name: $(tail -1 "$f")"
}

# best NAME tcp|http: the highest figure of the correct runs, or -.
best() {
	local v
	[ -f "$out/$1.netload" ] || { echo -; return; }
	case $2 in
	tcp) v=$(sed -n 's/^netload: tcp .* MBps=\([0-9.]*\) .* ok$/\1/p' "$out/$1.netload") ;;
	http) v=$(sed -n 's/^netload: http .* rps=\([0-9.]*\) .* ok$/\1/p' "$out/$1.netload") ;;
	esac
	[ -n "$v" ] || { echo -; return; }
	sort -g <<<"$v" | tail -1
}
all_runs() { # NAME tcp|http: every figure, in order
	local key
	[ -f "$out/$1.netload" ] || return 0
	key=$([ "$2" = tcp ] && echo MBps || echo rps)
	sed -n "s/^netload: $2 .* $key=\([0-9.]*\) .*/\1/p" "$out/$1.netload" | tr '\n' ' '
}

declare -A note
failed=0 guests=()
body=-
if [ -n "$capos_na" ]; then
	note[capos]=$capos_na
elif [ -z "$capos_kernel" ] || [ -z "$capos_manifest" ]; then
	note[capos]="no capOS system given (--capos-kernel, --capos-manifest)"
else
	# httpd's /shutdown needs the run's token (httpd.token on the kernel
	# command line).
	token=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	boot capos -kernel "$capos_kernel" -initrd "$capos_manifest" \
		-append "watchdog=$watchdog httpd.token=$token"
	if ready capos; then
		guests+=(capos)
		serves_ capos http || { page=1024; body="no HTTP service"; }
		# The page size Linux serves: the same as capOS's httpd.
		serves_ capos http &&
			"$netload" http --port "${p_http[capos]}" --conns 1 --requests 1 --timeout 60 >"$out/capos.probe" &&
			body=$(sed -n 's/^netload: http .* body_bytes=\([0-9]*\)\.\..*/\1/p' "$out/capos.probe")
	fi
fi

page=1024
[[ $body =~ ^[0-9]+$ ]] && [ "$body" -ge 64 ] && [ "$body" -le 32768 ] && page=$body
cpio=$build/linux-guest/net.cpio
if [ $linux = 0 ]; then
	note[linux]="not run (--no-linux)"
else
	[ -x "$netserve" ] || die "no $netserve (make bench-net builds it)"
	linux_initramfs "$cpio"
	case $? in
	0)
		boot linux -kernel "$(tools/linux-guest.sh kernel)" -initrd "$cpio" \
			-append "console=ttyS0 quiet panic=-1 -- --body-bytes $page --timeout $watchdog"
		ready linux && guests+=(linux)
		;;
	3) note[linux]="no Linux kernel: not cached and cannot be fetched (offline?)" ;;
	*) note[linux]="the initramfs could not be built" ;;
	esac
fi

# Both guests are up: the rounds alternate between them, so a change in
# the host's load touches both columns alike.
for r in $(seq 1 "$rounds"); do
	for g in "${guests[@]}"; do
		say "round $r of $rounds: $g"
		round "$g"
	done
done

# The end: Linux powers off when its control port says so.
if [ -n "${qpid[linux]:-}" ]; then
	"$netload" send --port "${p_ctl[linux]}" --line poweroff --timeout 30 >>"$out/linux.netload" ||
		kill "${qpid[linux]}"
	stop linux
	grep -a '^netserve: served' "$out/linux.log" | sed 's/^/bench-net: linux: /' >&2
fi
# capOS ends when its clients of the netstack are gone: httpd after
# /shutdown with the token, netecho after a UDP "quit"; then the netstack
# and the driver exit and the kernel checks every frame came back (status
# 33).
if [ -n "${qpid[capos]:-}" ]; then
	serves_ capos http && "$netload" http --port "${p_http[capos]}" --conns 1 --requests 1 \
		--path "/shutdown?token=$token" --timeout 30 >>"$out/capos.stop"
	serves_ capos echo && "$netload" send --udp --port "${p_echo[capos]}" --line quit --timeout 30 >>"$out/capos.stop"
	stop capos
	# What each capOS process did in the whole run (measures, warm-ups,
	# probes): for the per-request and per-byte costs in the docs.
	grep -a -e "^proc: pid [0-9]* '[a-z_]*' stats:" -e '^\[httpd\] exiting' -e '^\[netecho\].*served' \
		-e '^\[vnet\] client gone' -e '^\[netstack\] sockets:' "$out/capos.log" | sed 's/^/bench-net: capos: /' >&2
	case ${qstatus[capos]} in
	33) say "capos: the system ended cleanly (status 33: every service exited, every frame back)" ;;
	*) say "capos: the system did not end cleanly (QEMU status ${qstatus[capos]}; see $out/capos.log)" ;;
	esac
fi

ratio() { # capOS/Linux of two figures, or -
	[[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]] || { echo -; return; }
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}
tcp_c=$(best capos tcp) tcp_l=$(best linux tcp) http_c=$(best capos http) http_l=$(best linux http)
echo
echo "bench-net: wall clock on this host (load average $(cut -d' ' -f1-3 /proc/loadavg)), QEMU TCG$([ $icount = 1 ] && echo ' with -icount shift=0' || echo ', no -icount'),"
echo "both guests up together, $rounds alternating rounds, the best of each; the same QEMU command line:"
echo "  ${common[*]} -netdev user,restrict=on,hostfwd=... -device $nic"
echo
echo "| measure | capOS | Linux | capOS/Linux |"
echo "|---|--:|--:|--:|"
echo "| TCP echo, $mib MiB host->guest->host, MB/s | $tcp_c | $tcp_l | $(ratio "$tcp_c" "$tcp_l") |"
echo "| HTTP GET /, $conns keep-alive conns x $requests, requests/s | $http_c | $http_l | $(ratio "$http_c" "$http_l") |"
echo
for g in capos linux; do
	[ -s "$out/$g.netload" ] && echo "$g runs: TCP MB/s $(all_runs $g tcp); HTTP requests/s $(all_runs $g http)"
done
echo "page: $page bytes (capOS's httpd: $body; Linux serves the same size)"
[ -z "${note[capos]:-}" ] || echo "capOS: not available: ${note[capos]}"
if [ -z "$capos_na" ]; then
	serves_ capos echo || echo "capOS TCP echo: not available: the system runs no echo service on port 7"
	serves_ capos http || echo "capOS HTTP: not available: the system runs no HTTP service on port 80"
fi
[ -z "${note[linux]:-}" ] || echo "Linux: not available: ${note[linux]}"
exit $failed
