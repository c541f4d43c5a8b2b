/** CIS 5.1.3 (topic rbac.wildcards): roles list resources and verbs explicitly. */
import { ROLE_KINDS } from "../kinds";
import { ResourceRule } from "../types";
import { rbacRulesOf } from "./policy-rules";

const FIELDS = ["apiGroups", "resources", "verbs", "nonResourceURLs"] as const;

export const rbacWildcards: ResourceRule = {
  name: "cis-rbac-wildcards",
  topic: "rbac.wildcards",
  description: "Checks that no rule of a Role or ClusterRole uses * in apiGroups, resources, verbs or nonResourceURLs.",
  kinds: ROLE_KINDS,
  remediationSteps: "Replace each * with the explicit API groups, resources and verbs the subject needs.",
  check(obj, _ctx, report) {
    for (const rule of rbacRulesOf(obj)) {
      const wild = FIELDS.filter((f) => rule[f].some((v) => v === "*" || v.endsWith("/*")));
      if (wild.length > 0) report({ message: `rules[${rule.index}] uses * in ${wild.join(", ")}` });
    }
  },
};
