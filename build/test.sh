#!/usr/bin/env bash
# npm test: static checks and unit tests (the e2e tier is added by the packaging work).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc --noEmit
npx eslint .
npx prettier --check .
npx tap
