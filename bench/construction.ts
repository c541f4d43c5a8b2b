/**
 * `npm run bench`: time to construct the program's resource graph under Pulumi mocks for 3, 50 and 500
 * nodes (validation, rendering, script generation and registration). Prints figures; asserts nothing.
 * Target: 500 nodes under 5 s, growth no worse than linear.
 */
import * as pulumi from "@pulumi/pulumi";
import { performance } from "node:perf_hooks";
import { validateStackConfig } from "../components/config/validate";
import { checkPredictedCompliance } from "../components/k3s/compliance";

pulumi.runtime.setMocks(
  {
    newResource: (a: pulumi.runtime.MockResourceArgs) => ({ id: `${a.name}-id`, state: a.inputs }),
    call: (a: pulumi.runtime.MockCallArgs) => a.inputs,
  },
  "k3s-hardening",
  "bench",
  false,
);
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { createHardenedCluster } = require("../components/cluster") as typeof import("../components/cluster");

const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPccjOlcXIrxIIJsiml2Ovgly3A69oGwGp976UutmiUP";
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nBENCH-ONLY\n-----END OPENSSH PRIVATE KEY-----\n";

function nodes(n: number) {
  const servers = Math.min(3, n);
  return Array.from({ length: n }, (_, i) => ({
    name: i < servers ? `cp-${i + 1}` : `wk-${i + 1 - servers}`,
    host: `10.${Math.floor(i / 250)}.${i % 250}.10`,
    role: i < servers ? "server" : "agent",
    hostKey: HOST_KEY,
  }));
}

async function once(n: number): Promise<number> {
  const t0 = performance.now();
  const cfg = validateStackConfig({
    values: { cluster: "bench", sshPrivateKey: KEY, k3sToken: "K10-bench", nodes: nodes(n), rollout: { agentBatchSize: 10 } },
    secretKeys: new Set(["sshPrivateKey", "k3sToken"]),
    source: "engine",
  });
  checkPredictedCompliance(cfg);
  const cluster = createHardenedCluster(cfg);
  await Promise.all(cluster.nodes.map((h) => new Promise((resolve) => h.command.id.apply(resolve))));
  return performance.now() - t0;
}

async function main() {
  await once(3); // warm-up: module loading and JIT
  const sizes = [3, 50, 500];
  const results: Array<[number, number]> = [];
  for (const n of sizes) {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) runs.push(await once(n));
    runs.sort((a, b) => a - b);
    results.push([n, runs[1]]);
  }
  console.log("program construction under mocks (median of 3 runs)");
  console.log("nodes\tms\tms/node");
  for (const [n, ms] of results) console.log(`${n}\t${ms.toFixed(1)}\t${(ms / n).toFixed(2)}`);
  const [, t50] = results[1];
  const [, t500] = results[2];
  const growth = t500 / t50;
  console.log(`growth 50 -> 500 nodes: x${growth.toFixed(2)} for x10 nodes (linear = x10)`);
  console.log(`target 500 nodes < 5000 ms: ${t500 < 5000 ? "met" : "NOT met"}; growth no worse than linear: ${growth <= 10 ? "met" : "NOT met"}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
