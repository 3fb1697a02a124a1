#!/usr/bin/env bash
# npm run setup: builds dvol, installs (or upgrades in place) the managed Docker plugin `dvol` so that
# `docker volume create -d dvol` and compose `driver: dvol` work, and puts the `dvol` CLI on PATH.
# Run it again after pulling changes: it upgrades the plugin and keeps every volume.
# Needs root (or sudo) and a running Docker engine. Options: --force (upgrade even while containers
# use dvol volumes: they lose their mounts until restarted).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) != 0 ]]; then
  echo "npm run setup needs root to install a Docker plugin and /usr/local/bin/dvol: run 'sudo npm run setup'" >&2
  exit 1
fi
docker info >/dev/null 2>&1 || {
  echo "no Docker engine is reachable: install docker.io and start it ('apt-get install -y docker.io'), then run npm run setup again" >&2
  exit 1
}

[[ -d node_modules ]] || npm ci --no-audit --no-fund
npm run --silent build
bash build/plugin.sh
bash build/install-plugin.sh "$@" dvol

chmod +x dist/cli/dvol.js 2>/dev/null || true
ln -sfn "$PWD/dist/cli/dvol.js" /usr/local/bin/dvol
echo "dvol CLI linked at /usr/local/bin/dvol"
echo "ready: docker volume create -d dvol NAME, or 'driver: dvol' in docker-compose.yml"
