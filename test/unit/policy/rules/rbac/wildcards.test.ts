import { rbacWildcards } from "../../../../../policy/rules/rbac/wildcards";
import { assertNoViolation, assertViolation, compliantRole, findings, mutate } from "../../helpers";

describe("cis-rbac-wildcards (5.1.3)", () => {
  it("passes compliant roles, full and Patch", () => {
    for (const kind of ["Role", "ClusterRole"] as const) {
      assertNoViolation(findings(rbacWildcards, compliantRole(kind)));
      assertNoViolation(findings(rbacWildcards, compliantRole(kind), { partial: true }));
    }
  });

  for (const field of ["apiGroups", "resources", "verbs"]) {
    it(`flags * in ${field} of a later rule`, () => {
      const obj = mutate(compliantRole("ClusterRole"), (o) => (o.rules[1][field] = ["*"]));
      assertViolation(findings(rbacWildcards, obj), `rules[1] uses * in ${field}`);
    });
  }

  it("flags subresource and nonResourceURL wildcards", () => {
    const obj = mutate(compliantRole("ClusterRole"), (o) => {
      o.rules[0].resources = ["pods/*"];
      o.rules.push({ nonResourceURLs: ["*"], verbs: ["get"] });
    });
    const found = findings(rbacWildcards, obj);
    assertViolation(found, "rules[0] uses * in resources");
    assertViolation(found, "rules[2] uses * in nonResourceURLs");
  });
});
