import { rbacSecretsAccess } from "../../../../../policy/rules/rbac/secrets-access";
import { assertNoViolation, assertViolation, compliantRole, findings, mutate } from "../../helpers";

describe("cis-rbac-secrets-access (5.1.2)", () => {
  it("passes compliant roles, full and Patch", () => {
    for (const kind of ["Role", "ClusterRole"] as const) {
      assertNoViolation(findings(rbacSecretsAccess, compliantRole(kind)));
      assertNoViolation(findings(rbacSecretsAccess, compliantRole(kind), { partial: true }));
    }
  });

  it("flags get on secrets in any rule, not only the first", () => {
    const obj = mutate(compliantRole("ClusterRole"), (o) => o.rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }));
    assertViolation(findings(rbacSecretsAccess, obj), "rules[2] grants get, list on secrets");
  });

  it("flags * verbs on * resources of the core group", () => {
    const obj = mutate(compliantRole(), (o) => (o.rules[0] = { apiGroups: ["*"], resources: ["*"], verbs: ["*"] }));
    assertViolation(findings(rbacSecretsAccess, obj), "rules[0] grants * on secrets");
  });

  it("passes write-only access and secrets of another API group", () => {
    const obj = mutate(compliantRole(), (o) => {
      o.rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["create"] });
      o.rules.push({ apiGroups: ["example.com"], resources: ["secrets"], verbs: ["get"] });
    });
    assertNoViolation(findings(rbacSecretsAccess, obj));
  });
});
