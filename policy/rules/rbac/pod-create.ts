/** CIS 5.1.4 (topic rbac.pod-create): few roles may create pods. */
import { ROLE_KINDS } from "../kinds";
import { ResourceRule } from "../types";
import { grantedVerbs, rbacRulesOf, targetsCoreResource } from "./policy-rules";

export const rbacPodCreate: ResourceRule = {
  name: "cis-rbac-pod-create",
  topic: "rbac.pod-create",
  description: "Checks that no Role or ClusterRole rule grants create on pods.",
  kinds: ROLE_KINDS,
  remediationSteps:
    "Remove create on pods from the rule; grant it only to the controllers that need it, each with an exemption and a reason.",
  check(obj, _ctx, report) {
    for (const rule of rbacRulesOf(obj)) {
      const verbs = grantedVerbs(rule, ["create"]);
      if (verbs.length > 0 && targetsCoreResource(rule, "pods")) {
        report({ message: `rules[${rule.index}] grants ${verbs.join(", ")} on pods` });
      }
    }
  },
};
