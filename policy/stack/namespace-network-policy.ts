/** CIS 5.3.2 (topic network.policies): every Namespace the stack creates has a NetworkPolicy. */
import { STACK_TYPES } from "../rules/kinds";
import { StackRule } from "../rules/types";
import { checkEachNamespace } from "./namespaces";

export const namespaceNetworkPolicy: StackRule = {
  name: "cis-namespace-network-policy",
  topic: "network.policies",
  description: "Checks that every Namespace the stack creates contains at least one NetworkPolicy.",
  remediationSteps:
    "Create a NetworkPolicy in the namespace: a default-deny policy (empty podSelector, policyTypes Ingress and Egress) plus the allows the workloads need.",
  exemptable: true,
  check(resources, ctx) {
    return checkEachNamespace(resources, ctx, {
      types: [STACK_TYPES.networkPolicy],
      satisfies: () => true,
      missing: (ns) => `namespace ${ns} has no NetworkPolicy`,
    });
  },
};
