/**
 * End to end: the official Pulumi engine (CLI, Node.js language host, command and kubernetes providers,
 * built by scripts/build-engine.sh) runs this program against four SSH test nodes (real sshd in network
 * namespaces, each with its own filesystem). The two servers run the real control plane (etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler from scripts/build-control-plane.sh) as their
 * k3s unit, started from the node's own config.yaml; the agents' k3s is a recording stand-in. The cluster
 * side is applied to cp-1's API server. Needs root and the engine on PATH.
 *
 * The tests run in order on one stack, like the life of a real one: first apply, no-op, profile change,
 * failed health, drift, key and host-key rotation, root to sudo, node removal, destroy.
 */
import { checkFileRoot } from "../vendor";
import { builtBinFolder } from "../builds";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { K3S_PATHS } from "../../components/k3s/facts";
import { alloySpec, promtailSpec, ship } from "./auditPipeline";

const REPO = path.resolve(__dirname, "../..");
/** The control-plane binaries: built (or found in the cache) by the project's script unless given. */
const CONTROL_PLANE_BIN = builtBinFolder("E2E_CONTROL_PLANE_BIN", "build-control-plane.sh");
const HARNESS = path.join(REPO, "test/e2e/harness/nodes.sh");
const PROJECT = "k3s-hardening";
const STACK = "e2e";

interface TestNode {
  name: string;
  host: string;
  port: number;
  user: string;
  role: "server" | "agent";
  sudo: boolean;
  privateKeyPath: string;
  hostKey: string;
  root: string;
  state: string;
}

interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

const e2eDir = fs.mkdtempSync(path.join(os.tmpdir(), "k3sh-e2e-"));
const configFile = path.join(e2eDir, `Pulumi.${STACK}.yaml`);
const kubeconfigFile = path.join(e2eDir, "kubeconfig");
const env: NodeJS.ProcessEnv = {
  ...process.env,
  // The provider would also offer an ssh-agent's keys: the stack's key must be the only identity.
  SSH_AUTH_SOCK: "",
  E2E_DIR: e2eDir,
  E2E_CONTROL_PLANE_BIN: CONTROL_PLANE_BIN,
  PULUMI_HOME: path.join(e2eDir, "pulumi-home"),
  PULUMI_CONFIG_PASSPHRASE: "e2e-only-passphrase",
  PULUMI_SKIP_UPDATE_CHECK: "true",
  PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  PULUMI_SKIP_CONFIRMATIONS: "true",
  PULUMI_BACKEND_URL: `file://${path.join(e2eDir, "state")}`,
  NO_COLOR: "1",
};

function pulumi(args: string[], input?: string): RunResult {
  // These read the stack's config from our file; `stack` and `state` subcommands take no --config-file.
  const cfgArgs = ["preview", "up", "destroy", "config", "refresh"].includes(args[0]) ? ["--config-file", configFile] : [];
  const r = spawnSync("pulumi", [...args, "--stack", STACK, ...cfgArgs, "--non-interactive"], {
    cwd: REPO,
    env,
    input,
    encoding: "utf8",
    timeout: 15 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.status, 0, `${what} failed:\n${r.stdout}\n${r.stderr}`);
  return r;
}

function readConfig(): { config?: Record<string, unknown> } & Record<string, unknown> {
  return (YAML.parse(fs.readFileSync(configFile, "utf8")) ?? {}) as { config?: Record<string, unknown> };
}

function setConfig(key: string, value: unknown): void {
  const doc = readConfig();
  doc.config = { ...(doc.config ?? {}), [`${PROJECT}:${key}`]: value };
  fs.writeFileSync(configFile, YAML.stringify(doc));
}

function restarts(n: TestNode): string[] {
  const f = path.join(n.state, "restarts.log");
  return fs.existsSync(f) ? fs.readFileSync(f, "utf8").trim().split("\n").filter(Boolean) : [];
}

/** Times (ns since epoch) of "Started"/"Stopping" journal lines of a node's stand-in. */
function journalTimes(n: TestNode, word: string): number[] {
  const f = path.join(n.state, "journal.log");
  if (!fs.existsSync(f)) return [];
  return fs
    .readFileSync(f, "utf8")
    .split("\n")
    .filter((l) => l.includes(`: ${word} `))
    .map((l) => {
      const t = l.split(" ")[0];
      const m = /^(.*T\d\d:\d\d:\d\d)\.(\d+)(.*)$/.exec(t)!;
      return Date.parse(`${m[1]}${m[3].replace(/^([+-]\d\d)(\d\d)$/, "$1:$2")}`) * 1e6 + Number(m[2].padEnd(9, "0").slice(0, 9)) / 1e3;
    });
}

/** The managed files a node of this role gets. */
function managedFiles(n: TestNode): string[] {
  return n.role === "server" ? [K3S_PATHS.auditPolicyFile, K3S_PATHS.admissionConfigFile, K3S_PATHS.sysctlFile, K3S_PATHS.configFile] : [K3S_PATHS.sysctlFile, K3S_PATHS.configFile];
}

/** Content, mode and owner of every managed file of every node: what "unchanged" is checked against. */
function snapshot(ns: TestNode[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of ns) {
    for (const f of managedFiles(n)) {
      const p = path.join(n.root, f);
      const st = fs.statSync(p);
      out[`${n.name}:${f}`] = `${(st.mode & 0o777).toString(8)} ${st.uid}:${st.gid} ${fs.readFileSync(p, "utf8")}`;
    }
  }
  return out;
}

/** Successful SSH logins a node's sshd has logged so far. */
function logins(n: TestNode): number {
  const log = path.join(e2eDir, "nodes", n.name, "sshd.log");
  return fs.existsSync(log) ? (fs.readFileSync(log, "utf8").match(/Accepted publickey/g) ?? []).length : 0;
}

/** The operations of a preview, per resource name (`pulumi preview --json`). */
function previewSteps(extra: string[] = []): Map<string, string> {
  const r = ok(pulumi(["preview", "--json", ...extra]), "preview --json");
  const steps = (JSON.parse(r.stdout) as { steps: Array<{ op: string; urn: string }> }).steps;
  return new Map(steps.filter((x) => x.op !== "same").map((x) => [x.urn.split("::").pop()!, x.op]));
}

/** `npm run drift` against the e2e stack. */
function driftCli(args: string[]): RunResult {
  const r = spawnSync("npx", ["ts-node", "--transpile-only", "cli/drift.ts", "--stack", STACK, "--config-file", configFile, ...args], {
    cwd: REPO,
    env,
    encoding: "utf8",
    timeout: 5 * 60_000,
  });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** kubectl (built with the control plane) against cp-1's API server, as its admin. */
function kubectl(args: string[], input?: string): RunResult {
  const r = spawnSync(path.join(CONTROL_PLANE_BIN, "kubectl"), ["--kubeconfig", kubeconfigFile, ...args], { input, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function kubectlJson<T = Record<string, any>>(args: string[]): T {
  return JSON.parse(ok(kubectl([...args, "-o", "json"]), `kubectl ${args.join(" ")}`).stdout) as T;
}

async function eventually(what: string, check: () => boolean, seconds = 60): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`${what}: not within ${seconds}s`);
}

/** Every field of `want` (a rendered object) is in `got` (the live object), recursively; lists element-wise. */
function assertSubset(want: unknown, got: unknown, where: string): void {
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got) && got.length === want.length, `${where}: want a list of ${want.length}, got ${JSON.stringify(got)}`);
    want.forEach((w, i) => assertSubset(w, (got as unknown[])[i], `${where}[${i}]`));
  } else if (want !== null && typeof want === "object") {
    assert.ok(got !== null && typeof got === "object", `${where}: want an object, got ${JSON.stringify(got)}`);
    for (const [k, v] of Object.entries(want)) assertSubset(v, (got as Record<string, unknown>)[k], `${where}.${k}`);
  } else {
    assert.equal(String(got), String(want), `${where}`);
  }
}

function harness(...args: string[]): void {
  execFileSync(HARNESS, args, { env, stdio: ["ignore", "ignore", "inherit"] });
}

function reloadNodes(): TestNode[] {
  return JSON.parse(fs.readFileSync(path.join(e2eDir, "nodes.json"), "utf8")) as TestNode[];
}

function configNodes(ns: Array<TestNode & { restoreOnDestroy?: boolean }>): unknown[] {
  return ns.map((n) => ({
    name: n.name,
    host: n.host,
    port: n.port,
    user: n.user,
    role: n.role,
    sudo: n.sudo,
    hostKey: n.hostKey,
    ...(n.restoreOnDestroy === undefined ? {} : { restoreOnDestroy: n.restoreOnDestroy }),
  }));
}

/** `npm run render` of the stack as configured now, into e2eDir/<out>. */
function renderReview(out: string): string {
  const outDir = path.join(e2eDir, out);
  const renderCfg = path.join(e2eDir, `${out}-project`);
  fs.mkdirSync(renderCfg, { recursive: true });
  fs.copyFileSync(path.join(REPO, "Pulumi.yaml"), path.join(renderCfg, "Pulumi.yaml"));
  fs.copyFileSync(configFile, path.join(renderCfg, `Pulumi.${STACK}.yaml`));
  execFileSync("npx", ["ts-node", "--transpile-only", "cli/render.ts", "--stack", STACK, "--out", outDir, "--project", renderCfg], { cwd: REPO, env, stdio: "pipe" });
  return outDir;
}

function rendered(nodeName: string, file: string): string {
  const out = path.join(e2eDir, "render");
  return fs.readFileSync(path.join(out, "nodes", nodeName, file), "utf8");
}

describe("pulumi up against SSH test nodes", function () {
  this.timeout(30 * 60_000);
  let nodes: Array<TestNode & { restoreOnDestroy?: boolean }> = [];
  const rotatedKeys: string[] = [];
  const byName = (n: string) => nodes.find((x) => x.name === n)!;

  /** What cp-1 and wk-2 held before the first hardening: a restore must bring it back. */
  const ORIGINAL_CP1_CONFIG = "node-ip: 10.231.0.11\nwrite-kubeconfig-mode: \"0644\"\n";

  before(() => {
    execFileSync(HARNESS, ["up"], { env, stdio: "inherit" });
    nodes = reloadNodes();
    fs.mkdirSync(path.join(byName("cp-1").root, "etc/rancher/k3s"), { recursive: true });
    fs.writeFileSync(path.join(byName("cp-1").root, K3S_PATHS.configFile), ORIGINAL_CP1_CONFIG, { mode: 0o644 });
    fs.mkdirSync(path.join(e2eDir, "state"));
    ok(pulumi(["stack", "init", "--secrets-provider", "passphrase"]), "stack init");
    // `stack init` writes the stack file (with the passphrase salt) next to Pulumi.yaml; keep it in the test dir.
    fs.renameSync(path.join(REPO, `Pulumi.${STACK}.yaml`), configFile);
    setConfig("cluster", "e2e");
    setConfig("nodes", configNodes(nodes));
    // A real restart stops and starts etcd and the three components: allow for a busy machine.
    setConfig("rollout", { healthTimeoutSeconds: 60, agentBatchSize: 1 });
    // No kubelet in the test cluster: scan Pods stay Pending, so the Jobs are not awaited.
    // The default profile's (k3s-cis-1.12) pinned check files, shipped to the cluster as a ConfigMap.
    setConfig("kubeBench", { await: false, checkFiles: checkFileRoot("security-scan") });
    setConfig("auditShipping", { lokiUrl: "http://loki.monitoring.svc.cluster.local/loki/api/v1/push", shipper: { enabled: true } });
    // cp-1's admin kubeconfig as k3s writes it, pointed at the node's supervisor port from outside.
    const admin = fs.readFileSync(path.join(byName("cp-1").root, "etc/rancher/k3s/k3s.yaml"), "utf8");
    fs.writeFileSync(kubeconfigFile, admin.replace("https://127.0.0.1:6443", `https://${byName("cp-1").host}:6443`), { mode: 0o600 });
    ok(pulumi(["config", "set", "--secret", "--path", `${PROJECT}:kubernetes.kubeconfig`], fs.readFileSync(kubeconfigFile, "utf8")), "config set kubeconfig");
    ok(pulumi(["config", "set", "--secret", `${PROJECT}:sshPrivateKey`], fs.readFileSync(nodes[0].privateKeyPath, "utf8")), "config set sshPrivateKey");
    ok(pulumi(["config", "set", "--secret", `${PROJECT}:k3sToken`, "K10e2e-token-never-in-state::server:abc"]), "config set k3sToken");
  });

  after(() => {
    if (!process.env.KEEP_E2E) {
      spawnSync(HARNESS, ["down"], { env, stdio: "inherit" });
      fs.rmSync(e2eDir, { recursive: true, force: true });
    }
  });

  it("hardens every node: files with the rendered content, root-owned 0600, one restart each", () => {
    const r = ok(pulumi(["up", "--yes", "--skip-preview"]), "pulumi up");
    assert.match(r.stdout, /created/, r.stdout);
    assert.doesNotMatch(r.stdout, /drifted/, "a node never hardened by this stack is new, not drifted");
    // What the render command shows is what the nodes got (render has placeholders for the token).
    renderReview("render");
    for (const n of nodes) {
      for (const f of managedFiles(n)) {
        const onNode = path.join(n.root, f);
        const st = fs.statSync(onNode);
        assert.equal(st.mode & 0o777, 0o600, `${n.name}:${f} mode`);
        assert.equal(st.uid, 0, `${n.name}:${f} owner`);
        const content = fs.readFileSync(onNode, "utf8");
        const review = rendered(n.name, f);
        if (f === K3S_PATHS.configFile) {
          // The review render shows a placeholder where the node has the token; everything else is identical.
          const onNodeDoc = YAML.parse(content) as Record<string, unknown>;
          const reviewDoc = YAML.parse(review) as Record<string, unknown>;
          assert.equal(reviewDoc.token, "<secret: set by pulumi up from stack config>");
          assert.deepEqual(onNodeDoc, { ...reviewDoc, token: "K10e2e-token-never-in-state::server:abc" }, `${n.name}:${f} content`);
        } else {
          assert.equal(content, review, `${n.name}:${f} content`);
        }
      }
      assert.deepEqual(restarts(n), [n.role === "server" ? "k3s" : "k3s-agent"], `${n.name} restarts`);
    }
    assert.equal(fs.statSync(path.join(byName("cp-1").root, "/var/lib/rancher/k3s/server/logs")).mode & 0o777, 0o700);
  });

  it("servers were restarted strictly one at a time, agents after them", () => {
    const startedCp1 = Math.max(...journalTimes(byName("cp-1"), "Started"));
    const stoppingCp2 = Math.min(...journalTimes(byName("cp-2"), "Stopping"));
    const startedCp2 = Math.max(...journalTimes(byName("cp-2"), "Started"));
    const stoppingWk1 = Math.min(...journalTimes(byName("wk-1"), "Stopping"));
    assert.ok(startedCp1 < stoppingCp2, "cp-2 restarted after cp-1 was back");
    assert.ok(startedCp2 < stoppingWk1, "wk-1 restarted after the servers");
  });

  it("a second pulumi up changes nothing and restarts nothing", () => {
    const before = nodes.map(restarts);
    ok(pulumi(["preview", "--expect-no-changes"]), "preview --expect-no-changes");
    const r = ok(pulumi(["up", "--yes", "--skip-preview", "--expect-no-changes"]), "second up");
    assert.match(r.stdout, /unchanged/);
    assert.doesNotMatch(r.stdout, /\d+ (created|updated|replaced|deleted)/);
    assert.deepEqual(nodes.map(restarts), before);
  });

  it("changing one profile value re-applies only the nodes it affects, servers one at a time", () => {
    const before = nodes.map(restarts);
    setConfig("audit", { maxAgeDays: 45 });
    const preview = ok(pulumi(["preview", "--json"]), "preview");
    const steps = (JSON.parse(preview.stdout) as { steps: Array<{ op: string; urn: string }> }).steps;
    const changedCommands = steps.filter((s) => s.op !== "same" && s.urn.endsWith("-apply")).map((s) => s.urn.split("::").pop());
    assert.deepEqual(changedCommands.sort(), ["cp-1-apply", "cp-2-apply"]);
    ok(pulumi(["up", "--yes", "--skip-preview"]), "up after change");
    assert.match(fs.readFileSync(path.join(byName("cp-1").root, K3S_PATHS.configFile), "utf8"), /audit-log-maxage=45/);
    assert.deepEqual(restarts(byName("cp-1")), [...before[0], "k3s"]);
    assert.deepEqual(restarts(byName("cp-2")), [...before[1], "k3s"]);
    assert.deepEqual(restarts(byName("wk-1")), before[2], "agent untouched: audit settings are server-only");
    const cp1Started = journalTimes(byName("cp-1"), "Started");
    const cp2Stopping = journalTimes(byName("cp-2"), "Stopping");
    assert.ok(cp1Started[cp1Started.length - 1] < cp2Stopping[cp2Stopping.length - 1], "cp-2 after cp-1");
  });

  it("a flag the API server refuses fails the first server's health check, is rolled back for real, and pulumi up fails with the API server's own error", () => {
    const cp1 = byName("cp-1");
    const good = fs.readFileSync(path.join(cp1.root, K3S_PATHS.configFile), "utf8");
    const before = nodes.map(restarts);
    // The validation lets it through (a well-formed name=value that weakens nothing); kube-apiserver refuses it.
    setConfig("extraArgs", { apiserver: ["max-requests-inflight=-1"] });
    const r = pulumi(["up", "--yes", "--skip-preview"]);
    assert.notEqual(r.status, 0, "pulumi up must fail");
    const out = r.stdout + r.stderr;
    assert.match(out, /cp-1-apply/);
    assert.match(out, /k3s-hardening\[cp-1\]: ERROR: k3s did not become healthy/);
    assert.match(out, /the previous configuration was restored and k3s is healthy again/);
    assert.match(out, /"command failed" err="--max-requests-inflight can not be negative value"/, "the API server's own error");
    assert.equal(fs.readFileSync(path.join(cp1.root, K3S_PATHS.configFile), "utf8"), good, "cp-1 rolled back");
    assert.equal(ok(kubectl(["get", "--raw=/readyz"]), "readyz after the rollback").stdout, "ok");
    assert.deepEqual(
      nodes.map((n, i) => restarts(n).length - before[i].length),
      [2, 0, 0, 0],
      "cp-1 restarted onto the bad flag and back; the rollout stopped there",
    );
    setConfig("extraArgs", {});
    ok(pulumi(["up", "--yes", "--skip-preview"]), "up after removing the flag");
    ok(pulumi(["preview", "--expect-no-changes"]), "clean after the rollback");
  });

  it("the hardened API server runs with the rendered flags, and the cluster side is live with the fields we set", async () => {
    // The flags the stand-in k3s started kube-apiserver with: k3s's defaults replaced by the node's kube-apiserver-arg.
    const args = fs.readFileSync(path.join(byName("cp-1").state, "control-plane", "apiserver.args"), "utf8").split("\n");
    const cfg = YAML.parse(fs.readFileSync(path.join(byName("cp-1").root, K3S_PATHS.configFile), "utf8")) as Record<string, string[]>;
    for (const a of cfg["kube-apiserver-arg"]) assert.ok(args.includes(`--${a}`), `kube-apiserver runs with --${a}`);
    assert.equal(args.filter((a) => a.startsWith("--enable-admission-plugins=")).length, 1, "each flag once");

    const manifests: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith(".yaml")) manifests.push(p);
      }
    };
    // The review render of the configuration as it is now (the profile changed since the first up).
    walk(path.join(renderReview("render-now"), "manifests"));
    const kinds = new Set<string>();
    for (const f of manifests) {
      const obj = YAML.parse(fs.readFileSync(f, "utf8")) as { kind: string; metadata: { name: string; namespace?: string } };
      if (obj.kind === "ServiceAccount" && obj.metadata.name === "default") continue; // patches: checked below
      kinds.add(obj.kind);
      const live = kubectlJson(["get", obj.kind, obj.metadata.name, ...(obj.metadata.namespace ? ["-n", obj.metadata.namespace] : [])]);
      assertSubset(obj, live, `${obj.kind} ${obj.metadata.namespace ?? ""}/${obj.metadata.name}`);
    }
    for (const k of ["Namespace", "NetworkPolicy", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Job", "CronJob", "ConfigMap", "DaemonSet"]) {
      assert.ok(kinds.has(k), `no ${k} among ${[...kinds].join(", ")}`);
    }
    // One scan Job per node. Jobs an earlier up replaced are deleted in the foreground (their Pods first)
    // by the controller manager, which a restarted server may still be resyncing: wait for them to go.
    type JobMeta = { metadata: { name: string; deletionTimestamp?: string; finalizers?: string[] } };
    const jobs = () => kubectlJson<{ items: JobMeta[] }>(["get", "jobs", "-n", "kube-bench"]).items;
    assert.equal(jobs().filter((j) => !j.metadata.deletionTimestamp).length, nodes.length, "one live scan Job per node");
    try {
      await eventually("replaced scan Jobs deleted", () => jobs().length === nodes.length, 180);
    } catch (e) {
      const left = jobs().map((j) => `${j.metadata.name} deleting=${j.metadata.deletionTimestamp ?? "-"} finalizers=${(j.metadata.finalizers ?? []).join(",")}`);
      assert.fail(`${(e as Error).message}; Jobs: ${left.join("; ")}`);
    }
  });

  it("Pod Security refuses a privileged Pod in a workload namespace and admits the scanner's Pod spec in its namespace", async () => {
    ok(kubectl(["create", "namespace", "workload-e2e"]), "create namespace");
    await eventually("the namespace's default ServiceAccount", () => kubectl(["get", "serviceaccount", "default", "-n", "workload-e2e"]).status === 0);
    const pod = (ns: string, spec: object) => JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "psa-e2e", namespace: ns }, spec });
    const privileged = pod("workload-e2e", { containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] });
    const refused = kubectl(["create", "-f", "-"], privileged);
    assert.notEqual(refused.status, 0, "privileged Pod admitted in a workload namespace");
    assert.match(refused.stderr, /violates PodSecurity "restricted:latest": privileged/);
    // The scanner's own Pod spec, as its Job renders it: admitted (server-side dry run; no kubelet runs it).
    const [job] = kubectlJson<{ items: Array<{ spec: { template: { spec: object } } }> }>(["get", "jobs", "-n", "kube-bench", "-l", "k3s-hardening/node=cp-1"]).items;
    ok(kubectl(["create", "--dry-run=server", "-f", "-"], pod("kube-bench", job.spec.template.spec)), "scanner Pod spec admitted");
    // The Job controller created the scan Pods too (they stay Pending: there is no kubelet).
    await eventually("scan Pods created by the Job controller", () => kubectlJson<{ items: unknown[] }>(["get", "pods", "-n", "kube-bench"]).items.length >= nodes.length);
  });

  it("every namespace's default ServiceAccount has no token automount, and a namespace created after the last up is locked down by the next one", () => {
    const before = kubectlJson<{ automountServiceAccountToken?: boolean }>(["get", "serviceaccount", "default", "-n", "workload-e2e"]);
    assert.notEqual(before.automountServiceAccountToken, false, "not yet locked: created after the last up");
    const preview = previewSteps();
    assert.equal(preview.get("default-sa-workload-e2e"), "create", [...preview.entries()].join("; "));
    ok(pulumi(["up", "--yes", "--skip-preview"]), "up after a new namespace");
    const all = kubectlJson<{ items: Array<{ metadata: { name: string; namespace: string }; automountServiceAccountToken?: boolean }> }>(["get", "serviceaccounts", "-A"]).items;
    const namespaces = kubectlJson<{ items: Array<{ metadata: { name: string } }> }>(["get", "namespaces"]).items.map((n) => n.metadata.name);
    for (const ns of namespaces) {
      const sa = all.find((s) => s.metadata.name === "default" && s.metadata.namespace === ns);
      assert.equal(sa?.automountServiceAccountToken, false, `default ServiceAccount of ${ns}`);
    }
    ok(pulumi(["preview", "--expect-no-changes"]), "clean after the lockdown");
  });

  it("the audit log on the server holds JSON events at the policy's levels, and the promtail and Alloy pipelines label the real lines as promised", async () => {
    const canary = `canary-${process.pid}-value`;
    ok(kubectl(["create", "secret", "generic", "audit-e2e", "-n", "workload-e2e", `--from-literal=k=${canary}`]), "create secret");
    ok(kubectl(["get", "secret", "audit-e2e", "-n", "workload-e2e", "-o", "yaml"]), "get secret");
    ok(kubectl(["delete", "secret", "audit-e2e", "-n", "workload-e2e"]), "delete secret");
    const logFile = path.join(byName("cp-1").root, K3S_PATHS.auditLogFile);
    const read = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "");
    const secretDeleted = () =>
      read()
        .split("\n")
        .filter((l) => l.includes("audit-e2e"))
        .some((l) => {
          const e = JSON.parse(l) as { verb: string; objectRef?: { resource?: string; name?: string } };
          return e.verb === "delete" && e.objectRef?.resource === "secrets" && e.objectRef.name === "audit-e2e";
        });
    await eventually("the secret's delete in the audit log", secretDeleted, 30);
    const raw = read();
    assert.ok(!raw.includes(canary) && !raw.includes(Buffer.from(canary).toString("base64")), "the Secret's value is not in the audit log");
    assert.equal(fs.statSync(logFile).mode & 0o777, 0o600);
    const lines = raw.split("\n").filter(Boolean);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const events = lines.map((l) => JSON.parse(l) as any);
    for (const e of events) {
      assert.equal(e.kind, "Event");
      assert.equal(e.apiVersion, "audit.k8s.io/v1");
      assert.notEqual(e.stage, "RequestReceived", "omitted stage");
    }
    const secretEvents = events.filter((e) => e.objectRef?.resource === "secrets" && e.objectRef?.name === "audit-e2e");
    assert.deepEqual([...new Set(secretEvents.map((e) => e.verb))].sort(), ["create", "delete", "get"]);
    for (const e of secretEvents) {
      assert.equal(e.level, "Metadata", `secret ${e.verb} at Metadata`);
      assert.equal(e.requestObject, undefined);
      assert.equal(e.responseObject, undefined);
    }
    const podCreates = events.filter((e) => e.objectRef?.resource === "pods" && e.verb === "create" && e.objectRef?.namespace === "kube-bench");
    assert.ok(podCreates.length > 0 && podCreates.every((e) => e.level === "RequestResponse" && e.requestObject), "Pod creates in full");
    assert.deepEqual(
      events.filter((e) => e.objectRef?.resource === "events" && e.verb !== "delete" && e.verb !== "deletecollection"),
      [],
      "events are not logged (only their deletion)",
    );

    const promtail = promtailSpec(kubectlJson<{ data: Record<string, string> }>(["get", "configmap", "k8s-audit-promtail", "-n", "k8s-audit"]).data["k8s-audit-scrape-configs.yaml"]);
    const alloyData = kubectlJson<{ data: Record<string, string> }>(["get", "configmap", "k8s-audit-alloy", "-n", "k8s-audit"]).data;
    const alloy = alloySpec(Object.values(alloyData)[0]);
    for (const spec of [promtail, alloy]) {
      assert.equal(spec.path, K3S_PATHS.auditLogFile, "the shippers read the file the API server writes");
      assert.deepEqual(spec.staticLabels, { job: "k8s_audit", cluster: "e2e" });
    }
    for (const [i, line] of lines.entries()) {
      const fromPromtail = ship(promtail, line);
      assert.deepEqual(ship(alloy, line), fromPromtail, `promtail and Alloy agree on line ${i + 1}`);
      const e = events[i];
      const want: Record<string, string> = { job: "k8s_audit", cluster: "e2e", verb: e.verb };
      if (e.objectRef?.resource) want.resource = e.objectRef.resource;
      if (e.objectRef?.namespace) want.namespace = e.objectRef.namespace;
      assert.deepEqual(fromPromtail.labels, want, `labels of line ${i + 1}`);
      assert.deepEqual(fromPromtail.structuredMetadata, { user: e.user.username, ...(e.responseStatus?.code ? { code: String(e.responseStatus.code) } : {}) });
      assert.equal(fromPromtail.timestamp?.getTime(), new Date(e.stageTimestamp.replace(/(\.\d{3})\d+/, "$1")).getTime());
    }
    // The guide's query finds the delete: {job="k8s_audit"} | json | verb="delete" | resource="secrets".
    assert.ok(lines.some((l) => { const x = ship(promtail, l).labels; return x.verb === "delete" && x.resource === "secrets" && x.namespace === "workload-e2e"; }));
  });

  it("bad configuration stops the preview before anything is created", () => {
    const saved = fs.readFileSync(configFile, "utf8");
    setConfig("extraArgs", { kubelet: ["read-only-port=10255"] });
    const r = pulumi(["preview"]);
    fs.writeFileSync(configFile, saved);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /extraArgs\.kubelet\[0\]: read-only-port=10255 weakens a CIS control/);
  });

  describe("the CrossGuard policy pack in the real engine, exactly as shipped (runtime: nodejs)", () => {
    const pack = path.join(REPO, "policy");
    before(() => {
      assert.match(fs.readFileSync(path.join(pack, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
    });

    it("runs during preview with the shipped config and passes the stack as deployed", () => {
      const r = ok(pulumi(["preview", "--policy-pack", pack, "--policy-pack-config", path.join(REPO, "policy/policy-config.json")]), "preview with pack");
      assert.match(r.stdout, /Policies:|k3s-cis/i);
      assert.doesNotMatch(r.stdout, /mandatory/);
    });

    it("a mandatory violation stops pulumi up before any node is touched", () => {
      const before = nodes.map(restarts);
      const saved = fs.readFileSync(configFile, "utf8");
      // A privileged scan container with no exemptions configured: CIS 5.2.2 is critical, so mandatory.
      setConfig("kubeBench", { privileged: true, checkFiles: checkFileRoot("security-scan") });
      setConfig("audit", { maxAgeDays: 55 });
      const emptyConfig = path.join(e2eDir, "no-exemptions.json");
      fs.writeFileSync(emptyConfig, "{}\n");
      const r = pulumi(["up", "--yes", "--policy-pack", pack, "--policy-pack-config", emptyConfig]);
      fs.writeFileSync(configFile, saved);
      assert.notEqual(r.status, 0, "pulumi up must fail");
      assert.match(r.stdout + r.stderr, /mandatory/);
      assert.match(r.stdout + r.stderr, /cis-pod-privileged/);
      assert.deepEqual(nodes.map(restarts), before, "no node restarted");
      assert.doesNotMatch(fs.readFileSync(path.join(byName("cp-1").root, K3S_PATHS.configFile), "utf8"), /audit-log-maxage=55/);
    });
  });

  describe("drift: hand edits on nodes show in preview and are undone by up", () => {
    it("preview names each drifted node and file; up puts them back, restarting only where k3s reads a changed file; the next up is clean", () => {
      const [cp1, cp2, wk1, wk2] = ["cp-1", "cp-2", "wk-1", "wk-2"].map(byName);
      const expected = snapshot(nodes);
      const before = nodes.map(restarts);
      fs.appendFileSync(path.join(cp1.root, K3S_PATHS.configFile), "# hand edit\nprofile: null\n");
      fs.rmSync(path.join(cp2.root, K3S_PATHS.auditPolicyFile));
      fs.chmodSync(path.join(wk1.root, K3S_PATHS.configFile), 0o644);
      fs.writeFileSync(path.join(wk2.state, "sysctl", "vm.overcommit_memory"), "0\n");

      const preview = ok(pulumi(["preview"]), "preview");
      const out = preview.stdout + preview.stderr;
      assert.match(out, /node cp-1 drifted from the stack; pulumi up puts it back \(k3s restarts\):\s+- \/etc\/rancher\/k3s\/config\.yaml: content differs/);
      assert.match(out, /node cp-2 drifted[^\n]*\(k3s restarts\):\s+- \/var\/lib\/rancher\/k3s\/server\/audit\.yaml: file is missing/);
      assert.match(out, /node wk-1 drifted[^\n]*\(no restart needed\):\s+- \/etc\/rancher\/k3s\/config\.yaml: mode 644, want 600/);
      assert.match(out, /node wk-2 drifted[^\n]*\(no restart needed\):\s+- vm\.overcommit_memory: kernel parameter is 0, want 1/);
      assert.deepEqual(
        [...previewSteps().entries()].sort(),
        [["cp-1-apply", "update"], ["cp-2-apply", "update"], ["wk-1-apply", "update"], ["wk-2-apply", "update"]],
      );
      // The same check without a deployment.
      const cli = driftCli(["--json"]);
      assert.equal(cli.status, 1, cli.stderr);
      const report = JSON.parse(cli.stdout) as { nodes: Array<{ node: string; status: string; findings: Array<{ item: string; what: string }> }> };
      assert.deepEqual(
        report.nodes.map((n) => [n.node, n.status, n.findings.map((f) => `${f.item} ${f.what}`)]),
        [
          ["cp-1", "drift", [`${K3S_PATHS.configFile} content`]],
          ["cp-2", "drift", [`${K3S_PATHS.auditPolicyFile} missing`]],
          ["wk-1", "drift", [`${K3S_PATHS.configFile} mode`]],
          ["wk-2", "drift", ["vm.overcommit_memory value"]],
        ],
      );
      assert.doesNotMatch(cli.stdout + cli.stderr, /K10e2e-token-never-in-state|PRIVATE KEY/);

      ok(pulumi(["up", "--yes", "--skip-preview"]), "up repairs the drift");
      assert.deepEqual(snapshot(nodes), expected, "every file is back, byte for byte, 0600 root");
      assert.equal(fs.readFileSync(path.join(wk2.state, "sysctl", "vm.overcommit_memory"), "utf8").trim(), "1");
      assert.deepEqual(
        nodes.map((n, i) => restarts(n).length - before[i].length),
        [1, 1, 0, 0],
        "cp-1 and cp-2 restart (config.yaml, audit policy); wk-1 (mode) and wk-2 (kernel parameter) do not",
      );
      ok(pulumi(["preview", "--expect-no-changes"]), "preview after repair");
      ok(pulumi(["up", "--yes", "--skip-preview", "--expect-no-changes"]), "up after repair");
      const clean = driftCli([]);
      assert.equal(clean.status, 0, clean.stdout + clean.stderr);
      assert.match(clean.stdout, /^cp-1 +in-sync/m);
      assert.deepEqual(nodes.map((n, i) => restarts(n).length - before[i].length), [1, 1, 0, 0]);
    });

    it("an unreachable node fails the preview naming the node, not a silent 'no drift'", () => {
      harness("stop", "wk-2");
      const r = pulumi(["preview"]);
      const cli = driftCli([]);
      harness("start", "wk-2");
      assert.equal(cli.status, 2, "npm run drift: exit 2 for an unreachable node");
      assert.match(cli.stdout, /^wk-2 +unreachable .*10\.231\.0\.14:22/m);
      assert.notEqual(r.status, 0);
      assert.match(r.stdout + r.stderr, /drift check: node wk-2 \(10\.231\.0\.14:22\): .*(ECONNREFUSED|refused)/);
    });
  });

  describe("a run killed half-way", () => {
    it("an up killed while a node waits for health is shown as drift and finished by the next up", async () => {
      const cp1 = byName("cp-1");
      const before = restarts(cp1).length;
      fs.writeFileSync(path.join(cp1.state, "fail-health"), "");
      setConfig("audit", { maxAgeDays: 77 });
      const child = spawn("pulumi", ["up", "--yes", "--skip-preview", "--stack", STACK, "--config-file", configFile, "--non-interactive"], {
        cwd: REPO,
        env,
        stdio: "ignore",
        detached: true,
      });
      for (let i = 0; i < 1200 && restarts(cp1).length === before; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(restarts(cp1).length, before + 1, "cp-1 was restarted onto the new files");
      // The engine and the node's script die together (an OOM kill, a reboot of the machine running pulumi).
      process.kill(-child.pid!, "SIGKILL");
      spawnSync("pkill", ["-KILL", "-f", "^/bin/bash -s -- [0-9]+$"]);
      await new Promise((r) => setTimeout(r, 500));
      fs.rmSync(path.join(cp1.state, "fail-health"));
      assert.match(fs.readFileSync(path.join(cp1.root, K3S_PATHS.configFile), "utf8"), /audit-log-maxage=77/);
      ok(pulumi(["cancel", "--yes"]), "pulumi cancel (the killed run's lock)");
      const preview = ok(pulumi(["preview"]), "preview after the kill");
      assert.match(preview.stdout + preview.stderr, /node cp-1 drifted[^\n]*\(k3s restarts\):\s+- last apply: killed after it replaced files/);
      const r = ok(pulumi(["up", "--yes", "--skip-preview"]), "up after the kill");
      assert.match(r.stdout, /k3s-hardening\[cp-1\]: an earlier run was interrupted after replacing files/);
      assert.match(r.stdout, /k3s-hardening\[cp-1\]: k3s healthy after restart/);
      assert.match(fs.readFileSync(path.join(byName("cp-2").root, K3S_PATHS.configFile), "utf8"), /audit-log-maxage=77/, "the rollout went on");
      ok(pulumi(["preview", "--expect-no-changes"]), "clean after finishing the killed run");
    });
  });

  describe("key rotation, host-key rotation and root to sudo, on the official command provider", () => {
    const keys: string[] = [];
    /** A new client key; the nodes accept only the given keys from now on. */
    const newKey = (label: string): string => {
      const f = path.join(e2eDir, `id-${label}`);
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", label, "-f", f]);
      keys.push(f);
      return f;
    };
    const useKey = (f: string) => ok(pulumi(["config", "set", "--secret", `${PROJECT}:sshPrivateKey`], fs.readFileSync(f, "utf8")), "config set sshPrivateKey");
    let currentKey = "";
    before(() => {
      currentKey = nodes[0].privateKeyPath;
      keys.push(currentKey);
    });

    /** The change is an in-place update of commands only; up passes; files unchanged; nothing restarts. */
    const quietUpdate = (what: string): Map<string, string> => {
      const files = snapshot(nodes);
      const before = nodes.map(restarts);
      const steps = previewSteps();
      assert.ok(steps.size > 0, `${what}: the preview shows the change`);
      for (const [name, op] of steps) assert.equal(op, "update", `${what}: ${name} is ${op}, want an in-place update`);
      ok(pulumi(["up", "--yes", "--skip-preview"]), `up after ${what}`);
      assert.deepEqual(snapshot(nodes), files, `${what}: node files unchanged`);
      assert.deepEqual(nodes.map(restarts), before, `${what}: nothing restarted`);
      ok(pulumi(["preview", "--expect-no-changes"]), `preview after ${what}`);
      return steps;
    };

    for (const restore of [false, true]) {
      describe(`with restoreOnDestroy ${restore}`, () => {
        before(() => {
          setConfig("restoreOnDestroy", restore);
          const steps = previewSteps();
          if (restore) {
            // Turning the restore on changes only the restore commands (no create or update command: no SSH).
            assert.deepEqual([...steps.keys()].sort(), nodes.map((n) => `${n.name}-restore`).sort());
            ok(pulumi(["up", "--yes", "--skip-preview"]), "up restoreOnDestroy true");
          } else assert.equal(steps.size, 0);
        });

        it("rotating the SSH key, with the old key removed from the nodes first", () => {
          const next = newKey(`rotated-${restore}`);
          harness("authorize", `${next}.pub`);
          useKey(next);
          currentKey = next;
          const steps = quietUpdate("key rotation");
          for (const n of nodes) assert.equal(steps.get(`${n.name}-apply`), "update", `${n.name}-apply updated in place`);
        });

        it("a node's new host key (config hostKey updated)", () => {
          const name = restore ? "cp-2" : "cp-1";
          harness("rekey", name);
          const fresh = reloadNodes();
          nodes = nodes.map((n) => (n.name === name ? { ...n, hostKey: fresh.find((f) => f.name === name)!.hostKey } : n));
          const stale = pulumi(["preview"]);
          assert.notEqual(stale.status, 0, "the old host key is refused");
          assert.match(stale.stdout + stale.stderr, new RegExp(`node ${name} .*host key does not match the configured hostKey`));
          setConfig("nodes", configNodes(nodes));
          const steps = quietUpdate("host key rotation");
          assert.equal(steps.get(`${name}-apply`), "update");
        });

        it(restore ? "switching wk-1 back from the sudo user to root" : "switching wk-1 from root to a sudo user", () => {
          nodes = nodes.map((n) => (n.name === "wk-1" ? { ...n, user: restore ? "root" : "k3sdeploy", sudo: !restore } : n));
          setConfig("nodes", configNodes(nodes));
          const steps = quietUpdate("login user switch");
          assert.equal(steps.get("wk-1-apply"), "update");
        });
      });
    }

    describe("a replaced command", () => {
      it("a replaced command's delete never undoes the newer apply (as if a provider replaced on a connection change)", () => {
        // The old key stays accepted so that the replaced restore command can still connect and run.
        const next = newKey("replaced");
        harness("authorize", `${currentKey}.pub`, `${next}.pub`);
        useKey(next);
        const urns = (JSON.parse(ok(pulumi(["stack", "export"]), "stack export").stdout) as { deployment: { resources: Array<{ urn: string }> } }).deployment.resources.map((r) => r.urn);
        const urn = (name: string) => urns.find((u) => u.endsWith(`::${name}`))!;
        const files = snapshot(nodes);
        const before = nodes.map(restarts);
        const r = ok(pulumi(["up", "--yes", "--skip-preview", "--replace", urn("cp-1-apply"), "--replace", urn("cp-1-restore")]), "up with forced replacement");
        assert.match(r.stdout, /k3s-hardening\[cp-1\]: the hardening on this node was last applied over another connection .* a newer apply owns it; not restoring/);
        assert.deepEqual(snapshot(nodes), files, "cp-1 stays hardened");
        assert.deepEqual(nodes.map(restarts), before);
        harness("authorize", `${next}.pub`);
        currentKey = next;
      });
    });

    after(() => {
      rotatedKeys.push(...keys);
    });
  });

  describe("a decommissioned node", () => {
    it("with restoreOnDestroy false: removing a node whose sshd is stopped passes, with no SSH session", () => {
      // Stack-level restoreOnDestroy is true here; wk-2 opts out while it is still up.
      nodes = nodes.map((n) => (n.name === "wk-2" ? { ...n, restoreOnDestroy: false } : n));
      setConfig("nodes", configNodes(nodes));
      assert.deepEqual([...previewSteps().entries()], [["wk-2-restore", "update"]]);
      ok(pulumi(["up", "--yes", "--skip-preview"]), "up wk-2 restoreOnDestroy false");
      const wk2 = byName("wk-2");
      harness("stop", "wk-2");
      const seen = logins(wk2);
      setConfig("nodes", configNodes(nodes.filter((n) => n.name !== "wk-2")));
      const steps = previewSteps();
      assert.equal(steps.get("wk-2-apply"), "delete");
      assert.equal(steps.get("wk-2-restore"), "delete");
      ok(pulumi(["up", "--yes", "--skip-preview"]), "up without wk-2");
      assert.equal(logins(wk2), seen);
    });

    it("with restoreOnDestroy true: removing an unreachable node fails naming it and how to let it go, and that works", () => {
      harness("start", "wk-2");
      const fresh = reloadNodes().find((n) => n.name === "wk-2")!;
      nodes = nodes.map((n) => (n.name === "wk-2" ? { ...fresh, user: n.user, sudo: n.sudo } : n));
      setConfig("nodes", configNodes(nodes));
      ok(pulumi(["up", "--yes", "--skip-preview"]), "up with wk-2 back (restoreOnDestroy true)");
      harness("stop", "wk-2");
      nodes = nodes.filter((n) => n.name !== "wk-2");
      setConfig("nodes", configNodes(nodes));
      const r = pulumi(["up", "--yes", "--skip-preview"]);
      const out = r.stdout + r.stderr;
      assert.notEqual(r.status, 0, "pulumi up must fail");
      assert.match(out, /node wk-2 \(10\.231\.0\.14:22\) cannot be reached \(connect ECONNREFUSED[^)]*\), so its pre-hardening files cannot be restored/);
      const m = /pulumi state delete '([^']+)'/.exec(out);
      assert.ok(m && m[1].endsWith("::wk-2-restore"), out);
      ok(pulumi(["state", "delete", m[1], "--yes"]), "state delete");
      ok(pulumi(["up", "--yes", "--skip-preview"]), "up after letting wk-2 go");
      ok(pulumi(["preview", "--expect-no-changes"]), "clean after removal");
    });
  });

  describe("secrets", () => {
    it("the state holds no plaintext private key or token", () => {
      const exported = ok(pulumi(["stack", "export"]), "stack export").stdout;
      for (const f of [nodes[0].privateKeyPath, ...rotatedKeys]) {
        const keyBody = fs.readFileSync(f, "utf8").split("\n")[1];
        assert.ok(keyBody.length > 20);
        assert.ok(!exported.includes(keyBody), `private key body of ${f} found in state`);
        const grep = spawnSync("grep", ["-rlF", keyBody, path.join(e2eDir, "state")], { encoding: "utf8" });
        assert.equal(grep.status, 1, `private key found in state files: ${grep.stdout}`);
      }
      assert.ok(!exported.includes("K10e2e-token-never-in-state"), "token found in state");
    });
  });

  describe("pulumi destroy", () => {
    it("without --run-program stops before anything is deleted (the restore check runs in the program)", () => {
      const files = snapshot(nodes);
      const r = pulumi(["destroy", "--yes", "--skip-preview"]);
      assert.notEqual(r.status, 0);
      assert.match(r.stdout + r.stderr, /--run-program/);
      assert.deepEqual(snapshot(nodes), files);
    });

    it("with --run-program restores the pre-hardening files on the nodes that asked for it, keeps the others", () => {
      nodes = nodes.map((n) => (n.name === "cp-2" ? { ...n, restoreOnDestroy: false } : n));
      setConfig("nodes", configNodes(nodes));
      ok(pulumi(["up", "--yes", "--skip-preview"]), "up cp-2 restoreOnDestroy false");
      const cp2Files = snapshot([byName("cp-2")]);
      const before = nodes.map(restarts);
      ok(pulumi(["destroy", "--yes", "--skip-preview", "--run-program"]), "destroy --run-program");
      const cp1 = byName("cp-1");
      const cfgFile = path.join(cp1.root, K3S_PATHS.configFile);
      assert.equal(fs.readFileSync(cfgFile, "utf8"), ORIGINAL_CP1_CONFIG, "cp-1 has its original config.yaml back");
      assert.equal(fs.statSync(cfgFile).mode & 0o777, 0o644, "with its original mode");
      for (const f of [K3S_PATHS.auditPolicyFile, K3S_PATHS.admissionConfigFile, K3S_PATHS.sysctlFile]) {
        assert.ok(!fs.existsSync(path.join(cp1.root, f)), `cp-1: ${f} was absent before the hardening`);
      }
      assert.ok(!fs.existsSync(path.join(byName("wk-1").root, K3S_PATHS.configFile)), "wk-1: config.yaml was absent before");
      assert.deepEqual(snapshot([byName("cp-2")]), cp2Files, "cp-2 (restoreOnDestroy false) keeps its hardening");
      assert.deepEqual(
        nodes.map((n, i) => restarts(n).length - before[i].length),
        nodes.map((n) => (n.name === "cp-2" ? 0 : 1)),
      );
      // The cluster side went before the servers restarted onto their old files; the lockdown stays.
      assert.equal(ok(kubectl(["get", "--raw=/readyz"]), "cp-1's API server after the restore").stdout, "ok");
      assert.notEqual(kubectl(["get", "namespace", "kube-bench"]).status, 0, "the scanner namespace is gone");
      for (const ns of ["default", "kube-system", "workload-e2e"]) {
        assert.equal(kubectlJson<{ automountServiceAccountToken?: boolean }>(["get", "serviceaccount", "default", "-n", ns]).automountServiceAccountToken, false, `${ns}: the patch outlives destroy`);
      }
    });
  });
});
