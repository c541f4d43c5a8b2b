import * as assert from "assert";
import { defaultNamespace } from "../../../../../policy/rules/workload/default-namespace";
import { appliesTo } from "../../../../../policy/rules/evaluate";
import { assertNoViolation, assertViolation, compliantWorkload, findings, mutate } from "../../helpers";

describe("cis-default-namespace (5.7.4)", () => {
  it("passes the compliant baseline of every kind", () => {
    for (const kind of ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]) assertNoViolation(findings(defaultNamespace, compliantWorkload(kind)));
  });

  it("flags metadata.namespace: default", () => {
    assertViolation(findings(defaultNamespace, mutate(compliantWorkload("Deployment"), (o) => (o.metadata.namespace = "default"))), "default namespace");
  });

  it("flags a resource without a namespace when the provider has none", () => {
    const obj = mutate(compliantWorkload("Job"), (o) => delete o.metadata.namespace);
    assertViolation(findings(defaultNamespace, obj), "default namespace");
    assertViolation(findings(defaultNamespace, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" } }), "default namespace");
  });

  it("uses the provider's namespace for a resource without one", () => {
    const obj = mutate(compliantWorkload("Job"), (o) => delete o.metadata.namespace);
    assertNoViolation(findings(defaultNamespace, obj, { providerNamespace: "shop" }));
    assertViolation(findings(defaultNamespace, obj, { providerNamespace: "default" }), "default namespace");
  });

  it("ignores the namespace's own default ServiceAccount (configuring it places nothing)", () => {
    assertNoViolation(findings(defaultNamespace, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: "default" }, automountServiceAccountToken: false }));
    assertViolation(findings(defaultNamespace, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "web", namespace: "default" } }), "default namespace");
  });

  it("ignores cluster-scoped kinds and Patch resources", () => {
    assertNoViolation(findings(defaultNamespace, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "r", namespace: "shop" } }));
    assert.strictEqual(appliesTo(defaultNamespace, "ClusterRole", false), false);
    assert.strictEqual(appliesTo(defaultNamespace, "ServiceAccount", true), false);
  });
});
