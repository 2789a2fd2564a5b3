#!/usr/bin/env bash
# Installs the .deb that `cpack -G DEB` built into a minimal Debian 12 made by debootstrap (a clean
# machine: nothing heaplint needs is there beforehand), then runs it on a file with one finding.
# Needs root and Debian's mirror; takes a few minutes, so CI does not run it.
#   scripts/check_deb_on_clean_debian.sh build/heaplint_*.deb
set -euo pipefail
deb=$(realpath "$1")
root=$(mktemp -d /tmp/heaplint-clean-XXXXXX)
cleanup() { umount "$root/proc" 2>/dev/null || true; rm -rf "$root"; }
trap cleanup EXIT
command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/heaplint.deb"
mount -t proc proc "$root/proc"
chroot "$root" /bin/sh -ec '
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/heaplint.deb >/dev/null
  heaplint --version
  printf "x = sum([i * i for i in range(10)])\n" > /tmp/sample.py
  status=0; heaplint check /tmp/sample.py || status=$?
  [ "$status" = 1 ] || { echo "expected exit 1 (one finding), got $status" >&2; exit 1; }
  test -f /usr/share/man/man1/heaplint.1* || test -f /usr/share/man/man1/heaplint.1
'
echo "check_deb_on_clean_debian: installed and ran on a clean Debian 12"
