#!/usr/bin/env bash
# Proves the README's two commands on a fresh machine: builds a minimal
# Debian 12 (bookworm) root with debootstrap, clones this repository's
# committed HEAD into it, and runs `make run` then `make test` inside a
# chroot as root, printing both outcomes.  Uncommitted changes are not seen.
#
# The base root (debootstrap --variant=minbase plus git, make and
# ca-certificates, the least a user needs to clone and type `make`) is cached
# as a tarball, and so are the .deb files and npm's cache, so a second run
# downloads almost nothing.  Every run starts from a new copy of the base.
# /proc, /sys, /dev and /dev/pts are mounted in the chroot and unmounted on
# any exit.  Debian's archive and the npm registry are the only sources.
#
# Usage: tools/fresh-check.sh [--keep] [--cache DIR] [--mirror URL]
#   --keep        leave the chroot in place after the run (for a look inside)
#   --cache DIR   where the base and download caches live
#                 (default /var/cache/capos-fresh; env FRESH_CACHE)
#   --mirror URL  Debian mirror (default http://deb.debian.org/debian)
# Exits 0 when both `make run` and `make test` exit 0.  Needs root.
set -euo pipefail
{ # the whole script is parsed before it runs (see the end)
usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }

keep=0
cache=${FRESH_CACHE:-/var/cache/capos-fresh}
mirror=http://deb.debian.org/debian
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	--keep) keep=1; shift ;;
	--cache) cache=${2:?--cache needs a directory}; shift 2 ;;
	--mirror) mirror=${2:?--mirror needs a URL}; shift 2 ;;
	*) echo "fresh-check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

log() { echo "fresh-check: $*"; }
die() { echo "fresh-check: error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot and mount do)"
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel) ||
	die "$(dirname "$0")/.. is not a git work tree"
head=$(git -C "$repo" rev-parse HEAD)
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
	log "warning: $repo has uncommitted changes; checking the committed HEAD only"
fi

if ! command -v debootstrap >/dev/null; then
	log "installing debootstrap (apt-get)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap ||
		die "apt-get install debootstrap failed"
fi

mkdir -p "$cache/debs" "$cache/npm"
base=$cache/bookworm-base.tar
if [ ! -f "$base" ]; then
	stage=$(mktemp -d "$cache/debootstrap.XXXXXX")
	log "debootstrap bookworm (minbase + git make ca-certificates) from $mirror into $stage"
	if ! debootstrap --variant=minbase --include=git,make,ca-certificates \
		bookworm "$stage" "$mirror" >"$cache/debootstrap.log" 2>&1; then
		tail -n 20 "$cache/debootstrap.log" >&2
		rm -rf --one-file-system "$stage"
		die "debootstrap failed (full log: $cache/debootstrap.log)"
	fi
	tar --numeric-owner -C "$stage" -cf "$base.tmp" . && mv "$base.tmp" "$base"
	rm -rf --one-file-system "$stage"
	log "cached the base root as $base"
else
	log "using the cached base root $base"
fi

root=$(mktemp -d "$cache/root.XXXXXX")
mounted=()
# Unmounts in reverse order; deletes the root only when nothing is mounted
# under it any more, so a stuck mount can never let rm reach the host's /dev.
cleanup() {
	local status=$? i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" ||
			echo "fresh-check: warning: could not unmount ${mounted[i]}" >&2
	done
	[ ${#mounted[@]} -gt 0 ] && log "unmounted ${#mounted[@]} file systems from $root"
	if grep -q " $root/" /proc/self/mountinfo; then
		echo "fresh-check: warning: something is still mounted under $root; not deleting it" >&2
	elif [ $keep = 1 ]; then
		log "kept the chroot at $root"
	else
		rm -rf --one-file-system "$root"
		log "removed $root"
	fi
	exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "new root $root from the cached base"
tar --numeric-owner -C "$root" -xf "$base"
# Like `git clone` of the repository as it is committed, without the host's
# remotes or hooks: a fresh clone of HEAD.
log "cloning $repo at $head into /root/capos"
git init -q "$root/root/capos"
git -C "$root/root/capos" fetch -q "$repo" "$head"
git -C "$root/root/capos" checkout -q --detach FETCH_HEAD
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Certificate authorities this site added locally (e.g. a proxy's) are part
# of every machine of the project's kind, so the fresh root gets them too;
# Debian's own set comes with its ca-certificates package.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
	log "adding this machine's local CA certificates: $(cd /usr/local/share/ca-certificates && echo *.crt)"
	cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
	chroot "$root" update-ca-certificates >/dev/null
fi
# Debian's archive only, as on the project's machines.
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$mirror" "$mirror" \
	>"$root/etc/apt/sources.list"

mnt() {   # type-or-bind source target
	mkdir -p "$3"
	if [ "$1" = bind ]; then mount --bind "$2" "$3"; else mount -t "$1" "$2" "$3"; fi
	mounted+=("$3")
}
mnt proc proc "$root/proc"
mnt sysfs sysfs "$root/sys"
mnt bind /dev "$root/dev"
mnt bind /dev/pts "$root/dev/pts"
mnt tmpfs tmpfs "$root/dev/shm"
# Download caches survive the run; the packages are still installed afresh.
mnt bind "$cache/debs" "$root/var/cache/apt/archives"
mnt bind "$cache/npm" "$root/root/.npm"
rm -f "$root/etc/apt/apt.conf.d/docker-clean"
# apt downloads as its own user: the shared cache must be writable by it.
chroot "$root" chown -R _apt:root /var/cache/apt/archives/partial /var/lib/apt/lists/partial \
	2>/dev/null || true
log "mounted /proc /sys /dev /dev/pts /dev/shm and the download caches in $root"

in_root() {   # command string, run by bash in the chroot from /root/capos
	chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		bash -c "cd /root/capos && $1"
}

outlog=$repo/build/fresh-check
mkdir -p "$outlog"
log "make run (log: $outlog/run.log)"
start=$SECONDS
set +e
in_root 'make run' 2>&1 | tee "$outlog/run.log"
run_status=${PIPESTATUS[0]}
run_secs=$((SECONDS - start))
log "make test (log: $outlog/test.log)"
start=$SECONDS
in_root 'make test' 2>&1 | tee "$outlog/test.log"
test_status=${PIPESTATUS[0]}
test_secs=$((SECONDS - start))
set -e

summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$outlog/test.log" | tail -n1)
echo
log "commit $head in a fresh Debian 12 root"
log "make run:  exit $run_status (${run_secs}s, including installing packages)"
log "make test: exit $test_status (${test_secs}s): ${summary:-no closing 'N passed, N failed' line}"
[ "$run_status" = 0 ] && [ "$test_status" = 0 ]
exit
}
