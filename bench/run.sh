#!/usr/bin/env bash
# npm run bench: every benchmark in turn, each printing a Markdown table (see docs/benchmarks.md).
# Run as root: the reflink and btrfs benchmarks make loopback filesystems (and always remove them).
set -euo pipefail
cd "$(dirname "$0")/.."
for bench in drivers change-detection btrfs diff; do
  if [ -f "bench/$bench.ts" ]; then
    echo "== bench/$bench.ts"
    npx tsx "bench/$bench.ts"
  fi
done
