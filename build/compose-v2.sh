#!/usr/bin/env bash
# Prints the path of a Docker Compose v2 binary for the e2e tests, unpacked from Debian 13's
# docker-compose package (which holds v2 as /usr/libexec/docker/cli-plugins/docker-compose) with
# apt-get download + dpkg-deb -x into a private cache: the host's apt sources, lists and packages
# are unchanged, so Debian 12's docker-compose (v1) can stay installed beside it.
# Cached in DVOL_E2E_CACHE (default /var/cache/dvol-e2e); progress goes to stderr.
set -euo pipefail

CACHE=${DVOL_E2E_CACHE:-/var/cache/dvol-e2e}/compose-v2
MIRROR=${DVOL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
BIN=$CACHE/root/usr/libexec/docker/cli-plugins/docker-compose

if [[ -x $BIN ]] && "$BIN" version >/dev/null 2>&1; then
  echo "$BIN"
  exit 0
fi
for cmd in apt-get dpkg-deb; do
  command -v "$cmd" >/dev/null || {
    echo "$cmd is missing: compose v2 is unpacked from Debian's docker-compose package (Debian or Ubuntu only)" >&2
    exit 1
  }
done

echo "unpacking compose v2 from Debian 13's docker-compose package into $CACHE" >&2
rm -rf "$CACHE"
mkdir -p "$CACHE"/{lists/partial,archives/partial,parts,debs}
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR trixie main" >"$CACHE/sources.list"
# Every apt path that update/download read or write points into the cache.
apt=(apt-get -qq
  -o "Dir::Etc::SourceList=$CACHE/sources.list" -o "Dir::Etc::SourceParts=$CACHE/parts"
  -o "Dir::State::Lists=$CACHE/lists" -o "Dir::Cache=$CACHE" -o "Dir::Cache::archives=$CACHE/archives"
  -o "Dir::State::status=/dev/null" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
"${apt[@]}" update >&2
(cd "$CACHE/debs" && "${apt[@]}" download docker-compose >&2)
dpkg-deb -x "$CACHE"/debs/docker-compose_*.deb "$CACHE/root"
"$BIN" version >&2
echo "$BIN"
