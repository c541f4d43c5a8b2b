#!/usr/bin/env bash
# Runs bench/construction.ts compiled to JavaScript (no ts-node, no source-map-support), the way a
# precompiled Pulumi program runs. Prints figures.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$(mktemp -d "${TMPDIR:-/tmp}/k3sh-bench-js-XXXXXX")
trap 'rm -rf "$OUT"' EXIT
cd "$ROOT"
npx tsc -p tsconfig.json --noEmit false --outDir "$OUT" >/dev/null
ln -s "$ROOT/node_modules" "$OUT/node_modules"
echo "compiled JavaScript (as a precompiled program runs):"
node "$OUT/bench/construction.js"
