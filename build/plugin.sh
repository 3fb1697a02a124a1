#!/usr/bin/env bash
# Builds the managed plugin's directory build/out/plugin (config.json + rootfs/) from the compiled
# tree: stage the build context, docker build plugin/Dockerfile, docker create + export the rootfs.
# Needs `npm run build` first. Installing it is build/install-plugin.sh's job.
#
# Base image (DVOL_BASE): unset = dvol-base:trixie when that image exists locally, else the public
# debian:trixie-slim; DVOL_BASE=dvol-base:trixie makes that local image first (build/base-image.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=dvol-plugin-rootfs:dev
OUT=build/out
CONTEXT=$OUT/context
PLUGIN_DIR=$OUT/plugin

[[ -f dist/server/main.js ]] || {
  echo "dist/server/main.js is missing: run 'npm run build' first" >&2
  exit 1
}

base=${DVOL_BASE:-}
if [[ -z $base ]]; then
  if docker image inspect dvol-base:trixie >/dev/null 2>&1; then base=dvol-base:trixie; else base=debian:trixie-slim; fi
fi
if [[ $base == dvol-base:trixie ]]; then bash build/base-image.sh; fi

# Stage the context: production dependencies are installed once per package-lock.json (a stamp
# holds its hash), with --ignore-scripts because nothing the server needs builds native code.
mkdir -p "$CONTEXT"
cp package.json package-lock.json "$CONTEXT/"
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -d $CONTEXT/node_modules || $(cat "$CONTEXT/.lock-hash" 2>/dev/null) != "$lock_hash" ]]; then
  echo "installing production dependencies into $CONTEXT"
  (cd "$CONTEXT" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)
  echo "$lock_hash" >"$CONTEXT/.lock-hash"
fi
rm -rf "$CONTEXT/dist"
# Tests and source maps are not shipped.
rsync -a --exclude '*.test.js' --exclude '*.map' dist/ "$CONTEXT/dist/"

echo "building $IMAGE from $base"
# The legacy builder prints a deprecation notice on stderr: show stderr only when the build fails.
if ! log=$(docker build --quiet --build-arg "BASE=$base" -t "$IMAGE" -f plugin/Dockerfile "$CONTEXT" 2>&1); then
  echo "$log" >&2
  exit 1
fi

rm -rf "$PLUGIN_DIR"
mkdir -p "$PLUGIN_DIR/rootfs"
cid=$(docker create "$IMAGE" true)
trap 'docker rm -f "$cid" >/dev/null 2>&1 || true' EXIT
docker export "$cid" | tar -x -C "$PLUGIN_DIR/rootfs"
cp plugin/config.json "$PLUGIN_DIR/config.json"
echo "plugin directory $PLUGIN_DIR is ready ($(du -sh "$PLUGIN_DIR" | cut -f1))"
