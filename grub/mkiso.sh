#!/usr/bin/env bash
# Builds a GRUB 2 ISO that boots a Multiboot2 kernel on BIOS and UEFI
# (grub-mkrescue makes a hybrid image when grub-pc-bin and
# grub-efi-amd64-bin are both installed).
#
# Usage: grub/mkiso.sh OUT.iso KERNEL.elf "CMDLINE" [MODULE...]
# Each module is loaded with GRUB `module2`; its name is the file's basename.
set -euo pipefail
if [ "${1:-}" = "--help" ] || [ $# -lt 3 ]; then
	sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
	[ "${1:-}" = "--help" ] && exit 0 || exit 2
fi
out=$1 kernel=$2 cmdline=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
stage=$(mktemp -d "${out%.iso}.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/boot/grub" "$stage/boot/modules"
cp "$kernel" "$stage/boot/kernel.elf"
mods=""
for m in "$@"; do
	[ -f "$m" ] || { echo "mkiso: module $m not found" >&2; exit 1; }
	b=$(basename "$m")
	cp "$m" "$stage/boot/modules/$b"
	mods+="	module2 /boot/modules/$b $b"$'\n'
done
# Substitute without sed so any character in the command line is safe.
tmpl=$(<"$here/grub.cfg.in")
tmpl=${tmpl//@CMDLINE@/$cmdline}
tmpl=${tmpl//@MODULES@$'\t'/$mods$'\t'}
printf '%s\n' "$tmpl" >"$stage/boot/grub/grub.cfg"
# Reproducible with SOURCE_DATE_EPOCH (docs/build.md): xorriso takes its
# dates from it, every file's date is set to it (xorriso's default,
# set_to_mtime, would keep the staged files' real mtimes), and grub-mkrescue, which
# names the volume (and the embedded `search --fs-uuid`) after time(), runs
# under faketime with its clock stopped at that instant (-f: without it the
# clock runs on from there, and a loaded machine crosses a second).
mkrescue=(grub-mkrescue)
dates=()
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
	dates=(--set_all_file_dates "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d%H%M%S00)")
	if command -v faketime >/dev/null; then
		mkrescue=(env TZ=UTC faketime -f "$(date -u -d "@$SOURCE_DATE_EPOCH" '+%Y-%m-%d %H:%M:%S')" grub-mkrescue)
	else
		echo "mkiso: note: faketime not installed (tools/install-deps.sh): $out is not reproducible" >&2
	fi
fi
if ! log=$("${mkrescue[@]}" -o "$out.tmp" "$stage" "${dates[@]}" 2>&1); then
	echo "mkiso: grub-mkrescue failed:" >&2
	echo "$log" >&2
	exit 1
fi
mv "$out.tmp" "$out"
