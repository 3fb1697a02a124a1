#!/usr/bin/env bash
# Makes the plugin's base image dvol-base:trixie from Debian packages, for hosts with no container
# registry (CI): debootstrap a minimal Debian 13 (Node 20) with the plugin's runtime packages and
# `docker import` it. Cached: does nothing when the image exists (pass --force to rebuild).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=build/need.sh
source build/need.sh

IMAGE=${DVOL_BASE_IMAGE:-dvol-base:trixie}
MIRROR=${DVOL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# debootstrap keeps the packages it downloads here and reuses those whose checksum the archive
# still lists, so a rebuild (--force, a changed package list) downloads only what changed.
CACHE=/var/cache/dvol/debootstrap
# Keep in sync with plugin/Dockerfile's package list: the Dockerfile skips apt when all are present.
# e2fsprogs: chattr +C for btrfs volumes created with copyonwrite=false.
PACKAGES=nodejs,mount,util-linux,btrfs-progs,coreutils,attr,e2fsprogs,ca-certificates

# The image is labelled with its package list, so a changed list makes a new image.
made_with=$(docker image inspect -f '{{ index .Config.Labels "dvol.packages" }}' "$IMAGE" 2>/dev/null || true)
if [[ ${1:-} != --force && $made_with == "$PACKAGES" ]]; then
  echo "base image $IMAGE exists"
  exit 0
fi
need debootstrap debootstrap "to build the base image $IMAGE locally"
# Ubuntu's debootstrap needs Debian's archive key to check what it downloads.
if [[ ! -f /usr/share/keyrings/debian-archive-keyring.gpg ]]; then
  if can_apt; then apt_install "Debian's archive key, for debootstrap" debian-archive-keyring; fi
fi

mkdir -p "$CACHE"
dir=$(mktemp -d /var/tmp/dvol-base.XXXXXX)
trap 'rm -rf --one-file-system "$dir"' EXIT
echo "debootstrap trixie into $dir (a few minutes)"
debootstrap --variant=minbase --cache-dir="$CACHE" --include="$PACKAGES" trixie "$dir" "$MIRROR" >"$dir.log" 2>&1 || {
  tail -n 30 "$dir.log" >&2
  echo "debootstrap failed: see $dir.log" >&2
  exit 1
}
rm -f "$dir.log"
# Cached packages this image did not use (older versions) go, so the cache stays one image's size.
if command -v dpkg-query >/dev/null; then
  used=$(dpkg-query --admindir="$dir/var/lib/dpkg" -W -f '${Package}_${Version}_${Architecture}.deb\n' | sed 's/:/%3a/g')
  for deb in "$CACHE"/*.deb; do
    if [[ -e $deb ]] && ! grep -qxF "${deb##*/}" <<<"$used"; then rm -f "$deb"; fi
  done
fi
# Package lists and caches only make the image bigger; the Dockerfile runs apt-get update if it needs apt.
rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc/* "$dir"/usr/share/man/*
tar -C "$dir" -c . | docker import --change "LABEL dvol.packages=$PACKAGES" - "$IMAGE" >/dev/null
echo "made base image $IMAGE"
