/**
 * CIS 5.1.5 (topic sa.default-not-used), stack side: every Namespace the stack creates has its `default`
 * ServiceAccount patched (kubernetes:core/v1:ServiceAccountPatch, or a ServiceAccount named default)
 * with automountServiceAccountToken: false.
 */
import { asString, path } from "../rules/access";
import { STACK_TYPES } from "../rules/kinds";
import { StackRule } from "../rules/types";
import { checkEachNamespace } from "./namespaces";

export const namespaceDefaultServiceAccount: StackRule = {
  name: "cis-namespace-default-sa",
  topic: "sa.default-not-used",
  description:
    "Checks that every Namespace the stack creates has its default ServiceAccount patched with automountServiceAccountToken: false.",
  remediationSteps:
    "Add a kubernetes.core.v1.ServiceAccountPatch named default in the namespace with automountServiceAccountToken: false (the project's default-SA component does this for the namespaces it is given).",
  exemptable: true,
  check(resources, ctx) {
    return checkEachNamespace(resources, ctx, {
      types: [STACK_TYPES.serviceAccountPatch, STACK_TYPES.serviceAccount],
      satisfies: (r, tracker) =>
        tracker.read(() => asString(path(r.props, "metadata", "name")) === "default" && r.props.automountServiceAccountToken === false, false),
      missing: (ns) => `namespace ${ns} has no ServiceAccountPatch setting automountServiceAccountToken: false on its default ServiceAccount`,
    });
  },
};
