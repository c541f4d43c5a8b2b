import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { checkFileRoot } from "../../vendor";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { validateCapabilities } from "../../../components/config/capabilities";
import { StackFile } from "../../../components/config/load";
import { ConfigError, validateStackConfig } from "../../../components/config/validate";
import { renderClusterSideObjects, renderManifests } from "../../../cli/manifests";
import { rawConfig, TEST_PRIVATE_KEY } from "../helpers";
import { build, FULL_CAPABILITIES, nameProblems, schemaProblems, withCapability } from "./fixtures";

const ROOT = path.resolve(__dirname, "../../..");

function stackFile(raw: ReturnType<typeof rawConfig>): StackFile {
  return { project: "k3s-hardening", stack: "test", providerConfig: {}, raw };
}

/** Every Kubernetes object in the rendered .yaml files. */
function renderedObjects(manifests: Array<{ file: string; content: string }>): Array<{ file: string; obj: Record<string, unknown> }> {
  return manifests
    .filter((m) => m.file.endsWith(".yaml"))
    .flatMap((m) => YAML.parseAllDocuments(m.content).map((d) => ({ file: m.file, obj: d.toJS() as Record<string, unknown> })));
}

describe("rendered cluster-side manifests", () => {
  it("are valid against the Kubernetes OpenAPI schema, with valid names", () => {
    for (const variant of [FULL_CAPABILITIES, {}, withCapability("evidence", undefined), withCapability("auditShipping", { lokiUrl: "http://l/x", shipper: { enabled: false } })]) {
      const { cfg, caps } = build(variant);
      const groups = renderClusterSideObjects(cfg, caps);
      const objects = groups.flatMap((g) => g.objects);
      assert.ok(objects.length > 0);
      for (const obj of objects) {
        const problems = [...schemaProblems(obj), ...nameProblems(obj)];
        assert.deepEqual(problems, [], `${obj.kind}/${obj.metadata?.name}: ${problems.join("; ")}`);
      }
    }
  });

  it("catch an invalid object (the schema check is real)", () => {
    assert.notDeepEqual(schemaProblems({ apiVersion: "batch/v1", kind: "Job", metadata: { name: "x" }, spec: { ttlSecondsAfterFinished: "1d", template: {} } }), []);
    assert.notDeepEqual(schemaProblems({ apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "x" }, spec: { jobTemplate: {} } }), []);
  });

  it("write each object once, under its capability directory", () => {
    const { raw, cfg, caps } = build();
    const manifests = renderManifests(cfg, stackFile(raw), caps);
    const files = manifests.map((m) => m.file);
    assert.equal(new Set(files).size, files.length, "no file written twice");
    for (const f of [
      "kube-bench/namespace-kube-bench.yaml",
      "kube-bench/serviceaccount-kube-bench.yaml",
      "kube-bench/clusterrole-kube-bench-read-only.yaml",
      "kube-bench/clusterrolebinding-kube-bench-read-only.yaml",
      "kube-bench/networkpolicy-deny-ingress.yaml",
      "kube-bench/secret-kube-bench-uploader.yaml",
      "kube-bench/cronjob-kube-bench-cron-cp-1.yaml",
      "kube-bench/cronjob-kube-bench-cron-wk-2.yaml",
      "audit-logs/configmap-k8s-audit-promtail.yaml",
      "audit-logs/configmap-k8s-audit-alloy.yaml",
      "audit-logs/daemonset-k8s-audit-shipper.yaml",
      "audit-logs/config.alloy",
      "serviceaccounts/serviceaccount-default-default.yaml",
      "serviceaccounts/serviceaccount-kube-bench-default.yaml",
      "serviceaccounts/serviceaccount-k8s-audit-default.yaml",
      "serviceaccounts/serviceaccount-apps-default.yaml",
      "evidence/minio-bucket.json",
    ]) {
      assert.ok(files.includes(f), `missing ${f}; got ${files.join(", ")}`);
    }
    // Scan Jobs are named after their spec (kube-bench-<node>-<digest>).
    for (const node of ["cp-1", "wk-2"]) assert.ok(files.some((f) => new RegExp(`^kube-bench/job-kube-bench-${node}-[0-9a-f]{8}\\.yaml$`).test(f)), `no scan Job of ${node}`);
    for (const { file, obj } of renderedObjects(manifests)) {
      assert.equal(typeof obj.apiVersion, "string", file);
      assert.equal(typeof obj.kind, "string", file);
    }
  });

  it("render no secret value: SSH key, join token, kubeconfig or uploader credentials", () => {
    const kubeconfig = "apiVersion: v1\nclusters: []\nusers: [{name: u, user: {token: kubeconfig-token-0123456789}}]\n";
    const raw = rawConfig({ ...FULL_CAPABILITIES, k3sToken: "K10join-token-0123456789", kubernetes: { kubeconfig } });
    raw.secretKeys = new Set([...raw.secretKeys, "kubernetes"]);
    const cfg = validateStackConfig(raw);
    const caps = validateCapabilities(raw, cfg);
    const text = renderManifests(cfg, stackFile(raw), caps)
      .map((m) => m.content)
      .join("\n");
    for (const secret of ["K10join-token-0123456789", "kubeconfig-token-0123456789", "TEST-ONLY-NOT-A-REAL-KEY", TEST_PRIVATE_KEY.trim()]) {
      assert.ok(!text.includes(secret), `rendered ${secret}`);
    }
    const secret = renderedObjects(renderManifests(cfg, stackFile(raw), caps)).find((o) => o.obj.kind === "Secret");
    assert.match(String((secret?.obj.stringData as Record<string, string>)["mc-hosts.env"]), /^<secret: /);
  });

  it("reject a bad configuration before anything is rendered", () => {
    const raw = rawConfig(withCapability("evidence", { bucket: "Bad_Bucket", endpoint: "https://m:9000" }));
    const cfg = validateStackConfig(raw);
    assert.throws(() => renderManifests(cfg, stackFile(raw)), (e: unknown) => e instanceof ConfigError && /evidence\.bucket/.test(e.message));
  });

  it("come out of `npm run render` for the dev stack plus the cluster-side settings", function () {
    this.timeout(30000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-dev-"));
    try {
      fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
      let stack = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
      if (!stack.includes("k3s-hardening:evidence:")) {
        const additions = fs.readFileSync(path.join(__dirname, "dev-stack-additions.yaml"), "utf8");
        // Insert at the end of the `config:` block (top-level keys such as encryptionsalt may follow it).
        const lines = stack.split("\n");
        const start = lines.findIndex((l) => l === "config:");
        const next = lines.findIndex((l, i) => i > start && /^\S/.test(l) && !l.startsWith("#"));
        const at = next < 0 ? lines.length : next;
        stack = [...lines.slice(0, at), ...additions.trimEnd().split("\n"), ...lines.slice(at)].join("\n");
      }
      // The stack names the check files relative to the project; the copy lives elsewhere.
      stack = stack.replace("checkFiles: ../shared/vendor/security-scan-cfg", `checkFiles: ${checkFileRoot("security-scan")}`);
      fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), stack);
      const out = path.join(dir, "out");
      const r = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--transpile-only", path.join(ROOT, "cli/render.ts"), "--stack", "dev", "--out", out, "--project", dir], {
        cwd: ROOT,
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      // The dev stack states k3s v1.33, so the version table picks k3s-cis-1.12, and nothing scored fails.
      assert.match(r.stdout, /^predicted kube-bench k3s-cis-1\.12 verdicts$/m);
      assert.match(r.stdout, /^  server nodes \(cp-1\): \d+ PASS, 0 FAIL, /m);
      assert.match(r.stdout, /^  agent nodes \(wk-1\): \d+ PASS, 0 FAIL, /m);
      assert.match(r.stdout, /^  cluster \(policies target\): 1 PASS, 0 FAIL, /m);
      assert.match(r.stdout, /^  no check predicted to FAIL$/m);
      // The review copy of a node script holds the token placeholder: run by mistake, it refuses and writes nothing.
      const root = path.join(dir, "node-root");
      fs.mkdirSync(root);
      const applied = spawnSync("bash", [path.join(out, "nodes", "cp-1.apply.sh")], { env: { ...process.env, K3S_HARDEN_ROOT: root }, encoding: "utf8" });
      assert.equal(applied.status, 1);
      assert.match(applied.stderr, /k3s-hardening\[cp-1\]: this script was rendered for review and holds secret placeholders \(\/etc\/rancher\/k3s\/config\.yaml\)/);
      assert.deepEqual(fs.readdirSync(root), [], "nothing written");
      const manifests = path.join(out, "manifests");
      const list = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(path.join(d, e.name)) : [path.relative(manifests, path.join(d, e.name))]));
      const files = list(manifests);
      for (const f of [
        "kube-bench/namespace-kube-bench.yaml",
        "kube-bench/clusterrole-kube-bench-read-only.yaml",
        "kube-bench/cronjob-kube-bench-cron-cp-1.yaml",
        "kube-bench/secret-kube-bench-uploader.yaml",
        "audit-logs/configmap-k8s-audit-promtail.yaml",
        "audit-logs/configmap-k8s-audit-alloy.yaml",
        "serviceaccounts/serviceaccount-kube-system-default.yaml",
      ]) {
        assert.ok(files.includes(f), `missing ${f}`);
      }
      for (const node of ["cp-1", "wk-1"]) assert.ok(files.some((f) => new RegExp(`^kube-bench/job-kube-bench-${node}-[0-9a-f]{8}\\.yaml$`).test(f)), `no scan Job of ${node}`);
      const all = files.map((f) => fs.readFileSync(path.join(manifests, f), "utf8")).join("\n");
      assert.ok(!all.includes("REPLACED-BY-ENCRYPT") && !/secure: v1:/.test(all), "no secret material from the stack file");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
