#!/usr/bin/env bash
# Builds the managed plugin's directory build/out/plugin (config.json + rootfs/) from the compiled
# tree: bundle the server into one file, docker build plugin/Dockerfile, docker create + export the
# rootfs. Needs `npm run build` first. Installing it is build/install-plugin.sh's job.
#
# Base image: DVOL_BASE when set; else dvol-base:trixie when it exists locally, else the public
# debian:trixie-slim; when no registry answers, dvol-base:trixie is made here with debootstrap
# (build/base-image.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=dvol-plugin-rootfs:dev
PUBLIC=debian:trixie-slim
LOCAL=dvol-base:trixie
OUT=build/out
CONTEXT=$OUT/context
PLUGIN_DIR=$OUT/plugin

[[ -f dist/server/main.js ]] || {
  echo "dist/server/main.js is missing: run 'npm run build' first" >&2
  exit 1
}

base=${DVOL_BASE:-}
if [[ -z $base ]]; then
  if docker image inspect "$LOCAL" >/dev/null 2>&1; then
    base=$LOCAL
  elif docker image inspect "$PUBLIC" >/dev/null 2>&1; then
    base=$PUBLIC
  else
    echo "pulling $PUBLIC"
    # A machine without a registry fails at once (DNS); a registry that hangs gets a minute.
    if pulled=$(timeout 60 docker pull -q "$PUBLIC" 2>&1); then
      base=$PUBLIC
    else
      echo "no registry answered (${pulled%%$'\n'*}): making the base image $LOCAL locally with debootstrap instead"
      base=$LOCAL
    fi
  fi
fi
if [[ $base == "$LOCAL" ]]; then bash build/base-image.sh; fi

# The context: package.json (the server reads its version there), the server bundled with its
# dependencies into one file (no node_modules to install or ship), the walk workers' entry bundled
# beside it (walk-pool.ts starts ./walk-worker.js next to the running module), and the rootfs trimmer.
rm -rf "$CONTEXT"
mkdir -p "$CONTEXT/dist/server"
cp package.json build/trim-rootfs.sh "$CONTEXT/"
node_modules/.bin/esbuild server/main=dist/server/main.js \
  server/walk-worker=dist/storage/drivers/tree/walk-worker.js \
  --bundle --platform=node --format=esm --target=node20 \
  --log-level=warning --legal-comments=none --outdir="$CONTEXT/dist" \
  --external:cpu-features '--external:*.node' \
  --banner:js="import { createRequire as __dvolCreateRequire } from 'node:module'; const require = __dvolCreateRequire(import.meta.url);"

echo "building $IMAGE from $base"
previous=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
# The legacy builder prints a deprecation notice on stderr: show stderr only when the build fails.
if ! log=$(docker build --quiet --build-arg "BASE=$base" -t "$IMAGE" -f plugin/Dockerfile "$CONTEXT" 2>&1); then
  echo "$log" >&2
  exit 1
fi
# The image this build replaced would stay behind untagged, about 225 MB each time the set-up runs:
# remove it, unless a container or another tag still uses it.
if [[ -n $previous && $previous != "$(docker image inspect -f '{{.Id}}' "$IMAGE")" ]]; then
  docker rmi "$previous" >/dev/null 2>&1 || true
fi

rm -rf "$PLUGIN_DIR"
mkdir -p "$PLUGIN_DIR/rootfs"
cid=$(docker create "$IMAGE" true)
trap 'docker rm -f "$cid" >/dev/null 2>&1 || true' EXIT
docker export "$cid" | tar -x -C "$PLUGIN_DIR/rootfs"
cp plugin/config.json "$PLUGIN_DIR/config.json"
echo "plugin directory $PLUGIN_DIR is ready ($(du -sh "$PLUGIN_DIR" | cut -f1))"
