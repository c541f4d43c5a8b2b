/**
 * The whole program's resource graph for a validated configuration. index.ts loads and validates the
 * configuration and calls this; tests and benchmarks call it with a configuration they build.
 */
import { StackConfig } from "./config/types";
import { NodeHardening } from "./node/nodeHardening";
import { planRollout } from "./node/rollout";

export interface HardenedCluster {
  nodes: NodeHardening[];
}

export function createHardenedCluster(cfg: StackConfig): HardenedCluster {
  const byName = new Map<string, NodeHardening>();
  for (const step of planRollout(cfg.nodes, cfg.rollout.agentBatchSize)) {
    const after = step.after.map((n) => {
      const dep = byName.get(n);
      if (!dep) throw new Error(`rollout plan: ${step.node.name} depends on unknown node ${n}`);
      return dep.command;
    });
    const hardening = new NodeHardening(step.node.name, { node: step.node, config: cfg }, { dependsOn: after });
    byName.set(step.node.name, hardening);
  }
  return { nodes: [...byName.values()] };
}

/** Stack outputs shown after `pulumi up`: what each node got, and the predicted kube-bench failures. */
export function stackOutputs(cluster: HardenedCluster, cfg: StackConfig, predictedFailures: Record<string, string[]>) {
  return {
    cluster: cfg.cluster,
    benchmark: cfg.profile.benchmark,
    nodes: cluster.nodes.map((n) => ({ name: n.summary.nodeName, role: n.summary.role, digest: n.summary.digest })),
    predictedKubeBenchFailures: predictedFailures,
  };
}
