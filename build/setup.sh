#!/usr/bin/env bash
# npm run setup: builds dvol, installs (or upgrades in place) the managed Docker plugin `dvol` so that
# `docker volume create -d dvol` and compose `driver: dvol` work, and puts the `dvol` CLI on PATH.
# Run it again after pulling changes: it upgrades the plugin and keeps every volume.
# Needs root (or sudo), Node.js 20+ and a Docker engine; whatever else it needs it installs with
# apt-get (saying so) on Debian and Ubuntu. Options:
#   --install-docker  install docker.io and start it when no engine is reachable (Debian, Ubuntu)
#   --force           upgrade even while containers use dvol volumes (they lose their mounts until restarted)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=build/need.sh
source build/need.sh

install_docker=0
install_args=()
for arg in "$@"; do
  case $arg in
    --install-docker) install_docker=1 ;;
    --force) install_args+=(--force) ;;
    *)
      echo "npm run setup: unknown option '$arg'" >&2
      echo "usage: npm run setup [-- --install-docker] [-- --force]" >&2
      exit 2
      ;;
  esac
done

if [[ $(id -u) != 0 ]]; then
  echo "npm run setup needs root to install a Docker plugin and /usr/local/bin/dvol: run 'sudo npm run setup'" >&2
  exit 1
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if ((node_major < 20)); then
  echo "dvol needs Node.js 20 or newer (found $(node --version))" >&2
  exit 1
fi

# The OS as os-release names it (debian, ubuntu...), and whether apt can install docker.io there.
os_id=$( (. /etc/os-release 2>/dev/null && echo "${ID:-unknown} ${ID_LIKE:-}") || echo unknown)
apt_os=0
[[ " $os_id " == *" debian "* || " $os_id " == *" ubuntu "* ]] && can_apt && apt_os=1

# Starts the engine: through systemd when it runs this machine, else dockerd in the background.
start_docker() {
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
    echo "starting docker with systemd (systemctl enable --now docker)"
    systemctl enable --now docker >/dev/null
  else
    local log=/var/log/dockerd.log
    echo "starting dockerd in the background (no systemd here): log $log, pid file /var/run/docker.pid"
    nohup dockerd >>"$log" 2>&1 </dev/null &
  fi
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "the Docker engine did not answer within 60 s: see /var/log/dockerd.log or 'journalctl -u docker'" >&2
  exit 1
}

if ! docker info >/dev/null 2>&1; then
  if ((install_docker && apt_os)); then
    command -v dockerd >/dev/null || apt_install "the Docker engine" docker.io
    start_docker
  elif command -v dockerd >/dev/null || command -v docker >/dev/null; then
    echo "no Docker engine is reachable: docker is installed but not running" >&2
    if [[ -d /run/systemd/system ]]; then
      echo "hint: start it with 'sudo systemctl start docker', then run 'sudo npm run setup' again" >&2
    else
      echo "hint: start it with 'sudo dockerd >/var/log/dockerd.log 2>&1 &', then run 'sudo npm run setup' again" >&2
    fi
    exit 1
  elif ((apt_os)); then
    echo "no Docker engine is reachable: Docker is not installed" >&2
    echo "hint: 'sudo npm run setup -- --install-docker' installs Debian's docker.io with apt-get and starts it" >&2
    exit 1
  else
    echo "no Docker engine is reachable: Docker is not installed" >&2
    echo "hint: install Docker Engine for your system (https://docs.docker.com/engine/install/), start it, then run 'sudo npm run setup' again" >&2
    exit 1
  fi
fi

[[ -d node_modules ]] || npm ci --no-audit --no-fund --prefer-offline
npm run --silent build
bash build/plugin.sh
bash build/install-plugin.sh "${install_args[@]}" dvol

chmod +x dist/cli/dvol.js 2>/dev/null || true
ln -sfn "$PWD/dist/cli/dvol.js" /usr/local/bin/dvol
echo "dvol CLI linked at /usr/local/bin/dvol"
echo "ready: docker volume create -d dvol NAME, or 'driver: dvol' in docker-compose.yml"
