/** The stack rules of the pack (node-config rules: see nodes.ts, pending). */
import { StackRule } from "../rules/types";
import { benchmarkConsistency } from "./benchmark";
import { kubeBenchScheduled } from "./kube-bench-scheduled";
import { namespaceDefaultServiceAccount } from "./namespace-default-sa";
import { namespaceNetworkPolicy } from "./namespace-network-policy";

export const STACK_RULES: readonly StackRule[] = [
  namespaceDefaultServiceAccount, // 5.1.5
  namespaceNetworkPolicy, // 5.3.2
  kubeBenchScheduled,
  benchmarkConsistency,
];
