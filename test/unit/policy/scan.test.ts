/** `npm run scan` over the corpus in test/fixtures/manifests (in-process, plus one real process). */
import * as assert from "assert";
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runScan, SCAN_LIMITS } from "../../../cli/scan";

const ROOT = path.resolve(__dirname, "../../..");
const CORPUS = "test/fixtures/manifests";
const SHIPPED_CONFIG = "policy/policy-config.json";

function scan(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  let stdout = "";
  let stderr = "";
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const code = runScan(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env });
    return { code, stdout, stderr };
  } finally {
    process.chdir(cwd);
  }
}

function json(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; doc: any } {
  const r = scan(["--json", ...args], env);
  return { code: r.code, doc: JSON.parse(r.stdout) };
}

// Started when mocha loads this file, so ts-node's start-up overlaps the in-process tests.
const processRun = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
  const child = execFile(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", "cli/scan.ts", "--json", `${CORPUS}/bad/privileged-pod.yaml`],
    { cwd: ROOT, encoding: "utf8" },
    (_err, stdout, stderr) => resolve({ status: child.exitCode, stdout, stderr }),
  );
});

describe("npm run scan", () => {
  it("passes the good corpus: exit 0, every object counted", () => {
    const { code, doc } = json([`${CORPUS}/good`]);
    assert.strictEqual(code, 0);
    assert.deepStrictEqual(doc, { resources: 19, violations: [] });
  });

  it("reports the bad corpus with the JSON contract and exits 1 on mandatory violations", () => {
    const { code, doc } = json([`${CORPUS}/bad`]);
    assert.strictEqual(code, 1);
    assert.strictEqual(doc.resources, 6);
    for (const v of doc.violations) {
      assert.deepStrictEqual(Object.keys(v), ["policy", "control", "benchmark", "kind", "namespace", "name", "file", "message", "enforcement"]);
    }
    const byPolicy = (p: string) => doc.violations.filter((v: any) => v.policy === p);
    assert.deepStrictEqual(byPolicy("cis-rbac-cluster-admin"), [
      {
        policy: "cis-rbac-cluster-admin",
        control: "5.1.1",
        benchmark: "k3s-cis-1.12",
        kind: "ClusterRoleBinding",
        namespace: null,
        name: "ci-deployer",
        file: `${CORPUS}/bad/cluster-admin-binding.yaml`,
        message: "binds the cluster-admin ClusterRole (roleRef.name: cluster-admin)",
        enforcement: "mandatory",
      },
    ]);
    assert.strictEqual(byPolicy("cis-pod-privileged")[0].enforcement, "mandatory");
    assert.strictEqual(byPolicy("cis-default-namespace")[0].namespace, "default");
    const policies = new Set(doc.violations.map((v: any) => v.policy));
    for (const p of ["cis-pod-host-network", "cis-pod-host-port", "cis-rbac-wildcards", "cis-rbac-secrets-access", "cis-rbac-pod-create", "cis-pod-secrets-env", "cis-pod-seccomp", "cis-pod-security-context", "cis-pod-drop-net-raw", "cis-pod-run-as-non-root", "cis-pod-privilege-escalation", "cis-pod-sa-token-automount"]) {
      assert.ok(policies.has(p), p);
    }
  });

  it("text mode prints one line per violation on stdout", () => {
    const text = scan([`${CORPUS}/bad`]);
    const { doc } = json([`${CORPUS}/bad`]);
    const lines = text.stdout.trimEnd().split("\n");
    assert.strictEqual(lines.length, doc.violations.length);
    assert.ok(lines.includes(`${CORPUS}/bad/privileged-pod.yaml:2: mandatory cis-pod-privileged [CIS 5.2.2] Pod shop/node-debugger: container "shell" sets securityContext.privileged: true`));
    assert.match(text.stderr, /scanned 6 resources in 6 files against k3s-cis-1\.12: \d+ violations \(2 mandatory\)/);
  });

  it("the project's own scanner Jobs and log shipper pass only with the shipped config's exemptions", () => {
    assert.ok(json([`${CORPUS}/exempt`]).doc.violations.length > 0);
    const withConfig = scan(["--config", SHIPPED_CONFIG, `${CORPUS}/exempt`]);
    assert.strictEqual(withConfig.code, 0);
    assert.strictEqual(withConfig.stdout, "");
    assert.match(withConfig.stderr, /cis-pod-host-pid not applicable to Job kube-bench-cp-1: exempted: kube-bench reads the k3s process/);
    assert.match(withConfig.stderr, /cis-pod-privileged not applicable to CronJob kube-bench-cron-cp-1: exempted: scheduled kube-bench scan container/);
    // The uploader next to the scan container is not exempt: breaking it is reported.
    const { mkdtempSync, readFileSync, writeFileSync } = require("fs") as typeof import("fs");
    const dir = mkdtempSync(path.join(require("os").tmpdir(), "scan-"));
    const job = readFileSync(path.join(ROOT, CORPUS, "exempt/kube-bench.yaml"), "utf8").replace("allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true");
    writeFileSync(path.join(dir, "kube-bench.yaml"), job);
    const broken = json(["--config", SHIPPED_CONFIG, dir]).doc.violations;
    assert.deepStrictEqual(broken.map((v: any) => [v.policy, v.name, v.message]), [
      ["cis-pod-privilege-escalation", "kube-bench-cp-1", 'container "upload" sets securityContext.allowPrivilegeEscalation: true'],
    ]);
    require("fs").rmSync(dir, { recursive: true, force: true });
  });

  it("config levels apply: all=mandatory fails on advisory findings, disabled drops a policy", () => {
    const { writeFileSync, mkdtempSync } = require("fs") as typeof import("fs");
    const dir = mkdtempSync(path.join(require("os").tmpdir(), "scan-"));
    const strict = path.join(dir, "strict.json");
    writeFileSync(strict, JSON.stringify({ all: "mandatory", "cis-pod-host-port": "disabled" }));
    const { code, doc } = json(["--config", strict, `${CORPUS}/bad/host-network-daemonset.yaml`]);
    assert.strictEqual(code, 1);
    assert.deepStrictEqual(doc.violations.map((v: any) => [v.policy, v.enforcement]), [["cis-pod-host-network", "mandatory"]]);
    const relaxed = path.join(dir, "relaxed.json");
    writeFileSync(relaxed, JSON.stringify({ all: "advisory" }));
    assert.strictEqual(json(["--config", relaxed, `${CORPUS}/bad`]).code, 0);
    require("fs").rmSync(dir, { recursive: true, force: true });
  });

  it("control ids and the benchmark follow --benchmark, K3S_CIS_BENCHMARK or the config", () => {
    assert.strictEqual(json(["--benchmark", "k3s-cis-1.9", `${CORPUS}/bad/cluster-admin-binding.yaml`]).doc.violations[0].benchmark, "k3s-cis-1.9");
    assert.strictEqual(json([`${CORPUS}/bad/cluster-admin-binding.yaml`], { K3S_CIS_BENCHMARK: "k3s-cis-1.8" }).doc.violations[0].benchmark, "k3s-cis-1.8");
    const mismatch = scan(["--benchmark", "k3s-cis-1.9", "--config", "policy/policy-config.example.json", `${CORPUS}/good`]);
    assert.strictEqual(mismatch.code, 2);
    assert.match(mismatch.stderr, /--benchmark selects k3s-cis-1\.9 but the policy config states cis-benchmark\.benchmark k3s-cis-1\.8/);
  });

  it("bad input exits 2 and names the file (and line for YAML)", () => {
    const broken = scan([`${CORPUS}/invalid/broken.yaml`]);
    assert.strictEqual(broken.code, 2);
    assert.match(broken.stderr, /^scan: test\/fixtures\/manifests\/invalid\/broken\.yaml:\d+:\d+: invalid YAML: /);
    const notObject = scan(["--json", `${CORPUS}/invalid/not-an-object.yaml`]);
    assert.deepStrictEqual([notObject.code, notObject.stdout], [2, ""]);
    assert.match(notObject.stderr, /not-an-object\.yaml:2: document is not a Kubernetes object/);
    assert.match(scan(["missing-dir"]).stderr, /missing-dir: cannot read \(ENOENT\)/);
    assert.strictEqual(scan([]).code, 2);
    assert.strictEqual(scan(["--frobnicate", CORPUS]).code, 2);
    assert.match(scan(["--config", "package.json", `${CORPUS}/good`]).stderr, /invalid policy config/);
  });

  describe("hostile input exits 2 naming the file, quickly, never hangs", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "scan-hostile-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const dirWith = (name: string, make: (p: string) => void): string => {
      const d = fs.mkdtempSync(path.join(tmp, "d-"));
      make(path.join(d, name));
      return d;
    };

    it("a YAML alias bomb", () => {
      const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
      for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
      const file = path.join(tmp, "bomb.yaml");
      fs.writeFileSync(file, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n  ${levels.join("\n  ")}\n`);
      const r = scan([file]);
      assert.strictEqual(r.code, 2, r.stderr);
      assert.match(r.stderr, /bomb\.yaml:1: .*alias.*a manifest never needs that many/i);
    });

    it("a FIFO or a symlink to /dev/zero named *.yaml in a folder, or a FIFO named on the command line", () => {
      const fifoDir = dirWith("pipe.yaml", (p) => execFileSync("mkfifo", [p]));
      const t0 = Date.now();
      const fifo = scan([fifoDir]);
      assert.strictEqual(fifo.code, 2);
      assert.match(fifo.stderr, /pipe\.yaml: not a regular file/);
      const zero = scan([dirWith("zero.yaml", (p) => fs.symlinkSync("/dev/zero", p))]);
      assert.strictEqual(zero.code, 2);
      assert.match(zero.stderr, /zero\.yaml: not a regular file/);
      const named = scan([path.join(fifoDir, "pipe.yaml")]);
      assert.strictEqual(named.code, 2);
      assert.match(named.stderr, /pipe\.yaml: not a regular file or directory/);
      assert.ok(Date.now() - t0 < 5000, "no read waited for a writer");
    });

    it("a file larger than the limit, without reading it", () => {
      const file = path.join(tmp, "huge.yaml");
      fs.closeSync(fs.openSync(file, "w"));
      fs.truncateSync(file, SCAN_LIMITS.fileBytes + 1); // sparse: nothing is written
      const r = scan([file]);
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, /huge\.yaml: \d+ bytes is more than the \d+ a file may hold; split it into smaller files/);
    });

    it("more objects in one file than the limit", () => {
      const file = path.join(tmp, "many.yaml");
      const doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n";
      fs.writeFileSync(file, doc.repeat(SCAN_LIMITS.documents + 1));
      const r = scan([file]);
      assert.strictEqual(r.code, 2);
      assert.match(r.stderr, new RegExp(`many\\.yaml:\\d+: more than ${SCAN_LIMITS.documents} objects in one file`));
    });
  });

  it("runs as a process: one JSON document on stdout and the exit code", async function () {
    this.timeout(30000);
    const r = await processRun;
    assert.strictEqual(r.status, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.strictEqual(doc.resources, 1);
    assert.ok(doc.violations.some((v: any) => v.policy === "cis-pod-privileged" && v.enforcement === "mandatory"));
  });
});
