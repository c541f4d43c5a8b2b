/**
 * Values unknown during preview: the pack must let the SDK's UnknownValueError through for every field a
 * verdict depends on (an advisory "can't run" note, never a false violation), keep violations it could
 * establish, and not trip over unknowns it does not need.
 */
import * as assert from "assert";
import { STACK_TYPES } from "../../../policy/rules/kinds";
import { compliantWorkload, mutate, podSpec, policyDepsInstalled, PolicySdk, unknownString } from "./helpers";
import { loadPolicySdk, policyNamed, runResourcePolicy, runStackPolicy } from "./engine";

describe("unknown values during preview", function () {
  let sdk: PolicySdk;
  let UNKNOWN: string;
  before(function () {
    if (!policyDepsInstalled()) this.skip(); // needs `npm ci` in policy/ for the SDK's proxy
    sdk = loadPolicySdk();
    UNKNOWN = unknownString(sdk);
  });

  const deployment = "kubernetes:apps/v1:Deployment";

  it("an unknown decisive field gives the advisory note, not a violation", async () => {
    const props = mutate(compliantWorkload("Deployment"), (o) => (podSpec(o).containers[0].securityContext.privileged = UNKNOWN));
    const r = await runResourcePolicy(policyNamed("cis-pod-privileged"), { type: deployment, props, proxy: sdk });
    assert.deepStrictEqual(r.violations, []);
    assert.match(r.advisory ?? "", /can't be known during preview/);
  });

  it("a whole unknown pod spec is an advisory note too", async () => {
    const props = mutate(compliantWorkload("Deployment"), (o) => (o.spec.template = UNKNOWN));
    const r = await runResourcePolicy(policyNamed("cis-pod-host-pid"), { type: deployment, props, proxy: sdk });
    assert.deepStrictEqual(r.violations, []);
    assert.ok(r.advisory);
  });

  it("a violation found before the unknown is still reported", async () => {
    const props = mutate(compliantWorkload("Deployment"), (o) => {
      podSpec(o).initContainers[0].securityContext.privileged = true;
      podSpec(o).containers[0].securityContext.privileged = UNKNOWN;
    });
    const r = await runResourcePolicy(policyNamed("cis-pod-privileged"), { type: deployment, props, proxy: sdk });
    assert.strictEqual(r.violations.length, 1);
    assert.match(r.violations[0].message, /init container "setup" sets securityContext.privileged: true \[CIS 5\.2\.2, k3s-cis-1\.7\]/);
    assert.ok(r.advisory);
  });

  it("unknown values a policy does not read change nothing (image, labels, container name in a message)", async () => {
    const props = mutate(compliantWorkload("Deployment"), (o) => {
      podSpec(o).containers[0].image = UNKNOWN;
      o.metadata.labels = UNKNOWN;
    });
    for (const name of ["cis-pod-privileged", "cis-pod-host-network", "cis-pod-seccomp", "cis-pod-drop-net-raw"]) {
      const r = await runResourcePolicy(policyNamed(name), { type: deployment, props, proxy: sdk });
      assert.deepStrictEqual(r, { violations: [] }, name);
    }
    const named = mutate(compliantWorkload("Deployment"), (o) => {
      podSpec(o).containers[0].name = UNKNOWN;
      podSpec(o).containers[0].securityContext.privileged = true;
    });
    const r = await runResourcePolicy(policyNamed("cis-pod-privileged"), { type: deployment, props: named, proxy: sdk });
    assert.strictEqual(r.violations.length, 1);
    assert.strictEqual(r.advisory, undefined);
  });

  it("an unknown namespace blocks the default-namespace verdict", async () => {
    const props = mutate(compliantWorkload("Deployment"), (o) => (o.metadata.namespace = UNKNOWN));
    const r = await runResourcePolicy(policyNamed("cis-default-namespace"), { type: deployment, props, proxy: sdk });
    assert.deepStrictEqual(r.violations, []);
    assert.ok(r.advisory);
  });

  it("an unknown namespace matters for exemptions only when there is a finding", async () => {
    const config = { exemptions: [{ namespace: "monitoring", reason: "node exporter" }] };
    const clean = mutate(compliantWorkload("DaemonSet"), (o) => (o.metadata.namespace = UNKNOWN));
    assert.deepStrictEqual(await runResourcePolicy(policyNamed("cis-pod-host-network"), { type: "kubernetes:apps/v1:DaemonSet", props: clean, config, proxy: sdk }), { violations: [] });
    const hostNet = mutate(clean, (o) => (podSpec(o).hostNetwork = true));
    const r = await runResourcePolicy(policyNamed("cis-pod-host-network"), { type: "kubernetes:apps/v1:DaemonSet", props: hostNet, config, proxy: sdk });
    assert.deepStrictEqual(r.violations, []);
    assert.ok(r.advisory, "cannot tell whether the exemption applies");
  });

  it("a new Namespace with an unknown name: the policy matches by dependency, else notes it can't run", async () => {
    const ns = { type: STACK_TYPES.namespace, name: "shop", props: { metadata: { name: UNKNOWN } } };
    const linked = { type: STACK_TYPES.networkPolicy, name: "deny", props: { metadata: { name: "deny", namespace: UNKNOWN } }, metadataFrom: "shop" };
    const policy = policyNamed("cis-namespace-network-policy");
    assert.deepStrictEqual(await runStackPolicy(policy, [ns, linked], {}, sdk), { violations: [] });
    const unlinked = { type: STACK_TYPES.networkPolicy, name: "deny", props: { metadata: { name: "deny", namespace: "shop" } } };
    const r = await runStackPolicy(policy, [ns, unlinked], {}, sdk);
    assert.deepStrictEqual(r.violations, []);
    assert.ok(r.advisory);
  });

  it("a node whose rendered config is unknown gives the note, other nodes are still judged", async () => {
    const args = (ok: boolean) => ["anonymous-auth=" + (ok ? "false" : "true"), "authorization-mode=Node,RBAC"];
    const nodes = [
      { type: STACK_TYPES.nodeHardening, name: "cp-1", props: { nodeName: "cp-1", role: "server", files: [], k3sConfig: UNKNOWN } },
      { type: STACK_TYPES.nodeHardening, name: "cp-2", props: { nodeName: "cp-2", role: "server", files: [], k3sConfig: { "kube-apiserver-arg": args(false) } } },
    ];
    const r = await runStackPolicy(policyNamed("k3s-node-config-critical"), nodes, {}, sdk);
    assert.strictEqual(r.violations.length, 1);
    assert.match(r.violations[0].message, /^node cp-2 \(server\): kube-bench k3s-cis-1\.7 would FAIL .*anonymous-auth/);
    assert.ok(r.advisory);
  });
});
