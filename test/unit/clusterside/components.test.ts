/**
 * The components against Pulumi's mocks: which resources they register, with which inputs, and the
 * options that matter (retainOnDelete on the ServiceAccount patches, dependencies on the hardening).
 */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { nodeDigests } from "../../../cli/manifests";
import { createHardenedCluster } from "../../../components/cluster";
import { createClusterSide } from "../../../components/clusterSide";
import { HardenedNodeRef } from "../../../components/kubebench/kubeBench";
import { ServiceAccountLockdown } from "../../../components/serviceaccounts/serviceAccountLockdown";
import { build, withCapability } from "./fixtures";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const registered: Registered[] = [];

/** How Pulumi marks a secret value on the wire (runtime/rpc.ts specialSigKey / specialSecretSig). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

function value<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

/** Waits until the mocks saw every registration (they arrive asynchronously). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 20));
}

const MOCKS: pulumi.runtime.Mocks = {
  newResource: (args) => {
    registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
    const state: Record<string, unknown> = { ...args.inputs };
    if (args.type === "minio:index/iamUser:IamUser") state.secret = "uploader-secret-key";
    return { id: `${args.name}-id`, state };
  },
  call: (args) => args.inputs,
};

// eslint-disable-next-line @typescript-eslint/no-var-requires
const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): unknown };

/** Stands in for NodeHardening.command. */
class FakeCommand extends pulumi.CustomResource {
  constructor(name: string) {
    super("test:index:HardeningCommand", name, {});
  }
}

function fakeNodes(names: string[]): HardenedNodeRef[] {
  return names.map((n) => ({ summary: { nodeName: n, digest: `digest-of-${n}` }, command: new FakeCommand(`harden-${n}`) }));
}

function ofType(type: string): Registered[] {
  return registered.filter((r) => r.type === type);
}

describe("cluster-side components (Pulumi mocks)", () => {
  // Another test file installs its own mocks when it is loaded; borrow the mock monitor for this suite
  // and give it back afterwards (setMocks would replace it for good).
  let restore: (() => void) | undefined;
  before(async () => {
    const monitor = settings.getMonitor() as { mocks?: pulumi.runtime.Mocks } | undefined;
    if (monitor && typeof monitor === "object" && "mocks" in monitor) {
      const saved = monitor.mocks;
      monitor.mocks = MOCKS;
      restore = () => {
        monitor.mocks = saved;
      };
    } else {
      await pulumi.runtime.setMocks(MOCKS, "k3s-hardening", "test", false);
    }
  });
  after(async () => {
    await settle();
    restore?.();
  });
  beforeEach(() => registered.splice(0));

  it("creates the bucket, the scanner, the log shipping and the patches", async () => {
    const { cfg, caps } = build();
    const side = await createClusterSide(cfg, caps, { nodes: fakeNodes(cfg.nodes.map((n) => n.name)), listNamespaces: async () => ["default", "kube-system", "team-a"] });
    await settle();
    assert.ok(side.kubeBench && side.evidence && side.auditShipping && side.serviceAccounts);
    assert.equal(ofType("k3s-cis:kubebench:KubeBench").length, 1);
    assert.equal(ofType("k3s-cis:evidence:EvidenceBucket").length, 1);
    assert.equal(ofType("k3s-cis:logs:AuditShipping").length, 1);
    assert.equal(ofType("k3s-cis:serviceaccounts:ServiceAccountLockdown").length, 1);
    assert.equal(ofType("kubernetes:batch/v1:Job").length, 5);
    assert.equal(ofType("kubernetes:batch/v1:CronJob").length, 5);
    assert.equal(ofType("kubernetes:apps/v1:DaemonSet").length, 1);

    const bucket = ofType("minio:index/s3Bucket:S3Bucket")[0];
    assert.deepEqual({ bucket: bucket.inputs.bucket, objectLocking: bucket.inputs.objectLocking }, { bucket: "test-cis-evidence", objectLocking: true });
    assert.deepEqual(ofType("minio:index/s3BucketVersioning:S3BucketVersioning")[0].inputs.versioningConfiguration, { status: "Enabled" });
    const ilm = ofType("minio:index/ilmPolicy:IlmPolicy")[0].inputs.rules as Array<Record<string, unknown>>;
    assert.equal(ilm[0].expiration, "400d");
    const policy = JSON.parse(String(ofType("minio:index/iamPolicy:IamPolicy")[0].inputs.policy)) as { Statement: Array<{ Resource: string[] }> };
    assert.deepEqual(policy.Statement[0].Resource, ["arn:aws:s3:::test-cis-evidence/kube-bench/test/*"]);
    assert.equal(ofType("minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment").length, 1);

    const patched = ofType("kubernetes:core/v1:ServiceAccountPatch")
      .map((r) => (r.inputs.metadata as { namespace: string }).namespace)
      .sort();
    assert.deepEqual(patched, ["apps", "default", "k8s-audit", "kube-bench", "kube-node-lease", "kube-public", "kube-system", "team-a"]);
    assert.deepEqual(side.outputs.lockedDefaultServiceAccounts, patched);
    assert.equal(side.outputs.reportLocation, "test-cis-evidence/kube-bench/test/<node>/<UTC timestamp>-<pod>.json");
  });

  it("puts the node's hardening digest on its scan Job", async () => {
    const { cfg, caps } = build();
    await createClusterSide(cfg, caps, { nodes: fakeNodes(cfg.nodes.map((n) => n.name)), listNamespaces: async () => [] });
    await settle();
    const job = ofType("kubernetes:batch/v1:Job").find((j) => (j.inputs.metadata as { labels: Record<string, string> }).labels["k3s-hardening/node"] === "wk-1");
    assert.ok(job);
    const template = (job.inputs.spec as { template: { metadata: { annotations: Record<string, string> } } }).template;
    assert.equal(template.metadata.annotations["k3s-hardening/hardening-digest"], "digest-of-wk-1");
    assert.equal(template.metadata.annotations["k3s-hardening/benchmark"], "k3s-cis-1.12");
  });

  it("takes the NodeHardening components of the hardened cluster as they are", async () => {
    const { cfg, caps } = build();
    const cluster = createHardenedCluster(cfg);
    await createClusterSide(cfg, caps, { nodes: cluster.nodes, parent: cluster, listNamespaces: async () => [] });
    await settle();
    for (const n of cluster.nodes) {
      const job = ofType("kubernetes:batch/v1:Job").find((j) => (j.inputs.metadata as { labels: Record<string, string> }).labels["k3s-hardening/node"] === n.summary.nodeName);
      const annotations = (job?.inputs.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations;
      assert.equal(annotations["k3s-hardening/hardening-digest"], n.summary.digest);
      assert.equal(nodeDigests(cfg)[n.summary.nodeName], n.summary.digest, "the render command computes the same digest");
    }
  });

  it("writes the uploader's credentials into the scanner namespace's Secret, as a secret", async () => {
    const { cfg, caps } = build();
    const side = await createClusterSide(cfg, caps, { nodes: fakeNodes(cfg.nodes.map((n) => n.name)), listNamespaces: async () => [] });
    await settle();
    const secret = ofType("kubernetes:core/v1:Secret")[0];
    assert.equal((secret.inputs.metadata as { namespace: string }).namespace, "kube-bench");
    // The engine receives stringData as a secret (Pulumi's secret signature wraps the value).
    const wrapped = secret.inputs.stringData as Record<string, unknown>;
    assert.equal(wrapped[SECRET_SIG], SECRET_SIG_VALUE);
    const line = (wrapped.value as Record<string, string>)["mc-hosts.env"];
    assert.equal(line, "MC_HOST_evidence=https://kube-bench-test:uploader-secret-key@minio.example.internal:9000\n");
    assert.equal(await pulumi.isSecret(side.evidence?.uploaderSecretKey as pulumi.Output<string>), true);
  });

  it("patches only the configured namespaces when the cluster cannot be read, with a warning", async () => {
    const { cfg, caps } = build(withCapability("auditShipping", undefined));
    const warnings: string[] = [];
    const side = await createClusterSide(cfg, caps, {
      nodes: fakeNodes(cfg.nodes.map((n) => n.name)),
      listNamespaces: async () => {
        throw new Error("connect ECONNREFUSED");
      },
      warn: (m) => warnings.push(m),
    });
    assert.deepEqual(side.outputs.lockedDefaultServiceAccounts, ["apps", "default", "kube-bench", "kube-node-lease", "kube-public", "kube-system"]);
    assert.match(warnings[0], /could not list the cluster's namespaces \(connect ECONNREFUSED\)/);
  });

  it("creates nothing in the cluster when kubernetes.enabled is false", async () => {
    const { cfg, caps } = build(withCapability("kubernetes", { enabled: false }));
    const side = await createClusterSide(cfg, caps, { nodes: [], listNamespaces: async () => ["x"] });
    await settle();
    assert.deepEqual(registered, []);
    assert.equal(side.kubeBench, undefined);
  });

  it("creates no bucket and no Secret without evidence", async () => {
    const { cfg, caps } = build(withCapability("evidence", undefined));
    await createClusterSide(cfg, caps, { nodes: fakeNodes(cfg.nodes.map((n) => n.name)), listNamespaces: async () => [] });
    await settle();
    assert.equal(registered.filter((r) => r.type.startsWith("minio:")).length, 0);
    assert.equal(ofType("kubernetes:core/v1:Secret").length, 0);
  });

  it("keeps the ServiceAccount patches on destroy (retainOnDelete)", async () => {
    const seen: Array<{ type: string; retain: boolean | undefined }> = [];
    const capture: pulumi.ResourceTransformation = (args) => {
      seen.push({ type: args.type, retain: args.opts.retainOnDelete });
      return undefined;
    };
    new ServiceAccountLockdown("sa", { namespaces: ["default", "apps"] }, { transformations: [capture] });
    await settle();
    const patches = seen.filter((s) => s.type === "kubernetes:core/v1:ServiceAccountPatch");
    assert.equal(patches.length, 2);
    assert.ok(patches.every((p) => p.retain === true));
    const inputs = ofType("kubernetes:core/v1:ServiceAccountPatch").map((r) => r.inputs.automountServiceAccountToken);
    assert.deepEqual(inputs, [false, false]);
  });

  it("applies every Kubernetes object after the control plane's hardening and deletes it before (dependsOn, directly or through its namespace or role)", async () => {
    const { cfg, caps } = build(withCapability("auditShipping", { lokiUrl: "http://loki.example:3100/loki/api/v1/push", shipper: { enabled: true } }));
    const deps = new Map<pulumi.Resource, pulumi.Resource[]>();
    const types = new Map<pulumi.Resource, string>();
    const capture: pulumi.ResourceTransformation = (args) => {
      types.set(args.resource, args.type);
      const d = args.opts.dependsOn;
      deps.set(args.resource, Array.isArray(d) ? (d as pulumi.Resource[]) : d ? [d as pulumi.Resource] : []);
      return undefined;
    };
    const controlPlane = new FakeCommand("control-plane");
    await createClusterSide(cfg, caps, { nodes: fakeNodes(cfg.nodes.map((n) => n.name)), listNamespaces: async () => ["team-a"], controlPlane: [controlPlane] }).then(
      () => undefined,
    );
    // Registered through a parent component that carries the transformation.
    const parent = new pulumi.ComponentResource("test:index:Parent", "p", {}, { transformations: [capture] });
    await createClusterSide(cfg, caps, { nodes: fakeNodes(cfg.nodes.map((n) => n.name)), listNamespaces: async () => ["team-a"], controlPlane: [controlPlane], parent });
    await settle();
    const reaches = (r: pulumi.Resource, seen = new Set<pulumi.Resource>()): boolean => {
      if (r === controlPlane) return true;
      if (seen.has(r)) return false;
      seen.add(r);
      return (deps.get(r) ?? []).some((d) => reaches(d, seen));
    };
    const k8sObjects = [...types.entries()].filter(([, t]) => t.startsWith("kubernetes:"));
    assert.ok(k8sObjects.length > 20, `${k8sObjects.length} objects`);
    for (const [r, t] of k8sObjects) assert.ok(reaches(r), `${t} does not wait for the control plane`);
  });

  it("exposes the bucket name as an output", async () => {
    const { cfg, caps } = build();
    const side = await createClusterSide(cfg, caps, { nodes: fakeNodes(cfg.nodes.map((n) => n.name)), listNamespaces: async () => [] });
    assert.equal(await value(side.outputs.evidenceBucket as pulumi.Output<string>), "test-cis-evidence");
  });
});
