/** CIS 5.1.1 (topic rbac.cluster-admin): the cluster-admin role is bound only where needed. */
import { asString, path } from "../access";
import { BINDING_KINDS } from "../kinds";
import { ResourceRule } from "../types";

export const rbacClusterAdmin: ResourceRule = {
  name: "cis-rbac-cluster-admin",
  topic: "rbac.cluster-admin",
  description: "Checks that no RoleBinding or ClusterRoleBinding grants the cluster-admin ClusterRole.",
  kinds: BINDING_KINDS,
  remediationSteps:
    "Bind a role that grants only the verbs and resources the subject needs. A break-glass binding that must stay gets an exemption with a reason in the policy config.",
  check(obj, _ctx, report) {
    const roleName = asString(path(obj, "roleRef", "name"));
    const roleKind = asString(path(obj, "roleRef", "kind"));
    if (roleName === "cluster-admin" && (roleKind === undefined || roleKind === "ClusterRole")) {
      report({ message: "binds the cluster-admin ClusterRole (roleRef.name: cluster-admin)" });
    }
  },
};
