#!/usr/bin/env bash
# Sets up a throw-away stack of this program for engine measurements (preview only: the nodes' addresses
# are never contacted, the kubernetes provider renders to a directory) and prints the environment to use:
#   eval "$(bench/engine-stack.sh 10)"; npm run bench:policy
# Needs `pulumi` on PATH (scripts/build-engine.sh). Argument: number of nodes (default 10; 3 are servers).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${1:-10}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/k3sh-bench-XXXXXX")
PROJ=$DIR/project
mkdir -p "$PROJ" "$DIR/state"
for f in Pulumi.yaml index.ts components package.json tsconfig.json node_modules; do ln -s "$ROOT/$f" "$PROJ/$f"; done
export PULUMI_BACKEND_URL="file://$DIR/state" PULUMI_CONFIG_PASSPHRASE=bench-only PULUMI_SKIP_UPDATE_CHECK=true \
  PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_HOME="$DIR/pulumi-home"
cd "$PROJ"
pulumi stack init bench --secrets-provider passphrase --non-interactive >/dev/null
ssh-keygen -q -t ed25519 -N '' -C bench -f "$DIR/id" >/dev/null
pulumi config set --secret k3s-hardening:sshPrivateKey --stack bench <"$DIR/id" >/dev/null
node - "$N" "$(cut -d' ' -f1,2 "$DIR/id.pub")" "$DIR" <<'JS'
const fs = require("fs");
const YAML = require(process.cwd() + "/node_modules/yaml");
const [n, hostKey, dir] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const doc = YAML.parse(fs.readFileSync("Pulumi.bench.yaml", "utf8"));
doc.config["k3s-hardening:nodes"] = Array.from({ length: n }, (_, i) =>
  i < 3 ? { name: `cp-${i + 1}`, host: `192.0.2.${i + 1}`, role: "server", hostKey } : { name: `wk-${i - 2}`, host: `192.0.2.${i + 1}`, role: "agent", hostKey },
);
doc.config["k3s-hardening:kubernetes"] = { renderYamlToDirectory: `${dir}/manifests` };
// The nodes are documentation addresses, never contacted: no drift probe.
doc.config["k3s-hardening:driftCheck"] = false;
fs.writeFileSync("Pulumi.bench.yaml", YAML.stringify(doc));
JS
cat <<ENV
export PULUMI_BACKEND_URL='$PULUMI_BACKEND_URL' PULUMI_CONFIG_PASSPHRASE=bench-only PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_HOME='$DIR/pulumi-home'
export POLICY_BENCH_DIR='$PROJ' POLICY_BENCH_STACK=bench POLICY_BENCH_PACK='$ROOT/policy'
ENV
