import { rbacPodCreate } from "../../../../../policy/rules/rbac/pod-create";
import { assertNoViolation, assertViolation, compliantRole, findings, mutate } from "../../helpers";

describe("cis-rbac-pod-create (5.1.4)", () => {
  it("passes compliant roles, full and Patch", () => {
    for (const kind of ["Role", "ClusterRole"] as const) {
      assertNoViolation(findings(rbacPodCreate, compliantRole(kind)));
      assertNoViolation(findings(rbacPodCreate, compliantRole(kind), { partial: true }));
    }
  });

  it("flags create on pods", () => {
    const obj = mutate(compliantRole(), (o) => o.rules.push({ apiGroups: [""], resources: ["pods"], verbs: ["create", "delete"] }));
    assertViolation(findings(rbacPodCreate, obj), "rules[2] grants create on pods");
  });

  it("flags * verbs on pods", () => {
    const obj = mutate(compliantRole("ClusterRole"), (o) => (o.rules[0].resources = ["pods"]) && (o.rules[0].verbs = ["*"]));
    assertViolation(findings(rbacPodCreate, obj), "rules[0] grants * on pods");
  });

  it("passes read access to pods and create on other resources", () => {
    const obj = mutate(compliantRole(), (o) => {
      o.rules.push({ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list"] });
      o.rules.push({ apiGroups: [""], resources: ["configmaps"], verbs: ["create"] });
    });
    assertNoViolation(findings(rbacPodCreate, obj));
  });
});
