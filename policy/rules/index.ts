/**
 * The resource rules of the pack, one per CIS control (5.1.5 also has a stack-level companion in
 * policy/stack). Listed in benchmark order.
 */
import { rbacClusterAdmin } from "./rbac/cluster-admin";
import { defaultServiceAccount } from "./rbac/default-service-account";
import { rbacPodCreate } from "./rbac/pod-create";
import { rbacSecretsAccess } from "./rbac/secrets-access";
import { rbacWildcards } from "./rbac/wildcards";
import { ResourceRule } from "./types";
import { podAddedCapabilities } from "./workload/added-capabilities";
import { defaultNamespace } from "./workload/default-namespace";
import { podDropNetRaw } from "./workload/drop-net-raw";
import { podHostIpc } from "./workload/host-ipc";
import { podHostNetwork } from "./workload/host-network";
import { podHostPath } from "./workload/host-path";
import { podHostPid } from "./workload/host-pid";
import { podHostPort } from "./workload/host-port";
import { podPrivilegeEscalation } from "./workload/privilege-escalation";
import { podPrivileged } from "./workload/privileged";
import { podRunAsNonRoot } from "./workload/run-as-non-root";
import { podTokenAutomount } from "./workload/sa-token-automount";
import { podSeccomp } from "./workload/seccomp";
import { podSecretsAsEnv } from "./workload/secrets-env";
import { podSecurityContextApplied } from "./workload/security-context";

export const RESOURCE_RULES: readonly ResourceRule[] = [
  rbacClusterAdmin, // 5.1.1
  rbacSecretsAccess, // 5.1.2
  rbacWildcards, // 5.1.3
  rbacPodCreate, // 5.1.4
  defaultServiceAccount, // 5.1.5
  podTokenAutomount, // 5.1.6
  podPrivileged, // 5.2.2
  podHostPid, // 5.2.3
  podHostIpc, // 5.2.4
  podHostNetwork, // 5.2.5
  podPrivilegeEscalation, // 5.2.6
  podRunAsNonRoot, // 5.2.7
  podDropNetRaw, // 5.2.8
  podAddedCapabilities, // 5.2.9
  podHostPath, // 5.2.12
  podHostPort, // 5.2.13
  podSecretsAsEnv, // 5.4.1
  podSeccomp, // 5.7.2
  podSecurityContextApplied, // 5.7.3
  defaultNamespace, // 5.7.4
];

export * from "./types";
export * from "./kinds";
export * from "./config";
export * from "./evaluate";
export * from "./exemptions";
export { isUnknownValueError } from "./access";
