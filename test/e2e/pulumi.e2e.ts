/**
 * End to end: the real Pulumi engine runs this program against three SSH test nodes (real sshd in network
 * namespaces, each with its own filesystem; stand-in k3s). Needs root, `pulumi` and the providers on PATH.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { K3S_PATHS } from "../../components/k3s/facts";

const REPO = path.resolve(__dirname, "../..");
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
const manifestsDir = path.join(e2eDir, "k8s-manifests");
const env: NodeJS.ProcessEnv = {
  ...process.env,
  E2E_DIR: e2eDir,
  PULUMI_HOME: path.join(e2eDir, "pulumi-home"),
  PULUMI_CONFIG_PASSPHRASE: "e2e-only-passphrase",
  PULUMI_SKIP_UPDATE_CHECK: "true",
  PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  PULUMI_SKIP_CONFIRMATIONS: "true",
  PULUMI_BACKEND_URL: `file://${path.join(e2eDir, "state")}`,
  NO_COLOR: "1",
};

function pulumi(args: string[], input?: string): RunResult {
  // `stack` subcommands take no --config-file; the others read the stack's config from our file.
  const cfgArgs = args[0] === "stack" ? [] : ["--config-file", configFile];
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

function rendered(nodeName: string, file: string): string {
  const out = path.join(e2eDir, "render");
  return fs.readFileSync(path.join(out, "nodes", nodeName, file), "utf8");
}

describe("pulumi up against SSH test nodes", function () {
  this.timeout(30 * 60_000);
  let nodes: TestNode[] = [];
  const byName = (n: string) => nodes.find((x) => x.name === n)!;

  before(() => {
    execFileSync(HARNESS, ["up"], { env, stdio: "inherit" });
    nodes = JSON.parse(fs.readFileSync(path.join(e2eDir, "nodes.json"), "utf8")) as TestNode[];
    fs.mkdirSync(path.join(e2eDir, "state"));
    ok(pulumi(["stack", "init", "--secrets-provider", "passphrase"]), "stack init");
    // `stack init` writes the stack file (with the passphrase salt) next to Pulumi.yaml; keep it in the test dir.
    fs.renameSync(path.join(REPO, `Pulumi.${STACK}.yaml`), configFile);
    setConfig("cluster", "e2e");
    setConfig(
      "nodes",
      nodes.map((n) => ({ name: n.name, host: n.host, port: n.port, user: n.user, role: n.role, sudo: n.sudo, hostKey: n.hostKey })),
    );
    setConfig("rollout", { healthTimeoutSeconds: 10, agentBatchSize: 1 });
    // No cluster here: the kubernetes provider writes the manifests it would apply into a directory.
    setConfig("kubernetes", { renderYamlToDirectory: manifestsDir });
    setConfig("auditShipping", { lokiUrl: "http://loki.monitoring.svc.cluster.local/loki/api/v1/push" });
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
    // What the render command shows is what the nodes got (render has placeholders for the token).
    const outDir = path.join(e2eDir, "render");
    const renderCfg = path.join(e2eDir, "render-project");
    fs.mkdirSync(renderCfg);
    fs.copyFileSync(path.join(REPO, "Pulumi.yaml"), path.join(renderCfg, "Pulumi.yaml"));
    fs.copyFileSync(configFile, path.join(renderCfg, `Pulumi.${STACK}.yaml`));
    execFileSync("npx", ["ts-node", "--transpile-only", "cli/render.ts", "--stack", STACK, "--out", outDir, "--project", renderCfg], { cwd: REPO, env, stdio: "pipe" });
    for (const n of nodes) {
      const files = n.role === "server" ? [K3S_PATHS.auditPolicyFile, K3S_PATHS.admissionConfigFile, K3S_PATHS.sysctlFile, K3S_PATHS.configFile] : [K3S_PATHS.sysctlFile, K3S_PATHS.configFile];
      for (const f of files) {
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

  it("a node that fails its health check is rolled back and pulumi up fails naming it, with the journal tail", () => {
    const cp2 = byName("cp-2");
    const good = fs.readFileSync(path.join(cp2.root, K3S_PATHS.configFile), "utf8");
    fs.writeFileSync(path.join(cp2.state, "fail-health-if-config-contains"), "audit-log-maxage=50\n");
    setConfig("audit", { maxAgeDays: 50 });
    const r = pulumi(["up", "--yes", "--skip-preview"]);
    assert.notEqual(r.status, 0, "pulumi up must fail");
    const out = r.stdout + r.stderr;
    assert.match(out, /cp-2-apply/);
    assert.match(out, /k3s-hardening\[cp-2\]: ERROR: k3s did not become healthy/);
    assert.match(out, /previous configuration was restored/);
    assert.match(out, /level=fatal/);
    assert.equal(fs.readFileSync(path.join(cp2.root, K3S_PATHS.configFile), "utf8"), good, "cp-2 rolled back");
    assert.match(fs.readFileSync(path.join(byName("cp-1").root, K3S_PATHS.configFile), "utf8"), /audit-log-maxage=50/, "cp-1 went first");
    // Clear the fault: the next up converges.
    fs.rmSync(path.join(cp2.state, "fail-health-if-config-contains"));
    ok(pulumi(["up", "--yes", "--skip-preview"]), "up after fixing the node");
    assert.match(fs.readFileSync(path.join(cp2.root, K3S_PATHS.configFile), "utf8"), /audit-log-maxage=50/);
  });

  it("writes the Kubernetes objects through the provider's render mode, and they parse", () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith(".yaml")) files.push(p);
      }
    };
    walk(manifestsDir);
    const kinds = new Set<string>();
    for (const f of files) {
      for (const doc of YAML.parseAllDocuments(fs.readFileSync(f, "utf8"))) {
        assert.deepEqual(doc.errors, [], f);
        const obj = doc.toJS() as { kind?: string; apiVersion?: string } | null;
        if (obj?.kind) kinds.add(obj.kind);
      }
    }
    for (const k of ["Namespace", "ServiceAccount", "ClusterRole", "Job", "CronJob", "ConfigMap"]) assert.ok(kinds.has(k), `no ${k} among ${[...kinds].join(", ")}`);
  });

  it("bad configuration stops the preview before anything is created", () => {
    const saved = fs.readFileSync(configFile, "utf8");
    setConfig("extraArgs", { kubelet: ["read-only-port=10255"] });
    const r = pulumi(["preview"]);
    fs.writeFileSync(configFile, saved);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /extraArgs\.kubelet\[0\]: read-only-port=10255 weakens a CIS control/);
  });

  describe("the CrossGuard policy pack in the real engine", () => {
    let pack = "";
    before(() => {
      // This engine's language host (the newest the Go proxy serves) cannot start `runtime: nodejs` packs
      // through RunPlugin; the CLI runs `pulumi-analyzer-policy-nodepolicy` for a copy of the pack that says
      // `runtime: nodepolicy`. The rules, config and node_modules are the pack's own (symlinks).
      pack = path.join(e2eDir, "policy-pack");
      fs.mkdirSync(pack);
      for (const f of fs.readdirSync(path.join(REPO, "policy"))) {
        if (f !== "PulumiPolicy.yaml") fs.symlinkSync(path.join(REPO, "policy", f), path.join(pack, f));
      }
      const manifest = fs.readFileSync(path.join(REPO, "policy/PulumiPolicy.yaml"), "utf8");
      fs.writeFileSync(path.join(pack, "PulumiPolicy.yaml"), manifest.replace(/^runtime: nodejs$/m, "runtime: nodepolicy"));
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
      setConfig("kubeBench", { privileged: true });
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

  it("the state holds no plaintext private key or token", () => {
    const exported = ok(pulumi(["stack", "export"]), "stack export").stdout;
    const key = fs.readFileSync(nodes[0].privateKeyPath, "utf8");
    const keyBody = key.split("\n")[1];
    assert.ok(keyBody.length > 20);
    assert.ok(!exported.includes(keyBody), "private key body found in state");
    assert.ok(!exported.includes("K10e2e-token-never-in-state"), "token found in state");
    const grep = spawnSync("grep", ["-rlF", keyBody, path.join(e2eDir, "state")], { encoding: "utf8" });
    assert.equal(grep.status, 1, `private key found in state files: ${grep.stdout}`);
  });
});
