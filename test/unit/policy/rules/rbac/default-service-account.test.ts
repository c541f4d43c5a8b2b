import { defaultServiceAccount } from "../../../../../policy/rules/rbac/default-service-account";
import { assertNoViolation, assertViolation, compliantBinding, findings, forEachKind, itPassesBaselines, mutate } from "../../helpers";

const defaultSa = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: "shop" }, automountServiceAccountToken: false };

describe("cis-default-service-account (5.1.5)", () => {
  itPassesBaselines(defaultServiceAccount);

  it("passes compliant bindings and a default ServiceAccount without automount", () => {
    assertNoViolation(findings(defaultServiceAccount, compliantBinding("RoleBinding")));
    assertNoViolation(findings(defaultServiceAccount, compliantBinding("ClusterRoleBinding")));
    assertNoViolation(findings(defaultServiceAccount, defaultSa));
  });

  it("flags a binding whose subject is a default ServiceAccount", () => {
    const obj = mutate(compliantBinding("ClusterRoleBinding"), (o) => o.subjects.push({ kind: "ServiceAccount", name: "default", namespace: "shop" }));
    assertViolation(findings(defaultServiceAccount, obj), "binds the default ServiceAccount of namespace shop");
  });

  it("flags a default ServiceAccount that keeps token automount", () => {
    assertViolation(findings(defaultServiceAccount, mutate(defaultSa, (o) => delete o.automountServiceAccountToken)), "does not set automountServiceAccountToken: false");
    assertViolation(findings(defaultServiceAccount, mutate(defaultSa, (o) => (o.automountServiceAccountToken = true)), { partial: true }), "sets automountServiceAccountToken: true");
  });

  it("does not judge other ServiceAccounts, nor a Patch that leaves automount out", () => {
    assertNoViolation(findings(defaultServiceAccount, mutate(defaultSa, (o) => ((o.metadata.name = "web"), delete o.automountServiceAccountToken))));
    assertNoViolation(findings(defaultServiceAccount, mutate(defaultSa, (o) => delete o.automountServiceAccountToken), { partial: true }));
  });

  it("flags a workload that runs as the default ServiceAccount with its token mounted", () => {
    forEachKind(
      (spec) => {
        delete spec.serviceAccountName;
        spec.automountServiceAccountToken = true;
      },
      (obj) => assertViolation(findings(defaultServiceAccount, obj), "runs as the default ServiceAccount"),
    );
    forEachKind(
      (spec) => {
        spec.serviceAccountName = "default";
        spec.automountServiceAccountToken = true;
      },
      (obj) => assertViolation(findings(defaultServiceAccount, obj, { partial: true }), "default ServiceAccount"),
    );
  });

  it("passes a workload on its own ServiceAccount even with a token", () => {
    forEachKind((spec) => (spec.automountServiceAccountToken = true), (obj) => assertNoViolation(findings(defaultServiceAccount, obj)));
  });
});
