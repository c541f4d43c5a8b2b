/**
 * The real control plane (scripts/build-control-plane.sh) on the SSH test nodes (test/e2e/harness):
 * 1. kube-apiserver start to ready (/readyz 200) on a server node, with k3s's default flags alone (as
 *    installed) and with the hardened flags `pulumi up` wrote, each over DEFAULT/HARDENED restarts;
 * 2. the cluster-side `pulumi up` (scan Jobs and CronJobs per node, RBAC, namespaces, NetworkPolicies,
 *    log shipper, ServiceAccount lockdown) against that API server, for 3 and 20 nodes, after the nodes
 *    were hardened with the cluster side off; then a second `up` with nothing to do.
 * Prints figures; not a test. Needs root and the engine on PATH (scripts/build-engine.sh); says so and
 * skips otherwise. Env: CP_BENCH_SIZES (default "3,20"), CP_BENCH_RESTARTS (default 3),
 * E2E_CONTROL_PLANE_BIN (default: built or found in the cache by scripts/build-control-plane.sh).
 */
import { checkFileRoot } from "../test/vendor";
import { builtBinFolder } from "../test/builds";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { BenchNode, median, openTestStack, requireEngineAndRoot } from "./testStack";

const SIZES = (process.env.CP_BENCH_SIZES ?? "3,20").split(",").map(Number);
const RESTARTS = Number(process.env.CP_BENCH_RESTARTS ?? "3");

const list = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(", ");

/** `systemctl restart k3s` on the node over SSH; returns the stand-in's own timing of that start. */
function restartApiserver(n: BenchNode, knownHosts: string): number {
  const ssh = ["-i", n.privateKeyPath, "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "BatchMode=yes", `${n.user}@${n.host}`];
  execFileSync("ssh", [...ssh, "systemctl restart k3s"], { stdio: ["ignore", "ignore", "inherit"] });
  const t = JSON.parse(fs.readFileSync(path.join(n.state, "control-plane", "last-start.json"), "utf8")) as { apiserverReadySeconds: number };
  return t.apiserverReadySeconds;
}

interface Figures {
  defaults: number[];
  hardened: number[];
  hardenNodes: number;
  clusterSide: number;
  noop: number;
  objects: number;
}

function measure(n: number, cpBin: string): Figures {
  const stack = openTestStack(n, "cp", { E2E_CONTROL_PLANE_BIN: cpBin });
  try {
    const { pulumi, set, nodes } = stack;
    const server = nodes.find((x) => x.role === "server")!;
    const knownHosts = path.join(stack.dir, "known_hosts");
    // As installed: k3s's defaults alone (the harness started it with no config.yaml).
    const defaults = Array.from({ length: RESTARTS }, () => restartApiserver(server, knownHosts));

    set("cluster", "bench");
    set("rollout", { healthTimeoutSeconds: 120, agentBatchSize: 5 });
    // First the nodes alone (cluster side off), so that the next up is the cluster side only.
    set("kubernetes", { enabled: false });
    const hardenNodes = pulumi(["up", "--yes", "--skip-preview"]).seconds;
    const hardened = Array.from({ length: RESTARTS }, () => restartApiserver(server, knownHosts));

    const admin = fs.readFileSync(path.join(server.root, "etc/rancher/k3s/k3s.yaml"), "utf8").replace("https://127.0.0.1:6443", `https://${server.host}:6443`);
    set("kubernetes", { enabled: true });
    pulumi(["config", "set", "--secret", "--path", "k3s-hardening:kubernetes.kubeconfig"], admin);
    set("kubeBench", { await: false, checkFiles: checkFileRoot("security-scan") }); // no kubelet: scan Pods stay Pending
    set("auditShipping", { lokiUrl: "http://loki.monitoring.svc.cluster.local/loki/api/v1/push", shipper: { enabled: true } });
    const side = pulumi(["up", "--yes", "--skip-preview"]);
    const objects = Number(/^\s*\+ (\d+) created$/m.exec(side.stdout)?.[1] ?? 0); // "Resources:" summary
    const noop = pulumi(["up", "--yes", "--skip-preview", "--expect-no-changes"]).seconds;
    return { defaults, hardened, hardenNodes, clusterSide: side.seconds, noop, objects };
  } finally {
    stack.close();
  }
}

requireEngineAndRoot("control plane bench");
const cpBin = builtBinFolder("E2E_CONTROL_PLANE_BIN", "build-control-plane.sh");

console.log(`real control plane (${path.basename(path.dirname(cpBin))}) on the SSH test nodes`);
for (const n of SIZES) {
  const f = measure(n, cpBin);
  if (n === SIZES[0]) {
    const d = median(f.defaults);
    const h = median(f.hardened);
    console.log(`kube-apiserver start to ready, median of ${RESTARTS} restarts:`);
    console.log(`  k3s defaults alone   ${d.toFixed(1)} s   (${list(f.defaults)})`);
    console.log(`  hardened flags       ${h.toFixed(1)} s   (${list(f.hardened)})`);
    console.log(`  ratio hardened/defaults  ${(h / d).toFixed(2)}`);
    console.log("nodes  harden nodes (s)  cluster side up (s)  objects created  second up (s)");
  }
  console.log(
    `${String(n).padStart(5)}  ${f.hardenNodes.toFixed(1).padStart(16)}  ${f.clusterSide.toFixed(1).padStart(19)}  ${String(f.objects).padStart(15)}  ${f.noop.toFixed(1).padStart(13)}`,
  );
}
