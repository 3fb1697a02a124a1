#!/usr/bin/env bash
# Installs (or upgrades in place) the plugin directory build/out/plugin as the managed plugin NAME
# (default dvol), keeping every volume: the data lives in the host's state directory, not in the plugin.
#
# Usage: build/install-plugin.sh [--force] [NAME]
#
# Docker's own `docker plugin upgrade` only pulls from a registry, so a local upgrade is
# disable -f + rm + create + enable. `disable -f` unmounts the plugin's mounts on the host without
# telling it, so running containers that use the plugin's volumes would lose their data view:
# the upgrade is refused while there are any (--force does it anyway). The state directory and the
# settable env values of the old plugin are carried over.
set -euo pipefail
cd "$(dirname "$0")/.."

force=0
if [[ ${1:-} == --force ]]; then
  force=1
  shift
fi
NAME=${1:-dvol}
PLUGIN_DIR=build/out/plugin
# Mount can take long on big volumes: raise the per-call HTTP timeout from the 30 s default
# (`enable --timeout` bounds every call Docker makes to the plugin).
ENABLE_TIMEOUT=${DVOL_ENABLE_TIMEOUT:-120}

[[ -f $PLUGIN_DIR/config.json ]] || {
  echo "$PLUGIN_DIR is missing: run build/plugin.sh first" >&2
  exit 1
}

state_source=/var/lib/dvol
settings=()
if docker plugin inspect "$NAME" >/dev/null 2>&1; then
  # Carry over what the user set with `docker plugin set`.
  state_source=$(docker plugin inspect -f '{{range .Settings.Mounts}}{{if eq .Name "state"}}{{.Source}}{{end}}{{end}}' "$NAME")
  state_source=${state_source:-/var/lib/dvol}
  while IFS= read -r env; do
    [[ $env == DVOL_DEBUG=* || $env == DVOL_DRIVER=* ]] && settings+=("$env")
  done < <(docker plugin inspect -f '{{range .Settings.Env}}{{println .}}{{end}}' "$NAME")

  driver=$(docker plugin inspect -f '{{.Name}}' "$NAME")
  users=$(bash build/plugin-users.sh "$driver")
  if [[ -n $users && $force == 0 ]]; then
    echo "plugin '$NAME' is in use by running containers: $users" >&2
    echo "hint: stop them first (upgrading would unmount their volumes), or pass --force" >&2
    exit 4
  fi
  echo "replacing plugin $driver (volumes and their data are kept in $state_source)"
  docker plugin disable -f "$NAME" >/dev/null 2>&1 || true
  docker plugin rm -f "$NAME" >/dev/null
fi

mkdir -p "$state_source"
# Docker 20.10 refuses to create a plugin whose rootfs layer is already in its content store
# ("content sha256:... already exists"); the root directory's mtime makes each layer unique.
touch "$PLUGIN_DIR/rootfs"
docker plugin create "$NAME" "$PLUGIN_DIR" >/dev/null
docker plugin set "$NAME" "state.source=$state_source" "${settings[@]}"
docker plugin enable --timeout "$ENABLE_TIMEOUT" "$NAME" >/dev/null
echo "plugin $(docker plugin inspect -f '{{.Name}}' "$NAME") is enabled (state in $state_source)"
