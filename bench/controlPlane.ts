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
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";

const REPO = path.resolve(__dirname, "..");
const HARNESS = path.join(REPO, "test/e2e/harness/nodes.sh");
const SIZES = (process.env.CP_BENCH_SIZES ?? "3,20").split(",").map(Number);
const RESTARTS = Number(process.env.CP_BENCH_RESTARTS ?? "3");

interface BenchNode {
  name: string;
  host: string;
  user: string;
  role: string;
  hostKey: string;
  privateKeyPath: string;
  root: string;
  state: string;
}

function skip(why: string): never {
  console.log(`control plane bench: not measured (${why})`);
  process.exit(0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `k3sh-cp-bench-${n}-`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    E2E_DIR: dir,
    E2E_NODE_COUNT: String(n),
    E2E_CONTROL_PLANE_BIN: cpBin,
    SSH_AUTH_SOCK: "",
    PULUMI_HOME: path.join(dir, "pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: "bench-only",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    NO_COLOR: "1",
  };
  const cfgFile = path.join(dir, "Pulumi.bench.yaml");
  const pulumi = (args: string[], input?: string): { seconds: number; stdout: string } => {
    const cfg = ["stack", "state"].includes(args[0]) ? [] : ["--config-file", cfgFile];
    const t0 = process.hrtime.bigint();
    const r = spawnSync("pulumi", [...args, "--stack", "bench", ...cfg, "--non-interactive"], { cwd: REPO, env, input, encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
    return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, stdout: r.stdout };
  };
  try {
    execFileSync(HARNESS, ["up"], { env, stdio: ["ignore", "ignore", "inherit"] });
    const nodes = JSON.parse(fs.readFileSync(path.join(dir, "nodes.json"), "utf8")) as BenchNode[];
    const server = nodes.find((x) => x.role === "server")!;
    const knownHosts = path.join(dir, "known_hosts");
    const defaults = Array.from({ length: RESTARTS }, () => restartApiserver(server, knownHosts));

    fs.mkdirSync(path.join(dir, "state"));
    pulumi(["stack", "init", "--secrets-provider", "passphrase"]);
    fs.renameSync(path.join(REPO, "Pulumi.bench.yaml"), cfgFile);
    const set = (key: string, value: unknown) => {
      const doc = (YAML.parse(fs.readFileSync(cfgFile, "utf8")) ?? {}) as { config?: Record<string, unknown> };
      doc.config = { ...(doc.config ?? {}), [`k3s-hardening:${key}`]: value };
      fs.writeFileSync(cfgFile, YAML.stringify(doc));
    };
    set("cluster", "bench");
    set("nodes", nodes.map((x) => ({ name: x.name, host: x.host, user: x.user, role: x.role, hostKey: x.hostKey })));
    set("rollout", { healthTimeoutSeconds: 120, agentBatchSize: 5 });
    pulumi(["config", "set", "--secret", "k3s-hardening:sshPrivateKey"], fs.readFileSync(server.privateKeyPath, "utf8"));
    // First the nodes alone (cluster side off), so that the next up is the cluster side only.
    set("kubernetes", { enabled: false });
    const hardenNodes = pulumi(["up", "--yes", "--skip-preview"]).seconds;
    const hardened = Array.from({ length: RESTARTS }, () => restartApiserver(server, knownHosts));

    const admin = fs.readFileSync(path.join(server.root, "etc/rancher/k3s/k3s.yaml"), "utf8").replace("https://127.0.0.1:6443", `https://${server.host}:6443`);
    set("kubernetes", { enabled: true });
    pulumi(["config", "set", "--secret", "--path", "k3s-hardening:kubernetes.kubeconfig"], admin);
    set("kubeBench", { await: false }); // no kubelet: scan Pods stay Pending
    set("auditShipping", { lokiUrl: "http://loki.monitoring.svc.cluster.local/loki/api/v1/push", shipper: { enabled: true } });
    const side = pulumi(["up", "--yes", "--skip-preview"]);
    const objects = Number(/(\d+) created/.exec(side.stdout)?.[1] ?? 0);
    const noop = pulumi(["up", "--yes", "--skip-preview", "--expect-no-changes"]).seconds;
    return { defaults, hardened, hardenNodes, clusterSide: side.seconds, noop, objects };
  } finally {
    spawnSync(HARNESS, ["down"], { env, stdio: "ignore" });
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(path.join(REPO, "Pulumi.bench.yaml"), { force: true });
  }
}

if (process.getuid?.() !== 0) skip("needs root for the SSH test nodes");
if (spawnSync("pulumi", ["version"], { encoding: "utf8" }).status !== 0) skip("no pulumi CLI on PATH; see scripts/build-engine.sh");
const cpBin =
  process.env.E2E_CONTROL_PLANE_BIN ??
  execFileSync(path.join(REPO, "scripts/build-control-plane.sh"), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").pop()!;

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
