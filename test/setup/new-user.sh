#!/usr/bin/env bash
# What a new user types and sees on a bare machine: the set-up, then dvol on a volume. Run by
# bare-machine.test.ts as root inside a fresh Debian 13 container (Node 20, npm, the host's Docker
# engine, nothing else), in a fresh clone given as $1. Lines starting with '## ' are for the test.
set -euo pipefail
cd "${1:?usage: new-user.sh CLONE}"

for cmd in rsync debootstrap; do
  if command -v "$cmd" >/dev/null; then
    echo "## not a bare machine: $cmd is installed"
    exit 1
  fi
done
if env | grep -q '^DVOL_'; then
  echo "## not a bare machine: a DVOL_ variable is set"
  exit 1
fi
echo "## bare: no rsync, no debootstrap, no DVOL_ variable"

start=$(date +%s)
npm run setup
echo "## setup took $(($(date +%s) - start))s"

vol=newuser$$
trap 'docker volume rm -f "$vol" >/dev/null 2>&1 || true' EXIT
dvol init "$vol"
# No git on this machine: the author comes from dvol's own config, as commit's hint says.
dvol config user.name "New User"
dvol config user.email new.user@example.com
docker run --rm --label dvol-e2e -v "$vol:/data" --volume-driver dvol dvol-base:trixie sh -c 'echo hello > /data/file'
dvol commit -m hello
docker run --rm --label dvol-e2e -v "$vol:/data" --volume-driver dvol dvol-base:trixie sh -c 'echo world > /data/file; echo n > /data/new'
echo "## dvol diff"
dvol diff
echo "## dvol diff -v"
dvol diff -v
echo "## done"
