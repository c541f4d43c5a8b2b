import assert from "node:assert/strict";
import { validateCapabilities } from "../../../components/config/capabilities";
import { ConfigError, validateStackConfig } from "../../../components/config/validate";
import { DEFAULT_IMAGES } from "../../../components/kubebench/facts";
import { rawConfig } from "../helpers";
import * as path from "node:path";
import { checkFileRoot } from "../../vendor";
import { build, FULL_CAPABILITIES, withCapability } from "./fixtures";

/** Expect validation to fail with a problem that starts with `key` and matches `fix`. */
function rejects(capabilities: Record<string, unknown>, key: string, fix: RegExp, stackValues: Record<string, unknown> = {}): string[] {
  let err: unknown;
  try {
    build(capabilities, stackValues);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ConfigError, `expected a ConfigError for ${key}, got ${String(err)}`);
  const hit = err.problems.find((p) => p.startsWith(key) && fix.test(p));
  assert.ok(hit, `no problem for ${key} matching ${fix}; got:\n${err.problems.join("\n")}`);
  return err.problems;
}

describe("cluster-side capabilities configuration", () => {
  describe("kubeBench.checkFiles", () => {
    const kb = (checkFiles: unknown) => withCapability("kubeBench", { schedule: "0 2 * * 0", checkFiles });
    // As written, without build()'s filling in of the vendored folder.
    const rejects = (capabilities: Record<string, unknown>, key: string, fix: RegExp, stackValues: Record<string, unknown> = {}) => {
      const raw = rawConfig({ ...stackValues, ...capabilities });
      assert.throws(
        () => validateCapabilities(raw, validateStackConfig(raw)),
        (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.startsWith(key) && fix.test(p)),
      );
    };
    it("is required while the cluster side runs, naming the profile and where its files come from", () => {
      rejects(withCapability("kubeBench", { schedule: "0 2 * * 0" }), "kubeBench.checkFiles", /required .*k3s-cis-1\.12\/, i\.e\. Rancher security-scan's package\/cfg\/ at 38bebe71/);
      rejects(withCapability("kubeBench", {}), "kubeBench.checkFiles", /kube-bench's cfg\/ at 92e522b9/, { benchmark: "k3s-cis-1.8" });
      const off = rawConfig({ ...withCapability("kubeBench", {}), kubernetes: { enabled: false } });
      assert.equal(validateCapabilities(off, validateStackConfig(off)).kubeBench.checkFiles, undefined);
    });
    it("refuses a folder without the profile, or the wrong project's copy", () => {
      rejects(kb(checkFileRoot("kube-bench")), "kubeBench.checkFiles", /k3s-cis-1\.12 is not a folder.*point it at Rancher security-scan's/);
      rejects(kb(checkFileRoot("security-scan")), "kubeBench.checkFiles", /master\.yaml is not kube-bench's k3s-cis-1\.9/, { benchmark: "k3s-cis-1.9" });
    });
    it("resolves a relative folder from the project folder", () => {
      const raw = rawConfig(kb(path.relative(path.resolve(checkFileRoot("security-scan"), "..", ".."), checkFileRoot("security-scan"))));
      raw.baseDir = path.resolve(checkFileRoot("security-scan"), "..", "..");
      const caps = validateCapabilities(raw, validateStackConfig(raw));
      assert.equal(caps.kubeBench.checkFiles?.dir, path.join(checkFileRoot("security-scan"), "k3s-cis-1.12"));
      assert.equal(caps.kubeBench.checkFiles?.benchmark, "k3s-cis-1.12");
    });
  });

  it("fills the defaults for a stack that sets none of the keys", () => {
    const { caps, cfg } = build({});
    assert.equal(caps.kubernetes.enabled, true);
    assert.equal(caps.kubeBench.enabled, true);
    assert.equal(caps.kubeBench.namespace, "kube-bench");
    assert.equal(caps.kubeBench.image, DEFAULT_IMAGES.kubeBench);
    assert.equal(caps.kubeBench.schedule, "0 2 * * 0");
    assert.deepEqual(caps.kubeBench.nodes, cfg.nodes.map((n) => n.name));
    assert.equal(caps.evidence.enabled, false, "no evidence key: stacks without MinIO still work");
    assert.equal(caps.auditShipping.enabled, false);
    assert.equal(caps.serviceAccounts.enabled, true);
    assert.deepEqual(caps.serviceAccounts.namespaces, ["default", "kube-system", "kube-public", "kube-node-lease"]);
    assert.ok(caps.warnings.some((w) => w.startsWith("evidence is not configured")));
  });

  it("turns evidence and audit shipping on when their keys are set", () => {
    const { caps } = build();
    assert.equal(caps.evidence.enabled, true);
    assert.equal(caps.evidence.retentionDays, 400);
    assert.equal(caps.evidence.objectLocking, true);
    assert.equal(caps.evidence.lockMode, "compliance", "COMPLIANCE by default: nobody can shorten a report's retention");
    assert.ok(!caps.warnings.some((w) => w.includes("lockMode")));
    const gov = build(withCapability("evidence", { bucket: "test-cis-evidence", endpoint: "https://minio.example.internal:9000", lockMode: "governance" }));
    assert.equal(gov.caps.evidence.lockMode, "governance");
    assert.ok(gov.caps.warnings.some((w) => /lockMode is governance: a user with s3:BypassGovernanceRetention/.test(w)));
    assert.equal(caps.evidence.uploaderUser, "kube-bench-test");
    assert.equal(caps.auditShipping.enabled, true);
    assert.equal(caps.auditShipping.shipper.enabled, true);
  });

  it("lets enabled: false keep the settings but switch a capability off", () => {
    const { caps } = build(withCapability("evidence", { enabled: false, bucket: "x" }));
    assert.equal(caps.evidence.enabled, false);
  });

  it("reports every problem at once", () => {
    const problems = rejects(
      {
        ...FULL_CAPABILITIES,
        kubeBench: { schedule: "every sunday", nodes: ["cp-9"] },
        evidence: { bucket: "Bad_Bucket", endpoint: "https://minio:9000", retentionDays: 0 },
      },
      "kubeBench.schedule",
      /cron/,
    );
    assert.equal(problems.length, 4, problems.join("\n"));
  });

  describe("kubeBench", () => {
    it("rejects a bad cron schedule", () => rejects(withCapability("kubeBench", { schedule: "0 2 * *" }), "kubeBench.schedule", /not a valid cron schedule: has 4 fields.*"0 2 \* \* 0"/));
    it("rejects an out-of-range cron field", () => rejects(withCapability("kubeBench", { schedule: "0 25 * * 0" }), "kubeBench.schedule", /hour field "25": 25 is outside 0-23/));
    it("rejects a time zone in the schedule", () => rejects(withCapability("kubeBench", { schedule: "TZ=UTC 0 2 * * 0" }), "kubeBench.schedule", /set kubeBench.timeZone instead/));
    it("rejects an unknown time zone", () => rejects(withCapability("kubeBench", { timeZone: "Mars/Olympus" }), "kubeBench.timeZone", /IANA time zone/));
    it("rejects pinning a scan to a node that is not in the stack", () =>
      rejects(withCapability("kubeBench", { nodes: ["cp-1", "wk-9"] }), "kubeBench.nodes[1]", /"wk-9" is not a node of this stack.*use one of cp-1, cp-2, cp-3, wk-1, wk-2/));
    it("rejects an empty node list", () => rejects(withCapability("kubeBench", { nodes: [] }), "kubeBench.nodes", /is empty/));
    it("rejects an image without a tag", () => rejects(withCapability("kubeBench", { image: "rancher/security-scan" }), "kubeBench.image", /not a pinned image/));
    it("rejects the latest tag", () => rejects(withCapability("kubeBench", { image: "rancher/security-scan:latest" }), "kubeBench.image", /moving tag latest/));
    it("accepts a digest-pinned image", () => {
      const image = `registry.example.com:5000/sec/scan@sha256:${"a".repeat(64)}`;
      assert.equal(build(withCapability("kubeBench", { image })).caps.kubeBench.image, image);
    });
    it("rejects a bad uploader image", () => rejects(withCapability("kubeBench", { uploader: { image: "minio/mc" } }), "kubeBench.uploader.image", /not a pinned image/));
    it("rejects a bad resource quantity", () =>
      rejects(withCapability("kubeBench", { resources: { limits: { memory: "lots" } } }), "kubeBench.resources.limits.memory", /not a Kubernetes quantity/));
    it("rejects unknown keys", () => rejects(withCapability("kubeBench", { shedule: "0 2 * * 0" }), "kubeBench.shedule", /unknown key; known keys are enabled, namespace/));
    it("rejects a bad namespace", () => rejects(withCapability("kubeBench", { namespace: "Kube_Bench" }), "kubeBench.namespace", /not a valid namespace name/));
  });

  describe("evidence", () => {
    const evidence = (v: Record<string, unknown>) => withCapability("evidence", { ...(FULL_CAPABILITIES.evidence as object), ...v });
    it("rejects a bad bucket name", () => rejects(evidence({ bucket: "CIS_Evidence" }), "evidence.bucket", /not a valid bucket name: may hold only lower-case letters/));
    it("rejects a bucket name shaped like an IP address", () => rejects(evidence({ bucket: "192.168.1.10" }), "evidence.bucket", /IP address/));
    it("rejects a too short bucket name", () => rejects(evidence({ bucket: "ab" }), "evidence.bucket", /3 to 63 characters/));
    it("requires a bucket when enabled", () => rejects(withCapability("evidence", { endpoint: "https://m:9000" }), "evidence.bucket", /is required; name the bucket, e.g. test-cis-evidence/));
    it("rejects a retention under a day", () => rejects(evidence({ retentionDays: 0 }), "evidence.retentionDays", /from 1 to 36500, got 0; reports are kept for whole days/));
    it("rejects a retention given in hours", () => rejects(evidence({ retentionDays: "12h" }), "evidence.retentionDays", /whole number/));
    it("rejects lock retention without object locking", () => rejects(evidence({ objectLocking: false, lockMode: "compliance" }), "evidence.lockMode", /needs a bucket with object locking/));
    it("turns lock retention off by default without object locking", () => assert.equal(build(evidence({ objectLocking: false })).caps.evidence.lockMode, "off"));
    it("rejects an endpoint with a path", () => rejects(evidence({ endpoint: "https://minio.example.internal:9000/bucket" }), "evidence.endpoint", /without a path/));
    it("rejects an endpoint with credentials", () => rejects(evidence({ endpoint: "https://ak:sk@minio.example.internal:9000" }), "evidence.endpoint", /must not carry credentials/));
    it("warns about a plain HTTP endpoint", () => assert.ok(build(evidence({ endpoint: "http://minio:9000" })).caps.warnings.some((w) => /plain HTTP/.test(w))));
    it("rejects evidence without kube-bench", () => rejects(withCapability("kubeBench", { enabled: false }), "evidence.enabled", /kubeBench.enabled is false/));
  });

  describe("auditShipping, serviceAccounts, kubernetes", () => {
    it("requires the Loki URL", () => rejects(withCapability("auditShipping", { shipper: { enabled: true } }), "auditShipping.lokiUrl", /is required; e.g. http/));
    it("rejects a Loki URL that is not http(s)", () => rejects(withCapability("auditShipping", { lokiUrl: "loki:3100" }), "auditShipping.lokiUrl", /not an http\(s\) URL/));
    it("rejects the scanner's namespace for the log shipping", () =>
      rejects(withCapability("auditShipping", { lokiUrl: "http://loki/x", namespace: "kube-bench" }), "auditShipping.namespace", /also kubeBench.namespace/));
    it("rejects a bad excluded namespace", () => rejects(withCapability("serviceAccounts", { exclude: ["Team A"] }), "serviceAccounts.exclude[0]", /not a valid namespace name/));
    it("rejects a kubeconfig in plain text", () => {
      const raw = rawConfig({ ...FULL_CAPABILITIES, kubernetes: { kubeconfig: "apiVersion: v1\nclusters: []\n" } });
      assert.throws(() => validateCapabilities(raw, validateStackConfig(raw)), (e: unknown) => e instanceof ConfigError && e.problems.some((p) => /kubernetes.kubeconfig: is stored in plain text/.test(p)));
    });
    it("accepts a secret kubeconfig from the engine", () => {
      const raw = rawConfig({ ...FULL_CAPABILITIES, kubernetes: { kubeconfig: "apiVersion: v1\nclusters: []\n", context: "dev" } });
      raw.secretKeys = new Set([...raw.secretKeys, "kubernetes"]);
      const caps = validateCapabilities(raw, validateStackConfig(raw));
      assert.equal(caps.kubernetes.kubeconfig?.kind, "secret");
      assert.equal(caps.kubernetes.context, "dev");
    });
    it("accepts a {secure} kubeconfig from a stack file (placeholder)", () => {
      const raw = rawConfig({ ...FULL_CAPABILITIES, kubernetes: { kubeconfig: { secure: "v1:abc" } } });
      raw.source = "file";
      raw.secretKeys = new Set(["kubernetes"]);
      raw.values.sshPrivateKey = { secure: "v1:xyz" };
      const caps = validateCapabilities(raw, validateStackConfig(raw));
      assert.match(caps.kubernetes.kubeconfig?.value ?? "", /^<secret/);
    });
  });

  it("rejects an unknown benchmark before any capability is read", () => {
    const raw = rawConfig({ ...FULL_CAPABILITIES, benchmark: "k3s-cis-2.0" });
    assert.throws(() => validateStackConfig(raw), (e: unknown) => e instanceof ConfigError && e.problems.some((p) => /^benchmark: unknown benchmark "k3s-cis-2.0"; use one of k3s-cis-1.7/.test(p)));
  });
});
