#!/usr/bin/env bash
# Bounded run of the ELF64 validator fuzzer (fuzz/elf64_fuzz.c) for `make
# test`: seeds are real user ELFs from the build; ELF_FUZZ_RUNS inputs
# (default 200000).  Prints one PASS/FAIL line.
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
	sed -n '2,/^[^#]/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
	exit 0
fi
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=build/fuzz/elf64
runs=${ELF_FUZZ_RUNS:-200000}
[ -x "$bin" ] || { echo "FAIL elf64_fuzz: $bin not built"; exit 1; }
corpus=build/fuzz/elf64-corpus
mkdir -p "$corpus"
for f in build/user/tests/qemu/proc/*.elf build/proc/hostile/*; do
	[ -f "$f" ] && cp "$f" "$corpus/seed-$(basename "$f")"
done
mkdir -p build/test-logs
log=build/test-logs/elf64_fuzz.detail.log
if "$bin" -runs="$runs" -max_len=16384 -seed=1 "$corpus" >"$log" 2>&1; then
	echo "PASS elf64_fuzz ($runs inputs)"
else
	echo "FAIL elf64_fuzz: crash or invariant violation (see $log)"
	exit 1
fi
