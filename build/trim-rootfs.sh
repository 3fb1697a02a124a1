#!/bin/sh
# Run inside the plugin image (plugin/Dockerfile), after its packages are in: deletes what the
# server never uses at run time — documentation, translations, the package manager and its state,
# Perl, charset converters, type definitions — to keep the installed plugin small. Figures:
# docs/benchmarks.md ("What the plugin's root filesystem holds").
set -eu
lib=/usr/lib/$(uname -m)-linux-gnu
rm -rf \
  /usr/share/doc /usr/share/man /usr/share/info /usr/share/locale /usr/share/i18n /usr/share/lintian \
  /usr/share/zoneinfo /usr/share/bash-completion /usr/share/zsh /usr/share/common-licenses /usr/share/perl5 \
  /usr/share/nodejs/corepack /usr/bin/corepack /usr/share/nodejs/@types /usr/share/nodejs/undici-types \
  /usr/bin/perl* "$lib"/perl-base "$lib"/gconv \
  /var/lib/dpkg /var/lib/apt /var/cache/apt /var/cache/debconf /var/log/* /usr/lib/apt /usr/bin/apt* \
  /usr/bin/dpkg* /usr/bin/sqv "$lib"/libapt-* /usr/bin/openssl \
  "$lib"/libsqlite3.so* "$lib"/libdb-5* "$lib"/liblastlog2.so* "$lib"/security /usr/bin/lslogins /usr/include \
  /usr/sbin/mkfs* /usr/sbin/mke2fs /usr/sbin/e2fsck /usr/sbin/fsck* /usr/sbin/debugfs /usr/sbin/resize2fs \
  /usr/sbin/e2image /usr/sbin/btrfs-convert /usr/sbin/btrfs-image /usr/sbin/btrfs-find-root \
  /usr/sbin/btrfs-select-super /usr/sbin/btrfstune /usr/bin/btrfs-convert /usr/bin/btrfs-image \
  /usr/bin/btrfs-find-root /usr/bin/btrfs-select-super /usr/bin/btrfstune /usr/bin/mkfs.btrfs
# What the server runs must still be there (a missing one fails the build, not a user's volume).
for cmd in node cp rm mount umount findmnt btrfs setfattr getfattr chattr lsattr stat sync which sleep true flock touch; do
  command -v "$cmd" >/dev/null || { echo "trim-rootfs: $cmd is gone" >&2; exit 1; }
done
node -e 'new Intl.DateTimeFormat("en", { timeZone: "UTC" }).format(0)'
