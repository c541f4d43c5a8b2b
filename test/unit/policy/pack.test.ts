/** The CrossGuard wrappers: type mapping, messages, Patch types, provider namespace, remediation. */
import * as assert from "assert";
import { compliantWorkload, mutate, podSpec, policyDepsInstalled, PolicySdk, loadPolicySdk } from "./helpers";
import { policyNamed, resourceArgs, runResourcePolicy } from "./engine";

describe("pack wrappers", () => {
  it("maps every workload type token, and its Patch, to the rule", async () => {
    const types: [string, string][] = [
      ["kubernetes:core/v1:Pod", "Pod"],
      ["kubernetes:apps/v1:Deployment", "Deployment"],
      ["kubernetes:apps/v1:StatefulSet", "StatefulSet"],
      ["kubernetes:apps/v1:DaemonSet", "DaemonSet"],
      ["kubernetes:apps/v1:ReplicaSet", "ReplicaSet"],
      ["kubernetes:batch/v1:Job", "Job"],
      ["kubernetes:batch/v1:CronJob", "CronJob"],
    ];
    const policy = policyNamed("cis-pod-host-ipc");
    for (const [type, kind] of types) {
      const props = mutate(compliantWorkload(kind), (o) => (podSpec(o).hostIPC = true));
      for (const t of [type, `${type}Patch`]) {
        const r = await runResourcePolicy(policy, { type: t, props });
        assert.deepStrictEqual(r.violations.map((v) => v.message), ["pod spec sets hostIPC: true [CIS 5.2.4, k3s-cis-1.7]"], t);
      }
    }
  });

  it("is not applicable to other types, components with empty props, and Lists", async () => {
    const policy = policyNamed("cis-pod-privileged");
    for (const type of ["aws:s3/bucket:Bucket", "k3s-cis:kube-bench:KubeBenchScan", "kubernetes:helm.sh/v3:Chart", "kubernetes:apps/v1:DeploymentList", "kubernetes:core/v1:Service"]) {
      const r = await runResourcePolicy(policy, { type, props: {} });
      assert.ok(r.notApplicable?.startsWith("applies to Pod, Deployment"), type);
      assert.deepStrictEqual(r.violations, []);
    }
  });

  it("a Patch with only metadata passes every workload policy", async () => {
    for (const name of ["cis-pod-privileged", "cis-pod-run-as-non-root", "cis-pod-seccomp", "cis-pod-security-context", "cis-pod-sa-token-automount", "cis-pod-privilege-escalation"]) {
      const r = await runResourcePolicy(policyNamed(name), { type: "kubernetes:apps/v1:DeploymentPatch", props: { metadata: { name: "coredns", namespace: "kube-system", annotations: { a: "b" } } } });
      assert.deepStrictEqual(r, { violations: [] }, name);
    }
  });

  it("default namespace: uses the provider's namespace, and message names the control of the benchmark", async () => {
    const props = mutate(compliantWorkload("Deployment"), (o) => delete o.metadata.namespace);
    const p17 = policyNamed("cis-default-namespace");
    assert.deepStrictEqual(await runResourcePolicy(p17, { type: "kubernetes:apps/v1:Deployment", props, providerNamespace: "shop" }), { violations: [] });
    const r = await runResourcePolicy(policyNamed("cis-default-namespace", "k3s-cis-1.9"), { type: "kubernetes:apps/v1:Deployment", props });
    assert.deepStrictEqual(r.violations.map((v) => v.message), ["resource is placed in the default namespace [CIS 5.7.4, k3s-cis-1.9]"]);
  });

  it("takes the renumbered ids of 1.11+ (5.6.x) and 1.12 (5.2.x moved up, added capabilities folded into 5.2.9)", async () => {
    const deployment = mutate(compliantWorkload("Deployment"), (o) => delete o.metadata.namespace);
    const expected: Array<[string, object, string, string, string]> = [
      ["cis-default-namespace", deployment, "k3s-cis-1.10", "5.7.4", "resource is placed in the default namespace"],
      ["cis-default-namespace", deployment, "k3s-cis-1.11", "5.6.4", "resource is placed in the default namespace"],
      ["cis-default-namespace", deployment, "k3s-cis-1.12", "5.6.4", "resource is placed in the default namespace"],
      ["cis-pod-host-port", mutate(compliantWorkload("Pod"), (o) => (podSpec(o).containers[0].ports = [{ containerPort: 80, hostPort: 80 }])), "k3s-cis-1.11", "5.2.13", ""],
      ["cis-pod-host-port", mutate(compliantWorkload("Pod"), (o) => (podSpec(o).containers[0].ports = [{ containerPort: 80, hostPort: 80 }])), "k3s-cis-1.12", "5.2.12", ""],
      ["cis-pod-added-capabilities", mutate(compliantWorkload("Pod"), (o) => (podSpec(o).containers[0].securityContext.capabilities.add = ["SYS_ADMIN"])), "k3s-cis-1.11", "5.2.9", ""],
      ["cis-pod-added-capabilities", mutate(compliantWorkload("Pod"), (o) => (podSpec(o).containers[0].securityContext.capabilities.add = ["SYS_ADMIN"])), "k3s-cis-1.12", "5.2.9", ""],
    ];
    for (const [name, props, bench, id, text] of expected) {
      const policy = policyNamed(name, bench);
      const type = (props as { kind: string }).kind === "Pod" ? "kubernetes:core/v1:Pod" : "kubernetes:apps/v1:Deployment";
      const r = await runResourcePolicy(policy, { type, props });
      assert.strictEqual(r.violations.length, 1, `${name} ${bench}`);
      assert.ok(r.violations[0].message.startsWith(text) && r.violations[0].message.endsWith(`[CIS ${id}, ${bench}]`), `${name} ${bench}: ${r.violations[0].message}`);
    }
  });

  it("schema defaults apply when the engine sends no config", async () => {
    const props = mutate(compliantWorkload("Pod"), (o) => (podSpec(o).containers[0].securityContext.capabilities.add = ["NET_BIND_SERVICE"]));
    const policy = policyNamed("cis-pod-added-capabilities");
    assert.strictEqual((await runResourcePolicy(policy, { type: "kubernetes:core/v1:Pod", props })).violations.length, 1);
    const allowed = await runResourcePolicy(policy, { type: "kubernetes:core/v1:Pod", props, config: { allowedCapabilities: ["NET_BIND_SERVICE"] } });
    assert.deepStrictEqual(allowed, { violations: [] });
  });

  describe("remediation through the SDK's proxy", function () {
    let sdk: PolicySdk;
    before(function () {
      if (!policyDepsInstalled()) this.skip();
      sdk = loadPolicySdk();
    });

    it("writes the safe default into the props and returns them", () => {
      const props = mutate(compliantWorkload("Deployment"), (o) => delete podSpec(o).securityContext.seccompProfile);
      const args = resourceArgs({ type: "kubernetes:apps/v1:Deployment", props, proxy: sdk, remediation: true });
      const result = policyNamed("cis-pod-seccomp").remediateResource!(args);
      assert.ok(result);
      assert.strictEqual(result.spec.template.spec.securityContext.seccompProfile.type, "RuntimeDefault");
      assert.strictEqual(props.spec.template.spec.securityContext.seccompProfile.type, "RuntimeDefault", "written through to the data");
    });

    it("every remediation runs over the SDK's remediation proxies (no Array species trap)", () => {
      const props = mutate(compliantWorkload("Deployment"), (o) => {
        const spec = podSpec(o);
        delete spec.automountServiceAccountToken;
        delete spec.securityContext.seccompProfile;
        spec.containers[0].securityContext = { capabilities: { add: ["CHOWN"], drop: ["SYS_TIME"] } };
      });
      for (const name of ["cis-pod-drop-net-raw", "cis-pod-privilege-escalation", "cis-pod-seccomp", "cis-pod-sa-token-automount"]) {
        const args = resourceArgs({ type: "kubernetes:apps/v1:Deployment", props, proxy: sdk, remediation: true });
        assert.ok(policyNamed(name).remediateResource!(args), name);
      }
      const spec = podSpec(props);
      assert.deepStrictEqual(spec.containers[0].securityContext, { capabilities: { add: ["CHOWN"], drop: ["SYS_TIME", "NET_RAW"] }, allowPrivilegeEscalation: false });
      assert.strictEqual(spec.automountServiceAccountToken, false);
      assert.strictEqual(spec.securityContext.seccompProfile.type, "RuntimeDefault");
    });

    it("returns undefined when nothing changes, and for Patch types", () => {
      const props = compliantWorkload("Deployment");
      const policy = policyNamed("cis-pod-sa-token-automount");
      assert.strictEqual(policy.remediateResource!(resourceArgs({ type: "kubernetes:apps/v1:Deployment", props, proxy: sdk, remediation: true })), undefined);
      const unset = mutate(props, (o) => delete podSpec(o).automountServiceAccountToken);
      assert.strictEqual(policy.remediateResource!(resourceArgs({ type: "kubernetes:apps/v1:DeploymentPatch", props: unset, proxy: sdk, remediation: true })), undefined);
    });
  });
});
