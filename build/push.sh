#!/usr/bin/env bash
# Pushes the plugin built by build/plugin.sh to a registry as REF (e.g. 127.0.0.1:5000/dvol/dvol:1.0).
# Docker can only push a plugin installed under the registry's name, so a copy named REF is
# created from build/out/plugin, pushed, and removed again (the local `dvol` plugin is untouched).
# Usage: build/push.sh REF
set -euo pipefail
cd "$(dirname "$0")/.."
REF=${1:?usage: build/push.sh REF (e.g. registry.example.com/dvol/dvol:0.1.0)}

[[ -f build/out/plugin/config.json ]] || bash build/plugin.sh
docker plugin rm -f "$REF" >/dev/null 2>&1 || true
# A new mtime on rootfs/ gives a new layer digest: Docker 20.10 refuses to create a plugin whose
# layer is already in its content store (the installed copy's).
touch build/out/plugin/rootfs
docker plugin create "$REF" build/out/plugin >/dev/null
trap 'docker plugin rm -f "$REF" >/dev/null 2>&1 || true' EXIT
docker plugin push "$REF"
echo "pushed $REF: install it with 'docker plugin install --grant-all-permissions --alias dvol $REF'"
