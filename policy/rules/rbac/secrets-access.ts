/** CIS 5.1.2 (topic rbac.secrets-access): few roles may read Secrets. */
import { ROLE_KINDS } from "../kinds";
import { ResourceRule } from "../types";
import { grantedVerbs, rbacRulesOf, targetsCoreResource } from "./policy-rules";

const READ_VERBS = ["get", "list", "watch"];

export const rbacSecretsAccess: ResourceRule = {
  name: "cis-rbac-secrets-access",
  topic: "rbac.secrets-access",
  description: "Checks that no Role or ClusterRole rule grants get, list or watch on Secrets.",
  kinds: ROLE_KINDS,
  remediationSteps:
    "Remove secrets from the rule's resources (or narrow it with resourceNames to the one Secret needed); a controller that must read Secrets gets an exemption with a reason.",
  check(obj, _ctx, report) {
    for (const rule of rbacRulesOf(obj)) {
      const verbs = grantedVerbs(rule, READ_VERBS);
      if (verbs.length > 0 && targetsCoreResource(rule, "secrets")) {
        report({ message: `rules[${rule.index}] grants ${verbs.join(", ")} on secrets` });
      }
    }
  },
};
