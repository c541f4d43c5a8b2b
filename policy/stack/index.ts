/** The stack rules of the pack. */
import { StackRule } from "../rules/types";
import { auditLogging } from "./audit-logging";
import { benchmarkConsistency } from "./benchmark";
import { kubeBenchScheduled } from "./kube-bench-scheduled";
import { namespaceDefaultServiceAccount } from "./namespace-default-sa";
import { namespaceNetworkPolicy } from "./namespace-network-policy";
import { nodeConfig, nodeConfigCritical } from "./node-config";
import { nodeHardened } from "./node-hardened";

export const STACK_RULES: readonly StackRule[] = [
  nodeHardened,
  nodeConfigCritical,
  nodeConfig,
  auditLogging,
  namespaceDefaultServiceAccount, // 5.1.5
  namespaceNetworkPolicy, // 5.3.2
  kubeBenchScheduled,
  benchmarkConsistency,
];
