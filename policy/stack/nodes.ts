/**
 * TODO(node-config stack policies): not implemented yet, and not registered in the pack.
 *
 * Waiting for the node API: which component type carries a node's rendered config, and under which
 * output names (stack policies see components' registerOutputs values as props). The plan, once known:
 * - one policy per node concern, reading every hardening component's rendered k3s config;
 * - every node in the stack config has its hardening component (stack config arrives in PULUMI_CONFIG);
 * - the node's config passes the catalog's flag checks, using components/k3s/evaluate.ts
 *   (`predictedFailures(bench, role, doc)`); the violation lists the controls kube-bench would FAIL on
 *   that node, pinned to the component's URN;
 * - audit logging configured (topics api.audit-log-path, logging.audit-policy);
 * - outputs unknown during preview are read through UnknownTracker (rules/access.ts) so the engine
 *   reports an advisory note instead of a false violation.
 */
export {};
