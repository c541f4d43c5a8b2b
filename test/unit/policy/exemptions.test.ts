import * as assert from "assert";
import { globToRegExp } from "../../../policy/rules/exemptions";
import { podHostPath } from "../../../policy/rules/workload/host-path";
import { podPrivileged } from "../../../policy/rules/workload/privileged";
import { podHostPid } from "../../../policy/rules/workload/host-pid";
import { rbacClusterAdmin } from "../../../policy/rules/rbac/cluster-admin";
import { podDropNetRaw } from "../../../policy/rules/workload/drop-net-raw";
import { compliantBinding, compliantWorkload, evaluate, mutate, podSpec, remediated } from "./helpers";
import { policyNamed, runResourcePolicy } from "./engine";

const kubeBench = mutate(compliantWorkload("Job"), (o) => {
  o.metadata = { name: "kube-bench-node-1", namespace: "cis-scan" };
  podSpec(o).hostPID = true;
  podSpec(o).volumes.push({ name: "etc-rancher", hostPath: { path: "/etc/rancher" } });
});

describe("exemptions", () => {
  it("globs match whole values", () => {
    assert.ok(globToRegExp("kube-bench*").test("kube-bench-node-1"));
    assert.ok(!globToRegExp("kube-bench").test("kube-bench-node-1"));
    assert.ok(globToRegExp("node-?").test("node-1"));
    assert.ok(!globToRegExp("a.b").test("axb"));
  });

  it("a resource exemption makes the resource not applicable, with its reason", () => {
    const outcome = evaluate(podHostPid, kubeBench, { options: { exemptions: [{ kind: "Job", name: "kube-bench-*", reason: "kube-bench reads host processes" }] } });
    assert.deepStrictEqual(outcome, { findings: [], exemptedBy: ["kube-bench reads host processes"] });
  });

  it("every given matcher must match", () => {
    const wrongKind = evaluate(podHostPid, kubeBench, { options: { exemptions: [{ kind: "CronJob", name: "kube-bench-*", reason: "r" }] } });
    assert.strictEqual(wrongKind.findings.length, 1);
    const wrongNs = evaluate(podHostPid, kubeBench, { options: { exemptions: [{ namespace: "kube-system", name: "kube-bench-*", reason: "r" }] } });
    assert.strictEqual(wrongNs.findings.length, 1);
    const byNs = evaluate(podHostPath, kubeBench, { options: { exemptions: [{ namespace: "cis-*", reason: "scanner namespace" }] } });
    assert.deepStrictEqual(byNs.exemptedBy, ["scanner namespace"]);
  });

  it("namespace never matches a cluster-scoped object; name also matches the Pulumi name", () => {
    const crb = mutate(compliantBinding("ClusterRoleBinding"), (o) => (o.roleRef.name = "cluster-admin"));
    assert.strictEqual(evaluate(rbacClusterAdmin, crb, { options: { exemptions: [{ namespace: "*", reason: "r" }] } }).findings.length, 1);
    const byAlias = evaluate(rbacClusterAdmin, crb, { aliases: ["break-glass"], options: { exemptions: [{ name: "break-glass", reason: "emergency access, reviewed quarterly" }] } });
    assert.deepStrictEqual(byAlias.exemptedBy, ["emergency access, reviewed quarterly"]);
  });

  it("a container exemption covers that container only", () => {
    const obj = mutate(compliantWorkload("DaemonSet"), (o) => {
      podSpec(o).containers[0].securityContext.privileged = true;
      podSpec(o).initContainers[0].securityContext.privileged = true;
    });
    const exemptions = [{ container: "setup", reason: "sets sysctls once at start" }];
    const partly = evaluate(podPrivileged, obj, { options: { exemptions } });
    assert.deepStrictEqual(partly.findings.map((f) => f.container), ["app"]);
    const onlyInit = mutate(obj, (o) => (podSpec(o).containers[0].securityContext.privileged = false));
    assert.deepStrictEqual(evaluate(podPrivileged, onlyInit, { options: { exemptions } }), { findings: [], exemptedBy: ["sets sysctls once at start"] });
  });

  it("a container exemption does not cover pod-level findings", () => {
    const outcome = evaluate(podHostPid, kubeBench, { options: { exemptions: [{ container: "*", reason: "r" }] } });
    assert.strictEqual(outcome.findings.length, 1);
  });

  it("exempt containers are not remediated", () => {
    const obj = mutate(compliantWorkload("Deployment"), (o) => {
      delete podSpec(o).containers[0].securityContext.capabilities;
      delete podSpec(o).initContainers[0].securityContext.capabilities;
    });
    const fixed = remediated(podDropNetRaw, obj, { options: { exemptions: [{ container: "setup", reason: "needs raw sockets for ping checks" }] } });
    assert.deepStrictEqual(podSpec(fixed).containers[0].securityContext.capabilities, { drop: ["NET_RAW"] });
    assert.strictEqual(podSpec(fixed).initContainers[0].securityContext.capabilities, undefined);
  });

  it("in the pack, an exempt resource is reported not applicable with the reason", async () => {
    const r = await runResourcePolicy(policyNamed("cis-pod-host-path"), {
      type: "kubernetes:batch/v1:Job",
      props: kubeBench,
      config: { exemptions: [{ kind: "Job", name: "kube-bench*", reason: "kube-bench reads node files" }] },
    });
    assert.deepStrictEqual(r, { violations: [], notApplicable: "exempted: kube-bench reads node files" });
  });
});
