#!/usr/bin/env bash
# lwIP's packet input path under libFuzzer (fuzz/lwip_input.c, ASan+UBSan,
# the netstack's lwipopts.h) for `make test`: first each hand-made seed must
# reach what it was made for (ARP answered, ICMP echo answered, TCP SYN
# accepted, UDP echoed, DHCP offer taken: client REQUESTING); then a
# bounded run of LWIP_FUZZ_RUNS inputs (default 50000, fixed seed) from
# those seeds.  `make fuzz-net` runs a campaign (FUZZ_SECONDS).
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,/^[^#]/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
	exit 0
fi
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=${BUILD:-build}/fuzz/lwip_input
seeds=${BUILD:-build}/fuzz/lwip_input.seeds
runs=${LWIP_FUZZ_RUNS:-50000}
[ -x "$bin" ] || { echo "FAIL lwip_fuzz: $bin not built (make $seeds.stamp)"; exit 1; }
[ -f "$seeds/dhcp-offer" ] || { echo "FAIL lwip_fuzz: no seeds in $seeds"; exit 1; }
mkdir -p build/test-logs

# seed name, then what its trace line must contain
expect_seed() {
	local name=$1 want=$2 line
	line=$(LWIP_FUZZ_TRACE=1 "$bin" "$seeds/$name" 2>&1 | grep -a -m1 '^trace:')
	if grep -q -- "$want" <<<"$line"; then
		echo "PASS lwip_fuzz_seed_$name"
	else
		echo "FAIL lwip_fuzz_seed_$name: expected '$want' in: ${line:-no trace line}"
	fi
}
expect_seed arp-request 'a rx 1 tx 2 '
expect_seed icmp-echo 'icmp echo replies 1 '
expect_seed tcp-syn 'tcp active 1;'
expect_seed udp-echo 'udp rx 1;'
expect_seed dhcp-offer 'dhcp state 1$'

corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp "$seeds"/* "$corpus"/
log=build/test-logs/lwip_fuzz.detail.log
if "$bin" -runs="$runs" -max_len=4096 -seed=1 "$corpus" >"$log" 2>&1; then
	echo "PASS lwip_fuzz ($runs inputs, no crash, no leak)"
else
	echo "FAIL lwip_fuzz: crash, sanitizer report or leak (see $log):"
	grep -a -E 'ERROR|SUMMARY|runtime error|leak|assertion' "$log" | head -n 10
	exit 1
fi
