/**
 * The whole program's resource graph for a validated configuration. index.ts loads and validates the
 * configuration and calls this; tests and benchmarks call it with a configuration they build.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "./config/types";
import { NodeHardening } from "./node/nodeHardening";
import { planRollout } from "./node/rollout";
import { CLUSTER_HARDENING_TYPE } from "./tokens";

export { CLUSTER_HARDENING_TYPE };

/** Registered outputs of the root component. */
export interface ClusterHardeningSummary {
  cluster: string;
  benchmark: string;
  /** Every node of the stack configuration; each must have a NodeHardening. */
  expectedNodes: Array<{ name: string; role: "server" | "agent" }>;
  auditLogPath: string;
  auditPolicyPath: string;
}

/** Root component: parent of every node's hardening, carrying what the stack was configured with. */
export class ClusterHardening extends pulumi.ComponentResource {
  public readonly nodes: NodeHardening[] = [];
  public readonly summary: ClusterHardeningSummary;

  constructor(name: string, cfg: StackConfig, opts?: pulumi.ComponentResourceOptions) {
    super(CLUSTER_HARDENING_TYPE, name, {}, opts);
    const byName = new Map<string, NodeHardening>();
    for (const step of planRollout(cfg.nodes, cfg.rollout.agentBatchSize)) {
      const after = step.after.map((n) => {
        const dep = byName.get(n);
        if (!dep) throw new Error(`rollout plan: ${step.node.name} depends on unknown node ${n}`);
        return dep.command;
      });
      const hardening = new NodeHardening(step.node.name, { node: step.node, config: cfg }, { parent: this, dependsOn: after });
      byName.set(step.node.name, hardening);
      this.nodes.push(hardening);
    }
    this.summary = {
      cluster: cfg.cluster,
      benchmark: cfg.profile.benchmark,
      expectedNodes: cfg.nodes.map((n) => ({ name: n.name, role: n.role })),
      auditLogPath: cfg.profile.audit.logPath,
      auditPolicyPath: cfg.profile.audit.policyPath,
    };
    this.registerOutputs({ ...this.summary });
  }
}

export function createHardenedCluster(cfg: StackConfig): ClusterHardening {
  return new ClusterHardening(cfg.cluster, cfg);
}

/** Stack outputs shown after `pulumi up`: what each node got, and the predicted kube-bench failures. */
export function stackOutputs(cluster: ClusterHardening, cfg: StackConfig, predictedFailures: Record<string, string[]>) {
  return {
    cluster: cfg.cluster,
    benchmark: cfg.profile.benchmark,
    nodes: cluster.nodes.map((n) => ({ name: n.summary.nodeName, role: n.summary.role, digest: n.summary.digest })),
    predictedKubeBenchFailures: predictedFailures,
  };
}
