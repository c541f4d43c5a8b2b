import { rbacClusterAdmin } from "../../../../../policy/rules/rbac/cluster-admin";
import { assertNoViolation, assertViolation, compliantBinding, findings, mutate } from "../../helpers";

describe("cis-rbac-cluster-admin (5.1.1)", () => {
  it("passes compliant bindings, full and Patch", () => {
    for (const kind of ["RoleBinding", "ClusterRoleBinding"] as const) {
      assertNoViolation(findings(rbacClusterAdmin, compliantBinding(kind)));
      assertNoViolation(findings(rbacClusterAdmin, compliantBinding(kind), { partial: true }));
    }
  });

  it("flags a ClusterRoleBinding to cluster-admin", () => {
    const obj = mutate(compliantBinding("ClusterRoleBinding"), (o) => (o.roleRef.name = "cluster-admin"));
    assertViolation(findings(rbacClusterAdmin, obj), "binds the cluster-admin ClusterRole");
  });

  it("flags a RoleBinding to the cluster-admin ClusterRole", () => {
    const obj = mutate(compliantBinding("RoleBinding"), (o) => (o.roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" }));
    assertViolation(findings(rbacClusterAdmin, obj), "cluster-admin");
  });

  it("passes a namespaced Role that happens to be called cluster-admin", () => {
    const obj = mutate(compliantBinding("RoleBinding"), (o) => (o.roleRef.name = "cluster-admin"));
    assertNoViolation(findings(rbacClusterAdmin, obj));
  });
});
